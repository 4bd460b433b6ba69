/**
 * One stream per Salesforce object, made from its describe: Salesforce objects (and their
 * custom fields) differ per org, so streams are generated rather than written one per object.
 */
import { FatalError, type JsonSchema, type MetadataValues, type StreamDefinition, type TapRecord } from '@singer-io-ts/sdk';
import type { SalesforceClient } from '../client.js';
import type { SalesforceConfig } from '../config.js';
import { outageStop, SalesforceUnavailableError } from '../errors.js';
import type { ObjectDescribe } from './describe.js';
import { DELETED_AT, extractRecords } from './extract.js';
import type { ReaderSource } from './reader.js';
import { fieldMetadata, fieldShape } from './schema.js';
import { unsupportedReason, validReplicationKeys } from './support.js';
import type { WindowOptions } from './windows.js';

export interface StreamDeps {
  client: SalesforceClient;
  reader: ReaderSource;
  lookbackSeconds: number;
  window?: WindowOptions;
}

export function objectStream(object: ObjectDescribe, deps: StreamDeps): StreamDefinition<SalesforceConfig> {
  const properties: Record<string, JsonSchema> = {};
  const propertyMetadata: Record<string, MetadataValues> = {};
  for (const field of object.fields) {
    const shape = fieldShape(field);
    properties[field.name] = shape.schema;
    propertyMetadata[field.name] = fieldMetadata(field, shape);
  }
  if (object.fields.some((field) => field.name === 'IsDeleted')) {
    properties[DELETED_AT] = { type: ['string', 'null'], format: 'date-time' };
    // Always emitted: without it a target cannot apply the deletes queryAll reports.
    propertyMetadata[DELETED_AT] = { inclusion: 'automatic', label: 'Deleted at (SystemModstamp of rows queryAll reports with IsDeleted)' };
  }
  const reason = unsupportedReason(object);
  const keys = reason ? [] : validReplicationKeys(object);
  const hasId = 'Id' in properties;
  return {
    name: object.name,
    keyProperties: hasId ? ['Id'] : [],
    schema: { type: 'object', properties },
    ...(keys[0] ? { replicationKey: keys[0], validReplicationKeys: keys } : {}),
    isSorted: deps.reader.sorted,
    selectedByDefault: reason === undefined,
    metadata: {
      label: object.label,
      ...(object.custom ? { custom: true } : {}),
      ...(reason ? { inclusion: 'unsupported', 'unsupported-description': reason } : {}),
    },
    propertyMetadata,
    records(context) {
      if (reason) throw new FatalError(`${object.name} cannot be extracted: ${reason}`);
      return stopOnOutage(object.name, extractRecords({ object, client: deps.client, reader: deps.reader, lookbackSeconds: deps.lookbackSeconds, ...(deps.window ? { window: deps.window } : {}) }, context));
    },
  };
}

/**
 * An outage in any call of the stream (its COUNT, its queries, its Bulk job) loses nothing: every
 * record emitted has its position saved (`last_id`, or the `bulk_job` page), so the SDK emits the
 * state, the run exits 0, and the next run goes on from there.
 */
async function* stopOnOutage(object: string, records: AsyncIterable<TapRecord>): AsyncGenerator<TapRecord> {
  try {
    yield* records;
  } catch (error) {
    throw error instanceof SalesforceUnavailableError ? outageStop(object, error) : error;
  }
}
