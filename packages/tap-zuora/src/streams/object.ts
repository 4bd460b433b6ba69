/**
 * One stream per exportable Zuora object, generated from describe (tenants differ: custom fields,
 * licensed modules). A job that refuses part of the query (a field, deleted rows, the object)
 * narrows the query, says why, and reads on.
 */
import { errorMessage, type MetadataValues, type StreamContext, type StreamDefinition, type TapRecord } from '@singer-io-ts/sdk';
import { aquaAccepts, refusedSelections, selectionNamedInError } from '../availability.js';
import type { ZuoraClient } from '../client.js';
import { apiType, wantDeleted, wsdlVersion, type ZuoraConfig } from '../config.js';
import { describeObject, type ZuoraObject } from '../describe.js';
import { AquaError, CrudError, FileGoneError, ZuoraUnavailableError } from '../errors.js';
import type { JobSlots } from '../job-slots.js';
import { outageStop, readObject, sortedRows, type ReaderOptions } from './reader.js';
import { DELETED_AT, planObject, type Column, type ObjectPlan } from './schema.js';

export interface StreamDeps {
  client: ZuoraClient;
  reader: ReaderOptions;
  slots: JobSlots;
}

/** What discovery found out about an object beyond describe. */
export interface Availability {
  /** Why no export can read the object. */
  unavailable?: string;
  /** Fields describe lists but exports refuse, with why. */
  rejected?: Record<string, string>;
}

type Refusal = { unavailable: string } | { rejected: Record<string, string> } | undefined;

/** Why a job refused a query: the object, or which of its columns. */
async function explainRefusal(client: ZuoraClient, config: ZuoraConfig, object: ZuoraObject, columns: Column[], error: unknown): Promise<Refusal> {
  if (error instanceof CrudError) {
    if (/noSuchDataSource/i.test(error.detail)) return { unavailable: error.detail };
    // Zuora does not keep the case of the query in its messages.
    const selection = selectionNamedInError(object.name, error.detail)?.toLowerCase();
    const column = columns.find((c) => c.select.toLowerCase() === selection);
    return column ? { rejected: { [column.property]: `refused by the export: ${error.detail}` } } : undefined;
  }
  if (!(error instanceof AquaError) || error.code !== '90005') return undefined;
  let fresh: ZuoraObject;
  try {
    fresh = await describeObject(client, object.name);
  } catch (describeError) {
    if (describeError instanceof FileGoneError) return { unavailable: `describe no longer lists it: ${errorMessage(describeError)}` };
    throw describeError;
  }
  const now = new Set(planObject(fresh).columns.map((c) => c.property));
  const gone = columns.filter((c) => !now.has(c.property));
  if (gone.length > 0) return { rejected: Object.fromEntries(gone.map((c) => [c.property, `refused by the export and gone from describe (WSDL version ${wsdlVersion(config)})`])) };
  if (!(await aquaAccepts(client, `select Id from ${object.name} limit 1`))) return { unavailable: `AQuA refuses every query on it (${error.message})` };
  const refused = await refusedSelections(client, object.name, columns.map((c) => c.select));
  if (refused.length === 0) return undefined;
  return { rejected: Object.fromEntries(columns.filter((c) => refused.includes(c.select)).map((c) => [c.property, `refused by AQuA (${error.message})`])) };
}

/** Discovery's check (AQuA): one throw-away query with every column, narrowed down only when refused. */
export async function checkAvailability(client: ZuoraClient, object: ZuoraObject): Promise<Availability> {
  const plan = planObject(object);
  if (await aquaAccepts(client, `select ${plan.columns.map((c) => c.select).join(', ')} from ${object.name} limit 1`)) return {};
  if (!(await aquaAccepts(client, `select Id from ${object.name} limit 1`))) return { unavailable: 'AQuA refuses every query on it: the tenant has no access to this object (module not licensed or not exportable)' };
  const refused = new Set(await refusedSelections(client, object.name, plan.columns.map((c) => c.select)));
  return { rejected: Object.fromEntries(plan.columns.filter((c) => refused.has(c.select)).map((c) => [c.property, 'refused by AQuA at discovery (syntax error 90005 for this field alone)'])) };
}

/** Refusals a run survives before giving up: each one removes something from the query. */
const MAX_REFUSALS = 5;

async function* records(object: ZuoraObject, initial: ObjectPlan, deps: StreamDeps, context: StreamContext<ZuoraConfig>, unavailable: string | undefined): AsyncGenerator<TapRecord> {
  if (unavailable) {
    context.logger.warn(`stream "${object.name}": skipped, ${unavailable}`);
    return;
  }
  try {
    yield* narrowingReads(object, initial, deps, context);
  } catch (error) {
    // An outage, in a job's calls or in the describe and probes that explain a refusal, loses nothing.
    if (error instanceof ZuoraUnavailableError) throw outageStop(object.name, error);
    throw error;
  }
}

/** Reads the object, leaving out what a job refuses (deleted rows, fields) and reading on. */
async function* narrowingReads(object: ZuoraObject, initial: ObjectPlan, deps: StreamDeps, context: StreamContext<ZuoraConfig>): AsyncGenerator<TapRecord> {
  const { config, logger } = context;
  let plan = initial;
  let deleted = apiType(config) === 'AQUA' && wantDeleted(config);
  let rejected: Record<string, string> = {};
  let startingValue = context.startingValue;
  for (let refusals = 0; ; refusals++) {
    const key = plan.replicationKey;
    // After a refusal the read restarts from the last row only when the rows before it are all in.
    const sorted = sortedRows(config, key);
    const columns = plan.columns.filter((c) => context.selectedProperties.has(c.property) || c.property === 'Id' || c.property === key);
    try {
      for await (const record of readObject({ client: deps.client, config, logger, plan, columns, wanted: context.selectedProperties, deleted, startingValue, bookmark: context.bookmark, saveBookmark: (values) => context.saveBookmark(values), signal: context.signal, options: deps.reader, slots: deps.slots })) {
        if (sorted && key && record[key] != null) startingValue = record[key];
        yield record;
      }
      return;
    } catch (error) {
      if (refusals >= MAX_REFUSALS) throw error;
      if (error instanceof AquaError && (error.code === '90017' || error.code === '90012') && deleted) {
        logger.warn(`stream "${object.name}": Zuora cannot export its deleted rows (${error.message}); reading it without them`);
        deleted = false;
        continue;
      }
      const refusal = await explainRefusal(deps.client, config, object, columns, error);
      if (!refusal) throw error;
      if ('unavailable' in refusal) {
        logger.warn(`stream "${object.name}": skipped, no export can read it: ${refusal.unavailable}`);
        return;
      }
      for (const [field, reason] of Object.entries(refusal.rejected)) logger.warn(`stream "${object.name}": field ${field} left out: ${reason}`);
      rejected = { ...rejected, ...refusal.rejected };
      plan = planObject(object, rejected);
    }
  }
}

export function objectStream(object: ZuoraObject, availability: Availability, deps: StreamDeps, config: ZuoraConfig): StreamDefinition<ZuoraConfig> {
  const plan = planObject(object, availability.rejected);
  const propertyMetadata: Record<string, MetadataValues> = {};
  for (const [property, label] of Object.entries(plan.labels)) propertyMetadata[property] = { label };
  for (const [property, reason] of Object.entries(plan.unsupported)) propertyMetadata[property] = { inclusion: 'unsupported', 'unsupported-description': reason };
  const key = plan.replicationKey;
  propertyMetadata[DELETED_AT] = { inclusion: 'automatic', label: `Deleted at (${key ?? 'extraction time'} of rows AQuA reports deleted)` };
  return {
    name: object.name,
    keyProperties: ['Id'],
    schema: plan.schema,
    // A full-table export is the whole object: ACTIVATE_VERSION lets the target drop what is gone.
    ...(key ? { replicationKey: key, validReplicationKeys: [key] } : { replicationMethod: 'FULL_TABLE' as const, activateVersion: true }),
    isSorted: sortedRows(config, key),
    selectedByDefault: availability.unavailable === undefined,
    metadata: {
      label: object.label,
      ...(availability.unavailable ? { inclusion: 'unsupported', 'unsupported-description': availability.unavailable } : {}),
    },
    propertyMetadata,
    records: (context) => records(object, plan, deps, context, availability.unavailable),
  };
}
