/**
 * Which fields and objects an export can read. Describe can list what a job then refuses (a
 * field of a newer WSDL version, a module the tenant has no licence for): the refused part is
 * found with throw-away stateless AQuA queries (refused at submit, or submitted and deleted).
 */
import type { ZuoraClient } from './client.js';
import { AquaError } from './errors.js';
import { cancelAquaJob } from './jobs.js';

/** True when AQuA accepts the query; an accepted probe job is deleted at once. */
export async function aquaAccepts(client: ZuoraClient, query: string): Promise<boolean> {
  try {
    const job = await client.json<{ id?: string }>(
      '/v1/batch-query/',
      { method: 'POST', body: JSON.stringify({ format: 'csv', version: '1.0', encrypted: 'none', name: 'tap-zuora probe', queries: [{ name: 'probe', query, type: 'zoqlexport' }] }), headers: { 'content-type': 'application/json' } },
      { idempotent: true, endpoint: 'aqua.probe' },
    );
    if (job.id) await cancelAquaJob(client, job.id);
    return true;
  } catch (error) {
    if (error instanceof AquaError && error.code === '90005') return false;
    throw error;
  }
}

/** The selections of `selects` that AQuA refuses, found by halving (log2 probes per refused one). */
export async function refusedSelections(client: ZuoraClient, object: string, selects: string[]): Promise<string[]> {
  if (selects.length === 0) return [];
  if (await aquaAccepts(client, `select ${selects.join(', ')} from ${object} limit 1`)) return [];
  if (selects.length === 1) return selects;
  const middle = Math.ceil(selects.length / 2);
  return [...(await refusedSelections(client, object, selects.slice(0, middle))), ...(await refusedSelections(client, object, selects.slice(middle)))];
}

/**
 * The selection a CRUD export error names (`invalid field for query: Account.Region__c` on
 * Account → `Region__c`; `BillToContact.Id` → `BillToContact.Id`; `Cannot use the BillRunId field
 * in the select clause` → `BillRunId`). Zuora may write it in another case than the query did
 * (`account.region__c`): callers compare without case.
 */
export function selectionNamedInError(object: string, message: string): string | undefined {
  const unusable = /cannot use the (\w+) field in the select clause/i.exec(message);
  if (unusable) return unusable[1];
  const match = /invalid field for query: (?:(\w+)\.)?(\w+)/i.exec(message);
  if (!match) return undefined;
  const [, prefix, field] = match;
  return prefix === undefined || prefix.toLowerCase() === object.toLowerCase() ? field : `${prefix}.${field}`;
}
