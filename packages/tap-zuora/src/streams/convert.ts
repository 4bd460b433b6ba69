/**
 * CSV rows of an export as records. Headers are `Object.Field` (or the query labels); the
 * object's own prefix is dropped and related ones are joined (`Account.Id` → `AccountId`), as
 * singer tap-zuora does. Empty cells are nulls.
 */
import { exactInteger, exactNumber, type Logger, type TapRecord } from '@singer-io-ts/sdk';
import { DELETED_AT, type Column } from './schema.js';

export class TruncatedFileError extends Error {}

/** Maps a header to properties; `deleted` is the index of the deleted-flag column. */
export interface RowReader {
  read(row: string[]): TapRecord;
  deletedIndex: number;
}

export function propertyOfHeader(object: string, header: string): string {
  const dot = header.indexOf('.');
  if (dot < 0) return header;
  const prefix = header.slice(0, dot);
  const field = header.slice(dot + 1);
  return prefix === object ? field : `${prefix}${field}`;
}

/** Zuora datetimes carry the tenant's offset (or Z): normalised to UTC ISO-8601. */
const UTC_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

export function utcDateTime(text: string): string {
  // AQuA with dateTimeUtc writes `…T…Z` already: only the milliseconds of toISOString are missing.
  if (UTC_SECONDS.test(text)) return `${text.slice(0, 19)}.000Z`;
  const ms = Date.parse(text.includes('T') ? text : text.replace(' ', 'T'));
  if (Number.isNaN(ms)) return text;
  return new Date(ms).toISOString();
}

/** Called with an integer field's property and text when that text has a fraction. */
export type FractionHandler = (property: string, text: string) => void;

/** Warns once per field of a read, naming the object, the field and the first such value. */
export function fractionWarner(object: string, logger: Logger): FractionHandler {
  const warned = new Set<string>();
  return (property, text) => {
    if (warned.has(property)) return;
    warned.add(property);
    logger.warn(`${object}: field ${property} (integer) holds ${text}: its integer part is kept, here and in the field's further fractional values`);
  };
}

/**
 * An integer field's value, every digit kept. Should one hold a fraction (a quantity of 2.5
 * units), the schema stays integer, which a typed target holds to: the integer part is emitted,
 * as tap-marketo does with Marketo's. Text that is no number stays text.
 */
function integerValue(text: string, property: string, onFraction: FractionHandler): unknown {
  const parsed = exactInteger(text);
  if (!parsed) return text;
  if (parsed.fraction) onFraction(property, text);
  return parsed.value;
}

function convert(slot: { property: string; type: string }, text: string, onFraction: FractionHandler): unknown {
  switch (slot.type) {
    case 'boolean':
      return text.toLowerCase() === 'true' || text === '1';
    case 'integer':
      return integerValue(text, slot.property, onFraction);
    // exactNumber: an amount no double holds is emitted with every digit it had.
    case 'decimal': {
      const n = exactNumber(text);
      return typeof n === 'number' && Number.isNaN(n) ? text : n;
    }
    case 'date':
      return text.slice(0, 10);
    case 'datetime':
    case 'timestamp':
      return utcDateTime(text);
    default:
      return text;
  }
}

/** `deleted`: the deleted-flag column, and the property whose value dates a deletion (the replication key). */
export function rowReader(object: string, header: string[], columns: Column[], deleted: { column: string; datedBy: string | undefined } | undefined, wanted: ReadonlySet<string>, onFraction: FractionHandler): RowReader {
  const byProperty = new Map(columns.map((c) => [c.property, c]));
  const slots: Array<{ index: number; property: string; type: string }> = [];
  let deletedIndex = -1;
  header.forEach((name, index) => {
    if (deleted !== undefined && name === deleted.column) {
      deletedIndex = index;
      return;
    }
    const property = propertyOfHeader(object, name);
    const column = byProperty.get(property);
    if (column && wanted.has(property)) slots.push({ index, property, type: column.type });
  });
  const width = header.length;
  return {
    deletedIndex,
    read(row) {
      // A cut-off file ends with a short row; a blank line in the middle is a short row too.
      if (row.length !== width) throw new TruncatedFileError(`row has ${row.length} columns, the header ${width}`);
      const record: TapRecord = {};
      for (const slot of slots) {
        const text = row[slot.index] as string;
        record[slot.property] = text === '' ? null : convert(slot, text, onFraction);
      }
      if (deletedIndex >= 0) {
        const flag = (row[deletedIndex] ?? '').toLowerCase();
        const isDeleted = flag === 'true' || flag === '1';
        // Zuora gives no deletion time: the row's last change (its replication key) stands for it.
        const datedBy = deleted?.datedBy;
        record[DELETED_AT] = isDeleted ? String((datedBy !== undefined ? record[datedBy] : undefined) ?? new Date().toISOString()) : null;
      }
      return record;
    },
  };
}
