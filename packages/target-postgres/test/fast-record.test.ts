import t, { type Test } from 'tap';
import { createRowEncoder, newCopyTextStats, type CopyColumn } from '../src/copy-text.js';
import { FastRowEncoder, isShortestNumber, RawRecord, scanRecordBytes, scanRecordLine, skipValue } from '../src/fast-record.js';
import { parseJsonLine } from '@singer-io-ts/sdk';
import type { PgType } from '../src/type-map.js';

// Test names in ASCII: TAP output must not carry raw line separators.
const show = (text: string): string => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A record's JSON text as the reader hands it over: UTF-8 bytes. */
const raw = (text: string): RawRecord => new RawRecord(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text));
const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

const TYPES: PgType[] = ['text', 'boolean', 'bigint', 'numeric', 'jsonb', 'date', 'time', 'timestamptz'];

/** The fast path's row and stats, next to the object path's, for the same record text. */
function both(columns: CopyColumn[], recordText: string, options: { removeNulBytes?: boolean; keys?: string[]; overrides?: Record<string, unknown> } = {}) {
  const removeNulBytes = options.removeNulBytes ?? true;
  const overrideColumns = Object.keys(options.overrides ?? {});
  const fastStats = newCopyTextStats();
  const fast = new FastRowEncoder(columns, { stats: fastStats, removeNulBytes, keyProperties: options.keys ?? [], overrideColumns });
  // Input arrives as UTF-8, which cannot hold a lone surrogate: such text never reaches the fast path.
  const line = Buffer.from(` {"type":"RECORD","stream":"s","record":${recordText}}\n{"type":"STATE"} `, 'utf8');
  const start = line.indexOf('"record":') + 9;
  const length = /\p{Cs}/u.test(recordText) ? undefined : fast.encode(new RawRecord(line, start, start + Buffer.byteLength(recordText)), Object.values(options.overrides ?? {}));
  const slowStats = newCopyTextStats();
  const slow = createRowEncoder(columns, { stats: slowStats, removeNulBytes });
  const record = { ...(parseJsonLine(recordText) as Record<string, unknown>), ...options.overrides };
  let expected: Buffer | Error;
  try {
    expected = Buffer.from(slow.encode(record), 'utf8');
  } catch (error) {
    expected = error as Error;
  }
  return { fast: length === undefined ? undefined : Buffer.from(fast.bytes.subarray(0, length)), fastStats, expected, slowStats };
}

function sameAsObjectPath(t: Test, columns: CopyColumn[], recordText: string, options: Parameters<typeof both>[2] = {}): void {
  const { fast, fastStats, expected, slowStats } = both(columns, recordText, options);
  if (expected instanceof Error) {
    t.equal(fast, undefined, `${show(recordText)}: the object path throws (${expected.message}), so the fast path hands the record back`);
    return;
  }
  if (fast === undefined) {
    t.pass(`${show(recordText)}: handed back to the object path`);
    return;
  }
  t.equal(fast.toString('hex'), expected.toString('hex'), `${show(recordText)} -> ${show(expected.toString('utf8'))}`);
  t.same(fastStats, slowStats, `${show(recordText)}: same counts`);
}

const HOSTILE_VALUES = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '-0.0',
  '1',
  '-1',
  '1.5',
  '1.50',
  '1.0',
  '100',
  '1e2',
  '1E+2',
  '1e400',
  '-1e400',
  '1e-400',
  '2.5e-7',
  '0.000001',
  '0.0000001',
  '123456789012345',
  '1234567890123456',
  '9007199254740993',
  '12345678901234567890',
  '-9223372036854775808',
  '9223372036854775807',
  '9223372036854775808',
  '1e21',
  '1e+21',
  '100000000000000000000',
  '1000000000000000000000',
  '0.1000000000000000055511151231257827',
  '3.141592653589793238462643383279',
  '""',
  '"plain"',
  '"2024-02-29"',
  '"2024-02-29T12:34:56.789Z"',
  '"12:34:56"',
  '"t"',
  '"yes"',
  '"42"',
  '"1.5"',
  '"a\\u0000b"',
  '"\\u0000"',
  '"\\u0000\\u0000x"',
  '"a\\\\b"',
  '"\\\\N"',
  '"\\\\."',
  '"tab\\there"',
  '"cr\\rlf\\n"',
  '"\\r\\n"',
  '"q\\"uote\\""',
  '"sl\\/ash"',
  '"\\b\\f"',
  '"\\u0009\\u000a\\u000D\\u005c"',
  '"Zoë São Paulo 東京"',
  '"\\u00e9\\u00E9é"',
  '"😀 👩‍👩‍👧"',
  '"\\ud83d\\ude00"',
  '"\\uD83D\\uDE00x"',
  '"\\ud83d"',
  '"\\ude00"',
  '"x\\ud83dy"',
  '"\\ude00\\ud83d"',
  '"\\ud83d\\ud83d\\ude00"',
  '"\\ud83d\\u0000\\ude00"',
  '"😀\\ude00"',
  '"\\u2028\\u2029\\ufeff\\uffff"',
  '"\\u007f\\u0001\\u001f"',
  '{}',
  '[]',
  '{"a":1,"b":[1,2,{"c":"d\\u0000"}],"n":12345678901234567890}',
  '{"b":1,"1":2,"a":{"x":null}}',
  '{"a":1,"a":2}',
  '[1.0, 1e2, "x\\ud800", {"k\\u0000":"v"}]',
  ' { "spaced" : [ 1 , 2 ] } ',
  '[[[[[[[[[[1]]]]]]]]]]',
];

t.test('every value in every column type: the fast path writes what the object path writes, byte for byte', async (t) => {
  for (const type of TYPES) {
    const columns: CopyColumn[] = [
      { name: 'id', type: 'text' },
      { name: 'v', type },
      { name: 'after', type: 'text' },
    ];
    for (const value of HOSTILE_VALUES) {
      for (const removeNulBytes of [true, false]) {
        sameAsObjectPath(t, columns, `{"id":"k","v":${value},"after":"z"}`, { removeNulBytes });
      }
      sameAsObjectPath(t, columns, `{ "after" : "z" , "v" :${value}, "id":"k"}`);
    }
  }
});

t.test('keys: escapes, duplicates (the last wins), unknown keys, absent columns, names from Object.prototype', async (t) => {
  const columns: CopyColumn[] = [
    { name: 'id', type: 'bigint' },
    { name: 'na\tme', type: 'text' },
    { name: 'é', type: 'text' },
    { name: '__proto__', type: 'jsonb' },
    { name: 'constructor', type: 'text' },
    { name: 'a\\b', type: 'text' },
    { name: 'missing', type: 'numeric' },
  ];
  const records = [
    '{"id":1,"na\\tme":"x","\\u00e9":"y","__proto__":{"p":1},"a\\\\b":"bs"}',
    '{"id":1,"id":2,"id":3}',
    '{"id":1,"na\\tme":"first","na\\u0009me":"second"}',
    '{"unknown":{"deep":[1,2,3]},"id":7,"other":"x\\u0000"}',
    '{"id":1,"constructor":"c","toString":"t"}',
    '{"id":1,"a\\\\b":"one","a\\u005cb":"two"}',
    '{"id":1,"a\\nb":"not a\\\\b"}',
    '{}',
  ];
  for (const record of records) sameAsObjectPath(t, columns, record);
});

t.test('metadata values from the message replace the record\'s', async (t) => {
  const columns: CopyColumn[] = [
    { name: 'id', type: 'text' },
    { name: '_sdc_extracted_at', type: 'timestamptz' },
    { name: '_sdc_received_at', type: 'timestamptz' },
    { name: '_sdc_deleted_at', type: 'timestamptz' },
    { name: '_sdc_sequence', type: 'bigint' },
    { name: '_sdc_table_version', type: 'bigint' },
  ];
  const overrides = { _sdc_extracted_at: '2024-01-01T00:00:00Z', _sdc_received_at: '2024-01-02T00:00:00.000Z', _sdc_sequence: 1712345678901000, _sdc_table_version: null };
  sameAsObjectPath(t, columns, '{"id":"a","_sdc_deleted_at":"2024-01-03T00:00:00Z","_sdc_sequence":5,"_sdc_extracted_at":"ignored"}', { overrides });
  sameAsObjectPath(t, columns, '{"id":"a"}', { overrides: { ...overrides, _sdc_extracted_at: null, _sdc_table_version: 3 } });
  // One encoder across records: a value reused from the previous row only while it is the same.
  const encoder = new FastRowEncoder(columns, { stats: newCopyTextStats(), removeNulBytes: true, keyProperties: [], overrideColumns: Object.keys(overrides) });
  const slow = createRowEncoder(columns);
  for (const extractedAt of ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-05-01T00:00:00Z', null, '2024-01-01T00:00:00Z']) {
    const values = { ...overrides, _sdc_extracted_at: extractedAt };
    const length = encoder.encode(raw('{"id":"a"}'), Object.values(values))!;
    t.equal(encoder.bytes.subarray(0, length).toString('utf8'), slow.encode({ id: 'a', ...values }), `extracted at ${extractedAt}`);
  }
  for (const sequence of [0, 7, 10, 99, 100, 1712345678901000, Number.MAX_SAFE_INTEGER, -1, 1.5, 2 ** 60]) {
    sameAsObjectPath(t, columns, '{"id":"a"}', { overrides: { ...overrides, _sdc_sequence: sequence } });
  }
});

t.test('records the object path must take: key missing or null, bigint overflow, object in a scalar column', async (t) => {
  const columns: CopyColumn[] = [
    { name: 'id', type: 'text' },
    { name: 'n', type: 'bigint' },
    { name: 'b', type: 'boolean' },
  ];
  const encode = (record: string): number | undefined =>
    new FastRowEncoder(columns, { stats: newCopyTextStats(), removeNulBytes: true, keyProperties: ['id'], overrideColumns: [] }).encode(raw(record), []);
  t.equal(encode('{"n":1}'), undefined, 'key missing');
  t.equal(encode('{"id":null,"n":1}'), undefined, 'key null');
  t.equal(encode('{"id":"a","n":9223372036854775808}'), undefined, 'beyond bigint: the loader widens the column');
  t.equal(encode('{"id":"a","n":1e19}'), undefined, 'beyond bigint, as an exponent');
  t.equal(encode('{"id":"a","b":{"x":1}}'), undefined, 'an object for a boolean');
  t.type(encode('{"id":"a","n":9223372036854775807}'), 'number', 'the largest bigint is fine');
  t.throws(() => new FastRowEncoder(columns, { stats: newCopyTextStats(), removeNulBytes: true, keyProperties: ['nope'], overrideColumns: [] }));
  t.equal(FastRowEncoder.supports(columns, ['nope']), false);
  t.equal(FastRowEncoder.supports([...columns, { name: 'n', type: 'numeric' }], ['id']), false, 'two columns read one property');
  t.equal(FastRowEncoder.supports(columns, ['id']), true);
});

t.test('the row buffer grows for long and non-ASCII rows', async (t) => {
  const columns: CopyColumn[] = [
    { name: 'a', type: 'text' },
    { name: 'b', type: 'numeric' },
    { name: 'c', type: 'jsonb' },
  ];
  const long = '東'.repeat(5000);
  sameAsObjectPath(t, columns, `{"a":"${long}","b":1.25,"c":{"k":"${long}\\u0000"}}`);
  sameAsObjectPath(t, columns, `{"a":"${'\\n'.repeat(3000)}","b":${'9'.repeat(2000)}}`);
  // One encoder for many rows: no state leaks from one row into the next.
  const encoder = new FastRowEncoder(columns, { stats: newCopyTextStats(), removeNulBytes: true, keyProperties: [], overrideColumns: [] });
  for (const record of ['{"a":"x","b":1,"c":[1]}', `{"a":"${long}"}`, '{"b":2}']) {
    const length = encoder.encode(raw(record), [])!;
    t.equal(encoder.bytes.subarray(0, length).toString('utf8'), createRowEncoder(columns).encode(parseJsonLine(record) as Record<string, unknown>));
  }
});

t.test('isShortestNumber agrees with String(Number(text)) === text', async (t) => {
  const texts = ['0', '-0', '1', '-1', '10', '0.5', '-0.5', '0.50', '1.0', '00', '01', '0.000001', '0.0000001', '0.0000012', '123456789012345', '1234567890123456', '123456789012345.6', '12345678901234.5', '0.123456789012345', '0.1234567890123456', '1e5', '1.5e3', '.5', '5.', '-', '999999999999999', '-999999999999999.0'];
  for (let i = 0; i < 2000; i++) texts.push(String(Math.round(Math.random() * 10 ** (i % 18)) / 10 ** (i % 7)));
  for (const text of texts) {
    const exact = /^-?\d+(\.\d+)?$/.test(text) && String(Number(text)) === text;
    // isShortestNumber may say no where String() agrees (it is conservative), never yes where it does not.
    if (isShortestNumber(bytesOf(text), 0, text.length, false)) t.ok(exact, text);
    if (isShortestNumber(bytesOf(text), 0, text.length, true)) t.ok(exact && Number.isSafeInteger(Number(text)), `${text} as an integer`);
  }
  t.ok(isShortestNumber(bytesOf('159730.87'), 0, 9, false));
  t.ok(isShortestNumber(bytesOf('2023'), 0, 4, true));
  t.notOk(isShortestNumber(bytesOf('1.5'), 0, 3, true));
});

t.test('scanRecordLine: RECORD lines keep their record as text; anything else is left to the full parser', async (t) => {
  const line = '{"type":"RECORD","stream":"s","record":{"a":1,"b":"x"},"version":3,"time_extracted":"2024-01-01T00:00:00Z"}';
  const scanned = scanRecordLine(line)!;
  t.equal(scanned.type, 'RECORD');
  t.equal(scanned.stream, 's');
  t.equal(scanned.version, 3);
  t.equal(scanned.time_extracted, '2024-01-01T00:00:00Z');
  t.same(scanned.record.parse(), { a: 1, b: 'x' });
  t.equal(scanned.record.bytes.toString('utf8', scanned.record.start, scanned.record.end), '{"a":1,"b":"x"}');
  t.same(scanRecordLine(' { "record" : { } , "stream" : "s" , "type" : "RECORD" } ')?.record.parse(), {});
  const notScanned = [
    '{"type":"SCHEMA","stream":"s","schema":{},"key_properties":[]}',
    '{"type":"STATE","value":{}}',
    '{"type":"record","stream":"s","record":{}}',
    '{"type":"RECORD","stream":"s","record":{},"extra":1}',
    '{"type":"RECORD","stream":"s\\u0041","record":{}}',
    '{"type":"RECORD","stream":"s","record":{},"type":"RECORD"}',
    '{"type":"RECORD","stream":"s","record":[]}',
    '{"type":"RECORD","stream":"s","record":{},"version":1.5}',
    '{"type":"RECORD","stream":"s","record":{},"version":12345678901234567}',
    '{"type":"RECORD","stream":"s","record":{},"time_extracted":null}',
    '{"type":"RECORD","stream":"s"}',
    '[]',
    '',
  ];
  for (const text of notScanned) t.equal(scanRecordLine(text), undefined, text);
});

t.test('scanRecordLine accepts nothing JSON.parse rejects', async (t) => {
  const bodies = [
    '{"a":1,}',
    '{"a":1 "b":2}',
    '{"a" 1}',
    '{a:1}',
    "{'a':1}",
    '{"a":01}',
    '{"a":1.}',
    '{"a":.5}',
    '{"a":-}',
    '{"a":1e}',
    '{"a":+1}',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":tru}',
    '{"a":nul}',
    '{"a":"x\ty"}',
    '{"a":"x\ny"}',
    '{"a":"\\x41"}',
    '{"a":"\\u12"}',
    '{"a":"\\u12G4"}',
    '{"a":"unterminated}',
    '{"a":[1,2}',
    '{"a":[1,2,]}',
    '{"a":{"b":1}',
    '{"a":1}}',
    '{"a":1}x',
    `{"a":${'['.repeat(300)}${']'.repeat(300)}}`,
    '{"a":"\\',
    '{"a":1',
  ];
  for (const body of bodies) {
    const line = `{"type":"RECORD","stream":"s","record":${body}}`;
    let parses = true;
    try {
      JSON.parse(line);
    } catch {
      parses = false;
    }
    const scanned = scanRecordLine(line);
    // In the reader's buffer the next line follows: nothing past the line's end may complete it.
    const followed = Buffer.from(`${line}\n"}]}}\n`, 'utf8');
    t.equal(scanRecordBytes(followed, 0, Buffer.byteLength(line)), undefined, `${body.slice(0, 40)}, followed by more bytes`);
    if (!parses) t.equal(scanned, undefined, body);
    // Valid, but deeper than the scanner goes: left to the full parser.
    else t.equal(scanned, undefined, `${body.slice(0, 40)}...`);
  }
  t.equal(skipValue(bytesOf('[1,[2,{"a":[3]}],"x"] '), 0, 22), 21);
  t.equal(skipValue(bytesOf('{"a":[1,2]'), 0, 10), -1);
  t.equal(skipValue(bytesOf('{"a":[1,2]}'), 0, 10), -1, 'the closing brace is past the end');
});

t.test('scanRecordBytes reads one line of a larger buffer, and leaves invalid UTF-8 to the decoder', async (t) => {
  const lines = ['{"type":"RECORD","stream":"s","record":{"a":"é"},"time_extracted":"2024-01-01T00:00:00Z"}', '{"type":"RECORD","stream":"t","record":{"a":2}}'];
  const buffer = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  const first = scanRecordBytes(buffer, 0, Buffer.byteLength(lines[0]!))!;
  t.same(first.record.parse(), { a: 'é' });
  t.equal(first.stream, 's');
  t.equal(first.time_extracted, '2024-01-01T00:00:00Z');
  const second = scanRecordBytes(buffer, Buffer.byteLength(lines[0]!) + 1, buffer.length - 1)!;
  t.equal(second.stream, 't', 'a new stream name is read, not the previous one reused');
  t.same(second.record.parse(), { a: 2 });
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80]]) {
    const line = Buffer.concat([Buffer.from('{"type":"RECORD","stream":"s","record":{"a":"'), Buffer.from(bad), Buffer.from('"}}')]);
    t.equal(scanRecordBytes(line, 0, line.length), undefined, `invalid UTF-8 ${Buffer.from(bad).toString('hex')}: decoded (U+FFFD) and parsed as before`);
  }
  const mixed = Buffer.concat([Buffer.from(`${lines[1]}\n{"type":"RECORD","stream":"t","record":{"a":"`), Buffer.from([0xc3]), Buffer.from(`"}}\n${lines[1]}\n`)]);
  const firstEnd = mixed.indexOf(10);
  const secondEnd = mixed.indexOf(10, firstEnd + 1);
  t.ok(scanRecordBytes(mixed, 0, firstEnd), 'a valid line in a chunk with an invalid one');
  t.equal(scanRecordBytes(mixed, firstEnd + 1, secondEnd), undefined, 'the invalid line of that chunk');
  t.ok(scanRecordBytes(mixed, secondEnd + 1, mixed.length - 1), 'the next valid line');
  t.equal(scanRecordLine('{"type":"RECORD","stream":"s","record":{"a":"\ud800"}}'), undefined, 'a lone surrogate in decoded text: the object path counts it');
});

t.test('encodeInto writes in place after what a chunk holds, or moves a row that does not fit', async (t) => {
  const columns: CopyColumn[] = [
    { name: 'id', type: 'text' },
    { name: 'n', type: 'numeric' },
    { name: 's', type: 'text' },
  ];
  const expected = (record: string): string => createRowEncoder(columns).encode(parseJsonLine(record) as Record<string, unknown>);
  const encoder = new FastRowEncoder(columns, { stats: newCopyTextStats(), removeNulBytes: true, keyProperties: ['id'], overrideColumns: [] });
  const chunk = Buffer.alloc(4096, 0x2a);
  const inOrder = '{"id":"a","n":1.5,"s":"x\\ty"}';
  const end = encoder.encodeInto(raw(inOrder), [], chunk, 100)!;
  t.equal(encoder.bytes, chunk, 'in place');
  t.equal(chunk.toString('utf8', 100, end), expected(inOrder));
  t.equal(chunk[99], 0x2a, 'nothing before the offset touched');
  for (const record of [`{"id":"b","s":"${'é'.repeat(3000)}"}`, `{"s":"${'\\n'.repeat(3000)}","id":"c"}`]) {
    const small = Buffer.alloc(1024, 0x2a);
    const rowEnd = encoder.encodeInto(raw(record), [], small, 900)!;
    t.not(encoder.bytes, small, 'a row too long for the rest of the chunk moves to a buffer of its own');
    t.equal(encoder.bytes.toString('utf8', 0, rowEnd), expected(record));
    t.equal(encoder.encodeInto(raw(inOrder), [], chunk, 0), Buffer.byteLength(expected(inOrder)), 'and the next row goes in place again');
    t.equal(encoder.bytes, chunk);
  }
});
