import { createHash, createHmac } from 'node:crypto';
import t from 'tap';
import { compileExpression } from '../../src/stream-maps/index.js';
import { ExpressionEvaluationError } from '../../src/stream-maps/expression-error.js';

const run = (source: string, record: Record<string, unknown> = {}, config: Record<string, unknown> = {}) =>
  compileExpression(source, { config }).evaluate(record, null);

function failure(source: string, record: Record<string, unknown> = {}): string {
  try {
    run(source, record);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error.reason;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

t.test('md5 and sha256 are hex digests of the UTF-8 text', async (t) => {
  t.equal(run("md5('héllo')"), createHash('md5').update('héllo', 'utf8').digest('hex'));
  t.equal(run('sha256(email)', { email: 'jo@example.com' }), sha256('jo@example.com'));
  t.equal(run('sha256(n)', { n: 42 }), sha256('42'), 'numbers hash as their text');
  t.equal(run('md5(x)', { x: null }), null, 'null stays null');
});

t.test('sha256 with a salt from stream_map_config', async (t) => {
  const config = { hash_seed: 'pepper-0123456789' };
  const expected = sha256('jo@example.com' + 'pepper-0123456789');
  t.equal(run("sha256(email + config['hash_seed'])", { email: 'jo@example.com' }, config), expected);
  t.equal(run("sha256(email, config['hash_seed'])", { email: 'jo@example.com' }, config), expected, 'two-argument form appends the salt');
});

t.test('a null salt is an error, never a silent unsalted hash', async (t) => {
  t.match(failure("sha256(email, salt)", { email: 'x', salt: null }), /salt is null/);
  t.match(failure("hash(email, salt)", { email: 'x' }), /salt is null/);
});

t.test('hash() is HMAC-SHA256 with a key, plain SHA-256 without', async (t) => {
  const config = { key: 'k3y-material' };
  t.equal(run("hash(email, config['key'])", { email: 'jo@example.com' }, config), createHmac('sha256', 'k3y-material').update('jo@example.com').digest('hex'));
  t.equal(run('hash(email)', { email: 'jo@example.com' }), sha256('jo@example.com'));
});

t.test('string functions', async (t) => {
  t.equal(run("lower('ÀB')"), 'àb');
  t.equal(run("upper('ab')"), 'AB');
  t.equal(run("trim('  a b  ')"), 'a b');
  t.equal(run("replace('a-b-c', '-', '+')"), 'a+b+c', 'replaces every occurrence');
  t.same(run("split('a,b,,c', ',')"), ['a', 'b', '', 'c']);
  t.same(run("split('  a  b ')"), ['a', 'b'], 'no separator: split on runs of whitespace');
  t.equal(run("concat('a', 1, None, true)"), 'a1true', 'concat skips nulls');
  t.equal(run("substring('hello', 1, 3)"), 'el');
  t.equal(run("substring('hello', -3)"), 'llo');
  t.same(run('slice(items, 0, 2)', { items: [1, 2, 3] }), [1, 2]);
  t.equal(run("startswith('hello', 'he')"), true);
  t.equal(run("endswith('hello', ['x', 'lo'])"), true, 'a list of suffixes, like a Python tuple');
  t.equal(run('lower(x)', { x: null }), null);
  t.equal(run('len(x)', { x: '😀ab' }), 3, 'len counts code points, as Python does');
  t.equal(run('len(x)', { x: [1, 2] }), 2);
  t.equal(run('len(x)', { x: { a: 1 } }), 1);
  t.match(failure("split('a', '')"), /empty separator/);
  t.match(failure('upper(x)', { x: 1 }), /must be a string, not integer/);
});

t.test('casts', async (t) => {
  t.equal(run("int('42')"), 42);
  t.equal(run("int(' -7 ')"), -7);
  t.equal(run('int(3.9)'), 3);
  t.equal(run('int(-3.9)'), -3, 'truncates toward zero like Python');
  t.equal(run('int(True)'), 1);
  t.equal(run('int(x)', {}), null);
  t.match(failure("int('abc')"), /^int\(\): string is not an integer literal$/);
  t.match(failure("int('1.5')"), /not an integer literal/);
  t.equal(run("float('1.5e3')"), 1500);
  t.match(failure("float('nan')"), /not a number literal/);
  t.equal(run('str(1.5)'), '1.5');
  t.equal(run('str(True)'), 'true');
  t.equal(run('str(x)', { x: { a: [1] } }), '{"a":[1]}');
  t.equal(run('str(x)', {}), null);
  t.equal(run("bool('')"), false);
  t.equal(run("bool('false')"), true, 'Python truthiness: a non-empty string is true');
  t.equal(run('bool(x)', {}), false);
});

t.test('numbers', async (t) => {
  t.equal(run('round(2.5)'), 3, 'half away from zero');
  t.equal(run('round(-2.5)'), -3);
  t.equal(run('round(1.005, 2)'), 1.01);
  t.equal(run('round(1234.5678, -2)'), 1200);
  t.equal(run('abs(-4)'), 4);
  t.equal(run('min(3, 1, 2)'), 1);
  t.equal(run('max(xs)', { xs: [3, 9, 2] }), 9, 'a single list argument');
  t.equal(run("max('a', 'c', None)"), 'c', 'nulls are ignored');
  t.equal(run('min(x, y)', {}), null);
  t.match(failure("min(1, 'a')"), /all numbers or all strings/);
  t.match(failure('x * 1e308 * 10', { x: 10 }), /cannot represent/);
});

t.test('coalesce and get', async (t) => {
  t.equal(run("coalesce(a, b, 'z')", { b: 0 }), 0, 'the first non-null, even if falsy');
  t.equal(run('coalesce(a, b)', {}), null);
  t.equal(run("get(user, 'name', 'anon')", { user: {} }), 'anon');
  t.equal(run('get(xs, -1)', { xs: [1, 2] }), 2);
});

t.test('datetime() normalizes to an RFC 3339 UTC string', async (t) => {
  t.equal(run("datetime('2024-03-01T10:00:00+02:00')"), '2024-03-01T08:00:00.000Z');
  t.equal(run("datetime('2024-03-01 10:00')"), '2024-03-01T10:00:00.000Z', 'no offset means UTC');
  t.equal(run("datetime('2024-03-01')"), '2024-03-01T00:00:00.000Z');
  t.equal(run("datetime('2024-03-01T10:00:00.123456Z')"), '2024-03-01T10:00:00.123Z');
  t.equal(run("datetime('2024-03-01T10:00:00-0530')"), '2024-03-01T15:30:00.000Z');
  t.equal(run('datetime(0)'), '1970-01-01T00:00:00.000Z', 'numbers are Unix seconds');
  t.equal(run('datetime(x)', {}), null);
  t.match(failure("datetime('2024-02-30')"), /out of range/);
  t.match(failure("datetime('yesterday')"), /not an ISO 8601/);
});

t.test('now() is the current time', async (t) => {
  const before = Date.now();
  const value = run('now()');
  t.type(value, 'string');
  const parsed = Date.parse(value as string);
  t.ok(parsed >= before - 1 && parsed <= Date.now() + 1, 'within the test run');
});

t.test('json() serializes any value', async (t) => {
  t.equal(run('json(x)', { x: { a: [1, 'b'] } }), '{"a":[1,"b"]}');
  t.equal(run('json(x)', {}), 'null');
});
