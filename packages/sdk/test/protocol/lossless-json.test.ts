import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { decimalParts, exactInteger, isJsonNumber, JsonNumber, needsExactParse, parseJsonExact, parseJsonLine, stringifyJson } from '../../src/protocol/lossless-json.js';

/** The value JSON.parse would give: every JsonNumber rounded to its double. */
function rounded(value: unknown): unknown {
  if (isJsonNumber(value)) return Number(value.text);
  if (Array.isArray(value)) return value.map(rounded);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) Object.defineProperty(out, key, { value: rounded(item), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** Test names in plain ASCII: the TAP stream must not carry raw line separators or control characters. */
const show = (text: string): string => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function outcome(parse: (text: string) => unknown, text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parse(text) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false };
  }
}

t.test('numbers a double would change come back as JsonNumber with their exact text', async (t) => {
  const exact = [
    '9007199254740993', // 2^53 + 1
    '9223372036854775807',
    '9223372036854775808',
    '-9223372036854775809',
    '12345678901234567890',
    '0.1000000000000000055511',
    '123.4500000000000000001',
    '12345678901234567890.123456789012345678',
    '123456789012345.678901234567890',
    '1e400',
    '-1E+400',
    '1e-400',
    '1.2345678901234567e-320', // subnormal: fewer digits survive
    '9.223372036854775807e18',
  ];
  for (const text of exact) {
    const value = parseJsonLine(`{"n":${text}}`) as { n: unknown };
    t.ok(isJsonNumber(value.n), text);
    t.equal((value.n as JsonNumber).text, text, text);
    t.equal(String(value.n), text, 'toString is the text');
  }
});

t.test('numbers a double holds exactly stay plain numbers, even on the exact path', async (t) => {
  const plain: Array<[string, number]> = [
    ['9007199254740992', 2 ** 53],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['0.30000000000000004', 0.1 + 0.2],
    ['1e-7', 1e-7],
    ['1.5E+300', 1.5e300],
    ['1E2', 100],
    ['100000000000000000000000', 1e23], // not a double exactly, but its shortest form 1e+23 is the same decimal
    ['5e-324', 5e-324],
    ['1.0000000000000000000', 1],
    ['0.000000000000000001', 1e-18],
    ['123.45', 123.45],
  ];
  for (const [text, expected] of plain) {
    // a long digit run elsewhere on the line forces the exact parser
    const value = parseJsonLine(`{"pad":"12345678901234567890","n":${text}}`) as { n: unknown };
    t.equal(value.n, expected, text);
  }
  t.ok(Object.is((parseJsonLine('[-0, 12345678901234567890]') as unknown[])[0], -0), '-0 stays -0 as with JSON.parse');
  t.ok(Object.is(parseJsonExact('-0.0e5'), -0));
});

t.test('the fast path: ordinary lines never reach the exact parser', async (t) => {
  const record = {
    type: 'RECORD',
    stream: 'opportunity',
    record: {
      Id: '0065e00000ABCDeAAB',
      Uuid: '3e4f5a6b-1e23-4e5f-8a9b-0c1d2e3f4a5b',
      Amount: 125000.5,
      Probability: 75,
      Score: 0.875,
      Big: 123456789012345,
      CloseDate: '2024-03-31',
      CreatedDate: '2024-01-01T10:00:00.123456Z',
      Phone: '+1 (555) 123-4567',
      Ip: '192.168.100.200',
      Small: 1.5e-10,
    },
    time_extracted: '2024-02-03T00:00:00Z',
  };
  t.notOk(needsExactParse(JSON.stringify(record)), 'Salesforce ids ("0065e00000...") and UUIDs are not exponents');
  t.notOk(needsExactParse('[1e99, -2.5E-99, 1e+5]'), 'two-digit exponents cannot lose precision');
  t.notOk(needsExactParse('{"id":"ab1e400","v":"x.1e400"}'));
  for (const text of ['1234567890123456', '1234567.123456789', '0.0000000000000001', '1e400', '-1E-400', '1.5e+308', '1e0400', '"card 4111111111111111"', '"a 1e400"']) {
    t.ok(needsExactParse(`[${text}]`), text);
    t.ok(needsExactParse(`{"k": ${text}}`), text);
  }
  t.ok(needsExactParse('1e400'), 'a number alone on the line');
  t.ok(needsExactParse('{"id":"0065e00000ABC","n":2.5e-400}'), 'an id that looks like an exponent does not hide a real one');
  // A false alarm inside a string costs time, not correctness.
  const line = '{"note":"order 12345678901234567890","n":1}';
  t.same(parseJsonLine(line), JSON.parse(line));
});

t.test('strings, escapes and structure come out as JSON.parse makes them', async (t) => {
  const documents = [
    '{"s":"tab\\t nl\\n cr\\r bs\\\\ q\\" sl\\/ b\\b f\\f u\\u00e9 \\uD83D\\uDE00 raw 😀 Zoë"}',
    '["\\ud800", "\\udc00x", "\\uDBFF"]',
    '{"a":{"b":[1,{"c":null,"d":true,"e":false}],"f":[]},"g":{}}',
    ' \t\r\n[ 1 , 2 ] \n',
    '{"a":1,"a":2}',
    '{"__proto__":{"polluted":true},"constructor":1,"toString":2}',
    '{"2":"b","1":"a","x":"c"}',
    '"\u2028\u2029"',
    '""',
    'null',
  ];
  for (const text of documents) {
    const exact = parseJsonExact(text);
    t.ok(isDeepStrictEqual(exact, JSON.parse(text)), show(text));
    t.ok(isDeepStrictEqual(parseJsonLine(text), JSON.parse(text)), show(text));
  }
  const polluted = parseJsonExact('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  t.equal(Object.getPrototypeOf(polluted), Object.prototype, '__proto__ is an own property, not the prototype');
  t.same(Object.keys(polluted), ['__proto__']);
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('nesting far deeper than a recursive parser could go', async (t) => {
  const depth = 100_000;
  const text = `${'['.repeat(depth)}12345678901234567890${']'.repeat(depth)}`;
  let value = parseJsonLine(text);
  for (let i = 0; i < depth; i++) value = (value as unknown[])[0];
  t.same(value, new JsonNumber('12345678901234567890'));
});

t.test('rejects what JSON.parse rejects, naming the position', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['{"a":1,}', /^Expected double-quoted property name at position 7$/],
    ['{"a":12345678901234567890,}', /^Expected double-quoted property name at position 26$/],
    ['[1,]', /^Unexpected token "]" at position 3$/],
    ['[1,2,]', /position 5/],
    ['[12345678901234567890,]', /^Unexpected token "]" at position 22$/],
    ['{"a" 1}', /^Expected ':' after property name at position 5$/],
    ['{"a":1 "b":2}', /^Expected ',' or '}' after property value at position 7$/],
    ['[1 2]', /^Expected ',' or '\]' after array element at position 3$/],
    ['{a:1}', /^Expected double-quoted property name at position 1$/],
    ["{'a':1}", /^Expected double-quoted property name at position 1$/],
    ['NaN', /^Unexpected token "N" at position 0$/],
    ['[Infinity]', /^Unexpected token "I" at position 1$/],
    ['[-Infinity]', /^No number after minus sign at position 2$/],
    ['+1', /^Unexpected token "\+" at position 0$/],
    ['01', /^Unexpected non-whitespace character after the JSON value at position 1$/],
    ['-012', /position 2/],
    ['.5', /^Unexpected token "\." at position 0$/],
    ['1.', /^Unexpected end of JSON input at position 2 \(unterminated fractional number\)$/],
    ['1.e5', /^Unterminated fractional number at position 2$/],
    ['1e', /^Unexpected end of JSON input at position 2/],
    ['1e+', /^Unexpected end of JSON input at position 3/],
    ['[1e+x]', /^Exponent part is missing a number at position 4$/],
    ['0x10', /position 1/],
    ['"a\tb"', /^Bad control character in string literal at position 2$/],
    ['"a\u0000b"', /^Bad control character in string literal at position 2$/],
    ['"a\nb"', /^Bad control character in string literal at position 2$/],
    ['"\\x"', /^Bad escaped character at position 2$/],
    ["\"\\'\"", /^Bad escaped character at position 2$/],
    ['"\\u12"', /^Bad Unicode escape at position 5$/],
    ['"\\u12G4"', /^Bad Unicode escape at position 5$/],
    ['"abc', /^Unexpected end of JSON input at position 4 \(unterminated string\)$/],
    ['"abc\\', /^Unexpected end of JSON input at position 5/],
    ['', /^Unexpected end of JSON input at position 0$/],
    ['   ', /^Unexpected end of JSON input at position 3$/],
    ['[1', /^Unexpected end of JSON input at position 2 \(expected ',' or '\]' after array element\)$/],
    ['{"a":', /^Unexpected end of JSON input at position 5$/],
    ['tru', /^Unexpected end of JSON input at position 3$/],
    ['trUe', /^Unexpected token "U" at position 2$/],
    ['nul', /position 3/],
    ['falsey', /^Unexpected non-whitespace character after the JSON value at position 5$/],
    ['1 2', /^Unexpected non-whitespace character after the JSON value at position 2$/],
    ['{} {}', /position 3/],
    ['\uFEFF{}', /^Unexpected token "\uFEFF" at position 0$/],
    ['\u00A0{}', /^Unexpected token "\u00A0" at position 0$/],
    ['[1,\u000B2]', /^Unexpected token "\\u000b" at position 3$/],
    ['["😀" 1]', /^Expected ',' or '\]' after array element at position 6$/], // UTF-16 code units, as JSON.parse counts
  ];
  for (const [text, message] of cases) {
    t.throws(() => JSON.parse(text), SyntaxError, `JSON.parse rejects ${show(text)}`);
    t.throws(() => parseJsonExact(text), { name: 'SyntaxError', message }, `exact parser: ${show(text)}`);
    t.throws(() => parseJsonLine(text), { name: 'SyntaxError', message }, `parseJsonLine: ${show(text)}`);
  }
});

t.test('differential: random mutations of JSON are accepted and rejected exactly as JSON.parse does', async (t) => {
  // A small deterministic generator (mulberry32), so failures reproduce.
  let seed = 0x5eed;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const seeds = [
    '{"id":12345678901234567890,"a":[1,-2.5e-3,0,-0,true,false,null],"s":"x\\n\\u0041\\"y","o":{"k":{}}}',
    '[0.1000000000000000055511, 1E400, -1e-400, "", [], {"":""}, 3.14159265358979323846]',
    '{"deep":[[[[{"x":[9007199254740993]}]]]], "e":1.5e+10, "f": 2E-5 }',
  ];
  const noise = ['{', '}', '[', ']', ',', ':', '"', '\\', '-', '+', '.', 'e', 'E', '0', '1', '9', ' ', '\t', '\n', 'u', 'x', 't', 'n', 'f', '\u0000', '\ud800', '😀'];
  let accepted = 0;
  for (let i = 0; i < 5000; i++) {
    let text = pick(seeds);
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (text.length + 1));
      const kind = random();
      if (kind < 0.4) text = text.slice(0, at) + text.slice(at + 1);
      else if (kind < 0.8) text = text.slice(0, at) + pick(noise) + text.slice(at);
      else text = text.slice(0, at) + pick(noise) + text.slice(at + 1);
    }
    const expected = outcome(JSON.parse, text);
    for (const [name, parse] of [['exact', parseJsonExact], ['line', parseJsonLine]] as const) {
      const actual = outcome(parse, text);
      if (actual.ok !== expected.ok || (actual.ok && expected.ok && !isDeepStrictEqual(rounded(actual.value), expected.value))) {
        t.fail(`${name} parser differs from JSON.parse on ${show(text)}`);
        return;
      }
    }
    if (expected.ok) accepted++;
  }
  t.ok(accepted > 200, `both accept and reject cases were tried (${accepted} accepted)`);
});

t.test('stringifyJson writes JsonNumbers as their exact text', async (t) => {
  const line = '{"id":12345678901234567890,"nested":{"list":[1,0.1000000000000000055511,{"big":-1e400}],"s":"a\\"b\\\\c\\n","t":true,"z":null},"d":3.5}';
  const value = parseJsonLine(line);
  t.equal(stringifyJson(value), line);
  t.equal(stringifyJson(new JsonNumber('1.000000000000000000001')), '1.000000000000000000001');
  t.equal(stringifyJson([new JsonNumber('1e400'), undefined, () => 1]), '[1e400,null,null]');
  t.equal(stringifyJson({ n: new JsonNumber('9007199254740993'), skip: undefined, when: new Date(Date.UTC(2024, 0, 2)) }), '{"n":9007199254740993,"when":"2024-01-02T00:00:00.000Z"}');
  t.equal(stringifyJson({ n: new JsonNumber('1'), boxed: [Object('x'), Object(2)] }), '{"n":1,"boxed":["x",2]}');
  const cyclic: Record<string, unknown> = { n: new JsonNumber('12345678901234567890') };
  cyclic.self = cyclic;
  t.throws(() => stringifyJson(cyclic), TypeError);
});

t.test('stringifyJson without JsonNumbers is JSON.stringify', async (t) => {
  const values: unknown[] = [{ a: [1, -0, 1e21, 'x\u0000\ud800😀'], b: { c: null, d: undefined } }, 'plain', 12, null, true, [], new Date(0)];
  for (const value of values) t.equal(stringifyJson(value), JSON.stringify(value));
  t.equal(stringifyJson(undefined), undefined);
  t.equal(JSON.stringify({ n: new JsonNumber('12345678901234567890') }), '{"n":12345678901234567000}', 'plain JSON.stringify degrades to the double, as JSON.parse would have');
});

t.test('decimalParts: the canonical value of a number literal', async (t) => {
  t.same(decimalParts('0'), { negative: false, digits: '', exponent: 0 });
  t.same(decimalParts('-0.000e7'), { negative: false, digits: '', exponent: 0 });
  t.same(decimalParts('-120.0500'), { negative: true, digits: '12005', exponent: -2 });
  t.same(decimalParts('1e+21'), { negative: false, digits: '1', exponent: 21 });
  t.same(decimalParts('00012300'), { negative: false, digits: '123', exponent: 2 });
  t.same(decimalParts('9.223372036854775807e18'), { negative: false, digits: '9223372036854775807', exponent: 0 });
  t.equal(decimalParts('Infinity'), undefined);
  t.equal(decimalParts('1.'), undefined);
  t.equal(decimalParts(''), undefined);
});

t.test('exactInteger: every digit of an integer, the integer part of a fraction (flagged), nothing for no number', async (t) => {
  const cases: Array<[string, string | undefined, boolean?]> = [
    ['42', '42', false],
    ['2.0', '2', false],
    ['2.5', '2', true],
    ['-0.5', '0', true],
    ['-12345678901234567890.75', '-12345678901234567890', true],
    ['90071992547409931', '90071992547409931', false],
    ['1e3', '1000', false],
    ['n/a', undefined],
    ['', undefined],
  ];
  for (const [text, expected, fraction] of cases) {
    const parsed = exactInteger(text);
    t.same(parsed === undefined ? undefined : [stringifyJson(parsed.value), parsed.fraction], expected === undefined ? undefined : [expected, fraction], JSON.stringify(text));
  }
});
