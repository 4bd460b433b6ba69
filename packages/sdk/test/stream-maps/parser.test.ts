import t from 'tap';
import { compileExpression, MapExpressionError } from '../../src/stream-maps/index.js';
import { parseExpression } from '../../src/stream-maps/parser.js';
import { tokenize } from '../../src/stream-maps/tokenizer.js';

const run = (source: string, record: Record<string, unknown> = {}, config: Record<string, unknown> = {}) =>
  compileExpression(source, { config }).evaluate(record, null);

function compileError(source: string): MapExpressionError {
  try {
    compileExpression(source);
  } catch (error) {
    if (error instanceof MapExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
}

t.test('tokenizer reports the column of every token', async (t) => {
  t.same(
    tokenize("a.b >= 'x'").map((token) => [token.kind, token.text, token.column]),
    [
      ['name', 'a', 1],
      ['operator', '.', 2],
      ['name', 'b', 3],
      ['operator', '>=', 5],
      ['string', 'x', 8],
      ['end', '', 11],
    ],
  );
  t.same(tokenize('7 // 2').map((token) => token.text), ['7', '//', '2', '']);
});

t.test('arithmetic precedence and associativity', async (t) => {
  t.equal(run('1 + 2 * 3'), 7);
  t.equal(run('(1 + 2) * 3'), 9);
  t.equal(run('10 - 4 - 3'), 3, 'left associative');
  t.equal(run('2 * 3 % 4'), 2);
  t.equal(run('-2 * 3'), -6);
  t.equal(run('- -2'), 2);
  t.equal(run('7 // 2'), 3);
  t.equal(run('7 / 2'), 3.5);
  t.equal(run('1 + 2 == 3'), true, 'arithmetic binds tighter than comparison');
});

t.test('boolean operators: not below comparisons, and above or, ! binds tight', async (t) => {
  t.equal(run('not 1 == 2'), true, 'not (1 == 2)');
  t.equal(run('True or False and False'), true, 'and binds tighter than or');
  t.equal(run('(True or False) and False'), false);
  t.equal(run('!false && false'), false, '(!false) && false');
  t.equal(run('false || !false'), true);
  t.equal(run('not not 1'), true);
});

t.test('literals: numbers, both quote styles, Python and JSON constants', async (t) => {
  t.equal(run('1.5e2'), 150);
  t.equal(run('.5'), 0.5);
  t.equal(run('"double"'), 'double');
  t.equal(run("'single'"), 'single');
  t.equal(run('True'), true);
  t.equal(run('false'), false);
  t.equal(run('None'), null);
  t.equal(run('null'), null);
  t.same(run("[1, 'a', None]"), [1, 'a', null]);
  t.same(run('[]'), []);
});

t.test('string escapes', async (t) => {
  t.equal(run(String.raw`'it\'s'`), "it's");
  t.equal(run(String.raw`"say \"hi\""`), 'say "hi"');
  t.equal(run(String.raw`'a\tb\nc\\d'`), 'a\tb\nc\\d');
  t.equal(run(String.raw`'\x41\u00e9\U0001F600'`), 'Aé😀');
  t.equal(run(`'it"s'`), 'it"s', 'the other quote needs no escape');
  t.match(compileError(String.raw`'bad \q'`), { column: 6, reason: /invalid escape sequence "\\q"/ });
  t.match(compileError(String.raw`'\u12'`), { column: 2, reason: /invalid escape/ });
});

t.test('Python-style and C-style conditionals', async (t) => {
  t.equal(run("'big' if x > 10 else 'small'", { x: 11 }), 'big');
  t.equal(run("'big' if x > 10 else 'small'", { x: 3 }), 'small');
  t.equal(run("x > 10 ? 'big' : 'small'", { x: 3 }), 'small');
  t.equal(run("'a' if x == 1 else 'b' if x == 2 else 'c'", { x: 2 }), 'b', 'else branch nests to the right');
  t.equal(run("x == 1 ? 'a' : x == 2 ? 'b' : 'c'", { x: 3 }), 'c');
  t.equal(run("1 + 1 if False else 5"), 5, 'the conditional binds loosest');
});

t.test('comparisons chain like Python', async (t) => {
  t.equal(run('0 < x <= 10', { x: 10 }), true);
  t.equal(run('0 < x <= 10', { x: 11 }), false);
  t.equal(run('0 < x <= 10', { x: 0 }), false);
  t.equal(run('1 == 1 == 1'), true);
});

t.test('in, not in, is, is not', async (t) => {
  t.equal(run("status in ['open', 'pending']", { status: 'open' }), true);
  t.equal(run("status not in ['open', 'pending']", { status: 'open' }), false);
  t.equal(run("'@' in email", { email: 'a@b' }), true);
  t.equal(run("'id' in record", { id: 1 }), true);
  t.equal(run("'nope' in record", { id: 1 }), false);
  t.equal(run('x is None', {}), true);
  t.equal(run('x is not None', { x: 0 }), true);
});

t.test('member access, indexes and slices', async (t) => {
  const record = { user: { name: 'Ann', tags: ['a', 'b', 'c'] }, 'full name': 'Ann Lee' };
  t.equal(run('user.name', record), 'Ann');
  t.equal(run("user['name']", record), 'Ann');
  t.equal(run('user.tags[0]', record), 'a');
  t.equal(run('user.tags[-1]', record), 'c');
  t.same(run('user.tags[1:]', record), ['b', 'c']);
  t.equal(run("record['full name']", record), 'Ann Lee');
  t.equal(run("_['full name'][:3]", record), 'Ann');
  t.equal(run("_['full name'][-3:]", record), 'Lee');
  t.equal(run('user.missing', record), null, 'a missing key reads as null');
  t.equal(run('user.tags[9]', record), null, 'an index out of range reads as null');
  t.equal(run('nothing.deeper.still', record), null, 'member access on null is null');
});

t.test('Python-style methods map to allow-listed functions', async (t) => {
  t.equal(run("email.split('@')[-1]", { email: 'jo@example.com' }), 'example.com');
  t.equal(run('name.lower()', { name: 'ABC' }), 'abc');
  t.equal(run('name.strip().upper()', { name: '  abc ' }), 'ABC');
  t.equal(run("email.endswith('@example.com')", { email: 'jo@example.com' }), true);
  t.equal(run("record.get('missing', 'fallback')", {}), 'fallback');
});

t.test('syntax errors name the column', async (t) => {
  t.match(compileError('1 +'), { column: 4, reason: /unexpected end of expression/ });
  t.match(compileError('a b'), { column: 3, reason: /unexpected "b"/ });
  t.match(compileError("'unterminated"), { column: 1, reason: /unterminated string/ });
  t.match(compileError('(1 + 2'), { column: 7, reason: /expected "\)" but found end of expression/ });
  t.match(compileError('x if y'), { column: 7, reason: /expected "else"/ });
  t.match(compileError('a ? b'), { column: 6, reason: /expected ":"/ });
  t.match(compileError('email @ 2'), { column: 7, reason: /unexpected character "@"/ });
  t.match(compileError(''), { column: 1, reason: /empty expression/ });
  t.match(compileError('12abc'), { column: 1, reason: /invalid number/ });
  t.match(compileError('a = 1'), { column: 3, reason: /unexpected character "="/ });
});

t.test('nesting is bounded', async (t) => {
  t.equal(run(`${'('.repeat(40)}1${')'.repeat(40)}`), 1);
  t.throws(() => parseExpression(`${'('.repeat(500)}1${')'.repeat(500)}`), /nested deeper than/);
});
