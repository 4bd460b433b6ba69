/**
 * Marketo answers almost every failure with HTTP 200, `success: false` and a string code. The
 * codes are turned into the SDK's error classes here, so that the retry helper, the sync loop and
 * the quota stop each see what they handle (see the Marketo error code reference).
 */
import { FatalError, QuotaExhaustedError, RetriableError, type RequestContext } from '@singer-io-ts/sdk';

/** 601/602: log in again and replay the request. */
export class TokenExpiredError extends FatalError {}

/** 1029 "Too many jobs in queue": wait for a queued export job to finish, then enqueue again. */
export class ExportQueueFullError extends FatalError {}

/**
 * 1029 "Export job … already queued" (or processing, completed…): an enqueue whose answer was lost
 * did reach Marketo. The job is on its way; its status tells the rest.
 */
export class ExportAlreadyEnqueuedError extends FatalError {}

/** 1035: the subscription cannot filter lead exports on updatedAt (no "Corona"). */
export class CoronaUnavailableError extends FatalError {}

/** Any other refusal, with its code: what a code means can depend on the call (1003 is any invalid value). */
export class MarketoRequestError extends FatalError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface MarketoApiError {
  code: string;
  message: string;
}

export interface Envelope<T = Record<string, unknown>> {
  requestId?: string;
  success?: boolean;
  errors?: MarketoApiError[];
  warnings?: string[];
  result?: T[];
  moreResult?: boolean;
  nextPageToken?: string;
}

/** Codes that clear by themselves: timeouts, "temporarily unavailable", system errors. */
const TRANSIENT = new Set(['604', '608', '611', '713']);

export interface ClassifyOptions {
  /** How long a 606 (rate window exceeded) makes every call wait. */
  rateWindowMs: number;
}

/** The error for a failed envelope, or undefined for a success. */
export function envelopeError(body: Envelope, where: string, options: ClassifyOptions): Error | undefined {
  if (body.success !== false) return undefined;
  const first = body.errors?.[0] ?? { code: 'unknown', message: 'no error given' };
  const detail = `${where}: Marketo error ${first.code} (${first.message})`;
  switch (first.code) {
    case '601':
    case '602':
      return new TokenExpiredError(detail);
    case '606':
      // The window is sliding: waiting one full window always clears it.
      return new RetriableError(detail, { retryAfterMs: options.rateWindowMs });
    case '615':
      return new RetriableError(detail);
    case '607':
      return new QuotaExhaustedError(`Marketo daily API quota reached (${first.message})`);
    case '1029':
      // One code for three answers: the daily export quota (stop for today), a job enqueued before
      // (carry on), or a full job queue (wait).
      if (/quota/i.test(first.message)) return new QuotaExhaustedError(`Marketo daily export quota reached (${first.message})`);
      if (/\balready\b/i.test(first.message)) return new ExportAlreadyEnqueuedError(detail);
      return new ExportQueueFullError(detail);
    case '1035':
      return new CoronaUnavailableError(detail);
    default:
      if (TRANSIENT.has(first.code)) return new RetriableError(detail);
      return new MarketoRequestError(detail, first.code);
  }
}

/** For `requestWithRetry`: JSON envelopes are read for their code; other bodies (CSV files, HTML error pages) are left to the status. */
export async function classifyMarketoResponse(response: Response, context: RequestContext, options: ClassifyOptions): Promise<Error | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (response.status >= 400 || !type.includes('json')) return undefined;
  let body: Envelope;
  try {
    body = (await response.json()) as Envelope;
  } catch {
    return new RetriableError(`${context.method} ${context.url}: the response is not the JSON it says it is`);
  }
  return envelopeError(body, `${context.method} ${context.url}`, options);
}
