import { PassThrough } from 'node:stream';
import { memoryLogger, SingerWriter } from '@singer-io-ts/sdk';
import t from 'tap';
import { fractionWarner, rowReader } from '../src/streams/convert.js';

t.test('amounts and counts no double holds reach the Singer line with every digit the file had; integers with a fraction keep their integer part', async (t) => {
  const columns = [
    { property: 'Id', select: 'Id', type: 'text' },
    { property: 'MRR', select: 'MRR', type: 'decimal' },
    { property: 'Quantity', select: 'Quantity', type: 'integer' },
    { property: 'Version', select: 'Version', type: 'integer' },
  ];
  const header = ['RatePlanCharge.Id', 'RatePlanCharge.MRR', 'RatePlanCharge.Quantity', 'RatePlanCharge.Version'];
  const logger = memoryLogger('tap-zuora');
  const reader = rowReader('RatePlanCharge', header, columns, undefined, new Set(['Id', 'MRR', 'Quantity', 'Version']), fractionWarner('RatePlanCharge', logger));
  const rows = [
    ['a', '12345678901234567.89', '90071992547409931', '1'],
    ['b', '1.50', '3', '2.0'],
    ['c', '0.123456789012345678', '-12345678901234567890', '3'],
    ['d', '', '2.5', '4'],
    ['e', '7', '-12345678901234567890.75', '5.5'],
    ['f', '8', '3.25', 'n/a'],
  ];
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const writer = new SingerWriter(out);
  for (const row of rows) await writer.writeRecord('RatePlanCharge', reader.read(row));
  await writer.flush();
  const records = chunks.join('').trimEnd().split('\n').map((line) => line.slice(line.indexOf('"record":') + 9, -1));
  t.same(records, [
    '{"Id":"a","MRR":12345678901234567.89,"Quantity":90071992547409931,"Version":1}',
    '{"Id":"b","MRR":1.5,"Quantity":3,"Version":2}',
    '{"Id":"c","MRR":0.123456789012345678,"Quantity":-12345678901234567890,"Version":3}',
    '{"Id":"d","MRR":null,"Quantity":2,"Version":4}',
    '{"Id":"e","MRR":7,"Quantity":-12345678901234567890,"Version":5}',
    '{"Id":"f","MRR":8,"Quantity":3,"Version":"n/a"}',
  ]);
  const warnings = logger.lines.filter((line) => /integer part is kept/.test(line));
  t.equal(warnings.length, 2, 'one warning per field, not per value');
  t.match(warnings[0], /RatePlanCharge: field Quantity \(integer\) holds 2\.5: its integer part is kept/);
  t.match(warnings[1], /RatePlanCharge: field Version \(integer\) holds 5\.5: its integer part is kept/);
});
