import type { Catalog } from './catalog.js';
import type { Config } from './config.js';
import type { Logger } from './logging.js';
import { Connector } from './connector.js';
import type { StreamDefinition } from './stream.js';

export interface StreamsOptions {
  logger: Logger;
  /** The catalog given with `--catalog`, when syncing: a tap with costly discovery describes only what it selects. */
  catalog?: Catalog;
}

/**
 * A tap: its identity, its config schema and its streams. The SDK's CLI does everything else.
 * Subclass it and pass the class to `runTapCli`.
 */
export abstract class Tap<C extends Config = Config> extends Connector<C> {
  /** Emit ACTIVATE_VERSION around full-table streams (opt-in, as in Meltano's SDK). */
  readonly activateVersion: boolean = false;
  /** Records of a sorted stream between two STATE messages. */
  readonly stateMessageFrequency: number = 10_000;

  /**
   * How many streams sync at once. Their messages interleave on stdout, which Singer allows; each
   * stream's STATE still only covers records already written. Taps whose source serves parallel
   * reads well (one query per object) return their worker setting here.
   */
  maxParallelStreams(_config: C): number {
    return 1;
  }

  /** The streams this tap offers for this config; discovered ones may depend on the source. */
  abstract streams(config: C, options: StreamsOptions): Promise<StreamDefinition<C>[]> | StreamDefinition<C>[];

  /**
   * `--test`: proves the config can reach the source. The default lists the streams, which for
   * most taps means an authenticated call; override it with something cheaper or stricter.
   */
  async testConnection(config: C, options: StreamsOptions): Promise<string> {
    const streams = await this.streams(config, options);
    return `${streams.length} streams available`;
  }

  override capabilities(): string[] {
    return [...super.capabilities(), 'catalog', 'discover', 'state', 'properties', 'stream-maps', ...(this.activateVersion ? ['activate-version'] : [])];
  }
}
