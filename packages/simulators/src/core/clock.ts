import type { Millis } from '../dataset/types.js';

/**
 * The simulated present shared by the servers of one simulation. Data newer
 * than `now()` does not exist yet, so advancing the clock is how a test makes
 * new and changed rows appear for an incremental sync.
 */
export class SimClock {
  #now: Millis;

  constructor(now: Millis) {
    this.#now = now;
  }

  now(): Millis {
    return this.#now;
  }

  advance(ms: Millis): Millis {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock can only move forward, got ${ms} ms`);
    this.#now += ms;
    return this.#now;
  }

  advanceDays(days: number): Millis {
    return this.advance(days * 86_400_000);
  }

  set(now: Millis): void {
    if (now < this.#now) throw new RangeError(`clock can only move forward (now ${new Date(this.#now).toISOString()})`);
    this.#now = now;
  }
}
