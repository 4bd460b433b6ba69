/** Value conversion by schema type, without a server. */
import { createLogger, stringifyJson } from '@singer-io-ts/sdk';
import t from 'tap';
import { converterFor } from '../src/streams/convert.js';

t.test('numbers from CSV text that no double holds keep every digit; the rest are plain numbers', async (t) => {
  const warnings: string[] = [];
  const logger = createLogger({ name: 'test', level: 'warn', sink: (line) => warnings.push(line) });
  const decimal = converterFor('cost', { type: ['null', 'number'] }, logger);
  const integer = converterFor('leadScore', { type: ['null', 'integer'] }, logger);
  t.equal(stringifyJson(['1234567890123456.78', '2.50', '', 'x'].map(decimal)), '[1234567890123456.78,2.5,null,null]');
  t.equal(stringifyJson(['12345678901234567890', '42', '7.9', 17].map(integer)), '[12345678901234567890,42,7,17]');
  t.equal(warnings.length, 1, 'the decimal in an integer field is named once');
});
