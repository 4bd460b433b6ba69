/**
 * Turns a record generator (`Spec`) into a `Table`. A spec only knows how to
 * list the records created on one day and how to rebuild one record from its
 * counter; each record carries its version times. The engine derives
 * everything else: the row visible at `asOf` is the record's latest version at
 * or before `asOf`, and a replication-key scan of day D only has to look at
 * the records created on D - o for the spec's few version offsets o (plus every
 * older record on the rare days of a mass update).
 */
import { DAY, START, dayOf, dayStart } from './calendar.js';
import { counterDay as packedDay } from './ids.js';
import { DELETED } from './types.js';
import type { FieldDef, Millis, Row, ScanOptions, ScannedRow, SystemName, Table } from './types.js';

export interface Rec<X = unknown> {
  /** Numeric counter; ascending counter = ascending key. */
  c: number;
  created: Millis;
  /** Version times ascending; v[0] === created. Each lies on day(created) + one of the spec's offsets. */
  v: readonly Millis[];
  /** Deletion time (after every v), or null. */
  del: Millis | null;
  x: X;
}

/** Updates that touch many old records at one instant (a nightly data-quality job). */
export interface MassSpec<X> {
  /** The mass-update instant on company day d, or null. */
  timeOn(d: number): Millis | null;
  /** Mass-update instants in (after, until], ascending. */
  between(after: Millis, until: Millis): Millis[];
  /** The latest mass-update instant <= t, or null. */
  atOrBefore(t: Millis): Millis | null;
  /** The mass-update instant before mt, or null. */
  before(mt: Millis): Millis | null;
  /** Whether the record (created before t, not deleted at t) is touched at t. */
  touches(rec: Rec<X>, t: Millis): boolean;
}

export interface Spec<X = unknown> {
  system: SystemName;
  name: string;
  label: string;
  fields: readonly FieldDef[];
  key: string;
  replicationKey: string | null;
  createdKey: string | null;
  deletes: boolean;
  /** Every possible (version day - creation day), deletion included. */
  offsets: readonly number[];
  mass?: MassSpec<X>;
  keyOf(c: number): string | number;
  counterOf(key: string | number): number | undefined;
  /** Records created on company day `day`, ascending counter. */
  createdOn(day: number): Rec<X>[];
  byCounter(c: number): Rec<X> | undefined;
  /** The row as it is at version time t. */
  build(rec: Rec<X>, t: Millis, deleted: boolean): Row;
  /**
   * Records that may have a (non-mass) version on `day`: a superset is fine,
   * duplicates are removed. Default: createdOn(day - o) for every offset o.
   */
  candidates?: (day: number, createdOn: (day: number) => Rec<X>[]) => Iterable<Rec<X>>;
  /** Creation day of a counter; default: the packed layout of ids.ts. */
  dayOfCounter?: (c: number) => number;
  /** Tables of a few hundred rows: all records (created before MAX_DAY), ascending counter. */
  all?: () => Rec<X>[];
}

export interface Visible {
  t: Millis;
  deleted: boolean;
  mass: boolean;
}

export function visibleAt<X>(spec: Spec<X>, rec: Rec<X>, asOf: Millis): Visible | null {
  if (rec.created > asOf) return null;
  if (rec.del !== null && rec.del <= asOf) return { t: rec.del, deleted: true, mass: false };
  let t = rec.created;
  for (let k = rec.v.length - 1; k >= 0; k--) {
    const vt = rec.v[k] as number;
    if (vt <= asOf) {
      t = vt;
      break;
    }
  }
  const mass = spec.mass;
  if (mass) {
    for (let mt = mass.atOrBefore(asOf); mt !== null && mt > t; mt = mass.before(mt)) if (mass.touches(rec, mt)) return { t: mt, deleted: false, mass: true };
  }
  return { t, deleted: false, mass: false };
}

interface Hit<X> {
  t: Millis;
  c: number;
  rec: Rec<X>;
  deleted: boolean;
}

const byTimeThenKey = <X>(a: Hit<X>, b: Hit<X>): number => a.t - b.t || a.c - b.c;

type ResumeOptions = ScanOptions;

export function makeTable<X>(spec: Spec<X>): Table {
  const offsets = [...new Set(spec.offsets)].sort((a, b) => a - b);
  const counterDay = spec.dayOfCounter ?? packedDay;
  // Days of records are regenerated once per version offset; keep recent days while they are small.
  const dayCache = offsets.length > 1 || spec.mass ? new RecCache<X>(RECORD_BUDGET) : null;
  const createdOn = (d: number): Rec<X>[] => (dayCache ? dayCache.get(d, spec.createdOn) : spec.createdOn(d));
  const cache = new Map<string, number>();

  const toRow = (h: Hit<X>): ScannedRow => {
    const row = spec.build(h.rec, h.t, h.deleted) as ScannedRow;
    if (h.deleted) row[DELETED] = true;
    return row;
  };

  function* scanStatic(o: ResumeOptions): Generator<Hit<X>> {
    const all = spec.all!();
    const lo = o.from ?? -Infinity;
    const hi = o.to ?? Infinity;
    const hits: Hit<X>[] = [];
    for (const rec of all) {
      if (rec.created > o.asOf) continue;
      const vis = visibleAt(spec, rec, o.asOf);
      if (!vis || (vis.deleted && !o.includeDeleted)) continue;
      if (spec.replicationKey !== null && (vis.t < lo || vis.t >= hi)) continue;
      hits.push({ t: vis.t, c: rec.c, rec, deleted: vis.deleted });
    }
    if (spec.replicationKey !== null && o.order !== 'key') hits.sort(byTimeThenKey);
    const afterC = afterCounter(o);
    const after = o.after ? { t: o.after.replicationKey, c: spec.counterOf(o.after.key) ?? -1 } : null;
    for (const h of hits) {
      if (afterC !== null && h.c <= afterC) continue;
      if (after && spec.replicationKey !== null && o.order !== 'key' && (h.t < after.t || (h.t === after.t && h.c <= after.c))) continue;
      yield h;
    }
  }

  function afterCounter(o: ResumeOptions): number | null {
    if ((o.order === 'key' || spec.replicationKey === null) && o.afterKey !== undefined) {
      const c = spec.counterOf(o.afterKey);
      if (c !== undefined) return c;
      // An unknown key: fall back to comparing keys as the server would.
      return Number.NaN;
    }
    return null;
  }

  function* scanByKey(o: ResumeOptions): Generator<Hit<X>> {
    const lo = o.from ?? -Infinity;
    const hi = o.to ?? Infinity;
    let afterC = afterCounter(o);
    let firstDay = 0;
    if (afterC !== null && Number.isNaN(afterC)) {
      // Position by string comparison of the key when it does not decode.
      const k = o.afterKey!;
      for (let d = 0; d <= dayOf(o.asOf); d++) {
        for (const rec of createdOn(d)) {
          const key = spec.keyOf(rec.c);
          if (!(key > k)) continue;
          const h = check(rec);
          if (h) yield h;
        }
      }
      return;
    }
    if (afterC !== null) firstDay = Math.max(0, counterDay(afterC));
    const lastDay = dayOf(o.asOf);
    function check(rec: Rec<X>): Hit<X> | null {
      const vis = visibleAt(spec, rec, o.asOf);
      if (!vis || (vis.deleted && !o.includeDeleted)) return null;
      if (spec.replicationKey !== null && (vis.t < lo || vis.t >= hi)) return null;
      return { t: vis.t, c: rec.c, rec, deleted: vis.deleted };
    }
    for (let d = firstDay; d <= lastDay; d++) {
      for (const rec of createdOn(d)) {
        if (afterC !== null && rec.c <= afterC) continue;
        const h = check(rec);
        if (h) yield h;
      }
      afterC = null;
    }
  }

  function* scanByTime(o: ResumeOptions): Generator<Hit<X>> {
    const asOf = o.asOf;
    let lo = Math.max(o.from ?? -Infinity, START);
    const hi = Math.min(o.to ?? Infinity, asOf + 1);
    const after = o.after ? { t: o.after.replicationKey, c: spec.counterOf(o.after.key) ?? -1 } : null;
    if (after && after.t > lo) lo = after.t;
    if (!(lo < hi)) return;
    const dLo = dayOf(lo);
    const dHi = dayOf(hi - 1);
    const wanted = (vis: Visible | null, d: number): vis is Visible =>
      vis !== null && !(vis.deleted && !o.includeDeleted) && vis.t >= lo && vis.t < hi && dayOf(vis.t) === d;
    const notBeforeAfter = (h: Hit<X>): boolean => !after || h.t > after.t || (h.t === after.t && h.c > after.c);
    for (let d = dLo; d <= dHi; d++) {
      const buf: Hit<X>[] = [];
      const consider = (rec: Rec<X>): void => {
        const vis = visibleAt(spec, rec, asOf);
        if (!wanted(vis, d) || vis.mass) return;
        buf.push({ t: vis.t, c: rec.c, rec, deleted: vis.deleted });
      };
      if (spec.candidates) {
        const seen = new Set<number>();
        for (const rec of spec.candidates(d, createdOn)) {
          if (seen.has(rec.c)) continue;
          seen.add(rec.c);
          consider(rec);
        }
      } else {
        for (const off of offsets) {
          const c = d - off;
          if (c < 0) break;
          for (const rec of createdOn(c)) consider(rec);
        }
      }
      buf.sort(byTimeThenKey);
      const mt = spec.mass ? spec.mass.timeOn(d) : null;
      if (mt === null || mt > asOf || mt < lo || mt >= hi) {
        for (const h of buf) if (notBeforeAfter(h)) yield h;
        continue;
      }
      let k = 0;
      while (k < buf.length && (buf[k] as Hit<X>).t < mt) {
        const h = buf[k++] as Hit<X>;
        if (notBeforeAfter(h)) yield h;
      }
      // Rows of the mass update share one instant, so key order is creation order: stream them.
      const firstC = after && after.t === mt ? counterDay(after.c) : 0;
      for (let c = Math.max(0, firstC); c <= d; c++) {
        for (const rec of createdOn(c)) {
          if (rec.created >= mt) continue;
          const vis = visibleAt(spec, rec, asOf);
          if (!vis || !vis.mass || vis.t !== mt) continue;
          const h = { t: mt, c: rec.c, rec, deleted: false };
          if (notBeforeAfter(h)) yield h;
        }
      }
      while (k < buf.length) {
        const h = buf[k++] as Hit<X>;
        if (notBeforeAfter(h)) yield h;
      }
    }
  }

  function hits(o: ResumeOptions): Iterable<Hit<X>> {
    if (spec.all) return scanStatic(o);
    if (o.order === 'key' || spec.replicationKey === null) return scanByKey(o);
    return scanByTime(o);
  }

  const table: Table = {
    system: spec.system,
    name: spec.name,
    label: spec.label,
    fields: spec.fields,
    key: spec.key,
    replicationKey: spec.replicationKey,
    createdKey: spec.createdKey,
    deletes: spec.deletes,
    *scan(options: ScanOptions): Iterable<ScannedRow> {
      for (const h of hits(options as ResumeOptions)) yield toRow(h);
    },
    count(options: ScanOptions): number {
      const o = options as ResumeOptions;
      const id = JSON.stringify([o.asOf, o.from, o.to, !!o.includeDeleted, o.order ?? 'replicationKey', o.afterKey, o.after]);
      const hit = cache.get(id);
      if (hit !== undefined) return hit;
      let n = 0;
      for (const _ of hits(o)) n++;
      cache.set(id, n);
      if (cache.size > 64) cache.delete(cache.keys().next().value as string);
      return n;
    },
    get(key, options): ScannedRow | undefined {
      const c = spec.counterOf(key);
      if (c === undefined) return undefined;
      let rec: Rec<X> | undefined;
      if (spec.all) rec = spec.all().find((r) => r.c === c);
      else rec = spec.byCounter(c);
      if (!rec) return undefined;
      const vis = visibleAt(spec, rec, options.asOf);
      if (!vis || (vis.deleted && !options.includeDeleted)) return undefined;
      return toRow({ t: vis.t, c: rec.c, rec, deleted: vis.deleted });
    },
  };
  return table;
}

/** Records kept per table by the day cache (bounded whatever the scale). */
export const RECORD_BUDGET = 8_000;

/**
 * LRU of per-day values, bounded by their total weight (default: one per day),
 * so memory stays bounded whatever the scale. A value heavier than a quarter
 * of the budget is not kept: it would evict everything else.
 */
export class DayCache<V> {
  #map = new Map<number, V>();
  #held = 0;
  constructor(
    private readonly budget: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}
  get(day: number, make: (day: number) => V): V {
    const m = this.#map;
    const v = m.get(day);
    if (v !== undefined) {
      m.delete(day);
      m.set(day, v);
      return v;
    }
    const made = make(day);
    const weight = this.weigh(made);
    if (weight > this.budget / 4 && weight > 1) return made;
    m.set(day, made);
    this.#held += weight;
    while (this.#held > this.budget) {
      const [k, old] = m.entries().next().value as [number, V];
      m.delete(k);
      this.#held -= this.weigh(old);
    }
    return made;
  }
}

/** Per-day record lists, weighed by their length. */
export class RecCache<X> extends DayCache<Rec<X>[]> {
  constructor(budget: number) {
    super(budget, (records) => records.length + 1);
  }
}

/** Mass updates every `every` days from `firstDay`, at `hourUtc`:00:00.000. */
export function periodicMass<X>(firstDay: number, every: number, hourUtc: number, touches: (rec: Rec<X>, t: Millis) => boolean): MassSpec<X> {
  const timeOf = (k: number): Millis => dayStart(firstDay + k * every) + hourUtc * 3_600_000;
  return {
    timeOn(d) {
      return d >= firstDay && (d - firstDay) % every === 0 ? timeOf((d - firstDay) / every) : null;
    },
    between(after, until) {
      const out: Millis[] = [];
      let k = Math.max(0, Math.floor((after - dayStart(firstDay)) / (every * DAY)));
      for (;; k++) {
        const t = timeOf(k);
        if (t > until) break;
        if (t > after) out.push(t);
      }
      return out;
    },
    atOrBefore(t) {
      const k = Math.floor((t - timeOf(0)) / (every * DAY));
      return k < 0 ? null : timeOf(k);
    },
    before(mt) {
      const k = Math.round((mt - timeOf(0)) / (every * DAY)) - 1;
      return k < 0 ? null : timeOf(k);
    },
    touches,
  };
}
