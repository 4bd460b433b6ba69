import { createHash, createHmac } from 'node:crypto';
import { ValueError } from './expression-error.js';
import { ANY, isOnly, mayBeNull, nullableLike, typeOf, union, withoutNull, type InferredType } from './inferred-type.js';
import { isTruthy, readMember, requireFinite, sliceValue, toText, typeName } from './values.js';

/**
 * The only functions an expression can call. Each declares its arity (checked when the map is
 * loaded), its body, and the type of its result (which becomes the mapped property's schema).
 * Unless stated otherwise a function of a value returns `null` for `null`, so a nullable column
 * stays nullable instead of failing the sync.
 */
export interface FunctionDefinition {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly call: (args: readonly unknown[]) => unknown;
  readonly resultType: (args: readonly InferredType[]) => InferredType;
}

const STRING = typeOf('string');
const DATE_TIME: InferredType = { types: new Set(['string']), schema: { type: 'string', format: 'date-time' } };

const first = (args: readonly InferredType[]): InferredType => args[0] ?? ANY;
const stringLikeFirst = (args: readonly InferredType[]) => nullableLike(STRING, first(args));

function define(minArgs: number, maxArgs: number, call: FunctionDefinition['call'], resultType: FunctionDefinition['resultType']): FunctionDefinition {
  return { minArgs, maxArgs, call, resultType };
}

function requireString(value: unknown, what = 'argument'): string {
  if (typeof value !== 'string') throw new ValueError(`${what} must be a string, not ${typeName(value)}`);
  return value;
}

function requireNumber(value: unknown, what = 'argument'): number {
  if (typeof value !== 'number') throw new ValueError(`${what} must be a number, not ${typeName(value)}`);
  return value;
}

function requireInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValueError(`${what} must be an integer, not ${typeName(value)}`);
  return value;
}

/** Wraps a one-string-in body so that `null` passes through. */
function onString(body: (text: string, rest: readonly unknown[]) => unknown): FunctionDefinition['call'] {
  return (args) => (args[0] === null ? null : body(requireString(args[0]), args.slice(1)));
}

function digest(algorithm: 'md5' | 'sha256', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

function requireSalt(value: unknown): string {
  if (value === null || value === undefined) throw new ValueError('salt is null (is the stream_map_config key set?)');
  return toText(value) as string;
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function toInteger(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return requireFinite(Math.trunc(value), 'int()');
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) return Number(value);
  if (typeof value === 'string') throw new ValueError('string is not an integer literal');
  throw new ValueError(`cannot convert ${typeName(value)}`);
}

function toFloat(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && FLOAT_TEXT.test(value)) return requireFinite(Number(value), 'float()');
  if (typeof value === 'string') throw new ValueError('string is not a number literal');
  throw new ValueError(`cannot convert ${typeName(value)}`);
}

/** Half away from zero (Python's round() rounds half to even). */
function roundTo(value: number, digits: number): number {
  const scaled = Math.round(Number(`${Math.abs(value)}e${digits}`));
  return Math.sign(value) * Number(`${scaled}e${-digits}`);
}

const DATE_TIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** RFC 3339 / ISO 8601 text, a Unix timestamp in seconds, or a Date; text without an offset is UTC. */
function toDateTime(value: unknown): string | null {
  if (value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ValueError('invalid Date');
    return value.toISOString();
  }
  if (typeof value === 'number') {
    const date = new Date(value * 1000);
    if (Number.isNaN(date.getTime())) throw new ValueError('timestamp out of range');
    return date.toISOString();
  }
  const text = requireString(value).trim();
  const match = DATE_TIME_TEXT.exec(text);
  if (match === null) throw new ValueError('string is not an ISO 8601 date or date-time');
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset = 'Z'] = match;
  const parts = [Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)] as const;
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], milliseconds);
  const check = new Date(utc);
  if (check.getUTCMonth() !== parts[1] || check.getUTCDate() !== parts[2] || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) {
    throw new ValueError('date or time out of range');
  }
  return new Date(utc - offsetMinutes(offset) * 60_000).toISOString();
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z' || offset === 'z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return offset.startsWith('-') ? -minutes : minutes;
}

function extremum(name: 'min' | 'max', args: readonly unknown[]): unknown {
  const only = args[0];
  const values = (args.length === 1 && Array.isArray(only) ? only : args).filter((value) => value !== null && value !== undefined);
  if (values.length === 0) return null;
  const kind = typeof values[0];
  if ((kind !== 'number' && kind !== 'string') || values.some((value) => typeof value !== kind)) {
    throw new ValueError(`${name}() needs all numbers or all strings`);
  }
  return values.reduce((best, value) => ((name === 'min' ? (value as number) < (best as number) : (value as number) > (best as number)) ? value : best));
}

function extremumType(args: readonly InferredType[]): InferredType {
  if (args.length === 1 && !isOnly(first(args), 'number', 'integer', 'string')) return ANY;
  const merged = union(...args);
  if (isOnly(merged, 'integer')) return nullableLike(typeOf('integer'), ...args);
  if (isOnly(merged, 'integer', 'number')) return nullableLike(typeOf('number'), ...args);
  if (isOnly(merged, 'string')) return nullableLike(STRING, ...args);
  return ANY;
}

function prefixTest(test: (text: string, affix: string) => boolean): FunctionDefinition['call'] {
  return onString((text, [affix]) => {
    const affixes = Array.isArray(affix) ? affix : [affix];
    return affixes.some((candidate) => test(text, requireString(candidate, 'prefix/suffix')));
  });
}

function coalesceType(args: readonly InferredType[]): InferredType {
  const definite = args.findIndex((arg) => !mayBeNull(arg));
  if (definite === -1) return union(...args);
  return union(...args.slice(0, definite + 1).map(withoutNull));
}

const VARIADIC = Number.POSITIVE_INFINITY;

export const FUNCTIONS: ReadonlyMap<string, FunctionDefinition> = new Map<string, FunctionDefinition>([
  ['md5', define(1, 1, ([value]) => {
    const text = toText(value);
    return text === null ? null : digest('md5', text);
  }, stringLikeFirst)],
  ['sha256', define(1, 2, (args) => {
    const text = toText(args[0]);
    if (text === null) return null;
    return digest('sha256', args.length === 2 ? text + requireSalt(args[1]) : text);
  }, stringLikeFirst)],
  ['hash', define(1, 2, (args) => {
    const text = toText(args[0]);
    if (text === null) return null;
    if (args.length === 1) return digest('sha256', text);
    return createHmac('sha256', requireSalt(args[1])).update(text, 'utf8').digest('hex');
  }, stringLikeFirst)],
  ['lower', define(1, 1, onString((text) => text.toLowerCase()), stringLikeFirst)],
  ['upper', define(1, 1, onString((text) => text.toUpperCase()), stringLikeFirst)],
  ['trim', define(1, 1, onString((text) => text.trim()), stringLikeFirst)],
  ['len', define(1, 1, ([value]) => {
    if (value === null) return null;
    if (typeof value === 'string') return Array.from(value).length;
    if (Array.isArray(value)) return value.length;
    if (typeof value === 'object') return Object.keys(value as object).length;
    throw new ValueError(`${typeName(value)} has no length`);
  }, (args) => nullableLike(typeOf('integer'), first(args)))],
  ['int', define(1, 1, ([value]) => toInteger(value), (args) => nullableLike(typeOf('integer'), first(args)))],
  ['float', define(1, 1, ([value]) => toFloat(value), (args) => nullableLike(typeOf('number'), first(args)))],
  ['str', define(1, 1, ([value]) => toText(value), stringLikeFirst)],
  ['bool', define(1, 1, ([value]) => isTruthy(value), () => typeOf('boolean'))],
  ['coalesce', define(1, VARIADIC, (args) => args.find((value) => value !== null && value !== undefined) ?? null, coalesceType)],
  ['round', define(1, 2, ([value, digits]) => {
    if (value === null) return null;
    const number = requireNumber(value);
    return digits === undefined || digits === null ? roundTo(number, 0) : roundTo(number, requireInteger(digits, 'ndigits'));
  }, (args) => nullableLike(typeOf(args.length === 1 ? 'integer' : 'number'), first(args)))],
  ['abs', define(1, 1, ([value]) => (value === null ? null : Math.abs(requireNumber(value))), (args) =>
    nullableLike(typeOf(isOnly(first(args), 'integer') ? 'integer' : 'number'), first(args)))],
  ['min', define(1, VARIADIC, (args) => extremum('min', args), extremumType)],
  ['max', define(1, VARIADIC, (args) => extremum('max', args), extremumType)],
  ['now', define(0, 0, () => new Date().toISOString(), () => DATE_TIME)],
  ['datetime', define(1, 1, ([value]) => toDateTime(value), (args) => nullableLike(DATE_TIME, first(args)))],
  ['json', define(1, 1, ([value]) => JSON.stringify(value ?? null), () => STRING)],
  ['substring', define(2, 3, onString((text, [start, end]) => sliceValue(text, start, end ?? null)), stringLikeFirst)],
  ['slice', define(2, 3, ([value, start, end]) => sliceValue(value, start, end ?? null), (args) => {
    const source = first(args);
    if (isOnly(source, 'string')) return nullableLike(STRING, source);
    if (isOnly(source, 'array')) return nullableLike(typeOf('array'), source);
    return ANY;
  })],
  ['replace', define(3, 3, onString((text, [search, replacement]) =>
    text.replaceAll(requireString(search, 'old'), requireString(replacement, 'new'))), stringLikeFirst)],
  ['split', define(1, 2, onString((text, [separator]) => {
    if (separator === undefined || separator === null) return text.split(/\s+/).filter((part) => part.length > 0);
    if (requireString(separator, 'separator') === '') throw new ValueError('empty separator');
    return text.split(separator as string);
  }), (args) => nullableLike({ types: new Set(['array']), schema: { type: 'array', items: { type: 'string' } } }, first(args)))],
  ['concat', define(1, VARIADIC, (args) => args.map((value) => toText(value) ?? '').join(''), () => STRING)],
  ['startswith', define(2, 2, prefixTest((text, prefix) => text.startsWith(prefix)), (args) => nullableLike(typeOf('boolean'), first(args)))],
  ['endswith', define(2, 2, prefixTest((text, suffix) => text.endsWith(suffix)), (args) => nullableLike(typeOf('boolean'), first(args)))],
  ['get', define(2, 3, ([target, key, fallback]) => {
    const value = readMember(target, key);
    return value === null ? (fallback ?? null) : value;
  }, () => ANY)],
]);

/** Python-style methods (`email.lower()`, `name.split(' ')`) and the function each one calls with the receiver first. */
export const METHODS: ReadonlyMap<string, string> = new Map([
  ['lower', 'lower'],
  ['upper', 'upper'],
  ['strip', 'trim'],
  ['trim', 'trim'],
  ['split', 'split'],
  ['replace', 'replace'],
  ['startswith', 'startswith'],
  ['endswith', 'endswith'],
  ['get', 'get'],
]);
