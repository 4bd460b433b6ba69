import type { Catalog } from '../catalog.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { JsonSchema } from '../protocol/messages.js';
import { compareReplicationValues, normalizeState } from '../state.js';
import type { Tap } from '../tap.js';
import { compileRecordSchema, describeValidationError, singerValidator } from '../validation.js';
import { discoverTap, runTap } from './index.js';

export interface ConformanceOptions<C extends Config> {
  tap: Tap<C>;
  config: C;
  catalog?: Catalog;
}

/**
 * The checks every tap must pass, as a list of problems (empty when conformant): the catalog is
 * valid; key properties and replication keys exist in their schemas; schemas compile; every
 * record follows its SCHEMA and validates against it; the final state is valid; and a second run
 * from that state resumes: it emits no record older than the bookmark and keeps every bookmark.
 */
export async function checkTapConformance<C extends Config>(options: ConformanceOptions<C>): Promise<string[]> {
  const problems: string[] = [];
  const { tap, config } = options;
  const catalog = await discoverTap(tap, config);
  const validCatalog = singerValidator('catalog');
  if (!validCatalog(catalog)) problems.push(`catalog: ${describeValidationError(validCatalog.errors, 'catalog')}`);
  const names = new Set<string>();
  for (const entry of catalog.streams) {
    if (names.has(entry.tap_stream_id)) problems.push(`stream "${entry.tap_stream_id}" is listed twice`);
    names.add(entry.tap_stream_id);
    const properties = entry.schema.properties ?? {};
    for (const key of entry.key_properties) if (!(key in properties)) problems.push(`stream "${entry.tap_stream_id}": key property "${key}" is not in its schema`);
    const root = entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
    for (const key of root['valid-replication-keys'] ?? []) if (!(key in properties)) problems.push(`stream "${entry.tap_stream_id}": replication key "${key}" is not in its schema`);
    try {
      compileRecordSchema(entry.tap_stream_id, entry.schema);
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }

  const first = await runTap(tap, { config, catalog: options.catalog });
  const validators = new Map<string, ReturnType<typeof compileRecordSchema>>();
  for (const message of first.messages) {
    if (message.type === 'SCHEMA') validators.set(message.stream, compileRecordSchema(message.stream, message.schema as JsonSchema));
    if (message.type !== 'RECORD') continue;
    const validate = validators.get(message.stream);
    if (validate && !validate(message.record)) {
      problems.push(`stream "${message.stream}": record does not match its schema: ${describeValidationError(validate.errors, 'record')}`);
      if (problems.length > 20) break;
    }
  }
  const validState = singerValidator('state');
  if (first.finalState === undefined) problems.push('no STATE message at the end of the sync');
  else if (!validState(first.finalState)) problems.push(`final state: ${describeValidationError(validState.errors, 'state')}`);

  const firstState = normalizeState(first.finalState);
  const second = await runTap(tap, { config, catalog: options.catalog, state: first.finalState });
  const secondState = normalizeState(second.finalState);
  for (const [stream, bookmark] of Object.entries(firstState.bookmarks)) {
    const key = bookmark.replication_key;
    if (!key || bookmark.replication_key_value === undefined) continue;
    for (const record of second.records(stream)) {
      const value = record[key];
      if (value !== undefined && value !== null && compareReplicationValues(value, bookmark.replication_key_value) < 0) {
        problems.push(`stream "${stream}": resumed run emitted ${key}=${JSON.stringify(value)}, older than the bookmark ${JSON.stringify(bookmark.replication_key_value)}`);
        break;
      }
    }
    const after = secondState.bookmarks[stream]?.replication_key_value;
    if (after === undefined || compareReplicationValues(after, bookmark.replication_key_value) < 0) {
      problems.push(`stream "${stream}": bookmark went back from ${JSON.stringify(bookmark.replication_key_value)} to ${JSON.stringify(after)} on the resumed run`);
    }
  }
  return problems;
}
