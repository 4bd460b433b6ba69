/** The two ways Marketo pages REST lists, one page fetched each time the consumer needs more. */
import type { Logger } from '@singer-io-ts/sdk';
import type { MarketoClient } from '../client.js';
import { MarketoRequestError } from '../errors.js';

type Item = Record<string, unknown>;

/**
 * Asset API lists (`programs.json`, `smartCampaigns.json`, `emails.json`, `landingPages.json`): `offset`/`maxReturn`
 * (at most 200), and the end told by an absent or empty `result` with the warning
 * "No assets found for the given search criteria".
 */
export async function* assetPages(client: MarketoClient, path: string, signal: AbortSignal, params: Record<string, string> = {}): AsyncGenerator<Item> {
  const maxReturn = 200;
  for (let offset = 0; ; offset += maxReturn) {
    const body = await client.get<Item>(`${client.restUrl}/asset/v1/${path}`, { ...params, maxReturn, offset }, { signal });
    const items = body.result ?? [];
    yield* items;
    if (items.length < maxReturn) return;
  }
}

/** Reads of a list started over after its page token expired, before the read fails. */
const MAX_TOKEN_RESTARTS = 3;

/**
 * Lead-database lists (`lists.json`): `batchSize` (at most 300) and a `nextPageToken` that is
 * absent on the last page. The token marks a position and expires (about an hour): a read that
 * outlives it (Marketo answers 1003, "invalid value") starts over, skipping the ids already given.
 */
export async function* tokenPages(client: MarketoClient, path: string, signal: AbortSignal, options: { logger: Logger; batchSize?: number }): AsyncGenerator<Item> {
  const given = new Set<unknown>();
  for (let restart = 0; ; restart++) {
    let token: string | undefined;
    try {
      do {
        const body = await client.get<Item>(`${client.restUrl}/v1/${path}`, { batchSize: options.batchSize ?? 300, nextPageToken: token }, { signal });
        for (const item of body.result ?? []) {
          if (given.has(item.id)) continue;
          given.add(item.id);
          yield item;
        }
        token = body.nextPageToken;
      } while (token);
      return;
    } catch (error) {
      const expired = token !== undefined && error instanceof MarketoRequestError && error.code === '1003';
      if (!expired || restart >= MAX_TOKEN_RESTARTS) throw error;
      options.logger.warn(`${path}: the page token was refused (${error.message}); reading again from the start, skipping the ${given.size} items already read`);
    }
  }
}

/**
 * `activities.json`-style paging from `activities/pagingtoken.json`: a `nextPageToken` always
 * comes back, `moreResult` says whether to go on, and pages may have no `result` at all.
 */
export async function* activityPages(client: MarketoClient, path: string, since: string, signal: AbortSignal, params: Record<string, string> = {}): AsyncGenerator<Item> {
  const start = await client.get(`${client.restUrl}/v1/activities/pagingtoken.json`, { sinceDatetime: since }, { signal });
  let token = start.nextPageToken;
  for (;;) {
    const body = await client.get<Item>(`${client.restUrl}/v1/${path}`, { ...params, nextPageToken: token, batchSize: 300 }, { signal });
    yield* body.result ?? [];
    if (!body.moreResult || !body.nextPageToken) return;
    token = body.nextPageToken;
  }
}
