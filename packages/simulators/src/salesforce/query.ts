/**
 * `/query`, `/queryAll` and their `nextRecordsUrl` follow-ups. A cursor keeps
 * the compiled query, the snapshot time and one resume position per page
 * served, never the rows; locators are `<cursorId>-<offset>` and can be
 * fetched again until the cursor has been idle for `locatorIdleMs`.
 */
import type { ScannedRow } from '../dataset/types.js';
import type { Catalog } from './catalog.js';
import { QUERY_TIMEOUT_MESSAGE, SalesforceError } from './errors.js';
import { countResult, newEnv, positionAfter, readPage, resultRows, windowDays, type Position, type RunOptions } from './engine.js';
import { IdFactory, restValue } from './format.js';
import { fieldValue, parentRow, planQuery, type ChildColumn, type Env, type QueryPlan } from './plan.js';
import type { SalesforceScenario } from './scenario.js';

interface Cursor {
  id: string;
  plan: QueryPlan;
  run: RunOptions;
  total: number;
  batchSize: number;
  positions: Map<number, Position>;
  lastUsed: number;
  /** Top-level cursor whose last page has not been served yet (counts against maxOpenCursors). */
  open: boolean;
  child: boolean;
}

export interface QueryDeps {
  catalog: Catalog;
  scenario: SalesforceScenario;
  ids: IdFactory;
  now(): number;
  historyStart: number;
}

type Json = Record<string, unknown>;

const MAX_CURSORS = 10_000;

export class QueryService {
  readonly #cursors = new Map<string, Cursor>();

  constructor(readonly deps: QueryDeps) {}

  /** Open cursors (for tests and the README's description of cursor limits). */
  openCursors(): number {
    let open = 0;
    for (const cursor of this.#cursors.values()) if (cursor.open) open += 1;
    return open;
  }

  query(version: string, soql: string, all: boolean, queryOptions: string | undefined): Json {
    const { catalog, scenario } = this.deps;
    if (!soql) throw new SalesforceError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const plan = planQuery(catalog, soql);
    const asOf = this.deps.now();
    checkTimeout(plan, scenario, this.deps.historyStart, asOf);
    const run: RunOptions = { catalog, asOf, includeDeleted: all, inMemorySortLimit: scenario.inMemorySortLimit };
    const total = countResult(plan, run, newEnv(run));
    if (plan.count) return { totalSize: total, done: true, records: [] };
    const cursor: Cursor = { id: this.deps.ids.next('01g'), plan, run, total, batchSize: batchSize(plan, queryOptions, scenario), positions: new Map(), lastUsed: Date.now(), open: true, child: false };
    return this.#page(cursor, version, { offset: 0 });
  }

  more(version: string, locator: string): Json {
    const match = /^([A-Za-z0-9]{15,18})-(\d+)$/.exec(locator);
    const cursor = match ? this.#cursors.get(match[1] as string) : undefined;
    if (!match || !cursor || Date.now() - cursor.lastUsed > this.deps.scenario.locatorIdleMs) {
      if (cursor) this.#cursors.delete(cursor.id);
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    const offset = Number(match[2]);
    return this.#page(cursor, version, cursor.positions.get(offset) ?? { offset });
  }

  #page(cursor: Cursor, version: string, start: Position): Json {
    const env = newEnv(cursor.run);
    const { rows, next } = readPage(cursor.plan, cursor.run, env, start, cursor.batchSize);
    const done = rows.length === 0 || next.offset >= cursor.total;
    const children = this.#children(cursor.plan, rows, env, version, cursor.run.includeDeleted);
    const records = rows.map((row) => renderRecord(cursor.plan, row, env, version, children));
    cursor.lastUsed = Date.now();
    if (done) {
      cursor.open = false;
    } else {
      cursor.positions.set(next.offset, next);
      this.#register(cursor);
    }
    return {
      totalSize: cursor.total,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${cursor.id}-${next.offset}` }),
      records,
    };
  }

  #register(cursor: Cursor): void {
    if (this.#cursors.has(cursor.id)) return;
    const now = Date.now();
    for (const [id, other] of this.#cursors) {
      if (now - other.lastUsed > this.deps.scenario.locatorIdleMs) this.#cursors.delete(id);
    }
    this.#cursors.set(cursor.id, cursor);
    if (!cursor.child) {
      // a user holds a limited number of open cursors; opening another releases the oldest
      let open = this.openCursors();
      for (const [id, other] of this.#cursors) {
        if (open <= this.deps.scenario.maxOpenCursors) break;
        if (other.open && other !== cursor) {
          this.#cursors.delete(id);
          open -= 1;
        }
      }
    }
    while (this.#cursors.size > MAX_CURSORS) {
      const oldest = this.#cursors.keys().next().value as string;
      this.#cursors.delete(oldest);
    }
  }

  /** Child sub-query results for the parents of one page, from one pass over the child table. */
  #children(plan: QueryPlan, parents: ScannedRow[], env: Env, version: string, includeDeleted: boolean): Map<ChildColumn, Map<string, Json | null>> {
    const out = new Map<ChildColumn, Map<string, Json | null>>();
    const key = plan.table.key;
    const { scenario, catalog } = this.deps;
    for (const column of plan.columns) {
      if (column.kind !== 'child' || parents.length === 0) continue;
      const fk = column.rel.field.name;
      const childPlan = column.plan;
      const ids = new Set(parents.map((row) => row[key]));
      const batch = scenario.childBatchSize;
      const groups = new Map<unknown, { rows: ScannedRow[]; count: number; last: Position | undefined }>();
      const run: RunOptions = { catalog, asOf: env.asOf, includeDeleted, inMemorySortLimit: scenario.inMemorySortLimit, filter: (row) => ids.has(row[fk]) };
      for (const row of resultRows(childPlan, run, env)) {
        const parentId = row[fk];
        let group = groups.get(parentId);
        if (!group) groups.set(parentId, (group = { rows: [], count: 0, last: undefined }));
        if (childPlan.limit !== undefined && group.count >= childPlan.limit) continue;
        group.count += 1;
        if (group.rows.length < batch) {
          group.rows.push(row);
          if (group.rows.length === batch) group.last = positionAfter(childPlan, row, batch);
        }
      }
      const results = new Map<string, Json | null>();
      for (const [parentId, group] of groups) {
        const done = group.count <= batch;
        const result: Json = { totalSize: group.count, done };
        if (!done) {
          const childRun: RunOptions = { ...run, filter: (row) => row[fk] === parentId };
          const cursor: Cursor = { id: this.deps.ids.next('01g'), plan: childPlan, run: childRun, total: group.count, batchSize: batch, positions: new Map(), lastUsed: Date.now(), open: false, child: true };
          if (group.last) cursor.positions.set(batch, group.last);
          this.#register(cursor);
          result.nextRecordsUrl = `/services/data/v${version}/query/${cursor.id}-${batch}`;
        }
        result.records = group.rows.map((row) => renderRecord(childPlan, row, env, version, new Map()));
        results.set(String(parentId), result);
      }
      out.set(column, results);
    }
    return out;
  }
}

export function checkTimeout(plan: QueryPlan, scenario: SalesforceScenario, historyStart: number, asOf: number): void {
  if (scenario.queryTimeoutDays === undefined) return;
  if (windowDays(plan, historyStart, asOf) > scenario.queryTimeoutDays) throw new SalesforceError(400, 'QUERY_TIMEOUT', QUERY_TIMEOUT_MESSAGE);
}

function batchSize(plan: QueryPlan, header: string | undefined, scenario: SalesforceScenario): number {
  const requested = header ? Number(/batchSize\s*=\s*(\d+)/i.exec(header)?.[1] ?? 2000) : 2000;
  let size = Math.min(2000, Math.max(200, requested), scenario.maxQueryBatchSize);
  const longText = plan.columns.filter((column) => column.kind === 'field' && column.field.type === 'textarea' && (column.field.length ?? 255) > 255 && column.field.custom);
  if (longText.length >= 2) size = Math.min(size, 200);
  return Math.max(1, size);
}

function attributes(type: string, id: unknown, version: string): Json {
  return { type, url: `/services/data/v${version}/sobjects/${type}/${String(id)}` };
}

/** One record as the REST API nests it: attributes first, parents as nested objects, children as query results. */
export function renderRecord(plan: QueryPlan, row: ScannedRow, env: Env, version: string, children: Map<ChildColumn, Map<string, Json | null>>): Json {
  const id = row[plan.table.key];
  const out: Json = { attributes: attributes(plan.object.name, id, version) };
  for (const column of plan.columns) {
    if (column.kind === 'child') {
      out[column.rel.name] = children.get(column)?.get(String(id)) ?? null;
      continue;
    }
    let target = out;
    let object = plan.object;
    let current = row;
    let reached = true;
    for (const step of column.steps) {
      const existing = target[step.name];
      const parent = existing === null ? null : parentRow(env, step, current);
      if (!parent) {
        target[step.name] = null;
        reached = false;
        break;
      }
      if (existing === undefined) target[step.name] = { attributes: attributes(parent.object.name, parent.row[parent.object.table?.key ?? 'Id'], version) };
      target = target[step.name] as Json;
      object = parent.object;
      current = parent.row;
    }
    if (!reached) continue;
    const field = column.steps.length === 0 ? column.field : (object.field(column.field.name) ?? column.field);
    target[field.name] = restValue(field, fieldValue(object, current, field), version, object.name, current[object.table?.key ?? 'Id']);
  }
  return out;
}
