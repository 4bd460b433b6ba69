import { createHash } from 'node:crypto';
import t from 'tap';
import { ConfigError, FatalError, SkippableRecordError } from '../../src/errors.js';
import type { RecordMessage, SchemaMessage } from '../../src/protocol/messages.js';
import {
  MapEvaluationError,
  SkippableMapEvaluationError,
  StreamMapper,
  streamMapSecrets,
  type StreamMapsConfig,
} from '../../src/stream-maps/index.js';

const customersSchema = (): SchemaMessage => ({
  type: 'SCHEMA',
  stream: 'customers',
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      email: { type: ['null', 'string'] },
      name: { type: 'string' },
      country: { type: 'string' },
      updated_at: { type: 'string', format: 'date-time' },
    },
    required: ['id', 'email'],
  },
  key_properties: ['id'],
  bookmark_properties: ['updated_at'],
});

const customer = (record: Record<string, unknown>, extra: Partial<RecordMessage> = {}): RecordMessage => ({ type: 'RECORD', stream: 'customers', record, ...extra });

const ann = { id: 1, email: 'Ann@Example.com', name: 'Ann', country: 'NZ', updated_at: '2024-01-01T00:00:00Z' };

function mapper(config: StreamMapsConfig, schema: SchemaMessage | undefined = customersSchema()): StreamMapper {
  const created = new StreamMapper(config);
  if (schema) created.mapSchema(schema);
  return created;
}

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

t.test('no stream_maps: identity, and records pass by reference', async (t) => {
  for (const config of [{}, { stream_maps: {} }, { stream_maps: null }, { stream_maps: { customers: {} } }] as StreamMapsConfig[]) {
    const identity = new StreamMapper(config);
    t.equal(identity.isIdentity, true, JSON.stringify(config));
    const schema = customersSchema();
    t.equal(identity.mapSchema(schema)[0], schema);
    const message = customer(ann);
    const mapped = identity.mapRecord(message);
    t.equal(mapped.length, 1);
    t.equal(mapped[0], message, 'the same message object: no copying on the hot path');
  }
  t.equal(new StreamMapper({ stream_maps: { other: { __alias__: 'x' } } }).isIdentity, false);
  t.equal(new StreamMapper({ stream_maps: { __else__: null } }).isIdentity, false);
});

t.test('__alias__ renames the stream in SCHEMA, RECORD and ACTIVATE_VERSION, keeping keys and extras', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { __alias__: 'customers_v2' } } });
  const [schema] = m.mapSchema(customersSchema());
  t.equal(schema?.stream, 'customers_v2');
  t.same(schema?.key_properties, ['id']);
  t.same(schema?.bookmark_properties, ['updated_at']);
  t.same(schema?.schema, customersSchema().schema);
  const [record] = m.mapRecord(customer(ann, { version: 7, time_extracted: '2024-05-01T00:00:00Z' }));
  t.same(record, { type: 'RECORD', stream: 'customers_v2', record: ann, version: 7, time_extracted: '2024-05-01T00:00:00Z' });
  t.same(m.mapStreamName('customers'), ['customers_v2']);
  t.same(m.outputStreams('orders'), ['orders'], 'other streams pass');
  t.same(m.mapActivateVersion({ type: 'ACTIVATE_VERSION', stream: 'customers', version: 3 }), [{ type: 'ACTIVATE_VERSION', stream: 'customers_v2', version: 3 }]);
});

t.test('__filter__ drops records for which it is falsy', async (t) => {
  const m = mapper({ stream_maps: { customers: { __filter__: "country == 'NZ' and email.endswith('.com')" } } });
  t.equal(m.mapRecord(customer(ann)).length, 1);
  t.equal(m.mapRecord(customer({ ...ann, country: 'AU' })).length, 0);
  t.equal(m.mapRecord(customer({ ...ann, email: null })).length, 0, 'null.endswith() is null, which is falsy');
});

t.test('properties: add, transform in place, drop; schema follows', async (t) => {
  const m = new StreamMapper({
    stream_maps: {
      customers: {
        email: null,
        email_domain: "email.split('@')[-1].lower()",
        name: 'upper(name)',
        id_text: 'str(id)',
        is_nz: "country == 'NZ'",
      },
    },
  });
  const [schema] = m.mapSchema(customersSchema());
  t.same(Object.keys(schema?.schema.properties ?? {}), ['id', 'name', 'country', 'updated_at', 'email_domain', 'id_text', 'is_nz'], 'in-place keeps its position, new ones are appended');
  t.same(schema?.schema.properties?.email_domain, { type: ['string', 'null'] });
  t.same(schema?.schema.properties?.id_text, { type: 'string' });
  t.same(schema?.schema.properties?.is_nz, { type: 'boolean' });
  t.same(schema?.schema.required, ['id'], 'required no longer lists the dropped property');
  const [record] = m.mapRecord(customer(ann));
  t.same(record?.record, { id: 1, name: 'ANN', country: 'NZ', updated_at: ann.updated_at, email_domain: 'example.com', id_text: '1', is_nz: true });
});

t.test('expressions see the input record, not the one being built', async (t) => {
  const m = mapper({ stream_maps: { customers: { name: "name + '!'", shout: "name + '?'", email: null, had_email: 'email is not None' } } });
  const [record] = m.mapRecord(customer(ann));
  t.equal(record?.record.shout, 'Ann?');
  t.equal(record?.record.had_email, true);
});

t.test('self is the current value of the property being mapped', async (t) => {
  const m = mapper({ stream_maps: { customers: { email: 'lower(self)', country: "self if self != 'NZ' else 'New Zealand'" } } });
  const [record] = m.mapRecord(customer(ann));
  t.equal(record?.record.email, 'ann@example.com');
  t.equal(record?.record.country, 'New Zealand');
});

t.test('the input message and record are never modified', async (t) => {
  const m = mapper({ stream_maps: { customers: { email: null, name: 'upper(name)', extra: '1' }, copy: { __source__: 'customers', __else__: null } } });
  const record = { ...ann };
  const message = customer(record, { version: 1 });
  const snapshot = structuredClone(message);
  const mapped = m.mapRecord(message);
  t.same(message, snapshot);
  t.equal(message.record, record);
  t.not(mapped[0]?.record, record);
  t.not(mapped[1]?.record, record);
});

t.test('__else__: null keeps only mentioned properties and the key', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { __else__: null, email_hash: 'md5(email)', name: 'name' } } });
  const [schema] = m.mapSchema(customersSchema());
  t.same(Object.keys(schema?.schema.properties ?? {}), ['id', 'email_hash', 'name']);
  t.same(schema?.key_properties, ['id']);
  t.same(schema?.schema.required, ['id']);
  t.equal(schema?.bookmark_properties, undefined, 'a bookmark property that is gone is not announced');
  const [record] = m.mapRecord(customer(ann));
  t.same(record?.record, { id: 1, email_hash: createHash('md5').update(ann.email).digest('hex'), name: 'Ann' });
});

t.test('a stream mapped to null is dropped everywhere', async (t) => {
  for (const drop of [null, '__NULL__'] as const) {
    const m = new StreamMapper({ stream_maps: { customers: drop as null } });
    t.same(m.mapSchema(customersSchema()), []);
    t.same(m.mapRecord(customer(ann)), []);
    t.same(m.mapStreamName('customers'), []);
    t.same(m.mapActivateVersion({ type: 'ACTIVATE_VERSION', stream: 'customers', version: 1 }), []);
    t.same(m.outputStreams('orders'), ['orders']);
  }
});

t.test('top-level __else__: null drops streams not named', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: {}, __else__: null } });
  t.same(m.outputStreams('customers'), ['customers']);
  t.same(m.outputStreams('orders'), []);
  t.same(m.mapRecord({ type: 'RECORD', stream: 'orders', record: { id: 1 } }), []);
});

t.test('__source__ fans one input out to several streams', async (t) => {
  const m = new StreamMapper({
    stream_maps: {
      customers: { email: null, name: null },
      customers_pii: { __source__: 'customers', __else__: null, email: 'email', name: 'name' },
      nz_customers: { __source__: 'customers', __filter__: "country == 'NZ'", __key_properties__: ['email'] },
    },
  });
  t.same(m.outputStreams('customers'), ['customers', 'customers_pii', 'nz_customers']);
  const schemas = m.mapSchema(customersSchema());
  t.same(schemas.map((schema) => [schema.stream, Object.keys(schema.schema.properties ?? {}), schema.key_properties]), [
    ['customers', ['id', 'country', 'updated_at'], ['id']],
    ['customers_pii', ['id', 'email', 'name'], ['id']],
    ['nz_customers', ['id', 'email', 'name', 'country', 'updated_at'], ['email']],
  ]);
  t.not(schemas[0]?.schema, schemas[2]?.schema, 'outputs do not share schema objects');
  t.same(
    m.mapRecord(customer(ann, { version: 9 })).map((message) => [message.stream, message.record, message.version]),
    [
      ['customers', { id: 1, country: 'NZ', updated_at: ann.updated_at }, 9],
      ['customers_pii', { id: 1, email: ann.email, name: 'Ann' }, 9],
      ['nz_customers', ann, 9],
    ],
  );
  t.same(m.mapRecord(customer({ ...ann, country: 'AU' })).map((message) => message.stream), ['customers', 'customers_pii']);
  t.same(m.mapStreamName('customers'), ['customers', 'customers_pii', 'nz_customers']);
});

t.test('__source__ with the original stream dropped splits instead of copying', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: null, people: { __source__: 'customers' } } });
  t.same(m.outputStreams('customers'), ['people']);
  t.same(m.mapRecord(customer(ann)).map((message) => message.stream), ['people']);
});

t.test('key properties', async (t) => {
  t.test('dropping a key property is a config error naming stream and property', async (t) => {
    const m = new StreamMapper({ stream_maps: { customers: { id: null } } });
    const error = configError(() => m.mapSchema(customersSchema()));
    t.match(error.message, /^stream map "customers", property "id": drops key property "id" of stream "customers"; set __key_properties__/);
  });
  t.test('unless __key_properties__ replaces them', async (t) => {
    const m = new StreamMapper({ stream_maps: { customers: { id: null, id_hash: 'md5(str(id))', __key_properties__: ['id_hash'] } } });
    const [schema] = m.mapSchema(customersSchema());
    t.same(schema?.key_properties, ['id_hash']);
    t.same(schema?.schema.properties?.id_hash, { type: 'string' });
    const [record] = m.mapRecord(customer(ann));
    t.equal(record?.record.id_hash, createHash('md5').update('1').digest('hex'));
    t.equal(record?.record.id, undefined);
  });
  t.test('__key_properties__: null means no key', async (t) => {
    const m = new StreamMapper({ stream_maps: { customers: { id: null, __key_properties__: null } } });
    t.same(m.mapSchema(customersSchema())[0]?.key_properties, []);
  });
  t.test('a key property that is not in the output is an error', async (t) => {
    const m = new StreamMapper({ stream_maps: { customers: { __key_properties__: ['nope'] } } });
    t.match(configError(() => m.mapSchema(customersSchema())).message, /stream map "customers", __key_properties__: key property "nope" is not a property of output stream "customers"/);
  });
  t.test('transforming a key in place is allowed', async (t) => {
    const m = new StreamMapper({ stream_maps: { customers: { id: 'str(id)' } } });
    const [schema] = m.mapSchema(customersSchema());
    t.same(schema?.key_properties, ['id']);
    t.same(schema?.schema.properties?.id, { type: 'string' });
  });
  t.test('__else__: null with a new key keeps the new key', async (t) => {
    const m = new StreamMapper({ stream_maps: { customers: { __else__: null, __key_properties__: ['email'] } } });
    const [schema] = m.mapSchema(customersSchema());
    t.same(Object.keys(schema?.schema.properties ?? {}), ['email']);
    t.same(m.mapRecord(customer(ann))[0]?.record, { email: ann.email });
  });
});

t.test('stream names matched by patterns', async (t) => {
  const m = new StreamMapper({ stream_maps: { 'tmp_*': null, '*': { _sdc_deleted_at: null }, customers: { name: null } } });
  t.same(m.outputStreams('tmp_x'), []);
  t.same(m.mapRecord({ type: 'RECORD', stream: 'orders', record: { id: 1, _sdc_deleted_at: 'x' } })[0]?.record, { id: 1 });
  t.same(m.mapRecord(customer({ id: 1, name: 'A', _sdc_deleted_at: 'x' }))[0]?.record, { id: 1, _sdc_deleted_at: 'x' }, 'an exact entry wins over patterns');
  t.same(m.outputStreams('tmp_'), [], 'the most specific pattern wins');
  const ambiguous = new StreamMapper({ stream_maps: { 'a*': null, '*b': {} } });
  t.same(ambiguous.outputStreams('ax'), []);
  t.match(configError(() => ambiguous.outputStreams('ab')).message, /stream "ab" matches patterns "a\*" and "\*b" equally/);
  t.same(new StreamMapper({ stream_maps: { 'a?c': null } }).outputStreams('a.c'), [], '? matches one character');
  const dotted = new StreamMapper({ stream_maps: { 'a.*': null } });
  t.same(dotted.outputStreams('abc'), ['abc'], 'other characters are literal');
  t.same(dotted.outputStreams('a.c'), []);
});

t.test('salted hashing with stream_map_config matches node:crypto', async (t) => {
  const config: StreamMapsConfig = {
    stream_maps: { customers: { email: null, email_hash: "sha256(lower(email) + config['hash_seed'])" } },
    stream_map_config: { hash_seed: 'e5bbc0b2-the-seed' },
  };
  const [record] = mapper(config).mapRecord(customer(ann));
  t.equal(record?.record.email_hash, createHash('sha256').update('ann@example.com' + 'e5bbc0b2-the-seed').digest('hex'));
  t.same(streamMapSecrets(config), ['e5bbc0b2-the-seed']);
  t.same(streamMapSecrets({ stream_map_config: { nested: { pin: 123456 }, list: ['abc'] } }), ['123456', 'abc']);
});

t.test('config errors are raised when loading and name the stream, property and column', async (t) => {
  const cases: Array<[StreamMapsConfig, RegExp]> = [
    [{ stream_maps: { customers: { email_hash: 'sha512(email)' } } }, /^stream map "customers", property "email_hash": unknown function "sha512" \(available: .*\) at column 1 of expression "sha512\(email\)"$/],
    [{ stream_maps: { customers: { total: 'qty *' } } }, /^stream map "customers", property "total": unexpected end of expression at column 6 of expression "qty \*"$/],
    [{ stream_maps: { customers: { __filter__: 'self > 1' } } }, /^stream map "customers", __filter__: "self" is only available in property expressions at column 1/],
    [{ stream_maps: { customers: { h: "md5(config['salt'])" } }, stream_map_config: {} }, /property "h": stream_map_config has no key "salt" at column 12/],
    [{ stream_maps: { customers: { count: 2 as unknown as string } } }, /property "count": must be an expression string, or null to drop the property \(got a number/],
    [{ stream_maps: { customers: { __filters__: 'x' } } }, /^stream map "customers", __filters__: unknown option/],
    [{ stream_maps: { customers: { __else__: 'keep' as unknown as null } } }, /__else__/],
    [{ stream_maps: { customers: { __alias__: '' } } }, /__alias__ must be a non-empty stream name/],
    [{ stream_maps: { customers: { __alias__: 'a', __source__: 'b' } } }, /cannot be combined/],
    [{ stream_maps: { 'c*': { __alias__: 'a' } } }, /a pattern cannot take __alias__/],
    [{ stream_maps: { customers: { __key_properties__: 'id' as unknown as string[] } } }, /__key_properties__: must be a list of property names/],
    [{ stream_maps: { customers: 'yes' as unknown as null } }, /^stream map "customers": must be an object, or null to drop the stream$/],
    [{ stream_maps: { __other__: null } }, /unknown option "__other__"/],
    [{ stream_maps: { a: { __alias__: 'b' }, b: {} } }, /entries "a" and "b" would both write stream "b"/],
    [{ stream_maps: [] as unknown as Record<string, null> }, /stream_maps must be an object/],
  ];
  for (const [config, expected] of cases) t.match(configError(() => new StreamMapper(config)).message, expected, JSON.stringify(config.stream_maps));
});

t.test('unknown property names are caught when the stream schema arrives, before any record', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { domain: "emial.split('@')[-1]" } } });
  t.match(
    configError(() => m.mapSchema(customersSchema())).message,
    /^stream map "customers", property "domain": unknown property "emial" \(stream "customers" has: id, email, name, country, updated_at\) at column 1 of expression/,
  );
  const filtered = new StreamMapper({ stream_maps: { customers: { __filter__: "record['Country'] == 'NZ'" } } });
  t.match(configError(() => filtered.mapSchema(customersSchema())).message, /__filter__: unknown property "Country" .* at column 8/);
  const open = new StreamMapper({ stream_maps: { customers: { x: 'extra_field' } } });
  const openSchema = customersSchema();
  openSchema.schema.additionalProperties = true;
  t.equal(open.mapSchema(openSchema).length, 1, 'allowed when the schema admits other properties');
  const self = new StreamMapper({ stream_maps: { customers: { nickname: 'self' } } });
  t.match(configError(() => self.mapSchema(customersSchema())).message, /property "nickname": "self" refers to property "nickname", which stream "customers" does not have/);
});

t.test('an unmapped stream written under an alias of another is a config error', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { __alias__: 'orders' } } });
  m.mapSchema(customersSchema());
  t.match(configError(() => m.mapRecord({ type: 'RECORD', stream: 'orders', record: {} })).message, /streams "customers" and "orders" would both be written as "orders"/);
});

t.test('evaluation errors are fatal by default and name stream, property, expression and record key', async (t) => {
  const m = mapper({ stream_maps: { customers: { __alias__: 'people', age: 'int(name)' } } });
  const error = t.throws(() => m.mapRecord(customer({ ...ann, name: 'private-value' })));
  t.type(error, MapEvaluationError);
  t.type(error, FatalError);
  t.equal(
    (error as Error).message,
    'stream "customers" (output stream "people"), property "age": int(): string is not an integer literal at column 1 of expression "int(name)"; record key {"id":1}',
  );
  t.notMatch((error as Error).message, /private-value/, 'record values are not echoed');
  t.match((error as MapEvaluationError).failure, { inputStream: 'customers', outputStream: 'people', property: 'age', expression: 'int(name)', column: 1, recordKey: { id: 1 } });
});

t.test("onEvaluationError: 'skip' throws a SkippableRecordError instead", async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { __filter__: 'int(name) > 1' } } }, { onEvaluationError: 'skip' });
  m.mapSchema(customersSchema());
  const error = t.throws(() => m.mapRecord(customer(ann)));
  t.type(error, SkippableMapEvaluationError);
  t.type(error, SkippableRecordError);
  t.match((error as Error).message, /^stream "customers", __filter__: int\(\): string is not an integer literal at column 1 of expression "int\(name\) > 1"; record key \{"id":1\}$/);
});

t.test('records before any SCHEMA are still mapped (without a record key in errors)', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { n: 'int(name)' } } });
  t.same(m.mapRecord(customer({ name: '5' }))[0]?.record, { name: '5', n: 5 });
  t.match(t.throws(() => m.mapRecord(customer({ name: 'x' }))), { failure: { recordKey: undefined } });
});

t.test('property names that collide with Object.prototype are plain data', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { constructor: "'c'", toString: 'id' } } });
  const input = JSON.parse('{"id": 1, "__proto__": {"x": 1}}') as Record<string, unknown>;
  const [record] = m.mapRecord(customer(input));
  const output = record?.record as Record<string, unknown>;
  t.equal(Object.getPrototypeOf(output), Object.prototype, 'the prototype was not replaced');
  t.same(Object.getOwnPropertyDescriptor(output, '__proto__')?.value, { x: 1 }, 'the input\'s own __proto__ key stays data');
  t.equal(output.constructor, 'c');
  t.equal(output.toString, 1);
  t.equal(({} as Record<string, unknown>).x, undefined);
  const config = JSON.parse('{"stream_maps": {"customers": {"__proto__": "1"}}}') as StreamMapsConfig;
  t.match(configError(() => new StreamMapper(config)).message, /stream map "customers", __proto__: unknown option/);
});

t.test('an own __proto__ key is copied as data when other properties are dropped', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { id: 'id', name: null } } });
  const input = JSON.parse('{"id": 1, "name": "n", "__proto__": {"x": 1}}') as Record<string, unknown>;
  const output = m.mapRecord(customer(input))[0]?.record as Record<string, unknown>;
  t.equal(Object.getPrototypeOf(output), Object.prototype);
  t.same(Object.getOwnPropertyDescriptor(output, '__proto__')?.value, { x: 1 });
});

t.test('BATCH messages can be renamed or copied but not reshaped', async (t) => {
  const batch = { type: 'BATCH', stream: 'customers', encoding: { format: 'jsonl' }, manifest: ['file:///tmp/a.jsonl'] } as const;
  const renamed = new StreamMapper({ stream_maps: { customers: { __alias__: 'c2', __key_properties__: ['email'] }, copy: { __source__: 'customers' } } });
  t.same(renamed.mapBatch({ ...batch, manifest: [...batch.manifest] }).map((message) => message.stream), ['c2', 'copy']);
  const reshaping = new StreamMapper({ stream_maps: { customers: { email: null } } });
  t.match(configError(() => reshaping.mapBatch({ ...batch, manifest: [...batch.manifest] })).message, /BATCH messages cannot be mapped because the map for output stream "customers" filters or changes records/);
});

t.test('a new SCHEMA for a stream is mapped again', async (t) => {
  const m = new StreamMapper({ stream_maps: { customers: { name: null } } });
  m.mapSchema(customersSchema());
  const changed = customersSchema();
  changed.schema.properties = { ...changed.schema.properties, phone: { type: 'string' } };
  t.same(Object.keys(m.mapSchema(changed)[0]?.schema.properties ?? {}), ['id', 'email', 'country', 'updated_at', 'phone']);
});

t.test('a schema without properties is mapped without name checks', async (t) => {
  const m = new StreamMapper({ stream_maps: { events: { payload: null, kind: 'upper(type)' } } });
  const [schema] = m.mapSchema({ type: 'SCHEMA', stream: 'events', schema: { type: 'object', required: ['id', 'payload'] }, key_properties: ['id'] });
  t.same(schema?.schema, { type: 'object', properties: { kind: { type: ['string', 'null'] } }, required: ['id'] });
  t.same(schema?.key_properties, ['id']);
  t.same(m.mapRecord({ type: 'RECORD', stream: 'events', record: { id: 1, type: 'click', payload: {} } })[0]?.record, { id: 1, type: 'click', kind: 'CLICK' });
});
