import { PassThrough } from 'node:stream';
import { SingerWriter } from '@singer-io-ts/sdk';
import t from 'tap';
import { rowReader } from '../src/streams/convert.js';

t.test('amounts and counts no double holds reach the Singer line with every digit the file had', async (t) => {
  const columns = [
    { property: 'Id', select: 'Id', type: 'text' },
    { property: 'MRR', select: 'MRR', type: 'decimal' },
    { property: 'Quantity', select: 'Quantity', type: 'integer' },
  ];
  const header = ['RatePlanCharge.Id', 'RatePlanCharge.MRR', 'RatePlanCharge.Quantity'];
  const reader = rowReader('RatePlanCharge', header, columns, undefined, new Set(['Id', 'MRR', 'Quantity']));
  const rows = [
    ['a', '12345678901234567.89', '90071992547409931'],
    ['b', '1.50', '3'],
    ['c', '0.123456789012345678', '-12345678901234567890'],
    ['d', '', '2.5'],
  ];
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const writer = new SingerWriter(out);
  for (const row of rows) await writer.writeRecord('RatePlanCharge', reader.read(row));
  await writer.flush();
  const records = chunks.join('').trimEnd().split('\n').map((line) => line.slice(line.indexOf('"record":') + 9, -1));
  t.same(records, [
    '{"Id":"a","MRR":12345678901234567.89,"Quantity":90071992547409931}',
    '{"Id":"b","MRR":1.5,"Quantity":3}',
    '{"Id":"c","MRR":0.123456789012345678,"Quantity":-12345678901234567890}',
    '{"Id":"d","MRR":null,"Quantity":"2.5"}',
  ]);
});
