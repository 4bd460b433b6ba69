/**
 * `tap-zuora ... | target-postgres ...` as real processes joined by a pipe, and the loaded tables
 * compared with what the simulator holds.
 */
import type pg from 'pg';
import type { ZuoraSimulator } from '@singer-io-ts/simulators';
import { readTable } from '../../../target-postgres/test/helpers/run-target.js';
import { runPipeline as runTapPipeline, type PipelineResult } from '../../../../test/helpers/pipeline.js';
import { TAP_BIN } from './zuora.js';

export type { PipelineResult } from '../../../../test/helpers/pipeline.js';

/** Runs `tap-zuora <tapArgs> | target-postgres`; the target's printed states are the state of the next run. */
export function runPipeline(tapArgs: string[], targetConfigFile: string): Promise<PipelineResult> {
  return runTapPipeline(TAP_BIN, tapArgs, targetConfigFile);
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
 * Every simulator row (deleted ones included, unless `liveOnly`: CRUD exports cannot report them)
 * against the loaded row of the same Id, field by exportable field, joined ids checked,
 * `_sdc_deleted_at` set exactly on deletes.
 */
export async function compareWithSimulator(client: pg.ClientBase, schema: string, zuora: ZuoraSimulator, object: string, options: { skipFields?: string[]; liveOnly?: boolean } = {}): Promise<TableDiff> {
  const table = zuora.simulation.company.table('zuora', object)!;
  const loaded = new Map((await readTable(client, schema, object.toLowerCase())).map((row) => [String(row.id), row as Row]));
  const expected = [...table.scan({ asOf: zuora.simulation.clock.now(), includeDeleted: true })];
  const diff: TableDiff = { missing: [], extra: [], mismatches: [], rows: loaded.size, deleted: 0 };
  const ids = new Set(expected.map((row) => String(row.Id)));
  diff.extra = [...loaded.keys()].filter((id) => !ids.has(id));
  const fields = table.fields.filter((field) => (field.contexts ?? ['export']).includes('export') && !options.skipFields?.includes(field.name));
  for (const row of expected) {
    const deleted = (row as Record<symbol, unknown>)[DELETED] === true;
    if (deleted && options.liveOnly) continue;
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
    if (deleted) diff.deleted += 1;
    if ((got._sdc_deleted_at !== null) !== deleted) mismatch('_sdc_deleted_at', deleted ? 'set' : null, got._sdc_deleted_at);
  }
  return diff;
}
