import type { Company, FieldDef, Millis, Row, Table } from '../dataset/types.js';
import { parseDateTime } from './time.js';
import type { Condition, FieldRef, Literal, Operator, ZoqlQuery } from './zoql.js';

/**
 * Resolves a parsed ZOQL query against the company's Zuora tables: which
 * columns the CSV has, which replication-key bounds narrow the scan, and the
 * per-row filter for the rest of the where clause. A plan holds no rows.
 */

export interface PlanContext {
  company: Company;
  timeZone: string;
  unavailableObjects: readonly string[];
  /** Fields hidden by a low `X-Zuora-WSDL-Version`. */
  hidden(object: string, field: string): boolean;
}

/** Resolves related-object fields other than `Id` with `Table.get`, caching the last few rows. */
export class Lookup {
  readonly #cache = new Map<string, Row | undefined>();
  constructor(readonly asOf: Millis) {}

  get(table: Table, key: string): Row | undefined {
    const cacheKey = `${table.name}\u0000${key}`;
    if (this.#cache.has(cacheKey)) return this.#cache.get(cacheKey);
    const row = table.get(key, { asOf: this.asOf });
    if (this.#cache.size >= 1_000) this.#cache.clear();
    this.#cache.set(cacheKey, row);
    return row;
  }
}

export interface Column {
  /** `Object.Field` header. */
  header: string;
  /** The field as written in the query (header with `useQueryLabels`). */
  label: string;
  /** Zuora describe type, which decides the CSV format. */
  type: string;
  value(row: Row, lookup: Lookup): unknown;
}

export interface QueryPlan {
  table: Table;
  query: ZoqlQuery;
  columns: Column[];
  /** Bounds on the replication key taken from the where clause (from inclusive, to exclusive). */
  from: Millis | undefined;
  to: Millis | undefined;
  order: 'replicationKey' | 'key';
  limit: number | undefined;
  filter: ((row: Row, lookup: Lookup) => boolean) | undefined;
}

export type PlanError = { reason: 'noSuchObject' | 'invalidField' | 'invalidQuery'; message: string };
export type PlanResult = { ok: true; plan: QueryPlan } | ({ ok: false } & PlanError);

export function exportable(field: FieldDef): boolean {
  return (field.contexts ?? ['export', 'soap']).includes('export');
}

/**
 * Relationship name of a lookup field, as Zuora spells joined objects: its
 * `relationshipName`, else the name without `Id`, completed with the target
 * object when it does not already end with it (AccountId → Account,
 * BillToId → BillToContact, ParentId → ParentAccount, CreatorAccountId → CreatorAccount).
 */
export function relationshipName(field: FieldDef): string | undefined {
  const target = field.referenceTo?.[0];
  if (!target) return undefined;
  if (field.relationshipName) return field.relationshipName;
  if (!field.name.endsWith('Id') || field.name.length <= 2) return target;
  const base = field.name.slice(0, -2);
  return base.endsWith(target) ? base : `${base}${target}`;
}

export interface Relationship {
  name: string;
  field: FieldDef;
  target: string;
}

export function relationships(table: Table): Relationship[] {
  const seen = new Set<string>();
  const out: Relationship[] = [];
  for (const field of table.fields) {
    const name = relationshipName(field);
    const target = field.referenceTo?.[0];
    if (!name || !target || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, field, target });
  }
  return out;
}

export function visibleFields(table: Table, ctx: Pick<PlanContext, 'hidden'>): FieldDef[] {
  return table.fields.filter((field) => !ctx.hidden(table.name, field.name));
}

function fail(reason: PlanError['reason'], message: string): PlanResult {
  return { ok: false, reason, message };
}

export function planQuery(query: ZoqlQuery, ctx: PlanContext): PlanResult {
  const table = ctx.company.table('zuora', query.object);
  if (!table || ctx.unavailableObjects.includes(query.object)) {
    return fail('noSuchObject', `noSuchDataSource: the data source '${query.object}' does not exist or is not available for export`);
  }
  const own = new Map(visibleFields(table, ctx).filter(exportable).map((field) => [field.name, field]));
  const rels = new Map(relationships(table).map((rel) => [rel.name, rel]));

  type Resolved = { column: Column } | { error: string };
  const resolve = (ref: FieldRef): Resolved => {
    const related = ref.related !== undefined && !(ref.related === table.name && !rels.has(ref.related)) ? ref.related : undefined;
    if (related === undefined) {
      const field = own.get(ref.field);
      if (!field) return { error: `invalid field for query: ${table.name}.${ref.field}` };
      const name = field.name;
      return { column: { header: `${table.name}.${name}`, label: ref.label, type: field.type, value: (row) => row[name] } };
    }
    const rel = rels.get(related);
    if (!rel) return { error: `invalid field for query: ${related}.${ref.field} (no related object '${related}' on ${table.name})` };
    const fk = rel.field.name;
    if (ref.field === 'Id') {
      return { column: { header: `${related}.Id`, label: ref.label, type: 'text', value: (row) => row[fk] } };
    }
    const target = ctx.company.table('zuora', rel.target);
    const targetField = target?.fields.find((field) => field.name === ref.field && exportable(field) && !ctx.hidden(rel.target, field.name));
    if (!target || !targetField) return { error: `invalid field for query: ${related}.${ref.field}` };
    const name = targetField.name;
    return {
      column: {
        header: `${related}.${name}`,
        label: ref.label,
        type: targetField.type,
        value: (row, lookup) => {
          const key = row[fk];
          return typeof key === 'string' ? (lookup.get(target, key)?.[name] ?? null) : null;
        },
      },
    };
  };

  const columns: Column[] = [];
  if (query.star) {
    for (const field of own.values()) {
      const name = field.name;
      columns.push({ header: `${table.name}.${name}`, label: name, type: field.type, value: (row) => row[name] });
    }
  } else {
    for (const ref of query.fields) {
      const resolved = resolve(ref);
      if ('error' in resolved) return fail('invalidField', resolved.error);
      columns.push(resolved.column);
    }
  }

  let from: Millis | undefined;
  let to: Millis | undefined;
  let filter: QueryPlan['filter'];
  if (query.where) {
    const compiled = compile(query.where, resolve, ctx.timeZone);
    if ('error' in compiled) return fail(compiled.reason, compiled.error);
    filter = compiled.test;
    if (table.replicationKey) ({ from, to } = bounds(query.where, table, ctx.timeZone));
  }

  let order: QueryPlan['order'] = 'replicationKey';
  const orderNames = query.orderBy.map((item) => (item.descending ? '-' : '') + (item.field.related === undefined || item.field.related === table.name ? item.field.field : item.field.label));
  const byKey = orderNames.length === 1 && orderNames[0] === table.key;
  const byReplicationKey =
    table.replicationKey !== null &&
    orderNames.length >= 1 &&
    orderNames[0] === table.replicationKey &&
    (orderNames.length === 1 || (orderNames.length === 2 && orderNames[1] === table.key));
  if (byKey) order = 'key';
  else if (orderNames.length > 0 && !byReplicationKey) {
    // Real ZOQL sorts by any field; the simulator streams in scan order only.
    return fail('invalidQuery', `order by ${orderNames.join(', ')} is not supported (simulator streams by ${table.replicationKey ?? table.key} or ${table.key} ascending)`);
  }
  return { ok: true, plan: { table, query, columns, from, to, order, limit: query.limit, filter } };
}

type Compiled = { test: (row: Row, lookup: Lookup) => boolean } | { error: string; reason: PlanError['reason'] };

function compile(cond: Condition, resolve: (ref: FieldRef) => { column: Column } | { error: string }, timeZone: string): Compiled {
  if (cond.kind !== 'compare') {
    const left = compile(cond.left, resolve, timeZone);
    if ('error' in left) return left;
    const right = compile(cond.right, resolve, timeZone);
    if ('error' in right) return right;
    return cond.kind === 'and'
      ? { test: (row, lookup) => left.test(row, lookup) && right.test(row, lookup) }
      : { test: (row, lookup) => left.test(row, lookup) || right.test(row, lookup) };
  }
  const resolved = resolve(cond.field);
  if ('error' in resolved) return { error: resolved.error, reason: 'invalidField' };
  const { column } = resolved;
  const { op } = cond;
  if (cond.value === null) {
    if (op !== '=' && op !== '!=') return { error: `${cond.field.label}: null only compares with = or !=`, reason: 'invalidQuery' };
    return { test: (row, lookup) => (column.value(row, lookup) == null) === (op === '=') };
  }
  const literal = coerce(cond.value, column.type, timeZone);
  if (literal === undefined) return { error: `invalid value for ${cond.field.label}: '${String(cond.value)}'`, reason: 'invalidQuery' };
  return {
    test: (row, lookup) => {
      const raw = column.value(row, lookup);
      if (raw == null) return op === '!=';
      const value = column.type === 'date' && typeof raw === 'string' ? raw.slice(0, 10) : raw;
      return compare(value as string | number | boolean, op, literal);
    },
  };
}

function coerce(value: Exclude<Literal, null>, type: string, timeZone: string): string | number | boolean | undefined {
  switch (type) {
    case 'datetime':
    case 'timestamp':
      return typeof value === 'number' ? value : typeof value === 'string' ? parseDateTime(value, timeZone) : undefined;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined;
    case 'integer':
    case 'decimal': {
      const n = Number(value);
      return typeof value === 'boolean' || Number.isNaN(n) ? undefined : n;
    }
    case 'boolean':
      return value === true || value === 'true' ? true : value === false || value === 'false' ? false : undefined;
    default:
      return String(value);
  }
}

function compare(value: string | number | boolean, op: Operator, literal: string | number | boolean): boolean {
  const a = typeof literal === 'string' ? String(value) : value;
  switch (op) {
    case '=':
      return a === literal;
    case '!=':
      return a !== literal;
    case '<':
      return a < literal;
    case '<=':
      return a <= literal;
    case '>':
      return a > literal;
    case '>=':
      return a >= literal;
  }
}

/** Replication-key bounds from the top-level `and` chain, so the scan skips what the filter would drop. */
function bounds(cond: Condition, table: Table, timeZone: string): { from: Millis | undefined; to: Millis | undefined } {
  let from: Millis | undefined;
  let to: Millis | undefined;
  const visit = (c: Condition): void => {
    if (c.kind === 'and') {
      visit(c.left);
      visit(c.right);
      return;
    }
    if (c.kind !== 'compare' || c.value === null) return;
    if (!(c.field.related === undefined || c.field.related === table.name) || c.field.field !== table.replicationKey) return;
    const v = typeof c.value === 'number' ? c.value : typeof c.value === 'string' ? parseDateTime(c.value, timeZone) : undefined;
    if (v === undefined) return;
    const lower = (x: Millis): void => {
      from = from === undefined ? x : Math.max(from, x);
    };
    const upper = (x: Millis): void => {
      to = to === undefined ? x : Math.min(to, x);
    };
    if (c.op === '>=') lower(v);
    else if (c.op === '>') lower(v + 1);
    else if (c.op === '<') upper(v);
    else if (c.op === '<=') upper(v + 1);
    else if (c.op === '=') {
      lower(v);
      upper(v + 1);
    }
  };
  visit(cond);
  return { from, to };
}
