/**
 * Seeded integer hashing. Every random choice in the company is a hash of
 * (seed, tag, coordinates), so any record can be regenerated on its own and
 * nothing has to be remembered between calls.
 */

export function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** uint32 hash of up to five integers (each may exceed 2^32; the high part is folded in). */
export function hash(seed: number, a: number, b = 0, c = 0, d = 0): number {
  let h = mix(seed ^ 0x9e3779b9);
  h = mix(h ^ fold(a));
  h = mix((h + 0x632be5ab) ^ fold(b));
  h = mix((h + 0x85ebca6b) ^ fold(c));
  h = mix((h + 0x27d4eb2f) ^ fold(d));
  return h;
}

function fold(n: number): number {
  if (n >= 0 && n < 4294967296) return n >>> 0;
  const hi = Math.floor(n / 4294967296);
  return (n >>> 0) ^ mix(hi | 0);
}

/** A hash as a number in [0, 1). */
export function unit(seed: number, a: number, b = 0, c = 0, d = 0): number {
  return hash(seed, a, b, c, d) / 4294967296;
}

/** Tags keep the hash streams of different attributes independent. */
export function tag(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** Small sequential generator for the many fields of one record (mulberry32). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Picks by weights (parallel array). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }
}

export function pickBy<T>(u: number, items: readonly T[]): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))] as T;
}
