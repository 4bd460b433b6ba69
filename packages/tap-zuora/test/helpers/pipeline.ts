/**
 * `tap-zuora ... | target-postgres ...` as real processes joined by a pipe, and the loaded tables
 * compared with what the simulator holds.
 */
import { spawn } from 'node:child_process';
import type pg from 'pg';
import type { ZuoraSimulator } from '@singer-io-ts/simulators';
import { parseStates, readTable, TARGET_BIN } from '../../../target-postgres/test/helpers/run-target.js';
import { cleanEnv, TAP_BIN, type ProcessResult } from './zuora.js';

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

type Row = Record<string, unknown>;
const DELETED = Symbol.for('bizops.simulators.deleted');

/** Simulator value and loaded text brought to one form per Zuora type. */
export function normalize(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'datetime':
    case 'timestamp': {
      // Exports write whole seconds.
      const ms = typeof value === 'number' ? value : Date.parse(String(value).replace(' ', 'T').replace(/\+00$/, 'Z'));
      return Math.floor(ms / 1000) * 1000;
    }
    case 'integer':
    case 'decimal':
      return Number(value);
    case 'boolean':
      return String(value);
    case 'date':
      return String(value).slice(0, 10);
    default:
      // target-postgres removes NUL characters, which Postgres text cannot hold.
      return String(value).replace(/\u0000/g, '');
  }
}

export interface TableDiff {
  missing: string[];
  extra: string[];
  mismatches: string[];
  rows: number;
  deleted: number;
}

/**
 * Every simulator row (deleted ones included) against the loaded row of the same Id, field by
 * exportable field, joined ids checked, `_sdc_deleted_at` set exactly on deletes.
 */
export async function compareWithSimulator(client: pg.ClientBase, schema: string, zuora: ZuoraSimulator, object: string, options: { skipFields?: string[] } = {}): Promise<TableDiff> {
  const table = zuora.simulation.company.table('zuora', object)!;
  const loaded = new Map((await readTable(client, schema, object.toLowerCase())).map((row) => [String(row.id), row as Row]));
  const expected = [...table.scan({ asOf: zuora.simulation.clock.now(), includeDeleted: true })];
  const diff: TableDiff = { missing: [], extra: [], mismatches: [], rows: loaded.size, deleted: 0 };
  const ids = new Set(expected.map((row) => String(row.Id)));
  diff.extra = [...loaded.keys()].filter((id) => !ids.has(id));
  const fields = table.fields.filter((field) => (field.contexts ?? ['export']).includes('export') && !options.skipFields?.includes(field.name));
  for (const row of expected) {
    const got = loaded.get(String(row.Id));
    if (!got) {
      diff.missing.push(String(row.Id));
      continue;
    }
    const mismatch = (what: string, want: unknown, have: unknown) => {
      if (diff.mismatches.length < 20) diff.mismatches.push(`${object} ${String(row.Id)} ${what}: expected ${JSON.stringify(want)}, loaded ${JSON.stringify(have)}`);
    };
    for (const field of fields) {
      const column = field.name.toLowerCase();
      if (!(column in got)) {
        mismatch(field.name, 'a column', 'none');
        continue;
      }
      const want = normalize(field.type, row[field.name]);
      const have = normalize(field.type, got[column]);
      if (want !== have) mismatch(field.name, want, have);
    }
    const deleted = (row as Record<symbol, unknown>)[DELETED] === true;
    if (deleted) diff.deleted += 1;
    if ((got._sdc_deleted_at !== null) !== deleted) mismatch('_sdc_deleted_at', deleted ? 'set' : null, got._sdc_deleted_at);
  }
  return diff;
}
