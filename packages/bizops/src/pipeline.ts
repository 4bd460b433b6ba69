/**
 * One `tap | target-postgres` run: two processes of the published bins joined by an OS pipe,
 * stderr of each into the run's log directory, the state read before and written after (only
 * from what the target printed, only when both exited 0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Redactor } from '@singer-io-ts/sdk';
import { addMetricLine, emptyStats, type RunStats } from './run-stats.js';
import type { StateStore } from './state-store.js';

export interface PipelineSpec {
  name: string;
  tapBin: string;
  targetBin: string;
  tapConfig: Record<string, unknown>;
  targetConfig: Record<string, unknown>;
  tapEnv: NodeJS.ProcessEnv;
  targetEnv: NodeJS.ProcessEnv;
}

export interface PipelineOutcome {
  name: string;
  ok: boolean;
  tapExit: number | string;
  targetExit: number | string;
  stats: RunStats;
  seconds: number;
  /** The state file was replaced by the target's last STATE. */
  stateAdvanced: boolean;
  /** Why it failed, from the failing process's last error lines. */
  error?: string;
  tapLog: string;
  targetLog: string;
}

export async function runPipeline(spec: PipelineSpec, states: StateStore, logDir: string, redactor: Redactor): Promise<PipelineOutcome> {
  const started = performance.now();
  mkdirSync(logDir, { recursive: true });
  // Configs carry secrets: a private directory, removed whatever happens.
  const secretsDir = mkdtempSync(path.join(os.tmpdir(), `bizops-${spec.name}-`));
  try {
    const tapConfigFile = writePrivate(secretsDir, 'tap.json', spec.tapConfig);
    const targetConfigFile = writePrivate(secretsDir, 'target.json', spec.targetConfig);
    const previous = states.read(spec.name);
    const stateArgs = previous === undefined ? [] : ['--state', writePrivate(secretsDir, 'state.json', previous)];

    const target = spawn(process.execPath, [spec.targetBin, '--config', targetConfigFile], { env: spec.targetEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    // The tap writes straight into the target's stdin: a real pipe, with EPIPE for the tap if the target dies.
    const tap = spawn(process.execPath, [spec.tapBin, '--config', tapConfigFile, ...stateArgs], { env: spec.tapEnv, stdio: ['ignore', target.stdin!, 'pipe'] });
    // Our copy of the pipe's write end would keep the target from ever seeing end of input.
    target.stdin!.destroy();

    const tapLog = path.join(logDir, `${spec.name}.tap.log`);
    const targetLog = path.join(logDir, `${spec.name}.target.log`);
    const stats = emptyStats();
    const tapErrors = new LastLines();
    const targetErrors = new LastLines();
    let lastState: unknown;
    let badStateLine: string | undefined;

    const tapDone = pumpStderr(tap, tapLog, redactor, (line) => {
      addMetricLine(stats, line);
      tapErrors.add(line);
    });
    const targetDone = pumpStderr(target, targetLog, redactor, (line) => targetErrors.add(line));
    const statesRead = eachLine(target.stdout!, (line) => {
      if (!line.trim()) return;
      try {
        const message = JSON.parse(line) as { type?: string; value?: unknown };
        if (message.type === 'STATE') lastState = message.value;
      } catch {
        badStateLine = line.slice(0, 200);
      }
    });
    const [tapExit, targetExit] = await Promise.all([exitOf(tap), exitOf(target), tapDone, targetDone, statesRead]);

    const outcome: PipelineOutcome = { name: spec.name, ok: false, tapExit, targetExit, stats, seconds: 0, stateAdvanced: false, tapLog, targetLog };
    // A target that dies first makes the tap fail too (EPIPE): the target's reason comes first then.
    const failures = [
      targetExit !== 0 ? `target-postgres exited with ${targetExit}: ${targetErrors.summary() || 'no error message'} (log: ${targetLog})` : '',
      tapExit !== 0 ? `${path.basename(spec.tapBin, '.js')} exited with ${tapExit}: ${tapErrors.summary() || 'no error message'} (log: ${tapLog})` : '',
      badStateLine !== undefined ? `target-postgres printed a line that is not JSON on stdout: ${badStateLine}` : '',
    ].filter(Boolean);
    if (failures.length) outcome.error = failures.join('; ');
    else if (lastState === undefined) outcome.ok = true;
    else {
      // Both processes ran: a state that cannot be kept fails the pipeline with their real exits, and
      // the next run starts again from the previous state (the target upserts, so nothing doubles).
      try {
        states.write(spec.name, lastState);
        outcome.ok = true;
        outcome.stateAdvanced = true;
      } catch (err) {
        outcome.error = `the records were loaded, but the new state could not be written to ${states.file(spec.name)} (${(err as Error).message}); the next run starts from the previous state`;
      }
    }
    if (outcome.error) outcome.error = redactor.redactText(outcome.error);
    outcome.seconds = (performance.now() - started) / 1000;
    return outcome;
  } finally {
    rmSync(secretsDir, { recursive: true, force: true });
  }
}

function writePrivate(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
  return file;
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    child.on('error', (err) => resolve(`error (${err.message})`));
    child.on('close', (code, signal) => resolve(code ?? `signal ${signal}`));
  });
}

function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
  return new Promise((resolve) => lines.on('close', resolve));
}

/** stderr into the log file (redacted once more, in case a connector let a secret through), line by line. */
async function pumpStderr(child: ChildProcess, file: string, redactor: Redactor, onLine: (line: string) => void): Promise<void> {
  const log: WriteStream = createWriteStream(file);
  await eachLine(child.stderr!, (raw) => {
    const line = redactor.redactText(raw);
    log.write(line + '\n');
    onLine(line);
  });
  await new Promise<void>((resolve) => log.end(resolve));
}

/** The last error-looking lines of a process, for the one-line cause of a failure. */
class LastLines {
  readonly #lines: string[] = [];

  add(line: string): void {
    if (line.startsWith('INFO METRIC:') || !line.trim()) return;
    this.#lines.push(line);
    if (this.#lines.length > 50) this.#lines.shift();
  }

  summary(): string {
    const errors = this.#lines.filter((line) => /^(ERROR|FATAL|CRITICAL)\b|Error\b/.test(line));
    return (errors.length ? errors : this.#lines).slice(-3).join(' | ');
  }
}
