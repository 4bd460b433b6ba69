import { catalogEntry, isStreamSelected, projectSchema, selectedProperties, streamMetadata, type Catalog, type CatalogEntry, type ReplicationMethod } from './catalog.js';
import type { Config } from './config.js';
import { FatalError, QuotaExhaustedError, ResumableStopError, SkippableRecordError } from './errors.js';
import { RetriesExhaustedError } from './http/retry.js';
import type { Logger } from './logging.js';
import type { JsonSchema, RecordMessage, SchemaMessage } from './protocol/messages.js';
import type { SingerWriter } from './protocol/writer.js';
import { ProgressReporter } from './progress.js';
import { compareReplicationValues, normalizeState, type StreamBookmark, type TapState } from './state.js';
import { replicationMethodOf, type StreamContext, type StreamDefinition, type TapRecord } from './stream.js';
import type { Tap } from './tap.js';

/** What stream maps do to messages; identity when no maps are configured. */
export interface MessageMapper {
  readonly isIdentity: boolean;
  mapSchema(message: SchemaMessage): SchemaMessage[];
  mapRecord(message: RecordMessage): RecordMessage[];
  mapStreamName(stream: string): string[];
}

export async function discover<C extends Config>(tap: Tap<C>, config: C, logger: Logger): Promise<Catalog> {
  const streams = await tap.streams(config, { logger });
  return { streams: streams.map(toCatalogEntry) };
}

function toCatalogEntry(stream: StreamDefinition): CatalogEntry {
  return catalogEntry({
    name: stream.name,
    schema: stream.schema,
    keyProperties: stream.keyProperties,
    replicationMethod: replicationMethodOf(stream),
    replicationKey: stream.replicationKey,
    validReplicationKeys: stream.validReplicationKeys ?? (stream.replicationKey ? [stream.replicationKey] : undefined),
    forcedReplicationMethod: stream.replicationKey ? undefined : 'FULL_TABLE',
    selectedByDefault: stream.selectedByDefault,
    metadata: stream.metadata,
    propertyMetadata: stream.propertyMetadata,
  });
}

export interface SyncOptions<C extends Config> {
  config: C;
  catalog?: Catalog;
  state?: unknown;
  writer: SingerWriter;
  logger: Logger;
  mapper?: MessageMapper;
  signal?: AbortSignal;
}

export interface StreamSummary {
  stream: string;
  records: number;
  seconds: number;
}

export interface SyncSummary {
  streams: StreamSummary[];
  /** Set when the run stopped early but cleanly (quota reached), with state emitted. */
  stoppedEarly?: string;
  state: TapState;
}

interface PlannedStream<C extends Config> {
  definition: StreamDefinition<C>;
  schema: JsonSchema;
  selected: Set<string>;
  method: ReplicationMethod;
  replicationKey: string | undefined;
}

/** Runs the selected streams, writing SCHEMA, RECORD, STATE and ACTIVATE_VERSION messages. */
export async function sync<C extends Config>(tap: Tap<C>, options: SyncOptions<C>): Promise<SyncSummary> {
  const { config, writer, logger } = options;
  const state = normalizeState(options.state);
  const signal = options.signal ?? new AbortController().signal;
  const definitions = await tap.streams(config, { logger, catalog: options.catalog });
  const planned = planStreams(definitions, options.catalog);
  const resumeFirst = state.currently_syncing;
  planned.sort((a, b) => Number(b.definition.name === resumeFirst) - Number(a.definition.name === resumeFirst));

  const summary: SyncSummary = { streams: [], state };
  const frequency = Number(config.state_message_frequency ?? tap.stateMessageFrequency);
  const workers = Math.max(1, Math.min(planned.length, Math.floor(tap.maxParallelStreams(config))));
  // One stream's quota stop or failure stops the others at their next record, each leaving a
  // STATE that covers what it wrote.
  // The reason is a resumable stop, so that a request the abort cuts short ends its stream as a
  // clean stop too.
  const stop = new AbortController();
  const stopAll = (why: unknown) => {
    if (!stop.signal.aborted) stop.abort(why instanceof ResumableStopError ? why : new ResumableStopError(`stopped: ${why instanceof Error ? why.message : String(why ?? 'aborted')}`));
  };
  const onAbort = () => stopAll(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const tracker = new SyncingTracker(state);
  const queue = [...planned];
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    for (let stream = queue.shift(); stream && !stop.signal.aborted; stream = queue.shift()) {
      try {
        summary.streams.push(await syncStream(tap, stream, { ...options, state, signal: stop.signal, frequency, tracker }));
      } catch (error) {
        if (error instanceof ResumableStopError) {
          const why = error instanceof QuotaExhaustedError ? 'stopping before the quota runs out' : 'stopping early';
          if (!summary.stoppedEarly) logger.warn(`${why}: ${error.message}; the next run resumes from the state just emitted`);
          summary.stoppedEarly ??= error.message;
        } else failure ??= { error: namedForStream(error, stream.definition.name) };
        stopAll(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.error;
  if (!summary.stoppedEarly) state.currently_syncing = null;
  await writer.writeState(state);
  await writer.flush();
  return summary;
}

/**
 * `currently_syncing` with streams in parallel: the earliest-started stream still running, or one
 * that stopped early, so the next run resumes it first.
 */
class SyncingTracker {
  readonly #state: TapState;
  readonly #open: string[] = [];
  constructor(state: TapState) {
    this.#state = state;
  }
  started(name: string): void {
    this.#open.push(name);
    this.#update();
  }
  finished(name: string): void {
    this.#open.splice(this.#open.indexOf(name), 1);
    this.#update();
  }
  #update(): void {
    this.#state.currently_syncing = this.#open[0] ?? null;
  }
}

function planStreams<C extends Config>(definitions: StreamDefinition<C>[], catalog: Catalog | undefined): PlannedStream<C>[] {
  const byId = new Map(catalog?.streams.map((entry) => [entry.tap_stream_id, entry]));
  const planned: PlannedStream<C>[] = [];
  for (const definition of definitions) {
    const defaultEntry = toCatalogEntry(definition);
    const entry = catalog ? byId.get(definition.name) : defaultEntry;
    if (!entry) continue;
    if (!isStreamSelected(entry)) continue;
    const metadata = streamMetadata(entry);
    const forced = streamMetadata(defaultEntry)['forced-replication-method'];
    const validKeys = definition.validReplicationKeys ?? (definition.replicationKey ? [definition.replicationKey] : []);
    let replicationKey = metadata['replication-key'] ?? entry.replication_key ?? definition.replicationKey;
    if (replicationKey && !validKeys.includes(replicationKey)) {
      throw new FatalError(`catalog chooses replication key "${replicationKey}" for stream "${definition.name}", which is not one of: ${validKeys.join(', ') || '(none)'}`);
    }
    const method = forced ?? metadata['replication-method'] ?? entry.replication_method ?? replicationMethodOf(definition);
    if (method !== 'INCREMENTAL') replicationKey = undefined;
    const selected = selectedProperties(entry);
    for (const key of [...definition.keyProperties, ...(replicationKey ? [replicationKey] : [])]) selected.add(key);
    planned.push({ definition, schema: projectSchema(entry.schema, selected), selected, method, replicationKey });
  }
  return planned;
}

interface StreamRunOptions<C extends Config> extends SyncOptions<C> {
  state: TapState;
  signal: AbortSignal;
  frequency: number;
  tracker: SyncingTracker;
}

async function syncStream<C extends Config>(tap: Tap<C>, stream: PlannedStream<C>, options: StreamRunOptions<C>): Promise<StreamSummary> {
  const { definition, replicationKey } = stream;
  const { writer, logger, state, mapper } = options;
  const name = definition.name;
  const started = performance.now();
  const bookmark: StreamBookmark = (state.bookmarks[name] ??= {});
  // What the stream saves before yielding a record reaches the shared state only when this stream
  // emits STATE, after that record is written: another stream's STATE must not cover it earlier.
  let saved: StreamBookmark = {};
  const applySaved = () => {
    Object.assign(bookmark, saved);
    saved = {};
  };
  options.tracker.started(name);

  const schemaMessage: SchemaMessage = { type: 'SCHEMA', stream: name, schema: stream.schema, key_properties: definition.keyProperties, ...(replicationKey ? { bookmark_properties: [replicationKey] } : {}) };
  for (const message of mapper && !mapper.isIdentity ? mapper.mapSchema(schemaMessage) : [schemaMessage]) await writer.write(message);

  const useVersions = stream.method === 'FULL_TABLE' && (definition.activateVersion ?? tap.activateVersion);
  let version: number | undefined;
  const activateVersion = async () => {
    for (const target of mapper && !mapper.isIdentity ? mapper.mapStreamName(name) : [name]) await writer.writeActivateVersion(target, version!);
  };
  if (useVersions) {
    // An interrupted full-table sync resumes with the same version, so its rows are not orphaned.
    version = bookmark.version ?? Date.now();
    bookmark.version = version;
    if (!bookmark.initial_full_table_complete) await activateVersion();
  }

  const startingValue = replicationKey
    ? bookmark.replication_key === replicationKey && bookmark.replication_key_value !== undefined
      ? bookmark.replication_key_value
      : options.config.start_date
    : undefined;
  const sorted = definition.isSorted === true;
  let lastValue: unknown = undefined;
  let maxValue: unknown = undefined;
  let count = 0;
  let sinceState = 0;
  let skipped = 0;
  const progress = new ProgressReporter(name);
  const projection = needsProjection(stream) ? stream.selected : undefined;
  const context: StreamContext<C> = {
    config: options.config,
    logger: logger.child(name),
    stream: name,
    selectedProperties: stream.selected,
    replicationKey,
    startingValue,
    bookmark: structuredClone(bookmark),
    saveBookmark: (values) => Object.assign(saved, values),
    signal: options.signal,
  };

  const emitState = async () => {
    applySaved();
    if (replicationKey) {
      if (sorted && lastValue !== undefined) setBookmark(bookmark, replicationKey, lastValue);
      else if (!sorted && maxValue !== undefined) bookmark.progress_markers = { replication_key: replicationKey, replication_key_value: maxValue };
    }
    await writer.writeState(state);
    sinceState = 0;
  };

  let timeExtracted = '';
  let timeExtractedAt = 0;
  try {
    for await (const raw of definition.records(context)) {
      const now = Date.now();
      if (now !== timeExtractedAt) [timeExtracted, timeExtractedAt] = [new Date(now).toISOString(), now];
      const record = projection ? project(raw, projection) : raw;
      if (replicationKey) {
        const value = raw[replicationKey];
        if (value !== undefined && value !== null) {
          if (sorted && lastValue !== undefined && compareReplicationValues(value, lastValue) < 0) {
            throw new FatalError(`stream "${name}" is declared sorted, but ${replicationKey} went back from ${JSON.stringify(lastValue)} to ${JSON.stringify(value)}`);
          }
          lastValue = value;
          if (maxValue === undefined || compareReplicationValues(value, maxValue) > 0) maxValue = value;
        }
      }
      if (mapper && !mapper.isIdentity) {
        let mappedRecords: RecordMessage[] = [];
        try {
          mappedRecords = mapper.mapRecord({ type: 'RECORD', stream: name, record, time_extracted: timeExtracted, ...(version !== undefined ? { version } : {}) });
        } catch (error) {
          if (!(error instanceof SkippableRecordError)) throw error;
          skipped += 1;
          if (skipped <= 10) logger.warn(`record skipped: ${error.message}`);
        }
        for (const mapped of mappedRecords) {
          await writer.writeRecord(mapped.stream, mapped.record, { timeExtracted: mapped.time_extracted, version: mapped.version });
        }
      } else {
        const wait = writer.writeRecord(name, record, { timeExtracted, version });
        if (wait) await wait;
      }
      count += 1;
      sinceState += 1;
      progress.tick(count);
      if (sinceState >= options.frequency) await emitState();
      if (options.signal.aborted) throw options.signal.reason instanceof ResumableStopError ? options.signal.reason : new ResumableStopError(`stopped: ${String(options.signal.reason ?? 'aborted')}`);
    }
  } catch (error) {
    const stop = outageAsStop(error, name);
    if (stop instanceof ResumableStopError) await emitState();
    throw stop;
  } finally {
    progress.done(count);
    logger.metric('counter', 'record_count', count, { endpoint: name, stream: name });
    if (skipped > 0) logger.warn(`stream "${name}": ${skipped} records skipped by stream maps`);
  }

  applySaved();
  if (replicationKey) {
    const previous = bookmark.replication_key === replicationKey ? bookmark.replication_key_value : undefined;
    const finalValue = previous === undefined || (maxValue !== undefined && compareReplicationValues(maxValue, previous) > 0) ? maxValue : previous;
    if (finalValue !== undefined) setBookmark(bookmark, replicationKey, finalValue);
    delete bookmark.progress_markers;
  }
  if (useVersions) {
    await activateVersion();
    bookmark.initial_full_table_complete = true;
    delete bookmark.version;
  }
  options.tracker.finished(name);
  await writer.writeState(state);
  const seconds = (performance.now() - started) / 1000;
  logger.metric('timer', 'sync_duration', Number(seconds.toFixed(3)), { stream: name, status: 'succeeded' });
  logger.info(`stream "${name}": ${count} records in ${seconds.toFixed(1)} s`);
  return { stream: name, records: count, seconds };
}

/**
 * A service that kept failing past the retries (5xx, 429, dropped connections) stops the run as a
 * quota does: what was written stays, STATE covers it, the next run resumes. Such an error can
 * only come from a request, which a stream makes between records, as it does for quota stops.
 */
function outageAsStop(error: unknown, name: string): unknown {
  if (!(error instanceof RetriesExhaustedError)) return error;
  return new ResumableStopError(`${errorMentions(error, name) ? '' : `stream "${name}": `}the service kept failing: ${error.message}`, { cause: error });
}

function errorMentions(error: Error, name: string): boolean {
  return error.message.startsWith(name) || error.message.includes(`"${name}"`);
}

/**
 * A stream's failure names the stream (the CLI prints only the message), unless the message leads
 * with it already (taps often start with their object's name) or quotes it. A name found anywhere
 * else (inside a URL, say) does not count.
 */
function namedForStream(error: unknown, name: string): unknown {
  if (error instanceof Error && !errorMentions(error, name)) error.message = `stream "${name}": ${error.message}`;
  return error;
}

function setBookmark(bookmark: StreamBookmark, replicationKey: string, value: unknown): void {
  bookmark.replication_key = replicationKey;
  bookmark.replication_key_value = value;
}

function needsProjection(stream: PlannedStream<Config>): boolean {
  return Object.keys(stream.definition.schema.properties ?? {}).some((name) => !stream.selected.has(name));
}

function project(record: TapRecord, selected: ReadonlySet<string>): TapRecord {
  const out: TapRecord = {};
  for (const key in record) if (selected.has(key)) out[key] = record[key];
  return out;
}
