/**
 * Bad input through the real CLI. Each run first feeds good records and a STATE, waits until
 * that STATE is printed (so those records are committed), then feeds the bad line followed by
 * more records and another STATE. The target must stop with exactly one ERROR line naming the
 * input line (and the stream when the line names one), print no STATE after the failure, and
 * leave in Postgres exactly the rows committed before: no more, no less, nothing injected.
 */
import t from 'tap';
import { connect, freshSchema, getTestPostgres, type TestContext } from '../../../test/helpers/postgres.js';
import { listTables, readTable, runTarget, tableColumns } from './helpers/run-target.js';

const ITEMS_SCHEMA = {
  type: 'SCHEMA',
  stream: 'items',
  key_properties: ['id'],
  schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] } }, required: ['id'] },
};
const line = (message: unknown) => `${typeof message === 'string' ? message : JSON.stringify(message)}\n`;
const record = (id: number, name = `item ${id}`) => ({ type: 'RECORD', stream: 'items', record: { id, name } });

/** Lines 1-4: SCHEMA, two records, STATE {"committed":1}; then line 5 is `bad`; then one more record and a STATE. */
function stagedInput(bad: string): string[] {
  return [
    line(ITEMS_SCHEMA) + line(record(1)) + line(record(2)) + line({ type: 'STATE', value: { committed: 1 } }),
    line(bad) + line(record(3)) + line({ type: 'STATE', value: { committed: 2 } }),
  ];
}

async function setup(t: TestContext) {
  const db = await getTestPostgres();
  const schema = await freshSchema(t);
  const client = await connect(t);
  // batch_size_rows 1: every record commits on its own, so the first STATE is printed before line 5 is sent.
  const config = { connection_string: db.connectionString, default_target_schema: schema, ssl_mode: 'disable', add_metadata_columns: false, batch_size_rows: 1 };
  return { db, schema, client, config };
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('ERROR'));

interface BadCase {
  name: string;
  bad: string;
  config?: Record<string, unknown>;
  /** Regexes the ERROR line must match (besides `line 5`). */
  mentions: RegExp[];
}

const cases: BadCase[] = [
  { name: 'malformed JSON', bad: '{"type":"RECORD","stream":"items","record":{"id":3,', mentions: [/malformed JSON/i] },
  { name: 'not a JSON object', bad: '[1, 2, 3]', mentions: [/object/i] },
  { name: 'RECORD before SCHEMA', bad: JSON.stringify({ type: 'RECORD', stream: 'no_schema_yet', record: { id: 1 } }), mentions: [/"no_schema_yet"/, /SCHEMA/] },
  { name: 'record missing a key property', bad: JSON.stringify({ type: 'RECORD', stream: 'items', record: { name: 'no id' } }), mentions: [/"items"/, /"id"/] },
  { name: 'record with a null key property', bad: JSON.stringify({ type: 'RECORD', stream: 'items', record: { id: null, name: 'null id' } }), mentions: [/"items"/, /"id"/] },
  {
    name: 'record violating its schema with validate_records',
    bad: JSON.stringify({ type: 'RECORD', stream: 'items', record: { id: 'not an integer', name: 'x' } }),
    config: { validate_records: true },
    mentions: [/"items"/, /schema/i],
  },
  {
    name: 'record Postgres rejects without validate_records',
    bad: JSON.stringify({ type: 'RECORD', stream: 'items', record: { id: 'not an integer', name: 'x' } }),
    mentions: [/"items"/],
  },
  { name: 'unknown message type', bad: JSON.stringify({ type: 'DELETE', stream: 'items', record: { id: 1 } }), mentions: [/DELETE/, /"items"/] },
  { name: 'message without a type', bad: JSON.stringify({ stream: 'items', record: { id: 1 } }), mentions: [/type/] },
  { name: 'RECORD without a record', bad: JSON.stringify({ type: 'RECORD', stream: 'items' }), mentions: [/"items"/, /record/] },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { schema, client, config } = await setup(t);
    const result = await runTarget({ config: { ...config, ...c.config }, input: stagedInput(c.bad) });
    t.not(result.code, 0, 'exits non-zero');
    const errors = errorLines(result.stderr);
    t.equal(errors.length, 1, 'exactly one ERROR line', { stderr: result.stderr });
    const error = errors[0] ?? '';
    t.match(error, /\bline 5\b/, 'the ERROR line names the input line');
    for (const mention of c.mentions) t.match(error, mention, `the ERROR line mentions ${mention}`);
    t.strictSame(result.states, [{ committed: 1 }], 'only the state printed before the failure');
    t.strictSame(await listTables(client, schema), ['_sdc_identifiers', 'items'], 'no other table');
    t.strictSame(
      await readTable(client, schema, 'items'),
      [
        { id: '1', name: 'item 1' },
        { id: '2', name: 'item 2' },
      ],
      'exactly the rows committed before the failure',
    );
  });
}

t.test('failure in the first input chunk: nothing printed, no rows', async (t) => {
  const { schema, client, config } = await setup(t);
  const input = line(ITEMS_SCHEMA) + line(record(1)) + line({ type: 'STATE', value: { s: 1 } }) + '{"type":"RECORD",\n' + line(record(2));
  const result = await runTarget({ config: { ...config, batch_size_rows: 100 }, input });
  t.not(result.code, 0);
  t.equal(errorLines(result.stderr).length, 1, 'exactly one ERROR line', { stderr: result.stderr });
  t.match(errorLines(result.stderr)[0] ?? '', /\bline 4\b/);
  // The state may or may not have been printed; if it was, its record must be in the table.
  const rows = await readTable(client, schema, 'items').catch(() => []);
  if (result.states.length > 0) t.strictSame(rows, [{ id: '1', name: 'item 1' }], 'state printed → its record is committed');
  else t.ok(rows.length <= 1, 'no state printed → at most the first record');
  t.ok(!rows.some((r) => r.id === '2'), 'nothing after the bad line');
});

t.test('stream and property names crafted as SQL are handled safely', async (t) => {
  const { schema, client, config } = await setup(t);
  // Under 63 bytes, so that the table is named exactly this (lowercased); the target's
  // sessions search public, so an injected statement would fail loudly or hit public.items.
  const evilStream = 'items"; DROP TABLE items; --';
  const evilProperty = 'x" text); DROP TABLE items; --';
  const evilSchema = {
    type: 'SCHEMA',
    stream: evilStream,
    key_properties: ["id'; DELETE FROM items; --"],
    schema: { type: 'object', properties: { "id'; DELETE FROM items; --": { type: 'string' }, [evilProperty]: { type: ['string', 'null'] } } },
  };
  const input = [
    line(ITEMS_SCHEMA) + line(record(1)) + line({ type: 'STATE', value: { committed: 1 } }),
    line(evilSchema) +
      line({ type: 'RECORD', stream: evilStream, record: { "id'; DELETE FROM items; --": "'); TRUNCATE items; --", [evilProperty]: '$$; DROP SCHEMA x CASCADE; $$' } }) +
      line({ type: 'STATE', value: { committed: 2 } }),
  ];
  const result = await runTarget({ config, input });
  t.equal(result.code, 0, 'loads', { stderr: result.stderr });
  t.strictSame(result.states, [{ committed: 1 }, { committed: 2 }]);
  t.strictSame(await readTable(client, schema, 'items'), [{ id: '1', name: 'item 1' }], 'items untouched');
  const evilTable = evilStream.toLowerCase();
  t.strictSame(await listTables(client, schema), ['_sdc_identifiers', 'items', evilTable].sort(), 'the crafted name is one table');
  t.strictSame(
    (await tableColumns(client, schema, evilTable)).map((c) => c.name),
    ["id'; delete from items; --", evilProperty.toLowerCase()],
  );
  t.strictSame(await readTable(client, schema, evilTable), [{ "id'; delete from items; --": "'); TRUNCATE items; --", [evilProperty.toLowerCase()]: '$$; DROP SCHEMA x CASCADE; $$' }]);
});

t.test('the password in connection_string never reaches stderr', async (t) => {
  const db = await getTestPostgres();
  const password = 'S3cr3t-Pa55word_do-not-log';
  const encoded = 'p%40ss%3Aw0rd%2Fsecret_XYZ'; // p@ss:w0rd/secret_XYZ
  const decoded = decodeURIComponent(encoded);
  const url = new URL(db.connectionString);
  const input = line(ITEMS_SCHEMA) + line(record(1)) + line({ type: 'STATE', value: { s: 1 } });
  const targets = [
    ['closed port', `postgresql://someone:${password}@127.0.0.1:1/nowhere`, password],
    ['unresolvable host', `postgresql://someone:${password}@no-such-host.invalid:5432/nowhere`, password],
    ['wrong database on the real server', `postgresql://${url.username || 'postgres'}:${password}@${url.host}/no_such_database_${Date.now()}`, password],
    ['percent-encoded password', `postgresql://someone:${encoded}@127.0.0.1:1/nowhere`, decoded],
  ] as const;
  for (const [name, connectionString, secret] of targets) {
    const result = await runTarget({ config: { connection_string: connectionString, ssl_mode: 'disable', default_target_schema: 'never_created' }, input, timeoutMs: 30_000 });
    t.not(result.code, 0, `${name}: exits non-zero`);
    t.equal(errorLines(result.stderr).length, 1, `${name}: one ERROR line`, { stderr: result.stderr });
    t.notOk(result.stderr.includes(secret), `${name}: the password is not on stderr`, { stderr: result.stderr });
    if (secret !== password) t.notOk(result.stderr.includes(encoded), `${name}: nor its encoded form`);
    t.notOk(result.stdout.includes(secret), `${name}: nor on stdout`);
    t.strictSame(result.states, [], `${name}: no state`);
  }
});
