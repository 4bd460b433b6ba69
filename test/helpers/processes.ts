/** Child-process plumbing shared by the taps' tests: temp files, a clean environment, a bin run to completion. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `value` (a string as it is, anything else as JSON) to dir/name; returns the path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment without settings of any connector, so nothing leaks into the run under test:
 * every connector's prefix is stripped, since a tap's child (a target, say) reads other prefixes.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => !/^(TAP_|TARGET_|SFDC_|ZUORA_|MARKETO_|SINGER_|MELTANO_|NODE_OPTIONS)/.test(key));
  return { ...Object.fromEntries(kept), ...extra };
}

/** Collects a child's stderr (and stdout when it is piped here and wanted) until it closes. */
export function collect(child: ReturnType<typeof spawn>, keepStdout = true): Promise<ProcessResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  if (keepStdout) child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
  });
}

/** `node <bin> <args>` in a clean environment (plus `env`), run to its end. */
export function runBin(bin: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  const child = spawn(process.execPath, [bin, ...args], { env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

/** One JSON value per non-blank line, as Singer messages are written. */
export function parseLines(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}
