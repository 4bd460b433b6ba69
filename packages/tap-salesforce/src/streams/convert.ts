/**
 * Values as the schema types them. Rows come from REST (JSON values, datetimes as
 * `2024-01-02T03:04:05.000+0000`) or, once the Bulk reader is plugged in, from CSV (every value a
 * string, `Z` datetimes, integers possibly as `12.0`, empty meaning null): one converter per
 * field handles both, so a reader only has to yield rows keyed by field name.
 */
import { exactNumber } from '@singer-io-ts/sdk';
import type { FieldDescribe } from './describe.js';

export type Converter = (value: unknown) => unknown;

/** ISO 8601 in UTC with milliseconds, as targets and the SDK's bookmark comparison read it. */
export function toIsoDatetime(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return value === '' ? null : value;
  // The common REST form converts without parsing.
  if (value.length === 28 && value.endsWith('+0000')) return `${value.slice(0, 23)}Z`;
  if (value.length === 24 && value.endsWith('Z')) return value;
  const time = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/**
 * Text as both readers give it: NUL characters removed. The Bulk CSV parser drops them (they
 * cannot be told apart from stream damage, and Postgres text cannot hold them), so REST text
 * drops them too and a row reads the same whichever API served it.
 */
const NUL = '\u0000';
const withoutNul = (text: string): string => (text.includes(NUL) ? text.replaceAll(NUL, '') : text);

const text: Converter = (value) => (typeof value === 'string' ? withoutNul(value) : value);

/** Compound values (address, location): their text components likewise. */
const compound: Converter = (value) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.some(([, part]) => typeof part === 'string' && part.includes(NUL))) return value;
  return Object.fromEntries(entries.map(([key, part]) => [key, typeof part === 'string' ? withoutNul(part) : part]));
};

const toBoolean: Converter = (value) => {
  if (typeof value !== 'string') return value;
  if (value === '') return null;
  return value.toLowerCase() === 'true';
};

const toNumber: Converter = (value) => {
  if (typeof value !== 'string') return value;
  if (value === '') return null;
  const number = exactNumber(value);
  return typeof number === 'number' && Number.isNaN(number) ? value : number;
};

const toInteger: Converter = (value) => {
  const number = toNumber(value);
  // Bulk CSV may write integer fields as `12.0`.
  return typeof number === 'number' && Number.isFinite(number) ? Math.trunc(number) : number;
};

const emptyIsNull: Converter = (value) => (value === '' ? null : value);

const toText: Converter = (value) => {
  if (value === null || value === undefined) return null;
  return withoutNul(typeof value === 'object' ? JSON.stringify(value) : String(value));
};

export function converterFor(field: FieldDescribe): Converter {
  switch (field.type) {
    case 'boolean':
      return toBoolean;
    case 'int':
    case 'long':
      return toInteger;
    case 'double':
    case 'currency':
    case 'percent':
      return toNumber;
    case 'datetime':
      return toIsoDatetime;
    case 'date':
    case 'time':
    case 'id':
    case 'reference':
      // An empty cell of a non-text field can only mean null.
      return emptyIsNull;
    case 'anyType':
      return toText;
    case 'address':
    case 'location':
      return compound;
    default:
      return text;
  }
}
