/** Plain-fetch helpers for the Zuora simulator tests (what a tap would do, minus retries). */
import type { ZuoraSimulator } from '../../src/zuora/index.js';
import { parseCsv } from './csv.js';

export { parseCsv };

export type Json = Record<string, any>;

export async function getToken(zuora: ZuoraSimulator, base = zuora.url): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: zuora.scenario.clientId, client_secret: zuora.scenario.clientSecret, grant_type: 'client_credentials' }),
  });
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as Json).access_token as string;
}

export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}

export async function call(zuora: ZuoraSimulator, token: string, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Json; text: string }> {
  const res = await fetch(`${zuora.url}${path}`, {
    method,
    headers: bearer(token, body === undefined ? extra : { 'content-type': 'application/json', ...extra }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // not JSON (CSV, XML)
  }
  return { status: res.status, headers: res.headers, json, text };
}

export function aquaPayload(query: string, options: Json = {}): Json {
  const { deleted, ...rest } = options;
  return {
    name: 'Account_1',
    partner: 'salesforce',
    project: 'Account_1',
    format: 'csv',
    version: '1.2',
    encrypted: 'none',
    useQueryLabels: 'true',
    dateTimeUtc: 'true',
    queries: [{ name: 'Account_1', query, type: 'zoqlexport', ...(deleted ? { deleted } : {}) }],
    ...rest,
  };
}

const TERMINAL = new Set(['completed', 'error', 'aborted', 'cancelled']);

/** Polls an AQuA job until it is terminal; returns the statuses seen and the last body. */
export async function pollAqua(zuora: ZuoraSimulator, token: string, id: string, maxPolls = 20): Promise<{ statuses: string[]; job: Json }> {
  const statuses: string[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const { json } = await call(zuora, token, 'GET', `/v1/batch-query/jobs/${id}`);
    statuses.push(json.status as string);
    if (TERMINAL.has(json.status as string)) return { statuses, job: json };
  }
  throw new Error(`job ${id} not finished after ${maxPolls} polls: ${statuses.join(',')}`);
}

/** Submit, poll, download every file; returns the job and the CSV rows (header first) of each file. */
export async function runAqua(zuora: ZuoraSimulator, token: string, payload: Json): Promise<{ job: Json; files: string[][][]; texts: string[] }> {
  const submitted = await call(zuora, token, 'POST', '/v1/batch-query/', payload);
  if (!submitted.json.id) throw new Error(`submit failed: ${submitted.text}`);
  const { job } = await pollAqua(zuora, token, submitted.json.id as string);
  const batch = (job.batches as Json[])[0] as Json;
  const ids: string[] = (batch.segments as string[] | undefined) ?? (batch.fileId ? [batch.fileId as string] : []);
  const files: string[][][] = [];
  const texts: string[] = [];
  for (const id of ids) {
    const file = await call(zuora, token, 'GET', `/v1/file/${id}`);
    texts.push(file.text);
    files.push(parseCsv(file.text));
  }
  return { job, files, texts };
}
