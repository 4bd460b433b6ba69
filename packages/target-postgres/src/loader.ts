import { compileRecordSchema, describeValidationError, isJsonNumber, stringifyJson, ProtocolError, StreamMapper, type JsonSchema, type Logger, type ReadMessage, type RecordMessage, type SchemaMessage, type SingerMessage, type SingerWriter } from '@singer-io-ts/sdk';
import type pg from 'pg';
import { targetSchemaFor } from './client.js';
import type { TargetPostgresConfig } from './config-schema.js';
import { createRowEncoder, integerOverflowsBigint, newCopyTextStats } from './copy-text.js';
import { flattenRecord } from './flatten.js';
import { FastRowEncoder, RawRecord } from './fast-record.js';
import { copyColumns, flushStreamBatch, type LoadMethod } from './flush.js';
import { StreamBatch } from './stream-batch.js';
import { ensureTable, widenColumn, type TablePlan } from './table.js';

export interface LoaderSettings {
  batchSizeRows: number;
  batchSizeBytes: number;
  batchMaxAgeMs: number;
  maxParallelism: number;
  hardDelete: boolean;
  addMetadataColumns: boolean;
  flatteningMaxDepth: number;
  validateRecords: boolean;
  loadMethod: LoadMethod | undefined;
  identifierCase: 'lower' | 'preserve';
  removeNulBytes: boolean;
}

export function loaderSettings(config: TargetPostgresConfig): LoaderSettings {
  return {
    batchSizeRows: config.batch_size_rows ?? 100_000,
    batchSizeBytes: config.batch_size_bytes ?? 16 * 1024 * 1024,
    batchMaxAgeMs: (config.batch_max_age_seconds ?? 30) * 1000,
    maxParallelism: config.max_parallelism ?? 4,
    hardDelete: config.hard_delete ?? false,
    addMetadataColumns: config.add_metadata_columns ?? true,
    flatteningMaxDepth: config.flattening_max_depth ?? 0,
    validateRecords: config.validate_records ?? false,
    loadMethod: config.load_method,
    identifierCase: config.identifier_case ?? 'lower',
    removeNulBytes: config.remove_nul_bytes ?? true,
  };
}

type Encode = (record: Record<string, unknown>) => string;

interface StreamLoader {
  schemaKey: string;
  jsonSchema: JsonSchema;
  plan: TablePlan;
  loadMethod: LoadMethod;
  encode: Encode;
  /** The RawRecord fast path, when nothing this stream needs requires the record object. */
  fast: FastRowEncoder | undefined;
  bigintColumns: string[];
  validate?: ReturnType<typeof compileRecordSchema>;
  truncated: boolean;
  /** Upsert batches COPY straight into the table until a key turns out to exist already. */
  directCopy: boolean;
}

const NO_STATE = Symbol('no state');
/** The metadata columns whose values come from the message (not the record), in #metadataValues' order. */
const METADATA_FROM_MESSAGE = ['_sdc_extracted_at', '_sdc_received_at', '_sdc_sequence', '_sdc_table_version'];
const NO_VALUES: unknown[] = [];

/**
 * Turns Singer messages into committed rows. Records are encoded for COPY as they arrive and
 * collected into a batch; a batch is cut on size, byte budget or age, and flushed (each stream
 * in its own transaction, streams in parallel) while the next one fills. The last STATE received
 * before a cut is written to stdout only once that batch and every earlier one are committed, so
 * a STATE on stdout always means: everything before it is in Postgres.
 */
export class Loader {
  readonly #streams = new Map<string, StreamLoader>();
  #batch = new Map<string, StreamBatch>();
  #batchRows = 0;
  #batchStartedAt = Date.now();
  #latestState: unknown = NO_STATE;
  #inFlight: Promise<void> = Promise.resolve();
  #failure: unknown;
  #reportFailure: (error: unknown) => void = () => undefined;
  #sequence = 0;
  #receivedAt = '';
  #receivedAtMs = 0;
  #recordsLoaded = 0;
  #lastStateLine = '';
  /** Reused for every record (the fast path reads it at once). */
  readonly #metadata: unknown[] = [null, '', 0, null];
  readonly #copyStats = newCopyTextStats();
  readonly #mapper: StreamMapper;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: TargetPostgresConfig,
    private readonly settings: LoaderSettings,
    private readonly writer: SingerWriter,
    private readonly logger: Logger,
  ) {
    const { stream_maps, stream_map_config } = config as Record<string, unknown>;
    this.#mapper = new StreamMapper({ stream_maps: stream_maps as never, stream_map_config: stream_map_config as never });
  }

  get recordsLoaded(): number {
    return this.#recordsLoaded;
  }

  async process(input: AsyncIterable<ReadMessage[]>): Promise<void> {
    const timer = setInterval(() => this.#onTick(), Math.min(1000, this.settings.batchMaxAgeMs));
    timer.unref();
    try {
      const iterator = input[Symbol.asyncIterator]();
      for (;;) {
        // A batch can fail while the input is quiet: that must end the run now, not at the next
        // line. One promise per read (not a race against one long-lived promise, whose reactions
        // would keep every chunk read so far alive).
        const next = await new Promise<IteratorResult<ReadMessage[]>>((resolve, reject) => {
          this.#reportFailure = reject;
          if (this.#failure) reject(this.#failure);
          else iterator.next().then(resolve, reject);
        });
        this.#reportFailure = () => undefined;
        if (next.done) break;
        const messages = next.value;
        for (const { message, line } of messages) {
          if (this.#mapper.isIdentity) {
            const wait = this.#handle(message, line);
            if (wait) await wait;
          } else {
            // Stream maps work on the record object.
            if (message.type === 'RECORD' && message.record instanceof RawRecord) message.record = message.record.parse();
            for (const mapped of this.#mapped(message)) await this.#handle(mapped, line);
          }
        }
        if (this.#failure) throw this.#failure;
      }
      await this.#cut();
      await this.#inFlight;
    } finally {
      clearInterval(timer);
      const { nulBytesRemoved, surrogatesReplaced } = this.#copyStats;
      if (nulBytesRemoved > 0) this.logger.warn(`${nulBytesRemoved} NUL characters removed from strings (Postgres text cannot hold them)`);
      if (surrogatesReplaced > 0) this.logger.warn(`${surrogatesReplaced} unpaired UTF-16 surrogates replaced by U+FFFD (not valid UTF-8)`);
    }
  }

  #mapped(message: SingerMessage): SingerMessage[] {
    switch (message.type) {
      case 'SCHEMA':
        return this.#mapper.mapSchema(message);
      case 'RECORD':
        return this.#mapper.mapRecord(message);
      case 'ACTIVATE_VERSION':
        return this.#mapper.mapActivateVersion(message);
      case 'BATCH':
        return this.#mapper.mapBatch(message);
      case 'STATE':
        return [message];
    }
  }

  #handle(message: SingerMessage, line: number): Promise<void> | undefined {
    switch (message.type) {
      case 'RECORD':
        return this.#record(message, line);
      case 'SCHEMA':
        return this.#schema(message, line);
      case 'STATE':
        this.#latestState = message.value;
        // With nothing buffered, the state only waits for batches already in flight.
        if (this.#batch.size === 0) this.#cut().catch(() => undefined);
        return undefined;
      case 'ACTIVATE_VERSION': {
        const batch = this.#batchFor(message.stream, line);
        if (!batch) return undefined;
        batch.activateVersions.push(message.version);
        return this.#cut();
      }
      case 'BATCH': {
        const batch = this.#batchFor(message.stream, line)!;
        batch.files.push({ urls: message.manifest, compression: message.encoding.compression ?? 'none', line });
        return this.#cut();
      }
    }
  }

  async #schema(message: SchemaMessage, line: number): Promise<void> {
    const schemaKey = JSON.stringify([message.schema, message.key_properties]);
    const existing = this.#streams.get(message.stream);
    if (existing?.schemaKey === schemaKey) return;
    if (existing) {
      // Rows already buffered follow the old schema: commit them before the table changes.
      await this.#cut();
      await this.#inFlight;
    }
    const target = targetSchemaFor(message.stream, this.config);
    const client = await this.pool.connect();
    let plan: TablePlan;
    try {
      plan = await ensureTable(client, { stream: message.stream, ...target }, message.schema, message.key_properties, {
        identifierCase: this.settings.identifierCase,
        flatteningMaxDepth: this.settings.flatteningMaxDepth,
        addMetadataColumns: this.settings.addMetadataColumns,
      });
    } catch (error) {
      throw new ProtocolError(`SCHEMA for stream "${message.stream}": ${(error as Error).message}`, { line, stream: message.stream });
    } finally {
      client.release();
    }
    const loadMethod = this.settings.loadMethod === 'upsert' || this.settings.loadMethod === undefined ? (plan.keyColumns.length > 0 ? 'upsert' : 'append') : this.settings.loadMethod;
    this.#streams.set(message.stream, {
      schemaKey,
      jsonSchema: message.schema,
      plan,
      loadMethod,
      ...this.#encoderFor(plan),
      ...(this.settings.validateRecords ? { validate: compileRecordSchema(message.stream, message.schema) } : {}),
      truncated: existing?.truncated ?? false,
      directCopy: existing?.directCopy ?? true,
    });
  }

  #encoderFor(plan: TablePlan): { encode: Encode; fast: FastRowEncoder | undefined; bigintColumns: string[] } {
    const columns = copyColumns(plan).map((c) => ({ name: c.property, type: c.type }));
    const options = { stats: this.#copyStats, removeNulBytes: this.settings.removeNulBytes };
    // Validation and flattening need the record object; so do key properties that are not columns (to check them).
    const fastPossible = !this.settings.validateRecords && this.settings.flatteningMaxDepth === 0 && FastRowEncoder.supports(columns, plan.keyProperties);
    return {
      encode: createRowEncoder(columns, options).encode,
      fast: fastPossible ? new FastRowEncoder(columns, { ...options, keyProperties: plan.keyProperties, overrideColumns: this.settings.addMetadataColumns ? METADATA_FROM_MESSAGE : [] }) : undefined,
      bigintColumns: plan.columns.filter((c) => c.type === 'bigint').map((c) => c.property),
    };
  }

  #record(message: RecordMessage, line: number): Promise<void> | undefined {
    const stream = this.#streams.get(message.stream)!;
    if (message.record instanceof RawRecord && stream.fast) {
      const batch = this.#batchFor(message.stream, line)!;
      // Written straight into the batch's chunk when it fits (most rows), else copied there.
      const chunk = batch.chunkWithRoom(2048);
      const end = stream.fast.encodeInto(message.record, this.settings.addMetadataColumns ? this.#metadataValues(message) : NO_VALUES, chunk, batch.freeFrom);
      if (end !== undefined) {
        if (stream.fast.bytes === chunk) batch.commitInPlace(end, line);
        else batch.appendBytes(stream.fast.bytes, end, line);
        return this.#counted();
      }
    }
    if (message.record instanceof RawRecord) {
      // Something only the object path does (or reports): parse the record after all.
      message.record = message.record.parse();
    }
    const raw = message.record;
    if (stream.validate && !stream.validate(plainNumbers(raw))) {
      throw new ProtocolError(`RECORD for stream "${message.stream}" does not match its schema: ${describeValidationError(stream.validate.errors, 'record')}`, { line, stream: message.stream });
    }
    for (const key of stream.plan.keyProperties) {
      if (raw[key] === undefined || raw[key] === null) throw new ProtocolError(`RECORD for stream "${message.stream}" has no value for key property "${key}"`, { line, stream: message.stream });
    }
    // The record object is this target's own (parsed from the input), so metadata is added in place.
    const record = flattenRecord(raw, this.settings.flatteningMaxDepth, stream.jsonSchema);
    for (const column of stream.bigintColumns) {
      const value = record[column];
      if (value !== null && value !== undefined && integerOverflowsBigint(value)) return this.#widenAndRetry(message, line, column);
    }
    if (this.settings.addMetadataColumns) this.#addMetadata(record, message);
    this.#batchFor(message.stream, line)!.append(stream.encode(record), line);
    return this.#counted();
  }

  #counted(): Promise<void> | undefined {
    this.#batchRows += 1;
    if (this.#batchRows >= this.settings.batchSizeRows || (this.#batchRows & 255) === 0 && this.#batchBytes() >= this.settings.batchSizeBytes) return this.#cut();
    return undefined;
  }

  /** An integer too big for bigint: commit what came before, widen the column to numeric, go on. */
  async #widenAndRetry(message: RecordMessage, line: number, property: string): Promise<void> {
    const stream = this.#streams.get(message.stream)!;
    await this.#cut();
    await this.#inFlight;
    const column = stream.plan.columns.find((c) => c.property === property)!;
    const client = await this.pool.connect();
    try {
      await widenColumn(client, stream.plan, column.column, 'numeric');
    } finally {
      client.release();
    }
    this.logger.warn(`stream "${message.stream}": column ${column.column} widened from bigint to numeric for a value beyond the bigint range (input line ${line})`);
    Object.assign(stream, this.#encoderFor(stream.plan));
    await this.#record(message, line);
  }

  #addMetadata(record: Record<string, unknown>, message: RecordMessage): void {
    const [extractedAt, receivedAt, sequence, tableVersion] = this.#metadataValues(message);
    record._sdc_extracted_at = extractedAt;
    record._sdc_received_at = receivedAt;
    record._sdc_sequence = sequence;
    record._sdc_table_version = tableVersion;
  }

  /** The metadata of the next record, in METADATA_FROM_MESSAGE's order. */
  #metadataValues(message: RecordMessage): unknown[] {
    const now = Date.now();
    if (now !== this.#receivedAtMs) [this.#receivedAt, this.#receivedAtMs] = [new Date(now).toISOString(), now];
    this.#sequence = Math.max(this.#sequence + 1, now * 1000);
    this.#metadata[0] = message.time_extracted ?? null;
    this.#metadata[1] = this.#receivedAt;
    this.#metadata[2] = this.#sequence;
    this.#metadata[3] = message.version ?? null;
    return this.#metadata;
  }

  #batchFor(stream: string, line: number): StreamBatch | undefined {
    let batch = this.#batch.get(stream);
    if (batch) return batch;
    const loader = this.#streams.get(stream);
    if (!loader) {
      this.logger.warn(`input line ${line}: message for stream "${stream}" before its SCHEMA ignored`);
      return undefined;
    }
    if (this.#batch.size === 0 && this.#batchRows === 0) this.#batchStartedAt = Date.now();
    batch = new StreamBatch(loader.plan);
    this.#batch.set(stream, batch);
    return batch;
  }

  #batchBytes(): number {
    let bytes = 0;
    for (const batch of this.#batch.values()) bytes += batch.bytes;
    return bytes;
  }

  #onTick(): void {
    const stale = Date.now() - this.#batchStartedAt >= this.settings.batchMaxAgeMs;
    if ((stale && this.#batch.size > 0) || (this.#batch.size === 0 && this.#latestState !== NO_STATE)) this.#cut().catch(() => undefined);
  }

  /**
   * Hands the current batch to the flusher and starts a new one. Batches commit in order; at
   * most one is flushing while the next fills, so memory stays within two byte budgets.
   */
  async #cut(): Promise<void> {
    const batch = this.#batch;
    const state = this.#latestState;
    this.#batch = new Map();
    this.#batchRows = 0;
    this.#batchStartedAt = Date.now();
    this.#latestState = NO_STATE;
    if (batch.size === 0 && state === NO_STATE) return;
    const previous = this.#inFlight;
    const run = (async () => {
      await previous;
      await this.#flush(batch);
      // Bookmarks keep their exact numbers: a tap must resume from the value it sent.
      if (state !== NO_STATE) {
        const line = stringifyJson({ type: 'STATE', value: state });
        if (line !== this.#lastStateLine) await this.writer.writeLine(line);
        this.#lastStateLine = line;
      }
    })();
    run.catch((error: unknown) => {
      this.#failure ??= error;
      this.#reportFailure(error);
    });
    this.#inFlight = run;
    await previous;
  }

  async #flush(batch: Map<string, StreamBatch>): Promise<void> {
    const work = [...batch.entries()].filter(([, b]) => !b.isEmpty);
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const [stream, streamBatch] = work[next++]!;
        const loader = this.#streams.get(stream)!;
        const started = performance.now();
        const client = await this.pool.connect();
        let broken: Error | undefined;
        try {
          const truncateFirst = loader.loadMethod === 'overwrite' && !loader.truncated;
          const { rows, directCopied } = await flushStreamBatch(client, streamBatch, {
            loadMethod: loader.loadMethod,
            hardDelete: this.settings.hardDelete,
            truncateFirst,
            tryDirectCopy: loader.directCopy,
            encodeFileRecord: (record) => this.#encodeFileRecord(loader, record),
          });
          if (truncateFirst) loader.truncated = true;
          if (loader.directCopy && !directCopied) loader.directCopy = false;
          this.#recordsLoaded += rows;
          this.logger.metric('timer', 'batch_processing_time', Number(((performance.now() - started) / 1000).toFixed(3)), { stream, rows });
        } catch (error) {
          broken = error as Error;
          const message = broken.message;
          // COPY errors already name the stream and input line; others (a dropped connection) get the stream here.
          throw message.includes(`stream "${stream}"`) ? broken : new Error(`loading stream "${stream}" into ${loader.plan.schema}.${loader.plan.table}: ${message}`, { cause: error });
        } finally {
          client.release(broken);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.maxParallelism, work.length) }, worker));
  }

  #encodeFileRecord(loader: StreamLoader, raw: Record<string, unknown>): string {
    const record = flattenRecord(raw, this.settings.flatteningMaxDepth, loader.jsonSchema);
    if (this.settings.addMetadataColumns) this.#addMetadata(record, { type: 'RECORD', stream: loader.plan.stream, record });
    return loader.encode(record);
  }
}

/** ajv checks JSON types; exact numbers (JsonNumber) are numbers for that purpose. */
function plainNumbers(value: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(value)) {
    const plain = isJsonNumber(v) ? Number(v.text) : v !== null && typeof v === 'object' && !Array.isArray(v) ? plainNumbers(v as Record<string, unknown>) : v;
    if (plain !== v) (copy ??= { ...value })[key] = plain;
  }
  return copy ?? value;
}
