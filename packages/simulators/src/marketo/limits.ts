import type { RequestContext } from '../core/server.js';
import { centralDay, type LimitsClock } from './clock.js';
import type { MarketoScenario } from './scenario.js';

export interface Rejection {
  code: string;
  message: string;
}

/**
 * Marketo's three call limits: calls per sliding window (606), calls per US
 * Central day (607) and calls in flight (615). Only admitted calls count;
 * auth failures never reach here (600-602 are not counted by Marketo either).
 */
export class CallLimits {
  readonly #clock: LimitsClock;
  readonly #scenario: MarketoScenario;
  /** Admission times inside the current window, oldest first. */
  #window: number[] = [];
  #day = '';
  #used = 0;
  inFlight = 0;
  /** Highest concurrency seen (for tests and benchmarks). */
  peakInFlight = 0;

  constructor(clock: LimitsClock, scenario: MarketoScenario) {
    this.#clock = clock;
    this.#scenario = scenario;
  }

  /** Calls used today (US Central), as `/stats/usage.json` reports them. */
  usedToday(): number {
    this.#rollDay();
    return this.#used;
  }

  /** Sets today's usage, e.g. to start a test just under the quota. */
  setUsedToday(calls: number): void {
    this.#rollDay();
    this.#used = calls;
  }

  #rollDay(): void {
    const day = centralDay(this.#clock.now());
    if (day !== this.#day) {
      this.#day = day;
      this.#used = 0;
    }
  }

  /** Admits one call or says why not. On admission the call is counted in flight until its response closes. */
  admit(ctx: RequestContext): Rejection | undefined {
    const scenario = this.#scenario;
    const now = this.#clock.now();
    this.#rollDay();
    if (this.#used >= scenario.dailyQuota) return { code: '607', message: 'Daily quota reached' };
    while (this.#window.length > 0 && (this.#window[0] ?? 0) <= now - scenario.rateWindowMs) this.#window.shift();
    if (this.#window.length >= scenario.rateLimitCalls) {
      return { code: '606', message: `Max rate limit '${scenario.rateLimitCalls}' exceeded with in '${Math.round(scenario.rateWindowMs / 1000)}' secs` };
    }
    if (this.inFlight >= scenario.maxConcurrent) return { code: '615', message: 'Concurrent access limit reached' };
    this.#window.push(now);
    this.#used += 1;
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    ctx.res.once('close', () => {
      this.inFlight -= 1;
    });
    return undefined;
  }
}
