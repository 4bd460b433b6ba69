/**
 * Record ids that ascend with creation. A counter (creation day in the high
 * bits, then a per-table packing) is written in fixed width so that the
 * string order is the numeric order, and it can be decoded back for `get`.
 */

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B62_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B62.length; i++) B62_INDEX[B62.charCodeAt(i)] = i;

export const TWO40 = 2 ** 40;
export const TWO32 = 2 ** 32;

/** Counter layout shared by generated tables: day (13 bits) | a (8) | seq (24) | j (8). */
export function pack(day: number, a: number, seq: number, j: number): number {
  return day * TWO40 + a * TWO32 + seq * 256 + j;
}

export interface Unpacked {
  day: number;
  a: number;
  seq: number;
  j: number;
}

export function unpack(c: number): Unpacked {
  const day = Math.floor(c / TWO40);
  const rest = c - day * TWO40;
  const a = Math.floor(rest / TWO32);
  const low = rest - a * TWO32;
  return { day, a, seq: Math.floor(low / 256), j: low % 256 };
}

export function counterDay(c: number): number {
  return Math.floor(c / TWO40);
}

function base62(n: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = B62[n % 62] + s;
    n = Math.floor(n / 62);
  }
  return s;
}

function unbase62(s: string): number | undefined {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B62_INDEX[s.charCodeAt(i)] ?? -1;
    if (v < 0) return undefined;
    n = n * 62 + v;
  }
  return n;
}

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Salesforce's case-safe suffix: one char per 5-char chunk, bit i set when char i is upper case. */
function sfSuffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charCodeAt(chunk * 5 + i);
      if (ch >= 65 && ch <= 90) bits |= 1 << i;
    }
    out += SUFFIX_CHARS[bits];
  }
  return out;
}

/** 18-char Salesforce id: key prefix (3) + pod "5g" + counter (10, base62) + suffix (3). */
export function sfId(prefix: string, counter: number): string {
  const id15 = prefix + '5g' + base62(counter, 10);
  return id15 + sfSuffix(id15);
}

export function sfCounter(prefix: string, id: string | number): number | undefined {
  if (typeof id !== 'string') return undefined;
  if (id.length === 15) id = id + sfSuffix(id);
  if (id.length !== 18 || !id.startsWith(prefix) || id.slice(3, 5) !== '5g') return undefined;
  if (sfSuffix(id.slice(0, 15)) !== id.slice(15)) return undefined;
  return unbase62(id.slice(5, 15));
}

/** 32-char Zuora id: "2c92c0f8" + table code (2 hex) + counter (14 hex) + check (8 hex). */
export function zId(code: number, counter: number): string {
  const c = counter.toString(16).padStart(14, '0');
  const head = '2c92c0f8' + code.toString(16).padStart(2, '0') + c;
  return head + check(head);
}

export function zCounter(code: number, id: string | number): number | undefined {
  if (typeof id !== 'string' || id.length !== 32) return undefined;
  const head = id.slice(0, 24);
  if (!head.startsWith('2c92c0f8' + code.toString(16).padStart(2, '0')) || check(head) !== id.slice(24)) return undefined;
  const n = parseInt(head.slice(10), 16);
  return Number.isFinite(n) ? n : undefined;
}

function check(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
