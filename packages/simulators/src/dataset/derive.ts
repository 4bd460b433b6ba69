/** Helpers shared by the system modules: spec assembly and membership/task schedules. */
import { counterDay } from './ids.js';
import { RecCache } from './engine.js';
import type { Rec, Spec } from './engine.js';
import type { Millis } from './types.js';

/** Completes a spec whose records are listed per day: sorts each day by counter, finds one by counter. */
/**
 * Completes a spec whose records are listed per day. `recAt` rebuilds one record from its counter
 * directly; without it `get` regenerates the record's creation day (kept in a small cache).
 */
export function derived<X>(spec: Omit<Spec<X>, 'byCounter' | 'createdOn'> & { list(day: number): Rec<X>[]; sorted?: boolean; recAt?: (c: number) => Rec<X> | undefined }): Spec<X> {
  const forGet = new RecCache<X>(20_000);
  const createdOn = (day: number): Rec<X>[] => {
    if (day < 0) return [];
    const out = spec.list(day);
    if (!spec.sorted) out.sort((a, b) => a.c - b.c);
    return out;
  };
  return {
    ...spec,
    createdOn,
    byCounter(c) {
      if (spec.recAt) {
        const r = spec.recAt(c);
        return r && r.c === c ? r : undefined;
      }
      const recs = forGet.get((spec.dayOfCounter ?? counterDay)(c), createdOn);
      let lo = 0;
      let hi = recs.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const r = recs[mid]!;
        if (r.c === c) return r;
        if (r.c < c) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    },
  };
}

/** A record from its creation time, candidate later versions (dropped once deleted) and deletion. */
export function rec<X>(c: number, created: Millis, later: readonly (Millis | null)[], del: Millis | null, x: X): Rec<X> {
  const v: Millis[] = [created];
  for (const t of later) if (t !== null && t > created && (del === null || t < del)) v.push(t);
  if (v.length > 2) v.sort((a, b) => a - b);
  return { c, created, v, del: del !== null && del > created ? del : null, x };
}

/** The latest instant in `times` that is <= t (or null). */
export function latestAtOrBefore(times: readonly Millis[], t: Millis): Millis | null {
  let best: Millis | null = null;
  for (const x of times) if (x <= t && (best === null || x > best)) best = x;
  return best;
}
