/** Wire formats of values: REST JSON (`+0000` datetimes) and Bulk CSV (`Z` datetimes, strings only). */
import { randomBytes } from 'node:crypto';
import type { FieldDef } from '../dataset/types.js';

/** `2024-01-02T03:04:05.000+0000` as the REST API writes datetimes. */
export function restDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `2024-01-02T03:04:05.000Z` as Bulk CSV (and Bulk v1 XML) write datetimes. */
export function bulkDatetime(ms: number): string {
  return new Date(ms).toISOString();
}

export function restValue(field: FieldDef, value: unknown, version: string, object: string, id: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.type === 'datetime') return typeof value === 'number' ? restDatetime(value) : value;
  // REST query results point at a blob instead of inlining it
  if (field.type === 'base64') return `/services/data/v${version}/sobjects/${object}/${String(id)}/${field.name}`;
  return value;
}

export interface CsvValueOptions {
  /** Integer fields written as `12.0` (a quirk some orgs show). */
  intAsDecimal: boolean;
}

const DECIMAL = new Set(['double', 'currency', 'percent']);

export function csvValue(field: FieldDef, value: unknown, options: CsvValueOptions): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (field.type === 'datetime' && typeof value === 'number') return bulkDatetime(value);
  if (typeof value === 'number') {
    if ((field.type === 'int' || field.type === 'long') && options.intAsDecimal && Number.isInteger(value)) return `${value}.0`;
    if (DECIMAL.has(field.type) && Number.isInteger(value)) return `${value}.0`;
    return String(value);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const CHECKSUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Appends the 3-character case checksum that turns a 15-character id into the 18-character form. */
export function id18(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const ch = id15.charCodeAt(block * 5 + i);
      if (ch >= 65 && ch <= 90) bits |= 1 << i;
    }
    suffix += CHECKSUM[bits];
  }
  return id15 + suffix;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Ids for things the server creates (jobs 750, batches 751, results 752, cursors 01g, org 00D, user 005). */
export class IdFactory {
  #counter = 0;
  readonly #pod: string;

  constructor(seed: number) {
    this.#pod = BASE62[seed % 62] as string;
  }

  next(prefix: string): string {
    this.#counter += 1;
    let n = this.#counter;
    let digits = '';
    while (digits.length < 9) {
      digits = BASE62[n % 62] + digits;
      n = Math.floor(n / 62);
    }
    return id18(`${prefix}${this.#pod}Rx${digits}`.slice(0, 15));
  }
}

export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
