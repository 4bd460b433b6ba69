/**
 * The seam between the Bulk 2.0 reader and whatever holds the Salesforce session. The reader only
 * needs "send this request to the instance and give me the Response, body unread", so the tap's
 * client can implement `BulkTransport` over its own connection; `fetchTransport` is a complete
 * implementation over global fetch.
 */
import {
  RetriableError,
  RetriableHttpError,
  FatalError,
  errorMessage,
  isTransientNetworkError,
  parseRetryAfter,
  requestWasNotSent,
  withRetry,
  type Logger,
  type RetryOptions,
} from '@singer-io-ts/sdk';

export type BulkHttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface BulkRequestInit {
  /** Sent as the JSON body with `Content-Type: application/json; charset=utf-8`. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Cancels the request, its retries and reading its body. */
  signal?: AbortSignal;
}

export interface BulkTransport {
  /**
   * Sends `method path` to the instance (`path` is absolute on the instance, e.g.
   * `/services/data/v62.0/jobs/query`; the API version is the caller's) with the session's bearer
   * token, and resolves with the Response, its body unread so it can be streamed.
   *
   * Contract:
   * - A 401 whose body contains `INVALID_SESSION_ID` re-authenticates and replays the request once.
   * - Transient failures (5xx, 429, dropped connections) of idempotent requests (GET, DELETE) are
   *   retried; a POST or PATCH is retried only when it certainly did not take effect (429, or the
   *   connection was refused before anything was sent). When retries run out it throws.
   * - Any other HTTP status, error or not, resolves normally: the caller reads Salesforce's error body
   *   (an implementation may throw for errors it handles itself, as the tap's does for limits).
   */
  request(method: BulkHttpMethod, path: string, init?: BulkRequestInit): Promise<Response>;
}

export interface FetchTransportOptions {
  /** `https://mydomain.my.salesforce.com`; a function when a refresh can move it. */
  instanceUrl: string | (() => string);
  /** The current access token. */
  getToken: () => string | Promise<string>;
  /**
   * Obtains a new access token (after which `getToken` returns it). Called at most once at a time:
   * requests that fail together wait for the same refresh.
   */
  refreshToken: () => Promise<unknown>;
  /** Retry policy for transient failures; the SDK's defaults otherwise (5 attempts, 1 s doubling, 10 min). */
  retry?: Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'deadlineMs' | 'sleep' | 'random' | 'now'>;
  /** Per attempt, until the response headers arrive (not the body). Default 120 s. */
  timeoutMs?: number;
  logger?: Pick<Logger, 'warn' | 'info' | 'debug'>;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /**
   * Called before each attempt is sent; may throw (a quota budget that would be overrun stops
   * the run before the call is spent).
   */
  beforeRequest?: (method: BulkHttpMethod) => void;
  /** Sees every response (its headers; the body is the caller's), e.g. to follow `Sforce-Limit-Info`. */
  onResponse?: (response: Response) => void;
  /**
   * Sees a copy of every failed response before the status rules: an error it returns is thrown
   * instead of resolving, and retried, whatever the method, when it is a RetriableError (the
   * caller knows the server did not process the request, e.g. a concurrency limit).
   */
  classify?: (response: Response, request: { method: BulkHttpMethod; path: string }) => Promise<Error | undefined>;
}

/** Statuses retried for GET and DELETE. */
export const IDEMPOTENT_RETRY_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Statuses retried for POST and PATCH: the server says it did not process the request. */
export const UNSENT_RETRY_STATUSES: ReadonlySet<number> = new Set([429]);

const DEFAULT_TIMEOUT_MS = 120_000;
const EXCERPT_CHARS = 300;

/** A request was sent and then failed in a way that leaves its effect unknown; not retried. */
export class UncertainRequestError extends FatalError {}

/** `BulkTransport` over global fetch, with the SDK's retry helper and the 401 INVALID_SESSION_ID refresh. */
export function fetchTransport(options: FetchTransportOptions): BulkTransport {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const logger = options.logger;
  const baseUrl = typeof options.instanceUrl === 'function' ? options.instanceUrl : () => options.instanceUrl as string;
  let refreshing: Promise<void> | undefined;

  const refreshFrom = async (staleToken: string): Promise<void> => {
    if ((await options.getToken()) !== staleToken) return; // another request already refreshed
    refreshing ??= (async () => {
      try {
        logger?.info('Salesforce session expired (INVALID_SESSION_ID); re-authenticating');
        await options.refreshToken();
      } finally {
        refreshing = undefined;
      }
    })();
    await refreshing;
  };

  const sendWithRetry = (method: BulkHttpMethod, path: string, init: BulkRequestInit, token: string): Promise<Response> => {
    const idempotent = method === 'GET' || method === 'DELETE';
    const retryStatuses = idempotent ? IDEMPOTENT_RETRY_STATUSES : UNSENT_RETRY_STATUSES;
    const url = new URL(path, baseUrl());
    const headers: Record<string, string> = { accept: 'application/json', ...lowerKeys(init.headers), authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    const what = `${method} ${url.pathname}`;

    const attempt = async (): Promise<Response> => {
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error(`no response headers within ${timeoutMs} ms`)), timeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
      let response: Response;
      try {
        options.beforeRequest?.(method);
        response = await doFetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal });
      } catch (error) {
        if (init.signal?.aborted) throw error;
        const timedOut = timeout.signal.aborted;
        if (idempotent) {
          if (timedOut) throw new RetriableError(`${what} got no response within ${timeoutMs} ms`, { cause: error });
          throw error; // withRetry retries transient network errors and throws anything else
        }
        // POST, PATCH: again only when nothing reached the server (connection refused, DNS retry)
        if (!timedOut && requestWasNotSent(error)) throw error;
        if (timedOut || isTransientNetworkError(error)) {
          throw new UncertainRequestError(`${what} failed after the request was sent (${timedOut ? `no response within ${timeoutMs} ms` : errorMessage(error)}); not retried: it may have taken effect`, { cause: error });
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
      options.onResponse?.(response);
      const refusal = response.ok || !options.classify ? undefined : await options.classify(response.clone(), { method, path: url.pathname });
      if (refusal) {
        await response.body?.cancel().catch(() => {});
        throw refusal;
      }
      if (retryStatuses.has(response.status)) {
        const excerpt = await bodyExcerpt(response);
        throw new RetriableHttpError({
          method,
          url: url.pathname + url.search,
          status: response.status,
          bodyExcerpt: excerpt,
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        });
      }
      return response;
    };

    return withRetry(attempt, {
      ...options.retry,
      // idempotency is decided above, per status and per network error
      idempotent: true,
      ...(init.signal ? { signal: init.signal } : {}),
      onRetry: (info) => logger?.warn(`${errorMessage(info.error)}; retrying in ${info.delayMs} ms (attempt ${info.attempt + 1} of ${info.maxAttempts})`),
    });
  };

  return {
    async request(method, path, init = {}) {
      const token = await options.getToken();
      const response = await sendWithRetry(method, path, init, token);
      if (response.status !== 401) return response;
      const text = await response.text();
      if (!text.includes('INVALID_SESSION_ID')) return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
      await refreshFrom(token);
      return sendWithRetry(method, path, init, await options.getToken());
    },
  };
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = value;
  return out;
}

/** The start of an error body, whitespace collapsed; the rest is cancelled to free the connection. */
export async function bodyExcerpt(response: Response, maxChars = EXCERPT_CHARS): Promise<string> {
  const body = response.body;
  if (!body || response.bodyUsed) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < maxChars * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // what was read is enough for a message
  } finally {
    reader.cancel().catch(() => {});
  }
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length > maxChars ? `${collapsed.slice(0, maxChars)}…` : collapsed;
}
