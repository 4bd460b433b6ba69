import { isStreamSelected, readPackageVersion, runTapCli, Tap, type Logger, type StreamDefinition, type StreamsOptions } from '@singer-io-ts/sdk';
import { SalesforceClient, type ClientOptions } from './client.js';
import { bulkThresholdRows, ENV_ALIASES, loadConfigSchema, lookbackSeconds, maxWorkers, type SalesforceConfig } from './config.js';
import { describeGlobal, describeObjects } from './streams/describe.js';
import { objectStream } from './streams/factory.js';
import { readerFor } from './streams/reader.js';
import type { WindowOptions } from './streams/windows.js';

export type { SalesforceConfig } from './config.js';
export { SalesforceClient } from './client.js';
export type { QueryReader, QueryRequest, RawRow } from './streams/reader.js';

export interface TapSalesforceOptions {
  client?: ClientOptions;
  window?: WindowOptions;
  /** Bulk API 2.0 job polling (tests shorten it); 1 s doubling to 30 s by default. */
  bulkPollIntervalMs?: { initial: number; max: number };
  /** How long a Bulk API 2.0 job may run before it counts as failed (tests shorten it); 6 h by default. */
  bulkJobTimeoutMs?: number;
}

export class TapSalesforce extends Tap<SalesforceConfig> {
  readonly name = 'tap-salesforce';
  readonly version = readPackageVersion(import.meta.url);
  override readonly description = 'Extracts every Salesforce object, custom fields included, incrementally and resumably, with any login';
  override readonly activateVersion = true;
  override readonly envAliases = ENV_ALIASES;
  readonly configSchema = loadConfigSchema();
  readonly #options: TapSalesforceOptions;

  constructor(options: TapSalesforceOptions = {}) {
    super();
    this.#options = options;
  }

  /** Objects sync in parallel: each is its own query (or Bulk job), so they do not contend. */
  override maxParallelStreams(config: SalesforceConfig): number {
    return maxWorkers(config);
  }

  /** A logged-in client. Each run (discovery, sync) has its own: its quota budget counts that run's calls. */
  client(config: SalesforceConfig, logger: Logger): Promise<SalesforceClient> {
    return SalesforceClient.connect(config, logger, this.#options.client);
  }

  /**
   * With a catalog (a sync) only the selected objects are described; otherwise every object of
   * describeGlobal, or `streams_to_discover` without the global describe.
   */
  async streams(config: SalesforceConfig, { logger, catalog }: StreamsOptions): Promise<StreamDefinition<SalesforceConfig>[]> {
    const client = await this.client(config, logger);
    const chosen = catalog ? catalog.streams.filter(isStreamSelected).map((entry) => entry.tap_stream_id) : config.streams_to_discover;
    const names = chosen ?? (await describeGlobal(client));
    const describes = await describeObjects(client, names, { workers: maxWorkers(config), logger, strict: chosen !== undefined });
    const readers = readerFor(config.api_type ?? 'AUTO', {
      thresholdRows: bulkThresholdRows(config),
      ...(this.#options.bulkPollIntervalMs ? { pollIntervalMs: this.#options.bulkPollIntervalMs } : {}),
      ...(this.#options.bulkJobTimeoutMs !== undefined ? { jobTimeoutMs: this.#options.bulkJobTimeoutMs } : {}),
      ...(this.#options.window?.now ? { now: this.#options.window.now } : {}),
    });
    const common = { client, lookbackSeconds: lookbackSeconds(config), ...(this.#options.window ? { window: this.#options.window } : {}) };
    return describes.map((object) => objectStream(object, { ...common, reader: readers(object, client) }));
  }

  override async testConnection(config: SalesforceConfig, { logger }: StreamsOptions): Promise<string> {
    const client = await this.client(config, logger);
    const names = await describeGlobal(client);
    return `${client.session.flow.replace('_', ' ')} login to ${client.instanceUrl}: ${names.length} objects`;
  }
}

export async function main(): Promise<void> {
  await runTapCli(new TapSalesforce());
}
