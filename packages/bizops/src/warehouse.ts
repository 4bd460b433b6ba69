/**
 * Where the raw tables and the metrics go: the configured Postgres (bizops.yml `warehouse`, or
 * the environment: PG_ADDRESS..., PG*, DATABASE_URL), else the project's embedded Postgres.
 */
import type pg from 'pg';
import { ConfigError } from '@singer-io-ts/sdk';
import { connectClient, resolveConnection, type ResolvedConnection, type TargetPostgresConfig } from '@singer-io-ts/target-postgres';
import type { BizopsConfig } from './config.js';
import { ensureEmbedded } from './embedded.js';

export interface Warehouse {
  kind: 'configured' | 'embedded';
  /** target-postgres / bizops-metrics connection keys. */
  connection: Record<string, unknown>;
  clientConfig: pg.ClientConfig;
  /** user@host:port/db, no secret. */
  description: string;
  /** The environment for the target and bizops-metrics. */
  env: NodeJS.ProcessEnv;
  /** A connected client (after the ssl_mode fallbacks libpq would make); the caller ends it. */
  connect(): Promise<pg.Client>;
  /** Stops the embedded server if this command started it. */
  release(): Promise<void>;
}

const connector = (resolved: ResolvedConnection) => async () => (await connectClient(resolved)).client;

/** Connection settings from the environment that must not redirect the embedded warehouse's clients. */
const CONNECTION_ENV = /^(PG|DATABASE_URL$|TARGET_POSTGRES_)/;

export async function openWarehouse(config: BizopsConfig, env: NodeJS.ProcessEnv, log: (message: string) => void): Promise<Warehouse> {
  if (config.warehouse) {
    const resolved = resolveConnection(config.warehouse as TargetPostgresConfig, env);
    return { kind: 'configured', connection: config.warehouse, clientConfig: resolved.clientConfig, description: resolved.description, env, connect: connector(resolved), release: async () => undefined };
  }
  const server = await ensureEmbedded(config.embedded.dataDir, { port: config.embedded.port, log });
  const connection = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database, ssl_mode: 'disable' };
  const clientConfig: pg.ClientConfig = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database };
  const description = `${server.user}@${server.host}:${server.port}/${server.database} (embedded, ${server.dataDir})`;
  return {
    kind: 'embedded',
    connection,
    clientConfig,
    description,
    connect: connector({ clientConfig, description }),
    env: Object.fromEntries(Object.entries(env).filter(([name]) => !CONNECTION_ENV.test(name))),
    release: () => server.release(),
  };
}

/** `CI` is set, as GitLab and GitHub set it (to true). */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase());
}

/**
 * In a CI job an embedded Postgres is deleted with the job while the state is kept (the CI cache):
 * every later run would load only the changes into an empty warehouse. So CI needs a configured
 * warehouse, or `warehouse: embedded` written down by someone who knows.
 */
export function refuseThrowAwayWarehouse(config: BizopsConfig, env: NodeJS.ProcessEnv): void {
  if (!isCi(env) || config.warehouse || config.embeddedChosen) return;
  throw new ConfigError(
    'CI is set and no warehouse is configured: set the CI variables PG_ADDRESS, PG_PORT, PG_DATABASE, PG_USERNAME and PG_PASSWORD ' +
      `(or warehouse in ${config.file ?? 'bizops.yml'}). An embedded Postgres would be thrown away with the job while the state is kept, ` +
      'so later runs would load only changes into an empty warehouse; write `warehouse: embedded` to use one anyway.',
  );
}
