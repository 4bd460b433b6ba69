import type { SimClock } from '../core/clock.js';
import type { Millis } from '../dataset/types.js';

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

const central = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Chicago',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function centralParts(ms: Millis): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const part of central.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { y: parts.year ?? 0, m: parts.month ?? 0, d: parts.day ?? 0, h: parts.hour ?? 0, mi: parts.minute ?? 0, s: parts.second ?? 0 };
}

/** The calendar day in US Central time (CST/CDT), `YYYY-MM-DD`: the unit of Marketo's daily quotas. */
export function centralDay(ms: Millis): string {
  const { y, m, d } = centralParts(ms);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Offset of US Central from UTC at `ms`, in ms (negative: -5 h or -6 h). */
function centralOffset(ms: Millis): number {
  const { y, m, d, h, mi, s } = centralParts(ms);
  return Date.UTC(y, m - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/** The first instant of the next US Central day after `ms`. */
export function nextCentralMidnight(ms: Millis): Millis {
  const { y, m, d } = centralParts(ms);
  const localMidnight = Date.UTC(y, m - 1, d + 1);
  // The offset at the target may differ from now (DST change that night); settle it in two steps.
  let guess = localMidnight - centralOffset(ms);
  guess = localMidnight - centralOffset(guess);
  return guess;
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
  const start = centralDayStart(ms);
  const offset = centralOffset(start) / 60_000;
  const abs = Math.abs(offset);
  const sign = offset < 0 ? '-' : '+';
  return `${centralDay(ms)}T00:00:00${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
