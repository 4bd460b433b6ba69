import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ProtocolError } from '../errors.js';
import { describeValidationError, MESSAGE_SCHEMA, singerValidator } from '../validation.js';
import { normalizeMessageType, type SingerMessage } from './messages.js';

export interface ReadMessage {
  message: SingerMessage;
  /** 1-based line number in the input, for error messages further down the pipeline. */
  line: number;
}

export interface ReaderOptions {
  /** Named in errors: `stdin` or the `--input` file name. */
  sourceName?: string;
  /**
   * Turns a line into a value. JSON.parse by default; a target that must keep integers beyond
   * 2^53 or long decimals exact passes a lossless parser here.
   */
  parse?: (line: string) => unknown;
  /**
   * Tried first on each line's UTF-8 bytes, bytes[start, end) without the line break: a value,
   * or undefined (or a throw) to decode the line and use `parse`, which reports what is wrong.
   */
  parseBytes?: (bytes: Buffer, start: number, end: number) => unknown;
}

/**
 * Reads line-delimited Singer messages and yields them in batches (one per input chunk), so the
 * per-message cost is a parse and a validation, not an await. Every problem is a ProtocolError
 * naming the source and line: malformed JSON, an unknown `type`, a missing or mistyped field, a
 * RECORD or BATCH before its stream's SCHEMA.
 */
export async function* readMessageBatches(input: Readable, options: ReaderOptions = {}): AsyncGenerator<ReadMessage[]> {
  const sourceName = options.sourceName ?? 'stdin';
  const parse = options.parse ?? JSON.parse;
  const parseBytes = options.parseBytes;
  const streamsWithSchema = new Set<string>();
  let lineNumber = 0;

  const message = (value: unknown): ReadMessage => {
    const position = { source: sourceName, line: lineNumber };
    return { message: checkMessage(value, position, streamsWithSchema), line: lineNumber };
  };
  const parseText = (raw: string): ReadMessage | undefined => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return undefined;
    let value: unknown;
    try {
      value = parse(line);
    } catch (error) {
      throw new ProtocolError(`malformed JSON (${(error as Error).message}): ${excerpt(line)}`, { source: sourceName, line: lineNumber });
    }
    return message(value);
  };
  const parseLine = (raw: string): ReadMessage | undefined => {
    lineNumber += 1;
    return parseText(raw);
  };
  /** The line bytes[start, end): through parseBytes when it takes it, else decoded. */
  const parseByteLine = (bytes: Buffer, start: number, end: number): ReadMessage | undefined => {
    lineNumber += 1;
    let value: unknown;
    try {
      value = parseBytes!(bytes, start, end > start && bytes[end - 1] === CR ? end - 1 : end);
    } catch {
      // Not for parseBytes to report: the decoded line gets the usual error.
      value = undefined;
    }
    return value === undefined ? parseText(bytes.toString('utf8', start, end)) : message(value);
  };

  if (parseBytes) {
    // Lines are cut on the newline byte, which never occurs inside a UTF-8 sequence, so a line
    // decoded alone reads as it would in the decoded stream.
    let pending: Buffer[] = [];
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let newline = bytes.indexOf(LF);
      if (newline === -1) {
        pending.push(bytes);
        continue;
      }
      const batch: ReadMessage[] = [];
      let start = 0;
      if (pending.length > 0) {
        const line = Buffer.concat([...pending, bytes.subarray(0, newline)]);
        pending = [];
        const first = parseByteLine(line, 0, line.length);
        if (first) batch.push(first);
        start = newline + 1;
        newline = bytes.indexOf(LF, start);
      }
      while (newline !== -1) {
        const parsed = parseByteLine(bytes, start, newline);
        if (parsed) batch.push(parsed);
        start = newline + 1;
        newline = bytes.indexOf(LF, start);
      }
      if (start < bytes.length) pending.push(bytes.subarray(start));
      if (batch.length > 0) yield batch;
    }
    if (pending.length > 0) {
      const line = Buffer.concat(pending);
      const last = parseByteLine(line, 0, line.length);
      if (last) yield [last];
    }
    return;
  }

  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline === -1) {
      partial += text;
      continue;
    }
    const batch: ReadMessage[] = [];
    const first = parseLine(partial + text.slice(0, newline));
    if (first) batch.push(first);
    partial = '';
    start = newline + 1;
    while ((newline = text.indexOf('\n', start)) !== -1) {
      const parsed = parseLine(text.slice(start, newline));
      if (parsed) batch.push(parsed);
      start = newline + 1;
    }
    partial = text.slice(start);
    if (batch.length > 0) yield batch;
  }
  partial += decoder.end();
  const last = partial === '' ? undefined : parseLine(partial);
  if (last) yield [last];
}

const LF = 0x0a;
const CR = 0x0d;

export async function* readMessages(input: Readable, options: ReaderOptions = {}): AsyncGenerator<ReadMessage> {
  for await (const batch of readMessageBatches(input, options)) yield* batch;
}

/** `--input FILE` or stdin. */
export function openInput(path: string | undefined): { stream: Readable; sourceName: string } {
  if (path === undefined || path === '-') return { stream: process.stdin, sourceName: 'stdin' };
  return { stream: createReadStream(path, { highWaterMark: 1 << 20 }), sourceName: path };
}

function checkMessage(value: unknown, position: { source: string; line: number }, streamsWithSchema: Set<string>): SingerMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolError(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`, position);
  }
  const object = value as Record<string, unknown>;
  const type = normalizeMessageType(object.type);
  const stream = typeof object.stream === 'string' ? object.stream : undefined;
  if (!type) {
    const described = object.type === undefined ? 'no "type" field' : `unknown message type ${JSON.stringify(object.type)}`;
    const where = stream === undefined ? '' : ` for stream "${stream}"`;
    throw new ProtocolError(`${described}${where}; expected one of SCHEMA, RECORD, STATE, ACTIVATE_VERSION, BATCH`, { ...position, stream });
  }
  const validate = singerValidator(MESSAGE_SCHEMA[type]);
  if (!(type === 'RECORD' && isWellFormedRecord(object)) && !validate(object)) {
    const where = stream === undefined ? '' : ` for stream "${stream}"`;
    throw new ProtocolError(`${type} message${where}: ${describeValidationError(validate.errors)}`, { ...position, stream });
  }
  object.type = type;
  if (type === 'SCHEMA') streamsWithSchema.add(stream!);
  else if ((type === 'RECORD' || type === 'BATCH') && !streamsWithSchema.has(stream!)) {
    throw new ProtocolError(`${type} for stream "${stream}" before its SCHEMA message`, { ...position, stream });
  }
  return object as unknown as SingerMessage;
}

const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
// Taps stamp many records with the same time: remember the last value that passed.
let lastGoodTimeExtracted = '';

/**
 * The same rules as record-message.json for the message that makes up nearly all input, checked
 * without ajv: reading is otherwise dominated by validation. Anything this rejects goes through
 * ajv, which then names the problem.
 */
function isWellFormedRecord(object: Record<string, unknown>): boolean {
  const { stream, record, time_extracted: timeExtracted, version } = object;
  return (
    typeof stream === 'string' &&
    stream.length > 0 &&
    typeof record === 'object' &&
    record !== null &&
    !Array.isArray(record) &&
    (timeExtracted === undefined || timeExtracted === lastGoodTimeExtracted || (typeof timeExtracted === 'string' && RFC3339.test(timeExtracted) && (lastGoodTimeExtracted = timeExtracted) !== '')) &&
    (version === undefined || Number.isInteger(version))
  );
}

function excerpt(line: string): string {
  return line.length > 120 ? `${line.slice(0, 120)}… (${line.length} characters)` : line;
}
