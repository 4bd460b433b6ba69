import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { ConfigError, RetriableError, createAjv } from '@singer-io-ts/sdk';
import t from 'tap';
import {
  APPLICATION_NAME,
  connectClient,
  resolveConnection,
  schemaFromTapName,
  tapNameFromEnv,
  targetSchemaFor,
  type LocalSystem,
  type ResolvedConnection,
} from '../src/client.js';
import { loadConfigSchema, type TargetPostgresConfig } from '../src/config-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'target-postgres-client-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const noSocket: LocalSystem = { exists: () => false, userName: () => 'osuser' };
const resolve = (config: TargetPostgresConfig, env: NodeJS.ProcessEnv = {}, system = noSocket): ResolvedConnection =>
  resolveConnection(config, env, system);

function configErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** The part of a tap test the helpers below need. */
interface TestContext {
  teardown(fn: () => unknown): void;
}

t.test('the config schema', async (t) => {
  const schema = loadConfigSchema();
  t.test('declares exactly the keys of TargetPostgresConfig', async (t) => {
    const keys: Record<keyof TargetPostgresConfig, true> = {
      host: true, port: true, user: true, password: true, database: true, dbname: true, connection_string: true,
      default_target_schema: true, schema_mapping: true, ssl_mode: true, ssl_ca: true, ssl_cert: true, ssl_key: true,
      load_method: true, batch_size_rows: true, batch_size_bytes: true, batch_max_age_seconds: true, hard_delete: true,
      add_metadata_columns: true, flattening_max_depth: true, validate_records: true, max_parallelism: true,
      identifier_case: true, remove_nul_bytes: true,
    };
    t.same(Object.keys(schema.properties ?? {}).sort(), Object.keys(keys).sort());
  });
  t.test('describes every key and marks the secrets', async (t) => {
    for (const [key, property] of Object.entries(schema.properties ?? {})) t.ok(property.description, `${key} has a description`);
    const secrets = Object.entries(schema.properties ?? {}).filter(([, p]) => p.secret === true).map(([k]) => k);
    t.same(secrets.sort(), ['connection_string', 'password', 'ssl_key']);
  });
  t.test('gives connection keys no defaults, so the environment can fill them', async (t) => {
    const validate = createAjv({ useDefaults: true }).compile(schema);
    const config: Record<string, unknown> = {};
    t.ok(validate(config));
    t.same(config, {
      batch_size_rows: 100000, batch_size_bytes: 16777216, batch_max_age_seconds: 30, hard_delete: false,
      add_metadata_columns: true, flattening_max_depth: 0, validate_records: false, max_parallelism: 4,
      identifier_case: 'lower', remove_nul_bytes: true,
    });
  });
  t.test('accepts both forms of schema_mapping; rejects what it does not know', async (t) => {
    const validate = createAjv().compile(schema);
    t.ok(validate({ schema_mapping: { hubspot_: 'crm', public: { target_schema: 'replica' } } }));
    t.notOk(validate({ schema_mapping: { public: { target_shema: 'replica' } } }));
    t.notOk(validate({ schema_mapping: { public: '' } }));
    t.notOk(validate({ ssl_mode: 'no-verify' }));
  });
});

t.test('libpq defaults', async (t) => {
  const { clientConfig, description, fallbackClientConfig } = resolve({});
  t.match(clientConfig, { host: 'localhost', port: 5432, user: 'osuser', database: 'osuser', application_name: APPLICATION_NAME, connectionTimeoutMillis: 30000 });
  t.notOk('password' in clientConfig);
  t.equal(description, 'osuser@localhost:5432/osuser');
  t.same(clientConfig.ssl, { rejectUnauthorized: false }, 'prefer: TLS first');
  t.equal(fallbackClientConfig?.ssl, false, 'prefer: then plaintext');

  t.test('the socket directory when a server listens there, for the port in force', async (t) => {
    const seen: string[] = [];
    const system: LocalSystem = { exists: (path) => (seen.push(path), path.endsWith('6543')), userName: () => 'osuser' };
    const viaSocket = resolve({}, { PGPORT: '6543' }, system);
    t.equal(viaSocket.clientConfig.host, '/var/run/postgresql');
    t.equal(viaSocket.clientConfig.ssl, false, 'no TLS on sockets');
    t.equal(viaSocket.fallbackClientConfig, undefined);
    t.same(seen, ['/var/run/postgresql/.s.PGSQL.6543']);
    t.equal(resolve({}, {}, system).clientConfig.host, 'localhost', 'no socket for 5432');
  });
  t.test('the database defaults to the user in force, not the OS user', async (t) => {
    t.equal(resolve({ user: 'loader' }).clientConfig.database, 'loader');
    t.equal(resolve({}, { PG_USERNAME: 'ci' }).clientConfig.database, 'ci');
  });
  t.test('an unknown OS user needs an explicit user', async (t) => {
    t.match(configErrorOf(() => resolve({}, {}, { exists: () => false, userName: () => undefined })), /set user/);
    t.equal(resolve({ user: 'u' }, {}, { exists: () => false, userName: () => undefined }).clientConfig.user, 'u');
  });
});

t.test('precedence: each layer overrides the ones after it', async (t) => {
  const layers: { name: string; config?: TargetPostgresConfig; env?: NodeJS.ProcessEnv; expect: [string, number, string, string, string] }[] = [
    { name: 'config keys', config: { host: 'cfg-host', port: 1001, user: 'cfg-user', password: 'cfg-pw', database: 'cfg-db' }, expect: ['cfg-host', 1001, 'cfg-user', 'cfg-pw', 'cfg-db'] },
    { name: 'connection_string', config: { connection_string: 'postgres://url-user:url-pw@url-host:1002/url-db' }, expect: ['url-host', 1002, 'url-user', 'url-pw', 'url-db'] },
    { name: 'libpq variables', env: { PGHOST: 'env-host', PGPORT: '1003', PGUSER: 'env-user', PGPASSWORD: 'env-pw', PGDATABASE: 'env-db' }, expect: ['env-host', 1003, 'env-user', 'env-pw', 'env-db'] },
    { name: 'DATABASE_URL', env: { DATABASE_URL: 'postgresql://durl-user:durl-pw@durl-host:1004/durl-db' }, expect: ['durl-host', 1004, 'durl-user', 'durl-pw', 'durl-db'] },
    { name: 'CI variables', env: { PG_ADDRESS: 'ci-host', PG_PORT: '1005', PG_USERNAME: 'ci-user', PG_PASSWORD: 'ci-pw', PG_DATABASE: 'ci-db' }, expect: ['ci-host', 1005, 'ci-user', 'ci-pw', 'ci-db'] },
  ];
  for (let i = 0; i <= layers.length; i++) {
    const present = layers.slice(i);
    const config = Object.assign({}, ...present.map((layer) => layer.config ?? {})) as TargetPostgresConfig;
    const env = Object.assign({}, ...present.map((layer) => layer.env ?? {})) as NodeJS.ProcessEnv;
    const [host, port, user, password, database] = layers[i]?.expect ?? ['localhost', 5432, 'osuser', undefined, 'osuser'];
    const { clientConfig } = resolve(config, env);
    t.same(
      { host: clientConfig.host, port: clientConfig.port, user: clientConfig.user, password: clientConfig.password, database: clientConfig.database },
      { host, port, user, password, database },
      `${layers[i]?.name ?? 'libpq defaults'} win${i === 0 ? '' : ` once the layers above are gone`}`,
    );
  }

  t.test('key by key, like libpq', async (t) => {
    const { clientConfig } = resolve({ host: 'cfg-host' }, { PGUSER: 'env-user', PG_PASSWORD: 'ci-pw', PG_PORT: '1005' });
    t.match(clientConfig, { host: 'cfg-host', user: 'env-user', password: 'ci-pw', port: 1005, database: 'env-user' });
  });
  t.test('empty strings count as unset', async (t) => {
    const { clientConfig } = resolve({ host: '', password: '' }, { PGHOST: '', PG_ADDRESS: 'ci-host', PGPASSWORD: '' });
    t.equal(clientConfig.host, 'ci-host');
    t.notOk('password' in clientConfig);
  });
  t.test('ssl settings follow the same order', async (t) => {
    const env = { PGSSLMODE: 'disable', DATABASE_URL: 'postgres://h/d?sslmode=verify-full' };
    t.same(resolve({ ssl_mode: 'require', connection_string: 'postgres://h/d?sslmode=disable' }, env).clientConfig.ssl, { rejectUnauthorized: false }, 'ssl_mode over the URL');
    t.equal(resolve({ connection_string: 'postgres://h/d?sslmode=disable' }, { PGSSLMODE: 'require' }).clientConfig.ssl, false, 'the URL over PGSSLMODE');
    t.equal(resolve({}, env).clientConfig.ssl, false, 'PGSSLMODE over DATABASE_URL');
    t.same(resolve({}, { DATABASE_URL: env.DATABASE_URL }).clientConfig.ssl, { rejectUnauthorized: true }, 'DATABASE_URL sslmode');
  });
});

t.test('dbname is an alias of database', async (t) => {
  t.equal(resolve({ dbname: 'warehouse' }).clientConfig.database, 'warehouse');
  t.equal(resolve({ dbname: 'warehouse', database: 'warehouse' }).clientConfig.database, 'warehouse');
  t.equal(resolve({ dbname: 'warehouse', connection_string: 'postgres://h/other' }).clientConfig.database, 'warehouse', 'overrides the URL');
  t.match(configErrorOf(() => resolve({ dbname: 'a', database: 'b' })), /database and dbname/);
});

t.test('connection URLs', async (t) => {
  t.test('percent-encoded parts are decoded', async (t) => {
    const { clientConfig, description } = resolve({ connection_string: 'postgres://us%40er:p%40ss%3Aw%2Fo%23rd@db.example.com:6543/my%20db' });
    t.match(clientConfig, { user: 'us@er', password: 'p@ss:w/o#rd', host: 'db.example.com', port: 6543, database: 'my db' });
    t.equal(description, 'us@er@db.example.com:6543/my db');
  });
  t.test('explicit keys override the parts of the URL', async (t) => {
    const { clientConfig } = resolve({ connection_string: 'postgresql://u:old@h:1/d', host: 'other', password: 'new' });
    t.match(clientConfig, { host: 'other', port: 1, user: 'u', password: 'new', database: 'd' });
  });
  t.test('query parameters', async (t) => {
    t.match(resolve({ connection_string: 'postgresql:///warehouse?host=/tmp&port=6000&user=loader' }).clientConfig, { host: '/tmp', port: 6000, user: 'loader', database: 'warehouse', ssl: false });
    t.match(resolve({ connection_string: 'postgresql://h/d?dbname=other&password=pw&connect_timeout=5' }).clientConfig, { database: 'other', password: 'pw', connectionTimeoutMillis: 5000 });
    t.same(resolve({ connection_string: 'postgres://h/d?sslmode=require' }).clientConfig.ssl, { rejectUnauthorized: false });
    t.equal(resolve({ connection_string: 'postgres://h/d?sslmode=require' }).fallbackClientConfig, undefined);
    t.same(resolve({ connection_string: 'postgres://h/d?sslmode=no-verify' }).clientConfig.ssl, { rejectUnauthorized: false }, "node-postgres's no-verify means require");
    t.equal(resolve({ connection_string: 'postgres://h/d?schema=public&pool=5' }).clientConfig.database, 'd', 'unknown parameters are ignored');
    t.match(configErrorOf(() => resolve({ connection_string: 'postgres://h/d?sslmode=maybe' })), /^connection_string \(sslmode\) must be one of disable, allow, prefer/);
  });
  t.test('socket directories and IPv6 hosts', async (t) => {
    t.equal(resolve({ connection_string: 'postgresql://%2Fvar%2Frun%2Fpostgresql/d' }).clientConfig.host, '/var/run/postgresql');
    const ipv6 = resolve({ connection_string: 'postgres://u@[::1]:5433/d' });
    t.equal(ipv6.clientConfig.host, '::1');
    t.equal(ipv6.description, 'u@[::1]:5433/d');
  });
  t.test('malformed URLs are config errors that do not echo the URL', async (t) => {
    const cases: [string, RegExp][] = [
      ['not a url sekret-pw', /connection_string is not a valid URL/],
      ['mysql://u:sekret-pw@h/d', /must start with postgres:\/\//],
      ['postgres://u:sekret-pw@h:99999/d', /not a valid URL/],
      ['postgres://u:sekret-pw@h/d?port=0', /connection_string \(port\) must be a port number/],
      ['postgres://u:sekret-pw%zz@h/d', /connection_string \(password\) has a malformed percent-encoding/],
      ['postgres://u:sekret-pw@h1,h2/d', /several hosts/],
      ['postgres://u:sekret-pw@h/d?connect_timeout=soon', /connect_timeout\) must be a whole number/],
    ];
    for (const [url, pattern] of cases) {
      const message = configErrorOf(() => resolve({ connection_string: url }));
      t.match(message, pattern, url);
      t.notMatch(message, /sekret/, `no password in: ${message}`);
    }
    t.match(configErrorOf(() => resolve({}, { DATABASE_URL: 'http://h/d' })), /^DATABASE_URL must start/);
    t.match(configErrorOf(() => resolve({}, { PG_PORT: 'five' })), /^PG_PORT must be a port number/);
  });
});

t.test('ssl modes', async (t) => {
  const ssl = (config: TargetPostgresConfig) => {
    const { clientConfig, fallbackClientConfig } = resolve({ host: 'db.example.com', ...config });
    return { primary: clientConfig.ssl, fallback: fallbackClientConfig?.ssl };
  };
  t.same(ssl({ ssl_mode: 'disable' }), { primary: false, fallback: undefined });
  t.same(ssl({ ssl_mode: 'allow' }), { primary: false, fallback: { rejectUnauthorized: false } });
  t.same(ssl({ ssl_mode: 'prefer' }), { primary: { rejectUnauthorized: false }, fallback: false });
  t.same(ssl({ ssl_mode: 'require' }), { primary: { rejectUnauthorized: false }, fallback: undefined });
  t.same(ssl({ ssl_mode: 'verify-full' }), { primary: { rejectUnauthorized: true }, fallback: undefined });

  const verifyCa = ssl({ ssl_mode: 'verify-ca' }).primary;
  t.match(verifyCa, { rejectUnauthorized: true });
  const checkServerIdentity = typeof verifyCa === 'object' ? verifyCa.checkServerIdentity : undefined;
  t.type(checkServerIdentity, 'function', 'verify-ca replaces the host name check');
  t.equal(checkServerIdentity?.('elsewhere.example.com', {} as tls.PeerCertificate), undefined, '...by one that accepts any name');

  const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const requireWithCa = ssl({ ssl_mode: 'require', ssl_ca: ca }).primary;
  t.match(requireWithCa, { ca, rejectUnauthorized: true }, 'require with a CA checks the chain, as in libpq');
  t.type(typeof requireWithCa === 'object' ? requireWithCa.checkServerIdentity : undefined, 'function', '...but not the host name');
  t.same(ssl({ ssl_mode: 'verify-full', host: '/tmp' }), { primary: false, fallback: undefined }, 'no TLS on Unix sockets');
});

t.test('certificates and keys: inline PEM, files, missing files', async (t) => {
  const pem = (label: string) => `-----BEGIN ${label}-----\nMIIBsekretbody\n-----END ${label}-----\n`;
  const caFile = join(dir, 'root.crt');
  writeFileSync(caFile, pem('CERTIFICATE'));
  const keyFile = join(dir, 'client.key');
  writeFileSync(keyFile, pem('PRIVATE KEY'));
  const tlsOf = (config: TargetPostgresConfig, env: NodeJS.ProcessEnv = {}) => {
    const { ssl } = resolve({ host: 'h', ssl_mode: 'verify-full', ...config }, env).clientConfig;
    return typeof ssl === 'object' ? ssl : {};
  };

  t.equal(tlsOf({ ssl_ca: pem('CERTIFICATE') }).ca, pem('CERTIFICATE'), 'inline PEM is used as is');
  t.equal(tlsOf({ ssl_ca: caFile }).ca, readFileSync(caFile, 'utf8'), 'a path is read');
  t.match(tlsOf({ ssl_cert: pem('CERTIFICATE'), ssl_key: keyFile }), { cert: pem('CERTIFICATE'), key: pem('PRIVATE KEY') });
  t.match(tlsOf({}, { PGSSLROOTCERT: caFile, PGSSLCERT: caFile, PGSSLKEY: keyFile }), { ca: pem('CERTIFICATE'), key: pem('PRIVATE KEY') }, 'from the libpq variables');

  const missing = join(dir, 'nowhere', 'root.crt');
  const message = configErrorOf(() => tlsOf({ ssl_ca: missing }));
  t.match(message, `ssl_ca: cannot read the file ${missing} (ENOENT)`);
  t.match(configErrorOf(() => tlsOf({}, { PGSSLROOTCERT: missing })), /^PGSSLROOTCERT: cannot read/);
  t.match(configErrorOf(() => tlsOf({ ssl_cert: caFile, ssl_key: '/keys/client.key' })), 'ssl_key: cannot read the file /keys/client.key');

  const pastedKey = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC sekret key body';
  const keyMessage = configErrorOf(() => tlsOf({ ssl_cert: caFile, ssl_key: pastedKey }));
  t.match(keyMessage, /^ssl_key: cannot read the file \(ENOENT\)/);
  t.notMatch(keyMessage, /sekret/, 'a key that is not a path is never printed');

  t.match(configErrorOf(() => tlsOf({ ssl_cert: caFile })), /^ssl_cert is set but no client key is/);
  t.match(configErrorOf(() => tlsOf({ ssl_key: keyFile })), /^ssl_key is set but no client certificate is/);
  t.equal(resolve({ host: 'h', ssl_mode: 'disable', ssl_ca: missing }).clientConfig.ssl, false, 'no TLS, nothing read');
});

t.test('the password appears in no description and no error', async (t) => {
  const password = 'sekret-pw';
  const configs: TargetPostgresConfig[] = [
    { password },
    { connection_string: `postgres://u:${password}@h:1/d` },
    { connection_string: `postgres://u:${encodeURIComponent('p@ss sekret')}@h/d` },
  ];
  for (const config of configs) t.notMatch(resolve(config).description, /sekret/);
  t.notMatch(resolve({}, { PGPASSWORD: password, DATABASE_URL: `postgres://u:${password}@h/d` }).description, /sekret/);

  t.test('nor in connection errors', async (t) => {
    const port = await closedPort();
    const connection = resolve({ host: '127.0.0.1', port, user: 'u', password: 'sekret-pw', database: 'd', ssl_mode: 'disable' });
    const error = await connectClient(connection).then(() => undefined, (e: unknown) => e);
    t.type(error, RetriableError, 'a refused connection may succeed later');
    t.match((error as Error).message, `cannot connect to u@127.0.0.1:${port}/d: `);
    t.notMatch((error as Error).message, /sekret/);
  });
});

t.test('schema routing', async (t) => {
  const none = undefined;
  t.same(targetSchemaFor('accounts', {}, none), { schema: 'public', table: 'accounts' });
  t.same(targetSchemaFor('accounts', { default_target_schema: 'raw' }, none), { schema: 'raw', table: 'accounts' });
  t.same(targetSchemaFor('accounts', { default_target_schema: '' }, none), { schema: 'public', table: 'accounts' });
  t.same(targetSchemaFor('accounts', {}, 'tap-salesforce'), { schema: 'salesforce', table: 'accounts' });
  t.same(targetSchemaFor('accounts', { default_target_schema: 'raw' }, 'tap-salesforce'), { schema: 'raw', table: 'accounts' }, 'the config beats the tap name');

  t.test('schema-table stream names', async (t) => {
    t.same(targetSchemaFor('sales-Orders', { default_target_schema: 'raw' }, none), { schema: 'sales', table: 'Orders' }, 'raw case, the loader decides');
    t.same(targetSchemaFor('crm-sales-orders', {}, none), { schema: 'sales', table: 'orders' }, 'database-schema-table');
    t.same(targetSchemaFor('a-b-c-d', {}, none), { schema: 'public', table: 'a-b-c-d' });
    t.same(targetSchemaFor('-orders', {}, none), { schema: 'public', table: '-orders' });
    t.same(targetSchemaFor('sales-orders', { schema_mapping: { sales: 'replica_sales' } }, none), { schema: 'replica_sales', table: 'orders' }, 'mapped');
  });
  t.test('schema_mapping: longest matching prefix, either form', async (t) => {
    const schema_mapping = { hubspot: 'crm', hubspot_deal: { target_schema: 'deals' }, '': 'everything_else' };
    t.same(targetSchemaFor('hubspot_contacts', { schema_mapping }, none), { schema: 'crm', table: 'hubspot_contacts' });
    t.same(targetSchemaFor('hubspot_deals', { schema_mapping }, none), { schema: 'deals', table: 'hubspot_deals' });
    t.same(targetSchemaFor('stripe_charges', { schema_mapping, default_target_schema: 'raw' }, none), { schema: 'everything_else', table: 'stripe_charges' }, 'an empty key matches every stream');
    t.same(targetSchemaFor('stripe_charges', { schema_mapping: { hubspot: 'crm' }, default_target_schema: 'raw' }, none), { schema: 'raw', table: 'stripe_charges' });
  });
  t.test('the tap name from the environment', async (t) => {
    t.equal(tapNameFromEnv({ SINGER_TAP_NAME: 'tap-stripe', MELTANO_EXTRACTOR_NAMESPACE: 'tap_hubspot' }), 'tap-stripe');
    t.equal(tapNameFromEnv({ MELTANO_EXTRACTOR_NAMESPACE: 'tap_hubspot' }), 'tap_hubspot');
    t.equal(tapNameFromEnv({ SINGER_TAP_NAME: '' }), undefined);
    t.equal(schemaFromTapName('tap-salesforce'), 'salesforce');
    t.equal(schemaFromTapName('tap_hubspot'), 'hubspot');
    t.equal(schemaFromTapName('tap-Google-Ads--prod'), 'google_ads_prod');
    t.equal(schemaFromTapName('stripe'), 'stripe');
    t.equal(schemaFromTapName('tap-'), undefined);
    t.same(targetSchemaFor('x', {}, 'tap-'), { schema: 'public', table: 'x' });
  });
});

// ---------------------------------------------------------------------------
// TLS and the prefer/allow fallbacks, against a server that speaks just enough of the protocol:
// it answers the SSLRequest, and answers the startup message with an error that says how the
// client got there ("tls ok" or "plaintext ok").

t.test('TLS handshakes and fallbacks', async (t) => {
  const certs = makeCertificates();
  if (typeof certs === 'string') {
    t.comment(`skipped: openssl cannot make test certificates: ${certs}`);
    return;
  }
  const server = await fakePostgres(t, { key: certs.serverKey, cert: certs.serverCert });
  const noTls = await fakePostgres(t, {});
  const tlsOnly = await fakePostgres(t, { key: certs.serverKey, cert: certs.serverCert, refusePlaintext: true });
  const outcome = async (port: number, config: TargetPostgresConfig): Promise<string> => {
    const connection = resolve({ host: '127.0.0.1', port, user: 'u', database: 'd', ...config });
    return connectClient(connection).then(
      () => 'connected',
      (error: unknown) => (error as Error).message.replace(/^cannot connect to \S+: /, ''),
    );
  };

  t.equal(await outcome(server, { ssl_mode: 'require' }), 'tls ok', 'require: any certificate');
  t.equal(await outcome(server, { ssl_mode: 'verify-ca', ssl_ca: certs.ca }), 'tls ok', 'verify-ca: the chain, not the name');
  t.match(await outcome(server, { ssl_mode: 'verify-ca', ssl_ca: certs.otherCa }), /certificate/i, 'verify-ca: another CA fails');
  t.match(await outcome(server, { ssl_mode: 'verify-ca' }), /certificate/i, 'verify-ca: no CA, no trust in a private one');
  t.match(await outcome(server, { ssl_mode: 'verify-full', ssl_ca: certs.ca }), /altnames|does not match/i, 'verify-full: the name must match');
  t.match(await outcome(server, { ssl_mode: 'require', ssl_ca: certs.otherCa }), /certificate/i, 'require with a CA checks the chain');
  t.equal(await outcome(server, { ssl_mode: 'prefer' }), 'tls ok', 'prefer: TLS when offered');
  t.equal(await outcome(noTls, { ssl_mode: 'prefer' }), 'plaintext ok', 'prefer: plaintext when not');
  t.match(await outcome(noTls, { ssl_mode: 'require' }), /does not support SSL/, 'require: no fallback');
  t.equal(await outcome(server, { ssl_mode: 'allow' }), 'plaintext ok', 'allow: plaintext first');
  t.equal(await outcome(tlsOnly, { ssl_mode: 'allow' }), 'tls ok', 'allow: TLS when plaintext is refused');
  t.match(await outcome(tlsOnly, { ssl_mode: 'disable' }), /no encryption/, 'disable: no fallback');
});

interface Certificates {
  ca: string;
  otherCa: string;
  serverKey: string;
  serverCert: string;
}

/** A CA, a server certificate it signs for db.example.test only, and an unrelated CA. */
function makeCertificates(): Certificates | string {
  const certDir = mkdtempSync(join(dir, 'tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certDir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test-ca', '-days', '2');
    openssl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.crt', '-subj', '/CN=other-ca', '-days', '2');
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=db.example.test');
    writeFileSync(join(certDir, 'ext.cnf'), 'subjectAltName=DNS:db.example.test\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  } catch (error) {
    return (error as Error).message;
  }
  const read = (name: string) => readFileSync(join(certDir, name), 'utf8');
  return { ca: read('ca.crt'), otherCa: read('other.crt'), serverKey: read('server.key'), serverCert: read('server.crt') };
}

const SSL_REQUEST_CODE = 80877103;

async function fakePostgres(t: TestContext, options: { key?: string; cert?: string; refusePlaintext?: boolean }): Promise<number> {
  const context = options.key && options.cert ? tls.createSecureContext({ key: options.key, cert: options.cert }) : undefined;
  const answerStartup = (socket: net.Socket, how: 'tls' | 'plaintext') => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (how === 'plaintext' && options.refusePlaintext) socket.end(errorResponse('28000', 'no pg_hba.conf entry for host, no encryption'));
      else socket.end(errorResponse('XX000', `${how} ok`));
    });
  };
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk: Buffer) => {
      if (chunk.length !== 8 || chunk.readInt32BE(4) !== SSL_REQUEST_CODE) {
        socket.unshift(chunk);
        return answerStartup(socket, 'plaintext');
      }
      if (!context) {
        socket.write('N');
        return answerStartup(socket, 'plaintext');
      }
      socket.write('S');
      answerStartup(new tls.TLSSocket(socket, { isServer: true, secureContext: context }), 'tls');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise<void>((done) => server.close(() => done())));
  return (server.address() as net.AddressInfo).port;
}

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const header = Buffer.alloc(5);
  header.write('E');
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
