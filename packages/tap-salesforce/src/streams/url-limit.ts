/**
 * A REST query travels in the URL of a GET, and Salesforce refuses URLs beyond 16,384 bytes: an
 * object with hundreds of custom fields selected cannot be queried through REST at all. Bulk API
 * 2.0 takes the SOQL in a POST body (up to 100,000 characters), so such an object is read through
 * Bulk whatever `api_type` says (reader.ts, auto-reader.ts); where Bulk cannot read it either,
 * the stream fails naming both reasons (bulk-reader.ts). The limit leaves room below 16,384 for
 * the bytes a proxy or the server counts besides the URL. The check measures the longest query a
 * stream can send (both window bounds and the tie-breaker set, as a re-query after a broken page
 * has them), so a choice made when the stream starts holds for every query it sends.
 */
import type { SalesforceClient } from '../client.js';
import { buildSoql, type QuerySpec } from '../soql.js';
import type { ObjectDescribe } from './describe.js';
import { plannedFields } from './extract.js';
import { validReplicationKeys } from './support.js';

export const MAX_QUERY_URL_BYTES = 16_000;

/** The REST resource and its `q` parameter, relative to the API version's base URL. */
export function queryPath(soql: string, includeDeleted: boolean): string {
  return `${includeDeleted ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
}

const LONGEST_DATETIME = '2000-01-01T00:00:00.000Z';
const LONGEST_ID = 'a'.repeat(18);

/** Bytes of the URL of the longest REST query a stream reading `spec` can send. */
export function longestQueryUrlBytes(client: Pick<SalesforceClient, 'url'>, spec: QuerySpec, includeDeleted: boolean): number {
  const soql = buildSoql({ ...spec, window: { from: LONGEST_DATETIME, to: LONGEST_DATETIME, afterId: LONGEST_ID } });
  return Buffer.byteLength(client.url(queryPath(soql, includeDeleted)));
}

/** Why REST cannot read `spec` (naming the object and its field count), or undefined when it can. */
export function restTooLong(client: Pick<SalesforceClient, 'url'>, spec: QuerySpec, includeDeleted: boolean): string | undefined {
  const bytes = longestQueryUrlBytes(client, spec, includeDeleted);
  if (bytes <= MAX_QUERY_URL_BYTES) return undefined;
  return `${spec.object}: a REST query of its ${spec.fields.length} fields is a URL of up to ${bytes} bytes, more than the ${MAX_QUERY_URL_BYTES} Salesforce accepts`;
}

/** Whether some selection of the object's fields could be too long for REST: every field selected. */
export function mayBeTooLongForRest(client: Pick<SalesforceClient, 'url'>, object: ObjectDescribe): boolean {
  const everyField = new Set(object.fields.map((field) => field.name));
  const key = validReplicationKeys(object)[0];
  const spec: QuerySpec = { object: object.name, fields: plannedFields(object, everyField, key).query.map((field) => field.name), ...(key ? { replicationKey: key } : {}), window: {} };
  return restTooLong(client, spec, true) !== undefined;
}
