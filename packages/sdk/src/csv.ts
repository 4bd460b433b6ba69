/**
 * A small streaming RFC 4180 parser for the CSV exports of SaaS bulk APIs (Salesforce Bulk 2.0,
 * Zuora AQuA, Marketo Bulk Extract). Text goes in chunk by chunk, rows come out
 * as soon as they are complete, so a page of any size costs the memory of one chunk plus one row.
 *
 * Handles: quoted fields with embedded delimiters, newlines (LF, CRLF) and doubled quotes; records
 * ended by LF, CRLF or a lone CR; CRLF split across chunks; NUL characters, which Salesforce exports
 * can contain and which no consumer wants, are removed everywhere (inside and outside quotes); a
 * missing newline after the last record. A quote inside an unquoted field is kept literally (lenient,
 * as most parsers are); text after a closing quote other than a delimiter or line end, and a body
 * that ends inside a quoted field, are errors (a page cut short looks like that).
 *
 * An empty line is a record with one empty field (it is one, for a one-column result whose null
 * was written as nothing); callers with more columns can skip it.
 */
/** A CSV body that cannot be parsed; `row` is the 1-based record where it went wrong. */
export class CsvParseError extends Error {
  readonly row: number;
  constructor(message: string, row: number) {
    super(`${message} (CSV row ${row})`);
    this.name = 'CsvParseError';
    this.row = row;
  }
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Saw a `"` inside a quoted field: either the first of a doubled quote or the closing quote. */
const QUOTE_IN_QUOTED = 3;
/** After the closing quote: only a delimiter or a line end may follow. */
const AFTER_QUOTED = 4;

type State = typeof FIELD_START | typeof UNQUOTED | typeof QUOTED | typeof QUOTE_IN_QUOTED | typeof AFTER_QUOTED;

export interface CsvOptions {
  /** One character; default `,`. */
  delimiter?: string;
}

/** The incremental parser: `push` text chunks, then `end`. Each returns the rows completed by it. */
export class CsvRowParser {
  readonly #delimiter: number;
  #state: State = FIELD_START;
  #field = '';
  #row: string[] = [];
  /** The previous chunk ended with a CR that ended a record: drop an LF that starts this one. */
  #skipLf = false;
  /** Rows completed so far, for error messages. */
  #rows = 0;

  constructor(options: CsvOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') throw new RangeError(`Unusable CSV delimiter ${JSON.stringify(delimiter)}`);
    this.#delimiter = delimiter.charCodeAt(0);
  }

  /** Rows completed so far. */
  get rows(): number {
    return this.#rows;
  }

  push(chunk: string, out: string[][] = []): string[][] {
    const text = chunk.includes('\0') ? chunk.replaceAll('\0', '') : chunk;
    const n = text.length;
    const delimiter = this.#delimiter;
    let i = 0;
    if (this.#skipLf && n > 0) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === LF) i = 1;
    }
    let state = this.#state;
    let field = this.#field;
    while (i < n) {
      if (state === QUOTED) {
        const quote = text.indexOf('"', i);
        if (quote === -1) {
          field += text.slice(i);
          i = n;
        } else {
          field += text.slice(i, quote);
          i = quote + 1;
          state = QUOTE_IN_QUOTED;
        }
        continue;
      }
      if (state === QUOTE_IN_QUOTED) {
        if (text.charCodeAt(i) === QUOTE) {
          field += '"';
          i += 1;
          state = QUOTED;
        } else {
          state = AFTER_QUOTED;
        }
        continue;
      }
      if (state === FIELD_START && text.charCodeAt(i) === QUOTE) {
        state = QUOTED;
        i += 1;
        continue;
      }
      if (state !== AFTER_QUOTED) {
        // FIELD_START or UNQUOTED: take everything up to the next delimiter or line end
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === delimiter || c === LF || c === CR) break;
          j += 1;
        }
        if (j > i) field += text.slice(i, j);
        i = j;
        state = UNQUOTED;
        if (i === n) break;
      }
      const c = text.charCodeAt(i);
      if (c === delimiter) {
        this.#row.push(field);
        field = '';
        state = FIELD_START;
        i += 1;
      } else if (c === LF || c === CR) {
        this.#row.push(field);
        field = '';
        state = FIELD_START;
        out.push(this.#row);
        this.#row = [];
        this.#rows += 1;
        i += 1;
        if (c === CR) {
          if (i < n) {
            if (text.charCodeAt(i) === LF) i += 1;
          } else {
            this.#skipLf = true;
          }
        }
      } else {
        this.#state = state;
        this.#field = field;
        throw new CsvParseError(`unexpected ${JSON.stringify(text[i])} after a closing quote`, this.#rows + 1);
      }
    }
    this.#state = state;
    this.#field = field;
    return out;
  }

  /** The end of the input: completes a last record that had no line end. */
  end(out: string[][] = []): string[][] {
    const state = this.#state;
    if (state === QUOTED) throw new CsvParseError('the input ended inside a quoted field', this.#rows + 1);
    if (state !== FIELD_START || this.#row.length > 0) {
      this.#row.push(this.#field);
      out.push(this.#row);
      this.#rows += 1;
    }
    this.#row = [];
    this.#field = '';
    this.#state = FIELD_START;
    this.#skipLf = false;
    return out;
  }
}

export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/**
 * Rows of a CSV body, read as the consumer pulls: one chunk of the body is decoded and parsed at a
 * time (UTF-8, a character split across chunks is kept whole). Stopping early (`return`, `break`, an
 * error) cancels the body so that its connection is released.
 */
export async function* csvRows(source: ByteSource, options: CsvOptions = {}): AsyncGenerator<string[], void, undefined> {
  const parser = new CsvRowParser(options);
  const decoder = new TextDecoder('utf-8');
  if (isReadableStream(source)) {
    const reader = source.getReader();
    let done = false;
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) {
          done = true;
          break;
        }
        const rows = parser.push(decoder.decode(next.value, { stream: true }));
        for (const row of rows) yield row;
      }
    } finally {
      if (!done) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  } else {
    for await (const chunk of source) {
      const rows = parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      for (const row of rows) yield row;
    }
  }
  const rows = parser.push(decoder.decode());
  parser.end(rows);
  for (const row of rows) yield row;
}

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === 'function';
}
