/**
 * The seam between a stream and the API that reads its rows. A reader runs one SOQL query and
 * yields its rows, keyed by field name, fetching more only as they are pulled. The REST reader is
 * the only one so far; a Bulk API 2.0 reader plugs in by implementing `QueryReader` and being
 * returned from `chooseReader`.
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
import type { ApiType } from '../config.js';
import type { QuerySpec } from '../soql.js';
import type { FieldDescribe, ObjectDescribe } from './describe.js';
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

/** The reader for a run (called once per run); `BULK` and `AUTO` wait for the Bulk API 2.0 reader and use REST meanwhile. */
export function chooseReader(apiType: ApiType | undefined, logger: Logger): QueryReader {
  if (apiType !== undefined && apiType !== 'REST') {
    logger.warn(`api_type ${apiType}: the Bulk API 2.0 reader is not available in this version; reading through REST`);
  }
  return restReader;
}
