import type { Millis } from '../dataset/types.js';

/**
 * Tenant-time-zone formatting. Zuora writes datetimes in the tenant's zone
 * with its offset (`2022-10-01T10:20:30-07:00`), and reads zone-less inputs
 * (`incrementalTime`, ZOQL literals without offset) in that zone too.
 */

const HOUR = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
// Offsets only change on whole hours in the zones we care about; one Intl call per hour of data.
const offsets = new Map<string, Map<number, number>>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Minutes to add to UTC to get local time in `timeZone` at `ms`. */
export function offsetMinutes(ms: Millis, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const hour = Math.floor(ms / HOUR);
  let offset = zone.get(hour);
  if (offset === undefined) {
    const parts: Record<string, number> = {};
    for (const part of formatter(timeZone).formatToParts(hour * HOUR)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    offset = Math.round((local - hour * HOUR) / 60_000);
    if (zone.size > 100_000) zone.clear();
    zone.set(hour, offset);
  }
  return offset;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function localParts(ms: Millis, offset: number): { date: string; time: string; millis: string } {
  const d = new Date(ms + offset * 60_000);
  return {
    date: `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    millis: pad(d.getUTCMilliseconds(), 3),
  };
}

function offsetText(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

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
  // Local wall time → UTC: correct the guess by the offset found there, twice for DST edges.
  let guess = wall - offsetMinutes(wall, timeZone) * 60_000;
  guess = wall - offsetMinutes(guess, timeZone) * 60_000;
  return guess;
}

/** Strict `yyyy-MM-dd HH:mm:ss` (AQuA `incrementalTime`). */
export function parseIncrementalTime(text: string, timeZone: string): Millis | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  return parseDateTime(text, timeZone);
}
