import t from 'tap';
import type { JsonSchema } from '../../src/protocol/messages.js';
import { compileExpression } from '../../src/stream-maps/index.js';

const source: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    email: { type: ['null', 'string'] },
    name: { type: 'string', maxLength: 80 },
    amount: { type: ['number', 'null'] },
    qty: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    address: { type: ['object', 'null'], properties: { city: { type: 'string' } } },
    'full name': { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    anything: {},
  },
};

const schemaOf = (expression: string, selfProperty?: string, config: Record<string, unknown> = {}) =>
  compileExpression(expression, { config }).resultSchema(source, selfProperty);

t.test('casts decide the type; null inputs keep null in the type', async (t) => {
  t.same(schemaOf('int(qty)'), { type: 'integer' });
  t.same(schemaOf('int(email)'), { type: ['integer', 'null'] });
  t.same(schemaOf('float(qty)'), { type: 'number' });
  t.same(schemaOf('str(id)'), { type: 'string' });
  t.same(schemaOf('bool(email)'), { type: 'boolean' }, 'bool() is never null');
});

t.test('string functions give strings', async (t) => {
  t.same(schemaOf('md5(name)'), { type: 'string' });
  t.same(schemaOf('sha256(email)'), { type: ['string', 'null'] });
  t.same(schemaOf('lower(name)'), { type: 'string' });
  t.same(schemaOf("name.upper()"), { type: 'string' });
  t.same(schemaOf('json(address)'), { type: 'string' });
  t.same(schemaOf("concat(email, 'x')"), { type: 'string' });
  t.same(schemaOf("split(name, ' ')"), { type: 'array', items: { type: 'string' } });
  t.same(schemaOf('len(name)'), { type: 'integer' });
});

t.test('comparisons and boolean operators give booleans', async (t) => {
  t.same(schemaOf('qty > 3'), { type: 'boolean' });
  t.same(schemaOf("'@' in email"), { type: 'boolean' });
  t.same(schemaOf('not email'), { type: 'boolean' });
  t.same(schemaOf("endswith(name, 'x')"), { type: 'boolean' });
});

t.test('a property passed through keeps its exact schema', async (t) => {
  t.same(schemaOf('name'), { type: 'string', maxLength: 80 });
  t.same(schemaOf('created_at'), { type: 'string', format: 'date-time' });
  t.same(schemaOf("record['full name']"), { type: 'string' });
  t.same(schemaOf('self', 'email'), { type: ['null', 'string'] });
  t.same(schemaOf('record'), source, 'the whole record is an object with the source schema');
  t.same(schemaOf('address.city'), { type: ['string', 'null'] }, 'a member of a nullable object may be null');
  t.same(schemaOf('tags[0]'), { type: ['string', 'null'] });
});

t.test('the result schema is a copy, not the source schema', async (t) => {
  const schema = schemaOf('name');
  schema.maxLength = 1;
  t.equal(source.properties?.name?.maxLength, 80);
});

t.test('arithmetic follows its operands', async (t) => {
  t.same(schemaOf('qty * 2'), { type: 'integer' });
  t.same(schemaOf('qty / 2'), { type: 'number' });
  t.same(schemaOf('amount + qty'), { type: ['number', 'null'] });
  t.same(schemaOf("name + '!'"), { type: 'string' });
  t.same(schemaOf('-qty'), { type: 'integer' });
});

t.test('conditionals and or/and unite their branches', async (t) => {
  t.same(schemaOf("'a' if qty > 1 else 'b'"), { type: 'string' });
  t.same(schemaOf("qty if qty > 1 else 'none'"), { type: ['string', 'integer'] });
  t.same(schemaOf("email or 'unknown'"), { type: 'string' }, 'or never yields a falsy null left operand');
  t.same(schemaOf("coalesce(email, 'unknown')"), { type: 'string' });
  t.same(schemaOf('coalesce(email, amount)'), { type: ['string', 'number', 'null'] });
});

t.test('date functions carry the date-time format', async (t) => {
  t.same(schemaOf('now()'), { type: 'string', format: 'date-time' });
  t.same(schemaOf('datetime(created_at)'), { type: 'string', format: 'date-time' });
  t.same(schemaOf('datetime(email)'), { type: ['string', 'null'], format: 'date-time' });
});

t.test('config values are typed by their actual value', async (t) => {
  t.same(schemaOf("config['n']", undefined, { n: 3 }), { type: 'integer' });
  t.same(schemaOf("config['s']", undefined, { s: 'x' }), { type: 'string' });
});

t.test('unknown types are permissive ({}), never guessed', async (t) => {
  t.same(schemaOf('anything'), {});
  t.same(schemaOf('get(address, "city")'), {});
  t.same(schemaOf('anything + 1'), {});
  t.same(compileExpression('x').resultSchema(undefined), {}, 'no source schema known');
});
