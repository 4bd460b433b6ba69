import { performance } from 'node:perf_hooks';

export interface RateLimiterOptions {
  /**
   * At most this many calls in any window of `windowMs`, as the server counts them. Needs `windowMs`.
   * A call counts from its start until `windowMs` after it ended (the server sees it arrive at some
   * moment in between), so no window at the server can hold more, however late a request leaves
   * this process or is read by the server.
   */
  maxCalls?: number;
  windowMs?: number;
  /** At most this many calls may be running at once. */
  maxConcurrent?: number;
  /** A monotonic clock in milliseconds; performance.now by default. */
  now?: () => number;
}

/** A call against the window: until `windowMs` after `end` (Infinity while it runs). */
interface WindowCall {
  end: number;
}

interface Waiter {
  start(call: WindowCall): void;
  abandon(reason: unknown): void;
}

/**
 * Client-side throttle for an API's published limits (Marketo: 100 calls per 20 s, 10 at a
 * time). Calls start in the order they were scheduled. Waiting costs no CPU: a single timer
 * is armed while the head of the queue waits for the window, and a finishing call wakes the
 * queue when it waits for concurrency. The timer is not unref'd: it only exists while calls
 * are waiting, and an unref'd one would let Node exit with those calls never settled.
 */
export class RateLimiter {
  readonly #maxCalls: number;
  readonly #windowMs: number;
  readonly #maxConcurrent: number;
  readonly #now: () => number;
  readonly #queue: Waiter[] = [];
  /** The calls that still count against the window. */
  #windowCalls: WindowCall[] = [];
  #running = 0;
  #pausedUntil = -Infinity;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RateLimiterOptions = {}) {
    const { maxCalls, windowMs, maxConcurrent } = options;
    if ((maxCalls === undefined) !== (windowMs === undefined)) throw new RangeError('RateLimiter: maxCalls and windowMs go together');
    if (maxCalls !== undefined && !(Number.isInteger(maxCalls) && maxCalls >= 1)) throw new RangeError(`RateLimiter: maxCalls must be a positive integer, got ${maxCalls}`);
    if (windowMs !== undefined && !(windowMs > 0)) throw new RangeError(`RateLimiter: windowMs must be positive, got ${windowMs}`);
    if (maxConcurrent !== undefined && !(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) throw new RangeError(`RateLimiter: maxConcurrent must be a positive integer, got ${maxConcurrent}`);
    this.#maxCalls = maxCalls ?? Infinity;
    this.#windowMs = windowMs ?? 0;
    this.#maxConcurrent = maxConcurrent ?? Infinity;
    this.#now = options.now ?? (() => performance.now());
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `fn` once the limits allow; an aborted `signal` takes a still-queued call out of line. */
  schedule<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => waiter.abandon(signal?.reason);
      const waiter: Waiter = {
        start: (call) => {
          signal?.removeEventListener('abort', onAbort);
          // Called right away, so the recorded start time is the real one.
          let result: Promise<T>;
          try {
            result = fn();
          } catch (error) {
            result = Promise.reject(error);
          }
          // Settling is observed a tick later, so a finishing call never re-enters #drain.
          Promise.resolve(result)
            .then(resolve, reject)
            .finally(() => {
              call.end = this.#now();
              this.#running--;
              this.#drain();
            });
        },
        abandon: (reason) => {
          const index = this.#queue.indexOf(waiter);
          if (index < 0) return;
          this.#queue.splice(index, 1);
          reject(reason);
          this.#drain();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#drain();
    });
  }

  /** Starts nothing before `epochMs` (a Date.now timestamp); never shortens an existing pause. */
  pauseUntil(epochMs: number): void {
    this.pauseFor(epochMs - Date.now());
  }

  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
    this.#drain();
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      if (this.#running >= this.#maxConcurrent) return; // a finishing call drains again
      const now = this.#now();
      const waitMs = this.#waitBeforeNextStart(now);
      if (waitMs === Infinity) break; // the window is full of running calls: one finishing drains again
      if (waitMs > 0) {
        this.#wakeIn(waitMs);
        return;
      }
      const waiter = this.#queue.shift();
      if (!waiter) return;
      const call: WindowCall = { end: Infinity };
      if (this.#maxCalls !== Infinity) this.#windowCalls.push(call);
      this.#running++;
      waiter.start(call);
    }
    this.#clearTimer();
  }

  /** Milliseconds until the next call may start; Infinity when that waits for a running call to end. */
  #waitBeforeNextStart(now: number): number {
    const pauseWait = this.#pausedUntil - now;
    let windowWait = 0;
    if (this.#maxCalls !== Infinity) {
      this.#windowCalls = this.#windowCalls.filter((call) => call.end + this.#windowMs > now);
      if (this.#windowCalls.length >= this.#maxCalls) {
        windowWait = Infinity;
        for (const call of this.#windowCalls) windowWait = Math.min(windowWait, call.end + this.#windowMs - now);
      }
    }
    return Math.max(pauseWait, windowWait, 0);
  }

  #wakeIn(ms: number): void {
    this.#clearTimer();
    // Timers may fire a fraction of a millisecond early; #drain then simply re-arms.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, Math.max(1, Math.ceil(ms)));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
