import { Readable } from 'node:stream';
import t from 'tap';
import type { RecordMessage } from '../../src/protocol/messages.js';
import { readMessages, type ReadMessage } from '../../src/protocol/reader.js';

const collect = async (lines: string | string[], chunkSize?: number): Promise<ReadMessage[]> => {
  const text = Array.isArray(lines) ? lines.join('\n') + '\n' : lines;
  const buffer = Buffer.from(text);
  const chunks: Buffer[] = [];
  const size = chunkSize ?? buffer.length;
  for (let i = 0; i < buffer.length; i += size) chunks.push(buffer.subarray(i, i + size));
  const out: ReadMessage[] = [];
  for await (const m of readMessages(Readable.from(chunks), { sourceName: 'input.singer' })) out.push(m);
  return out;
};

const schema = '{"type":"SCHEMA","stream":"users","schema":{"type":"object"},"key_properties":["id"]}';

t.test('reads every message type, type case-insensitive, with line numbers', async (t) => {
  const messages = await collect([
    schema,
    '',
    '{"type":"record","stream":"users","record":{"id":1},"time_extracted":"2024-01-01T00:00:00Z","version":3}',
    '{"type":"State","value":{"bookmarks":{}}}',
    '{"type":"ACTIVATE_VERSION","stream":"users","version":3}',
    '{"type":"BATCH","stream":"users","encoding":{"format":"jsonl","compression":"gzip"},"manifest":["file:///tmp/a.jsonl.gz"]}',
  ]);
  t.same(messages.map((m) => [m.message.type, m.line]), [['SCHEMA', 1], ['RECORD', 3], ['STATE', 4], ['ACTIVATE_VERSION', 5], ['BATCH', 6]]);
});

t.test('lines split across chunks, multi-byte characters split across chunks, CRLF, no final newline', async (t) => {
  const record = '{"type":"RECORD","stream":"users","record":{"name":"Zoë 😀 \\t tab"}}';
  const messages = await collect(`${schema}\r\n${record}\r\n${record}`, 7);
  t.equal(messages.length, 3);
  t.equal((messages[2]!.message as RecordMessage).record.name as string, 'Zoë 😀 \t tab');
  t.equal(messages[2]!.line, 3);
});

t.test('a line of many megabytes', async (t) => {
  const big = 'x'.repeat(24 * 1024 * 1024);
  const messages = await collect([schema, `{"type":"RECORD","stream":"users","record":{"blob":"${big}"}}`], 64 * 1024);
  t.equal(((messages[1]!.message as RecordMessage).record.blob as string).length, big.length);
});

const failures: Array<[string, string[], RegExp]> = [
  ['malformed JSON', [schema, '{"type":"RECORD",'], /^input\.singer line 2: malformed JSON/],
  ['unknown type', [schema, '{"type":"HELLO","stream":"users"}'], /^input\.singer line 2: unknown message type "HELLO"/],
  ['no type', ['{"stream":"users"}'], /line 1: no "type" field/],
  ['not an object', ['[1,2]'], /line 1: expected a JSON object, got an array/],
  ['RECORD before SCHEMA', ['{"type":"RECORD","stream":"users","record":{}}'], /line 1: RECORD for stream "users" before its SCHEMA message/],
  ['missing record', [schema, '{"type":"RECORD","stream":"users"}'], /line 2: RECORD message for stream "users": missing required field "record"/],
  ['missing stream', ['{"type":"SCHEMA","schema":{},"key_properties":[]}'], /line 1: SCHEMA message: missing required field "stream"/],
  ['missing key_properties', ['{"type":"SCHEMA","stream":"s","schema":{}}'], /missing required field "key_properties"/],
  ['bad version type', [schema, '{"type":"ACTIVATE_VERSION","stream":"users","version":"x"}'], /line 2: ACTIVATE_VERSION message for stream "users": version must be integer/],
  ['STATE without value', ['{"type":"STATE"}'], /line 1: STATE message: missing required field "value"/],
];

for (const [name, lines, pattern] of failures) {
  t.test(`error: ${name}`, async (t) => {
    await t.rejects(collect(lines), { name: 'ProtocolError', message: pattern });
  });
}

t.test('RECORD checks: the fast path accepts and rejects exactly what the schema does', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['"time_extracted":"2024-01-01T00:00:00Z"', true],
    ['"time_extracted":"2024-01-01T00:00:00.123456+02:00"', true],
    ['"time_extracted":"yesterday"', false],
    ['"time_extracted":"2024-13-45T00:00:00Z"', false],
    ['"time_extracted":5', false],
    ['"version":3', true],
    ['"version":3.5', false],
    ['"version":"3"', false],
  ];
  for (const [extra, ok] of cases) {
    const lines = [schema, `{"type":"RECORD","stream":"users","record":{"id":1},${extra}}`];
    if (ok) t.equal((await collect(lines)).length, 2, extra);
    else await t.rejects(collect(lines), { message: /line 2: RECORD message for stream "users": (time_extracted|version) must/ }, extra);
  }
  await t.rejects(collect([schema, '{"type":"RECORD","stream":"users","record":[1]}']), { message: /record must be object/ });
  await t.rejects(collect([schema, '{"type":"RECORD","stream":"","record":{}}']), { message: /stream must NOT have fewer than 1 characters/ });
});

t.test('parseBytes: lines handed over as bytes read exactly as decoded lines do', async (t) => {
  const record = '{"type":"RECORD","stream":"users","record":{"name":"Zoë 😀 \\t tab"}}';
  const invalidUtf8 = Buffer.concat([Buffer.from('{"type":"RECORD","stream":"users","record":{"name":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('"}}')]);
  const input = Buffer.concat([
    Buffer.from(`${schema}\r\n\n   \n${record}\r\n`),
    invalidUtf8,
    Buffer.from(`\n{"type":"STATE","value":{"b":1}}\n${record}`),
  ]);
  const seen: string[] = [];
  // Takes RECORD lines whose bytes are all ASCII or valid UTF-8 (JSON.parse of the decoded bytes), declines the rest.
  const parseBytes = (bytes: Buffer, start: number, end: number): unknown => {
    const text = bytes.toString('utf8', start, end);
    seen.push(text);
    return text.startsWith('{"type":"RECORD"') && !text.includes('\ufffd') ? JSON.parse(text) : undefined;
  };
  const read = async (chunkSize: number, bytesMode: boolean): Promise<unknown[]> => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i += chunkSize) chunks.push(input.subarray(i, i + chunkSize));
    const out: unknown[] = [];
    for await (const m of readMessages(Readable.from(chunks), { sourceName: 'input.singer', ...(bytesMode ? { parseBytes } : {}) })) out.push([m.line, m.message]);
    return out;
  };
  const expected = await read(input.length, false);
  t.equal(expected.length, 5);
  t.match(JSON.stringify(expected[2]), /a\\ufffd\\ufffd|a\ufffd\ufffd/, 'invalid UTF-8 decoded with replacement characters');
  for (const size of [1, 2, 3, 7, 64, input.length]) {
    seen.length = 0;
    t.same(await read(size, true), expected, `chunks of ${size} bytes`);
    t.notOk(seen.some((line) => line.endsWith('\r')), 'a CRLF line is handed over without its CR');
  }
  const malformed = Buffer.from(`${schema}\n{"type":"RECORD",\n`);
  await t.rejects(
    (async () => {
      for await (const _ of readMessages(Readable.from([malformed]), { sourceName: 'input.singer', parseBytes })) void _;
    })(),
    { name: 'ProtocolError', message: /^input\.singer line 2: malformed JSON/ },
    'a line parseBytes declines fails as a decoded line does',
  );
});
