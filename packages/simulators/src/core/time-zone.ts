import type { Millis } from '../dataset/types.js';

/**
 * Wall-clock time in a named zone, without a time-zone library: Zuora writes
 * datetimes in the tenant's zone, Marketo counts its daily quotas in US Central.
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

export const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function localParts(ms: Millis, offset: number): { date: string; time: string; millis: string } {
  const d = new Date(ms + offset * 60_000);
  return {
    date: `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    millis: pad(d.getUTCMilliseconds(), 3),
  };
}

export function offsetText(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** UTC instant of a wall-clock time (`Date.UTC` of the local fields) in `timeZone`. */
export function wallToUtc(wall: Millis, timeZone: string): Millis {
  // Correct the guess by the offset found there, twice for DST edges.
  let guess = wall - offsetMinutes(wall, timeZone) * 60_000;
  guess = wall - offsetMinutes(guess, timeZone) * 60_000;
  return guess;
}
