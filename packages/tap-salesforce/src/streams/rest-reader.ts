/**
 * REST `queryAll` (or `query`) with `nextRecordsUrl` followed by hand: jsforce's autoFetch stops
 * silently at maxFetch (10,000 by default) and re-issues the first query when a page lacks the
 * URL. An async generator, so the next page is requested only when the consumer has taken every
 * row of the current one: a slow target holds the tap, and no more than one page is in memory.
 */
import { FatalError } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';
import type { QueryReader, QueryRequest, RawRow } from './reader.js';

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: RawRow[];
}

export async function* restPages(client: SalesforceClient, request: QueryRequest): AsyncGenerator<RawRow[]> {
  const resource = request.includeDeleted ? 'queryAll' : 'query';
  let path: string | undefined = `${resource}?q=${encodeURIComponent(request.soql)}`;
  let pages = 0;
  while (path !== undefined) {
    request.signal.throwIfAborted();
    const page: QueryPage = await client.json<QueryPage>(path, {}, { quota: true, signal: request.signal, endpoint: pages === 0 ? resource : `${resource}/more` });
    pages += 1;
    if (!page.done && !page.nextRecordsUrl) throw new FatalError(`${request.object.name}: Salesforce answered a query page with done=false and no nextRecordsUrl`);
    path = page.done ? undefined : page.nextRecordsUrl;
    if (page.records.length > 0) yield page.records;
  }
}

export const restReader: QueryReader = {
  name: 'REST',
  sorted: true,
  async *read(client, request) {
    for await (const records of restPages(client, request)) yield* records;
  },
};
