import type { Writable } from 'node:stream';
import type { JsonSchema, SingerMessage } from './messages.js';
import { JsonNumber, stringifyJson } from './lossless-json.js';

export interface WriterOptions {
  /** Characters buffered before a write to the output; larger batches mean fewer syscalls. */
  bufferSize?: number;
  /** Masks secrets in STATE messages: a token a tap saved in its state must not reach the state file. */
  redactState?: (json: string) => string;
}

export interface RecordOptions {
  timeExtracted?: string;
  version?: number;
}

/**
 * The only thing that writes to stdout. Lines are buffered and written whole, so a line is
 * never split or interleaved; when the output's buffer is full the returned promise resolves on
 * `drain`, so a slow consumer slows the producer instead of growing memory. Callers `await` what
 * `write*` returns (undefined when there is no need to wait).
 */
export class SingerWriter {
  readonly #output: Writable;
  readonly #bufferSize: number;
  readonly #redactState: ((json: string) => string) | undefined;
  #pending: string[] = [];
  #pendingLength = 0;
  #flushScheduled = false;
  #drain: Promise<void> | undefined;
  #error: Error | undefined;
  #messagesWritten = 0;

  constructor(output: Writable = process.stdout, options: WriterOptions = {}) {
    this.#output = output;
    this.#bufferSize = options.bufferSize ?? 64 * 1024;
    this.#redactState = options.redactState;
    output.on('error', (error: Error) => {
      this.#error ??= outputError(error);
    });
  }

  get messagesWritten(): number {
    return this.#messagesWritten;
  }

  write(message: SingerMessage): Promise<void> | undefined {
    return this.writeLine(stringifyMessagePart(message));
  }

  writeRecord(stream: string, record: Record<string, unknown>, options: RecordOptions = {}): Promise<void> | undefined {
    let line = `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":${stringifyMessagePart(record)}`;
    if (options.version !== undefined) line += `,"version":${options.version}`;
    if (options.timeExtracted !== undefined) line += `,"time_extracted":"${options.timeExtracted}"`;
    return this.writeLine(line + '}');
  }

  writeSchema(stream: string, schema: JsonSchema, keyProperties: string[], bookmarkProperties?: string[]): Promise<void> | undefined {
    return this.write({ type: 'SCHEMA', stream, schema, key_properties: keyProperties, ...(bookmarkProperties?.length ? { bookmark_properties: bookmarkProperties } : {}) });
  }

  writeState(value: unknown): Promise<void> | undefined {
    const json = stringifyMessagePart({ type: 'STATE', value });
    return this.writeLine(this.#redactState ? this.#redactState(json) : json);
  }

  writeActivateVersion(stream: string, version: number): Promise<void> | undefined {
    return this.write({ type: 'ACTIVATE_VERSION', stream, version });
  }

  /** Writes one serialised message (no trailing newline). */
  writeLine(json: string): Promise<void> | undefined {
    if (this.#error) return Promise.reject(this.#error);
    this.#pending.push(json, '\n');
    this.#pendingLength += json.length + 1;
    this.#messagesWritten += 1;
    if (this.#drain) return this.#drain;
    if (this.#pendingLength >= this.#bufferSize) return this.#writePending();
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // A slow source must not leave lines sitting in the buffer: flush once the event loop turns.
      setImmediate(() => {
        this.#flushScheduled = false;
        if (!this.#drain) void this.#writePending()?.catch(() => undefined);
      });
    }
    return undefined;
  }

  /** Writes everything buffered and resolves once the output has taken it. */
  async flush(): Promise<void> {
    while (this.#drain || this.#pendingLength > 0) {
      if (this.#drain) await this.#drain;
      else await this.#writePending();
    }
    if (this.#error) throw this.#error;
  }

  #writePending(): Promise<void> | undefined {
    if (this.#pendingLength === 0) return undefined;
    if (this.#error) return Promise.reject(this.#error);
    const chunk = this.#pending.join('');
    this.#pending = [];
    this.#pendingLength = 0;
    if (this.#output.write(chunk)) return undefined;
    this.#drain = new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        this.#output.off('drain', onDrain);
        this.#output.off('error', onError);
        this.#output.off('close', onClose);
        this.#drain = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      const onError = (error: Error) => done(outputError(error));
      const onClose = () => done(this.#error ?? new Error('output closed before all messages were written'));
      this.#output.on('drain', onDrain);
      this.#output.on('error', onError);
      this.#output.on('close', onClose);
    }).then(() => this.#writePending());
    return this.#drain;
  }
}

function outputError(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPIPE') return new Error('stdout closed by the consumer (EPIPE): the downstream target stopped reading', { cause: error });
  return error;
}

/**
 * JSON.stringify, except that a JsonNumber (a value no double holds) keeps its exact digits. Plain
 * values are serialised once; a value holding a JsonNumber is serialised again by the exact writer.
 */
function stringifyMessagePart(value: unknown): string {
  const before = JsonNumber.roundedWrites;
  const json = JSON.stringify(value);
  return JsonNumber.roundedWrites === before ? json : stringifyJson(value);
}
