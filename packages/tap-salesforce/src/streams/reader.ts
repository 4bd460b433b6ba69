/**
 * The seam between a stream and the API that reads its rows. A reader runs one SOQL query and
 * yields its rows, keyed by field name, fetching more only as they are pulled. The REST reader is
 * one, bulk-reader.ts the other (Bulk API 2.0, with REST for what Bulk cannot serve); `chooseReader`
 * picks one per run from `api_type`.
 *
 * Contract for readers:
 * - Rows are plain objects of field name → value; values may be JSON values (REST) or CSV
 *   strings (Bulk): convert.ts types both.
 * - `sorted: true` promises rows in the query's ORDER BY order, which lets the bookmark advance
 *   mid-object; a reader that cannot keep it says false and the bookmark moves at the end.
 * - Errors: throw `QueryTimeoutError` (errors.ts) when the query's window is too wide, and the
 *   stream splits the window and calls again with the halves; `InvalidLocatorError` when a
 *   result cursor is lost, and the stream re-queries from the last row it received. Anything
 *   else stops the stream.
 */
import type { Logger } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';
import type { QuerySpec } from '../soql.js';
import type { FieldDescribe, ObjectDescribe } from './describe.js';
import { DEFAULT_BULK_THRESHOLD_ROWS } from '../config.js';
import { bulkReader, type BulkReaderOptions } from './bulk-reader.js';
import { restReader } from './rest-reader.js';

export type RawRow = Record<string, unknown>;

export interface QueryRequest {
  object: ObjectDescribe;
  /** The query's parts, for readers that build their own SOQL... */
  spec: QuerySpec;
  /** ...and the SOQL they make, for those that do not. */
  soql: string;
  /** Describes of the selected fields (CSV readers need each column's type). */
  fields: readonly FieldDescribe[];
  /** Deleted rows too (queryAll): they carry IsDeleted=true. */
  includeDeleted: boolean;
  signal: AbortSignal;
  logger: Logger;
}

export interface QueryReader {
  readonly name: string;
  readonly sorted: boolean;
  read(client: SalesforceClient, request: QueryRequest): AsyncIterable<RawRow>;
}

/** The reader of every object for `REST` and `BULK`; AUTO decides per object (`autoReaders`). */
export function chooseReader(apiType: 'REST' | 'BULK', options: BulkReaderOptions = {}): QueryReader {
  return apiType === 'BULK' ? bulkReader(options) : restReader;
}

/**
 * AUTO for a sync, decided per object before its stream is made: objects with more rows than
 * the threshold get the Bulk reader, the others REST. Deciding here rather than on the first
 * window keeps REST objects sorted, so their bookmark still advances mid-object and a stopped
 * run resumes inside them; only Bulk objects move their bookmark once they are done.
 */
export async function autoReaders(
  client: SalesforceClient,
  objects: readonly ObjectDescribe[],
  options: BulkReaderOptions & { workers: number; logger: Logger },
): Promise<Map<string, QueryReader>> {
  const bulk = bulkReader(options);
  const threshold = options.thresholdRows ?? DEFAULT_BULK_THRESHOLD_ROWS;
  const readers = new Map<string, QueryReader>();
  const queue = [...objects];
  const worker = async (): Promise<void> => {
    for (let object = queue.shift(); object; object = queue.shift()) {
      const soql = `SELECT COUNT() FROM ${object.name}`;
      const count = await client.json<{ totalSize: number }>(`query?q=${encodeURIComponent(soql)}`, {}, { quota: true, endpoint: 'query' });
      const large = count.totalSize > threshold;
      options.logger.info(`${object.name}: ${count.totalSize} rows (bulk_threshold_rows ${threshold}): ${large ? 'Bulk API 2.0' : 'REST'}`);
      readers.set(object.name, large ? bulk : restReader);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, objects.length)) }, worker));
  return readers;
}
