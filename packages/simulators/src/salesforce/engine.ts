/**
 * Runs a compiled query against a table without holding its result: a page is
 * regenerated from a resume position (the last replication key and id served,
 * or an offset) by seeking the lazy table scan, so a cursor costs a few bytes
 * whatever the size of the result.
 */
import type { ScanOptions, ScannedRow } from '../dataset/types.js';
import type { Catalog } from './catalog.js';
import { QUERY_TIMEOUT_MESSAGE, SalesforceError } from './errors.js';
import { isDeletedRow, type Env, type Predicate, type QueryPlan } from './plan.js';

/** Where a page starts: `offset` rows of the result precede it; rk/key identify the last of them when known. */
export interface Position {
  offset: number;
  rk?: number;
  key?: string | number;
}

export interface RunOptions {
  catalog: Catalog;
  asOf: number;
  /** queryAll / Bulk `queryAll`. */
  includeDeleted: boolean;
  /** Ceiling for ORDER BY clauses that cannot be served by a seekable scan. */
  inMemorySortLimit: number;
  /** Extra row filter (child sub-queries: the parent lookup). */
  filter?: Predicate;
  /** Key-ordered runs stop after this key (Bulk 1.0 PK-chunk upper bound, inclusive). */
  lastKey?: string | number;
}

export function newEnv(options: Pick<RunOptions, 'catalog' | 'asOf'>): Env {
  return { catalog: options.catalog, asOf: options.asOf, cache: new Map() };
}

function scanOptions(plan: QueryPlan, run: RunOptions, start?: Position): ScanOptions {
  const options: ScanOptions = { asOf: run.asOf, includeDeleted: run.includeDeleted && !plan.excludeDeleted };
  if (plan.from !== undefined) options.from = plan.from;
  if (plan.to !== undefined) options.to = plan.to;
  if (plan.order === 'key') {
    options.order = 'key';
    const afterKey = start?.key ?? plan.afterKey;
    if (afterKey !== undefined) options.afterKey = afterKey;
  } else if (plan.order === 'replicationKey' && start?.rk !== undefined) {
    options.from = Math.max(options.from ?? -Infinity, start.rk);
    // seeks inside a tie of thousands of rows instead of re-reading it on every page
    if (start.key !== undefined) options.after = { replicationKey: start.rk, key: start.key };
  }
  return options;
}

function accepts(plan: QueryPlan, run: RunOptions, row: ScannedRow, env: Env): boolean {
  if (!run.includeDeleted && isDeletedRow(row)) return false;
  if (run.filter && !run.filter(row, env)) return false;
  return plan.predicate ? plan.predicate(row, env) : true;
}

/** Rows of the result after `start`, in result order (OFFSET applied, LIMIT not). */
export function* resultRows(plan: QueryPlan, run: RunOptions, env: Env, start: Position = { offset: 0 }): Generator<ScannedRow> {
  if (plan.order === 'memory') {
    const compare = (a: ScannedRow, b: ScannedRow): number => (plan.compare as NonNullable<QueryPlan['compare']>)(a, b, env);
    // with a small LIMIT only the top rows are kept (ORDER BY SystemModstamp DESC LIMIT 1 is a common probe)
    const keep = plan.limit !== undefined && plan.offset + plan.limit <= run.inMemorySortLimit ? plan.offset + plan.limit : undefined;
    let rows: ScannedRow[] = [];
    for (const row of plan.table.scan(scanOptions(plan, run))) {
      if (!accepts(plan, run, row, env)) continue;
      rows.push(row);
      if (keep !== undefined) {
        if (rows.length >= 2 * keep + 64) rows = rows.sort(compare).slice(0, keep);
      } else if (rows.length > run.inMemorySortLimit) {
        // the real service would sort anything; this simulator refuses to buffer large results
        throw new SalesforceError(400, 'QUERY_TIMEOUT', QUERY_TIMEOUT_MESSAGE);
      }
    }
    rows.sort(compare);
    yield* rows.slice(plan.offset + start.offset, keep);
    return;
  }
  const seek = start.rk !== undefined || start.key !== undefined;
  let skip = seek ? 0 : plan.offset + start.offset;
  const { key, replicationKey } = plan.table;
  for (const row of plan.table.scan(scanOptions(plan, run, seek ? start : undefined))) {
    if (run.lastKey !== undefined && plan.order === 'key' && compareKeys(row[key], run.lastKey) > 0) return;
    if (seek && plan.order === 'replicationKey' && start.rk !== undefined && replicationKey) {
      const rk = row[replicationKey];
      if (rk === start.rk && start.key !== undefined && compareKeys(row[key], start.key) <= 0) continue;
    }
    if (!accepts(plan, run, row, env)) continue;
    if (skip > 0) {
      skip -= 1;
      continue;
    }
    yield row;
  }
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The position right after `row`, which was the `offset`-th row served. */
export function positionAfter(plan: QueryPlan, row: ScannedRow, offset: number): Position {
  if (plan.order === 'memory') return { offset };
  const position: Position = { offset, key: row[plan.table.key] as string | number };
  const rk = plan.table.replicationKey ? row[plan.table.replicationKey] : undefined;
  if (typeof rk === 'number') position.rk = rk;
  return position;
}

/** Number of rows the query returns (LIMIT and OFFSET applied). */
export function countResult(plan: QueryPlan, run: RunOptions, env: Env): number {
  let total: number;
  if (!plan.predicate && !run.filter && run.lastKey === undefined && plan.order !== 'memory') {
    total = Math.max(0, plan.table.count(scanOptions(plan, run)) - plan.offset);
  } else {
    total = 0;
    for (const row of resultRows(plan, run, env)) {
      void row;
      total += 1;
      if (plan.limit !== undefined && total >= plan.limit) break;
    }
  }
  return plan.limit === undefined ? total : Math.min(total, plan.limit);
}

export interface Page {
  rows: ScannedRow[];
  next: Position;
}

/** Up to `max` rows from `start`, never past LIMIT. */
export function readPage(plan: QueryPlan, run: RunOptions, env: Env, start: Position, max: number): Page {
  const room = plan.limit === undefined ? max : Math.min(max, plan.limit - start.offset);
  const rows: ScannedRow[] = [];
  let next = start;
  if (room <= 0) return { rows, next };
  for (const row of resultRows(plan, run, env, start)) {
    rows.push(row);
    if (rows.length >= room) break;
  }
  const last = rows[rows.length - 1];
  if (last) next = positionAfter(plan, last, start.offset + rows.length);
  return { rows, next };
}

/** Width in days of the WHERE window on the replication key (unbounded sides reach the company's history). */
export function windowDays(plan: QueryPlan, start: number, asOf: number): number {
  const from = plan.from ?? start;
  const to = plan.to ?? asOf;
  return (to - from) / 86_400_000;
}

