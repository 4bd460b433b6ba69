/**
 * What can go wrong in a Bulk API 2.0 query, as types the caller can act on:
 * - `Bulk2ApiError`: Salesforce answered a request with an error (the standard `[{errorCode, message}]`
 *   array), e.g. 400 INVALIDENTITY at job creation (fall back to REST), 403 REQUEST_LIMIT_EXCEEDED.
 * - `Bulk2JobFailedError`: the job reached `Failed`; `Bulk2QueryTimeoutError` when its errorMessage names
 *   QUERY_TIMEOUT (split the date window and try again).
 * - `Bulk2JobAbortedError`: the job reached `Aborted` (someone aborted it in the org).
 * - `Bulk2JobTimeoutError`: the job did not finish within `jobTimeoutMs` (it is aborted and deleted).
 * - `Bulk2ResultError`: a results page the reader cannot trust: no `Sforce-Locator` header, a row count
 *   other than `Sforce-NumberOfRecords`, malformed CSV, a body cut short more often than `pageAttempts`.
 *
 * All are FatalErrors: retrying them blindly (a new job per attempt) is the caller's decision, not a
 * retry loop's. Transient HTTP failures are retried below this layer, by the transport.
 */
import { FatalError } from '@singer-io-ts/sdk';

export class Bulk2Error extends FatalError {
  /** The job concerned, when one had been created. */
  readonly jobId: string | undefined;

  constructor(message: string, options?: ErrorOptions & { jobId?: string | undefined }) {
    super(message, options);
    this.jobId = options?.jobId;
  }
}

/** A non-2xx answer from Salesforce, with the errorCode of its error array when it had one. */
export class Bulk2ApiError extends Bulk2Error {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly method: string;
  readonly path: string;
  /** The Salesforce message, or the start of the body when it was not an error array. */
  readonly detail: string;

  constructor(details: { status: number; errorCode: string | undefined; method: string; path: string; detail: string; jobId?: string | undefined }) {
    const code = details.errorCode ? ` ${details.errorCode}` : '';
    super(`${details.method} ${details.path} responded HTTP ${details.status}${code}${details.detail ? `: ${details.detail}` : ''}`, { jobId: details.jobId });
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.method = details.method;
    this.path = details.path;
    this.detail = details.detail;
  }
}

/** The job ended in state `Failed`. */
export class Bulk2JobFailedError extends Bulk2Error {
  /** The job's `errorMessage` (Salesforce may give none). */
  readonly errorMessage: string | undefined;
  declare readonly jobId: string;

  constructor(jobId: string, errorMessage: string | undefined, message?: string) {
    super(message ?? `Bulk API 2.0 query job ${jobId} failed${errorMessage ? `: ${errorMessage}` : ' (Salesforce gave no errorMessage)'}`, { jobId });
    this.errorMessage = errorMessage;
  }

  /** True when the job failed because the query ran too long: split the date window and try again. */
  get queryTimeout(): boolean {
    return false;
  }
}

/** A `Failed` job whose errorMessage names QUERY_TIMEOUT ("Your query request was running for too long."). */
export class Bulk2QueryTimeoutError extends Bulk2JobFailedError {
  override get queryTimeout(): boolean {
    return true;
  }
}

/** The job ended in state `Aborted`. */
export class Bulk2JobAbortedError extends Bulk2Error {
  declare readonly jobId: string;
  constructor(jobId: string) {
    super(`Bulk API 2.0 query job ${jobId} was aborted`, { jobId });
  }
}

/** The job was still running when `jobTimeoutMs` ran out; the reader aborted and deleted it. */
export class Bulk2JobTimeoutError extends Bulk2Error {
  declare readonly jobId: string;
  readonly lastState: string;
  readonly waitedMs: number;
  constructor(jobId: string, lastState: string, waitedMs: number) {
    super(`Bulk API 2.0 query job ${jobId} was still ${lastState} after ${Math.round(waitedMs / 1000)} s; gave up waiting`, { jobId });
    this.lastState = lastState;
    this.waitedMs = waitedMs;
  }
}

/** A results page that cannot be trusted. `locator` is the one the page was requested with (undefined: the first page). */
export class Bulk2ResultError extends Bulk2Error {
  declare readonly jobId: string;
  readonly locator: string | undefined;
  readonly expectedRows: number | undefined;
  readonly actualRows: number | undefined;

  constructor(jobId: string, locator: string | undefined, problem: string, options?: ErrorOptions & { expectedRows?: number; actualRows?: number }) {
    super(`Bulk API 2.0 query job ${jobId}, results page ${locator === undefined ? '(first page, no locator)' : `locator ${locator}`}: ${problem}`, {
      jobId,
      ...(options?.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.locator = locator;
    this.expectedRows = options?.expectedRows;
    this.actualRows = options?.actualRows;
  }
}

/** Malformed CSV, from the streaming parser. `row` counts from 1 and includes the header row. */
const QUERY_TIMEOUT = /QUERY_TIMEOUT|running for too long/i;

/** Whether a job errorMessage (or REST error text) says the query timed out. */
export function isQueryTimeoutMessage(text: string | undefined): boolean {
  return text !== undefined && QUERY_TIMEOUT.test(text);
}

/**
 * True for every form a query timeout takes in Bulk 2.0: a `Failed` job naming QUERY_TIMEOUT, or a
 * request answered with errorCode QUERY_TIMEOUT. The caller's cue to split the date window.
 */
export function isQueryTimeout(error: unknown): boolean {
  if (error instanceof Bulk2JobFailedError) return error.queryTimeout;
  if (error instanceof Bulk2ApiError) return error.errorCode === 'QUERY_TIMEOUT';
  return false;
}
