/**
 * Bulk Extract jobs (leads, activities, program members): create, enqueue, poll, download.
 * Marketo runs 2 jobs of a subscription at a time and queues 10; status changes about once a
 * minute; files are kept 7 days; the files of a day may not pass 500 MB. A job that comes back
 * from create without being created, one that fails, a file gone (404) or cut short are all
 * tried again here; a full queue is waited out; the daily export quota stops the run cleanly.
 */
import { FatalError, HttpError, QuotaExhaustedError, ResumableStopError, RetriableError, errorMessage, isTransientNetworkError, sleepFor, type Logger } from '@singer-io-ts/sdk';
import type { MarketoClient } from './client.js';
import type { PollSettings } from './config.js';
import { ExportAlreadyEnqueuedError, ExportQueueFullError } from './errors.js';
import { ExportBudget, type ListedFile } from './export-budget.js';

export type ExportType = 'leads' | 'activities' | 'program/members';

export interface ExportBody {
  format?: 'CSV';
  fields?: string[];
  filter: Record<string, unknown>;
}

export interface ExportJob {
  exportId: string;
  status: string;
  createdAt?: string;
  finishedAt?: string;
  fileSize?: number;
  numberOfRecords?: number;
  errorMsg?: string;
}

export type FileRow = Record<string, string | null>;

/** One export: what to ask for, and a name for messages. */
export interface ExportUnit {
  type: ExportType;
  label: string;
  body: ExportBody;
  /** The date window the unit covers (epoch ms, both ends inclusive to the second), if any. */
  window?: DateWindow;
}

export interface DateWindow {
  start: number;
  end: number;
}

export interface StartedExport {
  unit: ExportUnit;
  job: ExportJob;
}

/** Creates a job for a unit (a stream may wrap it to handle its own refusals, e.g. 1035). */
export type StartExport = (unit: ExportUnit) => Promise<StartedExport>;

const MAX_CREATE_ATTEMPTS = 3;
const MAX_JOB_ATTEMPTS = 3;
const MAX_DOWNLOAD_ATTEMPTS = 4;
/** Jobs of one stream enqueued at once: Marketo processes two at a time. */
export const JOBS_AHEAD = 2;

export class BulkExtract {
  readonly #client: MarketoClient;
  readonly #poll: PollSettings;
  readonly #logger: Logger;
  readonly #budget: ExportBudget;
  /** The server's present, from the `createdAt` of the jobs it creates (its clock, not ours). */
  serverNow: number | undefined;

  constructor(client: MarketoClient, options: { poll: PollSettings; logger: Logger; maxDailyBytes: number }) {
    this.#client = client;
    this.#poll = options.poll;
    this.#logger = options.logger;
    this.#budget = new ExportBudget(options.maxDailyBytes);
  }

  /** Whether a file of this type is known, listed or seen (the export budget can estimate the next job). */
  knowsSize(type: ExportType): boolean {
    return this.#budget.knowsSize(type);
  }

  #url(type: ExportType, tail: string): string {
    return `${this.#client.bulkUrl}/v1/${type}/export${tail}`;
  }

  /**
   * Creates and enqueues a job; the job is Queued (or further) when this resolves. The export
   * budget is checked between the two: the creation tells the server's day, and a job created but
   * never enqueued exports nothing and holds no queue place.
   */
  async start(unit: ExportUnit, signal?: AbortSignal): Promise<StartedExport> {
    const job = await this.#create(unit, signal);
    await this.#checkExportBudget(unit.type, centralDay(job.createdAt ? Date.parse(job.createdAt) : Date.now()), signal);
    await this.#enqueue(unit, job, signal);
    this.#budget.underWay(job.exportId, unit.type);
    return { unit, job };
  }

  async #create(unit: ExportUnit, signal?: AbortSignal): Promise<ExportJob> {
    for (let attempt = 1; ; attempt++) {
      const body = await this.#client.post<ExportJob>(this.#url(unit.type, '/create.json'), { format: 'CSV', ...unit.body }, { endpoint: `bulk/${unit.type}/create`, idempotent: true, ...(signal ? { signal } : {}) });
      const job = body.result?.[0];
      if (job?.createdAt) this.#observeNow(job.createdAt);
      // Marketo sometimes answers a create with a job that was never created (exportId "null").
      if (job && job.status === 'Created' && job.exportId && job.exportId !== 'null') return job;
      if (attempt >= MAX_CREATE_ATTEMPTS) throw new FatalError(`${unit.label}: Marketo did not create the export job after ${attempt} attempts (last answer: status ${job?.status ?? 'none'}, exportId ${job?.exportId ?? 'none'})`);
      this.#logger.warn(`${unit.label}: export create answered status ${job?.status ?? 'none'} with exportId ${job?.exportId ?? 'none'}; creating it again`);
    }
  }

  async #enqueue(unit: ExportUnit, job: ExportJob, signal?: AbortSignal): Promise<void> {
    let wait = this.#poll.initialMs;
    const deadline = Date.now() + this.#poll.timeoutMs;
    for (;;) {
      try {
        await this.#client.post(this.#url(unit.type, `/${job.exportId}/enqueue.json`), undefined, { endpoint: `bulk/${unit.type}/enqueue`, idempotent: true, ...(signal ? { signal } : {}) });
        job.status = 'Queued';
        return;
      } catch (error) {
        if (error instanceof ExportAlreadyEnqueuedError) {
          // The answer to an earlier attempt was lost: the job is enqueued, and its status says how far it got.
          this.#logger.info(`${unit.label}: ${error.message}: an earlier enqueue of this job went through`);
          job.status = 'Queued';
          return;
        }
        if (!(error instanceof ExportQueueFullError)) throw error;
        if (Date.now() + wait > deadline) throw new FatalError(`${unit.label}: Marketo's export queue stayed full for ${Math.round(this.#poll.timeoutMs / 60_000)} minutes`, { cause: error });
        this.#logger.info(`${unit.label}: the export queue is full (other jobs of the subscription); enqueueing again in ${Math.round(wait / 1000)} s`);
        await sleepFor(wait, signal);
        wait = Math.min(wait * 2, this.#poll.maxMs);
      }
    }
  }

  /**
   * A job of an earlier run, if Marketo still has it in a usable state (queued, processing or
   * completed): a run stopped by a quota picks its file up again instead of exporting it twice.
   */
  async reuse(unit: ExportUnit, exportId: string, signal?: AbortSignal): Promise<StartedExport | undefined> {
    try {
      const body = await this.#client.get<ExportJob>(this.#url(unit.type, `/${exportId}/status.json`), {}, { endpoint: `bulk/${unit.type}/status`, ...(signal ? { signal } : {}) });
      const job = body.result?.[0];
      if (!job || !['Queued', 'Processing', 'Completed'].includes(job.status)) return undefined;
      // Its creation is a lower bound of the server's present, which decides how many windows follow.
      if (job.createdAt) this.#observeNow(job.createdAt);
      if (job.status !== 'Completed') this.#budget.underWay(exportId, unit.type);
      this.#logger.info(`${unit.label}: reusing export ${exportId} of an earlier run (${job.status})`);
      return { unit, job };
    } catch (error) {
      if (error instanceof QuotaExhaustedError) throw error;
      this.#logger.info(`${unit.label}: export ${exportId} of an earlier run is not available (${errorMessage(error)}); exporting again`);
      return undefined;
    }
  }

  /** Polls with a doubling wait until the job is Completed; Failed/Cancelled and timeouts throw. */
  async waitCompleted(started: StartedExport, signal?: AbortSignal): Promise<ExportJob> {
    const { unit, job } = started;
    let wait = this.#poll.initialMs;
    const deadline = Date.now() + this.#poll.timeoutMs;
    for (;;) {
      const body = await this.#client.get<ExportJob>(this.#url(unit.type, `/${job.exportId}/status.json`), {}, { endpoint: `bulk/${unit.type}/status`, ...(signal ? { signal } : {}) });
      const status = body.result?.[0];
      if (!status) throw new FatalError(`${unit.label}: export ${job.exportId} has no status`);
      if (status.status === 'Completed') {
        this.#budget.completed(job.exportId, unit.type, Number(status.fileSize ?? 0), status.finishedAt ? centralDay(Date.parse(status.finishedAt)) : undefined);
        return status;
      }
      if (status.status === 'Failed' || status.status === 'Cancelled') {
        this.#budget.ended(job.exportId);
        throw new ExportJobFailedError(`${unit.label}: export ${job.exportId} ended ${status.status}${status.errorMsg ? `: ${status.errorMsg}` : ''}`);
      }
      if (Date.now() + wait > deadline) {
        await this.cancel(started);
        throw new FatalError(`${unit.label}: export ${job.exportId} not completed after ${Math.round(this.#poll.timeoutMs / 60_000)} minutes (status ${status.status}); cancelled`);
      }
      await sleepFor(wait, signal);
      wait = Math.min(wait * 2, this.#poll.maxMs);
    }
  }

  /** Best effort: a job left queued would hold one of the subscription's 10 places. */
  async cancel(started: StartedExport): Promise<void> {
    this.#budget.ended(started.job.exportId);
    try {
      await this.#client.post(this.#url(started.unit.type, `/${started.job.exportId}/cancel.json`), undefined, { endpoint: `bulk/${started.unit.type}/cancel`, idempotent: true });
    } catch (error) {
      this.#logger.warn(`${started.unit.label}: could not cancel export ${started.job.exportId}: ${errorMessage(error)}`);
    }
  }

  /**
   * The file's rows as objects keyed by column header. A body cut short or dropped is read again
   * from the start of the same file (same bytes), skipping the rows already given out; a row count
   * short of the job's `numberOfRecords` counts as cut short.
   */
  async *rows(started: StartedExport, completed: ExportJob, signal?: AbortSignal): AsyncGenerator<FileRow> {
    const { unit } = started;
    const url = this.#url(unit.type, `/${started.job.exportId}/file.json`);
    let given = 0;
    for (let attempt = 1; ; attempt++) {
      let header: string[] | undefined;
      let index = 0;
      try {
        for await (const cells of this.#client.csv(url, { endpoint: `bulk/${unit.type}/file`, ...(signal ? { signal } : {}) })) {
          if (!header) {
            header = cells;
            continue;
          }
          // An empty line is not a row of a multi-column file.
          if (cells.length === 1 && cells[0] === '' && header.length > 1) continue;
          index += 1;
          if (index <= given) continue;
          const row: FileRow = {};
          for (let i = 0; i < header.length; i++) {
            const value = cells[i];
            // Marketo writes some nulls as nothing and some as the text `null`.
            row[header[i]!] = value === undefined || value === '' || value === 'null' ? null : value;
          }
          given = index;
          yield row;
        }
        const expected = completed.numberOfRecords;
        if (expected === undefined || index >= expected) return;
        throw new RetriableError(`${unit.label}: export file of ${started.job.exportId} ended after ${index} of ${expected} rows`);
      } catch (error) {
        if (error instanceof HttpError && error.status === 404) throw new ExportFileGoneError(`${unit.label}: the file of export ${started.job.exportId} is gone (HTTP 404)`, { cause: error });
        const transient = error instanceof RetriableError || isTransientNetworkError(error) || /terminated|CSV row|aborted/i.test(errorMessage(error));
        if (!transient || signal?.aborted || attempt >= MAX_DOWNLOAD_ATTEMPTS) throw error;
        this.#logger.warn(`${errorMessage(error)}; downloading the file again after row ${given}`);
      }
    }
  }

  #observeNow(createdAt: string): void {
    const at = Date.parse(createdAt);
    if (Number.isFinite(at)) this.serverNow = Math.max(this.serverNow ?? at, at);
  }

  /** The finished files (days in US Central, where Marketo's day turns) are listed once a day, then counted as they complete. */
  async #checkExportBudget(type: ExportType, today: string, signal?: AbortSignal): Promise<void> {
    if (this.#budget.needsListing(today)) {
      const files: ListedFile[] = [];
      for (const listed of ['leads', 'activities', 'program/members'] as const) {
        const body = await this.#client.get<ExportJob>(this.#url(listed, '.json'), { status: 'Completed' }, { endpoint: `bulk/${listed}/list`, ...(signal ? { signal } : {}) });
        for (const job of body.result ?? []) {
          if (job.finishedAt) files.push({ exportId: job.exportId, type: listed, fileSize: Number(job.fileSize ?? 0), day: centralDay(Date.parse(job.finishedAt)) });
        }
      }
      this.#budget.setListing(today, files);
    }
    this.#budget.check(type);
  }
}

/** The job ended Failed or Cancelled: create it again. */
export class ExportJobFailedError extends FatalError {}

/** The file of a completed job answers 404 (past retention, or Marketo lost it): create the job again. */
export class ExportFileGoneError extends FatalError {}

const CENTRAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit' });

export function centralDay(ms: number): string {
  return CENTRAL.format(new Date(ms));
}

export interface ExportedUnit {
  unit: ExportUnit;
  /** The completed job whose file `rows` reads. */
  job: ExportJob;
  rows: AsyncGenerator<FileRow>;
}

/**
 * Runs units one after another in order, keeping up to JOBS_AHEAD jobs enqueued so that Marketo
 * processes the next while this one's file is read; until a file of the stream's type is known
 * (listed or read), one job at a time, since the export budget has no size to expect of a second one. `next`
 * is asked for the next unit once the previous one is created (so it can use `bulk.serverNow`);
 * each unit's rows must be read to the end before the next unit is given. Jobs not read (a stop,
 * an error) are cancelled, except the one being waited for, which `onHead` names so that a
 * stopped run can leave it to the next.
 */
export async function* runExports(
  bulk: BulkExtract,
  next: () => ExportUnit | undefined,
  options: { start?: StartExport; signal?: AbortSignal; logger: Logger; onHead?: (unit: ExportUnit, job: ExportJob) => void },
): AsyncGenerator<ExportedUnit> {
  const start: StartExport = options.start ?? ((unit) => bulk.start(unit, options.signal));
  type Entry = { unit: ExportUnit; job: Promise<StartedExport> };
  const pending: Entry[] = [];
  /** The job waited for until it completes: the one a stopped run leaves to the next. */
  let waiting: Entry | undefined;
  let exhausted = false;
  let type: ExportType | undefined;
  const ahead = () => (type !== undefined && bulk.knowsSize(type) ? JOBS_AHEAD : 1);
  const fill = async () => {
    while (!exhausted && pending.length < ahead()) {
      const last = pending.at(-1);
      if (last) await last.job;
      const unit = next();
      if (!unit) {
        exhausted = true;
        return;
      }
      type = unit.type;
      const job = start(unit);
      // Awaited in order later; this keeps an early failure from being an unhandled rejection.
      job.catch(() => undefined);
      pending.push({ unit, job });
    }
  };
  try {
    await fill();
    while (pending.length > 0) {
      const head = pending[0]!;
      waiting = head;
      let started = await head.job;
      options.onHead?.(head.unit, started.job);
      let completed: ExportJob | undefined;
      for (let attempt = 1; !completed; attempt++) {
        try {
          completed = await bulk.waitCompleted(started, options.signal);
        } catch (error) {
          if (!(error instanceof ExportJobFailedError) || attempt >= MAX_JOB_ATTEMPTS) throw error;
          options.logger.warn(`${errorMessage(error)}; exporting again`);
          started = await start(head.unit);
          head.job = Promise.resolve(started);
          options.onHead?.(head.unit, started.job);
        }
      }
      waiting = undefined;
      pending.shift();
      // A stop refusing the next job leaves this file, paid for in today's export bytes, to be read first.
      const stop = await fill().then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof ResumableStopError) return error;
          throw error;
        },
      );
      let rows = bulk.rows(started, completed, options.signal);
      let job = completed;
      const first = await rows.next().catch(async (error: unknown) => {
        if (!(error instanceof ExportFileGoneError)) throw error;
        // Gone before a row was read: a new job for the same unit.
        options.logger.warn(`${errorMessage(error)}; exporting again`);
        const again = await start(head.unit);
        waiting = { unit: head.unit, job: Promise.resolve(again) };
        options.onHead?.(head.unit, again.job);
        job = await bulk.waitCompleted(again, options.signal);
        waiting = undefined;
        rows = bulk.rows(again, job, options.signal);
        return rows.next();
      });
      yield { unit: head.unit, job: { ...job, createdAt: job.createdAt ?? started.job.createdAt }, rows: prepend(first, rows) };
      if (stop) throw stop;
    }
  } finally {
    // A job left behind holds one of the subscription's queue places and may count against the
    // export quota: cancelled, unless it is the one waited for and onHead recorded it.
    const left = waiting && !pending.includes(waiting) ? [waiting, ...pending] : pending;
    for (const entry of left) {
      if (entry === waiting && options.onHead) continue;
      const started = await entry.job.catch(() => undefined);
      if (started) await bulk.cancel(started);
    }
  }
}

async function* prepend(first: IteratorResult<FileRow>, rest: AsyncGenerator<FileRow>): AsyncGenerator<FileRow> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
