/**
 * Reads a server's "wait this long" hint from a response, in milliseconds from `nowMs`, or
 * undefined when the response carries none.
 */
export type RetryHintParser = (response: Response, nowMs: number) => number | undefined;

const DELTA_SECONDS = /^\d+(\.\d+)?$/;
/** All three HTTP-date forms start with a day name; Date.parse alone accepts "-5" as a year. */
const HTTP_DATE_START = /^[A-Za-z]{3}/;

/** `Retry-After` as delta-seconds ("120") or an HTTP-date; a date in the past means "now". */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (DELTA_SECONDS.test(text)) return Math.round(Number(text) * 1_000);
  const at = HTTP_DATE_START.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export type ResetHeaderUnit = 'epoch-seconds' | 'epoch-ms' | 'delta-seconds' | 'auto';

/** Values above this are taken as an epoch in seconds by 'auto' (about year 2001). */
const EPOCH_SECONDS_THRESHOLD = 1e9;

/**
 * A parser for `X-RateLimit-Reset`-style headers. APIs disagree on the unit: GitHub sends an
 * epoch in seconds, others the seconds left; 'auto' tells them apart by magnitude.
 */
export function rateLimitResetHint(headerName = 'X-RateLimit-Reset', unit: ResetHeaderUnit = 'auto'): RetryHintParser {
  return (response, nowMs) => {
    const raw = response.headers.get(headerName)?.trim();
    if (!raw || !DELTA_SECONDS.test(raw)) return undefined;
    const value = Number(raw);
    const kind = unit === 'auto' ? (value > EPOCH_SECONDS_THRESHOLD ? 'epoch-seconds' : 'delta-seconds') : unit;
    switch (kind) {
      case 'epoch-seconds':
        return Math.max(0, Math.round(value * 1_000 - nowMs));
      case 'epoch-ms':
        return Math.max(0, Math.round(value - nowMs));
      case 'delta-seconds':
        return Math.round(value * 1_000);
    }
  };
}

/** `Retry-After` first, since it is the standard; then the connector's own hint, if any. */
export function retryDelayFromResponse(response: Response, nowMs: number, hint?: RetryHintParser): number | undefined {
  return parseRetryAfter(response.headers.get('retry-after'), nowMs) ?? hint?.(response, nowMs);
}
