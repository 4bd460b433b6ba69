/**
 * The Bulk API 2.0 query reader: create the job, poll it with exponential backoff, then read the
 * results page by page with `?locator=`, each page parsed as a stream, yielding typed records as the
 * consumer pulls. The job is deleted at the end, unless `keepUnfinished` keeps a complete job whose
 * reading stopped early, for another run to resume (`resume`, `onResumePoint`).
 */
import { CsvParseError, csvRows, errorMessage, isTransientNetworkError, sleepFor, type Logger } from '@singer-io-ts/sdk';
import { convertersFor, type EmptyStringPolicy, type FieldSpec } from './convert.js';
import {
  Bulk2ApiError,
  Bulk2Error,
  Bulk2JobAbortedError,
  Bulk2JobFailedError,
  Bulk2JobTimeoutError,
  Bulk2QueryTimeoutError,
  Bulk2ResultError,
  isQueryTimeoutMessage,
} from './errors.js';
import { bodyExcerpt, UncertainRequestError, type BulkTransport } from './transport.js';

export type BulkJobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** The job info document (`GET /jobs/query/{id}`); only the fields this reader uses are typed. */
export interface BulkJobInfo {
  id: string;
  state: BulkJobState | (string & {});
  operation?: string;
  object?: string;
  errorMessage?: string;
  numberRecordsProcessed?: number;
  [key: string]: unknown;
}

export interface BulkQueryOptions {
  /** `62.0` (also accepted: `v62.0`, `62`). Job creation, polls and results must use the same one. */
  apiVersion: string | number;
  soql: string;
  /** `queryAll` (deleted and archived rows included) instead of `query`. */
  includeDeleted: boolean;
  /** How to convert each column; unlisted columns are strings. See convert.ts. */
  fields: readonly FieldSpec[];
  /** Stops polling and reading; the job is then aborted/deleted and the generator throws the reason. */
  signal?: AbortSignal;
  /** Wait between polls: starts at `initial`, doubles up to `max`. Default 1 s → 30 s. */
  pollIntervalMs?: { initial: number; max: number };
  /** Give up on a job still queued or running after this long (it is aborted and deleted). Default 6 h. */
  jobTimeoutMs?: number;
  /** `maxRecords` per results page; the server's default when unset. */
  maxRecordsPerPage?: number;
  /** Empty CSV fields of string columns: null (default) or ''. */
  emptyString?: EmptyStringPolicy;
  /**
   * Tries per results page. A page whose body breaks off (dropped connection, a body shorter than its
   * Sforce-NumberOfRecords, a quoted field cut short) is requested again with the same locator and
   * the rows already yielded are skipped (Salesforce serves the same page for the same locator).
   * Default 3.
   */
  pageAttempts?: number;
  /** Delete the job when done (success, failure, early exit). Default true. */
  deleteJob?: boolean;
  /**
   * A job an earlier run created for this same query, and the locator of the first results page
   * that run had not fully read (null: the first page). If the job still answers JobComplete, its
   * results are read from there and no job is created; if it is gone, in another state, or that
   * page cannot be read, it is deleted (best effort) and a new job created, with a warning why.
   */
  resume?: BulkResumePoint;
  /**
   * Called with a point another run can resume from: when the results are about to be read (the
   * locator resumed from, or null), then after every page but the last, once the consumer has
   * pulled all of its rows (the next page's locator).
   */
  onResumePoint?: (point: BulkResumePoint) => void;
  /**
   * Keep, not delete, a complete job whose results were not read to the end because reading
   * stopped: the consumer's return(), the signal, or an error not of the job or its results (a
   * quota stop, an outage). Another run can then resume it. Default false.
   */
  keepUnfinished?: boolean;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** Called with the job info on creation and after every poll. */
  onJobInfo?: (job: BulkJobInfo) => void;
  /** Waits between polls; for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For the job timeout; for tests. */
  now?: () => number;
}

/** Where the results of a complete job can be read on from, by this run or another one. */
export interface BulkResumePoint {
  jobId: string;
  /** The `Sforce-Locator` of the next page to read; null for the first page. */
  locator: string | null;
}

/** What the generator returns when it has read everything. */
export interface BulkQuerySummary {
  jobId: string;
  records: number;
  pages: number;
  /** The job's numberRecordsProcessed. */
  numberRecordsProcessed: number | undefined;
}

export type BulkRecord = Record<string, unknown>;

const DEFAULT_POLL = { initial: 1_000, max: 30_000 };
const DEFAULT_JOB_TIMEOUT_MS = 6 * 60 * 60_000;
const DEFAULT_PAGE_ATTEMPTS = 3;
/** Job info responses in a row that may fail to parse before the reader gives up. */
const MAX_UNREADABLE_POLLS = 3;
/** Cleanup (abort, delete) must not hang an exiting consumer; it is best effort. */
const CLEANUP_TIMEOUT_MS = 30_000;

/**
 * Runs `soql` as a Bulk API 2.0 query job and yields its rows as records keyed by CSV header.
 * Lazy: nothing is sent before the first pull, and the next results page is requested only when
 * the consumer pulls past the last row of the current one. Stopping early (`break`, `return()`,
 * a throw in the loop body) cancels the page being read and deletes the job (see `keepUnfinished`).
 */
export async function* bulkQuery(transport: BulkTransport, options: BulkQueryOptions): AsyncGenerator<BulkRecord, BulkQuerySummary, undefined> {
  const version = normaliseVersion(options.apiVersion);
  const poll = options.pollIntervalMs ?? DEFAULT_POLL;
  if (!(poll.initial > 0) || !(poll.max >= poll.initial)) throw new RangeError(`pollIntervalMs needs 0 < initial <= max, got ${JSON.stringify(poll)}`);
  const maxRecords = options.maxRecordsPerPage;
  if (maxRecords !== undefined && !(Number.isInteger(maxRecords) && maxRecords > 0)) throw new RangeError(`maxRecordsPerPage must be a positive integer, got ${maxRecords}`);
  const pageAttempts = options.pageAttempts ?? DEFAULT_PAGE_ATTEMPTS;
  if (!(Number.isInteger(pageAttempts) && pageAttempts >= 1)) throw new RangeError(`pageAttempts must be a positive integer, got ${pageAttempts}`);
  const run: JobRun = { transport, options, jobs: `/services/data/v${version}/jobs/query`, poll, maxRecords, pageAttempts };

  options.signal?.throwIfAborted();
  if (options.resume) {
    const resumable = await reopen(run, options.resume);
    if (resumable) {
      try {
        return yield* readJob(run, resumable, options.resume.locator ?? undefined);
      } catch (error) {
        if (!(error instanceof UnreadableResumeError)) throw error;
        options.logger?.warn(`Bulk API 2.0 job ${options.resume.jobId} of an earlier run cannot be resumed (its results page answered: ${errorMessage(error.cause)}); creating a new job`);
      }
    }
  }
  return yield* readJob(run, await createJob(run), undefined);
}

interface JobRun {
  transport: BulkTransport;
  options: BulkQueryOptions;
  /** `/services/data/vNN.N/jobs/query` */
  jobs: string;
  poll: { initial: number; max: number };
  maxRecords: number | undefined;
  pageAttempts: number;
}

/** The first results page of a resumed job could not be read: a new job is the way on. */
class UnreadableResumeError extends Bulk2Error {}

async function createJob(run: JobRun): Promise<BulkJobInfo> {
  const { transport, options, jobs } = run;
  const { signal } = options;
  const operation = options.includeDeleted ? 'queryAll' : 'query';
  const created = await transport.request('POST', jobs, {
    json: { operation, query: options.soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' },
    ...(signal ? { signal } : {}),
  });
  if (!created.ok) throw await apiError(created, 'POST', jobs, undefined);
  let job: BulkJobInfo;
  try {
    job = (await created.json()) as BulkJobInfo;
  } catch (error) {
    throw new UncertainRequestError(`POST ${jobs} answered ${created.status} but its body could not be read (a job may have been created): ${errorMessage(error)}`, { cause: error });
  }
  if (typeof job?.id !== 'string') throw new Bulk2Error(`POST ${jobs} answered without a job id: ${JSON.stringify(job).slice(0, 300)}`);
  options.logger?.info(`Bulk API 2.0 ${operation} job ${job.id} created${job.object ? ` on ${job.object}` : ''}`);
  options.onJobInfo?.(job);
  return job;
}

/**
 * The job info of an earlier run's job if it can be resumed (JobComplete), else undefined after a
 * warning, the job deleted (best effort). Errors of the request itself (a quota stop, an outage)
 * are thrown: the job may well still be there for the run after.
 */
async function reopen(run: JobRun, point: BulkResumePoint): Promise<BulkJobInfo | undefined> {
  const { transport, options } = run;
  const jobPath = `${run.jobs}/${point.jobId}`;
  const res = await transport.request('GET', jobPath, options.signal ? { signal: options.signal } : {});
  let why: string;
  let state = 'unknown';
  if (!res.ok) {
    why = (await apiError(res, 'GET', jobPath, point.jobId)).message;
    if (res.status === 404) state = 'gone';
  } else {
    const info = (await res.json().catch(() => undefined)) as BulkJobInfo | undefined;
    if (info?.state === 'JobComplete') {
      options.logger?.info(`Bulk API 2.0 job ${point.jobId} of an earlier run is still complete: reading its results from ${point.locator === null ? 'the first page' : `locator ${point.locator}`}`);
      options.onJobInfo?.(info);
      return info;
    }
    state = typeof info?.state === 'string' ? info.state : state;
    why = `it is in state ${state}`;
  }
  options.logger?.warn(`Bulk API 2.0 job ${point.jobId} of an earlier run cannot be resumed (${why}); creating a new job`);
  if (state !== 'gone') await cleanup(transport, jobPath, point.jobId, state, true, options.logger);
  return undefined;
}

/**
 * Polls `job` until it is complete (unless it already is), then reads its results from `locator`
 * (undefined: the first page; set only for a resumed job).
 */
async function* readJob(run: JobRun, job: BulkJobInfo, locator: string | undefined): AsyncGenerator<BulkRecord, BulkQuerySummary, undefined> {
  const { transport, options, poll } = run;
  const { signal, logger } = options;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const jobId = job.id;
  const jobPath = `${run.jobs}/${jobId}`;
  const resumed = locator !== undefined || options.resume?.jobId === jobId;
  let state: string = job.state;
  let info = job;
  let finished = false;
  let failure: unknown;

  try {
    // ---- poll until the job is done --------------------------------------------------------------
    const startedAt = now();
    let delay = poll.initial;
    let unreadable = 0;
    while (state !== 'JobComplete') {
      const res = await transport.request('GET', jobPath, signal ? { signal } : {});
      if (!res.ok) throw await apiError(res, 'GET', jobPath, jobId);
      try {
        info = (await res.json()) as BulkJobInfo;
        unreadable = 0;
      } catch (error) {
        // a poll is harmless to repeat: a body that broke off or was not JSON gets a few more polls
        if (signal?.aborted) throw error;
        if (++unreadable > MAX_UNREADABLE_POLLS) throw new Bulk2Error(`GET ${jobPath}: ${unreadable} job info responses in a row could not be read: ${errorMessage(error)}`, { jobId, cause: error });
        logger?.warn(`Bulk API 2.0 job ${jobId}: the job info could not be read (${errorMessage(error)}); polling again`);
        await sleep(delay, signal);
        continue;
      }
      if (typeof info?.state !== 'string') throw new Bulk2Error(`GET ${jobPath} answered without a job state: ${JSON.stringify(info).slice(0, 300)}`, { jobId });
      state = info.state;
      options.onJobInfo?.(info);
      if (state === 'JobComplete') break;
      if (state === 'Failed') {
        const message = info.errorMessage;
        throw isQueryTimeoutMessage(message) ? new Bulk2QueryTimeoutError(jobId, message) : new Bulk2JobFailedError(jobId, message);
      }
      if (state === 'Aborted') throw new Bulk2JobAbortedError(jobId);
      if (state !== 'UploadComplete' && state !== 'InProgress') logger?.warn(`Bulk API 2.0 job ${jobId} is in unknown state ${JSON.stringify(state)}; still waiting`);
      const waited = now() - startedAt;
      const jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
      if (waited + delay > jobTimeoutMs) throw new Bulk2JobTimeoutError(jobId, state, waited);
      logger?.debug(`Bulk API 2.0 job ${jobId} is ${state}; next poll in ${delay} ms`);
      await sleep(delay, signal);
      delay = Math.min(poll.max, delay * 2);
    }
    const processed = typeof info.numberRecordsProcessed === 'number' ? info.numberRecordsProcessed : undefined;

    // ---- results, one page at a time ------------------------------------------------------------
    const pager: PageContext = { transport, jobId, resultsPath: `${jobPath}/results`, maxRecords: run.maxRecords, pageAttempts: run.pageAttempts, fields: new Map(options.fields.map((field) => [field.name, field])), emptyString: options.emptyString ?? 'null', logger, signal, yielded: 0 };
    let records = 0;
    let pages = 0;
    options.onResumePoint?.({ jobId, locator: locator ?? null });
    for (;;) {
      let end: PageEnd;
      try {
        // yield* hands an early return() on to the page, which cancels its body
        end = yield* readPage(pager, locator);
      } catch (error) {
        if (resumed && pages === 0 && pager.yielded === 0 && error instanceof Bulk2ApiError) throw new UnreadableResumeError(error.message, { jobId, cause: error });
        throw error;
      }
      records += end.rows;
      pages += 1;
      if (end.nextLocator === 'null') break;
      locator = end.nextLocator;
      options.onResumePoint?.({ jobId, locator });
    }
    if (!resumed && processed !== undefined && processed !== records) {
      logger?.warn(`Bulk API 2.0 job ${jobId}: read ${records} records, the job reports numberRecordsProcessed ${processed}`);
    }
    logger?.info(`Bulk API 2.0 job ${jobId}: ${records} records in ${pages} page${pages === 1 ? '' : 's'}${resumed ? ' (resumed)' : ''}`);
    finished = true;
    return { jobId, records, pages, numberRecordsProcessed: processed };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // A stop (not a fault of the job or its results) leaves a complete job worth resuming.
    const keep = options.keepUnfinished === true && !finished && state === 'JobComplete' && !(failure instanceof Bulk2Error);
    if (keep) logger?.info(`Bulk API 2.0 job ${jobId}: reading stopped before the end; the job is kept for the next run to resume`);
    await cleanup(transport, jobPath, jobId, state, !keep && (options.deleteJob ?? true), logger);
  }
}

interface PageContext {
  transport: BulkTransport;
  jobId: string;
  resultsPath: string;
  maxRecords: number | undefined;
  pageAttempts: number;
  fields: ReadonlyMap<string, FieldSpec>;
  emptyString: EmptyStringPolicy;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'> | undefined;
  signal: AbortSignal | undefined;
  /** Rows yielded by all pages so far. */
  yielded: number;
}

interface PageEnd {
  nextLocator: string;
  rows: number;
}

/**
 * One results page: yields its records, returns the next locator. The body is parsed while it
 * arrives; a page that breaks off is requested again (same locator) and resumes after the rows
 * already yielded.
 */
async function* readPage(ctx: PageContext, locator: string | undefined): AsyncGenerator<BulkRecord, PageEnd, undefined> {
  const query = new URLSearchParams();
  if (locator !== undefined) query.set('locator', locator);
  if (ctx.maxRecords !== undefined) query.set('maxRecords', String(ctx.maxRecords));
  const search = query.toString();
  const path = search ? `${ctx.resultsPath}?${search}` : ctx.resultsPath;
  const fail = (problem: string, extra?: ErrorOptions & { expectedRows?: number; actualRows?: number }): Bulk2ResultError => new Bulk2ResultError(ctx.jobId, locator, problem, extra);
  let yielded = 0;

  for (let attempt = 1; ; attempt += 1) {
    const res = await ctx.transport.request('GET', path, { headers: { accept: 'text/csv' }, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!res.ok) throw await apiError(res, 'GET', path, ctx.jobId);
    const nextLocator = res.headers.get('sforce-locator');
    if (nextLocator === null || nextLocator === '') {
      await res.body?.cancel().catch(() => {});
      throw fail('the response has no Sforce-Locator header, so the end of the results cannot be told (the last page says "null")');
    }
    const countHeader = res.headers.get('sforce-numberofrecords');
    const expected = countHeader === null || !/^\d+$/.test(countHeader.trim()) ? undefined : Number(countHeader);
    if (expected === undefined) ctx.logger?.warn(`Bulk API 2.0 job ${ctx.jobId}: results page without a usable Sforce-NumberOfRecords (${JSON.stringify(countHeader)}); its row count is not checked`);

    let header: string[] | undefined;
    let converters: ((text: string) => unknown)[] = [];
    let rows = 0;
    let broke: unknown;
    try {
      for await (const row of csvRows(res.body ?? emptyBody())) {
        if (header === undefined) {
          header = row;
          converters = convertersFor(header, ctx.fields, ctx.emptyString);
          continue;
        }
        if (row.length !== header.length) {
          // an empty line is not a record of a multi-column result
          if (row.length === 1 && row[0] === '' && header.length > 1) continue;
          throw fail(`row ${rows + 1} has ${row.length} fields, the header has ${header.length}`);
        }
        rows += 1;
        if (rows <= yielded) continue; // already yielded before this page broke off
        const record: BulkRecord = {};
        for (let i = 0; i < header.length; i += 1) record[header[i] as string] = (converters[i] as (text: string) => unknown)(row[i] as string);
        yielded += 1;
        ctx.yielded += 1;
        yield record;
      }
    } catch (error) {
      if (error instanceof Bulk2Error || ctx.signal?.aborted) throw error;
      // a body that breaks off: a dropped connection, or a body ending inside a quoted field
      if (!(isTransientNetworkError(error) || error instanceof CsvParseError || isBodyTermination(error))) throw fail(`reading the body failed: ${errorMessage(error)}`, { cause: error });
      broke = error;
    }
    let problem: string | undefined;
    if (broke !== undefined) problem = `the body broke off after ${rows} rows: ${errorMessage(broke)}`;
    else if (expected !== undefined && rows < expected) problem = `${rows} rows, Sforce-NumberOfRecords says ${expected}`;
    if (problem === undefined) {
      if (expected !== undefined && rows !== expected) throw fail(`${rows} rows, Sforce-NumberOfRecords says ${expected}`, { expectedRows: expected, actualRows: rows });
      return { nextLocator, rows };
    }
    if (attempt >= ctx.pageAttempts) {
      throw fail(`${problem}; gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`, { ...(broke !== undefined ? { cause: broke } : {}), ...(expected !== undefined ? { expectedRows: expected } : {}), actualRows: rows });
    }
    ctx.logger?.warn(`Bulk API 2.0 job ${ctx.jobId}: ${problem}; requesting the page again and skipping the ${yielded} rows already read (attempt ${attempt + 1} of ${ctx.pageAttempts})`);
  }
}

/** undici ends a body whose connection closed mid-way with `TypeError: terminated`. */
function isBodyTermination(error: unknown): boolean {
  return error instanceof TypeError && error.message === 'terminated';
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

/** Deletes a job this reader kept (`keepUnfinished`) that no run will resume. Best effort, never throws. */
export async function deleteBulkJob(transport: BulkTransport, apiVersion: string | number, jobId: string, logger?: Pick<Logger, 'debug' | 'warn'>): Promise<void> {
  await cleanup(transport, `/services/data/v${normaliseVersion(apiVersion)}/jobs/query/${jobId}`, jobId, 'JobComplete', true, logger);
}

/** Best effort: abort a job still queued or running, then delete it. Never throws. */
async function cleanup(transport: BulkTransport, jobPath: string, jobId: string, state: string, deleteJob: boolean, logger: Pick<Logger, 'debug' | 'warn'> | undefined): Promise<void> {
  const signal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
  const attempt = async (method: 'PATCH' | 'DELETE', json?: unknown): Promise<boolean> => {
    try {
      const res = await transport.request(method, jobPath, { signal, ...(json !== undefined ? { json } : {}) });
      if (res.ok) {
        await res.body?.cancel().catch(() => {});
        return true;
      }
      logger?.warn(`Bulk API 2.0 job ${jobId}: ${method} ${jobPath} answered HTTP ${res.status}: ${await bodyExcerpt(res)}`);
    } catch (error) {
      logger?.warn(`Bulk API 2.0 job ${jobId}: ${method} ${jobPath} failed: ${errorMessage(error)}`);
    }
    return false;
  };
  if (state === 'UploadComplete' || state === 'InProgress') {
    if (await attempt('PATCH', { state: 'Aborted' })) logger?.debug(`Bulk API 2.0 job ${jobId} aborted`);
  }
  if (deleteJob && (await attempt('DELETE'))) logger?.debug(`Bulk API 2.0 job ${jobId} deleted`);
}

async function apiError(res: Response, method: string, path: string, jobId: string | undefined): Promise<Bulk2ApiError> {
  const text = await bodyExcerpt(res, 2_000);
  let errorCode: string | undefined;
  let detail = text;
  try {
    const parsed: unknown = JSON.parse(text);
    const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
    if (first && typeof first === 'object') {
      const { errorCode: code, message } = first as { errorCode?: unknown; message?: unknown };
      if (typeof code === 'string') errorCode = code;
      if (typeof message === 'string') detail = message;
    }
  } catch {
    // not JSON: the excerpt is the detail
  }
  return new Bulk2ApiError({ status: res.status, errorCode, method, path, detail, jobId });
}

export function normaliseVersion(version: string | number): string {
  const text = String(version).trim().replace(/^v/i, '');
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`Not a Salesforce API version: ${JSON.stringify(version)}`);
  return text.includes('.') ? text : `${text}.0`;
}

