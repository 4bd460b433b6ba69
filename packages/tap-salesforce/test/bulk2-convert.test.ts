/** Value conversion of the Bulk 2.0 reader, without a server. */
import { stringifyJson } from '@singer-io-ts/sdk';
import t from 'tap';
import { converterFor, fieldSpecsFromSchema, valueTypeFromSchema } from '../src/bulk2/index.js';

t.test('value conversion by field type', async (t) => {
  const int = converterFor('integer');
  t.same(['12', '0.0', '12.0', '-3', '', '12.5', 'abc', '9007199254740992'].map(int), [12, 0, 12, -3, null, '12.5', 'abc', 9007199254740992]);
  const num = converterFor('number');
  t.same(['250000.0', '-1.5', '1E+3', '.5', '', 'NaN', ' 1'].map(num), [250000, -1.5, 1000, 0.5, null, 'NaN', ' 1']);
  // As the Singer line will hold them: every digit of what a double cannot hold.
  t.equal(stringifyJson(['99999999999999999999', '+12345678901234567890.0'].map(int)), '[99999999999999999999,12345678901234567890]');
  t.equal(stringifyJson(['1234567890123456.78', '-0.00000000000000000012345678901234567890', '0.1'].map(num)), '[1234567890123456.78,-0.00000000000000000012345678901234567890,0.1]');
  const bool = converterFor('boolean');
  t.same(['true', 'false', 'TRUE', '', 'yes'].map(bool), [true, false, true, null, 'yes']);
  t.equal(converterFor('date-time')('2024-01-02T03:04:05.000Z'), '2024-01-02T03:04:05.000Z');
  t.equal(converterFor('date-time')(''), null);
  t.equal(converterFor('date')('2024-01-02'), '2024-01-02');
  t.equal(converterFor('string')(''), null, 'empty string → null by default');
  t.equal(converterFor('string', 'empty')(''), '', "emptyString: 'empty' keeps ''");
  t.equal(converterFor(undefined)('x'), 'x');
});

t.test('field specs from a Singer schema', async (t) => {
  t.equal(valueTypeFromSchema({ type: ['null', 'integer'] }), 'integer');
  t.equal(valueTypeFromSchema({ type: ['null', 'string'], format: 'date-time' }), 'date-time');
  t.equal(valueTypeFromSchema({ type: ['string', 'null'], format: 'date' }), 'date');
  t.equal(valueTypeFromSchema({ anyOf: [{ type: 'null' }, { type: 'number' }] }), 'number');
  t.equal(valueTypeFromSchema({ anyOf: [{ type: 'string' }, { type: 'number' }] }), 'string');
  t.equal(valueTypeFromSchema({ type: 'object' }), 'string');
  t.same(fieldSpecsFromSchema({ type: 'object', properties: { Id: { type: 'string' }, IsDeleted: { type: ['null', 'boolean'] } } }), [
    { name: 'Id', type: 'string' },
    { name: 'IsDeleted', type: 'boolean' },
  ]);
});
