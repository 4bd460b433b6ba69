import { FatalError } from '@singer-io-ts/sdk';
import pg from 'pg';
import t from 'tap';
import { APPLICATION_NAME, connectClient, createPool, resolveConnection, type ResolvedConnection } from '../src/client.js';
import type { TargetPostgresConfig } from '../src/config-schema.js';
import { getTestPostgres, type TestPostgres } from '../../../test/helpers/postgres.js';

interface ServerParts {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
}

/** The test server's address, whichever way the helper describes it. */
function partsOf(db: TestPostgres): ServerParts {
  const { clientConfig } = db;
  if (clientConfig.host && clientConfig.port && clientConfig.user && clientConfig.database) {
    const password = typeof clientConfig.password === 'string' ? clientConfig.password : undefined;
    return { host: clientConfig.host, port: clientConfig.port, user: clientConfig.user, database: clientConfig.database, password };
  }
  // Only DATABASE_URL names the server: let the code under test read it, from the real environment.
  const { clientConfig: resolved } = resolveConnection({ connection_string: db.connectionString }, process.env);
  return {
    host: resolved.host!,
    port: resolved.port!,
    user: resolved.user!,
    database: resolved.database!,
    password: typeof resolved.password === 'string' ? resolved.password : undefined,
  };
}

function configOf(server: ServerParts): TargetPostgresConfig {
  const { password, ...rest } = server;
  return { ...rest, ...(password === undefined ? {} : { password }) };
}

/** What a fresh session through `connectClient` reports about itself. */
async function session(connection: ResolvedConnection): Promise<unknown> {
  const { client } = await connectClient(connection);
  try {
    const { rows } = await client.query(`select 1 as one, current_setting('application_name') as app, current_setting('statement_timeout') as timeout`);
    return rows[0];
  } finally {
    await client.end();
  }
}

const HEALTHY = { one: 1, app: APPLICATION_NAME, timeout: '0' };

t.test('CI variables alone reach the server', async (t) => {
  const server = partsOf(await getTestPostgres());
  const env: NodeJS.ProcessEnv = {
    PG_ADDRESS: server.host,
    PG_PORT: String(server.port),
    PG_USERNAME: server.user,
    PG_DATABASE: server.database,
    ...(server.password === undefined ? {} : { PG_PASSWORD: server.password }),
  };
  const connection = resolveConnection({}, env);
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  t.equal(connection.description, `${server.user}@${host}:${server.port}/${server.database}`);
  t.same(await session(connection), HEALTHY);
});

t.test('libpq variables alone reach the server', async (t) => {
  const server = partsOf(await getTestPostgres());
  const env: NodeJS.ProcessEnv = {
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGUSER: server.user,
    PGDATABASE: server.database,
    ...(server.password === undefined ? {} : { PGPASSWORD: server.password }),
  };
  t.same(await session(resolveConnection({}, env)), HEALTHY);
});

t.test('connection_string reaches the server', async (t) => {
  const db = await getTestPostgres();
  t.same(await session(resolveConnection({ connection_string: db.connectionString }, {})), HEALTHY);
});

t.test('explicit keys override a connection_string that points elsewhere', async (t) => {
  const server = partsOf(await getTestPostgres());
  const connection = resolveConnection(
    { connection_string: 'postgresql://nobody@unreachable.invalid:1/nowhere', ...configOf(server) },
    {},
  );
  t.same(await session(connection), HEALTHY);
});

t.test('the config that worked opens further connections as it is', async (t) => {
  const db = await getTestPostgres();
  const connection = resolveConnection(configOf(partsOf(db)), {});
  const { client, clientConfig } = await connectClient(connection);
  await client.end();
  if (db.kind === 'embedded') t.equal(clientConfig.ssl, false, 'prefer fell back to plaintext: the embedded server has no TLS');
  const again = new pg.Client(clientConfig);
  await again.connect();
  t.teardown(() => again.end());
  t.same((await again.query('select 2 as two')).rows, [{ two: 2 }]);
});

t.test('a pool prepares each of its connections', async (t) => {
  const server = partsOf(await getTestPostgres());
  const pool = await createPool(resolveConnection(configOf(server), {}), { max: 2, options: '-c TimeZone=UTC' });
  t.teardown(() => pool.end());
  const sql = `select current_setting('statement_timeout') as timeout, current_setting('TimeZone') as zone`;
  const rows = await Promise.all([pool.query(sql), pool.query(sql)]);
  t.same(rows.map((result) => result.rows[0]), [{ timeout: '0', zone: 'UTC' }, { timeout: '0', zone: 'UTC' }]);
});

t.test('a database that does not exist is a fatal error naming the server', async (t) => {
  const server = partsOf(await getTestPostgres());
  const connection = resolveConnection({ ...configOf(server), database: 'no_such_database_here' }, {});
  const error = await connectClient(connection).then(() => undefined, (e: unknown) => e);
  t.type(error, FatalError);
  t.match((error as Error).message, `cannot connect to ${connection.description}: `);
  t.match((error as Error).message, /no_such_database_here/);
});

t.test('require against a server without TLS fails, without falling back', async (t) => {
  const db = await getTestPostgres();
  if (db.kind !== 'embedded') return t.comment('skipped: only the embedded server is known to have no TLS');
  const error = await connectClient(resolveConnection({ ...configOf(partsOf(db)), ssl_mode: 'require' }, {})).then(() => undefined, (e: unknown) => e);
  t.type(error, FatalError);
  t.match((error as Error).message, /does not support SSL/);
});
