import { performance } from 'node:perf_hooks';
import { RetriableError, errorMessage, isRetriable } from '../errors.js';
import type { Logger } from '../logging.js';
import type { Redactor } from '../secrets.js';
import { HttpError, RetriableHttpError, readBodyExcerpt } from './http-errors.js';
import { transientNetworkErrorCode } from './network-errors.js';
import type { QuotaBudget } from './quota.js';
import type { RateLimiter } from './rate-limiter.js';
import { retryDelayFromResponse, type RetryHintParser } from './retry-after.js';
import { formatMs, withRetry, type RetryInfo, type RetryOptions } from './retry.js';
import { endpointName, redactUrl } from './url.js';

/** Statuses that mean "try again later" on any API. */
export const DEFAULT_RETRY_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Methods that HTTP defines as idempotent: sending them twice has the effect of sending once. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export const DEFAULT_TIMEOUT_MS = 300_000;

export interface RequestContext {
  method: string;
  /** Redacted, fit for messages. */
  url: string;
  attempt: number;
}

/**
 * Inspects every response before the status check. Return an error to fail this attempt (a
 * RetriableError is retried, anything else thrown as is) or undefined to let the status decide.
 * The response is a clone whose body may be read freely; the caller still gets the original.
 */
export type ResponseClassifier = (response: Response, context: RequestContext) => Error | undefined | Promise<Error | undefined>;

export interface RequestOptions extends Omit<RetryOptions, 'idempotent'> {
  /** Per attempt, until the response headers are in and classified; not the body. Default 300 s. */
  timeoutMs?: number;
  /** Retried on top of DEFAULT_RETRY_STATUSES. */
  extraRetryStatuses?: Iterable<number>;
  /** Overrides the idempotency derived from the method. */
  idempotent?: boolean;
  /** The `endpoint` metric tag; the URL path with ids replaced by default. */
  endpoint?: string;
  logger?: Logger;
  redactor?: Redactor;
  classify?: ResponseClassifier;
  /** Reads a wait hint from retriable responses without Retry-After, e.g. rateLimitResetHint(). */
  retryHint?: RetryHintParser;
  /** Every attempt goes through it; a server-requested wait pauses it for everyone. */
  rateLimiter?: RateLimiter;
  /** Every attempt consumes one call of it. */
  quota?: QuotaBudget;
}

/**
 * fetch with the SDK's retry policy. Resolves with the Response of the first successful
 * attempt, its body unread so the caller can stream it. Throws HttpError for responses that
 * retrying cannot fix, RetriesExhaustedError when retries run out, and any other error as is.
 */
export async function requestWithRetry(url: string | URL, init: RequestInit = {}, options: RequestOptions = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const safeUrl = redactUrl(url, options.redactor);
  const endpoint = options.endpoint ?? endpointName(url);
  const retryStatuses = new Set([...DEFAULT_RETRY_STATUSES, ...(options.extraRetryStatuses ?? [])]);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const { logger, redactor, rateLimiter, quota } = options;
  const callerSignal = anySignal(options.signal, init.signal ?? undefined);

  const attemptOnce = async (attempt: number): Promise<Response> => {
    quota?.consume();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const startedAt = performance.now();
    let response: Response | undefined;
    let failure: Error | undefined;
    let succeeded = false;
    try {
      response = await fetch(url, { ...init, method, signal: anySignal(callerSignal, controller.signal) });
      const received = response;
      failure =
        (await runClassifier(received, { method, url: safeUrl, attempt })) ??
        (await classifyStatus(received, { method, url: safeUrl, retryStatuses, redactor, retryAfterMs: () => retryDelayFromResponse(received, now(), options.retryHint) }));
      if (failure) throw failure;
      succeeded = true;
      return received;
    } catch (error) {
      // An unread body would hold the connection until garbage collection.
      if (response?.body && !response.bodyUsed) response.body.cancel().catch(() => {});
      if (callerSignal?.aborted) throw error;
      if (controller.signal.aborted && error !== failure) {
        const what = response === undefined ? 'got no response' : 'could not classify the response';
        throw new RetriableError(`${method} ${safeUrl} ${what} within ${formatMs(timeoutMs)}`, { cause: error });
      }
      const code = transientNetworkErrorCode(error);
      if (code && !isRetriable(error)) {
        const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
        const detail = `${code} (${errorMessage(cause)})`;
        throw new RetriableError(`${method} ${safeUrl} failed: ${redactor ? redactor.redactText(detail) : detail}`, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      logger?.metric('timer', 'http_request_duration', Math.round(performance.now() - startedAt) / 1_000, {
        endpoint,
        http_status_code: response?.status,
        status: succeeded ? 'succeeded' : 'failed',
      });
    }
  };

  const runClassifier = async (response: Response, context: RequestContext): Promise<Error | undefined> => {
    if (!options.classify) return undefined;
    const copy = response.clone();
    try {
      return await options.classify(copy, context);
    } finally {
      // Cancelling the unread copy stops it from buffering what the caller reads from the original.
      if (!copy.bodyUsed) copy.body?.cancel().catch(() => {});
    }
  };

  const onRetry = (info: RetryInfo) => {
    if (rateLimiter && info.serverRequested) rateLimiter.pauseFor(info.delayMs);
    logger?.warn(`${errorMessage(info.error)}; retrying in ${formatMs(info.delayMs)} (attempt ${info.attempt + 1} of ${info.maxAttempts})`);
    options.onRetry?.(info);
  };

  return withRetry((attempt) => (rateLimiter ? rateLimiter.schedule(() => attemptOnce(attempt), callerSignal) : attemptOnce(attempt)), {
    ...options,
    idempotent: options.idempotent ?? IDEMPOTENT_METHODS.has(method),
    // A stream body is consumed by the first attempt and cannot be sent again.
    maxAttempts: isReplayable(init.body) ? options.maxAttempts : 1,
    signal: callerSignal,
    onRetry,
  });
}

interface StatusContext {
  method: string;
  url: string;
  retryStatuses: ReadonlySet<number>;
  redactor: Redactor | undefined;
  retryAfterMs: () => number | undefined;
}

async function classifyStatus(response: Response, context: StatusContext): Promise<Error | undefined> {
  const { status } = response;
  if (status < 400) return undefined;
  const details = { method: context.method, url: context.url, status, bodyExcerpt: await readBodyExcerpt(response, context.redactor) };
  if (context.retryStatuses.has(status)) return new RetriableHttpError({ ...details, retryAfterMs: context.retryAfterMs() });
  return new HttpError(details);
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

function isReplayable(body: RequestInit['body']): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}
