/**
 * JSON Schema → Postgres column types: one pure, table-driven module.
 *
 * The type set is deliberately small so that evolution is a lattice walk:
 * every type widens along one chain (its WIDENING entry), and the narrowest
 * type holding two types is the first type both chains share.
 */
import type { JsonSchema } from '@singer-io-ts/sdk';

export const PG_TYPES = ['boolean', 'bigint', 'numeric', 'text', 'date', 'time', 'timestamptz', 'jsonb'] as const;
export type PgType = (typeof PG_TYPES)[number];

export function isPgType(value: unknown): value is PgType {
  return typeof value === 'string' && (PG_TYPES as readonly string[]).includes(value);
}

/**
 * Each type, then every type that holds all of its values, narrowest first.
 * Scalars of different families meet in text, not jsonb: every scalar the
 * loader writes has one canonical text form (the JSON number literal,
 * `true`/`false`, the date string), so text keeps the value, stays
 * queryable, and can still widen to jsonb in place later. Only the JSON type
 * tag is lost, and the schema still records it.
 */
const WIDENING: Record<PgType, readonly PgType[]> = {
  boolean: ['boolean', 'text', 'jsonb'],
  bigint: ['bigint', 'numeric', 'text', 'jsonb'],
  numeric: ['numeric', 'text', 'jsonb'],
  date: ['date', 'timestamptz', 'text', 'jsonb'],
  time: ['time', 'text', 'jsonb'],
  timestamptz: ['timestamptz', 'text', 'jsonb'],
  text: ['text', 'jsonb'],
  jsonb: ['jsonb'],
};

/** The narrowest type that holds every value of both. Commutative and associative. */
export function mergeTypes(a: PgType, b: PgType): PgType {
  const wider = WIDENING[b];
  // Every chain ends in jsonb, so the search always succeeds.
  return WIDENING[a].find((type) => wider.includes(type)) ?? 'jsonb';
}

/**
 * True when `ALTER COLUMN ... TYPE to USING alterUsing(...)` keeps every value
 * of `from`; true for `from === to` (nothing to alter).
 */
export function widensInPlace(from: PgType, to: PgType): boolean {
  return WIDENING[from].includes(to);
}

/**
 * USING expressions for the in-place widenings, keyed `from->to`; `$` is the
 * quoted column. Assumptions the loader must keep:
 * - date→timestamptz is midnight UTC whatever the session TimeZone; the
 *   loader's sessions must still run with TimeZone=UTC so that date-only
 *   strings it loads later into that column also mean midnight UTC. Dates
 *   after 294276 AD do not fit a timestamp: the ALTER then fails (nothing is
 *   lost) and the loader must fall back to a new column.
 * - date/timestamptz→text go through to_jsonb, which prints ISO 8601 whatever
 *   DateStyle is (a plain ::text cast follows DateStyle, e.g. '01/02/2020').
 *   timestamptz is printed in the session TimeZone ('2020-01-01T00:00:00+00:00'
 *   under UTC): the same instant as the loaded string, not always its spelling.
 * - boolean::text is 'true'/'false' and numeric::text keeps the scale, which
 *   match what the loader writes into text columns.
 */
const USING: Partial<Record<`${PgType}->${PgType}`, string>> = {
  'bigint->numeric': '$::numeric',
  'date->timestamptz': "($::timestamp AT TIME ZONE 'UTC')",
  'boolean->text': '$::text',
  'bigint->text': '$::text',
  'numeric->text': '$::text',
  'time->text': '$::text',
  'date->text': "(to_jsonb($) #>> '{}')",
  'timestamptz->text': "(to_jsonb($) #>> '{}')",
};

/** The USING expression that widens `quotedColumn` from `from` to `to`; throws when no lossless one exists. */
export function alterUsing(quotedColumn: string, from: PgType, to: PgType): string {
  if (from === to) return quotedColumn;
  if (!widensInPlace(from, to)) throw new Error(`cannot widen a ${from} column to ${to} in place without losing values`);
  const template = to === 'jsonb' ? 'to_jsonb($)' : USING[`${from}->${to}`];
  if (template === undefined) throw new Error(`no USING expression for ${from} -> ${to}`);
  // A function replacer, so `$&` or `$$` inside a quoted name stay literal.
  return template.replaceAll('$', () => quotedColumn);
}

/**
 * String formats with a type of their own; others are text. Mutated only through registerFormat.
 * Postgres `time` drops a UTC offset ('12:00:00+02:00' → 12:00:00); taps send offset-free times.
 */
const FORMATS = new Map<string, PgType>([
  ['date-time', 'timestamptz'],
  ['date', 'date'],
  ['time', 'time'],
]);

/**
 * Maps strings of `format` to `type` from now on (meltano's
 * register_format_handler); may override the built-in formats. Returns a
 * function that restores the previous mapping.
 */
export function registerFormat(format: string, type: PgType): () => void {
  const previous = FORMATS.get(format);
  FORMATS.set(format, type);
  return () => {
    if (previous === undefined) FORMATS.delete(format);
    else FORMATS.set(format, previous);
  };
}

const BIGINT_MAX = 2n ** 63n - 1n;
const BIGINT_MIN = -(2n ** 63n);
const INTEGER_LITERAL = /^-?\d+$/;

/** Lossless JSON parsers keep the numbers a double would change as objects carrying their text. */
function losslessText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const text = (value as { text?: unknown }).text;
  return typeof text === 'string' ? text : undefined;
}

/** A parsed JSON number: exact (bigint) when it is an integer whose text survived, else a double. */
function readNumber(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  const text = losslessText(value);
  if (text === undefined) return undefined;
  if (INTEGER_LITERAL.test(text)) return BigInt(text);
  const double = Number(text);
  return Number.isNaN(double) ? undefined : double;
}

/**
 * Whether the bound lets an integer past bigint's range on its side. A double
 * bound of exactly ±2^63 counts as in range: 2^63-1, which tap-postgres writes
 * as the maximum of every bigint column, parses to the double 2^63.
 */
function boundExceedsBigint(bound: unknown, side: 'upper' | 'lower', exclusive: boolean): boolean {
  const value = readNumber(bound);
  if (value === undefined) return false;
  if (typeof value === 'number') return side === 'upper' ? value > 2 ** 63 : value < -(2 ** 63);
  const extreme = exclusive ? value + (side === 'upper' ? -1n : 1n) : value;
  return side === 'upper' ? extreme > BIGINT_MAX : extreme < BIGINT_MIN;
}

function integerFitsBigint(schema: JsonSchema): boolean {
  return !(
    boundExceedsBigint(schema.maximum, 'upper', false) ||
    boundExceedsBigint(schema.exclusiveMaximum, 'upper', true) ||
    boundExceedsBigint(schema.minimum, 'lower', false) ||
    boundExceedsBigint(schema.exclusiveMinimum, 'lower', true)
  );
}

/** The type of one `enum`/`const` value. */
function typeForValue(value: unknown): PgType | undefined {
  if (value === null) return undefined;
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  const number = readNumber(value);
  if (number === undefined) return 'jsonb';
  const isInteger = typeof number === 'bigint' || (Number.isInteger(number) && losslessText(value) === undefined);
  const fits = !boundExceedsBigint(number, 'upper', false) && !boundExceedsBigint(number, 'lower', false);
  return isInteger && fits ? 'bigint' : 'numeric';
}

function typeForJsonType(jsonType: string, schema: JsonSchema): PgType | undefined {
  switch (jsonType) {
    case 'null':
      return undefined;
    case 'string':
      return (schema.format === undefined ? undefined : FORMATS.get(schema.format)) ?? 'text';
    case 'integer':
      return integerFitsBigint(schema) ? 'bigint' : 'numeric';
    case 'number':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    default:
      // object, array, and names JSON Schema does not define
      return 'jsonb';
  }
}

function mergeAll(types: Iterable<PgType | undefined>): PgType | undefined {
  let merged: PgType | undefined;
  for (const type of types) {
    if (type !== undefined) merged = merged === undefined ? type : mergeTypes(merged, type);
  }
  return merged;
}

/** Types outside our set (pgvector, varchar(n), ...) are ignored: evolution only knows this set. */
function explicitType(override: unknown): PgType | undefined {
  const name = typeof override === 'string' ? override.trim().toLowerCase() : undefined;
  return isPgType(name) ? name : undefined;
}

/** `undefined` when the schema admits only null. */
function typeOrNull(schema: JsonSchema): PgType | undefined {
  const override = explicitType(schema['x-sql-datatype']);
  if (override !== undefined) return override;
  // With `type` present, anyOf/oneOf can only narrow its values further, so `type` alone is safe.
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    return mergeAll(types.map((jsonType) => typeForJsonType(jsonType, schema)));
  }
  // allOf is merged like anyOf: possibly wider than needed, never too narrow.
  const members = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  if (members.length > 0) return mergeAll(members.map(typeOrNull));
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return mergeAll(schema.enum.map(typeForValue));
  if ('const' in schema) return typeForValue(schema.const);
  return 'jsonb';
}

/**
 * The column type for a property schema. A schema that admits only null gets
 * text: any type would do, and text widens in place to jsonb later.
 */
export function pgTypeFor(schema: JsonSchema): PgType {
  return typeOrNull(schema) ?? 'text';
}
