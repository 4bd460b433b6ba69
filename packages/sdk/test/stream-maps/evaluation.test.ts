import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { compileExpression, MapExpressionError } from '../../src/stream-maps/index.js';
import { ExpressionEvaluationError } from '../../src/stream-maps/expression-error.js';

const run = (source: string, record: Record<string, unknown> = {}, self: unknown = null, config: Record<string, unknown> = {}) =>
  compileExpression(source, { config }).evaluate(record, self);

function evaluationError(source: string, record: Record<string, unknown> = {}): ExpressionEvaluationError {
  try {
    run(source, record);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

function compileError(source: string, options: Parameters<typeof compileExpression>[1] = {}): MapExpressionError {
  try {
    compileExpression(source, options);
  } catch (error) {
    if (error instanceof MapExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
}

t.test('bare identifiers read record properties; record, _ and self are special', async (t) => {
  const record = { first: 'Ann', last: 'Lee', class: '3b' };
  t.equal(run("first + ' ' + last", record), 'Ann Lee');
  t.equal(run("_['class']", record), '3b', '_ is the record, for names that are keywords');
  t.equal(run("record['class']", record), '3b');
  t.equal(run('self * 2', { amount: 5 }, 5), 10, 'self is the value of the property being mapped');
  t.equal(run('missing', record), null, 'an absent property reads as null');
});

t.test('config values are constants checked at compile time', async (t) => {
  t.equal(run("config['seed'] + x", { x: 'a' }, null, { seed: 's-' }), 's-a');
  t.equal(run('config.seed', {}, null, { seed: 'dotted' }), 'dotted');
  t.match(compileError("config['nope']", { config: { seed: 'x' } }), { column: 8, reason: /stream_map_config has no key "nope"/ });
  t.match(compileError('config', { config: { seed: 'x' } }), { column: 1, reason: /config\['hash_seed'\]/ }, 'the whole config cannot be copied into a record');
  t.match(compileError('config[x]', { config: { seed: 'x' } }), { reason: /string literal/ });
  t.match(compileError('self', { allowSelf: false }), { column: 1, reason: /"self" is only available in property expressions/ });
});

t.test('+ adds numbers, concatenates strings and lists, and refuses to mix', async (t) => {
  t.equal(run('1 + 2.5'), 3.5);
  t.equal(run("'a' + 'b'"), 'ab');
  t.same(run('[1] + [2]'), [1, 2]);
  t.match(evaluationError("'a' + 1"), { column: 5, reason: /cannot add string and integer/ });
  t.equal(run("'n=' + str(5)"), 'n=5');
});

t.test('null propagates through arithmetic, like SQL', async (t) => {
  t.equal(run('x + 1', { x: null }), null);
  t.equal(run('x * 2', {}), null);
  t.equal(run("email + 'salt'", {}), null);
  t.equal(run('-x', {}), null);
});

t.test('Python arithmetic: true division, floor division, modulo sign', async (t) => {
  t.equal(run('7 / 2'), 3.5);
  t.equal(run('-7 // 2'), -4);
  t.equal(run('-7 % 3'), 2);
  t.equal(run('7 % -3'), -2);
  t.match(evaluationError('1 / x', { x: 0 }), { column: 3, reason: /division by zero/ });
  t.match(evaluationError("2 * 'x'"), { reason: /needs numbers/ });
});

t.test('and / or return the deciding operand, with Python truthiness', async (t) => {
  t.equal(run("name or 'unknown'", { name: '' }), 'unknown');
  t.equal(run("name or 'unknown'", { name: 'Ann' }), 'Ann');
  t.equal(run('a and b', { a: 0, b: 5 }), 0);
  t.equal(run('a && b', { a: 1, b: 5 }), 5);
  t.equal(run('not items', { items: [] }), true);
  t.equal(run('not obj', { obj: {} }), true);
  t.equal(run('bool(obj)', { obj: { a: 1 } }), true);
});

t.test('only the taken branch is evaluated', async (t) => {
  t.equal(run('x if x == 0 else 1 / x', { x: 0 }), 0);
  t.equal(run('x != 0 and 10 / x > 1', { x: 0 }), false);
});

t.test('ordering compares like types; anything against null is false', async (t) => {
  t.equal(run("'b' > 'a'"), true);
  t.equal(run('x > 1', { x: null }), false);
  t.equal(run('x <= 1', {}), false);
  t.match(evaluationError("x > 'a'", { x: 1 }), { column: 3, reason: /cannot compare integer with string/ });
});

t.test('== compares values deeply, without type coercion', async (t) => {
  t.equal(run('[1, [2]] == [1, [2]]'), true);
  t.equal(run('obj == obj2', { obj: { a: 1, b: [1] }, obj2: { b: [1], a: 1 } }), true);
  t.equal(run("1 == '1'"), false);
  t.equal(run('1 == 1.0'), true);
  t.equal(run('True == 1'), false);
});

t.test('evaluation errors carry the column of the failing operation', async (t) => {
  t.match(evaluationError("x + int('abc')", { x: 1 }), { column: 5, reason: /^int\(\): string is not an integer literal$/ });
  t.match(evaluationError('n.lower()', { n: 5 }), { column: 3, reason: /\.lower\(\): argument must be a string, not integer/ });
  t.match(evaluationError("'abc'['x']"), { column: 6, reason: /string index must be an integer/ });
});

t.test('sandbox: no prototype, global or host access', async (t) => {
  const record = JSON.parse('{"id": 1, "__proto__": {"polluted": true}, "nested": {}}') as Record<string, unknown>;
  t.equal(run('constructor', {}), null, 'a bare name never reaches Object.prototype');
  t.equal(run('record.constructor', {}), null);
  t.equal(run("_['constructor']", {}), null);
  t.equal(run('nested.constructor', record), null);
  t.equal(run('nested.__proto__', record), null);
  t.equal(run("get(record, 'toString')", {}), null);
  t.same(run('__proto__', record), { polluted: true }, 'an own "__proto__" key is plain data');
  t.equal(run('process', {}), null, 'host globals are not names');
  t.equal(run('globalThis', {}), null);
  t.match(evaluationError('[].constructor'), { reason: /array index must be an integer/ });
  t.match(evaluationError("'s'.constructor"), { reason: /string index must be an integer/ });

  t.match(compileError("record.constructor.constructor('return process')()"), { reason: /only functions from the allow-list can be called/ });
  t.match(compileError("record.constructor.constructor('return process')"), { reason: /unknown method "\.constructor\(\)"/ });
  t.match(compileError("x.__defineGetter__('a', 1)"), { reason: /unknown method/ });
  t.match(compileError("eval('1')"), { column: 1, reason: /unknown function "eval"/ });
  t.match(compileError("Function('return 1')"), { reason: /unknown function "Function"/ });
  t.match(compileError("require('fs')"), { reason: /unknown function "require"/ });
  t.match(compileError('len.call(1)'), { reason: /unknown method "\.call\(\)"/ });
  t.match(compileError('(md5)(1)'), { reason: /only functions from the allow-list/ });
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
});

t.test('the implementation never evaluates code', async (t) => {
  const directory = fileURLToPath(new URL('../../src/stream-maps/', import.meta.url));
  const sources = readdirSync(directory).filter((name) => name.endsWith('.ts'));
  t.ok(sources.length >= 8, 'found the sources');
  for (const name of sources) {
    const text = readFileSync(directory + name, 'utf8');
    t.notMatch(text, /\beval\s*\(|new\s+Function\b|\bFunction\s*\(|node:vm|from 'vm'/, `${name} has no eval, Function or vm`);
  }
});

t.test('arity is checked at compile time', async (t) => {
  t.match(compileError('md5()'), { column: 1, reason: /md5\(\) takes 1 argument, got 0/ });
  t.match(compileError("x + sha256(a, b, c)"), { column: 5, reason: /sha256\(\) takes 1 to 2 arguments, got 3/ });
  t.match(compileError('coalesce()'), { reason: /at least 1 argument/ });
  t.match(compileError('now(1)'), { reason: /now\(\) takes 0 arguments/ });
  t.match(compileError("x.split('a', 'b', 'c')"), { reason: /\.split\(\) takes 1 to 2 arguments, got 4/ });
});

t.test('unknown functions list what is available', async (t) => {
  const error = compileError('x + sha512(x)');
  t.equal(error.column, 5);
  t.match(error.reason, /unknown function "sha512" \(available: md5, sha256, hash, /);
});

t.test('a compiled expression can be evaluated many times and keeps no state', async (t) => {
  const expression = compileExpression("upper(name) + '-' + str(n * 2)");
  t.equal(expression.evaluate({ name: 'a', n: 1 }, null), 'A-2');
  t.equal(expression.evaluate({ name: 'b', n: 2 }, null), 'B-4');
  t.same(expression.references.map((reference) => [reference.name, reference.column]), [
    ['name', 7],
    ['n', 25],
  ]);
  t.equal(expression.usesSelf, false);
  t.equal(compileExpression('self + 1').usesSelf, true);
});
