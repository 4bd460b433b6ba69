/**
 * Values → Postgres COPY text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text
 * Format"): one line per row, columns separated by tabs, `\N` for NULL, and backslash, newline,
 * carriage return and tab escaped with a backslash. Everything else goes through as it is.
 *
 * What Postgres cannot store is made explicit here rather than left to an error or to Buffer:
 * NUL characters are removed (text and jsonb cannot hold them) and lone UTF-16 surrogates, which
 * have no UTF-8 form, become U+FFFD. Both are counted so the caller can warn once with totals.
 */
import { decimalParts, JsonNumber, stringifyJson } from '@singer-io-ts/sdk';
import type { PgType } from './type-map.js';

export const COPY_NULL = '\\N';

export interface CopyColumn {
  /** The record property the value comes from. */
  name: string;
  type: PgType;
}

export interface CopyTextStats {
  nulBytesRemoved: number;
  surrogatesReplaced: number;
}

export interface CopyTextOptions {
  /** Where to count what was changed; share one object across encoders for a run-wide total. */
  stats?: CopyTextStats;
  /** Default true. When false NUL characters are sent as they are and Postgres rejects the row. */
  removeNulBytes?: boolean;
}

export interface RowEncoder {
  /** One COPY line, `\n` included, with the columns in the order given. Missing properties are NULL. */
  encode(record: Record<string, unknown>): string;
  readonly stats: CopyTextStats;
}

export function newCopyTextStats(): CopyTextStats {
  return { nulBytesRemoved: 0, surrogatesReplaced: 0 };
}

type ValueEncoder = (value: unknown) => string;

/** Compiles an encoder for one column list; build it once per table shape, call it per record. */
export function createRowEncoder(columns: readonly CopyColumn[], options: CopyTextOptions = {}): RowEncoder {
  const stats = options.stats ?? newCopyTextStats();
  const encoders = columns.map((column) => valueEncoder(column, stats, options.removeNulBytes ?? true));
  // Generated code reads each property at its own site (record["Id"], record["Name"], ...), so
  // every read stays monomorphic for records of one shape; a loop over names would make one
  // megamorphic keyed read serve every column. Names are embedded as JSON string literals.
  const read = (name: string): string =>
    name in Object.prototype ? `(Object.hasOwn(record, ${JSON.stringify(name)}) ? record[${JSON.stringify(name)}] : undefined)` : `record[${JSON.stringify(name)}]`;
  const fields = columns.map((column, i) => `encoders[${i}](${read(column.name)}) + '${i === columns.length - 1 ? '\\n' : '\\t'}'`);
  const compile = new Function('encoders', `return function encode(record) { return ${fields.join(' + ') || "'\\n'"}; };`) as (
    encoders: readonly ValueEncoder[],
  ) => RowEncoder['encode'];
  return { encode: compile(encoders), stats };
}

/** One value in COPY text form (`\N` for null and undefined), as a column of the given type receives it. */
export function encodeCopyValue(value: unknown, type: PgType, options: CopyTextOptions = {}): string {
  return valueEncoder({ name: 'value', type }, options.stats ?? newCopyTextStats(), options.removeNulBytes ?? true)(value);
}

/** The encoder createRowEncoder uses for one column's values (for the fast path's values it does not handle itself). */
export function valueEncoderFor(column: CopyColumn, stats: CopyTextStats, removeNulBytes: boolean): ValueEncoder {
  return valueEncoder(column, stats, removeNulBytes);
}

function valueEncoder(column: CopyColumn, stats: CopyTextStats, removeNulBytes: boolean): ValueEncoder {
  const escape = (text: string): string => escapeCopyText(text, stats, removeNulBytes);
  const scalar = (value: unknown): string => escape(scalarText(value, column));
  switch (column.type) {
    case 'text':
      return (value) => (typeof value === 'string' ? escape(value) : value === null || value === undefined ? COPY_NULL : escape(anyText(value)));
    case 'boolean':
      return (value) => (value === true ? 't' : value === false ? 'f' : value === null || value === undefined ? COPY_NULL : scalar(value));
    case 'bigint':
      return (value) =>
        typeof value === 'number' ? String(value) : value === null || value === undefined ? COPY_NULL : value instanceof JsonNumber ? plainIntegerText(value.text) : scalar(value);
    case 'numeric':
      return (value) => (typeof value === 'number' ? String(value) : value === null || value === undefined ? COPY_NULL : scalar(value));
    case 'jsonb':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        const json = stringifyJson(value) as string | undefined;
        return json === undefined ? COPY_NULL : escape(jsonbSafe(json, stats, removeNulBytes));
      };
    case 'date':
    case 'time':
    case 'timestamptz': {
      // A Date is written in UTC: the date part for date, the time part for time (which has no zone).
      const [from, to] = column.type === 'date' ? [0, 10] : column.type === 'time' ? [11, 23] : [0, undefined];
      return (value) =>
        typeof value === 'string'
          ? escape(value)
          : value === null || value === undefined
            ? COPY_NULL
            : value instanceof Date
              ? value.toISOString().slice(from, to)
              : scalar(value);
    }
  }
}

/** Text for a scalar column: what Postgres's input function for the type parses. Objects and arrays have none. */
function scalarText(value: unknown, column: CopyColumn): string {
  if (typeof value === 'object' && value !== null && !(value instanceof JsonNumber) && !(value instanceof Date)) {
    throw new TypeError(`column "${column.name}" (${column.type}) cannot hold ${Array.isArray(value) ? 'an array' : 'an object'}: ${truncate(stringifyJson(value))}`);
  }
  return anyText(value);
}

/** A value as text: strings as they are, numbers and booleans as their JSON text, objects and arrays as JSON. */
function anyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Date) return value.toISOString();
  return (stringifyJson(value) as string | undefined) ?? '';
}

/** An exact integer without fraction or exponent (`9.2e18` → `9200000000000000000`), which bigint input requires. */
function plainIntegerText(text: string): string {
  const parts = decimalParts(text);
  // Not an integer, or far beyond bigint: leave it to Postgres to reject with the value in the message.
  if (parts === undefined || parts.exponent < 0 || parts.digits.length + parts.exponent > 20) return text;
  if (parts.digits === '') return '0';
  return (parts.negative ? '-' : '') + parts.digits + '0'.repeat(parts.exponent);
}

const NEEDS_ESCAPE = /[\\\n\r\t\0]|[\uD800-\uDFFF]/u; // with the u flag a surrogate pair is one character and does not match

/**
 * Escapes text for one COPY column: backslash, newline, carriage return and tab get a backslash;
 * NUL is removed (unless removeNulBytes is false); a lone surrogate becomes U+FFFD.
 */
export function escapeCopyText(text: string, stats: CopyTextStats, removeNulBytes = true): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string;
    if (c === 0x5c) replacement = '\\\\';
    else if (c === 0x0a) replacement = '\\n';
    else if (c === 0x0d) replacement = '\\r';
    else if (c === 0x09) replacement = '\\t';
    else if (c === 0 && removeNulBytes) {
      stats.nulBytesRemoved++;
      replacement = '';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      stats.surrogatesReplaced++;
      replacement = '\uFFFD';
    } else continue;
    out += text.slice(start, i) + replacement;
    start = i + 1;
  }
  return out + text.slice(start);
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * jsonb rejects the escapes `\u0000` and lone-surrogate `\udXXX` that JSON.stringify writes for
 * NUL and for lone surrogates (it writes nothing else as \u escapes but other control characters).
 */
function jsonbSafe(json: string, stats: CopyTextStats, removeNulBytes: boolean): string {
  if (json.indexOf('\\u') === -1) return json;
  let out = '';
  let start = 0;
  // Walk escape by escape so that an escaped backslash followed by "u0000" is left alone.
  for (let i = json.indexOf('\\'); i !== -1; ) {
    if (json.charCodeAt(i + 1) !== 0x75) {
      i = json.indexOf('\\', i + 2);
      continue;
    }
    const code = Number.parseInt(json.slice(i + 2, i + 6), 16);
    if (code === 0 && removeNulBytes) {
      stats.nulBytesRemoved++;
      out += json.slice(start, i);
      start = i + 6;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      stats.surrogatesReplaced++;
      out += json.slice(start, i) + '\\ufffd';
      start = i + 6;
    }
    i = json.indexOf('\\', i + 6);
  }
  return out + json.slice(start);
}

function truncate(text: string | undefined): string {
  return text === undefined ? String(text) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^-?\d+$/;

/**
 * True for an integer outside bigint's range (-9223372036854775808..9223372036854775807): a number,
 * a JsonNumber, a BigInt or an integer string. The loader widens such a column to numeric first.
 */
export function integerOverflowsBigint(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && (value >= 2 ** 63 || value < -(2 ** 63));
  const exact = exactInteger(value);
  return exact !== undefined && (exact < BIGINT_MIN || exact > BIGINT_MAX);
}

/** The value as an exact integer if it is one (JsonNumber, BigInt, integer string); undefined otherwise or when absurdly long. */
function exactInteger(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') return INTEGER_TEXT.test(value) && value.length < 1000 ? BigInt(value) : undefined;
  if (!(value instanceof JsonNumber)) return undefined;
  const parts = decimalParts(value.text);
  if (parts === undefined || parts.exponent < 0) return undefined;
  // Anything past 40 digits overflows; no need to build it.
  if (parts.digits.length + parts.exponent > 40) return parts.negative ? BIGINT_MIN - 1n : BIGINT_MAX + 1n;
  return BigInt((parts.negative ? '-' : '') + (parts.digits || '0') + '0'.repeat(parts.digits ? parts.exponent : 0));
}

const PG_SPACE = '[ \\t\\n\\r\\v\\f]*';
// Postgres boolean input: these words, any unique prefix, any case, surrounding whitespace.
const BOOLEAN_TEXT = new RegExp(`^${PG_SPACE}(?:t(?:r(?:ue?)?)?|y(?:es?)?|on|1|f(?:a(?:l(?:se?)?)?)?|no?|off?|0)${PG_SPACE}$`, 'i');
const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^(?:NaN|[+-]?Infinity)$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_TEXT = /^([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$|^24:00(?::00(?:\.0+)?)?$/;
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
// numeric input limits: 131072 digits before the point, 16383 after.
const NUMERIC_MAX_INTEGER_DIGITS = 131072;
const NUMERIC_MAX_SCALE = 16383;

/**
 * Cheap check that Postgres will take the value for a column of this type (null always fits).
 * True is a promise; false means the value is not in a form this target writes for the type
 * (ISO 8601 dates and times, JSON numbers and booleans, or what Postgres parses for them) and
 * Postgres may reject it.
 */
export function isValidForType(value: unknown, type: PgType): boolean {
  if (value === null || value === undefined) return true;
  switch (type) {
    case 'text':
    case 'jsonb':
      return typeof value !== 'function' && typeof value !== 'symbol' && (type === 'text' || typeof value !== 'bigint');
    case 'boolean':
      return typeof value === 'boolean' || (typeof value === 'string' && BOOLEAN_TEXT.test(value));
    case 'bigint':
      if (typeof value === 'number') return Number.isInteger(value) && !integerOverflowsBigint(value);
      return exactInteger(value) !== undefined && !integerOverflowsBigint(value);
    case 'numeric':
      if (typeof value === 'number' || typeof value === 'bigint') return true;
      if (typeof value === 'string') return NUMERIC_TEXT.test(value);
      return value instanceof JsonNumber && fitsNumeric(value.text);
    case 'date':
      return value instanceof Date ? !Number.isNaN(value.getTime()) : typeof value === 'string' && isCalendarDate(DATE_TEXT.exec(value));
    case 'time':
      return typeof value === 'string' && TIME_TEXT.test(value);
    case 'timestamptz':
      return value instanceof Date ? !Number.isNaN(value.getTime()) : typeof value === 'string' && isCalendarDate(TIMESTAMP_TEXT.exec(value));
  }
}

function fitsNumeric(text: string): boolean {
  const parts = decimalParts(text);
  if (parts === undefined) return false;
  return parts.digits === '' || (parts.digits.length + parts.exponent <= NUMERIC_MAX_INTEGER_DIGITS && -parts.exponent <= NUMERIC_MAX_SCALE);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Year 1 to 9999 (Postgres has no year 0), a real month and day. */
function isCalendarDate(match: RegExpExecArray | null): boolean {
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return year >= 1 && day >= 1 && day <= days;
}
