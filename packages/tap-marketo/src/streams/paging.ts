/** The two ways Marketo pages REST lists, one page fetched each time the consumer needs more. */
import type { MarketoClient } from '../client.js';

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

/**
 * Lead-database lists (`lists.json`): `batchSize` (at most 300) and a
 * `nextPageToken` that is absent on the last page.
 */
export async function* tokenPages(client: MarketoClient, path: string, signal: AbortSignal): AsyncGenerator<Item> {
  let token: string | undefined;
  do {
    const body = await client.get<Item>(`${client.restUrl}/v1/${path}`, { batchSize: 300, nextPageToken: token }, { signal });
    yield* body.result ?? [];
    token = body.nextPageToken;
  } while (token);
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
