import type { Config } from './config.js';
import type { Logger } from './logging.js';
import { Connector } from './connector.js';
import type { ReadMessage } from './protocol/reader.js';
import type { SingerWriter } from './protocol/writer.js';

export interface TargetRun<C extends Config = Config> {
  config: C;
  logger: Logger;
  /** Batches of messages as read from stdin or `--input`; already checked for protocol errors. */
  input: AsyncIterable<ReadMessage[]>;
  /** For STATE messages, and only once what they cover is durable. */
  writer: SingerWriter;
  signal: AbortSignal;
}

/** A target: reads Singer messages, loads them, echoes STATE once it is safe. Pass the class to `runTargetCli`. */
export abstract class Target<C extends Config = Config> extends Connector<C> {
  abstract run(run: TargetRun<C>): Promise<void>;

  /** `--test`: checks the destination is reachable with this config; returns a one-line description. */
  async testConnection(_config: C, _logger: Logger): Promise<string> {
    return 'no connection check implemented';
  }

  /**
   * A parser for input lines; JSON.parse by default. Override to keep numbers exact where a
   * double would change them.
   */
  parseLine?(line: string): unknown;

  /**
   * Tried first on each input line's UTF-8 bytes, bytes[start, end) (line break excluded): a
   * message, or undefined to have the line decoded and given to parseLine as usual. Lets a target
   * read the lines that make up nearly all input without decoding them to strings.
   */
  parseLineBytes?(bytes: Buffer, start: number, end: number): unknown;

  override capabilities(): string[] {
    return [...super.capabilities(), 'stream-maps'];
  }
}
