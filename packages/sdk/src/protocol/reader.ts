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
  const streamsWithSchema = new Set<string>();
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let lineNumber = 0;

  const parseLine = (raw: string): ReadMessage | undefined => {
    lineNumber += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return undefined;
    const position = { source: sourceName, line: lineNumber };
    let value: unknown;
    try {
      value = parse(line);
    } catch (error) {
      throw new ProtocolError(`malformed JSON (${(error as Error).message}): ${excerpt(line)}`, position);
    }
    const message = checkMessage(value, position, streamsWithSchema);
    return { message, line: lineNumber };
  };

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
