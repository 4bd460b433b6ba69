import type { JsonSchema } from '@singer-io-ts/sdk';
import t from 'tap';
import { alterUsing, isPgType, mergeTypes, PG_TYPES, pgTypeFor, registerFormat, widensInPlace, type PgType } from '../src/type-map.js';

/** How a lossless JSON parser hands over a number a double would change: an object carrying its text. */
class LosslessNumber {
  constructor(readonly text: string) {}
}
const exact = (text: string) => new LosslessNumber(text) as unknown as number;

// JSON.parse turns 2^63-1 into 2^63: these are the doubles tap-postgres bigint bounds become.
const { maximum: parsedBigintMax, minimum: parsedBigintMin } = JSON.parse('{"maximum": 9223372036854775807, "minimum": -9223372036854775808}') as {
  maximum: number;
  minimum: number;
};

const cases: Array<[name: string, schema: JsonSchema, expected: PgType]> = [
  // strings and their formats
  ['string', { type: 'string' }, 'text'],
  ['nullable string', { type: ['string', 'null'] }, 'text'],
  ['date-time string', { type: 'string', format: 'date-time' }, 'timestamptz'],
  ['nullable date-time string, null first (singer-python style)', { type: ['null', 'string'], format: 'date-time' }, 'timestamptz'],
  ['date string', { type: 'string', format: 'date' }, 'date'],
  ['time string', { type: 'string', format: 'time' }, 'time'],
  ['unregistered format', { type: 'string', format: 'uuid' }, 'text'],
  ['format on a non-string type is ignored', { type: 'integer', format: 'date-time' }, 'bigint'],
  ['enum of strings with a type', { type: 'string', enum: ['Open', 'Closed Won'] }, 'text'],
  ['maxLength does not make varchar', { type: 'string', maxLength: 18 }, 'text'],
  // integers
  ['integer', { type: 'integer' }, 'bigint'],
  ['nullable integer', { type: ['integer', 'null'] }, 'bigint'],
  ['small bounds stay bigint (never smallint/integer)', { type: 'integer', minimum: 0, maximum: 100 }, 'bigint'],
  ['tap-postgres bigint bounds after JSON.parse', { type: 'integer', minimum: parsedBigintMin, maximum: parsedBigintMax }, 'bigint'],
  ['unsigned bigint maximum (tap-mysql)', { type: 'integer', minimum: 0, maximum: 18446744073709551615 }, 'numeric'],
  ['huge maximum', { type: ['null', 'integer'], maximum: 1e20 }, 'numeric'],
  ['huge negative minimum', { type: 'integer', minimum: -1e19 }, 'numeric'],
  ['exclusiveMaximum 2^63 allows at most 2^63-1', { type: 'integer', exclusiveMaximum: 2 ** 63 }, 'bigint'],
  ['huge exclusiveMaximum', { type: 'integer', exclusiveMaximum: 1e19 }, 'numeric'],
  ['huge negative exclusiveMinimum', { type: 'integer', exclusiveMinimum: -1e19 }, 'numeric'],
  ['draft-4 boolean exclusiveMaximum', { type: 'integer', maximum: 10, exclusiveMaximum: true }, 'bigint'],
  ['integer multipleOf', { type: 'integer', multipleOf: 5 }, 'bigint'],
  ['exact maximum 2^63-1', { type: 'integer', maximum: exact('9223372036854775807') }, 'bigint'],
  ['exact maximum 2^63', { type: 'integer', maximum: exact('9223372036854775808') }, 'numeric'],
  ['exact exclusiveMaximum 2^63', { type: 'integer', exclusiveMaximum: exact('9223372036854775808') }, 'bigint'],
  ['exact exclusiveMaximum 2^63+1', { type: 'integer', exclusiveMaximum: exact('9223372036854775809') }, 'numeric'],
  ['exact minimum -2^63', { type: 'integer', minimum: exact('-9223372036854775808') }, 'bigint'],
  ['exact minimum -2^63-1', { type: 'integer', minimum: exact('-9223372036854775809') }, 'numeric'],
  ['exact exclusiveMinimum -2^63-1', { type: 'integer', exclusiveMinimum: exact('-9223372036854775809') }, 'bigint'],
  ['exact exclusiveMinimum -2^63-2', { type: 'integer', exclusiveMinimum: exact('-9223372036854775810') }, 'numeric'],
  ['exact decimal maximum beyond bigint', { type: 'integer', maximum: exact('1.5e30') }, 'numeric'],
  // numbers, booleans, containers
  ['number', { type: 'number' }, 'numeric'],
  ['number with multipleOf (currency)', { type: ['null', 'number'], multipleOf: 0.01 }, 'numeric'],
  ['number with a tiny multipleOf (tap-salesforce double)', { type: ['null', 'number'], multipleOf: 1e-15 }, 'numeric'],
  ['boolean', { type: ['boolean', 'null'] }, 'boolean'],
  ['object', { type: 'object', properties: { city: { type: 'string' } } }, 'jsonb'],
  ['array', { type: ['array', 'null'], items: { type: 'string' } }, 'jsonb'],
  ['empty schema', {}, 'jsonb'],
  ['schema with no type', { description: 'anything' }, 'jsonb'],
  ['only null', { type: 'null' }, 'text'],
  ['empty type list', { type: [] }, 'text'],
  // multi-type unions
  ['integer or number', { type: ['integer', 'number', 'null'] }, 'numeric'],
  ['string or integer', { type: ['string', 'integer'] }, 'text'],
  ['boolean or integer', { type: ['boolean', 'integer'] }, 'text'],
  ['date-time and integer', { type: ['string', 'integer'], format: 'date-time' }, 'text'],
  ['string or object', { type: ['string', 'object'] }, 'jsonb'],
  ['array or string', { type: ['array', 'string', 'null'] }, 'jsonb'],
  // anyOf / oneOf / allOf
  ['tap-salesforce datetime anyOf', { anyOf: [{ type: 'string', format: 'date-time' }, { type: ['string', 'null'] }] }, 'text'],
  ['nullable date-time as anyOf', { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] }, 'timestamptz'],
  ['date or date-time', { anyOf: [{ type: 'string', format: 'date' }, { type: 'string', format: 'date-time' }] }, 'timestamptz'],
  ['date or time', { anyOf: [{ type: 'string', format: 'date' }, { type: 'string', format: 'time' }] }, 'text'],
  ['oneOf integer or number', { oneOf: [{ type: 'integer' }, { type: 'number' }] }, 'numeric'],
  ['anyOf integer or boolean', { anyOf: [{ type: 'integer' }, { type: 'boolean' }] }, 'text'],
  ['anyOf with an unconstrained member', { anyOf: [{ type: 'integer' }, {}] }, 'jsonb'],
  ['anyOf of object and scalar', { anyOf: [{ type: 'object' }, { type: 'number' }] }, 'jsonb'],
  ['anyOf of only null', { anyOf: [{ type: 'null' }] }, 'text'],
  ['nested anyOf', { anyOf: [{ anyOf: [{ type: 'integer' }, { type: 'null' }] }, { type: 'number' }] }, 'numeric'],
  ['allOf merges its members', { allOf: [{ type: 'integer' }, { type: 'integer', minimum: 0 }] }, 'bigint'],
  ['type wins over the anyOf it narrows', { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] }, 'text'],
  // enum / const without a type
  ['untyped enum of strings', { enum: ['a', 'b', null] }, 'text'],
  ['untyped enum of integers', { enum: [1, 2, 3] }, 'bigint'],
  ['untyped enum with a decimal', { enum: [1, 2.5] }, 'numeric'],
  ['untyped enum with an integer beyond bigint', { enum: [1, 1e19] }, 'numeric'],
  ['untyped enum of exact integers', { enum: [exact('9007199254740993')] }, 'bigint'],
  ['untyped enum of an exact integer beyond bigint', { enum: [exact('9223372036854775808')] }, 'numeric'],
  ['untyped enum of an exact decimal', { enum: [exact('0.10000000000000000001')] }, 'numeric'],
  ['untyped enum of an exact decimal with an integral value', { enum: [exact('9007199254740993.0')] }, 'numeric'],
  ['untyped enum of mixed scalars', { enum: ['a', 1] }, 'text'],
  ['untyped enum with an object', { enum: ['a', { b: 1 }] }, 'jsonb'],
  ['const boolean', { const: true }, 'boolean'],
  // x-sql-datatype
  ['x-sql-datatype naming one of our types', { type: 'string', 'x-sql-datatype': 'jsonb' }, 'jsonb'],
  ['x-sql-datatype is trimmed and case-insensitive', { type: 'string', 'x-sql-datatype': ' TimestampTZ ' }, 'timestamptz'],
  ['x-sql-datatype outside our set is ignored', { type: 'integer', 'x-sql-datatype': 'smallint' }, 'bigint'],
  ['pgvector x-sql-datatype is ignored', { type: 'array', items: { type: 'number' }, 'x-sql-datatype': 'vector(3)' }, 'jsonb'],
  ['x-sql-datatype inside an anyOf member', { anyOf: [{ type: 'string', 'x-sql-datatype': 'date' }, { type: 'null' }] }, 'date'],
];

t.test('pgTypeFor', async (t) => {
  for (const [name, schema, expected] of cases) t.equal(pgTypeFor(schema), expected, name);
});

t.test('pgTypeFor does not mutate the schema', async (t) => {
  const schema: JsonSchema = { anyOf: [{ type: 'string', format: 'date-time' }, { type: ['string', 'null'] }] };
  const before = structuredClone(schema);
  pgTypeFor(schema);
  t.strictSame(schema, before);
});

t.test('mergeTypes', async (t) => {
  const pairs: Array<[PgType, PgType, PgType]> = [
    ['bigint', 'bigint', 'bigint'],
    ['bigint', 'numeric', 'numeric'],
    ['date', 'timestamptz', 'timestamptz'],
    ['date', 'time', 'text'],
    ['time', 'timestamptz', 'text'],
    ['boolean', 'bigint', 'text'],
    ['numeric', 'date', 'text'],
    ['timestamptz', 'text', 'text'],
    ['text', 'jsonb', 'jsonb'],
    ['boolean', 'jsonb', 'jsonb'],
  ];
  for (const [a, b, expected] of pairs) {
    t.equal(mergeTypes(a, b), expected, `${a} + ${b}`);
    t.equal(mergeTypes(b, a), expected, `${b} + ${a}`);
  }
});

t.test('mergeTypes is the least upper bound of the widening order', async (t) => {
  for (const a of PG_TYPES) {
    t.equal(mergeTypes(a, a), a, `${a} is idempotent`);
    for (const b of PG_TYPES) {
      const merged = mergeTypes(a, b);
      t.equal(mergeTypes(b, a), merged, `${a}, ${b}: commutative`);
      t.ok(widensInPlace(a, merged) && widensInPlace(b, merged), `${a}, ${b}: both widen in place to ${merged}`);
      for (const c of PG_TYPES) {
        t.equal(mergeTypes(merged, c), mergeTypes(a, mergeTypes(b, c)), `${a}, ${b}, ${c}: associative`);
        if (widensInPlace(a, c) && widensInPlace(b, c)) t.ok(widensInPlace(merged, c), `${merged} is no wider than ${c}`);
      }
    }
  }
});

t.test('widensInPlace', async (t) => {
  const widening: Array<[PgType, PgType, boolean]> = [
    ['bigint', 'bigint', true],
    ['bigint', 'numeric', true],
    ['numeric', 'bigint', false],
    ['date', 'timestamptz', true],
    ['timestamptz', 'date', false],
    ['time', 'timestamptz', false],
    ['boolean', 'bigint', false],
    ['boolean', 'text', true],
    ['timestamptz', 'text', true],
    ['text', 'bigint', false],
    ['text', 'jsonb', true],
    ['numeric', 'jsonb', true],
    ['jsonb', 'text', false],
  ];
  for (const [from, to, expected] of widening) t.equal(widensInPlace(from, to), expected, `${from} -> ${to}`);
});

t.test('alterUsing', async (t) => {
  const column = '"Amount"';
  const expressions: Array<[PgType, PgType, string]> = [
    ['bigint', 'bigint', '"Amount"'],
    ['bigint', 'numeric', '"Amount"::numeric'],
    ['date', 'timestamptz', `("Amount"::timestamp AT TIME ZONE 'UTC')`],
    ['boolean', 'text', '"Amount"::text'],
    ['bigint', 'text', '"Amount"::text'],
    ['numeric', 'text', '"Amount"::text'],
    ['time', 'text', '"Amount"::text'],
    ['date', 'text', `(to_jsonb("Amount") #>> '{}')`],
    ['timestamptz', 'text', `(to_jsonb("Amount") #>> '{}')`],
    ['text', 'jsonb', 'to_jsonb("Amount")'],
    ['boolean', 'jsonb', 'to_jsonb("Amount")'],
    ['timestamptz', 'jsonb', 'to_jsonb("Amount")'],
  ];
  for (const [from, to, expected] of expressions) t.equal(alterUsing(column, from, to), expected, `${from} -> ${to}`);

  t.equal(alterUsing('"a$&b$$"', 'date', 'text'), `(to_jsonb("a$&b$$") #>> '{}')`, 'replacement patterns in a name stay literal');
  for (const [from, to] of [['numeric', 'bigint'], ['text', 'boolean'], ['jsonb', 'text'], ['timestamptz', 'date']] as const) {
    t.throws(() => alterUsing(column, from, to), { message: `cannot widen a ${from} column to ${to} in place without losing values` });
  }
});

t.test('every in-place widening has a USING expression', async (t) => {
  for (const from of PG_TYPES) {
    for (const to of PG_TYPES) {
      if (widensInPlace(from, to)) t.doesNotThrow(() => alterUsing('"c"', from, to), `${from} -> ${to}`);
    }
  }
});

t.test('registerFormat', async (t) => {
  const epochDate: JsonSchema = { type: ['string', 'null'], format: 'x-epoch-date' };
  t.equal(pgTypeFor(epochDate), 'text', 'unknown before registration');
  const unregister = registerFormat('x-epoch-date', 'date');
  t.equal(pgTypeFor(epochDate), 'date');
  t.equal(pgTypeFor({ anyOf: [epochDate, { type: 'string', format: 'date-time' }] }), 'timestamptz', 'merges like a built-in format');
  unregister();
  t.equal(pgTypeFor(epochDate), 'text', 'unregistered again');

  const restore = registerFormat('date-time', 'text');
  t.teardown(restore);
  t.equal(pgTypeFor({ type: 'string', format: 'date-time' }), 'text', 'a built-in format can be overridden');
  restore();
  t.equal(pgTypeFor({ type: 'string', format: 'date-time' }), 'timestamptz', 'and restored');
});

t.test('isPgType', async (t) => {
  const checks: Array<[unknown, boolean]> = [
    ['jsonb', true],
    ['timestamptz', true],
    ['double precision', false],
    ['varchar(255)', false],
    ['integer', false],
    [undefined, false],
  ];
  for (const [value, expected] of checks) t.equal(isPgType(value), expected, String(value));
});
