import { ValueError } from './expression-error.js';

/**
 * Runtime semantics shared by operators and functions. Values are JSON values; `undefined`
 * never escapes (a missing property reads as `null`). Only own properties of objects are
 * reachable, so nothing on a prototype (`constructor`, `__proto__`, methods) can be read.
 */

export type ValueTypeName = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

export function typeName(value: unknown): ValueTypeName {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/** Python truthiness: null, false, 0, '', [] and {} are false. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property or `null`: the only way expressions read objects. */
export function ownValue(object: Record<string, unknown>, key: string): unknown {
  if (!Object.hasOwn(object, key)) return null;
  const value = object[key];
  return value === undefined ? null : value;
}

/** `a.b`, `a['b']`, `a[0]`, `a[-1]`. Missing keys, out-of-range indexes and `null.x` give `null`. */
export function readMember(target: unknown, key: unknown): unknown {
  if (target === null || target === undefined) return null;
  if (Array.isArray(target) || typeof target === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new ValueError(`${typeName(target)} index must be an integer, not ${typeName(key)}`);
    const items: readonly unknown[] = typeof target === 'string' ? Array.from(target) : target;
    const index = key < 0 ? items.length + key : key;
    if (index < 0 || index >= items.length) return null;
    const item = items[index];
    return item === undefined ? null : item;
  }
  if (isPlainRecord(target)) {
    if (typeof key !== 'string') throw new ValueError(`object key must be a string, not ${typeName(key)}`);
    return ownValue(target, key);
  }
  throw new ValueError(`cannot read ${typeof key === 'string' ? `"${key}"` : String(key)} of ${typeName(target)}`);
}

/** Python slice semantics: negative positions count from the end, out-of-range positions clamp. */
export function sliceValue(target: unknown, start: unknown, end: unknown): unknown {
  if (target === null || target === undefined) return null;
  for (const bound of [start, end]) {
    if (bound !== null && bound !== undefined && (typeof bound !== 'number' || !Number.isInteger(bound))) {
      throw new ValueError(`slice positions must be integers, not ${typeName(bound)}`);
    }
  }
  const from = start === null || start === undefined ? undefined : (start as number);
  const to = end === null || end === undefined ? undefined : (end as number);
  if (typeof target === 'string') return Array.from(target).slice(from, to).join('');
  if (Array.isArray(target)) return target.slice(from, to);
  throw new ValueError(`cannot slice ${typeName(target)}`);
}

export function deepEqual(left: unknown, right: unknown): boolean {
  const a = left === undefined ? null : left;
  const b = right === undefined ? null : right;
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return aKeys.length === Object.keys(b).length && aKeys.every((key) => Object.hasOwn(bRecord, key) && deepEqual((a as Record<string, unknown>)[key], bRecord[key]));
}

/** The text form used by `str()`, string concatenation helpers and hashing. `null` stays `null`. */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function requireFinite(value: number, operation: string): number {
  if (!Number.isFinite(value)) throw new ValueError(`${operation} gives a number JSON cannot represent`);
  return value;
}

export function add(left: unknown, right: unknown): unknown {
  if (left === null || right === null) return null;
  if (typeof left === 'number' && typeof right === 'number') return requireFinite(left + right, '+');
  if (typeof left === 'string' && typeof right === 'string') return left + right;
  if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  throw new ValueError(`cannot add ${typeName(left)} and ${typeName(right)} (convert with str(), int() or float())`);
}

export function arithmetic(operator: '-' | '*' | '/' | '//' | '%', left: unknown, right: unknown): unknown {
  if (left === null || right === null) return null;
  if (typeof left !== 'number' || typeof right !== 'number') {
    throw new ValueError(`"${operator}" needs numbers, not ${typeName(left)} and ${typeName(right)}`);
  }
  if (operator === '-') return requireFinite(left - right, operator);
  if (operator === '*') return requireFinite(left * right, operator);
  if (right === 0) throw new ValueError('division by zero');
  if (operator === '/') return requireFinite(left / right, operator);
  if (operator === '//') return requireFinite(Math.floor(left / right), operator);
  // Python's modulo takes the sign of the divisor.
  return requireFinite(left - right * Math.floor(left / right), operator);
}

export function negate(value: unknown, operator: '-' | '+'): unknown {
  if (value === null) return null;
  if (typeof value !== 'number') throw new ValueError(`unary "${operator}" needs a number, not ${typeName(value)}`);
  return operator === '-' ? -value : value;
}

/** `<`, `<=`, `>`, `>=`: numbers with numbers, strings with strings; anything compared with null is false. */
export function order(operator: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  if (left === null || right === null) return false;
  const bothNumbers = typeof left === 'number' && typeof right === 'number';
  const bothStrings = typeof left === 'string' && typeof right === 'string';
  if (!bothNumbers && !bothStrings) throw new ValueError(`cannot compare ${typeName(left)} with ${typeName(right)} using "${operator}"`);
  const a = left as number | string;
  const b = right as number | string;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** `needle in container`: substring, list membership or object key. `x in null` is false. */
export function contains(container: unknown, needle: unknown): boolean {
  if (container === null || container === undefined) return false;
  if (typeof container === 'string') {
    if (typeof needle !== 'string') throw new ValueError(`"in <string>" needs a string on the left, not ${typeName(needle)}`);
    return container.includes(needle);
  }
  if (Array.isArray(container)) return container.some((item) => deepEqual(item, needle));
  if (isPlainRecord(container)) {
    if (typeof needle !== 'string') throw new ValueError(`"in <object>" needs a string key on the left, not ${typeName(needle)}`);
    return Object.hasOwn(container, needle);
  }
  throw new ValueError(`"in" needs a string, array or object on the right, not ${typeName(container)}`);
}
