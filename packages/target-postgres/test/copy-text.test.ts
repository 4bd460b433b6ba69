import t from 'tap';
import {
  COPY_NULL,
  createRowEncoder,
  encodeCopyValue,
  escapeCopyText,
  integerOverflowsBigint,
  isValidForType,
  newCopyTextStats,
  type CopyColumn,
} from '../src/copy-text.js';
import { JsonNumber, parseJsonLine } from '@singer-io-ts/sdk';
import type { PgType } from '../src/type-map.js';

const show = (text: string): string => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

t.test('escapeCopyText: backslash, newline, carriage return and tab get a backslash; all else stays', async (t) => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['', ''],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
    ['a\rb', 'a\\rb'],
    ['a\tb', 'a\\tb'],
    ['\r\n', '\\r\\n'],
    ['\\N', '\\\\N'], // the two characters \N, not NULL
    ['\\.', '\\\\.'], // not the end-of-data marker
    ['\\\\', '\\\\\\\\'],
    ['tab\tnl\ncr\rbs\\end', 'tab\\tnl\\ncr\\rbs\\\\end'],
    ['"quotes" \'single\' ,;|', '"quotes" \'single\' ,;|'],
    ['Zoë São Paulo 東京 😀 👩‍👩‍👧', 'Zoë São Paulo 東京 😀 👩‍👩‍👧'],
    ['\b\f\v\u0001\u001f\u007f', '\b\f\v\u0001\u001f\u007f'], // COPY needs no escape for these
    ['\u2028\u2029\uFEFF\uFFFF', '\u2028\u2029\uFEFF\uFFFF'],
    ['😀\n😀', '😀\\n😀'],
  ];
  for (const [input, expected] of cases) {
    const stats = newCopyTextStats();
    t.equal(escapeCopyText(input, stats), expected, show(input));
    t.same(stats, { nulBytesRemoved: 0, surrogatesReplaced: 0 });
  }
});

t.test('escapeCopyText: NUL removed and lone surrogates replaced, both counted', async (t) => {
  const cases: Array<[string, string, number, number]> = [
    ['a\u0000b', 'ab', 1, 0],
    ['\u0000\u0000x\u0000', 'x', 3, 0],
    ['\u0000', '', 1, 0],
    ['a\uD800b', 'a\uFFFDb', 0, 1], // lone high
    ['a\uDC00b', 'a\uFFFDb', 0, 1], // lone low
    ['\uD83D', '\uFFFD', 0, 1], // high at the end
    ['\uDE00\uD83D', '\uFFFD\uFFFD', 0, 2], // low before high is not a pair
    ['\uD83D\uD83D\uDE00', '\uFFFD😀', 0, 1],
    ['😀\uDE00', '😀\uFFFD', 0, 1],
    ['\u0000\uD800\t', '\uFFFD\\t', 1, 1],
  ];
  for (const [input, expected, nul, surrogates] of cases) {
    const stats = newCopyTextStats();
    t.equal(escapeCopyText(input, stats), expected, show(input));
    t.same(stats, { nulBytesRemoved: nul, surrogatesReplaced: surrogates }, show(input));
  }
  const stats = newCopyTextStats();
  t.equal(escapeCopyText('a\u0000b\n', stats, false), 'a\u0000b\\n', 'kept when removal is off: Postgres rejects it');
  t.equal(stats.nulBytesRemoved, 0);
});

t.test('null and undefined are \\N for every type', async (t) => {
  const types: PgType[] = ['boolean', 'bigint', 'numeric', 'text', 'date', 'time', 'timestamptz', 'jsonb'];
  for (const type of types) {
    t.equal(encodeCopyValue(null, type), COPY_NULL, type);
    t.equal(encodeCopyValue(undefined, type), '\\N', type);
  }
  t.equal(encodeCopyValue('\\N', 'text'), '\\\\N', 'the string \\N is text');
  t.equal(encodeCopyValue('null', 'text'), 'null');
  t.equal(encodeCopyValue('', 'text'), '', 'the empty string is not NULL');
});

t.test('boolean', async (t) => {
  t.equal(encodeCopyValue(true, 'boolean'), 't');
  t.equal(encodeCopyValue(false, 'boolean'), 'f');
  // Strings and numbers go as they are; Postgres takes true/false/yes/no/on/off/1/0 and rejects the rest.
  t.equal(encodeCopyValue('true', 'boolean'), 'true');
  t.equal(encodeCopyValue(1, 'boolean'), '1');
  t.throws(() => encodeCopyValue({ a: 1 }, 'boolean'), { name: 'TypeError', message: /column "value" \(boolean\) cannot hold an object: \{"a":1\}/ });
});

t.test('bigint: exact integer text', async (t) => {
  const cases: Array<[unknown, string]> = [
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-9007199254740991, '-9007199254740991'],
    [new JsonNumber('9007199254740993'), '9007199254740993'],
    [new JsonNumber('9223372036854775807'), '9223372036854775807'],
    [new JsonNumber('-9223372036854775808'), '-9223372036854775808'],
    [new JsonNumber('9.223372036854775807e18'), '9223372036854775807'], // bigint input takes no exponent
    [new JsonNumber('12345678901234567890e-1'), '1234567890123456789'],
    [new JsonNumber('9223372036854775807.000000000000000000'), '9223372036854775807'],
    [new JsonNumber('-0.00000000000000000000e30'), '0'],
    [new JsonNumber('1.5000000000000000000001'), '1.5000000000000000000001'], // not an integer: Postgres says so
    [12345678901234567890n, '12345678901234567890'],
    ['77', '77'],
  ];
  for (const [value, expected] of cases) t.equal(encodeCopyValue(value, 'bigint'), expected, String(value));
  t.throws(() => encodeCopyValue([1], 'bigint'), /column "value" \(bigint\) cannot hold an array: \[1\]/);
});

t.test('numeric: the exact number text', async (t) => {
  const cases: Array<[unknown, string]> = [
    [0, '0'],
    [-0, '0'],
    [1.5, '1.5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e-7, '1e-7'],
    [1e21, '1e+21'], // numeric takes exponents
    [5e-324, '5e-324'],
    [new JsonNumber('12345678901234567890.123456789012345678'), '12345678901234567890.123456789012345678'],
    [new JsonNumber('0.1000000000000000055511'), '0.1000000000000000055511'],
    [new JsonNumber('1e400'), '1e400'],
    [new JsonNumber('-1E-400'), '-1E-400'],
    ['3.14', '3.14'],
    [123n, '123'],
  ];
  for (const [value, expected] of cases) t.equal(encodeCopyValue(value, 'numeric'), expected, String(value));
  const line = parseJsonLine('{"a":0.30000000000000004,"b":123456789012345678901234567890.123,"c":2.5E-7,"d":1E+2}') as Record<string, unknown>;
  t.same(
    ['a', 'b', 'c', 'd'].map((key) => encodeCopyValue(line[key], 'numeric')),
    ['0.30000000000000004', '123456789012345678901234567890.123', '2.5e-7', '100'],
    'whatever the parser gives keeps its decimal value',
  );
});

t.test('text: strings as they are, other values as their JSON text', async (t) => {
  const cases: Array<[unknown, string]> = [
    ['a\tb', 'a\\tb'],
    [12, '12'],
    [-0, '0'],
    [1e21, '1e+21'],
    [true, 'true'],
    [false, 'false'],
    [new JsonNumber('12345678901234567890'), '12345678901234567890'],
    [{ a: 'x\ny', n: new JsonNumber('1e400') }, '{"a":"x\\\\ny","n":1e400}'],
    [['a', 1, null], '["a",1,null]'],
    [new Date(Date.UTC(2024, 1, 29, 12)), '2024-02-29T12:00:00.000Z'],
  ];
  for (const [value, expected] of cases) t.equal(encodeCopyValue(value, 'text'), expected, String(value));
});

t.test('jsonb: JSON text, numbers exact, NUL and lone-surrogate escapes made acceptable', async (t) => {
  const stats = newCopyTextStats();
  const encode = (value: unknown): string => encodeCopyValue(value, 'jsonb', { stats });
  t.equal(encode('plain string'), '"plain string"', 'a string is a JSON string');
  t.equal(encode('{"looks":"like json"}'), '"{\\\\"looks\\\\":\\\\"like json\\\\"}"');
  t.equal(encode(12), '12');
  t.equal(encode(false), 'false');
  t.equal(encode([]), '[]');
  const nested = parseJsonLine('{"id":1234567890123456789012345,"items":[{"price":0.1000000000000000055511},{"big":-1e400}],"s":"t\\tn\\nq\\"b\\\\"}');
  t.equal(
    encode(nested),
    '{"id":1234567890123456789012345,"items":[{"price":0.1000000000000000055511},{"big":-1e400}],"s":"t\\\\tn\\\\nq\\\\"b\\\\\\\\"}',
    'exact numbers; every JSON backslash doubled for COPY',
  );
  t.same(stats, { nulBytesRemoved: 0, surrogatesReplaced: 0 });

  t.equal(encode({ 'k\u0000ey': 'a\u0000b\u0000' }), '{"key":"ab"}', 'NUL removed from keys and values');
  t.same(stats, { nulBytesRemoved: 3, surrogatesReplaced: 0 });
  t.equal(encode({ s: 'x\uD800y\uDC00', pair: '😀' }), '{"s":"x\\\\ufffdy\\\\ufffd","pair":"😀"}', 'lone surrogates become U+FFFD, pairs stay');
  t.same(stats, { nulBytesRemoved: 3, surrogatesReplaced: 2 });
  t.equal(encode({ literal: '\\u0000 and \\ud800' }), '{"literal":"\\\\\\\\u0000 and \\\\\\\\ud800"}', 'an escaped backslash before u0000 is text, left alone');
  t.equal(encode({ c: '\u0001\u001f' }), '{"c":"\\\\u0001\\\\u001f"}', 'other control characters are fine in jsonb');
  t.same(stats, { nulBytesRemoved: 3, surrogatesReplaced: 2 });
  t.equal(encodeCopyValue({ s: 'a\u0000' }, 'jsonb', { removeNulBytes: false }), '{"s":"a\\\\u0000"}', 'kept when removal is off');
  t.equal(encode(() => 1), '\\N', 'what JSON cannot hold is NULL');
});

t.test('date, time, timestamptz: strings as given', async (t) => {
  t.equal(encodeCopyValue('2024-02-29', 'date'), '2024-02-29');
  t.equal(encodeCopyValue('12:34:56.789', 'time'), '12:34:56.789');
  t.equal(encodeCopyValue('2024-02-29T12:34:56.123456+05:30', 'timestamptz'), '2024-02-29T12:34:56.123456+05:30');
  const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
  t.equal(encodeCopyValue(date, 'timestamptz'), '2024-01-02T03:04:05.006Z');
  t.equal(encodeCopyValue(date, 'date'), '2024-01-02', 'a Date in UTC');
  t.equal(encodeCopyValue(date, 'time'), '03:04:05.006');
  t.equal(encodeCopyValue('bad\tvalue', 'date'), 'bad\\tvalue', 'escaped all the same; Postgres judges it');
  t.throws(() => encodeCopyValue({}, 'timestamptz'), TypeError);
});

t.test('createRowEncoder: one line per record, columns in order, tab separated', async (t) => {
  const columns: CopyColumn[] = [
    { name: 'id', type: 'bigint' },
    { name: 'name', type: 'text' },
    { name: 'active', type: 'boolean' },
    { name: 'amount', type: 'numeric' },
    { name: 'payload', type: 'jsonb' },
    { name: 'day', type: 'date' },
  ];
  const { encode, stats } = createRowEncoder(columns);
  const record = parseJsonLine('{"payload":{"n":12345678901234567890},"name":"a\\tb\\u0000","id":9223372036854775807,"amount":1.25,"active":true,"extra":"ignored"}') as Record<string, unknown>;
  t.equal(encode(record), '9223372036854775807\ta\\tb\tt\t1.25\t{"n":12345678901234567890}\t\\N\n');
  t.equal(encode({}), '\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n', 'missing properties are NULL');
  t.same(stats, { nulBytesRemoved: 1, surrogatesReplaced: 0 });
  t.equal(createRowEncoder([{ name: 'only', type: 'text' }]).encode({ only: 'x' }), 'x\n');
  t.equal(createRowEncoder([]).encode({ a: 1 }), '\n');
});

t.test('createRowEncoder: property names are data, never code, and never inherited', async (t) => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', "it's", 'a"b', 'back\\slash', 'new\nline', '${process.exit(1)}', '"]); process.exit(1); //', '\u2028', ''];
  const columns = names.map((name): CopyColumn => ({ name, type: 'text' }));
  const { encode } = createRowEncoder(columns);
  t.equal(encode({}), `${names.map(() => '\\N').join('\t')}\n`, 'nothing inherited from Object.prototype');
  const record = parseJsonLine(JSON.stringify(Object.fromEntries(names.map((name, i) => [name, `v${i}`])))) as Record<string, unknown>;
  t.equal(encode(record), `${names.map((_, i) => `v${i}`).join('\t')}\n`);
});

t.test('stats: shared across encoders for one total', async (t) => {
  const stats = newCopyTextStats();
  const a = createRowEncoder([{ name: 's', type: 'text' }], { stats });
  const b = createRowEncoder([{ name: 'j', type: 'jsonb' }], { stats });
  a.encode({ s: '\u0000\uD800' });
  b.encode({ j: ['\u0000', '\uDFFF'] });
  t.equal(a.stats, stats);
  t.same(stats, { nulBytesRemoved: 2, surrogatesReplaced: 2 });
  const keep = createRowEncoder([{ name: 's', type: 'text' }], { removeNulBytes: false });
  t.equal(keep.encode({ s: 'a\u0000' }), 'a\u0000\n');
});

t.test('integerOverflowsBigint', async (t) => {
  const cases: Array<[unknown, boolean]> = [
    [0, false],
    [2 ** 53 + 2, false],
    [2 ** 63, true], // 9223372036854775807 parsed as a double lands here
    [-(2 ** 63), false], // exactly the minimum
    [-(2 ** 63) - 4096, true],
    [1e300, true],
    [1.5, false], // not an integer at all: another problem
    [Number.POSITIVE_INFINITY, false],
    [new JsonNumber('9223372036854775807'), false],
    [new JsonNumber('9223372036854775808'), true],
    [new JsonNumber('-9223372036854775808'), false],
    [new JsonNumber('-9223372036854775809'), true],
    [new JsonNumber('9.223372036854775808e18'), true],
    [new JsonNumber('9223372036854775807.0000000000000000001'), false],
    [new JsonNumber('1e400'), true],
    [new JsonNumber('1e-400'), false],
    [9223372036854775808n, true],
    [-9223372036854775808n, false],
    ['9223372036854775808', true],
    ['9223372036854775807', false],
    ['12.5', false],
    [null, false],
    [{}, false],
  ];
  for (const [value, expected] of cases) t.equal(integerOverflowsBigint(value), expected, String(value));
  t.equal(integerOverflowsBigint((parseJsonLine('[9223372036854775807]') as unknown[])[0]), false, 'through the parser: exact');
  t.equal(integerOverflowsBigint((parseJsonLine('[9223372036854775808]') as unknown[])[0]), true);
});

t.test('isValidForType', async (t) => {
  const cases: Array<[unknown, PgType, boolean]> = [
    [null, 'bigint', true],
    [true, 'boolean', true],
    ['yes', 'boolean', true],
    [' OFF ', 'boolean', true],
    ['tr', 'boolean', true],
    ['o', 'boolean', false], // ambiguous prefix: on or off
    ['maybe', 'boolean', false],
    [1, 'boolean', false],
    [42, 'bigint', true],
    [4.2, 'bigint', false],
    [2 ** 63, 'bigint', false],
    [new JsonNumber('9223372036854775807'), 'bigint', true],
    [new JsonNumber('9223372036854775808'), 'bigint', false],
    ['-17', 'bigint', true],
    ['17.0', 'bigint', false],
    [1e21, 'numeric', true],
    [new JsonNumber('1e400'), 'numeric', true],
    [new JsonNumber('1e200000'), 'numeric', false],
    [new JsonNumber('1e-20000'), 'numeric', false],
    ['-1.5e10', 'numeric', true],
    ['NaN', 'numeric', true],
    ['1,5', 'numeric', false],
    [{ a: 1 }, 'text', true],
    [{ a: 1 }, 'jsonb', true],
    [1n, 'jsonb', false],
    ['2024-02-29', 'date', true],
    ['2023-02-29', 'date', false],
    ['2024-13-01', 'date', false],
    ['0000-01-01', 'date', false],
    ['2024-01-01T00:00:00Z', 'date', false],
    ['23:59:59.999999', 'time', true],
    ['24:00:00', 'time', true],
    ['12:00+02:00', 'time', true],
    ['25:00', 'time', false],
    ['2024-02-29T12:34:56.123456Z', 'timestamptz', true],
    ['2024-02-29 12:34:56+05:30', 'timestamptz', true],
    ['2024-02-29', 'timestamptz', true],
    ['2024-02-30T00:00:00Z', 'timestamptz', false],
    ['yesterday', 'timestamptz', false],
    [new Date(0), 'timestamptz', true],
    [new Date(Number.NaN), 'timestamptz', false],
  ];
  for (const [value, type, expected] of cases) t.equal(isValidForType(value, type), expected, `${String(value)} as ${type}`);
});
