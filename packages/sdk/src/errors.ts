/**
 * The error taxonomy every connector uses. The class decides what the SDK does with the error:
 * a FatalError stops the run with a non-zero exit, a RetriableError may be retried by the retry
 * helper, a SkippableRecordError drops one record (logged and counted) and the sync goes on.
 */
export class SingerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Cannot succeed by trying again: bad config, bad input, permission denied, a bug. */
export class FatalError extends SingerError {}

/** Bad configuration: names the offending key, never echoes its value. */
export class ConfigError extends FatalError {}

export interface InputPosition {
  /** 1-based line number in the input. */
  line?: number;
  /** `stdin` or the file name given with `--input`. */
  source?: string;
  stream?: string;
}

/** Malformed Singer input on a target's stdin or `--input` file; the message names where. */
export class ProtocolError extends FatalError {
  readonly line: number | undefined;
  readonly source: string | undefined;
  readonly stream: string | undefined;

  constructor(message: string, position: InputPosition = {}) {
    const where = [position.source, position.line === undefined ? undefined : `line ${position.line}`]
      .filter(Boolean)
      .join(' ');
    super(where ? `${where}: ${message}` : message);
    this.line = position.line;
    this.source = position.source;
    this.stream = position.stream;
  }
}

/** May succeed if tried again: timeouts, throttling, 5xx, dropped sockets. */
export class RetriableError extends SingerError {
  constructor(
    message: string,
    options?: ErrorOptions & { retryAfterMs?: number; status?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
    this.status = options?.status;
  }
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
}

/** One record cannot be processed; the stream continues without it. */
export class SkippableRecordError extends SingerError {}

/**
 * Stop the run early but cleanly: the tap emits the state reached so far and exits 0 by default,
 * so that the next scheduled run resumes where this one stopped (a source that keeps failing a
 * job, a window it cannot serve today).
 */
export class ResumableStopError extends SingerError {}

/** A resumable stop before a quota is exhausted. */
export class QuotaExhaustedError extends ResumableStopError {}

export function isRetriable(error: unknown): error is RetriableError {
  return error instanceof RetriableError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
