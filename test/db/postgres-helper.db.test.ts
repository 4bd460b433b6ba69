import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import t from 'tap';
import { connect, embeddedDir, freshSchema, getTestPostgres, libpqServerConfigured } from '../helpers/postgres.js';

t.test('the server answers', async (t) => {
  const db = await getTestPostgres();
  const client = await connect(t);
  const { rows } = await client.query<{ version: string }>('select version()');
  t.match(rows[0]?.version, /^PostgreSQL \d+/);
  t.match(db.serverVersion, /^\d+\.\d+/);
  t.ok(rows[0]?.version.startsWith(`PostgreSQL ${db.serverVersion}`), 'serverVersion is the one the server reports');
});

t.test('kind matches the environment', async (t) => {
  const db = await getTestPostgres();
  const client = await connect(t);
  if (libpqServerConfigured()) {
    t.equal(db.kind, 'server');
    if (process.env.PGPORT) {
      const { rows } = await client.query<{ port: string }>('show port');
      t.equal(rows[0]?.port, process.env.PGPORT, 'connected to the port the environment names');
    }
    return;
  }
  t.equal(db.kind, 'embedded');
  t.match(db.connectionString, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  // Superuser-only setting: also proves we are the embedded superuser.
  const { rows } = await client.query<{ dir: string }>(`select current_setting('data_directory') as dir`);
  t.equal(path.dirname(rows[0]!.dir), embeddedDir);
});

t.test('the connection string reaches the same server', async (t) => {
  const db = await getTestPostgres();
  // The postmaster's start time tells one server from another.
  const sql = 'select pg_postmaster_start_time()::text as started, current_database() as db, current_user as user';
  const viaConfig = await (await connect(t)).query(sql);
  const other = new pg.Client({ connectionString: db.connectionString });
  await other.connect();
  t.teardown(() => other.end());
  const viaString = await other.query(sql);
  t.same(viaString.rows, viaConfig.rows);
});

// COPY's text format: backslash, tab, newline and carriage return are escaped;
// \N is NULL.
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}

t.test('COPY FROM STDIN round-trips awkward text', async (t) => {
  const schema = await freshSchema(t);
  const client = await connect(t, { schema });
  await client.query('create table notes (id int primary key, body text)');

  const bodies: (string | null)[] = [
    'plain',
    'tab\tin the middle',
    'line one\nline two\r\nline three',
    'back\\slash and \\N and \\t literally',
    '\\N',
    'ünïcødé — 日本語 — 🎉👩‍👩‍👧',
    '',
    null,
    ' leading and trailing spaces ',
  ];
  const text = bodies.map((body, id) => `${id}\t${copyField(body)}\n`).join('');
  // Small chunks split multi-byte characters and escapes across writes.
  const bytes = Buffer.from(text, 'utf8');
  const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));

  const copy = client.query(copyFrom('copy notes (id, body) from stdin'));
  await pipeline(Readable.from(chunks), copy);
  t.equal(copy.rowCount, bodies.length);

  const { rows } = await client.query<{ body: string | null }>('select body from notes order by id');
  t.same(
    rows.map((row) => row.body),
    bodies,
  );
});

t.test('freshSchema isolates tests', async (t) => {
  const schemas: string[] = [];
  for (const value of ['one', 'two']) {
    await t.test(`test ${value}`, async (t) => {
      const schema = await freshSchema(t);
      schemas.push(schema);
      const client = await connect(t, { schema });
      // Fails if another test's table were visible here.
      await client.query('create table items (value text)');
      await client.query('insert into items values ($1)', [value]);
      const { rows } = await client.query('select value from items');
      t.same(rows, [{ value }]);
    });
  }
  t.equal(new Set(schemas).size, 2, 'each test gets its own schema');

  const client = await connect(t);
  const { rows } = await client.query('select nspname from pg_namespace where nspname = any($1)', [schemas]);
  t.same(rows, [], 'a schema is dropped when its test ends');

  // Two at once in one test, with the same table name.
  const [a, b] = await Promise.all([freshSchema(t), freshSchema(t)]);
  for (const schema of [a, b]) {
    await client.query(`create table ${schema}.items as select $1::text as value`, [schema]);
  }
  const both = await client.query(`select (select value from ${a}.items) as a, (select value from ${b}.items) as b`);
  t.same(both.rows, [{ a, b }]);
});
