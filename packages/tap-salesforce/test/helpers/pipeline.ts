/**
 * `tap-salesforce ... | target-postgres ...` as real processes joined by a pipe, and the loaded
 * tables compared with what the simulator holds.
 */
import type pg from 'pg';
import type { SalesforceSimulator } from '@singer-io-ts/simulators';
import { readTable } from '../../../target-postgres/test/helpers/run-target.js';
import { runPipeline as runTapPipeline, type PipelineResult } from '../../../../test/helpers/pipeline.js';
import { TAP_BIN } from './salesforce.js';

export type { PipelineResult } from '../../../../test/helpers/pipeline.js';

/** Runs `tap-salesforce <tapArgs> | target-postgres`; the target's printed states are the state of the next run. */
export function runPipeline(tapArgs: string[], targetConfigFile: string): Promise<PipelineResult> {
  return runTapPipeline(TAP_BIN, tapArgs, targetConfigFile);
}

type Row = Record<string, unknown>;

function normalize(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'datetime':
      return typeof value === 'number' ? value : Date.parse(String(value).replace(' ', 'T').replace(/\+00$/, 'Z'));
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return Number(value);
    case 'boolean':
      return String(value);
    case 'time':
      // `10:30:00.000Z` from the API, `10:30:00` from a Postgres time column: compare the clock time.
      return String(value).replace(/Z$/, '').replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');
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
 * field, compounds checked against their components, `_sdc_deleted_at` set exactly on deletes.
 */
export async function compareWithSimulator(client: pg.ClientBase, schema: string, sf: SalesforceSimulator, object: string): Promise<TableDiff> {
  const table = sf.simulation.company.table('salesforce', object)!;
  const loaded = new Map((await readTable(client, schema, object.toLowerCase())).map((row) => [String(row.id), row as Row]));
  const expected = [...table.scan({ asOf: sf.simulation.clock.now(), includeDeleted: true })];
  const diff: TableDiff = { missing: [], extra: [], mismatches: [], rows: loaded.size, deleted: 0 };
  const ids = new Set(expected.map((row) => String(row.Id)));
  diff.extra = [...loaded.keys()].filter((id) => !ids.has(id));
  const fields = table.fields.filter((field) => field.type !== 'base64');
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
      // Compounds are composed by the API, not stored: checked below against their components.
      if (field.type === 'address' || field.type === 'location') continue;
      const column = field.name.toLowerCase();
      if (!(column in got)) {
        mismatch(field.name, 'a column', 'none');
        continue;
      }
      const want = normalize(field.type, row[field.name]);
      const have = normalize(field.type, got[column]);
      if (want !== have) mismatch(field.name, want, have);
    }
    for (const compound of new Set(fields.map((field) => field.compoundFieldName).filter((name): name is string => Boolean(name)))) {
      const parsed = got[compound.toLowerCase()] === null ? null : (JSON.parse(String(got[compound.toLowerCase()])) as Row);
      for (const component of fields.filter((field) => field.compoundFieldName === compound)) {
        const part = componentKey(compound, component.name);
        const want = normalize(component.type, row[component.name]);
        const have = normalize(component.type, parsed?.[part]);
        if (want !== have && !(parsed === null && want === null)) mismatch(`${compound}.${part}`, want, have);
      }
    }
    const deleted = row.IsDeleted === true;
    if (deleted) diff.deleted += 1;
    if ((got._sdc_deleted_at !== null) !== deleted) mismatch('_sdc_deleted_at', deleted ? 'set' : null, got._sdc_deleted_at);
  }
  return diff;
}

/** `BillingStreet` of `BillingAddress` → `street`; `HQ_Location__Latitude__s` of `HQ_Location__c` → `latitude`. */
function componentKey(compound: string, component: string): string {
  const prefix = compound.endsWith('__c') ? compound.slice(0, -3) + '__' : compound.replace(/Address$/, '');
  const part = component.slice(prefix.length).replace(/__s$/, '');
  return part.charAt(0).toLowerCase() + part.slice(1);
}
