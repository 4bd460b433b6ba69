import { FatalError, type JsonSchema } from '@singer-io-ts/sdk';
import t from 'tap';
import { flattenRecord, flattenSchema } from '../src/flatten.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** How a lossless JSON parser hands over a number a double would change. */
class LosslessNumber {
  constructor(readonly text: string) {}
}

const str: JsonSchema = { type: ['string', 'null'] };
const num: JsonSchema = { type: ['number', 'null'] };
const geo: JsonSchema = { type: ['object', 'null'], properties: { lat: num, lng: num } };
const address: JsonSchema = { type: ['object', 'null'], properties: { city: str, geo } };
const tags: JsonSchema = { type: 'array', items: { type: 'object', properties: { name: str } } };
const customer: JsonSchema = deepFreeze({ type: 'object', properties: { id: { type: 'integer' }, address, tags } });

t.test('flattenSchema', async (t) => {
  const cases: Array<[name: string, schema: JsonSchema, maxDepth: number, expected: Record<string, JsonSchema>]> = [
    ['depth 0 keeps objects whole', customer, 0, { id: { type: 'integer' }, address, tags }],
    ['depth 1 spreads the first level; arrays never spread', customer, 1, { id: { type: 'integer' }, address__city: str, address__geo: geo, tags }],
    ['depth 2 spreads the second level', customer, 2, { id: { type: 'integer' }, address__city: str, address__geo__lat: num, address__geo__lng: num, tags }],
    ['unbounded depth', customer, Infinity, { id: { type: 'integer' }, address__city: str, address__geo__lat: num, address__geo__lng: num, tags }],
    [
      'a nullable object written as anyOf spreads',
      { properties: { a: { anyOf: [{ type: 'null' }, { type: 'object', properties: { b: str } }] } } },
      1,
      { a__b: str },
    ],
    ['an object without properties stays whole', { properties: { meta: { type: 'object' } } }, 1, { meta: { type: 'object' } }],
    ['an object with no properties stays whole', { properties: { meta: { type: 'object', properties: {} } } }, 1, { meta: { type: 'object', properties: {} } }],
    [
      'an object-or-string union stays whole',
      { properties: { a: { type: ['object', 'string'], properties: { b: str } } } },
      1,
      { a: { type: ['object', 'string'], properties: { b: str } } },
    ],
    ['an untyped schema with properties stays whole', { properties: { a: { properties: { b: str } } } }, 1, { a: { properties: { b: str } } }],
    [
      'an object with x-sql-datatype stays whole',
      { properties: { a: { type: 'object', properties: { b: str }, 'x-sql-datatype': 'jsonb' } } },
      1,
      { a: { type: 'object', properties: { b: str }, 'x-sql-datatype': 'jsonb' } },
    ],
    ['a schema without properties has no columns', { type: 'object' }, 1, {}],
  ];
  for (const [name, schema, maxDepth, expected] of cases) t.strictSame(flattenSchema(schema, maxDepth), expected, name);

  t.strictSame(Object.keys(flattenSchema(customer, 2)), ['id', 'address__city', 'address__geo__lat', 'address__geo__lng', 'tags'], 'columns keep property order');
  t.not(flattenSchema(customer, 0), customer.properties, 'a new object even at depth 0');
});

t.test('flattenSchema resolves name collisions without losing a property', async (t) => {
  const cases: Array<[name: string, properties: Record<string, JsonSchema>, maxDepth: number, expected: string[]]> = [
    ['an explicit a__b wins; a stays whole', { a__b: num, a: { type: 'object', properties: { b: str, c: str } } }, 1, ['a__b', 'a']],
    ['same when the explicit property comes last', { a: { type: 'object', properties: { b: str } }, a__b: num }, 1, ['a', 'a__b']],
    [
      'as many properties on both sides: both stay whole',
      { a: { type: 'object', properties: { b__c: str } }, a__b: { type: 'object', properties: { c: str } } },
      1,
      ['a', 'a__b'],
    ],
    [
      'keeping an object whole can collide again, and is resolved again',
      { x__a__b: num, x__a: num, x: { type: 'object', properties: { a: { type: 'object', properties: { b: str } }, y: str } } },
      2,
      ['x__a__b', 'x__a', 'x'],
    ],
    [
      'only the object holding the loser stays whole',
      { x: { type: 'object', properties: { a__b: num, a: { type: 'object', properties: { b: str } }, y: str } } },
      2,
      ['x__a__b', 'x__a', 'x__y'],
    ],
  ];
  for (const [name, properties, maxDepth, expected] of cases) t.strictSame(Object.keys(flattenSchema({ properties }, maxDepth)), expected, name);
});

t.test('flattenSchema does not mutate its input and rejects bad depths', async (t) => {
  const schema = deepFreeze(structuredClone(customer));
  t.doesNotThrow(() => flattenSchema(schema, 2), 'works on a frozen schema');
  t.strictSame(schema, customer);
  for (const depth of [-1, 1.5, Number.NaN]) t.throws(() => flattenSchema(customer, depth), RangeError, `depth ${depth}`);
});

t.test('a __proto__ property is a column like any other', async (t) => {
  const schema = JSON.parse('{"properties": {"__proto__": {"type": "string"}, "o": {"type": "object", "properties": {"__proto__": {"type": "integer"}}}}}') as JsonSchema;
  const columns = flattenSchema(schema, 1);
  t.strictSame(Object.keys(columns), ['__proto__', 'o____proto__']);
  t.equal(Object.getPrototypeOf(columns), Object.prototype);

  const record = JSON.parse('{"__proto__": "x", "o": {"__proto__": 1}}') as Record<string, unknown>;
  for (const flat of [flattenRecord(record, 1, schema), flattenRecord(record, 1)]) {
    t.strictSame(Object.keys(flat), ['__proto__', 'o____proto__']);
    t.equal(Object.getPrototypeOf(flat), Object.prototype);
    t.equal(Object.getOwnPropertyDescriptor(flat, '__proto__')?.value, 'x');
  }
});

t.test('flattenRecord with the schema', async (t) => {
  const full = { id: 1, address: { city: 'Zürich', geo: { lat: 47.37, lng: 8.54 } }, tags: [{ name: 'vip' }] };
  const cases: Array<[name: string, record: Record<string, unknown>, maxDepth: number, expected: Record<string, unknown>]> = [
    ['depth 1', full, 1, { id: 1, address__city: 'Zürich', address__geo: { lat: 47.37, lng: 8.54 }, tags: [{ name: 'vip' }] }],
    ['depth 2', full, 2, { id: 1, address__city: 'Zürich', address__geo__lat: 47.37, address__geo__lng: 8.54, tags: [{ name: 'vip' }] }],
    ['a null object nulls all its columns', { id: 2, address: null }, 2, { id: 2, address__city: null, address__geo__lat: null, address__geo__lng: null }],
    ['a null object inside a spread one', { id: 3, address: { city: 'Bern', geo: null } }, 2, { id: 3, address__city: 'Bern', address__geo__lat: null, address__geo__lng: null }],
    ['a null object kept whole stays null', { id: 3, address: { geo: null } }, 1, { id: 3, address__geo: null }],
    ['an absent object adds no columns', { id: 4 }, 2, { id: 4 }],
    ['absent nested properties add no columns', { id: 5, address: {} }, 2, { id: 5 }],
    ['unknown properties keep their flattened names', { id: 6, extra: true, address: { zip: '8001' } }, 1, { id: 6, extra: true, address__zip: '8001' }],
    ['an unknown key does not overwrite a schema column', { address__city: 'stray', address: { city: 'Basel' } }, 1, { address__city: 'Basel' }],
    ['in either order', { address: { city: 'Basel' }, address__city: 'stray' }, 1, { address__city: 'Basel' }],
  ];
  for (const [name, record, maxDepth, expected] of cases) t.strictSame(flattenRecord(deepFreeze(record), maxDepth, customer), expected, name);
});

t.test('flattenRecord follows flattenSchema on collisions', async (t) => {
  const schema: JsonSchema = { properties: { a__b: num, a: { type: 'object', properties: { b: str } } } };
  const record = { a__b: 1, a: { b: 'two' } };
  t.strictSame(Object.keys(flattenSchema(schema, 1)), ['a__b', 'a']);
  t.strictSame(flattenRecord(record, 1, schema), { a__b: 1, a: { b: 'two' } });
});

t.test('flattenRecord rejects a non-object where the schema spreads an object', async (t) => {
  const cases: Array<[got: unknown, message: string]> = [
    ['Main St 1', 'property "address" is of type string, but its schema says object, flattened into columns address__city, address__geo__lat, address__geo__lng'],
    [[{ city: 'Bern' }], 'property "address" is of type array, but its schema says object, flattened into columns address__city, address__geo__lat, address__geo__lng'],
    [new LosslessNumber('1'), 'property "address" is of type LosslessNumber, but its schema says object, flattened into columns address__city, address__geo__lat, address__geo__lng'],
  ];
  for (const [got, message] of cases) t.throws(() => flattenRecord({ id: 1, address: got }, 2, customer), new FatalError(message), message);
  t.throws(() => flattenRecord({ address: { geo: 5 } }, 2, customer), { message: /^property "address\.geo" is of type number,/ }, 'names the nested path');
});

t.test('flattenRecord returns the record itself when nothing spreads', async (t) => {
  const record = { id: 1, address: { city: 'Bern' } };
  t.equal(flattenRecord(record, 0, customer), record, 'depth 0 with a schema');
  t.equal(flattenRecord(record, 0), record, 'depth 0 without a schema');
  t.equal(flattenRecord(record, 3, { properties: { id: num, address: { type: 'object' } } }), record, 'no object in the schema spreads');
  t.not(flattenRecord(record, 1, customer), record, 'a new object when something spreads');
});

t.test('flattenRecord without a schema spreads every object within the depth', async (t) => {
  const price = new LosslessNumber('12345678901234567890.01');
  const cases: Array<[name: string, record: Record<string, unknown>, maxDepth: number, expected: Record<string, unknown>]> = [
    ['depth 1', { id: 1, a: { b: { c: 1 }, d: null } }, 1, { id: 1, a__b: { c: 1 }, a__d: null }],
    ['depth 2', { id: 1, a: { b: { c: 1 }, d: null } }, 2, { id: 1, a__b__c: 1, a__d: null }],
    ['arrays never spread', { list: [{ a: 1 }] }, 2, { list: [{ a: 1 }] }],
    ['lossless numbers are values, not objects', { price, o: { price } }, 2, { price, o__price: price }],
  ];
  for (const [name, record, maxDepth, expected] of cases) t.strictSame(flattenRecord(deepFreeze(record), maxDepth), expected, name);
  t.equal(flattenRecord({ price }, 1).price, price, 'the same instance');

  t.throws(() => flattenRecord({ a__b: 1, a: { b: 2 } }, 1), new FatalError('properties "a__b" and "a.b" both flatten to column "a__b"; pass the stream schema to resolve this'));
  t.throws(() => flattenRecord({ a: 1 }, -1), RangeError);
});

t.test('flattenRecord columns match flattenSchema columns', async (t) => {
  const record = { id: 1, address: { city: 'Lugano', geo: { lat: 46, lng: 8.95 } }, tags: [] };
  for (const depth of [0, 1, 2, 3]) {
    t.strictSame(Object.keys(flattenRecord(record, depth, customer)), Object.keys(flattenSchema(customer, depth)), `depth ${depth}`);
  }
});
