/**
 * What both Bulk APIs share: which queries they refuse, and the result CSV
 * (every field quoted, `""` doubling, embedded newlines and NUL bytes kept,
 * null indistinguishable from empty, `Z` datetimes, dotted parent headers).
 */
import type { ScannedRow } from '../dataset/types.js';
import { csvLine } from '../core/csv.js';
import type { Catalog } from './catalog.js';
import { SalesforceError } from './errors.js';
import { newEnv, positionAfter, resultRows, type Position, type RunOptions } from './engine.js';
import { csvValue } from './format.js';
import { columnValue, planQuery, type FieldColumn, type QueryPlan } from './plan.js';
import type { SalesforceScenario } from './scenario.js';
import { parseSoql } from './soql.js';

export type BulkRejection = 'entity' | 'compound' | 'binary' | 'nested' | 'aggregate';

export interface BulkProblem {
  kind: BulkRejection;
  message: string;
}

export const DELIMITERS: Record<string, string> = { BACKQUOTE: '`', CARET: '^', COMMA: ',', PIPE: '|', SEMICOLON: ';', TAB: '\t' };
export const LINE_ENDINGS: Record<string, string> = { LF: '\n', CRLF: '\r\n' };

export function entityProblem(catalog: Catalog, scenario: SalesforceScenario, name: string): BulkProblem | undefined {
  const object = catalog.get(name);
  if (object && (!object.bulk || scenario.bulkUnsupportedObjects.some((other) => other.toLowerCase() === object.name.toLowerCase()))) {
    return { kind: 'entity', message: `Entity '${object.name}' is not supported by the Bulk API.` };
  }
  return undefined;
}

/** Compiles a Bulk query; SOQL errors throw, Bulk-only refusals come back as a problem. */
export function bulkPlan(catalog: Catalog, scenario: SalesforceScenario, soql: string): QueryPlan | BulkProblem {
  const parsed = parseSoql(soql);
  const entity = entityProblem(catalog, scenario, parsed.from.name);
  if (entity) return entity;
  const plan = planQuery(catalog, soql);
  if (plan.count) return { kind: 'aggregate', message: 'Aggregate Relationships not supported in Bulk Query' };
  for (const column of plan.columns) {
    if (column.kind === 'child') return { kind: 'nested', message: 'Nested queries are not supported in Bulk Query' };
    if (column.field.type === 'address' || column.field.type === 'location') return { kind: 'compound', message: 'Selecting compound data not supported in Bulk Query' };
    if (column.field.type === 'base64') return { kind: 'binary', message: 'Binary field not supported' };
  }
  return plan;
}

export function isProblem(value: QueryPlan | BulkProblem): value is BulkProblem {
  return 'kind' in value && !('table' in value);
}

/** Bulk 2.0 answers a refused query at job creation with a 400 error array. */
export function bulk2Error(problem: BulkProblem): SalesforceError {
  return new SalesforceError(400, problem.kind === 'entity' ? 'INVALIDENTITY' : 'API_ERROR', problem.message);
}

export interface CsvFormat {
  delimiter: string;
  lineEnding: string;
  nullQuoted: boolean;
  intAsDecimal: boolean;
}

export function csvHeader(plan: QueryPlan, format: CsvFormat): string {
  const headers = plan.columns.map((column) => (column as FieldColumn).header);
  return csvLine(headers, { delimiter: format.delimiter, lineEnding: format.lineEnding, quoteAll: true });
}

/**
 * Lines of one results page (or file): the header, then up to `count` rows
 * from `start`. Calls `onEnd` with the position after the last row so the
 * next page can seek instead of skipping.
 */
export function* csvPage(plan: QueryPlan, run: RunOptions, start: Position, count: number, format: CsvFormat, onEnd: (position: Position) => void): Generator<string> {
  yield csvHeader(plan, format);
  if (count <= 0) return;
  const options = { delimiter: format.delimiter, lineEnding: format.lineEnding, quoteAll: true, nullText: '', quoteNull: format.nullQuoted };
  let env = newEnv(run);
  let written = 0;
  let last: ScannedRow | undefined;
  for (const row of resultRows(plan, run, env, start)) {
    // parent rows are cached per page; drop the cache now and then so a huge page stays small in memory
    if (written % 1000 === 999) env = newEnv(run);
    const values = plan.columns.map((column) => csvValue((column as FieldColumn).field, columnValue(env, plan.object, row, column as FieldColumn), format));
    yield csvLine(values, options);
    last = row;
    written += 1;
    if (written >= count) break;
  }
  if (last) onEnd(positionAfter(plan, last, start.offset + written));
}
