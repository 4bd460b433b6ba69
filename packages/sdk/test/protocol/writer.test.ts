import { PassThrough, Writable } from 'node:stream';
import t from 'tap';
import { exactNumber, JsonNumber } from '../../src/protocol/lossless-json.js';
import { SingerWriter } from '../../src/protocol/writer.js';

t.test('writes whole lines that parse back to the messages', async (t) => {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const writer = new SingerWriter(out, { bufferSize: 100 });
  await writer.writeSchema('users', { type: 'object' }, ['id'], ['updated']);
  for (let i = 0; i < 50; i++) await writer.writeRecord('users', { id: i, text: 'a\nb\t"c"' }, { timeExtracted: '2024-01-01T00:00:00.000Z', version: 7 });
  await writer.writeState({ bookmarks: { users: { replication_key_value: 49 } } });
  await writer.flush();
  const lines = chunks.join('').split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  t.equal(lines.length, 52);
  for (const chunk of chunks) t.ok(chunk.endsWith('\n'), 'no chunk ends mid-line');
  t.same(JSON.parse(lines[0]!), { type: 'SCHEMA', stream: 'users', schema: { type: 'object' }, key_properties: ['id'], bookmark_properties: ['updated'] });
  t.same(JSON.parse(lines[50]!), { type: 'RECORD', stream: 'users', record: { id: 49, text: 'a\nb\t"c"' }, version: 7, time_extracted: '2024-01-01T00:00:00.000Z' });
  t.equal(writer.messagesWritten, 52);
});

t.test('waits for drain: never more than the buffer ahead of a slow consumer', async (t) => {
  let received = 0;
  let maxBacklog = 0;
  let produced = 0;
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, callback) {
      received += chunk.length;
      setTimeout(callback, 1);
    },
  });
  const writer = new SingerWriter(slow, { bufferSize: 512 });
  const line = JSON.stringify({ type: 'RECORD', stream: 's', record: { v: 'x'.repeat(80) } }) + '\n';
  for (let i = 0; i < 2000; i++) {
    const wait = writer.writeLine(line.slice(0, -1));
    produced += line.length;
    maxBacklog = Math.max(maxBacklog, produced - received);
    if (wait) await wait;
  }
  await writer.flush();
  t.equal(received, produced, 'everything arrives');
  t.ok(maxBacklog < 4096, `backlog stayed bounded (${maxBacklog} bytes)`);
});

t.test('a slow source still gets its lines out without an explicit flush', async (t) => {
  const out = new PassThrough();
  const writer = new SingerWriter(out);
  const firstData = new Promise<string>((resolve) => out.once('data', (c: Buffer) => resolve(c.toString())));
  void writer.writeState({ a: 1 });
  t.equal(await firstData, '{"type":"STATE","value":{"a":1}}\n');
});

t.test('a consumer that goes away fails the writer with a clear error', async (t) => {
  const broken = new Writable({
    write(_chunk, _enc, callback) {
      const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      callback(error);
    },
  });
  const writer = new SingerWriter(broken, { bufferSize: 10 });
  await t.rejects(async () => {
    for (let i = 0; i < 100; i++) {
      await writer.writeState({ i });
      await new Promise((r) => setImmediate(r));
    }
  }, /EPIPE/);
});

t.test('numbers no double holds reach the output digit for digit; every other line is plain JSON.stringify', async (t) => {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const writer = new SingerWriter(out);
  // [what the API sent, what the line must hold]
  const amounts = [
    ['12345678901234567.89', '12345678901234567.89'],
    ['-0.1000000000000000055511151231257827', '-0.1000000000000000055511151231257827'],
    ['9007199254740993', '9007199254740993'],
    ['1.50', '1.5'],
    ['0.1', '0.1'],
    ['123456789012345', '123456789012345'],
  ] as const;
  for (const [i, [text]] of amounts.entries()) await writer.writeRecord('charges', { id: i, mrr: exactNumber(text), nested: { tcv: exactNumber(text) } });
  await writer.writeState({ bookmarks: { charges: { replication_key_value: exactNumber('90071992547409930') } } });
  await writer.flush();
  const lines = chunks.join('').trimEnd().split('\n');
  for (const [i, [text, expected]] of amounts.entries()) {
    t.equal(lines[i], `{"type":"RECORD","stream":"charges","record":{"id":${i},"mrr":${expected},"nested":{"tcv":${expected}}}}`, text);
  }
  t.equal(lines[amounts.length], '{"type":"STATE","value":{"bookmarks":{"charges":{"replication_key_value":90071992547409930}}}}');
  t.type(exactNumber('12345678901234567.89'), JsonNumber, 'a long decimal is kept as text');
  t.equal(exactNumber('1.50'), 1.5, 'a double holds 1.50 exactly: a plain number');
  t.same([exactNumber('1234567890.1234567'), exactNumber('0.50000000000000000')], [1234567890.1234567, 0.5], 'long but held by a double: a plain number');
  t.same([exactNumber('+1'), exactNumber('.5'), exactNumber('abc')], [1, 0.5, NaN], 'no JSON literal: Number(text)');
  t.equal(JSON.stringify({ v: exactNumber('12345678901234567.89') }), '{"v":12345678901234568}', 'plain JSON.stringify still sees the nearest double');
});
