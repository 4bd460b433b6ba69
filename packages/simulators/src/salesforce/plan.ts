/**
 * Compiles a parsed SOQL query against the catalog: resolves field paths,
 * type-checks filter values the way Salesforce does, and turns the WHERE
 * clause into scan bounds on the replication key (so a page starts where the
 * table scan can seek to) plus a residual predicate.
 */
import { DELETED, type FieldDef, type ScannedRow, type Table } from '../dataset/types.js';
import type { Catalog, ChildRel, ParentRel, SObject } from './catalog.js';
import { SalesforceError } from './errors.js';
import { parseSoql, soqlError, type Expr, type FieldRef, type Literal, type SoqlQuery } from './soql.js';

export interface FieldColumn {
  kind: 'field';
  steps: ParentRel[];
  field: FieldDef;
  /** Dotted header as Bulk CSV spells it (`Account.Name`). */
  header: string;
}

export interface ChildColumn {
  kind: 'child';
  rel: ChildRel;
  plan: QueryPlan;
}

export type Column = FieldColumn | ChildColumn;

export interface Env {
  catalog: Catalog;
  asOf: number;
  /** Parent rows fetched for this page, by id (null: none). */
  cache: Map<string, ScannedRow | null>;
}

export type Predicate = (row: ScannedRow, env: Env) => boolean;

export interface QueryPlan {
  soql: string;
  object: SObject;
  table: Table;
  columns: Column[];
  count: boolean;
  predicate: Predicate | undefined;
  /** Inclusive lower / exclusive upper bound on the replication key taken from top-level AND conjuncts. */
  from: number | undefined;
  to: number | undefined;
  afterKey: string | number | undefined;
  /** `IsDeleted = false` at the top level: queryAll scans without deleted rows. */
  excludeDeleted: boolean;
  order: 'replicationKey' | 'key' | 'memory';
  compare: ((a: ScannedRow, b: ScannedRow, env: Env) => number) | undefined;
  limit: number | undefined;
  offset: number;
}

const NUMERIC = new Set(['int', 'long', 'double', 'currency', 'percent']);
const UNFILTERABLE = new Set(['base64', 'address', 'location', 'complexvalue', 'json']);
const ADDRESS_KEYS = ['GeocodeAccuracy', 'PostalCode', 'StateCode', 'CountryCode', 'Street', 'City', 'State', 'Country', 'Latitude', 'Longitude'];
const ADDRESS_DEFAULT = ['city', 'country', 'geocodeAccuracy', 'latitude', 'longitude', 'postalCode', 'state', 'street'];

export function isDeletedRow(row: ScannedRow): boolean {
  return row.IsDeleted === true || row[DELETED] === true;
}

const COMPONENTS = new WeakMap<FieldDef, { components: Array<{ key: string; field: FieldDef }>; keys: string[] }>();

function compound(object: SObject, field: FieldDef): { components: Array<{ key: string; field: FieldDef }>; keys: string[] } {
  let cached = COMPONENTS.get(field);
  if (!cached) {
    const components: Array<{ key: string; field: FieldDef }> = [];
    for (const other of object.fields) {
      if (other.compoundFieldName !== field.name) continue;
      const base = other.name.replace(/__s$/, '');
      const suffix = ADDRESS_KEYS.find((key) => base.toLowerCase().endsWith(key.toLowerCase()));
      if (suffix) components.push({ key: suffix[0]?.toLowerCase() + suffix.slice(1), field: other });
    }
    const keys = new Set(field.type === 'address' ? ADDRESS_DEFAULT : ['latitude', 'longitude']);
    for (const { key } of components) keys.add(key);
    cached = { components, keys: [...keys].sort() };
    COMPONENTS.set(field, cached);
  }
  return cached;
}

/** Components of a compound field keyed as the REST API nests them (`street`, `postalCode`, `latitude`). */
export function compoundComponents(object: SObject, field: FieldDef): Array<{ key: string; field: FieldDef }> {
  return compound(object, field).components;
}

/** Keys of the nested object, alphabetical as the REST API writes them. */
export function compoundKeys(object: SObject, field: FieldDef): string[] {
  return compound(object, field).keys;
}

/** Row → parent row through a lookup, cached per page. */
export function parentRow(env: Env, rel: ParentRel, row: ScannedRow): { object: SObject; row: ScannedRow } | null {
  const id = row[rel.field.name];
  if (typeof id !== 'string' || id === '') return null;
  const object = env.catalog.objectForId(id, rel.targets);
  if (!object?.table) return null;
  let parent = env.cache.get(id);
  if (parent === undefined) {
    parent = object.table.get(id, { asOf: env.asOf }) ?? null;
    env.cache.set(id, parent);
  }
  return parent ? { object, row: parent } : null;
}

/** Follows the steps of a column; undefined when a parent on the way is null. */
export function walk(env: Env, object: SObject, row: ScannedRow, steps: readonly ParentRel[]): { object: SObject; row: ScannedRow } | undefined {
  let current = { object, row };
  for (const step of steps) {
    const next = parentRow(env, step, current.row);
    if (!next) return undefined;
    current = next;
  }
  return current;
}

/** Value of a field of the row itself; compound fields come back composed. */
export function fieldValue(object: SObject, row: ScannedRow, field: FieldDef): unknown {
  if (field.type === 'address' || field.type === 'location') {
    const components = compoundComponents(object, field);
    if (components.every(({ field: component }) => row[component.name] == null)) return null;
    const out: Record<string, unknown> = {};
    for (const key of compoundKeys(object, field)) out[key] = null;
    for (const { key, field: component } of components) out[key] = row[component.name] ?? null;
    return out;
  }
  if (field.name === 'IsDeleted') return isDeletedRow(row);
  return row[field.name] ?? null;
}

/** Raw value of a (possibly dotted, possibly compound) field. */
export function columnValue(env: Env, object: SObject, row: ScannedRow, column: FieldColumn): unknown {
  if (column.steps.length === 0) return fieldValue(object, row, column.field);
  const target = walk(env, object, row, column.steps);
  if (!target) return null;
  return fieldValue(target.object, target.row, target.object.field(column.field.name) ?? column.field);
}

const NO_SUCH_COLUMN = (field: string, entity: string): string =>
  `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;

class Compiler {
  constructor(
    readonly catalog: Catalog,
    readonly soql: string,
  ) {}

  object(name: string, token: FieldRef['token']): SObject {
    const object = this.catalog.get(name);
    if (!object) {
      throw soqlError('INVALID_TYPE', this.soql, token, `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    if (!object.flags.queryable || !object.table) {
      throw new SalesforceError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type ${object.name} does not support query`);
    }
    return object;
  }

  field(object: SObject, ref: FieldRef): FieldColumn {
    let path = ref.path;
    if (path.length > 1 && path[0]?.toLowerCase() === object.name.toLowerCase() && !object.parent(path[0])) path = path.slice(1);
    const steps: ParentRel[] = [];
    let current: SObject[] = [object];
    for (const name of path.slice(0, -1)) {
      const rel = current.map((candidate) => candidate.parent(name)).find((found) => found !== undefined);
      if (!rel) {
        throw soqlError('INVALID_FIELD', this.soql, ref.token, `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
      }
      steps.push(rel);
      current = rel.targets.map((target) => this.catalog.get(target)).filter((target): target is SObject => target !== undefined);
    }
    const leaf = path[path.length - 1] as string;
    const field = current.map((candidate) => candidate.field(leaf)).find((found) => found !== undefined);
    if (!field) throw soqlError('INVALID_FIELD', this.soql, ref.token, NO_SUCH_COLUMN(leaf, steps.length ? (steps[steps.length - 1]?.targets[0] ?? object.name) : object.name));
    return { kind: 'field', steps, field, header: [...steps.map((step) => step.name), field.name].join('.') };
  }

  compile(query: SoqlQuery, object: SObject, child: boolean): QueryPlan {
    const table = object.table as Table;
    const columns: Column[] = [];
    const seen = new Set<string>();
    let count = false;
    for (const item of query.select) {
      if (item.kind === 'count') {
        if (query.select.length > 1) throw soqlError('MALFORMED_QUERY', this.soql, item.token, 'COUNT() cannot be used with other fields in the SELECT list');
        count = true;
      } else if (item.kind === 'subquery') {
        const rel = object.child(item.query.from.name);
        if (!rel) {
          throw soqlError('INVALID_TYPE', this.soql, item.query.from.token, `Didn't understand relationship '${item.query.from.name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
        }
        columns.push({ kind: 'child', rel, plan: this.compile(item.query, rel.child, true) });
      } else {
        const column = this.field(object, item.ref);
        if (seen.has(column.header.toLowerCase())) throw soqlError('MALFORMED_QUERY', this.soql, item.ref.token, `duplicate field selected: ${column.header}`);
        seen.add(column.header.toLowerCase());
        columns.push(column);
      }
    }
    if (query.offset !== undefined && query.offset > 2000) throw new SalesforceError(400, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');

    const plan: QueryPlan = {
      soql: this.soql,
      object,
      table,
      columns,
      count,
      predicate: undefined,
      from: undefined,
      to: undefined,
      afterKey: undefined,
      excludeDeleted: false,
      order: table.replicationKey ? 'replicationKey' : 'key',
      compare: undefined,
      limit: query.limit,
      offset: query.offset ?? 0,
    };
    this.order(query, object, plan);
    if (query.where) {
      const conjuncts = query.where.kind === 'and' ? query.where.items : [query.where];
      const residual: Predicate[] = [];
      for (const conjunct of conjuncts) {
        const predicate = this.expr(conjunct, object);
        if (!child && this.bound(conjunct, plan)) continue;
        residual.push(predicate);
      }
      if (residual.length === 1) plan.predicate = residual[0];
      else if (residual.length > 1) plan.predicate = (row, env) => residual.every((predicate) => predicate(row, env));
    }
    return plan;
  }

  order(query: SoqlQuery, object: SObject, plan: QueryPlan): void {
    if (query.orderBy.length === 0) return;
    const items = query.orderBy.map((item) => ({ column: this.field(object, item.field), desc: item.desc }));
    const names = items.map(({ column, desc }) => (column.steps.length === 0 && !desc ? column.field.name : '?'));
    const { replicationKey, key, createdKey } = plan.table;
    const is = (...expected: Array<string | null>): boolean => names.length === expected.length && names.every((name, i) => name === expected[i]);
    if (replicationKey && (is(replicationKey) || is(replicationKey, key))) {
      plan.order = 'replicationKey';
    } else if (is(key) || (createdKey && (is(createdKey) || is(createdKey, key)))) {
      // ids ascend with creation, so creation order is key order
      plan.order = 'key';
    } else {
      plan.order = 'memory';
      plan.compare = (a, b, env) => {
        for (const { column, desc } of items) {
          const x = columnValue(env, object, a, column);
          const y = columnValue(env, object, b, column);
          if (x === y) continue;
          // SOQL: ASC puts nulls first, DESC puts them last
          if (x === null) return desc ? 1 : -1;
          if (y === null) return desc ? -1 : 1;
          const cmp = compareValues(x, y, caseSensitive(column.field));
          if (cmp !== 0) return desc ? -cmp : cmp;
        }
        return compareValues(a[plan.table.key], b[plan.table.key], true);
      };
    }
  }

  /** Records a conjunct that scan bounds express exactly; true when no predicate is needed for it. */
  bound(expr: Expr, plan: QueryPlan): boolean {
    if (expr.kind !== 'cmp' || expr.field.path.length !== 1) return false;
    const name = plan.object.field(expr.field.path[0] as string)?.name;
    const { value, op } = expr;
    if (name === plan.table.replicationKey && value.type === 'datetime') {
      const v = value.value;
      if (op === '>=') plan.from = Math.max(plan.from ?? -Infinity, v);
      else if (op === '>') plan.from = Math.max(plan.from ?? -Infinity, v + 1);
      else if (op === '<') plan.to = Math.min(plan.to ?? Infinity, v);
      else if (op === '<=') plan.to = Math.min(plan.to ?? Infinity, v + 1);
      else return false;
      return true;
    }
    if (name === plan.table.key && op === '>' && value.type === 'string' && plan.order === 'key' && plan.afterKey === undefined) {
      plan.afterKey = value.value;
      return true;
    }
    if (name === 'IsDeleted' && op === '=' && value.type === 'boolean' && value.value === false) {
      plan.excludeDeleted = true;
      return true;
    }
    return false;
  }

  expr(expr: Expr, object: SObject): Predicate {
    switch (expr.kind) {
      case 'and': {
        const items = expr.items.map((item) => this.expr(item, object));
        return (row, env) => items.every((item) => item(row, env));
      }
      case 'or': {
        const items = expr.items.map((item) => this.expr(item, object));
        return (row, env) => items.some((item) => item(row, env));
      }
      case 'not': {
        const inner = this.expr(expr.expr, object);
        return (row, env) => !inner(row, env);
      }
      default: {
        const column = this.field(object, expr.field);
        const field = column.field;
        if (UNFILTERABLE.has(field.type) || (field.type === 'textarea' && (field.length ?? 255) > 255)) {
          throw soqlError('INVALID_FIELD', this.soql, expr.field.token, `field '${field.name}' can not be filtered in a query call`);
        }
        const literals = expr.kind === 'cmp' ? [expr.value] : expr.values;
        for (const literal of literals) this.check(field, literal, expr.kind === 'cmp' && expr.op === 'like');
        const get = (row: ScannedRow, env: Env): unknown => columnValue(env, object, row, column);
        if (expr.kind === 'in') {
          const values = expr.values.map((literal) => literal.value);
          return (row, env) => {
            const v = get(row, env);
            const hit = values.some((candidate) => equalValues(v, candidate, caseSensitive(field)));
            return expr.negate ? !hit : hit;
          };
        }
        if (expr.kind === 'includes') {
          const wanted = expr.values.map((literal) => String(literal.value).toLowerCase().split(';'));
          return (row, env) => {
            const v = get(row, env);
            const have = new Set(typeof v === 'string' ? v.toLowerCase().split(';') : []);
            const hit = wanted.some((parts) => parts.every((part) => have.has(part)));
            return expr.negate ? !hit : hit;
          };
        }
        return comparator(expr.op, expr.value, get, caseSensitive(field));
      }
    }
  }

  /** Salesforce's type rules for filter values (quoted datetimes are the classic tap bug). */
  check(field: FieldDef, literal: Literal, like: boolean): void {
    if (literal.type === 'null') return;
    const type = field.type;
    const fail = (kind: string, quoted: boolean): never => {
      throw soqlError('INVALID_FIELD', this.soql, literal.token, `value of filter criterion for field '${field.name}' must be of type ${kind} and ${quoted ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`);
    };
    if (like && literal.type !== 'string') fail('string', true);
    if (type === 'datetime' && literal.type !== 'datetime') fail('dateTime', false);
    if (type === 'date' && literal.type !== 'date') fail('date', false);
    if (type === 'boolean' && literal.type !== 'boolean') fail('boolean', false);
    if (NUMERIC.has(type) && literal.type !== 'number') fail(type === 'int' ? 'integer' : 'double', false);
    if (!NUMERIC.has(type) && !['datetime', 'date', 'boolean', 'time'].includes(type) && literal.type !== 'string') fail('string', true);
  }
}

/** SOQL compares text ignoring case, except ids (their case is part of the value). */
export function compareValues(a: unknown, b: unknown, caseSensitive = false): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = caseSensitive ? String(a) : String(a).toLowerCase();
  const y = caseSensitive ? String(b) : String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const caseSensitive = (field: FieldDef): boolean => field.type === 'id' || field.type === 'reference';

function equalValues(a: unknown, b: unknown, exact: boolean): boolean {
  if (a === null || a === undefined || b === null) return (a ?? null) === b;
  return compareValues(a, b, exact) === 0;
}

function comparator(op: string, literal: Literal, get: (row: ScannedRow, env: Env) => unknown, exact: boolean): Predicate {
  const target = literal.value;
  if (op === 'like') {
    const source = String(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.');
    const pattern = new RegExp(`^${source}$`, 'is');
    return (row, env) => {
      const v = get(row, env);
      return typeof v === 'string' && pattern.test(v);
    };
  }
  return (row, env) => {
    const v = get(row, env);
    if (op === '=') return equalValues(v, target, exact);
    if (op === '!=') return !equalValues(v, target, exact);
    if (v === null || v === undefined || target === null) return false;
    const cmp = compareValues(v, target, exact);
    return op === '<' ? cmp < 0 : op === '<=' ? cmp <= 0 : op === '>' ? cmp > 0 : cmp >= 0;
  };
}

/** Parses and compiles; throws SalesforceError with the Salesforce error code. */
export function planQuery(catalog: Catalog, soql: string): QueryPlan {
  const query = parseSoql(soql);
  const compiler = new Compiler(catalog, soql);
  const object = compiler.object(query.from.name, query.from.token);
  return compiler.compile(query, object, false);
}
