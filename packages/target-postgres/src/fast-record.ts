/**
 * The fast path for RECORD lines: from the line's UTF-8 JSON bytes straight to COPY text bytes,
 * without decoding the line, building the record object or calling JSON.parse.
 *
 * Decoding every line, building the object (JSON.parse), re-reading it property by property,
 * escaping each string and encoding the row back to UTF-8 was most of the target's CPU. Here the
 * reader only checks the line's bytes (so malformed input still fails where and as it did) and
 * keeps the record's bytes (RawRecord); the loader then copies each value's bytes into the row.
 * A JSON string without a backslash is copied as it is: JSON already requires the characters
 * COPY escapes (backslash, tab, newline, carriage return) to be escaped, and the line is checked
 * to be valid UTF-8 once, so its raw bytes need no decoding. Strings with escapes are unescaped
 * and COPY-escaped in one pass. Anything this code does not handle byte for byte as the object
 * path does, it hands back: one value (parsed alone, encoded by copy-text.ts), the whole record
 * (RawRecord.parse(), then the object path), or the whole line (decoded and parsed as before).
 */
import { isUtf8 } from 'node:buffer';
import { integerOverflowsBigint, valueEncoderFor, type CopyColumn, type CopyTextStats } from './copy-text.js';
import { parseJsonLine } from '@singer-io-ts/sdk';
import { TAB, LF, CR, SPACE, QUOTE, COMMA, MINUS, PLUS, DOT, ZERO, NINE, COLON, OPEN_BRACKET, BACKSLASH, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE } from '@singer-io-ts/sdk/json';

/** A RECORD message's `record`, still as JSON text (known to be a well-formed object): the UTF-8 bytes[start, end). */
export class RawRecord {
  constructor(
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The record object, exactly as parsing the whole line would have given it. */
  parse(): Record<string, unknown> {
    return parseJsonLine(this.bytes.toString('utf8', this.start, this.end)) as Record<string, unknown>;
  }
}

export interface ScannedRecord {
  type: 'RECORD';
  stream: string;
  record: RawRecord;
  version?: number;
  time_extracted?: string;
}

/** Deeper values are left to the full parser (which has no depth limit). */
const MAX_DEPTH = 256;

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');
const RECORD_TYPE = ascii('"RECORD"');
const enum Field {
  Other,
  Type,
  Stream,
  Record,
  TimeExtracted,
  Version,
}
const FIELDS: [Buffer, Field][] = [
  [ascii('type'), Field.Type],
  [ascii('stream'), Field.Stream],
  [ascii('record'), Field.Record],
  [ascii('time_extracted'), Field.TimeExtracted],
  [ascii('version'), Field.Version],
];

/**
 * Strings that repeat from one line to the next (the stream name, a tap's extraction time): the
 * same bytes give the same string without decoding them again.
 */
class RepeatedText {
  #bytes = Buffer.alloc(0);
  #text = '';

  /** The plain (escape-free) string body bytes[start, end). */
  get(bytes: Buffer, start: number, end: number): string {
    if (!sameBytes(bytes, start, end, this.#bytes)) {
      this.#bytes = Buffer.from(bytes.subarray(start, end));
      this.#text = bytes.toString('utf8', start, end);
    }
    return this.#text;
  }
}
const streamNames = new RepeatedText();
const extractionTimes = new RepeatedText();

// A lone surrogate has no UTF-8 form: the object path replaces it and counts it.
const LONE_SURROGATE = /\p{Cs}/u;

/** scanRecordBytes for a line already decoded (input that arrived as text). */
export function scanRecordLine(line: string): ScannedRecord | undefined {
  if (LONE_SURROGATE.test(line)) return undefined;
  const bytes = Buffer.from(line, 'utf8');
  return scanRecordBytes(bytes, 0, bytes.length);
}

/**
 * The line bytes[start, end) as a RECORD message whose `record` is a RawRecord, or undefined when
 * it is anything else (another type, unusual fields, escapes in the envelope, malformed JSON,
 * invalid UTF-8): the caller then decodes and parses it as before. The line is fully checked
 * against JSON's grammar, so what this accepts JSON.parse accepts too.
 */
export function scanRecordBytes(bytes: Buffer, start: number, end: number): ScannedRecord | undefined {
  if (!isValidUtf8(bytes, start, end)) return undefined;
  let p = skipWhitespace(bytes, start, end);
  if (peek(bytes, p, end) !== OPEN_BRACE) return undefined;
  let isRecord = false;
  let stream: string | undefined;
  let record: RawRecord | undefined;
  let version: number | undefined;
  let timeExtracted: string | undefined;
  p = skipWhitespace(bytes, p + 1, end);
  for (;;) {
    const keyEnd = plainStringEnd(bytes, p, end);
    if (keyEnd < 0) return undefined;
    const field = fieldOf(bytes, p + 1, keyEnd - 1);
    p = skipWhitespace(bytes, keyEnd, end);
    if (peek(bytes, p, end) !== COLON) return undefined;
    p = skipWhitespace(bytes, p + 1, end);
    const opensObject = peek(bytes, p, end) === OPEN_BRACE;
    const plainEnd = plainStringEnd(bytes, p, end);
    const valueEnd = opensObject ? skipFlatObject(bytes, p, end) : plainEnd >= 0 ? plainEnd : skipValue(bytes, p, end);
    if (valueEnd < 0) return undefined;
    // Any other field, a duplicate, or a value of another kind: the full parser decides.
    if (field === Field.Record && record === undefined && opensObject) record = new RawRecord(bytes, p, valueEnd);
    else if (field === Field.Type && !isRecord && sameBytes(bytes, p, valueEnd, RECORD_TYPE)) isRecord = true;
    else if (field === Field.Stream && stream === undefined && plainEnd >= 0) stream = streamNames.get(bytes, p + 1, valueEnd - 1);
    else if (field === Field.TimeExtracted && timeExtracted === undefined && plainEnd >= 0) timeExtracted = extractionTimes.get(bytes, p + 1, valueEnd - 1);
    else if (field === Field.Version && version === undefined && isSafeIntegerText(bytes, p, valueEnd)) version = Number(bytes.toString('latin1', p, valueEnd));
    else return undefined;
    p = skipWhitespace(bytes, valueEnd, end);
    const c = peek(bytes, p, end);
    if (c === COMMA) p = skipWhitespace(bytes, p + 1, end);
    else if (c === CLOSE_BRACE) break;
    else return undefined;
  }
  if (skipWhitespace(bytes, p + 1, end) !== end || !isRecord || stream === undefined || record === undefined) return undefined;
  const message: ScannedRecord = { type: 'RECORD', stream, record };
  if (version !== undefined) message.version = version;
  if (timeExtracted !== undefined) message.time_extracted = timeExtracted;
  return message;
}

// Lines come from the reader's chunks, many to a chunk: one check of the chunk's whole lines
// (up to its last newline; the chunk may end inside a UTF-8 sequence) vouches for all of them.
let checkedChunk: Buffer | undefined;
let checkedUpTo = 0;

function isValidUtf8(bytes: Buffer, start: number, end: number): boolean {
  if (bytes !== checkedChunk) {
    checkedChunk = bytes;
    const lastNewline = bytes.lastIndexOf(LF);
    checkedUpTo = lastNewline > 0 && isUtf8(bytes.subarray(0, lastNewline)) ? lastNewline : 0;
  }
  return end <= checkedUpTo || isUtf8(bytes.subarray(start, end));
}

/** bytes[i], or -1 at and past `end` (the line's bytes may go on with the next line). */
function peek(bytes: Uint8Array, i: number, end: number): number {
  return i < end ? bytes[i]! : -1;
}

function sameBytes(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[start + i] !== expected[i]) return false;
  return true;
}

function fieldOf(bytes: Uint8Array, start: number, end: number): Field {
  for (const [name, field] of FIELDS) if (sameBytes(bytes, start, end, name)) return field;
  return Field.Other;
}

/** The end (after the closing quote) of the string at `p` if it has no escapes, else -1. */
function plainStringEnd(bytes: Uint8Array, p: number, end: number): number {
  if (peek(bytes, p, end) !== QUOTE) return -1;
  for (let i = p + 1; i < end; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH || c < SPACE) return -1;
  }
  return -1;
}

function isSafeIntegerText(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start > 15 || end === start) return false;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (!((c >= ZERO && c <= NINE) || (c === MINUS && i === start))) return false;
  }
  return true;
}

function skipWhitespace(bytes: Uint8Array, from: number, end: number): number {
  let p = from;
  while (p < end) {
    const c = bytes[p]!;
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR) break;
    p++;
  }
  return p;
}

/** The end of the JSON string starting at `p` (after its closing quote), or -1 if it is not a valid string. */
function skipString(bytes: Uint8Array, p: number, end: number): number {
  for (let i = p + 1; i < end; i++) {
    const c = bytes[i]!;
    if (c > BACKSLASH) continue; // most bytes, UTF-8 sequences included: nothing to check
    if (c === QUOTE) return i + 1;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      const e = peek(bytes, ++i, end);
      if (e === 0x75) {
        if (i + 4 >= end) return -1;
        for (let k = 0; k < 4; k++) if (hexValue(bytes[++i]!) < 0) return -1;
      } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return -1;
    }
  }
  return -1;
}

/** The end of the JSON number starting at `p`, or -1 if it is not one (JSON's grammar exactly). */
function skipNumber(bytes: Uint8Array, p: number, end: number): number {
  let i = p;
  if (peek(bytes, i, end) === MINUS) i++;
  const first = peek(bytes, i, end);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) i = skipDigits(bytes, i + 1, end);
  else return -1;
  if (peek(bytes, i, end) === DOT) {
    const digitsEnd = skipDigits(bytes, i + 1, end);
    if (digitsEnd === i + 1) return -1;
    i = digitsEnd;
  }
  const e = peek(bytes, i, end);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = peek(bytes, i, end);
    if (sign === PLUS || sign === MINUS) i++;
    const digitsEnd = skipDigits(bytes, i, end);
    if (digitsEnd === i) return -1;
    i = digitsEnd;
  }
  return i;
}

function skipDigits(bytes: Uint8Array, from: number, end: number): number {
  let p = from;
  while (p < end && bytes[p]! >= ZERO && bytes[p]! <= NINE) p++;
  return p;
}

function skipLiteral(bytes: Uint8Array, p: number, end: number, word: Uint8Array): number {
  return p + word.length <= end && sameBytes(bytes, p, p + word.length, word) ? p + word.length : -1;
}

/**
 * The end of the JSON value starting at `p`, or -1 if it is not valid JSON before `end` (or
 * nests deeper than MAX_DEPTH). Iterative: `closers` holds what each open container expects to end with.
 */
export function skipValue(bytes: Uint8Array, start: number, end: number): number {
  const closers: number[] = [];
  let p = start;
  for (;;) {
    // A value.
    const c = peek(bytes, p, end);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (closers.length >= MAX_DEPTH) return -1;
      const closer = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      p = skipWhitespace(bytes, p + 1, end);
      if (peek(bytes, p, end) === closer) {
        p++;
      } else {
        closers.push(closer);
        if (closer === CLOSE_BRACE && (p = objectKey(bytes, p, end)) < 0) return -1;
        continue;
      }
    } else if (c === QUOTE) p = skipString(bytes, p, end);
    else if (c === MINUS || (c >= ZERO && c <= NINE)) p = skipNumber(bytes, p, end);
    else if (c === 0x74) p = skipLiteral(bytes, p, end, TRUE);
    else if (c === 0x66) p = skipLiteral(bytes, p, end, FALSE);
    else if (c === 0x6e) p = skipLiteral(bytes, p, end, NULL);
    else return -1;
    if (p < 0) return -1;
    // After a value: the next one in its container, or the container's end.
    for (;;) {
      const closer = closers[closers.length - 1];
      if (closer === undefined) return p;
      p = skipWhitespace(bytes, p, end);
      const next = peek(bytes, p, end);
      if (next === COMMA) {
        p = skipWhitespace(bytes, p + 1, end);
        if (closer === CLOSE_BRACE && (p = objectKey(bytes, p, end)) < 0) return -1;
        break;
      }
      if (next !== closer) return -1;
      closers.pop();
      p++;
    }
  }
}

// JSON's grammar for an object of scalars written without whitespace, most records: a regular
// expression over the bytes read as Latin-1 (one character per byte: UTF-8 sequences are runs of
// characters above 0x7f, which strings accept) checks it several times faster than a loop over
// the bytes. Anything it does not match (whitespace, nested values, invalid JSON) goes to skipObject.
const STRING = '"[^"\\\\\\x00-\\x1f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\x00-\\x1f]*)*"';
const NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const MEMBER = `${STRING}:(?:${STRING}|${NUMBER}|true|false|null)`;
const FLAT_OBJECT = new RegExp(`\\{(?:${MEMBER}(?:,${MEMBER})*)?\\}`, 'y');

function skipFlatObject(bytes: Buffer, start: number, end: number): number {
  FLAT_OBJECT.lastIndex = 0;
  try {
    if (FLAT_OBJECT.test(bytes.toString('latin1', start, end))) return start + FLAT_OBJECT.lastIndex;
  } catch {
    // A huge object can exhaust the expression's backtracking stack: the loop has none.
  }
  return skipObject(bytes, start, end);
}

/**
 * skipValue for the common case of an object of scalars (a record), in one flat loop without
 * the container stack; nested values go to skipValue.
 */
function skipObject(bytes: Uint8Array, start: number, end: number): number {
  let p = skipWhitespace(bytes, start + 1, end);
  if (peek(bytes, p, end) === CLOSE_BRACE) return p + 1;
  for (;;) {
    if (peek(bytes, p, end) !== QUOTE) return -1;
    p = skipString(bytes, p, end);
    if (p < 0) return -1;
    if (peek(bytes, p, end) !== COLON) {
      p = skipWhitespace(bytes, p, end);
      if (peek(bytes, p, end) !== COLON) return -1;
    }
    p = skipWhitespace(bytes, p + 1, end);
    const c = peek(bytes, p, end);
    if (c === QUOTE) p = skipString(bytes, p, end);
    else if (c === MINUS || (c >= ZERO && c <= NINE)) p = skipNumber(bytes, p, end);
    else if (c === 0x6e) p = skipLiteral(bytes, p, end, NULL);
    else if (c === 0x74) p = skipLiteral(bytes, p, end, TRUE);
    else if (c === 0x66) p = skipLiteral(bytes, p, end, FALSE);
    else p = skipValue(bytes, p, end);
    if (p < 0) return -1;
    let next = peek(bytes, p, end);
    if (next !== COMMA && next !== CLOSE_BRACE) {
      p = skipWhitespace(bytes, p, end);
      next = peek(bytes, p, end);
    }
    if (next === CLOSE_BRACE) return p + 1;
    if (next !== COMMA) return -1;
    p = skipWhitespace(bytes, p + 1, end);
  }
}

/** A `"key" :` and the whitespace after it; the position of the value, or -1. */
function objectKey(bytes: Uint8Array, p: number, end: number): number {
  if (peek(bytes, p, end) !== QUOTE) return -1;
  const keyEnd = skipString(bytes, p, end);
  if (keyEnd < 0) return -1;
  const colon = skipWhitespace(bytes, keyEnd, end);
  if (peek(bytes, colon, end) !== COLON) return -1;
  return skipWhitespace(bytes, colon + 1, end);
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

export interface FastEncoderOptions {
  stats: CopyTextStats;
  removeNulBytes: boolean;
  /** Properties every record must have (not null); a record without one goes the object path, which reports it. */
  keyProperties: readonly string[];
  /**
   * Columns whose value comes from the message rather than the record (the `_sdc_*` metadata the
   * loader adds), in the order encode()'s `overrides` gives them.
   */
  overrideColumns: readonly string[];
}

type ValueEncoder = (value: unknown) => string;

/** Strings shorter than this are copied byte by byte: a native copy costs more to call. */
const NATIVE_COPY_FROM = 64;

/**
 * Encodes RawRecords for one column list into COPY text bytes, exactly as createRowEncoder
 * encodes the parsed record. Build once per table shape.
 */
export class FastRowEncoder {
  /**
   * Where the last row was written: encode()'s own buffer from 0, or encodeInto()'s buffer from
   * `at`, unless the row did not fit there: then a buffer of its own, from 0.
   */
  bytes: Buffer = Buffer.allocUnsafe(4096);
  #own: Buffer = this.bytes;
  /** Where the row being written starts in `bytes`. */
  #rowStart = 0;
  readonly #columns: readonly CopyColumn[];
  readonly #index = new Map<string, number>();
  /** Per column: its name in UTF-8 when JSON spells it without escapes, else undefined. */
  readonly #plainNames: (Buffer | undefined)[];
  readonly #encoders: ValueEncoder[];
  readonly #stats: CopyTextStats;
  readonly #removeNul: boolean;
  readonly #keyColumns: number[];
  /** Per column: 1 when it holds a key property. */
  readonly #isKey: Uint8Array;
  /** Per column: 1 when a JSON string goes into it as it is (text and the date/time types). */
  readonly #takesString: Uint8Array;
  /** Per column: which override it takes (-1: none). */
  readonly #override: Int32Array;
  /** Per override: the last value and its encoded bytes (the extraction and receipt times repeat). */
  readonly #lastOverride: unknown[];
  readonly #lastOverrideBytes: Buffer[];
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  /** Per column: whether its string value has escapes. */
  readonly #escaped: Uint8Array;
  #pos = 0;
  #slack = 0;

  constructor(columns: readonly CopyColumn[], options: FastEncoderOptions) {
    this.#columns = columns;
    columns.forEach((column, i) => this.#index.set(column.name, i));
    this.#plainNames = columns.map((column) => (JSON.stringify(column.name) === `"${column.name}"` ? Buffer.from(column.name, 'utf8') : undefined));
    this.#encoders = columns.map((column) => valueEncoderFor(column, options.stats, options.removeNulBytes));
    this.#stats = options.stats;
    this.#removeNul = options.removeNulBytes;
    this.#keyColumns = options.keyProperties.map((key) => {
      const i = this.#index.get(key);
      if (i === undefined) throw new RangeError(`key property "${key}" is not a column`);
      return i;
    });
    this.#isKey = Uint8Array.from(columns, (_, i) => (this.#keyColumns.includes(i) ? 1 : 0));
    this.#takesString = Uint8Array.from(columns, (column) => (STRING_TYPES.has(column.type) ? 1 : 0));
    this.#override = Int32Array.from(columns, (column) => options.overrideColumns.indexOf(column.name));
    this.#lastOverride = options.overrideColumns.map(() => NOT_YET);
    this.#lastOverrideBytes = options.overrideColumns.map(() => Buffer.alloc(0));
    this.#starts = new Int32Array(columns.length);
    this.#ends = new Int32Array(columns.length);
    this.#escaped = new Uint8Array(columns.length);
  }

  /** For the loader: whether this column list can be encoded here at all (every key property a column, no property read by two columns). */
  static supports(columns: readonly CopyColumn[], keyProperties: readonly string[]): boolean {
    const names = new Set(columns.map((column) => column.name));
    return names.size === columns.length && keyProperties.every((key) => names.has(key));
  }

  /**
   * Encodes one record into `bytes` and returns the row's length (the `\n` included), or
   * undefined when the record must take the object path: a key property missing or null, or an
   * integer beyond bigint's range (the loader widens the column).
   */
  encode(record: RawRecord, overrides: readonly unknown[]): number | undefined {
    return this.encodeInto(record, overrides, this.#own, 0);
  }

  /**
   * encode() into `out` from `at` (a batch's chunk: no copy of the row afterwards). Returns where
   * the row ends; if `bytes` is no longer `out`, the row did not fit and is in bytes[0, end).
   */
  encodeInto(record: RawRecord, overrides: readonly unknown[], out: Buffer, at: number): number | undefined {
    this.bytes = out;
    const inOrder = this.#encodeInOrder(record, overrides, at);
    if (inOrder !== OUT_OF_ORDER) return inOrder;
    this.bytes = out; // (the first attempt may have moved to a buffer of its own)
    return this.#encodeAnyOrder(record, overrides, at);
  }

  /**
   * The usual record in one pass: its properties in the columns' order (any may be missing or
   * unknown), names without escapes; each value is written as soon as it is read. OUT_OF_ORDER
   * for anything else (a property before one it should follow, a repeated one): #encodeAnyOrder
   * then finds every value first.
   */
  #encodeInOrder(record: RawRecord, overrides: readonly unknown[], at: number): number | undefined | typeof OUT_OF_ORDER {
    const json = record.bytes;
    const end = record.end;
    const count = this.#columns.length;
    this.#pos = this.#rowStart = at;
    this.#slack = end - record.start + count * 3 + 1;
    this.#reserve(0);
    let next = 0; // the next column to write
    let keys = 0; // key columns with a value
    let p = skipWhitespace(json, record.start + 1, end);
    while (peek(json, p, end) === QUOTE) {
      let column = -1;
      for (let c = next; c < count && column < 0; c++) column = this.#literalKey(json, p, end, c);
      let keyEnd: number;
      if (column >= 0) keyEnd = p + this.#plainNames[column]!.length + 2;
      else {
        keyEnd = skipString(json, p, end);
        // An earlier column again, or a name spelled with escapes; else a property that is no column.
        if (this.#columnOf(json, p, keyEnd) >= 0) return OUT_OF_ORDER;
      }
      p = skipWhitespace(json, skipWhitespace(json, keyEnd, end) + 1, end);
      if (column < 0) {
        p = this.#valueEnd(json, p, end, -1);
      } else {
        for (; next < column; next++) this.#missing(next, overrides);
        next = column + 1;
        if (column > 0) this.bytes[this.#pos++] = TAB;
        if (this.#isKey[column] === 1 && json[p] !== 0x6e) keys++;
        const override = this.#override[column]!;
        if (override >= 0 && override < overrides.length) {
          this.#overrideValue(override, overrides[override], column);
          p = this.#valueEnd(json, p, end, -1);
        } else if (json[p] === QUOTE && this.#takesString[column] === 1) {
          p = this.#stringValue(json, p, end);
        } else {
          const valueEnd = this.#valueEnd(json, p, end, column);
          if (!this.#value(json, p, valueEnd, column)) return undefined;
          p = valueEnd;
        }
      }
      p = skipWhitespace(json, p, end);
      if (peek(json, p, end) !== COMMA) break;
      p = skipWhitespace(json, p + 1, end);
    }
    if (keys < this.#keyColumns.length) return undefined;
    for (; next < count; next++) this.#missing(next, overrides);
    this.bytes[this.#pos++] = LF;
    return this.#pos;
  }

  /** A column the record does not have: its override, or null. */
  #missing(column: number, overrides: readonly unknown[]): void {
    if (column > 0) this.bytes[this.#pos++] = TAB;
    const override = this.#override[column]!;
    if (override >= 0 && override < overrides.length) this.#overrideValue(override, overrides[override], column);
    else this.#null();
  }

  /**
   * The string at `p` copied as it is while looking for its end; from its first escape on,
   * unescaped (#unescape). Returns the end of the value.
   */
  #stringValue(json: Buffer, p: number, end: number): number {
    this.#reserve(end - p);
    const out = this.bytes;
    let pos = this.#pos;
    let q = p + 1;
    for (let c = json[q]!; c !== QUOTE; c = json[++q]!) {
      if (c === BACKSLASH) {
        this.#pos = pos;
        let close = q;
        for (let d = json[close]; d !== QUOTE; d = json[++close]) if (d === BACKSLASH) close++;
        this.#unescape(json, q, close);
        return close + 1;
      }
      out[pos++] = c;
    }
    this.#pos = pos;
    return q + 1;
  }

  /** encode() for records in any order: where each column's value is first, then the row. */
  #encodeAnyOrder(record: RawRecord, overrides: readonly unknown[], at: number): number | undefined {
    const json = record.bytes;
    const end = record.end;
    const starts = this.#starts;
    const ends = this.#ends;
    starts.fill(-1);
    // Where each column's value is; a repeated key overwrites, so the last one wins as in JSON.parse.
    let p = skipWhitespace(json, record.start + 1, end);
    let guess = 0;
    while (peek(json, p, end) === QUOTE) {
      let column = this.#literalKey(json, p, end, guess);
      let keyEnd: number;
      if (column >= 0) keyEnd = p + this.#plainNames[column]!.length + 2;
      else {
        keyEnd = skipString(json, p, end);
        column = this.#columnOf(json, p, keyEnd);
      }
      p = skipWhitespace(json, skipWhitespace(json, keyEnd, end) + 1, end);
      const valueEnd = this.#valueEnd(json, p, end, column);
      if (column >= 0) {
        starts[column] = p;
        ends[column] = valueEnd;
        guess = column + 1;
      }
      p = skipWhitespace(json, valueEnd, end);
      if (peek(json, p, end) !== COMMA) break;
      p = skipWhitespace(json, p + 1, end);
    }
    for (const key of this.#keyColumns) {
      if (starts[key]! < 0 || json[starts[key]!] === 0x6e) return undefined;
    }
    this.#pos = this.#rowStart = at;
    const columns = this.#columns;
    // Room for everything but strings and encoder output (tabs, \N, numbers: at most this
    // many bytes), kept free after each of those too, which reserve their own room on top.
    this.#slack = end - record.start + columns.length * 3 + 1;
    this.#reserve(0);
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) this.bytes[this.#pos++] = TAB;
      const override = this.#override[i]!;
      if (override >= 0 && override < overrides.length) {
        this.#overrideValue(override, overrides[override], i);
        continue;
      }
      const s = starts[i]!;
      if (s < 0) {
        this.#null();
        continue;
      }
      if (!this.#value(json, s, ends[i]!, i)) return undefined;
    }
    this.bytes[this.#pos++] = LF;
    return this.#pos;
  }

  /**
   * `guess` when the key at `p` is that column's name spelled without escapes, else -1.
   * Records usually list their properties in the schema's order, so this is the common case.
   */
  #literalKey(json: Uint8Array, p: number, end: number, guess: number): number {
    const name = this.#plainNames[guess];
    if (name === undefined) return -1;
    const from = p + 1;
    if (from + name.length >= end) return -1;
    for (let k = 0; k < name.length; k++) if (json[from + k] !== name[k]) return -1;
    return json[from + name.length] === QUOTE ? guess : -1;
  }

  /** The column the key json[p, keyEnd) names, or -1. */
  #columnOf(json: Buffer, p: number, keyEnd: number): number {
    const raw = json.toString('utf8', p + 1, keyEnd - 1);
    const name = raw.includes('\\') ? (JSON.parse(json.toString('utf8', p, keyEnd)) as string) : raw;
    return this.#index.get(name) ?? -1;
  }

  /** The end of the (valid) value at `p`; for a string, notes in #escaped whether it has escapes. */
  #valueEnd(json: Uint8Array, p: number, end: number, column: number): number {
    const c = json[p];
    if (c === QUOTE) {
      let escaped = 0;
      let q = p + 1;
      for (let d = json[q]; d !== QUOTE; d = json[++q]) {
        if (d === BACKSLASH) {
          escaped = 1;
          q++;
        }
      }
      if (column >= 0) this.#escaped[column] = escaped;
      return q + 1;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipValue(json, p, end);
    let q = p;
    for (let d = json[q]; q < end && d !== COMMA && d !== CLOSE_BRACE && d !== SPACE && d !== TAB && d !== LF && d !== CR; d = json[++q]);
    return q;
  }

  /** Writes one present value; false when the record must take the object path. */
  #value(json: Buffer, s: number, e: number, i: number): boolean {
    const type = this.#columns[i]!.type;
    const c = json[s];
    if (c === 0x6e) {
      this.#null();
      return true;
    }
    if (c === QUOTE && (type === 'text' || type === 'timestamptz' || type === 'date' || type === 'time')) {
      if (this.#escaped[i] === 1) this.#unescape(json, s + 1, e - 1);
      else this.#copy(json, s + 1, e - 1);
      return true;
    }
    if (type === 'boolean' && (c === 0x74 || c === 0x66)) {
      this.bytes[this.#pos++] = c;
      return true;
    }
    if ((type === 'numeric' || type === 'bigint') && isShortestNumber(json, s, e, type === 'bigint')) {
      // What String() gives for the number's double is its text: the object path writes that
      // text whether it kept a number or an exact JsonNumber.
      this.#copy(json, s, e);
      return true;
    }
    // Anything else: this value alone through the object path's encoder. Should that throw (an
    // object for a scalar column), the whole record goes the object path, which reports it.
    const value = parseJsonLine(json.toString('utf8', s, e));
    if (type === 'bigint' && integerOverflowsBigint(value)) return false;
    let text: string;
    try {
      text = this.#encoders[i]!(value);
    } catch {
      return false;
    }
    this.#text(text);
    return true;
  }

  /** A metadata value; the same value as the previous record's reuses its bytes. */
  #overrideValue(override: number, value: unknown, column: number): void {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && this.#columns[column]!.type === 'bigint') {
      this.#digits(value); // _sdc_sequence: a new number every record
      return;
    }
    if (value !== this.#lastOverride[override] || typeof value !== 'string') {
      const text = this.#encoders[column]!(value);
      this.#lastOverride[override] = value;
      this.#lastOverrideBytes[override] = Buffer.from(text, 'utf8');
    }
    const bytes = this.#lastOverrideBytes[override]!;
    this.#copy(bytes, 0, bytes.length);
  }

  /** Bytes that need no escaping (a string without escapes, a number). */
  #copy(source: Uint8Array, from: number, to: number): void {
    this.#reserve(to - from);
    const out = this.bytes;
    if (to - from >= NATIVE_COPY_FROM) {
      out.set(source.subarray(from, to), this.#pos);
      this.#pos += to - from;
      return;
    }
    let pos = this.#pos;
    for (let i = from; i < to; i++) out[pos++] = source[i]!;
    this.#pos = pos;
  }

  /**
   * The JSON string body json[from, to), which has escapes, unescaped and COPY-escaped in one
   * pass: what escapeCopyText and Buffer.from do with the parsed string (NUL removed and counted
   * unless kept, lone surrogates → U+FFFD and counted). Bytes outside escapes are valid UTF-8
   * and never need escaping, so they are copied as they are.
   */
  #unescape(json: Uint8Array, from: number, to: number): void {
    // An escape (6 bytes at most) becomes at most 4 bytes; a pending surrogate adds 3.
    this.#reserve((to - from) * 2 + 3);
    const out = this.bytes;
    let pos = this.#pos;
    let high = -1; // a high surrogate escape waiting for its low half
    for (let i = from; i < to; i++) {
      let u = json[i]!;
      if (u !== BACKSLASH) {
        if (high >= 0) {
          pos = replacement(out, pos);
          this.#stats.surrogatesReplaced++;
          high = -1;
        }
        out[pos++] = u;
        continue;
      }
      const e = json[++i];
      if (e === 0x75) {
        u = (hexValue(json[i + 1]!) << 12) | (hexValue(json[i + 2]!) << 8) | (hexValue(json[i + 3]!) << 4) | hexValue(json[i + 4]!);
        i += 4;
      } else if (e === 0x6e) u = LF;
      else if (e === 0x74) u = TAB;
      else if (e === 0x72) u = CR;
      else if (e === 0x62) u = 0x08;
      else if (e === 0x66) u = 0x0c;
      else u = e!; // " \ /
      if (high >= 0) {
        if (u >= 0xdc00 && u <= 0xdfff) {
          const code = 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00);
          out[pos++] = 0xf0 | (code >> 18);
          out[pos++] = 0x80 | ((code >> 12) & 0x3f);
          out[pos++] = 0x80 | ((code >> 6) & 0x3f);
          out[pos++] = 0x80 | (code & 0x3f);
          high = -1;
          continue;
        }
        pos = replacement(out, pos);
        this.#stats.surrogatesReplaced++;
        high = -1;
      }
      if (u < 0x80) {
        if (u >= SPACE && u !== BACKSLASH) out[pos++] = u;
        else if (u === BACKSLASH) (out[pos++] = BACKSLASH), (out[pos++] = BACKSLASH);
        else if (u === LF) (out[pos++] = BACKSLASH), (out[pos++] = 0x6e);
        else if (u === CR) (out[pos++] = BACKSLASH), (out[pos++] = 0x72);
        else if (u === TAB) (out[pos++] = BACKSLASH), (out[pos++] = 0x74);
        else if (u === 0 && this.#removeNul) this.#stats.nulBytesRemoved++;
        else out[pos++] = u;
      } else if (u < 0x800) {
        out[pos++] = 0xc0 | (u >> 6);
        out[pos++] = 0x80 | (u & 0x3f);
      } else if (u >= 0xd800 && u <= 0xdbff) {
        high = u;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        pos = replacement(out, pos);
        this.#stats.surrogatesReplaced++;
      } else {
        out[pos++] = 0xe0 | (u >> 12);
        out[pos++] = 0x80 | ((u >> 6) & 0x3f);
        out[pos++] = 0x80 | (u & 0x3f);
      }
    }
    if (high >= 0) {
      pos = replacement(out, pos);
      this.#stats.surrogatesReplaced++;
    }
    this.#pos = pos;
  }

  /** A non-negative safe integer in decimal, as String() writes it. */
  #digits(value: number): void {
    this.#reserve(16);
    const out = this.bytes;
    let length = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) length++;
    let pos = this.#pos + length;
    this.#pos = pos;
    let rest = value;
    do {
      out[--pos] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** Text already in COPY form (from copy-text.ts's encoders). */
  #text(text: string): void {
    this.#reserve(text.length * 3);
    this.#pos += this.bytes.write(text, this.#pos, 'utf8');
  }

  /** `\N` (room reserved by encode()). */
  #null(): void {
    this.bytes[this.#pos++] = BACKSLASH;
    this.bytes[this.#pos++] = 0x4e;
  }

  /** Room for n more bytes, plus #slack. */
  #reserve(n: number): void {
    if (this.#pos + n + this.#slack <= this.bytes.length) return;
    // The row so far moves to the start of a buffer of the encoder's own.
    const needed = this.#pos - this.#rowStart + n + this.#slack;
    let own = this.#own;
    if (own.length < needed) this.#own = own = Buffer.allocUnsafe(Math.max(own.length * 2, needed));
    this.bytes.copy(own, 0, this.#rowStart, this.#pos);
    this.#pos -= this.#rowStart;
    this.#rowStart = 0;
    this.bytes = own;
  }
}

const NOT_YET = Symbol('no value yet');
const OUT_OF_ORDER = Symbol('out of order');
const STRING_TYPES = new Set(['text', 'timestamptz', 'date', 'time']);

/**
 * Whether the number json[s, e) is spelled exactly as String() spells its double: no exponent,
 * no leading or trailing zeros, at most 15 significant digits (which a double always keeps),
 * between 1e-6 and 1e21 (where String() switches to exponents), not -0. Integers only when
 * `integer`. Anything else takes the object path's encoder.
 */
export function isShortestNumber(json: Uint8Array, s: number, e: number, integer: boolean): boolean {
  let i = s;
  if (json[i] === MINUS) i++;
  const intStart = i;
  while (i < e && json[i]! >= ZERO && json[i]! <= NINE) i++;
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > 15 || (intDigits > 1 && json[intStart] === ZERO)) return false;
  const zeroInt = intDigits === 1 && json[intStart] === ZERO;
  if (i === e) return !(zeroInt && intStart > s); // "-0" is "0" to String()
  if (integer || json[i] !== DOT) return false;
  const fracStart = ++i;
  while (i < e && json[i]! >= ZERO && json[i]! <= NINE) i++;
  if (i !== e || i === fracStart || json[e - 1] === ZERO) return false;
  if (!zeroInt) return intDigits + (e - fracStart) <= 15;
  // 0.000001 is written out, 0.0000001 is 1e-7.
  let zeros = fracStart;
  while (json[zeros] === ZERO) zeros++;
  return zeros - fracStart <= 5 && e - zeros <= 15;
}

/** U+FFFD in UTF-8. */
function replacement(out: Buffer, pos: number): number {
  out[pos] = 0xef;
  out[pos + 1] = 0xbf;
  out[pos + 2] = 0xbd;
  return pos + 3;
}
