/**
 * The fast path for RECORD lines: from the line's JSON text straight to COPY text bytes, without
 * building the record object and without JSON.parse.
 *
 * Building the object (JSON.parse), re-reading it property by property, escaping each string and
 * concatenating the row, then encoding it to UTF-8, was most of the target's CPU. Here the reader
 * only checks the line (so malformed input still fails where and as it did) and keeps the record's
 * text (RawRecord); the loader then copies each value's text into the row with the COPY escapes
 * applied in the same pass. Anything this code does not handle byte for byte as the object path
 * does, it hands back: one value (parsed alone, encoded by copy-text.ts), or the whole record
 * (RawRecord.parse(), then the object path).
 */
import { integerOverflowsBigint, valueEncoderFor, type CopyColumn, type CopyTextStats } from './copy-text.js';
import { parseJsonLine } from './lossless-json.js';
import { TAB, LF, CR, SPACE, QUOTE, COMMA, MINUS, DOT, ZERO, NINE, COLON, OPEN_BRACKET, BACKSLASH, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE } from './json-chars.js';

/** A RECORD message's `record`, still as JSON text (known to be a well-formed object): line[start, end). */
export class RawRecord {
  constructor(
    readonly line: string,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The record object, exactly as parsing the whole line would have given it. */
  parse(): Record<string, unknown> {
    return parseJsonLine(this.line.slice(this.start, this.end)) as Record<string, unknown>;
  }
}

/** Deeper values are left to the full parser (which has no depth limit). */
const MAX_DEPTH = 256;

/**
 * A RECORD line as a message whose `record` is a RawRecord, or undefined when the line is anything
 * else (another type, unusual fields, escapes in the envelope, malformed JSON): the caller then
 * parses it as before. The line is fully checked against JSON's grammar, so what this accepts
 * JSON.parse accepts too.
 */
export function scanRecordLine(line: string): { type: 'RECORD'; stream: string; record: RawRecord; version?: number; time_extracted?: string } | undefined {
  let p = skipWhitespace(line, 0);
  if (line.charCodeAt(p) !== OPEN_BRACE) return undefined;
  let type: string | undefined;
  let stream: string | undefined;
  let record: RawRecord | undefined;
  let version: number | undefined;
  let timeExtracted: string | undefined;
  p = skipWhitespace(line, p + 1);
  for (;;) {
    const key = plainString(line, p);
    if (key === undefined) return undefined;
    p = skipWhitespace(line, p + key.length + 2);
    if (line.charCodeAt(p) !== COLON) return undefined;
    p = skipWhitespace(line, p + 1);
    const end = line.charCodeAt(p) === OPEN_BRACE ? skipFlatObject(line, p) : skipValue(line, p);
    if (end < 0) return undefined;
    // Any other field, a duplicate, or a value of another kind: the full parser decides.
    if (key === 'record' && record === undefined && line.charCodeAt(p) === OPEN_BRACE) record = new RawRecord(line, p, end);
    else if (key === 'type' && type === undefined) type = plainString(line, p);
    else if (key === 'stream' && stream === undefined) stream = plainString(line, p);
    else if (key === 'time_extracted' && timeExtracted === undefined) timeExtracted = plainString(line, p);
    else if (key === 'version' && version === undefined && isSafeIntegerText(line, p, end)) version = Number(line.slice(p, end));
    else return undefined;
    if ((key === 'type' && type === undefined) || (key === 'stream' && stream === undefined) || (key === 'time_extracted' && timeExtracted === undefined)) return undefined;
    p = skipWhitespace(line, end);
    const c = line.charCodeAt(p);
    if (c === COMMA) p = skipWhitespace(line, p + 1);
    else if (c === CLOSE_BRACE) break;
    else return undefined;
  }
  if (skipWhitespace(line, p + 1) !== line.length || type !== 'RECORD' || stream === undefined || record === undefined) return undefined;
  const message: { type: 'RECORD'; stream: string; record: RawRecord; version?: number; time_extracted?: string } = { type, stream, record };
  if (version !== undefined) message.version = version;
  if (timeExtracted !== undefined) message.time_extracted = timeExtracted;
  return message;
}

/** The string at `p` if it has no escapes (its text is then line[p + 1, p + 1 + length)), else undefined. */
function plainString(line: string, p: number): string | undefined {
  if (line.charCodeAt(p) !== QUOTE) return undefined;
  const close = line.indexOf('"', p + 1);
  if (close < 0) return undefined;
  for (let i = p + 1; i < close; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH || c < SPACE) return undefined;
  }
  return line.slice(p + 1, close);
}

function isSafeIntegerText(line: string, start: number, end: number): boolean {
  if (end - start > 15) return false;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (!((c >= ZERO && c <= NINE) || (c === MINUS && i === start))) return false;
  }
  return true;
}

function skipWhitespace(text: string, from: number): number {
  let p = from;
  for (let c = text.charCodeAt(p); c === SPACE || c === TAB || c === LF || c === CR; c = text.charCodeAt(++p));
  return p;
}

/** The end of the JSON string starting at `p` (after its closing quote), or -1 if it is not a valid string. */
function skipString(text: string, p: number): number {
  const length = text.length;
  for (let i = p + 1; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c > BACKSLASH) continue; // most characters: nothing to check
    if (c === QUOTE) return i + 1;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      const e = text.charCodeAt(++i);
      if (e === 0x75) {
        for (let k = 0; k < 4; k++) if (hexValue(text.charCodeAt(++i)) < 0) return -1;
      } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return -1;
    }
  }
  return -1;
}

/** The end of the JSON number starting at `p`, or -1 if it is not one (JSON's grammar exactly). */
function skipNumber(text: string, p: number): number {
  let i = p;
  if (text.charCodeAt(i) === MINUS) i++;
  const first = text.charCodeAt(i);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) i = skipDigits(text, i + 1);
  else return -1;
  if (text.charCodeAt(i) === DOT) {
    const end = skipDigits(text, i + 1);
    if (end === i + 1) return -1;
    i = end;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === MINUS) i++;
    const end = skipDigits(text, i);
    if (end === i) return -1;
    i = end;
  }
  return i;
}

function skipDigits(text: string, from: number): number {
  let p = from;
  for (let c = text.charCodeAt(p); c >= ZERO && c <= NINE; c = text.charCodeAt(++p));
  return p;
}

function skipLiteral(text: string, p: number, word: string): number {
  return text.startsWith(word, p) ? p + word.length : -1;
}

/**
 * The end of the JSON value starting at `p`, or -1 if it is not valid JSON (or nests deeper than
 * MAX_DEPTH). Iterative: `closers` holds what each open container expects to end with.
 */
export function skipValue(text: string, start: number): number {
  const closers: number[] = [];
  let p = start;
  for (;;) {
    // A value.
    const c = text.charCodeAt(p);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (closers.length >= MAX_DEPTH) return -1;
      const closer = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      p = skipWhitespace(text, p + 1);
      if (text.charCodeAt(p) === closer) {
        p++;
      } else {
        closers.push(closer);
        if (closer === CLOSE_BRACE && (p = objectKey(text, p)) < 0) return -1;
        continue;
      }
    } else if (c === QUOTE) p = skipString(text, p);
    else if (c === MINUS || (c >= ZERO && c <= NINE)) p = skipNumber(text, p);
    else if (c === 0x74) p = skipLiteral(text, p, 'true');
    else if (c === 0x66) p = skipLiteral(text, p, 'false');
    else if (c === 0x6e) p = skipLiteral(text, p, 'null');
    else return -1;
    if (p < 0) return -1;
    // After a value: the next one in its container, or the container's end.
    for (;;) {
      const closer = closers[closers.length - 1];
      if (closer === undefined) return p;
      p = skipWhitespace(text, p);
      const next = text.charCodeAt(p);
      if (next === COMMA) {
        p = skipWhitespace(text, p + 1);
        if (closer === CLOSE_BRACE && (p = objectKey(text, p)) < 0) return -1;
        break;
      }
      if (next !== closer) return -1;
      closers.pop();
      p++;
    }
  }
}

// JSON's grammar for an object of scalars written without whitespace, most records: a regular
// expression checks it several times faster than a loop over the characters. Anything it does
// not match (whitespace, nested values, invalid JSON) goes to skipObject.
const STRING = '"[^"\\\\\\x00-\\x1f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\x00-\\x1f]*)*"';
const NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const MEMBER = `${STRING}:(?:${STRING}|${NUMBER}|true|false|null)`;
const FLAT_OBJECT = new RegExp(`\\{(?:${MEMBER}(?:,${MEMBER})*)?\\}`, 'y');

function skipFlatObject(text: string, start: number): number {
  FLAT_OBJECT.lastIndex = start;
  try {
    if (FLAT_OBJECT.test(text)) return FLAT_OBJECT.lastIndex;
  } catch {
    // A huge object can exhaust the expression's backtracking stack: the loop has none.
  }
  return skipObject(text, start);
}

/**
 * skipValue for the common case of an object of scalars (a record), in one flat loop without
 * the container stack; nested values go to skipValue.
 */
function skipObject(text: string, start: number): number {
  let p = skipWhitespace(text, start + 1);
  if (text.charCodeAt(p) === CLOSE_BRACE) return p + 1;
  for (;;) {
    if (text.charCodeAt(p) !== QUOTE) return -1;
    p = skipString(text, p);
    if (p < 0) return -1;
    if (text.charCodeAt(p) !== COLON) {
      p = skipWhitespace(text, p);
      if (text.charCodeAt(p) !== COLON) return -1;
    }
    p = skipWhitespace(text, p + 1);
    const c = text.charCodeAt(p);
    if (c === QUOTE) p = skipString(text, p);
    else if (c === MINUS || (c >= ZERO && c <= NINE)) p = skipNumber(text, p);
    else if (c === 0x6e) p = skipLiteral(text, p, 'null');
    else if (c === 0x74) p = skipLiteral(text, p, 'true');
    else if (c === 0x66) p = skipLiteral(text, p, 'false');
    else p = skipValue(text, p);
    if (p < 0) return -1;
    let next = text.charCodeAt(p);
    if (next !== COMMA && next !== CLOSE_BRACE) {
      p = skipWhitespace(text, p);
      next = text.charCodeAt(p);
    }
    if (next === CLOSE_BRACE) return p + 1;
    if (next !== COMMA) return -1;
    p = skipWhitespace(text, p + 1);
  }
}

/** A `"key" :` and the whitespace after it; the position of the value, or -1. */
function objectKey(text: string, p: number): number {
  if (text.charCodeAt(p) !== QUOTE) return -1;
  const end = skipString(text, p);
  if (end < 0) return -1;
  const colon = skipWhitespace(text, end);
  if (text.charCodeAt(colon) !== COLON) return -1;
  return skipWhitespace(text, colon + 1);
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

/**
 * Encodes RawRecords for one column list into COPY text bytes, exactly as createRowEncoder
 * encodes the parsed record. Build once per table shape.
 */
export class FastRowEncoder {
  /** The last row, encode()'s return value bytes long. */
  bytes: Buffer = Buffer.allocUnsafe(4096);
  readonly #columns: readonly CopyColumn[];
  readonly #index = new Map<string, number>();
  readonly #plainName: boolean[];
  readonly #encoders: ValueEncoder[];
  readonly #stats: CopyTextStats;
  readonly #removeNul: boolean;
  readonly #keyColumns: number[];
  /** Per column: which override it takes (-1: none). */
  readonly #override: Int32Array;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  #pos = 0;
  #slack = 0;

  constructor(columns: readonly CopyColumn[], options: FastEncoderOptions) {
    this.#columns = columns;
    columns.forEach((column, i) => this.#index.set(column.name, i));
    this.#plainName = columns.map((column) => JSON.stringify(column.name) === `"${column.name}"`);
    this.#encoders = columns.map((column) => valueEncoderFor(column, options.stats, options.removeNulBytes));
    this.#stats = options.stats;
    this.#removeNul = options.removeNulBytes;
    this.#keyColumns = options.keyProperties.map((key) => {
      const i = this.#index.get(key);
      if (i === undefined) throw new RangeError(`key property "${key}" is not a column`);
      return i;
    });
    this.#override = Int32Array.from(columns, (column) => options.overrideColumns.indexOf(column.name));
    this.#starts = new Int32Array(columns.length);
    this.#ends = new Int32Array(columns.length);
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
    const line = record.line;
    const starts = this.#starts;
    const ends = this.#ends;
    starts.fill(-1);
    // Where each column's value is; a repeated key overwrites, so the last one wins as in JSON.parse.
    let p = skipWhitespace(line, record.start + 1);
    let guess = 0;
    while (line.charCodeAt(p) === QUOTE) {
      let column = this.#literalKey(line, p, guess);
      let keyEnd: number;
      if (column >= 0) keyEnd = p + this.#columns[column]!.name.length + 2;
      else {
        keyEnd = skipString(line, p);
        column = this.#columnOf(line, p, keyEnd);
      }
      p = skipWhitespace(line, skipWhitespace(line, keyEnd) + 1);
      const valueEnd = valueEndAt(line, p);
      if (column >= 0) {
        starts[column] = p;
        ends[column] = valueEnd;
        guess = column + 1;
      }
      p = skipWhitespace(line, valueEnd);
      if (line.charCodeAt(p) !== COMMA) break;
      p = skipWhitespace(line, p + 1);
    }
    for (const key of this.#keyColumns) {
      if (starts[key]! < 0 || line.charCodeAt(starts[key]!) === 0x6e) return undefined;
    }
    this.#pos = 0;
    const columns = this.#columns;
    // Room for everything but strings and encoder output (tabs, \N, numbers: at most this
    // many bytes), kept free after each of those too, which reserve their own room on top.
    this.#slack = record.end - record.start + columns.length * 3 + 1;
    this.#reserve(0);
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) this.bytes[this.#pos++] = TAB;
      const override = this.#override[i]!;
      if (override >= 0 && override < overrides.length) {
        this.#text(this.#encoders[i]!(overrides[override]));
        continue;
      }
      const s = starts[i]!;
      if (s < 0) {
        this.#null();
        continue;
      }
      if (!this.#value(line, s, ends[i]!, i)) return undefined;
    }
    this.bytes[this.#pos++] = LF;
    return this.#pos;
  }

  /**
   * `guess` when the key at `p` is that column's name spelled without escapes, else -1.
   * Records usually list their properties in the schema's order, so this is the common case.
   */
  #literalKey(line: string, p: number, guess: number): number {
    if (guess >= this.#columns.length || !this.#plainName[guess]) return -1;
    const name = this.#columns[guess]!.name;
    const from = p + 1;
    for (let k = 0; k < name.length; k++) if (line.charCodeAt(from + k) !== name.charCodeAt(k)) return -1;
    return line.charCodeAt(from + name.length) === QUOTE ? guess : -1;
  }

  /** The column the key line[p, keyEnd) names, or -1. */
  #columnOf(line: string, p: number, keyEnd: number): number {
    const raw = line.slice(p + 1, keyEnd - 1);
    const name = raw.includes('\\') ? (JSON.parse(line.slice(p, keyEnd)) as string) : raw;
    return this.#index.get(name) ?? -1;
  }

  /** Writes one present value; false when the record must take the object path. */
  #value(line: string, s: number, e: number, i: number): boolean {
    const type = this.#columns[i]!.type;
    const c = line.charCodeAt(s);
    if (c === 0x6e) {
      this.#null();
      return true;
    }
    if (c === QUOTE && (type === 'text' || type === 'timestamptz' || type === 'date' || type === 'time')) {
      this.#string(line, s + 1, e - 1);
      return true;
    }
    if (type === 'boolean' && (c === 0x74 || c === 0x66)) {
      this.bytes[this.#pos++] = c;
      return true;
    }
    if ((type === 'numeric' || type === 'bigint') && isShortestNumber(line, s, e, type === 'bigint')) {
      // What String() gives for the number's double is its text: the object path writes that
      // text whether it kept a number or an exact JsonNumber.
      const out = this.bytes;
      let pos = this.#pos;
      for (let i = s; i < e; i++) out[pos++] = line.charCodeAt(i);
      this.#pos = pos;
      return true;
    }
    // Anything else: this value alone through the object path's encoder. Should that throw (an
    // object for a scalar column), the whole record goes the object path, which reports it.
    const value = parseJsonLine(line.slice(s, e));
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

  /**
   * The JSON string body line[from, to) unescaped, COPY-escaped and UTF-8 encoded in one pass:
   * what escapeCopyText and Buffer.from do with the parsed string (NUL removed and counted unless
   * kept, lone surrogates → U+FFFD and counted).
   */
  #string(line: string, from: number, to: number): void {
    this.#reserve((to - from) * 3);
    const out = this.bytes;
    let pos = this.#pos;
    let high = -1; // a high surrogate waiting for its low half
    for (let i = from; i < to; i++) {
      let u = line.charCodeAt(i);
      if (u === BACKSLASH) {
        const e = line.charCodeAt(++i);
        if (e === 0x75) {
          u = (hexValue(line.charCodeAt(i + 1)) << 12) | (hexValue(line.charCodeAt(i + 2)) << 8) | (hexValue(line.charCodeAt(i + 3)) << 4) | hexValue(line.charCodeAt(i + 4));
          i += 4;
        } else if (e === 0x6e) u = LF;
        else if (e === 0x74) u = TAB;
        else if (e === 0x72) u = CR;
        else if (e === 0x62) u = 0x08;
        else if (e === 0x66) u = 0x0c;
        else u = e; // " \ /
      }
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
    const needed = this.#pos + n + this.#slack;
    if (needed <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, needed));
    this.bytes.copy(grown, 0, 0, this.#pos);
    this.bytes = grown;
  }
}

/**
 * Whether the number line[s, e) is spelled exactly as String() spells its double: no exponent,
 * no leading or trailing zeros, at most 15 significant digits (which a double always keeps),
 * between 1e-6 and 1e21 (where String() switches to exponents), not -0. Integers only when
 * `integer`. Anything else takes the object path's encoder.
 */
export function isShortestNumber(line: string, s: number, e: number, integer: boolean): boolean {
  let i = s;
  if (line.charCodeAt(i) === MINUS) i++;
  const intStart = i;
  while (i < e && line.charCodeAt(i) >= ZERO && line.charCodeAt(i) <= NINE) i++;
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > 15 || (intDigits > 1 && line.charCodeAt(intStart) === ZERO)) return false;
  const zeroInt = intDigits === 1 && line.charCodeAt(intStart) === ZERO;
  if (i === e) return !(zeroInt && intStart > s); // "-0" is "0" to String()
  if (integer || line.charCodeAt(i) !== DOT) return false;
  const fracStart = ++i;
  while (i < e && line.charCodeAt(i) >= ZERO && line.charCodeAt(i) <= NINE) i++;
  if (i !== e || i === fracStart || line.charCodeAt(e - 1) === ZERO) return false;
  if (!zeroInt) return intDigits + (e - fracStart) <= 15;
  // 0.000001 is written out, 0.0000001 is 1e-7.
  let zeros = fracStart;
  while (line.charCodeAt(zeros) === ZERO) zeros++;
  return zeros - fracStart <= 5 && e - zeros <= 15;
}

/** U+FFFD in UTF-8. */
function replacement(out: Buffer, pos: number): number {
  out[pos] = 0xef;
  out[pos + 1] = 0xbf;
  out[pos + 2] = 0xbd;
  return pos + 3;
}

/** The end of the (valid) value at `p`: strings by their closing quote, containers by skipValue. */
function valueEndAt(line: string, p: number): number {
  const c = line.charCodeAt(p);
  if (c === QUOTE) {
    for (let q = line.indexOf('"', p + 1); ; q = line.indexOf('"', q + 1)) {
      let b = q - 1;
      while (line.charCodeAt(b) === BACKSLASH) b--;
      if (((q - 1 - b) & 1) === 0) return q + 1;
    }
  }
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipValue(line, p);
  let q = p;
  for (let d = line.charCodeAt(q); d !== COMMA && d !== CLOSE_BRACE && d !== SPACE && d !== TAB && d !== LF && d !== CR && q < line.length; d = line.charCodeAt(++q));
  return q;
}
