/**
 * REST `queryAll` (or `query`) with `nextRecordsUrl` followed by hand: jsforce's autoFetch stops
 * silently at maxFetch (10,000 by default) and re-issues the first query when a page lacks the
 * URL. An async generator, so the next page is requested only when the consumer has taken every
 * row of the current one: a slow target holds the tap, and no more than one page is in memory.
 */
import { FatalError, parseJsonLine } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';
import { PageReadError, unreadableBody } from '../errors.js';
import type { QueryReader, QueryRequest, RawRow } from './reader.js';
import { queryPath } from './url-limit.js';

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: RawRow[];
}

export async function* restPages(client: SalesforceClient, request: QueryRequest): AsyncGenerator<RawRow[]> {
  const resource = request.includeDeleted ? 'queryAll' : 'query';
  let path: string | undefined = queryPath(request.soql, request.includeDeleted);
  let pages = 0;
  while (path !== undefined) {
    request.signal.throwIfAborted();
    const response = await client.request(path, {}, { quota: true, signal: request.signal, endpoint: pages === 0 ? resource : `${resource}/more` });
    const page = await readPage(response, request);
    pages += 1;
    if (!page.done && !page.nextRecordsUrl) throw new FatalError(`${request.object.name}: Salesforce answered a query page with done=false and no nextRecordsUrl`);
    path = page.done ? undefined : page.nextRecordsUrl;
    if (page.records.length > 0) yield page.records;
  }
}

/**
 * A body that breaks off (undici's `terminated`, a reset) or ends short (truncated JSON) is a
 * PageReadError: windows.ts queries again after the last row yielded, as for a lost locator.
 */
async function readPage(response: Response, request: QueryRequest): Promise<QueryPage> {
  try {
    // parseJsonLine, not JSON.parse: a currency amount or number beyond a double's 15-17 digits
    // stays exact (a JsonNumber); pages without such numbers take JSON.parse all the same.
    return parseJsonLine(await response.text()) as QueryPage;
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new PageReadError(`a query page could not be read (${unreadableBody(error)})`, { cause: error });
  }
}

export const restReader: QueryReader = {
  name: 'REST',
  sorted: true,
  async *read(client, request) {
    for await (const records of restPages(client, request)) yield* records;
  },
};
