import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConfigError, FatalError, Redactor, RetriableError, errorMessage, isTransientNetworkError } from '@singer-io-ts/sdk';
import { SSL_MODES, type SchemaMappingTarget, type SslMode, type TargetPostgresConfig } from './config-schema.js';

export const APPLICATION_NAME = 'target-postgres';
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** Where Debian, Ubuntu and the official Docker images put the server's socket; psql looks there first. */
export const DEFAULT_SOCKET_DIR = '/var/run/postgresql';
/** Merges and backfills can run for hours; a role's default timeout must not abort them halfway. */
export const SESSION_SETUP_SQL = 'set statement_timeout = 0';

export interface ResolvedConnection {
  /** Always has host, port, user, database and ssl, so node-postgres reads none of its own defaults. */
  clientConfig: pg.ClientConfig;
  /** `user@host:port/database`, for logs: never the password. */
  description: string;
  /**
   * ssl_mode `prefer`: plaintext, after a server without TLS. ssl_mode `allow`: TLS, after a
   * server that refuses plaintext. node-postgres cannot fall back by itself; `connectClient` does.
   */
  fallbackClientConfig?: pg.ClientConfig;
}

/** What the libpq defaults depend on; tests replace it. */
export interface LocalSystem {
  exists(path: string): boolean;
  userName(): string | undefined;
}

const localSystem: LocalSystem = {
  exists: existsSync,
  userName: () => {
    try {
      return os.userInfo().username;
    } catch {
      return undefined; // a uid without a passwd entry, as in some containers
    }
  },
};

type Field = 'host' | 'port' | 'user' | 'password' | 'database' | 'sslmode' | 'sslrootcert' | 'sslcert' | 'sslkey' | 'connect_timeout';
/** A value and where it came from (a config key, an environment variable, a part of a URL), for error messages. */
interface Setting {
  value: string;
  source: string;
}
type Layer = Partial<Record<Field, Setting>>;

const LIBPQ_VARIABLES: Record<Field, string> = {
  host: 'PGHOST',
  port: 'PGPORT',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  database: 'PGDATABASE',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  connect_timeout: 'PGCONNECT_TIMEOUT',
};

/** The variables CI jobs of the product's origin document set for their database service. */
const CI_VARIABLES: Partial<Record<Field, string>> = {
  host: 'PG_ADDRESS',
  port: 'PG_PORT',
  user: 'PG_USERNAME',
  password: 'PG_PASSWORD',
  database: 'PG_DATABASE',
};

const URL_PARAMETERS: Record<string, Field> = {
  host: 'host',
  port: 'port',
  user: 'user',
  password: 'password',
  dbname: 'database',
  sslmode: 'sslmode',
  sslrootcert: 'sslrootcert',
  sslcert: 'sslcert',
  sslkey: 'sslkey',
  connect_timeout: 'connect_timeout',
};

/**
 * Each setting independently takes the first value found in: the config's own keys, its
 * `connection_string`, the libpq variables, `DATABASE_URL`, the CI variables, the libpq defaults.
 */
export function resolveConnection(config: TargetPostgresConfig, env: NodeJS.ProcessEnv = process.env, system: LocalSystem = localSystem): ResolvedConnection {
  const layers: Layer[] = [
    configLayer(config),
    urlLayer(config.connection_string, 'connection_string'),
    envLayer(env, LIBPQ_VARIABLES),
    urlLayer(env.DATABASE_URL, 'DATABASE_URL'),
    envLayer(env, CI_VARIABLES),
  ];
  const pick = (field: Field): Setting | undefined => layers.find((layer) => layer[field])?.[field];

  const port = parsePort(pick('port'));
  const host = pick('host')?.value ?? defaultHost(port, system);
  const user = pick('user')?.value ?? system.userName();
  if (!user) throw new ConfigError('no user to connect as: set user (or PGUSER); the OS user name is unknown');
  const database = pick('database')?.value ?? user;
  const password = pick('password')?.value;
  const ssl = sslChoice(parseSslMode(pick('sslmode')), host, { ca: pick('sslrootcert'), cert: pick('sslcert'), key: pick('sslkey') });

  const base: pg.ClientConfig = {
    host,
    port,
    user,
    database,
    ...(password === undefined ? {} : { password }),
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: parseConnectTimeout(pick('connect_timeout')),
    keepAlive: true,
  };
  return {
    clientConfig: { ...base, ssl: ssl.primary },
    description: `${user}@${host.includes(':') ? `[${host}]` : host}:${port}/${database}`,
    ...(ssl.fallback === undefined ? {} : { fallbackClientConfig: { ...base, ssl: ssl.fallback } }),
  };
}

function setting(value: string | undefined, source: string): Setting | undefined {
  return value === undefined || value === '' ? undefined : { value, source };
}

function configLayer(config: TargetPostgresConfig): Layer {
  if (config.database && config.dbname && config.database !== config.dbname) {
    throw new ConfigError('database and dbname (its alias) are both set, to different values: keep one');
  }
  return {
    host: setting(config.host, 'host'),
    port: setting(config.port === undefined ? undefined : String(config.port), 'port'),
    user: setting(config.user, 'user'),
    password: setting(config.password, 'password'),
    database: setting(config.database, 'database') ?? setting(config.dbname, 'dbname'),
    sslmode: setting(config.ssl_mode, 'ssl_mode'),
    sslrootcert: setting(config.ssl_ca, 'ssl_ca'),
    sslcert: setting(config.ssl_cert, 'ssl_cert'),
    sslkey: setting(config.ssl_key, 'ssl_key'),
  };
}

function envLayer(env: NodeJS.ProcessEnv, variables: Partial<Record<Field, string>>): Layer {
  const layer: Layer = {};
  for (const [field, name] of Object.entries(variables) as [Field, string][]) layer[field] = setting(env[name], name);
  return layer;
}

function urlLayer(text: string | undefined, source: string): Layer {
  if (!text) return {};
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // No cause: the URL parser's error carries the input, password included.
    throw new ConfigError(`${source} is not a valid URL (expected postgresql://user:password@host:port/database)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`${source} must start with postgres:// or postgresql://`);
  }
  const part = (encoded: string, name: string): Setting | undefined => setting(percentDecode(encoded, `${source} (${name})`), `${source} (${name})`);
  const layer: Layer = {
    host: part(url.hostname.replace(/^\[(.*)\]$/, '$1'), 'host'),
    port: part(url.port, 'port'),
    user: part(url.username, 'user'),
    password: part(url.password, 'password'),
    database: part(url.pathname.replace(/^\//, ''), 'database'),
  };
  // Parameters libpq does not know (prisma's `schema`, ...) are left alone, not rejected.
  for (const [name, value] of url.searchParams) {
    const field = URL_PARAMETERS[name];
    if (field) layer[field] = setting(value, `${source} (${name})`) ?? layer[field];
  }
  if (layer.host?.value.includes(',')) throw new ConfigError(`${source}: several hosts are not supported; name one`);
  return layer;
}

function percentDecode(text: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfigError(`${where} has a malformed percent-encoding`);
  }
}

function parsePort(port: Setting | undefined): number {
  if (!port) return 5432;
  const value = Number(port.value);
  if (!/^\d+$/.test(port.value) || value < 1 || value > 65535) throw new ConfigError(`${port.source} must be a port number (1-65535)`);
  return value;
}

function parseConnectTimeout(timeout: Setting | undefined): number {
  if (!timeout) return DEFAULT_CONNECT_TIMEOUT_MS;
  if (!/^\d+$/.test(timeout.value)) throw new ConfigError(`${timeout.source} must be a whole number of seconds`);
  return Number(timeout.value) * 1000; // 0 waits forever, in libpq and in node-postgres alike
}

function parseSslMode(mode: Setting | undefined): SslMode {
  if (!mode) return 'prefer';
  // node-postgres's own spelling of `require`, common in Heroku-style URLs.
  if (mode.value === 'no-verify') return 'require';
  if (!(SSL_MODES as readonly string[]).includes(mode.value)) throw new ConfigError(`${mode.source} must be one of ${SSL_MODES.join(', ')}`);
  return mode.value as SslMode;
}

function defaultHost(port: number, system: LocalSystem): string {
  // The socket file, not just the directory: a client package creates the directory on machines
  // whose server listens elsewhere (e.g. in a container on localhost).
  return system.exists(`${DEFAULT_SOCKET_DIR}/.s.PGSQL.${port}`) ? DEFAULT_SOCKET_DIR : 'localhost';
}

type SslOptions = false | ConnectionOptions;

interface SslFiles {
  ca: Setting | undefined;
  cert: Setting | undefined;
  key: Setting | undefined;
}

function sslChoice(mode: SslMode, host: string, files: SslFiles): { primary: SslOptions; fallback?: SslOptions } {
  // As in libpq, sslmode does not apply to Unix sockets: the server never offers TLS on them.
  if (mode === 'disable' || host.startsWith('/')) return { primary: false };
  const material = readSslMaterial(files);
  const verifyCa: ConnectionOptions = { ...material, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  // libpq checks the chain whenever it has a root certificate, whatever the mode.
  const encrypted: ConnectionOptions = material.ca ? verifyCa : { ...material, rejectUnauthorized: false };
  switch (mode) {
    case 'allow':
      return { primary: false, fallback: encrypted };
    case 'prefer':
      return { primary: encrypted, fallback: false };
    case 'require':
      return { primary: encrypted };
    case 'verify-ca':
      return { primary: verifyCa };
    case 'verify-full':
      return { primary: { ...material, rejectUnauthorized: true } };
  }
}

function readSslMaterial(files: SslFiles): { ca?: string; cert?: string; key?: string } {
  if (files.cert && !files.key) throw new ConfigError(`${files.cert.source} is set but no client key is (ssl_key or PGSSLKEY)`);
  if (files.key && !files.cert) throw new ConfigError(`${files.key.source} is set but no client certificate is (ssl_cert or PGSSLCERT)`);
  return {
    ...(files.ca ? { ca: readPem(files.ca, false) } : {}),
    ...(files.cert ? { cert: readPem(files.cert, false) } : {}),
    ...(files.key ? { key: readPem(files.key, true) } : {}),
  };
}

function readPem(file: Setting, secret: boolean): string {
  if (file.value.includes('-----BEGIN')) return file.value;
  try {
    return readFileSync(file.value, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    // A key pasted without its PEM header would otherwise be printed as if it were a path.
    const path = !secret || looksLikePath(file.value) ? ` ${file.value}` : '';
    throw new ConfigError(`${file.source}: cannot read the file${path} (${reason}); give a readable file path or the PEM text itself (-----BEGIN ...)`);
  }
}

function looksLikePath(value: string): boolean {
  return value.length < 1024 && !/\s/.test(value) && (/^(\/|\.\.?\/|~\/|[A-Za-z]:[\\/])/.test(value) || /\.(pem|key|crt|cer)$/i.test(value));
}

export interface ConnectedClient {
  client: pg.Client;
  /** The config that worked (after any ssl fallback): use it for further connections, e.g. a pool. */
  clientConfig: pg.ClientConfig;
}

/**
 * Connects, falling back as ssl_mode prefer/allow say, and prepares the session. Errors name
 * the server but never the password: RetriableError when the server may come back, else FatalError.
 */
export async function connectClient(connection: ResolvedConnection): Promise<ConnectedClient> {
  const { clientConfig, fallbackClientConfig } = connection;
  try {
    try {
      return await openSession(clientConfig);
    } catch (error) {
      if (!fallbackClientConfig || !refusedForEncryption(error, clientConfig)) throw error;
      return await openSession(fallbackClientConfig);
    }
  } catch (error) {
    throw connectionError(error, connection);
  }
}

/**
 * A pool on the config that worked for a first connection (so every pooled connection skips the
 * ssl fallback), each connection prepared like `connectClient`'s. `poolConfig` adds to it (max,
 * options, ...); its `onConnect` runs after the session setup.
 */
export async function createPool(connection: ResolvedConnection, poolConfig: pg.PoolConfig = {}): Promise<pg.Pool> {
  const { client, clientConfig } = await connectClient(connection);
  await client.end();
  const { onConnect } = poolConfig;
  return new pg.Pool({
    ...clientConfig,
    ...poolConfig,
    onConnect: async (pooled) => {
      // pg-pool stops listening to a client while it is checked out; a connection dropped then
      // would crash the process. The failing query still rejects, and release(error) discards it.
      pooled.on('error', () => undefined);
      await pooled.query(SESSION_SETUP_SQL);
      await onConnect?.(pooled);
    },
  });
}

async function openSession(clientConfig: pg.ClientConfig): Promise<ConnectedClient> {
  const client = new pg.Client(clientConfig);
  // A failed connect has already closed the socket (and end() would then wait forever).
  await client.connect();
  try {
    await client.query(SESSION_SETUP_SQL);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return { client, clientConfig };
}

function refusedForEncryption(error: unknown, attempted: pg.ClientConfig): boolean {
  if (attempted.ssl) return errorMessage(error) === 'The server does not support SSL connections';
  // invalid_authorization_specification: pg_hba.conf has no plaintext entry for this client.
  return errorCode(error) === '28000';
}

/** Server-side reasons worth a retry (shutdown, starting up, too many connections, connection failure); socket errors come from the SDK's table. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08001', '08006']);

function connectionError(error: unknown, connection: ResolvedConnection): Error {
  const redactor = new Redactor();
  const password = connection.clientConfig.password;
  if (typeof password === 'string') redactor.addSecret(password);
  const message = `cannot connect to ${connection.description}: ${redactor.redactText(errorMessage(error))}`;
  const code = errorCode(error);
  const transient = (code !== undefined && TRANSIENT_SQLSTATES.has(code)) || isTransientNetworkError(error) || /timeout expired|terminated unexpectedly|connection timeout/i.test(errorMessage(error));
  return transient ? new RetriableError(message) : new FatalError(message);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export interface TableTarget {
  schema: string;
  table: string;
}

/**
 * Where a stream lands, unquoted and unshortened (the loader quotes, cases and shortens names).
 * Schema: the longest `schema_mapping` key the stream name starts with; else the schema a
 * `schema-table` (or `database-schema-table`) stream name carries; else `default_target_schema`;
 * else one derived from the tap's name; else `public`.
 */
export function targetSchemaFor(
  stream: string,
  config: Pick<TargetPostgresConfig, 'schema_mapping' | 'default_target_schema'>,
  tapName: string | undefined = tapNameFromEnv(process.env),
): TableTarget {
  const named = splitSchemaTable(stream);
  const schema =
    mappedSchema(stream, config.schema_mapping) ??
    named?.schema ??
    (config.default_target_schema || undefined) ??
    (tapName === undefined ? undefined : schemaFromTapName(tapName)) ??
    'public';
  return { schema, table: named?.table ?? stream };
}

/** `SINGER_TAP_NAME` (ours, for any runner) or Meltano's `MELTANO_EXTRACTOR_NAMESPACE`. */
export function tapNameFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env.SINGER_TAP_NAME || env.MELTANO_EXTRACTOR_NAMESPACE || undefined;
}

/** `tap-salesforce` and `tap_salesforce` → `salesforce`; `tap-google-ads` → `google_ads`. */
export function schemaFromTapName(tapName: string): string | undefined {
  const schema = tapName
    .toLowerCase()
    .replace(/^tap[-_]/, '')
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return schema || undefined;
}

function mappedSchema(stream: string, mapping: Record<string, SchemaMappingTarget> | undefined): string | undefined {
  let best: [string, SchemaMappingTarget] | undefined;
  for (const entry of Object.entries(mapping ?? {})) {
    if (stream.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  if (!best) return undefined;
  return typeof best[1] === 'string' ? best[1] : best[1].target_schema;
}

function splitSchemaTable(stream: string): TableTarget | undefined {
  const parts = stream.split('-');
  if (parts.some((part) => part === '')) return undefined;
  const [first, second, third] = parts;
  if (parts.length === 2 && first && second) return { schema: first, table: second };
  // database-schema-table, as tap-postgres and tap-mysql name their streams
  if (parts.length === 3 && second && third) return { schema: second, table: third };
  return undefined;
}
