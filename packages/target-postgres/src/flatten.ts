/**
 * Flattening nested objects into `parent__child` columns, up to
 * `flattening_max_depth` levels (0: none, objects stay one jsonb column).
 *
 * An object property is spread into columns when its level is below the
 * maximum depth (top-level properties are level 0), its schema admits only
 * objects (and null), it has at least one property, and it has no
 * `x-sql-datatype`. Arrays never spread.
 *
 * Collisions, e.g. a top-level `a__b` property next to an object `a` with a
 * property `b`: the name made of fewer properties wins (here the explicit
 * `a__b`), and the object holding the losing property is not spread (here
 * `a` stays one jsonb column), so no value is lost. When the colliding names
 * are made of as many properties, every object involved stays whole. This is
 * repeated until no two columns share a name, so the result depends only on
 * the schema.
 */
import { FatalError, type JsonSchema } from '@singer-io-ts/sdk';

export const FLATTEN_SEPARATOR = '__';

interface PlanNode {
  column: string;
  /** Dotted, for messages. */
  path: string;
  /**
   * Set when this object is spread into columns; `leafColumns` are nulled when the record holds null there.
   * Always present, possibly undefined, so every node has one shape (this runs per record).
   */
  spread: { nodes: Map<string, PlanNode>; leafColumns: string[] } | undefined;
}

interface FlattenPlan {
  columns: Record<string, JsonSchema>;
  columnNames: ReadonlySet<string>;
  nodes: Map<string, PlanNode>;
  spreadsAny: boolean;
}

interface Leaf {
  column: string;
  path: readonly string[];
  schema: JsonSchema;
}

function checkDepth(maxDepth: number): void {
  if (!(maxDepth === Infinity || (Number.isInteger(maxDepth) && maxDepth >= 0))) {
    throw new RangeError(`flattening_max_depth must be a whole number >= 0, got ${maxDepth}`);
  }
}

/** Assigns without letting a `__proto__` key replace the object's prototype. */
function setColumn(target: Record<string, unknown>, column: string, value: unknown): void {
  if (column === '__proto__') Object.defineProperty(target, column, { value, enumerable: true, writable: true, configurable: true });
  else target[column] = value;
}

/** JSON objects only: lossless parsers hand numbers over as class instances, which are values, not objects to spread. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value !== 'object' || value === null) return typeof value;
  const constructor: unknown = value.constructor;
  return typeof constructor === 'function' ? constructor.name : 'object';
}

function admitsOnlyNull(schema: JsonSchema): boolean {
  return schema.type === 'null' || (Array.isArray(schema.type) && schema.type.every((type) => type === 'null'));
}

/** The properties to spread, or `undefined` when the schema must stay one column. */
function spreadableProperties(schema: JsonSchema): Record<string, JsonSchema> | undefined {
  if (schema['x-sql-datatype'] !== undefined) return undefined;
  if (schema.type === undefined) {
    // tap output often wraps a nullable object as anyOf [object, null]
    const members = (schema.anyOf ?? schema.oneOf ?? []).filter((member) => !admitsOnlyNull(member));
    const [only] = members;
    return members.length === 1 && only !== undefined ? spreadableProperties(only) : undefined;
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes('object') || types.some((type) => type !== 'object' && type !== 'null')) return undefined;
  const properties = schema.properties;
  return properties !== undefined && Object.keys(properties).length > 0 ? properties : undefined;
}

const pathKey = (path: readonly string[]) => JSON.stringify(path);

function buildNodes(
  properties: Record<string, JsonSchema>,
  parent: { path: readonly string[]; column: string | undefined },
  levelsLeft: number,
  kept: ReadonlySet<string>,
  leaves: Leaf[],
): Map<string, PlanNode> {
  const nodes = new Map<string, PlanNode>();
  for (const [key, schema] of Object.entries(properties)) {
    const path = [...parent.path, key];
    const column = parent.column === undefined ? key : parent.column + FLATTEN_SEPARATOR + key;
    const nested = levelsLeft > 0 && !kept.has(pathKey(path)) ? spreadableProperties(schema) : undefined;
    if (nested === undefined) {
      leaves.push({ column, path, schema });
      nodes.set(key, { column, path: path.join('.'), spread: undefined });
      continue;
    }
    const firstLeaf = leaves.length;
    const children = buildNodes(nested, { path, column }, levelsLeft - 1, kept, leaves);
    const leafColumns = leaves.slice(firstLeaf).map((leaf) => leaf.column);
    nodes.set(key, { column, path: path.join('.'), spread: { nodes: children, leafColumns } });
  }
  return nodes;
}

/** Path keys of the spread objects that must stay whole for the columns to be unique. */
function objectsToKeepWhole(leaves: readonly Leaf[]): string[] {
  const byColumn = new Map<string, Leaf[]>();
  for (const leaf of leaves) byColumn.set(leaf.column, [...(byColumn.get(leaf.column) ?? []), leaf]);
  const keep: string[] = [];
  for (const sharing of byColumn.values()) {
    if (sharing.length < 2) continue;
    const fewest = Math.min(...sharing.map((leaf) => leaf.path.length));
    const winners = sharing.filter((leaf) => leaf.path.length === fewest);
    // Top-level names are unique, so every loser is nested and has a spread parent.
    const losers = winners.length === 1 ? sharing.filter((leaf) => leaf !== winners[0]) : sharing;
    for (const leaf of losers) keep.push(pathKey(leaf.path.slice(0, -1)));
  }
  return keep;
}

function buildPlan(schema: JsonSchema, maxDepth: number): FlattenPlan {
  const kept = new Set<string>();
  for (;;) {
    const leaves: Leaf[] = [];
    const nodes = buildNodes(schema.properties ?? {}, { path: [], column: undefined }, maxDepth, kept, leaves);
    const keep = objectsToKeepWhole(leaves);
    if (keep.length === 0) {
      const columns: Record<string, JsonSchema> = {};
      for (const leaf of leaves) setColumn(columns, leaf.column, leaf.schema);
      const spreadsAny = leaves.some((leaf) => leaf.path.length > 1);
      return { columns, columnNames: new Set(leaves.map((leaf) => leaf.column)), nodes, spreadsAny };
    }
    // Each round keeps at least one more spread object whole, so this ends.
    for (const key of keep) kept.add(key);
  }
}

// Schemas arrive once per SCHEMA message and records by the million: plan once per schema
// object, which therefore must not change after its first use.
const plans = new WeakMap<JsonSchema, Map<number, FlattenPlan>>();

function planFor(schema: JsonSchema, maxDepth: number): FlattenPlan {
  checkDepth(maxDepth);
  let byDepth = plans.get(schema);
  if (byDepth === undefined) plans.set(schema, (byDepth = new Map()));
  let plan = byDepth.get(maxDepth);
  if (plan === undefined) byDepth.set(maxDepth, (plan = buildPlan(schema, maxDepth)));
  return plan;
}

/**
 * Column name → property schema for a stream schema. The result is a new
 * object; treat it and the schemas in it as read-only (they are the input's).
 */
export function flattenSchema(schema: JsonSchema, maxDepth: number): Record<string, JsonSchema> {
  return { ...planFor(schema, maxDepth).columns };
}

function spreadBySchema(
  out: Record<string, unknown>,
  record: Record<string, unknown>,
  nodes: Map<string, PlanNode>,
  parentColumn: string | undefined,
  plan: FlattenPlan,
): void {
  // for-in, not Object.keys: a third faster here, and records are plain JSON objects.
  for (const key in record) {
    const value = record[key];
    const node = nodes.get(key);
    if (node === undefined) {
      // Not in the schema: passed on under its flattened name for the loader to judge, unless a schema column has that name.
      const column = parentColumn === undefined ? key : parentColumn + FLATTEN_SEPARATOR + key;
      if (!plan.columnNames.has(column)) setColumn(out, column, value);
    } else if (node.spread === undefined) {
      setColumn(out, node.column, value);
    } else if (isPlainObject(value)) {
      spreadBySchema(out, value, node.spread.nodes, node.column, plan);
    } else if (value === null || value === undefined) {
      for (const column of node.spread.leafColumns) setColumn(out, column, null);
    } else {
      // Its columns cannot hold it, and dropping it would lose data.
      const columns = node.spread.leafColumns.join(', ');
      throw new FatalError(`property "${node.path}" is of type ${kindOf(value)}, but its schema says object, flattened into columns ${columns}`);
    }
  }
}

/** Dotted paths of the record's values that flatten to `column` (only to explain a collision). */
function pathsTo(column: string, record: Record<string, unknown>, levelsLeft: number, parentColumn?: string): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    const name = parentColumn === undefined ? key : parentColumn + FLATTEN_SEPARATOR + key;
    if (levelsLeft > 0 && isPlainObject(value)) paths.push(...pathsTo(column, value, levelsLeft - 1, name).map((path) => `${key}.${path}`));
    else if (name === column) paths.push(key);
  }
  return paths;
}

function spreadByData(
  out: Record<string, unknown>,
  record: Record<string, unknown>,
  parentColumn: string | undefined,
  levelsLeft: number,
  root: { record: Record<string, unknown>; maxDepth: number },
): void {
  for (const key in record) {
    const value = record[key];
    const column = parentColumn === undefined ? key : parentColumn + FLATTEN_SEPARATOR + key;
    if (levelsLeft > 0 && isPlainObject(value)) {
      spreadByData(out, value, column, levelsLeft - 1, root);
    } else if (Object.hasOwn(out, column)) {
      const paths = pathsTo(column, root.record, root.maxDepth).map((path) => `"${path}"`);
      throw new FatalError(`properties ${paths.join(' and ')} both flatten to column "${column}"; pass the stream schema to resolve this`);
    } else {
      setColumn(out, column, value);
    }
  }
}

/**
 * One record's values by column, with the names flattenSchema gives.
 *
 * With the stream `schema`, objects are spread exactly where flattenSchema
 * spreads them; where the record holds null instead, those columns are null;
 * where it holds some other non-object, this throws (its columns cannot hold
 * it). Keys the schema does not know are kept under their flattened name
 * unless a schema column already has that name.
 *
 * Without a schema, every object value within `maxDepth` is spread, and two
 * values landing in one column throw an error naming both.
 *
 * Never mutates `record`; returns `record` itself when nothing spreads, so
 * treat the result as read-only.
 */
export function flattenRecord(record: Record<string, unknown>, maxDepth: number, schema?: JsonSchema): Record<string, unknown> {
  if (maxDepth === 0) return record;
  if (schema === undefined) {
    checkDepth(maxDepth);
    const out: Record<string, unknown> = {};
    spreadByData(out, record, undefined, maxDepth, { record, maxDepth });
    return out;
  }
  const plan = planFor(schema, maxDepth);
  if (!plan.spreadsAny) return record;
  const out: Record<string, unknown> = {};
  spreadBySchema(out, record, plan.nodes, undefined, plan);
  return out;
}
