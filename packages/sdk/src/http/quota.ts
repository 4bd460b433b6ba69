import { ConfigError, QuotaExhaustedError } from '../errors.js';
import type { Logger } from '../logging.js';

export interface QuotaBudgetOptions {
  /** Names the API in messages, e.g. "Salesforce". */
  name: string;
  /** The quota, e.g. the org's daily API request limit. */
  limit: number;
  /** Usage already counted against it (by every client, not only this run). Default 0. */
  used?: number;
  /** Stop before total usage would pass this percentage of `limit`. Default 100. */
  maxPercentTotal?: number;
  /** Stop before this run's own calls would pass this percentage of `limit`. Default 100. */
  maxPercentPerRun?: number;
  logger?: Logger;
}

/**
 * A daily API quota shared with other clients. `consume` is called before each call and
 * throws QuotaExhaustedError before the call that would cross a threshold, so the tap can
 * emit its state and stop cleanly; `update` takes the server's own count when it reports one.
 */
export class QuotaBudget {
  readonly name: string;
  readonly maxPercentTotal: number;
  readonly maxPercentPerRun: number;
  #limit: number;
  #used: number;
  #usedThisRun = 0;
  readonly #logger: Logger | undefined;

  constructor(options: QuotaBudgetOptions) {
    this.name = options.name;
    this.#limit = checkCount('limit', options.limit);
    this.#used = checkCount('used', options.used ?? 0);
    this.maxPercentTotal = checkPercent('maxPercentTotal', options.maxPercentTotal ?? 100);
    this.maxPercentPerRun = checkPercent('maxPercentPerRun', options.maxPercentPerRun ?? 100);
    this.#logger = options.logger;
  }

  get limit(): number {
    return this.#limit;
  }

  get used(): number {
    return this.#used;
  }

  get usedThisRun(): number {
    return this.#usedThisRun;
  }

  /** Calls left before either threshold stops the run. */
  get remaining(): number {
    return Math.max(0, Math.min(this.#allowedTotal() - this.#used, this.#allowedPerRun() - this.#usedThisRun));
  }

  /** Total usage as a percentage of the whole quota (not of the allowed share). */
  get percentUsed(): number {
    return this.#limit === 0 ? 100 : (this.#used / this.#limit) * 100;
  }

  consume(calls = 1): void {
    checkCount('calls', calls);
    const overrun = this.#overrun(calls);
    if (overrun) {
      const error = new QuotaExhaustedError(`${this.name} API quota: ${overrun}; stopping before the next call`);
      this.#logger?.warn(error.message);
      throw error;
    }
    this.#used += calls;
    this.#usedThisRun += calls;
  }

  /** The server's count is the truth: it includes other clients and resets at the day's turn. */
  update(used: number, limit?: number): void {
    this.#used = checkCount('used', used);
    if (limit !== undefined) this.#limit = checkCount('limit', limit);
    this.#logger?.debug(`${this.name} API usage ${this.#used}/${this.#limit} (${this.percentUsed.toFixed(1)}%)`);
  }

  #overrun(calls: number): string | undefined {
    const total = this.#used + calls;
    if (total > this.#allowedTotal()) {
      const share = this.maxPercentTotal < 100 ? `, past the ${this.maxPercentTotal}% allowed in total` : '';
      return `usage would reach ${total} of ${this.#limit}${share}`;
    }
    const run = this.#usedThisRun + calls;
    if (run > this.#allowedPerRun()) {
      return `this run's usage would reach ${run} calls, past the ${this.maxPercentPerRun}% of ${this.#limit} allowed per run`;
    }
    return undefined;
  }

  #allowedTotal(): number {
    return Math.floor((this.#limit * this.maxPercentTotal) / 100);
  }

  #allowedPerRun(): number {
    return Math.floor((this.#limit * this.maxPercentPerRun) / 100);
  }
}

/** The config keys Salesforce taps use for their quota thresholds. */
export interface QuotaPercentConfig {
  quota_percent_total?: unknown;
  quota_percent_per_run?: unknown;
}

/**
 * A budget from a tap's config: stop when the org's total usage would pass
 * `quota_percent_total`% of its daily limit, or when this run alone would pass
 * `quota_percent_per_run`% of it. Invalid percentages are ConfigErrors naming the key.
 */
export function quotaBudgetFromPercentages(options: {
  name: string;
  limit: number;
  used?: number;
  config: QuotaPercentConfig;
  logger?: Logger;
}): QuotaBudget {
  return new QuotaBudget({
    name: options.name,
    limit: options.limit,
    used: options.used,
    maxPercentTotal: percentFromConfig('quota_percent_total', options.config.quota_percent_total),
    maxPercentPerRun: percentFromConfig('quota_percent_per_run', options.config.quota_percent_per_run),
    logger: options.logger,
  });
}

function percentFromConfig(key: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const percent = typeof value === 'string' ? Number(value) : value;
  if (typeof percent !== 'number' || !(percent > 0 && percent <= 100)) {
    throw new ConfigError(`${key} must be a number greater than 0 and at most 100`);
  }
  return percent;
}

/**
 * `used/limit` from a usage header, e.g. Salesforce's
 * `Sforce-Limit-Info: api-usage=123/15000` (which may list more counters after a comma).
 */
export function parseUsageHeader(value: string | null | undefined, counter = 'api-usage'): { used: number; limit: number } | undefined {
  if (!value) return undefined;
  for (const part of value.split(/[,;]/)) {
    const match = /^\s*([\w-]+)=(\d+)\/(\d+)/.exec(part);
    if (match?.[1] === counter) return { used: Number(match[2]), limit: Number(match[3]) };
  }
  return undefined;
}

function checkCount(what: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`QuotaBudget: ${what} must be a non-negative number, got ${value}`);
  return value;
}

function checkPercent(what: string, value: number): number {
  if (!(value > 0 && value <= 100)) throw new RangeError(`QuotaBudget: ${what} must be in (0, 100], got ${value}`);
  return value;
}
