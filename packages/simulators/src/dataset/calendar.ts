/**
 * The company's time axis: days counted from START, a closed-form arrival
 * rate of new people per day, and formatting helpers. Day-level counts come
 * from a prefix sum so that `count(day)` and the cumulative count before a day
 * are O(1) and fractional scales round with a deterministic carry.
 */
import type { Millis } from './types.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const START: Millis = Date.UTC(2024, 11, 1);
export const INITIAL_AS_OF: Millis = Date.UTC(2026, 11, 1);
/** Days the generator can address (ids pack the day into 13 bits). */
export const MAX_DAY = 8000;
const EPOCH_DAY0 = START / DAY;

export function dayOf(t: Millis): number {
  return Math.floor((t - START) / DAY);
}
export function dayStart(d: number): Millis {
  return START + d * DAY;
}

/** New people per day at scale 1 (before rounding): growth, yearly seasonality, weekends, the December lull. */
export function baseRate(d: number): number {
  const epochDay = EPOCH_DAY0 + d;
  const weekday = (epochDay + 4) % 7; // 0 = Sunday
  const weekend = weekday === 0 || weekday === 6 ? 0.35 : 1;
  const growth = 1 + 0.6 * Math.min(d, 1460) / 730;
  const season = 1 + 0.2 * Math.sin((2 * Math.PI * (d - 60)) / 365.25);
  const { month, day } = civil(epochDay);
  const holiday = month === 12 && day >= 20 ? 0.3 : month === 1 && day <= 3 ? 0.5 : 1;
  return 10.5 * growth * season * weekend * holiday;
}

const prefix = new Float64Array(MAX_DAY + 2);
let prefixDone = 0;
/** sum of baseRate over days [0, d), filled in on first use up to d (module-wide; it is the same for every company). */
export function rateBefore(d: number): number {
  const k = Math.max(0, Math.min(d, MAX_DAY + 1));
  while (prefixDone < k) {
    prefix[prefixDone + 1] = (prefix[prefixDone] as number) + baseRate(prefixDone);
    prefixDone++;
  }
  return prefix[k] as number;
}

export interface Civil {
  year: number;
  month: number;
  day: number;
}

/** Gregorian date of a day number since 1970-01-01 (Howard Hinnant's algorithm). */
export function civil(epochDay: number): Civil {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** `YYYY-MM-DD` of an instant (UTC). */
export function isoDate(t: Millis): string {
  const c = civil(Math.floor(t / DAY));
  return `${c.year}-${pad2(c.month)}-${pad2(c.day)}`;
}

/** `YYYY-MM-DD` of a company day. */
export function dayDate(d: number): string {
  return isoDate(dayStart(d));
}

/** Company day of the first of month `m` (month 0 = December 2024). */
export function monthStartDay(m: number): number {
  const y = 2024 + Math.floor((11 + m) / 12);
  const mo = (11 + m) % 12;
  return dayOf(Date.UTC(y, mo, 1));
}

export function monthOfDay(d: number): number {
  const c = civil(EPOCH_DAY0 + d);
  return (c.year - 2024) * 12 + (c.month - 1) - 11;
}

export const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export function monthLabel(m: number): string {
  const d = monthStartDay(m);
  const c = civil(EPOCH_DAY0 + d);
  return `${MONTH_NAMES[c.month - 1]} ${c.year}`;
}

/** `HH:MM:SS.sssZ`, the Salesforce time-field form. */
export function timeOfDay(ms: number): string {
  const h = Math.floor(ms / HOUR);
  const m = Math.floor((ms % HOUR) / MINUTE);
  const s = Math.floor((ms % MINUTE) / 1000);
  const milli = ms % 1000;
  return `${pad2(h)}:${pad2(m)}:${pad2(s)}.${String(milli).padStart(3, '0')}Z`;
}

/** Adds whole months to a `YYYY-MM-DD` date, clamping the day. */
export function addMonths(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const d = Number(date.slice(8, 10));
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(yy, mm + 1, 0)).getUTCDate();
  return `${yy}-${pad2(mm + 1)}-${pad2(Math.min(d, last))}`;
}

export function addDaysToDate(date: string, days: number): string {
  return isoDate(Date.parse(date + 'T00:00:00Z') + days * DAY);
}
