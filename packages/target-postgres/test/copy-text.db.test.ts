import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import t from 'tap';
import { createRowEncoder, type CopyColumn } from '../src/copy-text.js';
import { parseJsonLine } from '@singer-io-ts/sdk';
import { connect, freshSchema, type TestContext } from '../../../test/helpers/postgres.js';

const columns: CopyColumn[] = [
  { name: 'id', type: 'bigint' },
  { name: 'flag', type: 'boolean' },
  { name: 'big', type: 'bigint' },
  { name: 'amount', type: 'numeric' },
  { name: 'label', type: 'text' },
  { name: 'day', type: 'date' },
  { name: 'at_time', type: 'time' },
  { name: 'at', type: 'timestamptz' },
  { name: 'doc', type: 'jsonb' },
];

interface Row {
  id: string;
  flag: string | null;
  big: string | null;
  amount: string | null;
  label: string | null;
  day: string | null;
  at_time: string | null;
  at: string | null;
  doc: string | null;
}

/** Input lines as a tap sends them, through the same parser and encoder as the target. */
async function load(t: TestContext, lines: string[]): Promise<{ client: pg.Client; rows: Map<string, Row>; stats: { nulBytesRemoved: number; surrogatesReplaced: number } }> {
  const schema = await freshSchema(t);
  const client = await connect(t, { schema });
  await client.query(`SET TimeZone = 'UTC'`);
  await client.query(
    'CREATE TABLE copied (id bigint PRIMARY KEY, flag boolean, big bigint, amount numeric, label text, day date, at_time time, at timestamptz, doc jsonb)',
  );
  const { encode, stats } = createRowEncoder(columns);
  const copy = client.query(copyFrom(`COPY copied (${columns.map((c) => c.name).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(lines.map((line) => encode(parseJsonLine(line) as Record<string, unknown>))), copy);
  if (copy.rowCount !== lines.length) throw new Error(`COPY loaded ${copy.rowCount} rows of ${lines.length}`);
  const result = await client.query<Row>(
    'SELECT id::text, flag::text, big::text, amount::text, label, day::text, at_time::text, at::text, doc::text FROM copied',
  );
  return { client, rows: new Map(result.rows.map((row) => [row.id, row])), stats };
}

const row = (rows: Map<string, Row>, id: number): Row => {
  const found = rows.get(String(id));
  if (!found) throw new Error(`row ${id} missing`);
  return found;
};

t.test('text round-trips exactly through COPY', async (t) => {
  const texts: Array<[number, string]> = [
    [1, 'tab\there'],
    [2, 'line\nbreak and\r\nCRLF and lone\rCR'],
    [3, 'back\\slash \\\\ double \\t not a tab \\n not a newline'],
    [4, '\\N'],
    [5, 'text \\N inside'],
    [6, '\\.'],
    [7, `"double" 'single' \`back\` ,;|`],
    [8, 'Zoë São Paulo 東京 😀 👩‍👩‍👧 \u2028\u2029 \uFEFF'],
    [9, ''],
    [10, '\b\f\v\u0001\u001f\u007f'],
    [11, '\t\n\r\\'],
  ];
  const lines = texts.map(([id, label]) => JSON.stringify({ id, label }));
  lines.push('{"id":12,"label":null}', '{"id":13}');
  const { rows, stats } = await load(t, lines);
  for (const [id, label] of texts) t.equal(row(rows, id).label, label, `row ${id}`);
  t.equal(row(rows, 12).label, null, 'null is NULL');
  t.equal(row(rows, 13).label, null, 'missing is NULL');
  t.equal(row(rows, 4).label, '\\N', 'the string \\N is not NULL');
  t.same(stats, { nulBytesRemoved: 0, surrogatesReplaced: 0 });
});

t.test('what Postgres cannot hold: NUL removed, lone surrogates replaced, both counted', async (t) => {
  const { rows, stats } = await load(t, [
    '{"id":1,"label":"a\\u0000b\\u0000","doc":{"k\\u0000":"v\\u0000w","literal":"\\\\u0000"}}',
    '{"id":2,"label":"x\\ud800y\\udc00z \\ud83d\\ude00","doc":["\\udfff","\\ud83d\\ude00"]}',
  ]);
  t.equal(row(rows, 1).label, 'ab');
  t.equal(row(rows, 1).doc, '{"k": "vw", "literal": "\\\\u0000"}');
  t.equal(row(rows, 2).label, 'x\uFFFDy\uFFFDz 😀');
  t.equal(row(rows, 2).doc, '["\uFFFD", "😀"]');
  t.same(stats, { nulBytesRemoved: 4, surrogatesReplaced: 3 });
});

t.test('numbers arrive exactly as written', async (t) => {
  const { client, rows } = await load(t, [
    '{"id":1,"amount":12345678901234567890.123456789012345678,"big":9223372036854775807}',
    '{"id":2,"amount":0.30000000000000004,"big":-9223372036854775808}',
    '{"id":3,"amount":1e-7,"big":9007199254740993}',
    '{"id":4,"amount":-0,"big":-0}',
    '{"id":5,"amount":1e400,"big":9.223372036854775807e18}',
    '{"id":6,"amount":0.1000000000000000055511,"big":12345678901234567890e-1}',
    '{"id":7,"amount":1E+21,"big":0}',
    '{"id":8,"amount":123.4500000000000000001}',
    '{"id":9,"amount":-1.5e-300}',
  ]);
  const expected: Array<[number, string | null, string | null]> = [
    [1, '12345678901234567890.123456789012345678', '9223372036854775807'],
    [2, '0.30000000000000004', '-9223372036854775808'],
    [3, '0.0000001', '9007199254740993'],
    [4, '0', '0'],
    [5, `1${'0'.repeat(400)}`, '9223372036854775807'],
    [6, '0.1000000000000000055511', '1234567890123456789'],
    [7, '1000000000000000000000', '0'],
    [8, '123.4500000000000000001', null],
    [9, `-0.${'0'.repeat(299)}15`, null],
  ];
  for (const [id, amount, big] of expected) {
    t.equal(row(rows, id).amount, amount, `numeric, row ${id}`);
    t.equal(row(rows, id).big, big, `bigint, row ${id}`);
  }
  const check = await client.query<{ equal: boolean }>(`SELECT amount = 12345678901234567890.123456789012345678 AS equal FROM copied WHERE id = 1`);
  t.equal(check.rows[0]?.equal, true);
});

t.test('jsonb keeps big numbers and escapes exact', async (t) => {
  const { client, rows } = await load(t, [
    '{"id":1,"doc":{"n":1234567890123456789012345,"d":0.1000000000000000055511,"s":"t\\tn\\nq\\"b\\\\ \\\\N 😀","a":[1,{"deep":-1e400}]}}',
    '{"id":2,"doc":"just a string with \\\\ and \\n"}',
    '{"id":3,"doc":[true,false,null,12.5,"x"]}',
    '{"id":4,"doc":null}',
  ]);
  const n = await client.query<{ n: string; d: string; s: string; deep: string }>(
    `SELECT doc->>'n' AS n, doc->>'d' AS d, doc->>'s' AS s, (doc #>> '{a,1,deep}') AS deep FROM copied WHERE id = 1`,
  );
  t.same(n.rows[0], { n: '1234567890123456789012345', d: '0.1000000000000000055511', s: 't\tn\nq"b\\ \\N 😀', deep: `-1${'0'.repeat(400)}` });
  const text = await client.query<{ s: string }>(`SELECT doc #>> '{}' AS s FROM copied WHERE id = 2`);
  t.equal(text.rows[0]?.s, 'just a string with \\ and \n', 'a string value is a JSON string in jsonb');
  t.equal(row(rows, 3).doc, '[true, false, null, 12.5, "x"]');
  t.equal(row(rows, 4).doc, null);
});

t.test('booleans, dates, times and timestamps', async (t) => {
  const { rows } = await load(t, [
    '{"id":1,"flag":true,"day":"2024-02-29","at_time":"23:59:59.999999","at":"2024-02-29T12:34:56.123456+05:30"}',
    '{"id":2,"flag":false,"day":"1999-12-31","at_time":"00:00:00","at":"2024-01-01T00:00:00Z"}',
    '{"id":3,"flag":"yes","at":"2024-06-01 08:00:00-07:00"}',
  ]);
  t.same(
    [1, 2, 3].map((id) => {
      const { flag, day, at_time, at } = row(rows, id);
      return { flag, day, at_time, at };
    }),
    [
      { flag: 'true', day: '2024-02-29', at_time: '23:59:59.999999', at: '2024-02-29 07:04:56.123456+00' },
      { flag: 'false', day: '1999-12-31', at_time: '00:00:00', at: '2024-01-01 00:00:00+00' },
      { flag: 'true', day: null, at_time: null, at: '2024-06-01 15:00:00+00' },
    ],
  );
});

t.test('Date objects land in UTC', async (t) => {
  const schema = await freshSchema(t);
  const client = await connect(t, { schema });
  await client.query(`SET TimeZone = 'America/New_York'`);
  await client.query('CREATE TABLE dated (day date, at_time time, at timestamptz, label text)');
  const { encode } = createRowEncoder([
    { name: 'v', type: 'date' },
    { name: 'v', type: 'time' },
    { name: 'v', type: 'timestamptz' },
    { name: 'v', type: 'text' },
  ]);
  const v = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
  await pipeline(Readable.from([encode({ v })]), client.query(copyFrom('COPY dated FROM STDIN')));
  const { rows } = await client.query(`SELECT day::text, at_time::text, (at AT TIME ZONE 'UTC')::text AS at, label FROM dated`);
  t.same(rows, [{ day: '2024-01-02', at_time: '03:04:05.006', at: '2024-01-02 03:04:05.006', label: '2024-01-02T03:04:05.006Z' }]);
});

t.test('with NUL removal off, Postgres refuses the row and names the COPY line', async (t) => {
  const schema = await freshSchema(t);
  const client = await connect(t, { schema });
  await client.query('CREATE TABLE strict_text (label text)');
  const { encode } = createRowEncoder([{ name: 'label', type: 'text' }], { removeNulBytes: false });
  const lines = [encode({ label: 'fine' }), encode({ label: 'a\u0000b' })];
  await t.rejects(pipeline(Readable.from(lines), client.query(copyFrom('COPY strict_text FROM STDIN'))), {
    message: /invalid byte sequence for encoding "UTF8": 0x00/,
    where: /line 2/,
  });
});
