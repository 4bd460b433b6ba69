/**
 * The seam between a stream and the API that reads its rows. A reader runs one SOQL query and
 * yields its rows, keyed by field name, fetching more only as they are pulled. The REST reader is
 * one, bulk-reader.ts the other (Bulk API 2.0, with REST for what Bulk cannot serve); `readerFor`
 * picks from `api_type`: one for every object (BULK), one per object (AUTO), REST save for the
 * objects whose query is too long for a REST URL (url-limit.ts).
 *
 * Contract for readers:
 * - Rows are plain objects of field name → value; values may be JSON values (REST) or CSV
 *   strings (Bulk): convert.ts types both.
 * - `sorted: true` promises rows in the query's ORDER BY order, which lets the bookmark advance
 *   mid-object; a reader that cannot keep it says false and the bookmark moves at the end.
 * - Errors: throw `QueryTimeoutError` (errors.ts) when the query's window is too wide, and the
 *   stream splits the window and calls again with the halves; a `RequeryError` when the rest of
 *   the results cannot be read (a lost cursor, a page that broke off), and the stream re-queries
 *   from the last row it received. Anything else stops the stream.
 */
import type { Logger } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';
import type { ApiType } from '../config.js';
import type { QuerySpec } from '../soql.js';
import { autoReader } from './auto-reader.js';
import { bulkReader, type BulkReaderOptions } from './bulk-reader.js';
import type { BulkResume } from './bulk-resume.js';
import type { FieldDescribe, ObjectDescribe } from './describe.js';
import { restReader } from './rest-reader.js';
import { mayBeTooLongForRest, restTooLong } from './url-limit.js';

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
  /** Where a Bulk job is kept between runs (bulk-resume.ts); other readers ignore it. */
  bulkResume?: BulkResume;
}

export interface QueryReader {
  readonly name: string;
  readonly sorted: boolean;
  read(client: SalesforceClient, request: QueryRequest): AsyncIterable<RawRow>;
}

/**
 * `api_type` AUTO: the reader is chosen per object when its stream starts (auto-reader.ts). The
 * stream is declared unsorted, as a Bulk choice cannot be sorted; a REST choice still moves the
 * bookmark mid-object, since extract.ts saves the position of a sorted reader itself.
 */
export interface ReaderChoice {
  readonly sorted: false;
  choose(client: SalesforceClient, request: QueryRequest): Promise<QueryReader>;
}

/** What a stream reads its object with: one reader, or a choice made when the stream starts. */
export type ReaderSource = QueryReader | ReaderChoice;

/** What a stream of `object` reads with; `client` has the instance URL a REST query is sent to. */
export type ReaderFor = (object: ObjectDescribe, client: SalesforceClient) => ReaderSource;

/** `thresholdRows`: AUTO reads through Bulk the objects with more rows than this to read. */
export function readerFor(apiType: ApiType, options: BulkReaderOptions & { thresholdRows: number }): ReaderFor {
  const { thresholdRows, ...bulkOptions } = options;
  const bulk = bulkReader(bulkOptions);
  if (apiType === 'BULK') return () => bulk;
  if (apiType === 'AUTO') {
    const auto = autoReader(bulk, thresholdRows);
    return () => auto;
  }
  // REST: an object that may be too wide for a REST URL is decided when its stream starts, from
  // the fields selected then; declared unsorted, as a Bulk read is. The others stay sorted.
  const wide = restUnlessTooLong(bulk);
  return (object, client) => (mayBeTooLongForRest(client, object) ? wide : restReader);
}

function restUnlessTooLong(bulk: QueryReader): ReaderChoice {
  return {
    sorted: false,
    async choose(client, request) {
      const tooLong = restTooLong(client, request.spec, request.includeDeleted);
      if (!tooLong) return restReader;
      request.logger.warn(`${tooLong}: reading it through Bulk API 2.0 instead of REST (api_type REST)`);
      return bulk;
    },
  };
}
