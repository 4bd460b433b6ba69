/**
 * JSON parsing that keeps every number exact.
 *
 * JSON.parse turns each number into a double, which silently changes integers beyond 2^53 and
 * decimals with more than 15 significant digits. Node 20's JSON.parse cannot show us the source
 * text, so lines that might hold such a number take a hand-written parser that does; every other
 * line stays on JSON.parse.
 */
import { TAB, LF, CR, SPACE, QUOTE, PLUS, COMMA, MINUS, DOT, ZERO, NINE, COLON, OPEN_BRACKET, BACKSLASH, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE } from './json-chars.js';

/** A JSON number that a double cannot hold, as its exact source text. */
export class JsonNumber {
  /**
   * How many times JSON.stringify has written a JsonNumber as its nearest double. The Singer writer
   * compares it before and after serialising a message, so only the rare message that holds a
   * JsonNumber pays for the exact serialiser.
   */
  static roundedWrites = 0;

  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }

  /** What JSON.stringify writes: the nearest double, as plain JSON.parse would have given. stringifyJson keeps the text. */
  toJSON(): number {
    JsonNumber.roundedWrites += 1;
    return Number(this.text);
  }
}

export function isJsonNumber(value: unknown): value is JsonNumber {
  return value instanceof JsonNumber;
}

// A number token can only lose precision through a double if its mantissa has 16 or more digits
// or its exponent has 3 or more (with at most 15 digits and |exponent| <= 99, the value has at
// most 15 significant digits and lies well inside the normal double range, so it round-trips).
// The patterns are spelled out position by position: irregexp then skips ahead Boyer-Moore style,
// about ten times faster than the same pattern written with {16}.
const LONG_MANTISSA = new RegExp('[\\d.]'.repeat(16));
const LONG_EXPONENT = /\d[eE]\d\d\d|\d[eE][+-]\d\d\d/g;

/** True when the line may hold a number that JSON.parse would change. Matches inside strings are harmless false alarms. */
export function needsExactParse(line: string): boolean {
  if (LONG_MANTISSA.test(line)) return true;
  LONG_EXPONENT.lastIndex = 0;
  // test() rather than exec(): no match object per hit, and ids such as Salesforce's "0065e00000..." hit on every line.
  while (LONG_EXPONENT.test(line)) {
    const end = LONG_EXPONENT.lastIndex;
    const e = (line.charCodeAt(end - 4) | 0x20) === 0x65 ? end - 4 : end - 5;
    if (startsNumberToken(line, e - 1)) return true;
    LONG_EXPONENT.lastIndex = e;
  }
  return false;
}

/**
 * Whether the digits ending at `lastDigit` (just before an `e`) can be a number token: preceded by
 * `-`? digits (`.` digits)? and then by the start of the line or a character JSON allows before a
 * value. Ids like "0065e00000ABC" (Salesforce) are then not mistaken for numbers.
 */
function startsNumberToken(line: string, lastDigit: number): boolean {
  let p = skipDigitsBackward(line, lastDigit);
  if (line.charCodeAt(p) === DOT) {
    const beforeDot = p - 1;
    p = skipDigitsBackward(line, beforeDot);
    if (p === beforeDot) return false;
  }
  if (line.charCodeAt(p) === MINUS) p--;
  if (p < 0) return true;
  const c = line.charCodeAt(p);
  return c === COLON || c === COMMA || c === OPEN_BRACKET || c === SPACE || c === TAB || c === LF || c === CR;
}

function skipDigitsBackward(text: string, from: number): number {
  let p = from;
  for (let c = text.charCodeAt(p); c >= ZERO && c <= NINE; c = text.charCodeAt(--p));
  return p;
}

/**
 * Parses one line of JSON, accepting and rejecting exactly what JSON.parse does. Numbers that a
 * double would change come back as JsonNumber; every other number is a plain number. Syntax
 * errors are SyntaxErrors naming the position.
 */
export function parseJsonLine(line: string): unknown {
  if (needsExactParse(line)) return parseJsonExact(line);
  try {
    return JSON.parse(line);
  } catch (error) {
    // JSON.parse leaves the position out of some messages; the exact parser always names it.
    parseJsonExact(line);
    throw error;
  }
}

/** The slow, exact parser behind parseJsonLine, for any JSON text. */
export function parseJsonExact(text: string): unknown {
  return new ExactParser(text).parseDocument();
}

/**
 * A number's value as decimal digits without leading or trailing zeros: value = ±digits × 10^exponent.
 * Zero is `{ negative: false, digits: '', exponent: 0 }`.
 */
export interface DecimalParts {
  negative: boolean;
  digits: string;
  exponent: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The canonical parts of a JSON number literal (or of `String(n)` for a finite n); undefined for anything else. */
export function decimalParts(text: string): DecimalParts | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, integer = '', fraction = '', exponentText = '0'] = match;
  const all = integer + fraction;
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === ZERO) start++;
  if (start === all.length) return { negative: false, digits: '', exponent: 0 };
  let end = all.length;
  while (all.charCodeAt(end - 1) === ZERO) end--;
  return { negative: sign === '-', digits: all.slice(start, end), exponent: Number(exponentText) - fraction.length + (all.length - end) };
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The number a numeric text (a CSV cell, an API's decimal string) means, for a tap to emit: a
 * plain number when a double holds its value exactly, else a JsonNumber that the Singer writer
 * prints digit for digit (a currency amount with 18 significant digits stays what it was). Text
 * that is not a JSON number literal gives Number(text), as before.
 */
export function exactNumber(text: string): number | JsonNumber {
  // 15 characters hold at most 15 digits: a double keeps them (see LONG_MANTISSA).
  if (text.length <= 15 || !JSON_NUMBER.test(text)) return Number(text);
  return numberFromText(text, text.includes('e') || text.includes('E'));
}

const DECIMAL_TEXT = /^(-?\d+)(?:\.(\d*))?$/;

/**
 * An integer field's value from numeric text, for a tap to emit: every digit kept (exactNumber),
 * and for a value with a fraction (a quantity of 2.5 where the API promised an integer) the
 * integer part, with `fraction` set so the tap can say so. Undefined for text that is no number.
 */
export function exactInteger(text: string): { value: number | JsonNumber; fraction: boolean } | undefined {
  const decimal = DECIMAL_TEXT.exec(text);
  if (decimal) {
    const value = exactNumber(decimal[1] as string);
    return { value: Object.is(value, -0) ? 0 : value, fraction: /[1-9]/.test(decimal[2] ?? '') };
  }
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) return undefined;
  return { value: Math.trunc(n) || 0, fraction: !Number.isInteger(n) };
}

/** The plain number when it has the same decimal value as the text, else a JsonNumber. */
function numberFromText(text: string, hasExponent: boolean): number | JsonNumber {
  const value = Number(text);
  // At most 15 digits and no exponent: always exact (see LONG_MANTISSA).
  if (text.length <= 15 && !hasExponent) return value;
  const exact = decimalParts(text);
  const rounded = decimalParts(String(value));
  const same = exact !== undefined && rounded !== undefined && exact.negative === rounded.negative && exact.digits === rounded.digits && exact.exponent === rounded.exponent;
  return same ? value : new JsonNumber(text);
}

/**
 * Like JSON.stringify, except that JsonNumbers are written as their exact text. Values without
 * any JsonNumber go straight to JSON.stringify. (Typed like JSON.stringify: undefined, a function
 * or a symbol give undefined.)
 */
export function stringifyJson(value: unknown): string {
  return mayHoldJsonNumber(value, 0) ? (serialize(value, '', []) as string) : JSON.stringify(value);
}

const MAX_SCAN_DEPTH = 1000;

function mayHoldJsonNumber(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Beyond this depth (or in a cycle) let the exact serializer decide; so too for toJSON, whose result we cannot see here.
  if (value instanceof JsonNumber || depth > MAX_SCAN_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (mayHoldJsonNumber(item, depth + 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (mayHoldJsonNumber(record[key], depth + 1)) return true;
  return false;
}

function serialize(input: unknown, key: string, ancestors: object[]): string | undefined {
  let value = input;
  if (typeof value === 'object' && value !== null && !(value instanceof JsonNumber)) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as (key: string) => unknown).call(value, key);
  }
  if (value instanceof JsonNumber) return value.text;
  if (typeof value !== 'object' || value === null || value instanceof Number || value instanceof String || value instanceof Boolean) {
    return JSON.stringify(value) as string | undefined;
  }
  if (ancestors.includes(value)) throw new TypeError('Converting circular structure to JSON');
  ancestors.push(value);
  const parts: string[] = [];
  if (Array.isArray(value)) {
    const items = value as readonly unknown[];
    for (let i = 0; i < items.length; i++) parts.push(serialize(items[i], String(i), ancestors) ?? 'null');
  } else {
    const record = value as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      const text = serialize(record[name], name, ancestors);
      if (text !== undefined) parts.push(`${JSON.stringify(name)}:${text}`);
    }
  }
  ancestors.pop();
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}


const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A JSON parser without recursion (deep nesting is as fine as for JSON.parse) that keeps number text. */
class ExactParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    // The containers still open, innermost last, and the key each open object is waiting to fill.
    const open: Array<unknown[] | Record<string, unknown>> = [];
    const keys: string[] = [];
    for (;;) {
      let value: unknown;
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === OPEN_BRACE) {
        this.pos++;
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) !== CLOSE_BRACE) {
          open.push({});
          keys.push(this.parseKey());
          continue;
        }
        this.pos++;
        value = {};
      } else if (c === OPEN_BRACKET) {
        this.pos++;
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) !== CLOSE_BRACKET) {
          open.push([]);
          continue;
        }
        this.pos++;
        value = [];
      } else {
        value = this.parseScalar();
      }
      // Hand the finished value to its container; each container this closes is finished in turn.
      for (;;) {
        this.skipWhitespace();
        const container = open[open.length - 1];
        if (container === undefined) {
          if (this.pos < this.text.length) throw this.error('Unexpected non-whitespace character after the JSON value');
          return value;
        }
        const next = this.text.charCodeAt(this.pos);
        if (Array.isArray(container)) {
          container.push(value);
          if (next === COMMA) {
            this.pos++;
            break;
          }
          if (next !== CLOSE_BRACKET) throw this.error("Expected ',' or ']' after array element");
        } else {
          setProperty(container, keys.pop() as string, value);
          if (next === COMMA) {
            this.pos++;
            this.skipWhitespace();
            keys.push(this.parseKey());
            break;
          }
          if (next !== CLOSE_BRACE) throw this.error("Expected ',' or '}' after property value");
        }
        this.pos++;
        value = open.pop();
      }
    }
  }

  private parseKey(): string {
    if (this.text.charCodeAt(this.pos) !== QUOTE) throw this.error('Expected double-quoted property name');
    const key = this.parseString();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== COLON) throw this.error("Expected ':' after property name");
    this.pos++;
    return key;
  }

  private parseScalar(): unknown {
    const c = this.text.charCodeAt(this.pos);
    if (c === QUOTE) return this.parseString();
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.parseNumber();
    if (c === 0x74) return this.parseLiteral('true', true);
    if (c === 0x66) return this.parseLiteral('false', false);
    if (c === 0x6e) return this.parseLiteral('null', null);
    throw this.error('Unexpected token');
  }

  private parseLiteral<T>(word: string, value: T): T {
    for (let i = 1; i < word.length; i++) {
      if (this.text.charCodeAt(this.pos + i) !== word.charCodeAt(i)) {
        this.pos += i;
        throw this.error('Unexpected token');
      }
    }
    this.pos += word.length;
    return value;
  }

  private parseNumber(): number | JsonNumber {
    const text = this.text;
    const start = this.pos;
    let p = start;
    if (text.charCodeAt(p) === MINUS) p++;
    const first = text.charCodeAt(p);
    if (first === ZERO) p++;
    else if (first > ZERO && first <= NINE) p = skipDigits(text, p + 1);
    else {
      this.pos = p;
      throw this.error('No number after minus sign');
    }
    if (text.charCodeAt(p) === DOT) {
      const end = skipDigits(text, p + 1);
      if (end === p + 1) {
        this.pos = end;
        throw this.error('Unterminated fractional number');
      }
      p = end;
    }
    const e = text.charCodeAt(p);
    const hasExponent = e === 0x65 || e === 0x45;
    if (hasExponent) {
      p++;
      const sign = text.charCodeAt(p);
      if (sign === PLUS || sign === MINUS) p++;
      const end = skipDigits(text, p);
      if (end === p) {
        this.pos = end;
        throw this.error('Exponent part is missing a number');
      }
      p = end;
    }
    this.pos = p;
    return numberFromText(text.slice(start, p), hasExponent);
  }

  private parseString(): string {
    const text = this.text;
    let p = this.pos + 1;
    let chunkStart = p;
    let out = '';
    for (;;) {
      if (p >= text.length) {
        this.pos = p;
        throw this.error('Unterminated string');
      }
      const c = text.charCodeAt(p);
      if (c === QUOTE) {
        this.pos = p + 1;
        return out + text.slice(chunkStart, p);
      }
      if (c === BACKSLASH) {
        out += text.slice(chunkStart, p);
        const escape = text.charAt(p + 1);
        const simple = SIMPLE_ESCAPES[escape];
        if (simple !== undefined) {
          out += simple;
          p += 2;
        } else if (escape === 'u') {
          let code = 0;
          for (let i = p + 2; i < p + 6; i++) {
            const digit = hexValue(text.charCodeAt(i));
            if (digit < 0) {
              this.pos = i;
              throw this.error('Bad Unicode escape');
            }
            code = code * 16 + digit;
          }
          // A lone surrogate stays one, as with JSON.parse.
          out += String.fromCharCode(code);
          p += 6;
        } else {
          this.pos = p + 1;
          throw this.error(p + 1 >= text.length ? 'Unterminated string' : 'Bad escaped character');
        }
        chunkStart = p;
      } else if (c < SPACE) {
        this.pos = p;
        throw this.error('Bad control character in string literal');
      } else {
        p++;
      }
    }
  }

  private skipWhitespace(): void {
    const text = this.text;
    let p = this.pos;
    for (let c = text.charCodeAt(p); c === SPACE || c === TAB || c === LF || c === CR; c = text.charCodeAt(++p));
    this.pos = p;
  }

  private error(message: string): SyntaxError {
    const at = `at position ${this.pos}`;
    if (this.pos >= this.text.length) {
      const detail = message === 'Unexpected token' ? '' : ` (${message.charAt(0).toLowerCase()}${message.slice(1)})`;
      return new SyntaxError(`Unexpected end of JSON input ${at}${detail}`);
    }
    if (message !== 'Unexpected token') return new SyntaxError(`${message} ${at}`);
    const found = String.fromCodePoint(this.text.codePointAt(this.pos) as number);
    return new SyntaxError(`Unexpected token ${JSON.stringify(found)} ${at}`);
  }
}

function skipDigits(text: string, from: number): number {
  let p = from;
  for (let c = text.charCodeAt(p); c >= ZERO && c <= NINE; c = text.charCodeAt(++p));
  return p;
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** As JSON.parse does: `__proto__` becomes an own property, never the prototype. */
function setProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
