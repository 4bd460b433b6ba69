import { csvLine } from '../core/csv.js';
import type { FieldDef, Millis, Row, ScanOptions, Table } from '../dataset/types.js';
import { dateOnly, formatAttributes, restDate, type AttributeTypes } from './format.js';

/**
 * Everything that determines an export file's bytes, frozen when the job
 * starts processing: the file is produced twice (once to measure and hash it
 * at completion, once per download) and must come out identical both times.
 */
export interface FilePlan {
  table: Table;
  /** Output columns: the row key each column reads and the header it is written under. */
  columns: readonly { field: FieldDef | undefined; key: string; header: string }[];
  scan: ScanOptions;
  /** Row filter applied on top of the scan (createdAt windows, activity type ids, program ids). */
  accept: (row: Row) => boolean;
  delimiter: string;
  lineEnding: string;
  nullLiteralRatio: number;
  nulRatio: number;
  /** Declared attribute dataTypes per activity type, so datetime attributes are written as datetimes. */
  attributeTypes?: AttributeTypes;
}

/** FNV-1a over a cell's identity → [0, 1): decides quirks per cell without randomness. */
function cellHash(rowKey: unknown, column: string, salt: string): number {
  let hash = 0x811c9dc5;
  const text = `${String(rowKey)}\u0000${column}\u0000${salt}`;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/** Activity attributes ([{name, value}]) as the bulk file has them: one JSON object keyed by display name. */
function attributesObject(value: unknown): string | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const out: Record<string, unknown> = {};
  for (const item of value as { name?: unknown; value?: unknown }[]) if (item && typeof item.name === 'string') out[item.name] = item.value ?? null;
  return JSON.stringify(out);
}

function cellText(field: FieldDef | undefined, key: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (key === 'attributes') return attributesObject(value);
  if (typeof value === 'number' && field?.type === 'datetime') return restDate(value as Millis);
  if (typeof value === 'number' && field?.type === 'date') return dateOnly(value as Millis);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The export file as text chunks: header line, then one line per accepted row (counted into `counter.rows`). */
export function* fileChunks(plan: FilePlan, counter: { rows: number } = { rows: 0 }): Generator<string> {
  const { table, columns } = plan;
  const options = { delimiter: plan.delimiter, lineEnding: plan.lineEnding };
  yield csvLine(
    columns.map((column) => column.header),
    options,
  );
  let batch = '';
  for (const row of table.scan(plan.scan)) {
    if (!plan.accept(row)) continue;
    const rowKey = row[table.key];
    const values = columns.map(({ field, key }) => {
      const value = key === 'attributes' ? formatAttributes(row[key], plan.attributeTypes?.get(Number(row.activityTypeId))) : row[key];
      const text = cellText(field, key, value);
      if (text === null) {
        // Marketo writes most nulls as nothing, some as the literal text `null`.
        return plan.nullLiteralRatio > 0 && cellHash(rowKey, key, 'null') < plan.nullLiteralRatio ? 'null' : null;
      }
      if (plan.nulRatio > 0 && text !== '' && typeof row[key] === 'string' && cellHash(rowKey, key, 'nul') < plan.nulRatio) {
        const at = Math.floor(cellHash(rowKey, key, 'at') * text.length);
        return `${text.slice(0, at)}\u0000${text.slice(at)}`;
      }
      return text;
    });
    batch += csvLine(values, options);
    counter.rows += 1;
    if (batch.length >= 16_384) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}
