/**
 * `tap-marketo ... | target-postgres ...` as real processes joined by a pipe, and the loaded
 * tables compared with what the simulator holds.
 */
import { spawn } from 'node:child_process';
import type pg from 'pg';
import type { MarketoSimulator } from '@singer-io-ts/simulators';
import { parseStates, readTable, TARGET_BIN } from '../../../target-postgres/test/helpers/run-target.js';
import { diffRecords, expectedRecords, type Diff } from './compare.js';
import { cleanEnv, TAP_BIN, type ProcessResult } from './marketo.js';

export interface PipelineResult {
  tap: ProcessResult;
  target: ProcessResult & { states: unknown[] };
}

function collect(child: ReturnType<typeof spawn>, keepStdout: boolean): Promise<ProcessResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  if (keepStdout) child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
  });
}

/** Runs the pipe; the target's printed states are the state of the next run. */
export async function runPipeline(tapArgs: string[], targetConfigFile: string): Promise<PipelineResult> {
  const tap = spawn(process.execPath, [TAP_BIN, ...tapArgs], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const target = spawn(process.execPath, [TARGET_BIN, '--config', targetConfigFile], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  target.stdin!.on('error', () => undefined);
  tap.stdout!.pipe(target.stdin!);
  const [tapResult, targetResult] = await Promise.all([collect(tap, false), collect(target, true)]);
  return { tap: tapResult, target: { ...targetResult, states: parseStates(targetResult.stdout) } };
}

/** A loaded table against the simulator's rows, column by column (columns are lower-cased names). */
export async function compareTable(client: pg.ClientBase, schema: string, mk: MarketoSimulator, stream: string): Promise<Diff> {
  const rows = await readTable(client, schema, stream);
  return diffRecords(stream, expectedRecords(mk, stream), rows, { lower: true });
}
