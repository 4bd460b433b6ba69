/**
 * Reads one object: a queue of `UpdatedDate` windows, each an export job. Up to
 * `max_concurrent_jobs` jobs run ahead of the window being emitted; a window whose job fails or
 * hangs is halved; a file that is gone or cut short restarts its window after the last row
 * emitted. Rows come out in `UpdatedDate` order with AQuA, so the SDK moves the bookmark as they
 * go; a completed job's file ids and the end of the last window read are saved in the bookmark,
 * so that a rerun reuses the files and starts after the windows already read (CRUD exports come
 * unsorted: without the latter a stopped REST run would start over).
 */
import { compareReplicationValues, CsvParseError, errorMessage, isRetriable, ResumableStopError, type Logger, type StreamBookmark, type TapRecord } from '@singer-io-ts/sdk';
import type { ZuoraClient } from '../client.js';
import { apiType, jobTimeoutMs, maxConcurrentJobs, partnerId, type ZuoraConfig } from '../config.js';
import { FileGoneError, ZuoraUnavailableError } from '../errors.js';
import type { JobSlots } from '../job-slots.js';
import { fileRows, JobFailedError, runAquaJob, runExportJob, type JobResult, type PollOptions } from '../jobs.js';
import { fractionWarner, rowReader, TruncatedFileError } from './convert.js';
import type { Column, ObjectPlan } from './schema.js';

export interface ReaderOptions {
  pollIntervalMs: { initial: number; max: number };
  /** A failing window narrower than this is not halved again: the run stops, resumable. */
  minWindowMs: number;
  /** Failed jobs (any window) after which the run stops, resumable. */
  maxJobFailures: number;
  /** Restarts of a window without a new row before the run stops, resumable. */
  maxRestarts: number;
}

export const DEFAULT_READER_OPTIONS: ReaderOptions = { pollIntervalMs: { initial: 1_000, max: 30_000 }, minWindowMs: 3_600_000, maxJobFailures: 20, maxRestarts: 3 };

/** A stop with nothing lost: the SDK emits the state, exits 0, and the next run resumes. */
export class ResumableStop extends ResumableStopError {}

/** An outage that outlasted the retries: what was emitted stays, the next run goes on from there. */
export function outageStop(object: string, error: ZuoraUnavailableError): ResumableStop {
  return new ResumableStop(`${object}: ${error.message}; stopping, the next run resumes from the state`, { cause: error });
}

/**
 * AQuA files come in the query's `order by`; CRUD exports make no such promise. Only sorted rows
 * say that everything before the last one emitted is in.
 */
export const sortedRows = (config: ZuoraConfig, key: string | undefined): boolean => apiType(config) === 'AQUA' && key !== undefined;

export interface Window {
  /** Inclusive lower bound (ms), undefined: the object's whole past. */
  from: number | undefined;
  /** Exclusive upper bound (ms), undefined: up to the job's present. */
  to: number | undefined;
}

/** Saved in the bookmark (`zuora_window`) while a window's files are being read. */
export interface SavedWindow {
  from: number | null;
  to: number | null;
  query: string;
  fileKind: JobResult['fileKind'];
  fileIds: string[];
  recordCount: number | null;
}

export interface ReadRequest {
  client: ZuoraClient;
  config: ZuoraConfig;
  logger: Logger;
  plan: ObjectPlan;
  /** Columns to select (selected properties, key and replication key always). */
  columns: Column[];
  wanted: ReadonlySet<string>;
  deleted: boolean;
  startingValue: unknown;
  bookmark: Readonly<StreamBookmark>;
  saveBookmark(values: Record<string, unknown>): void;
  signal: AbortSignal;
  options: ReaderOptions;
  slots: JobSlots;
}

const secondIso = (ms: number): string => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;

/** The later of two optional instants. */
const later = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

function plainUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function zoql(plan: ObjectPlan, columns: Column[], window: Window, ordered: boolean): string {
  const key = plan.replicationKey;
  const where: string[] = [];
  if (key && window.from !== undefined) where.push(`${key} >= '${secondIso(window.from)}'`);
  if (key && window.to !== undefined) where.push(`${key} < '${secondIso(window.to)}'`);
  return [`select ${columns.map((c) => c.select).join(', ')} from ${plan.object}`, where.length > 0 ? `where ${where.join(' and ')}` : '', key && ordered ? `order by ${key} asc` : '']
    .filter(Boolean)
    .join(' ');
}

function parseStart(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

interface Slot {
  window: Window;
  job?: Promise<JobResult>;
}

export async function* readObject(request: ReadRequest): AsyncGenerator<TapRecord> {
  const { client, config, logger, plan, options } = request;
  const aqua = apiType(config) === 'AQUA';
  const key = plan.replicationKey;
  const sorted = sortedRows(config, key);
  // Aborted when the read ends early: jobs started ahead stop being polled, and are cancelled.
  const abandon = new AbortController();
  const poll: PollOptions = { pollIntervalMs: options.pollIntervalMs, timeoutMs: jobTimeoutMs(config), signal: AbortSignal.any([request.signal, abandon.signal]) };
  // `zuora_done_until`: every row before it was emitted by an earlier run (windows it finished).
  const start = key ? later(parseStart(request.startingValue), parseStart(request.bookmark.zuora_done_until)) : undefined;
  let lastValue: unknown;
  let failures = 0;
  const onFraction = fractionWarner(plan.object, logger);

  const queryOf = (window: Window): string => zoql(plan, request.columns, window, aqua);
  const submit = (window: Window): Promise<JobResult> => {
    const query = queryOf(window);
    if (!aqua) return request.slots.run(() => runExportJob(client, query, `tap-zuora ${plan.object}`, poll));
    // A stateful session with incrementalTime: deleted rows can be asked for, and the where
    // clause (exact, in UTC) bounds the rows; incrementalTime is a day early since Zuora reads it
    // in the tenant's zone.
    const since = window.from === undefined ? Date.UTC(1970, 0, 2) : window.from - 86_400_000;
    return request.slots.run(() => runAquaJob(client, [{ name: plan.object, query, deleted: request.deleted }], { partner: partnerId(config), project: `tap-zuora-${plan.object}`, incrementalTime: plainUtc(since) }, poll));
  };
  const started = (slot: Slot): Promise<JobResult> => {
    if (!slot.job) {
      slot.job = submit(slot.window);
      // Failures are handled when the slot is reached; until then they must not be "unhandled".
      slot.job.catch(() => undefined);
    }
    return slot.job;
  };

  /** Rows of a job's files; throws what calls for a restart. */
  async function* emit(result: JobResult, skipBefore: unknown): AsyncGenerator<TapRecord> {
    let rows = 0;
    for (const fileId of result.fileIds) {
      let reader: ReturnType<typeof rowReader> | undefined;
      // CSV rows of the file, the header included (CsvParseError counts the same way).
      let line = 0;
      try {
        for await (const row of fileRows(client, result.fileKind, fileId, request.signal)) {
          line += 1;
          if (!reader) {
            reader = rowReader(plan.object, row, plan.columns, request.deleted ? { column: 'Deleted', datedBy: key } : undefined, request.wanted, onFraction);
            continue;
          }
          const record = reader.read(row);
          rows += 1;
          const value = key ? record[key] : undefined;
          if (skipBefore !== undefined && value != null && compareReplicationValues(value, skipBefore) < 0) continue;
          if (value != null) lastValue = value;
          yield record;
        }
      } catch (error) {
        // A stop message is all an operator gets: it names the file and the row that were cut.
        if (error instanceof TruncatedFileError) throw new TruncatedFileError(`file ${fileId}, CSV row ${line}: ${error.message}`, { cause: error });
        if (error instanceof CsvParseError) throw new TruncatedFileError(`file ${fileId}: ${error.message}`, { cause: error });
        throw error;
      }
    }
    if (result.recordCount !== undefined && rows < result.recordCount) throw new TruncatedFileError(`the files ${result.fileIds.join(', ')} held ${rows} of the ${result.recordCount} rows the job reported`);
  }

  const queue: Slot[] = [];
  const saved = request.bookmark.zuora_window as SavedWindow | undefined;
  if (saved && saved.fileIds.length > 0 && (start === undefined || ((saved.from ?? -Infinity) <= start && (saved.to === null || start < saved.to)))) {
    const window = { from: saved.from ?? undefined, to: saved.to ?? undefined };
    if (saved.query === queryOf(window)) {
      logger.info(`${plan.object}: reading the ${saved.fileIds.length} file(s) of the previous run's job again`);
      const reused: JobResult = { jobId: 'saved', fileIds: saved.fileIds, recordCount: saved.recordCount ?? undefined, fileKind: saved.fileKind, serverNowAtMost: Date.now() };
      queue.push({ window: { from: start ?? window.from, to: window.to }, job: Promise.resolve(reused) });
      if (window.to !== undefined) queue.push({ window: { from: window.to, to: undefined } });
    }
  }
  if (queue.length === 0) queue.push({ window: { from: start, to: undefined } });

  let restarts = 0;
  const ahead = maxConcurrentJobs(config);
  try {
    while (queue.length > 0) {
      for (const slot of queue.slice(0, ahead)) started(slot);
      const slot = queue[0] as Slot;
      let result: JobResult;
      try {
        result = await started(slot);
      } catch (error) {
        if (!(error instanceof JobFailedError)) throw error;
        failures += 1;
        const { from, to } = slot.window;
        const lower = from ?? Date.UTC(1970, 0, 1);
        const upper = to ?? error.serverNowAtMost;
        const width = upper - lower;
        if (!key || failures >= options.maxJobFailures || width < 2 * options.minWindowMs) {
          throw new ResumableStop(`${plan.object}: ${error.message}; stopping after ${failures} failed job(s), the next run resumes from the state`);
        }
        const middle = Math.floor((lower + width / 2) / 1000) * 1000;
        logger.warn(`${plan.object}: ${error.message}; halving the window ${secondIso(lower)} … ${to === undefined ? 'now' : secondIso(to)} at ${secondIso(middle)}`);
        queue.splice(0, 1, { window: { from, to: middle } }, { window: { from: middle, to } });
        continue;
      }
      if (result.fileIds.length > 0) {
        request.saveBookmark({ zuora_window: { from: slot.window.from ?? null, to: slot.window.to ?? null, query: queryOf(slot.window), fileKind: result.fileKind, fileIds: result.fileIds, recordCount: result.recordCount ?? null } satisfies SavedWindow });
      }
      const before = lastValue;
      let emitted = 0;
      try {
        for await (const record of emit(result, slot.window.from !== undefined && result.jobId === 'saved' ? request.startingValue : undefined)) {
          emitted += 1;
          yield record;
        }
      } catch (error) {
        if (!restartable(error)) throw error;
        // A new last row is progress only when the rows are sorted; unsorted ones are all read again.
        restarts = sorted && emitted > 0 && lastValue !== before ? 0 : restarts + 1;
        if (restarts > options.maxRestarts) throw new ResumableStop(`${plan.object}: ${errorMessage(error)}; the window could not be read after ${restarts} new jobs, the next run resumes from the state`);
        // Sorted rows: whatever came before the last value emitted is in; unsorted: all again.
        const from = sorted && lastValue !== undefined ? Math.max(slot.window.from ?? -Infinity, parseStart(lastValue) ?? -Infinity) : slot.window.from;
        logger.warn(`${plan.object}: ${errorMessage(error)}; exporting the window again from ${from === undefined ? 'the start' : secondIso(from)}`);
        queue.splice(0, 1, { window: { from: Number.isFinite(from) ? from : undefined, to: slot.window.to } });
        continue;
      }
      restarts = 0;
      // The open-ended last window ends the object: from then on the SDK's bookmark says it all.
      request.saveBookmark({ zuora_window: null, zuora_done_until: slot.window.to === undefined ? null : secondIso(slot.window.to) });
      queue.shift();
    }
  } finally {
    abandon.abort();
    // Settled here so the cancellations are sent before the run ends.
    await Promise.allSettled(queue.flatMap((slot) => (slot.job ? [slot.job] : [])));
  }
}

function restartable(error: unknown): boolean {
  if (error instanceof FileGoneError || error instanceof TruncatedFileError || error instanceof CsvParseError) return true;
  // A body cut off mid-transfer surfaces as a TypeError ("terminated") from fetch's reader.
  return isRetriable(error) || (error instanceof TypeError && /terminated|aborted|socket/i.test(error.message));
}

