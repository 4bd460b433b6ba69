import type { Millis } from '../dataset/types.js';
import { localParts, offsetMinutes, offsetText, wallToUtc } from '../core/time-zone.js';

/**
 * Tenant-time-zone formatting. Zuora writes datetimes in the tenant's zone
 * with its offset (`2022-10-01T10:20:30-07:00`), and reads zone-less inputs
 * (`incrementalTime`, ZOQL literals without offset) in that zone too.
 */

/** `2022-10-01T10:20:30-07:00`: AQuA and export CSV datetimes. */
export function formatTenant(ms: Millis, timeZone: string): string {
  const offset = offsetMinutes(ms, timeZone);
  const { date, time } = localParts(ms, offset);
  return `${date}T${time}${offsetText(offset)}`;
}

/** `2022-10-01T10:20:30.000-07:00`: datetimes in JSON bodies (export status, v1 REST). */
export function formatTenantMillis(ms: Millis, timeZone: string): string {
  const offset = offsetMinutes(ms, timeZone);
  const { date, time, millis } = localParts(ms, offset);
  return `${date}T${time}.${millis}${offsetText(offset)}`;
}

/** `2022-10-01 10:20:30`: AQuA `startTime` and the `incrementalTime` format. */
export function formatTenantPlain(ms: Millis, timeZone: string): string {
  const { date, time } = localParts(ms, offsetMinutes(ms, timeZone));
  return `${date} ${time}`;
}

/** `2022-10-01`: a date in the tenant zone. */
export function formatTenantDate(ms: Millis, timeZone: string): string {
  return localParts(ms, offsetMinutes(ms, timeZone)).date;
}

/** `2022-10-01T17:20:30Z`: AQuA datetimes with `dateTimeUtc=true` (real format unverified). */
export function formatUtc(ms: Millis): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `2022-10-01T00:00:00Z`, `2022-10-01T00:00:00-07:00`, `2022-10-01 00:00:00`
 * or `2022-10-01`; without an offset the text is local time in `timeZone`.
 */
export function parseDateTime(text: string, timeZone: string): Millis | undefined {
  const m = DATETIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const wall = Date.UTC(Number(y), month - 1, day, hour, minute, second, millis);
  if (zone === 'Z') return wall;
  if (zone) {
    const digits = zone.replace(':', '');
    const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
    return wall - (digits.startsWith('-') ? -minutes : minutes) * 60_000;
  }
  return wallToUtc(wall, timeZone);
}

/** Strict `yyyy-MM-dd HH:mm:ss` (AQuA `incrementalTime`). */
export function parseIncrementalTime(text: string, timeZone: string): Millis | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  return parseDateTime(text, timeZone);
}
