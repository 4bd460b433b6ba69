import type { RequestContext } from '../core/server.js';
import type { Simulation } from '../core/simulation.js';
import type { Millis, Table } from '../dataset/types.js';
import type { LimitsClock } from './clock.js';
import { fail } from './envelope.js';
import type { MarketoScenario } from './scenario.js';

/** What the route modules share. */
export interface Marketo {
  simulation: Simulation;
  clock: LimitsClock;
  scenario: MarketoScenario;
  /** The data's present (the simulation clock). */
  asOf(): Millis;
  table(name: string): Table;
}

/** Optional prefix `/123-ABC-456` so that a base URL can carry the munchkin id in its path. */
export const MUNCHKIN_PREFIX = '(?:/[0-9]{3}-[A-Za-z0-9]{3}-[0-9]{3})?';

export function path(pattern: string): RegExp {
  return new RegExp(`^${MUNCHKIN_PREFIX}${pattern}$`);
}

/**
 * The parameters of a read call. Marketo lets a client whose URL would be too
 * long (414) send the same call as a form POST with `_method=GET`; a POST
 * without it is not a read, which Marketo answers with 605.
 */
export async function readParams(ctx: RequestContext): Promise<URLSearchParams | undefined> {
  if (ctx.method === 'GET') return ctx.url.searchParams;
  const body = new URLSearchParams(await ctx.text());
  const merged = new URLSearchParams(ctx.url.search);
  for (const [key, value] of body) merged.append(key, value);
  if (merged.get('_method')?.toUpperCase() !== 'GET') {
    fail(ctx, '605');
    return undefined;
  }
  merged.delete('_method');
  return merged;
}

/** An integer parameter within [min, max]; undefined (after answering) when out of range. */
export function intParam(ctx: RequestContext, params: URLSearchParams, name: string, fallback: number, min: number, max: number, code = '1003'): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(ctx, code, `Invalid value '${raw}' for ${name}: must be an integer between ${min} and ${max}`);
    return undefined;
  }
  return value;
}

/** ISO-8601 datetime with `Z` or an offset (or a plain date); undefined when it does not parse. */
export function parseDatetime(text: string): { ms: Millis; millis: boolean } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac, zone] = match;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isFinite(ms) ? { ms, millis: frac !== undefined } : undefined;
}
