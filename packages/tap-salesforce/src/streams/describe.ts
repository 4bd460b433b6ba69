/**
 * describeGlobal, then describe of each object through `/composite/batch` (25 sub-requests per
 * call, one API call each), several batches at a time up to `max_workers`.
 */
import { FatalError, type Logger } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';

/** The describe keys the tap reads (real describes carry about fifty per field). */
export interface FieldDescribe {
  name: string;
  label: string;
  type: string;
  soapType?: string;
  nillable?: boolean;
  custom?: boolean;
  calculated?: boolean;
  compoundFieldName?: string | null;
  filterable?: boolean;
  sortable?: boolean;
}

export interface ObjectDescribe {
  name: string;
  label: string;
  custom?: boolean;
  queryable?: boolean;
  retrieveable?: boolean;
  replicateable?: boolean;
  associateEntityType?: string | null;
  deprecatedAndHidden?: boolean;
  fields: FieldDescribe[];
}

interface GlobalDescribe {
  sobjects: Array<{ name: string }>;
}

interface BatchResponse {
  results: Array<{ statusCode: number; result: unknown }>;
}

/** Salesforce's ceiling on sub-requests in one composite batch. */
export const BATCH_SIZE = 25;

export async function describeGlobal(client: SalesforceClient): Promise<string[]> {
  const global = await client.json<GlobalDescribe>('sobjects');
  return global.sobjects.map((object) => object.name);
}

/**
 * Describes of the named objects, in the order given. An object the org does not have is a
 * FatalError naming it when `strict` (the user asked for it), else skipped with a warning.
 */
export async function describeObjects(client: SalesforceClient, names: string[], options: { workers: number; logger: Logger; strict: boolean }): Promise<ObjectDescribe[]> {
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += BATCH_SIZE) batches.push(names.slice(i, i + BATCH_SIZE));
  const results: ObjectDescribe[][] = new Array(batches.length);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      results[index] = await describeBatch(client, batches[index]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.workers, batches.length) }, worker));
  return results.flat();
}

async function describeBatch(client: SalesforceClient, names: string[], options: { logger: Logger; strict: boolean }): Promise<ObjectDescribe[]> {
  const body = JSON.stringify({
    haltOnError: false,
    batchRequests: names.map((name) => ({ method: 'GET', url: `v${client.version}/sobjects/${encodeURIComponent(name)}/describe` })),
  });
  const response = await client.json<BatchResponse>('composite/batch', { method: 'POST', body, headers: { 'content-type': 'application/json' } }, { idempotent: true, endpoint: 'composite/batch' });
  const out: ObjectDescribe[] = [];
  response.results.forEach((item, i) => {
    const name = names[i]!;
    if (item.statusCode === 200 && item.result && typeof item.result === 'object') {
      out.push(item.result as ObjectDescribe);
      return;
    }
    const reason = Array.isArray(item.result) ? (item.result as Array<{ errorCode?: string; message?: string }>).map((e) => `${e.errorCode}: ${e.message}`).join('; ') : `HTTP ${item.statusCode}`;
    if (options.strict) throw new FatalError(`cannot describe Salesforce object "${name}": ${reason}`);
    options.logger.warn(`object "${name}" skipped: its describe failed (${reason})`);
  });
  return out;
}
