import { parseJsonLine, readPackageVersion, runTargetCli, Target, type Logger, type TargetRun } from '@singer-io-ts/sdk';
import v8 from 'node:v8';
import type pg from 'pg';
import { createPool, resolveConnection } from './client.js';
import { loadConfigSchema, type TargetPostgresConfig } from './config-schema.js';
import { Loader, loaderSettings } from './loader.js';
import { scanRecordBytes, scanRecordLine } from './fast-record.js';

export class TargetPostgres extends Target<TargetPostgresConfig> {
  readonly name = 'target-postgres';
  readonly version = readPackageVersion(import.meta.url);
  override readonly description = 'Loads Singer streams into PostgreSQL with COPY: upsert by key, schema evolution, exact numbers, state only after commit';
  readonly configSchema = loadConfigSchema();

  /**
   * Integers beyond 2^53 and long decimals keep their exact text on the way to Postgres. RECORD
   * lines keep their record as text (checked, not parsed): the loader encodes it for COPY from
   * there, or parses it when it needs the object (src/fast-record.ts).
   */
  override parseLine(line: string): unknown {
    return scanRecordLine(line) ?? parseJsonLine(line);
  }

  /** RECORD lines are checked and kept as bytes, never decoded; other lines are decoded and go to parseLine. */
  override parseLineBytes(bytes: Buffer, start: number, end: number): unknown {
    return scanRecordBytes(bytes, start, end);
  }

  override capabilities(): string[] {
    return [...super.capabilities(), 'activate-version', 'batch', 'hard-delete', 'soft-delete', 'schema-flattening', 'target-schema', 'validate-records', 'datatype-failsafe'];
  }

  async run({ config, logger, input, writer }: TargetRun<TargetPostgresConfig>): Promise<void> {
    const settings = loaderSettings(config);
    const pool = await this.#pool(config, logger, settings.maxParallelism + 1);
    const started = performance.now();
    try {
      const loader = new Loader(pool, config, settings, writer, logger);
      await loader.process(input);
      const seconds = (performance.now() - started) / 1000;
      logger.info(`${loader.recordsLoaded} records loaded in ${seconds.toFixed(1)} s`);
    } finally {
      await pool.end().catch(() => undefined);
    }
  }

  override async testConnection(config: TargetPostgresConfig, logger: Logger): Promise<string> {
    const pool = await this.#pool(config, logger, 1);
    try {
      const { rows } = await pool.query<{ version: string }>('SELECT version()');
      return `${resolveConnection(config).description}: ${rows[0]!.version.split(' on ')[0]}`;
    } finally {
      await pool.end().catch(() => undefined);
    }
  }

  async #pool(config: TargetPostgresConfig, logger: Logger, max: number): Promise<pg.Pool> {
    const connection = resolveConnection(config);
    logger.debug(`connecting to ${connection.description}`);
    // UTC so that timestamps widened to text read the same whatever the server's zone.
    const pool = await createPool(connection, { max, onConnect: (client) => client.query("SET TimeZone = 'UTC'").then(() => undefined) });
    // An idle connection dropped by the server must not crash the process; the next query reports it.
    pool.on('error', (error) => logger.warn(`idle Postgres connection lost: ${error.message}`));
    return pool;
  }
}

export async function main(): Promise<void> {
  keepYoungGenerationSmall();
  await runTargetCli(new TargetPostgres());
}

/**
 * Most of the target's peak RSS is V8's young generation, which doubles whenever many objects
 * survive a scavenge (parsed records waiting for their batch do). Keeping it at its initial size
 * costs about 10% more CPU and brings peak RSS from ~175 MB to ~135 MB (bench/README.md). The
 * growth factor is the one heap flag that still takes effect once the process runs; whoever sets
 * a semi-space flag in NODE_OPTIONS decides for themselves.
 */
function keepYoungGenerationSmall(): void {
  const flags = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
  if (!/semi[-_]space/.test(flags)) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

// The connection rules (config keys, libpq and CI variables, SSL) for other tools that talk to the
// same warehouse: bizops-metrics and bizops use them so one config file serves all three.
export { connectClient, createPool, resolveConnection, schemaFromTapName, targetSchemaFor, type ConnectedClient, type ResolvedConnection } from './client.js';
export type { TargetPostgresConfig } from './config-schema.js';
