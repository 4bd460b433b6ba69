/**
 * `api_type` AUTO: each object's reader is chosen when its stream starts, from a count of the
 * rows this run would read (the bookmark's window), so a large object goes through Bulk API 2.0
 * for its first run and through REST for its small increments after. Counting inside the stream,
 * not before the sync, puts the count under the sync's handling: the quota guard or the daily
 * limit on it is a clean stop with state, like any other call of the stream. An object whose query
 * is too long for a REST URL goes through Bulk uncounted (url-limit.ts).
 */
import type { SalesforceClient } from '../client.js';
import { QueryTimeoutError } from '../errors.js';
import { buildCountSoql } from '../soql.js';
import type { QueryReader, QueryRequest, ReaderChoice } from './reader.js';
import { restReader } from './rest-reader.js';
import { queryPath, restTooLong } from './url-limit.js';

export function autoReader(bulk: QueryReader, thresholdRows: number): ReaderChoice {
  return {
    sorted: false,
    async choose(client: SalesforceClient, request: QueryRequest): Promise<QueryReader> {
      const tooLong = restTooLong(client, request.spec, request.includeDeleted);
      if (tooLong) {
        request.logger.info(`${tooLong}: ${bulk.name}`);
        return bulk;
      }
      const resource = request.includeDeleted ? 'queryAll' : 'query';
      let counted: string;
      let large: boolean;
      try {
        const { totalSize } = await client.json<{ totalSize: number }>(queryPath(buildCountSoql(request.spec), request.includeDeleted), {}, { quota: true, signal: request.signal, endpoint: `${resource}/count` });
        large = totalSize > thresholdRows;
        counted = `${totalSize} rows to read`;
      } catch (error) {
        // Too many rows to count in time is what Bulk is made for.
        if (!(error instanceof QueryTimeoutError)) throw error;
        large = true;
        counted = 'COUNT() timed out (QUERY_TIMEOUT)';
      }
      const reader = large ? bulk : restReader;
      request.logger.info(`${request.object.name}: ${counted} (bulk_threshold_rows ${thresholdRows}): ${reader.name}`);
      return reader;
    },
  };
}
