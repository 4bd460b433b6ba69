import type { SimClock } from '../core/clock.js';
import type { Millis } from '../dataset/types.js';
import { localParts, offsetMinutes, offsetText, wallToUtc } from '../core/time-zone.js';

/**
 * The present as Marketo's limits see it: the simulation's clock plus the real
 * time elapsed since the server started, plus an offset a test can add. Token
 * lifetimes, rate windows, the daily quota, bulk job cadence, file retention
 * and paging-token expiry all read this clock, so a test can jump past an hour
 * or a US Central midnight without touching the data's `asOf`, while a
 * tap run in real time still sees windows pass.
 */
export class LimitsClock {
  readonly #sim: SimClock;
  readonly #simStart: Millis;
  readonly #realStart: number;
  #offset = 0;

  constructor(sim: SimClock) {
    this.#sim = sim;
    this.#simStart = sim.now();
    this.#realStart = performance.now();
  }

  now(): Millis {
    return this.#sim.now() + Math.floor(performance.now() - this.#realStart) + this.#offset;
  }

  advance(ms: number): Millis {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock can only move forward, got ${ms} ms`);
    this.#offset += ms;
    return this.now();
  }

  /** Moves to just after the next midnight in US Central time (quota reset). */
  advancePastMidnight(): Millis {
    const now = this.now();
    return this.advance(nextCentralMidnight(now) - now + 1);
  }

  get simStart(): Millis {
    return this.#simStart;
  }
}

const CENTRAL = 'America/Chicago';

/** The calendar day in US Central time (CST/CDT), `YYYY-MM-DD`: the unit of Marketo's daily quotas. */
export function centralDay(ms: Millis): string {
  return localParts(ms, offsetMinutes(ms, CENTRAL)).date;
}

/** The first instant of the next US Central day after `ms`. */
export function nextCentralMidnight(ms: Millis): Millis {
  const [y, m, d] = centralDay(ms).split('-').map(Number) as [number, number, number];
  return wallToUtc(Date.UTC(y, m - 1, d + 1), CENTRAL);
}

/** The first instant of the US Central day that contains `ms`. */
export function centralDayStart(ms: Millis): Millis {
  // Step back to an instant of the previous Central day; the next midnight after it starts this day.
  let probe = ms - 86_400_000;
  const day = centralDay(ms);
  while (centralDay(probe) === day) probe -= 3_600_000;
  return nextCentralMidnight(probe);
}

/** `YYYY-MM-DDT00:00:00-05:00`: the start of the Central day of `ms`, as usage.json dates its day. */
export function centralDayIso(ms: Millis): string {
  return `${centralDay(ms)}T00:00:00${offsetText(offsetMinutes(centralDayStart(ms), CENTRAL))}`;
}
