import { isStreamSelected, selectedProperties, readPackageVersion, type Catalog, runTapCli, Tap, type Logger, type StreamDefinition, type StreamsOptions } from '@singer-io-ts/sdk';
import { ZuoraClient, type ClientOptions } from './client.js';
import { apiType, ENV_ALIASES, loadConfigSchema, maxConcurrentJobs, wsdlVersion, type ZuoraConfig } from './config.js';
import { JobSlots } from './job-slots.js';
import { describeList, describeObject, type ZuoraObject } from './describe.js';
import { checkAvailability, objectStream, type Availability } from './streams/object.js';
import { DEFAULT_READER_OPTIONS, type ReaderOptions } from './streams/reader.js';

export type { ZuoraConfig } from './config.js';
export { ZuoraClient } from './client.js';
export { parseObject, parseObjectList } from './describe.js';

export interface TapZuoraOptions {
  client?: ClientOptions;
  /** Job polling, window halving and restart limits (tests shorten the polls). */
  reader?: Partial<ReaderOptions>;
}

/** Describes run this many at a time. */
const DESCRIBE_WORKERS = 8;

async function mapPool<T, R>(items: T[], workers: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await fn(items[index] as T);
      }
    }),
  );
  return out;
}

/** Selected catalog fields describe no longer lists (a lower WSDL version, a removed custom field) are left out, not fatal. */
function warnVanishedFields(catalog: Catalog, described: Array<[ZuoraObject, Availability]>, config: ZuoraConfig, logger: Logger): void {
  for (const [object] of described) {
    const entry = catalog.streams.find((s) => s.tap_stream_id === object.name);
    if (!entry) continue;
    const selected = selectedProperties(entry);
    const known = new Set([...object.fields.map((f) => f.name), ...object.related.map((r) => `${r}Id`), '_sdc_deleted_at']);
    for (const property of selected) {
      if (!known.has(property)) logger.warn(`${object.name}: field ${property} of the catalog is not in describe (WSDL version ${wsdlVersion(config)}): left out`);
    }
  }
}

export class TapZuora extends Tap<ZuoraConfig> {
  readonly name = 'tap-zuora';
  readonly version = readPackageVersion(import.meta.url);
  override readonly description = 'Extracts Zuora objects (subscriptions, billing, payments) through AQuA or CRUD exports, incrementally, with deleted rows';
  override readonly envAliases = ENV_ALIASES;
  readonly configSchema = loadConfigSchema();
  readonly #options: TapZuoraOptions;

  constructor(options: TapZuoraOptions = {}) {
    super();
    this.#options = options;
  }

  /** Objects sync side by side, their jobs within `max_concurrent_jobs` together. */
  override maxParallelStreams(config: ZuoraConfig): number {
    return maxConcurrentJobs(config);
  }

  client(config: ZuoraConfig, logger: Logger): Promise<ZuoraClient> {
    return ZuoraClient.connect(config, logger, this.#options.client);
  }

  /**
   * With a catalog (a sync) only the selected objects are described; discovery describes every
   * object (or `streams_to_discover`) and, with AQuA, checks with a throw-away query that each
   * can be exported, flagging objects and fields that cannot.
   */
  async streams(config: ZuoraConfig, { logger, catalog }: StreamsOptions): Promise<StreamDefinition<ZuoraConfig>[]> {
    const client = await this.client(config, logger);
    const names = catalog ? catalog.streams.filter(isStreamSelected).map((entry) => entry.tap_stream_id) : (config.streams_to_discover ?? (await describeList(client)));
    const probe = !catalog && apiType(config) === 'AQUA';
    // Each probe is a job for a moment: within max_concurrent_jobs too.
    const described = await mapPool(names, probe ? Math.min(DESCRIBE_WORKERS, maxConcurrentJobs(config)) : DESCRIBE_WORKERS, async (name): Promise<[ZuoraObject, Availability]> => {
      const object = await describeObject(client, name);
      return [object, probe ? await checkAvailability(client, object) : {}];
    });
    if (catalog) warnVanishedFields(catalog, described, config, logger);
    const deps = { client, reader: { ...DEFAULT_READER_OPTIONS, ...this.#options.reader }, slots: new JobSlots(maxConcurrentJobs(config)) };
    return described.map(([object, availability]) => objectStream(object, availability, deps, config));
  }

  override async testConnection(config: ZuoraConfig, { logger }: StreamsOptions): Promise<string> {
    const client = await this.client(config, logger);
    const names = await describeList(client);
    return `${client.authKind === 'oauth' ? 'OAuth' : 'basic'} login to ${client.baseUrl}: ${names.length} objects`;
  }
}

export async function main(): Promise<void> {
  await runTapCli(new TapZuora());
}
