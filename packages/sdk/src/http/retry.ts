import { FatalError, RetriableError, errorMessage, isRetriable } from '../errors.js';
import { isTransientNetworkError, requestWasNotSent } from './network-errors.js';

export interface RetryInfo {
  /** The attempt that just failed, counting from 1. */
  attempt: number;
  maxAttempts: number;
  /** How long the helper will wait before the next attempt. */
  delayMs: number;
  /** True when the wait comes from the server (Retry-After) rather than the backoff. */
  serverRequested: boolean;
  elapsedMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** Total attempts, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff ceiling; each retry doubles it. Default 1000 ms. */
  baseDelayMs?: number;
  /** Ceiling of the computed backoff (not of a server's Retry-After). Default 60 s. */
  maxDelayMs?: number;
  /** No wait may end after this much time since the first attempt started. Default 10 min. */
  deadlineMs?: number;
  /** Whether running the operation twice is harmless. Default true. */
  idempotent?: boolean;
  /** Retry even when `idempotent` is false. */
  retryNonIdempotent?: boolean;
  /** Cancels waits between attempts and is handed to the operation. */
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1), like Math.random. */
  random?: () => number;
  /** Epoch milliseconds, like Date.now. */
  now?: () => number;
}

export type RetryStopReason = 'max-attempts' | 'deadline' | 'not-idempotent';

/**
 * The retry helper gave up on an error that was retriable in itself. Fatal, so that an outer
 * retry loop does not multiply the attempts; the last error is its `cause`.
 */
export class RetriesExhaustedError extends FatalError {
  constructor(
    readonly attempts: number,
    readonly reason: RetryStopReason,
    readonly lastError: unknown,
    detail: string,
  ) {
    super(`Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} (${detail}): ${errorMessage(lastError)}`, {
      cause: lastError,
    });
    this.status = lastError instanceof RetriableError ? lastError.status : undefined;
  }
  readonly status: number | undefined;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BASE_DELAY_MS = 1_000;
export const DEFAULT_MAX_DELAY_MS = 60_000;
export const DEFAULT_DEADLINE_MS = 10 * 60_000;

/** Retries `RetriableError`s and transient socket errors; any other error is thrown unchanged. */
export async function withRetry<T>(
  operation: (attempt: number, signal: AbortSignal) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const signal = options.signal ?? new AbortController().signal;
  const mayRepeat = (options.idempotent ?? true) || options.retryNonIdempotent === true;
  const startedAt = now();

  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await operation(attempt, signal);
    } catch (error) {
      if (signal.aborted || !(isRetriable(error) || isTransientNetworkError(error))) throw error;
      if (!mayRepeat && !requestWasNotSent(error)) {
        throw new RetriesExhaustedError(attempt, 'not-idempotent', error, 'not retried: the operation is not idempotent');
      }
      if (attempt >= maxAttempts) throw new RetriesExhaustedError(attempt, 'max-attempts', error, `maxAttempts ${maxAttempts} reached`);

      const serverDelayMs = isRetriable(error) ? error.retryAfterMs : undefined;
      const delayMs = serverDelayMs ?? backoffDelayMs(attempt, options.baseDelayMs, options.maxDelayMs, random);
      const elapsedMs = now() - startedAt;
      if (elapsedMs + delayMs > deadlineMs) {
        // A server's Retry-After cannot be shortened, and a shortened backoff would only retry
        // at the deadline itself: either way, stop now rather than sleep for nothing.
        throw new RetriesExhaustedError(
          attempt,
          'deadline',
          error,
          `deadline of ${formatMs(deadlineMs)} would pass during the next ${formatMs(delayMs)} wait`,
        );
      }
      options.onRetry?.({ attempt, maxAttempts, delayMs, serverRequested: serverDelayMs !== undefined, elapsedMs, error });
      await sleep(delayMs, signal);
    }
  }
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelayMs(
  failedAttempt: number,
  baseDelayMs = DEFAULT_BASE_DELAY_MS,
  maxDelayMs = DEFAULT_MAX_DELAY_MS,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function formatMs(ms: number): string {
  return ms >= 1_000 ? `${+(ms / 1_000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
