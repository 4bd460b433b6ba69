/**
 * The life story of every person, as pure functions of (seed, scale, day,
 * index). A person appears on day d (the count per day is closed-form), is a
 * Marketo lead, may be synced to Salesforce, may convert (Account, Contact,
 * Opportunity) a fixed number of days later, may close won and become a
 * Zuora customer, may buy more, renew yearly or churn. Every later event is a
 * fixed lag from an earlier one, drawn from a small set, so the records of any
 * table created on one day can be listed by looking back a few lags.
 */
import { DAY, HOUR, MAX_DAY, MINUTE, START, dayStart, rateBefore } from './calendar.js';
import { DayCache } from './engine.js';
import { LEAD_SOURCE_BY_CHANNEL, activePrograms, seatPrice } from './catalog.js';
import type { Channel, Program } from './catalog.js';
import { hash, tag, unit } from './rng.js';
import type { Millis } from './types.js';

/** Days from lead creation to conversion (Account, Contact, Opportunity). */
export const CONV = [7, 14, 21, 30, 45, 60, 90] as const;
/** Days from opportunity creation to close. */
export const CLOSE = [21, 30, 45, 60, 90, 120] as const;
/** Days from lead creation to deletion (leads that never convert). */
export const DEL = [20, 45, 120, 200] as const;
/** Opportunity stage steps before close: [day offset, stage, probability]. */
export const STAGES = [
  [0, 'Prospecting', 10],
  [7, 'Qualification', 20],
  [14, 'Needs Analysis', 40],
  [20, 'Proposal/Price Quote', 75],
] as const;
/** Upsell opportunity: created this long after the new-business close; closes 30 days later. */
export const UPSELL_CREATE = 180;
export const UPSELL_CLOSE = 210;
/** Renewal opportunity k is created at close + 365k - RENEWAL_LEAD and closes 5 days before the anniversary. */
export const RENEWAL_LEAD = 60;
export const MAX_YEARS = Math.ceil(MAX_DAY / 365) + 1;

const CONV_P: Record<Channel, number> = {
  Webinar: 0.22,
  Tradeshow: 0.26,
  'Online Advertising': 0.12,
  'Content Syndication': 0.1,
  'Email Nurture': 0.15,
  Website: 0.2,
};

const T = {
  tod: tag('tod'),
  sf: tag('sf'),
  prog: tag('prog'),
  conv: tag('conv'),
  del: tag('del'),
  close: tag('close'),
  deal: tag('deal'),
  churn: tag('churn'),
  ev: tag('ev'),
};

export const LEAD_ID_BASE = 1000;
/** People whose per-day facts stay cached (about 30 bytes each). */
const PERSON_BUDGET = 400_000;

export interface DayInfo {
  d: number;
  n: number;
  created: Float64Array;
  sf: Uint8Array;
  /** Index into `programs`. */
  prog: Uint16Array;
  programs: Program[];
  conv: Int8Array;
  del: Int8Array;
  converters: Int32Array;
}

export interface Converters {
  i: Int32Array;
  a: Int8Array;
  b: Int8Array;
  won: Uint8Array;
}

export interface Customer {
  d: number;
  i: number;
  a: number;
  b: number;
}

export class World {
  readonly #programs = new DayCache<Program[]>(MAX_DAY + 2);
  readonly #infos = new Map<number, DayInfo>();
  #held = 0;
  #last1: DayInfo | undefined;
  #last2: DayInfo | undefined;
  // weighed by entries, not days, so that memory stays bounded at any scale
  readonly #customers = new DayCache<Customer[]>(50_000, (list) => list.length + 1);
  readonly #convs = new DayCache<Converters>(400_000, (converters) => converters.i.length + 1);

  constructor(
    readonly seed: number,
    readonly scale: number,
  ) {}

  // ---- people ---------------------------------------------------------

  /** People created before day d. */
  cum(d: number): number {
    if (d <= 0) return 0;
    return Math.floor(this.scale * rateBefore(d) + 1e-9);
  }

  count(d: number): number {
    if (d < 0 || d > MAX_DAY) return 0;
    return this.cum(d + 1) - this.cum(d);
  }

  /** Marketo lead id of person (d, i); ids are dense and ascend with creation. */
  leadId(d: number, i: number): number {
    return LEAD_ID_BASE + this.cum(d) + i;
  }

  /** Person of a Marketo lead id (binary search over the cumulative counts). */
  personOf(id: number): { d: number; i: number } | undefined {
    const n = id - LEAD_ID_BASE;
    if (!Number.isInteger(n) || n < 0 || n >= this.cum(MAX_DAY + 1)) return undefined;
    let lo = 0;
    let hi = MAX_DAY;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.cum(mid) <= n) lo = mid;
      else hi = mid - 1;
    }
    return { d: lo, i: n - this.cum(lo) };
  }

  /** Per-day facts of every person of day d, computed together (cached with a bounded budget). */
  info(d: number): DayInfo {
    if (this.#last1?.d === d) return this.#last1;
    if (this.#last2?.d === d) {
      const x = this.#last2;
      this.#last2 = this.#last1;
      this.#last1 = x;
      return x;
    }
    let x = this.#infos.get(d);
    if (x === undefined) {
      x = this.#makeInfo(d);
      this.#infos.set(d, x);
      this.#held += x.n + 8;
      while (this.#held > PERSON_BUDGET) {
        const [k, old] = this.#infos.entries().next().value as [number, DayInfo];
        this.#infos.delete(k);
        this.#held -= old.n + 8;
      }
    }
    this.#last2 = this.#last1;
    this.#last1 = x;
    return x;
  }

  #makeInfo(d: number): DayInfo {
    const n = this.count(d);
    const programs = this.programsOn(d);
    let total = 0;
    for (const p of programs) total += p.weight;
    const created = new Float64Array(n);
    const sf = new Uint8Array(n);
    const prog = new Uint16Array(n);
    const conv = new Int8Array(n);
    const del = new Int8Array(n);
    const converters: number[] = [];
    const seed = this.seed;
    const start = dayStart(d);
    for (let i = 0; i < n; i++) {
      created[i] = start + Math.floor(((i + unit(seed, T.tod, d, i)) / n) * DAY);
      const isSf = unit(seed, T.sf, d, i) < 0.72;
      sf[i] = isSf ? 1 : 0;
      let r = unit(seed, T.prog, d, i) * total;
      let k = 0;
      for (; k < programs.length - 1; k++) {
        r -= programs[k]!.weight;
        if (r < 0) break;
      }
      prog[i] = k;
      let a = -1;
      if (isSf) {
        const p = CONV_P[programs[k]!.channel];
        const u = unit(seed, T.conv, d, i);
        if (u < p) a = Math.min(CONV.length - 1, Math.floor((u / p) * CONV.length));
      }
      conv[i] = a;
      if (a >= 0) converters.push(i);
      const ud = unit(seed, T.del, d, i);
      del[i] = ud < 0.05 && a < 0 ? Math.min(DEL.length - 1, Math.floor((ud / 0.05) * DEL.length)) : -1;
    }
    return { d, n, created, sf, prog, programs, conv, del, converters: Int32Array.from(converters) };
  }

  /** Creation instant; stratified within the day so that creation order = index order. */
  created(d: number, i: number): Millis {
    return this.info(d).created[i]!;
  }

  /** Synced to Salesforce as a Lead. */
  sf(d: number, i: number): boolean {
    return this.info(d).sf[i] === 1;
  }

  programsOn(d: number): Program[] {
    return this.#programs.get(d, (day) => activePrograms(this.seed, this.scale, day));
  }

  /** First touch (Marketo acquisition program). */
  program(d: number, i: number): Program {
    const x = this.info(d);
    return x.programs[x.prog[i]!]!;
  }

  leadSource(d: number, i: number): string {
    return LEAD_SOURCE_BY_CHANNEL[this.program(d, i).channel];
  }

  /** Index into CONV, or -1 when the person never converts. */
  conv(d: number, i: number): number {
    return this.info(d).conv[i]!;
  }

  /** Index into DEL, or -1 (converted people are never deleted). */
  del(d: number, i: number): number {
    return this.info(d).del[i]!;
  }

  deletedAt(d: number, i: number): Millis | null {
    const k = this.del(d, i);
    return k < 0 ? null : this.at(d + DEL[k]!, 1, d, i, 0);
  }

  /** A business-hours instant on day `day`, keyed by (kind, d, i, k). */
  at(day: number, kind: number, d: number, i: number, k: number): Millis {
    return dayStart(day) + 8 * HOUR + (hash(this.seed, T.ev + kind, d, i, k) % (10 * HOUR));
  }

  convTime(d: number, i: number): Millis | null {
    const a = this.conv(d, i);
    return a < 0 ? null : this.at(d + CONV[a]!, 2, d, i, 0);
  }

  /** People of day d who convert. */
  converters(d: number): Int32Array {
    return this.convertersOf(d).i;
  }

  /**
   * Converters of day d with their conversion lag, close lag and outcome,
   * cached for many days (they are few) so that looking back over every lag
   * combination does not recompute whole days of people.
   */
  convertersOf(d: number): Converters {
    return this.#convs.get(d, (day) => {
      const src = this.info(day).converters;
      const n = src.length;
      const x: Converters = { i: src, a: new Int8Array(n), b: new Int8Array(n), won: new Uint8Array(n) };
      for (let k = 0; k < n; k++) {
        const i = src[k]!;
        x.a[k] = this.conv(day, i);
        x.b[k] = this.closeIdx(day, i);
        x.won[k] = unit(this.seed, T.deal + 1, day, i) < 0.4 ? 1 : 0;
      }
      return x;
    });
  }

  // ---- deals ----------------------------------------------------------

  /** Index into CLOSE for the new-business opportunity. */
  closeIdx(d: number, i: number): number {
    return hash(this.seed, T.close, d, i) % CLOSE.length;
  }

  /** The deal of a converting person; `a` (conversion lag index) when the caller knows it. */
  deal(d: number, i: number, a = this.conv(d, i)): Deal {
    const h = hash(this.seed, T.deal, d, i);
    const u = (k: number): number => unit(this.seed, T.deal + k, d, i);
    const b = this.closeIdx(d, i);
    const convDay = d + (CONV[a] ?? 0);
    const closeDay = convDay + CLOSE[b]!;
    const won = u(1) < 0.4;
    const edition = u(2) < 0.3 ? 0 : u(2) < 0.8 ? 1 : 2;
    const seats = Math.max(5, Math.round(10 * Math.exp(u(3) * 3.2)));
    const monthly = edition === 0 ? u(4) < 0.6 : u(4) < 0.15;
    const support = edition > 0 && !monthly && u(5) < 0.35;
    const closeTime = dayStart(closeDay) + 14 * HOUR + (h % (6 * HOUR));
    const upsell = won && u(6) < 0.3;
    const upsellWon = upsell && u(7) < 0.8;
    const upsellSeats = Math.max(1, Math.round(seats * (0.2 + u(8) * 0.4)));
    let churnYear = 0;
    if (won) {
      for (let k = 1; k <= MAX_YEARS; k++)
        if (unit(this.seed, T.churn, d, i, k) < 0.14) {
          churnYear = k;
          break;
        }
      if (churnYear === 0) churnYear = MAX_YEARS + 1;
    }
    const price = seatPrice(edition, closeTime);
    const mrr = seats * price + (support ? 500 : 0);
    return {
      d,
      i,
      a,
      b,
      convDay,
      convTime: this.at(convDay, 2, d, i, 0),
      closeDay,
      closeTime,
      won,
      edition,
      seats,
      monthly,
      support,
      setupFee: !monthly && edition > 0 ? (edition === 1 ? 1500 : 4000) : 0,
      upsell,
      upsellWon,
      upsellSeats,
      churnYear,
      mrr,
      iacv: mrr * 12,
      amountEstimate: Math.round((mrr * 12 * (0.8 + u(9) * 0.5)) / 100) * 100,
      upsellIacv: upsellSeats * price * 12,
    };
  }

  /** New-business deals closed won on day X (cached per day; the Zuora side hangs off this list). */
  customersClosedOn(X: number): Customer[] {
    return this.#customers.get(X, (day) => {
      const out: Customer[] = [];
      for (let a = 0; a < CONV.length; a++)
        for (let b = 0; b < CLOSE.length; b++) {
          const d = day - CONV[a]! - CLOSE[b]!;
          if (d < 0) continue;
          const cv = this.convertersOf(d);
          for (let k = 0; k < cv.i.length; k++) if (cv.a[k] === a && cv.b[k] === b && cv.won[k] === 1) out.push({ d, i: cv.i[k]!, a, b });
        }
      return out;
    });
  }

  /** Subscription events of a customer, ascending by day offset from the close day. */
  events(deal: Deal): SubEvent[] {
    const out: SubEvent[] = [{ code: 0, off: 0, kind: 'NewSubscription' }];
    if (deal.upsellWon) out.push({ code: 1, off: UPSELL_CLOSE, kind: 'UpdateProduct' });
    for (let k = 1; k <= MAX_YEARS; k++) {
      if (deal.closeDay + 365 * k - 30 > MAX_DAY) break;
      if (k === deal.churnYear) {
        out.push({ code: 2 * k + 1, off: 365 * k - 30, kind: 'Cancellation' });
        break;
      }
      out.push({ code: 2 * k, off: 365 * k, kind: 'Renewal' });
    }
    out.sort((x, y) => x.off - y.off);
    return out;
  }

  eventTime(deal: Deal, ev: SubEvent): Millis {
    if (ev.code === 0) return deal.closeTime + 2 * HOUR;
    return dayStart(deal.closeDay + ev.off) + 15 * HOUR + (hash(this.seed, T.ev + 40, deal.d, deal.i, ev.code) % (4 * HOUR));
  }

  /** Seats and seat price in force after event `ev` (upsells add seats; renewals reprice). */
  terms(deal: Deal, ev: SubEvent): { seats: number; price: number } {
    let seats = deal.seats;
    if (deal.upsellWon && ev.off >= UPSELL_CLOSE) seats += deal.upsellSeats;
    const priceAt = ev.kind === 'Renewal' ? dayStart(deal.closeDay + ev.off) : deal.closeTime;
    return { seats, price: seatPrice(deal.edition, priceAt) };
  }
}

export interface SubEvent {
  /** 0 new, 1 upsell, 2k renewal k, 2k+1 cancellation in year k. */
  code: number;
  off: number;
  kind: 'NewSubscription' | 'UpdateProduct' | 'Renewal' | 'Cancellation';
}

export interface Deal {
  d: number;
  i: number;
  a: number;
  b: number;
  convDay: number;
  convTime: Millis;
  closeDay: number;
  closeTime: Millis;
  won: boolean;
  edition: number;
  seats: number;
  monthly: boolean;
  support: boolean;
  setupFee: number;
  upsell: boolean;
  upsellWon: boolean;
  upsellSeats: number;
  /** Renewal year in which the customer cancels (MAX_YEARS + 1: never). 0 when not won. */
  churnYear: number;
  mrr: number;
  /** First-year recurring value of the first subscription version: MRR × 12. */
  iacv: number;
  amountEstimate: number;
  upsellIacv: number;
}

export { START, MINUTE };
