/**
 * The records of one object: where to start from the bookmark, which fields to query, rows
 * typed by the schema, deletes flagged, and the resume position saved with every record.
 *
 * Resume position: rows come ordered by (replication key, Id), and with each record the tap
 * saves its Id as `last_id` next to the SDK's `replication_key_value`. A run that starts from
 * such a bookmark asks for `key > value OR (key = value AND Id > last_id)`, so a stop in the
 * middle of thousands of rows sharing one SystemModstamp loses none and repeats none. After a
 * completed run the same position is kept, unless `lookback_window` is set: the next run then
 * starts `lookback_window` seconds before the bookmark with `>=` and reads that span again, to
 * catch rows committed late with an earlier timestamp. FULL_TABLE streams read in Id order and
 * resume after `full_table_last_id` within one table version. A Bulk API 2.0 read, unsorted,
 * resumes from its job's results instead (`bulk_job`, see bulk-resume.ts).
 */
import type { StreamContext, TapRecord } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';
import type { SalesforceConfig } from '../config.js';
import { buildSoql, type QuerySpec, type QueryWindow } from '../soql.js';
import { converterFor, toIsoDatetime, type Converter } from './convert.js';
import { BulkResume, KeyMax } from './bulk-resume.js';
import type { FieldDescribe, ObjectDescribe } from './describe.js';
import type { QueryReader, ReaderSource } from './reader.js';
import { fieldShape } from './schema.js';
import { readWindow, type WindowOptions } from './windows.js';

export const DELETED_AT = '_sdc_deleted_at';

export interface ExtractPlan {
  object: ObjectDescribe;
  client: SalesforceClient;
  reader: ReaderSource;
  lookbackSeconds: number;
  window?: WindowOptions;
}

type Context = StreamContext<SalesforceConfig>;

/** The first window of this run, from the bookmark (see the module comment). */
export function startWindow(context: Pick<Context, 'bookmark' | 'replicationKey' | 'startingValue'>, lookbackSeconds: number): QueryWindow {
  const { bookmark, replicationKey } = context;
  if (!replicationKey) return typeof bookmark.full_table_last_id === 'string' ? { afterId: bookmark.full_table_last_id } : {};
  const own = bookmark.replication_key === replicationKey && typeof bookmark.replication_key_value === 'string';
  if (own && typeof bookmark.last_id === 'string') return { from: bookmark.replication_key_value as string, afterId: bookmark.last_id };
  const start = context.startingValue;
  if (typeof start !== 'string') return {};
  if (own && lookbackSeconds > 0) return { from: new Date(Date.parse(start) - lookbackSeconds * 1000).toISOString() };
  return { from: start };
}

/**
 * The fields to emit (selected and extractable) and the ones to query (those plus what deletes
 * and resuming need). `deletes`: `_sdc_deleted_at` is emitted, from `deletedFrom` when the object
 * has a modification time, else from the time of extraction.
 */
export function plannedFields(
  object: ObjectDescribe,
  selected: ReadonlySet<string>,
  replicationKey: string | undefined,
): { emit: FieldDescribe[]; query: FieldDescribe[]; deletes: boolean; deletedFrom?: string } {
  const byName = new Map(object.fields.map((field) => [field.name, field]));
  const extractable = (field: FieldDescribe | undefined): field is FieldDescribe => field !== undefined && !fieldShape(field).unsupported;
  const emit = object.fields.filter((field) => selected.has(field.name) && extractable(field));
  const query = new Set(emit);
  const need = (name: string | undefined) => {
    const field = name ? byName.get(name) : undefined;
    if (extractable(field)) query.add(field);
  };
  need('Id');
  need(replicationKey);
  let deletedFrom: string | undefined;
  const deletes = selected.has(DELETED_AT) && byName.has('IsDeleted');
  if (deletes) {
    need('IsDeleted');
    // When a row was deleted: its last modification, which the delete itself is.
    deletedFrom = ['SystemModstamp', 'LastModifiedDate'].find((name) => byName.has(name));
    need(deletedFrom);
  }
  return { emit, query: [...query], deletes, ...(deletedFrom ? { deletedFrom } : {}) };
}

export async function* extractRecords(plan: ExtractPlan, context: Context): AsyncGenerator<TapRecord> {
  const { object } = plan;
  const key = context.replicationKey;
  const fields = plannedFields(object, context.selectedProperties, key);
  const missing = [...context.selectedProperties].filter((name) => name !== DELETED_AT && !object.fields.some((field) => field.name === name));
  if (missing.length > 0) context.logger.warn(`selected fields no longer in the describe of ${object.name}, emitted as absent: ${missing.join(', ')}`);
  const converters: Array<[string, Converter]> = fields.emit.map((field) => [field.name, converterFor(field)]);
  const hasIsDeleted = object.fields.some((field) => field.name === 'IsDeleted');
  const spec: QuerySpec = { object: object.name, fields: fields.query.map((field) => field.name), ...(key ? { replicationKey: key } : {}), window: startWindow(context, plan.lookbackSeconds) };
  // Unsorted readers: the highest replication key value read and the highest Id among its rows,
  // the exact resume position once the object is read whole (see the end).
  const max = new KeyMax();
  const bulkResume = new BulkResume(context.bookmark.bulk_job, max, (job) => context.saveBookmark({ bulk_job: job }));
  const base = { object, fields: fields.query, includeDeleted: hasIsDeleted, signal: context.signal, logger: context.logger, bulkResume };
  const deletedAt = fields.deletedFrom;
  const extractedAt = new Date().toISOString();
  const reader: QueryReader = 'choose' in plan.reader ? await plan.reader.choose(plan.client, { ...base, spec, soql: buildSoql(spec) }) : plan.reader;
  const sorted = reader.sorted;

  for await (const row of readWindow(plan.client, reader, base, spec, plan.window)) {
    const record: TapRecord = {};
    for (const [name, convert] of converters) record[name] = convert(row[name] ?? null);
    if (fields.deletes) {
      const deleted = row.IsDeleted === true || row.IsDeleted === 'true';
      record[DELETED_AT] = deleted ? ((deletedAt !== undefined ? toIsoDatetime(row[deletedAt]) : undefined) ?? extractedAt) : null;
    }
    // Saved before the record goes out, so the STATE that covers it carries its position. Only a
    // sorted reader has one: an unsorted one's bookmark moves at the end of the object. The key
    // value is saved here too, not left to the SDK, which sees AUTO streams as unsorted.
    if (sorted) {
      const id = String(row.Id);
      const value = key ? record[key] : undefined;
      if (!key) context.saveBookmark({ full_table_last_id: id });
      else context.saveBookmark(typeof value === 'string' ? { replication_key: key, replication_key_value: value, last_id: id } : { last_id: id });
    } else if (key) {
      const value = record[key] ?? toIsoDatetime(row[key]);
      if (typeof value === 'string') max.add(value, String(row.Id));
    }
    yield record;
  }
  await bulkResume.finish(plan.client, context.logger);
  if (!sorted && key && max.value !== undefined && max.id !== undefined) {
    // Every row up to the highest value has been read, by this run or (a resumed Bulk job) the
    // one it resumes, so the next run resumes after the highest of that value's Ids (or the
    // previous run's, for rows at an unchanged bookmark). The value is saved here, not left to
    // the SDK, which knows only this run's rows.
    const { bookmark } = context;
    const maxKey = max.value;
    const previous = bookmark.replication_key === key && bookmark.replication_key_value === maxKey && typeof bookmark.last_id === 'string' ? bookmark.last_id : undefined;
    const startedAt = bookmark.replication_key === key && typeof bookmark.replication_key_value === 'string' ? bookmark.replication_key_value : undefined;
    if (startedAt === undefined || maxKey >= startedAt) {
      context.saveBookmark({ replication_key: key, replication_key_value: maxKey, last_id: previous !== undefined && previous > max.id ? previous : max.id });
    }
  }
  // The object is done: a full table starts over next time, and a lookback re-reads with `>=`.
  if (!key) context.saveBookmark({ full_table_last_id: undefined });
  else if (plan.lookbackSeconds > 0) context.saveBookmark({ last_id: undefined });
}
