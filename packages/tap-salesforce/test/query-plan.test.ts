import t from 'tap';
import { buildCountSoql, buildSoql, soqlDatetime, soqlString } from '../src/soql.js';
import { converterFor, toIsoDatetime } from '../src/streams/convert.js';
import { plannedFields, startWindow } from '../src/streams/extract.js';
import type { ObjectDescribe } from '../src/streams/describe.js';
import { splitWindow } from '../src/streams/windows.js';

t.test('SOQL: window bounds, the tie-breaker beside the seekable bound, (key, Id) order', async (t) => {
  const fields = ['Id', 'Name', 'SystemModstamp'];
  t.equal(buildSoql({ object: 'Account', fields, replicationKey: 'SystemModstamp', window: {} }), 'SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id');
  t.equal(
    buildSoql({ object: 'Account', fields, replicationKey: 'SystemModstamp', window: { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00.000Z' } }),
    'SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2024-01-01T00:00:00.000Z AND SystemModstamp < 2024-02-01T00:00:00.000Z ORDER BY SystemModstamp, Id',
  );
  t.equal(
    buildSoql({ object: 'Lead', fields: ['Id'], replicationKey: 'SystemModstamp', window: { from: '2026-11-20T02:00:00.000Z', afterId: '00Q000000000001AAA' } }),
    "SELECT Id FROM Lead WHERE SystemModstamp >= 2026-11-20T02:00:00.000Z AND (SystemModstamp > 2026-11-20T02:00:00.000Z OR Id > '00Q000000000001AAA') ORDER BY SystemModstamp, Id",
  );
  t.equal(buildSoql({ object: 'Campaign', fields: ['Id'], window: { afterId: '701x' } }), "SELECT Id FROM Campaign WHERE Id > '701x' ORDER BY Id", 'full table in Id order');
  t.equal(
    buildCountSoql({ object: 'Lead', fields: ['Id'], replicationKey: 'SystemModstamp', window: { from: '2026-11-20T02:00:00.000Z', afterId: '00Q1' } }),
    "SELECT COUNT() FROM Lead WHERE SystemModstamp >= 2026-11-20T02:00:00.000Z AND (SystemModstamp > 2026-11-20T02:00:00.000Z OR Id > '00Q1')",
    'AUTO counts the rows of the same window',
  );
  t.equal(soqlString("O'Brien\\"), "'O\\'Brien\\\\'");
  t.equal(soqlDatetime('2024-03-01T10:00:00+01:00'), '2024-03-01T09:00:00.000Z');
});

t.test('splitting a timed-out window', async (t) => {
  t.same(splitWindow({ from: '2024-01-01T00:00:00.000Z', to: '2024-01-03T00:00:00.000Z', afterId: 'x' }, 0), [
    { from: '2024-01-01T00:00:00.000Z', to: '2024-01-02T00:00:00.000Z', afterId: 'x' },
    { from: '2024-01-02T00:00:00.000Z', to: '2024-01-03T00:00:00.000Z' },
  ], 'the tie-breaker stays with the first half');
  const now = Date.parse('2024-01-05T00:00:00.000Z');
  t.same(splitWindow({ from: '2024-01-01T00:00:00.000Z' }, now), [{ from: '2024-01-01T00:00:00.000Z', to: '2024-01-03T00:00:00.000Z' }, { from: '2024-01-03T00:00:00.000Z' }], 'an open end splits at the middle of now');
  t.equal(splitWindow({ from: '2024-01-01T00:00:00.000Z', to: '2024-01-01T00:00:01.500Z' }, now), undefined, 'too narrow to split');
});

t.test('where a run starts', async (t) => {
  const ctx = (bookmark: Record<string, unknown>, startingValue: unknown, key: string | null = 'SystemModstamp') => ({ bookmark, startingValue, replicationKey: key ?? undefined });
  t.same(startWindow(ctx({}, undefined), 0), {}, 'no start_date, no bookmark: the whole history');
  t.same(startWindow(ctx({}, '2024-01-01T00:00:00Z'), 3600), { from: '2024-01-01T00:00:00Z' }, 'start_date as is: the lookback applies to bookmarks');
  const bookmark = { replication_key: 'SystemModstamp', replication_key_value: '2024-05-01T00:00:00.000Z' };
  t.same(startWindow(ctx({ ...bookmark, last_id: '001x' }, bookmark.replication_key_value), 3600), { from: '2024-05-01T00:00:00.000Z', afterId: '001x' }, 'mid-object: exactly after the last row');
  t.same(startWindow(ctx(bookmark, bookmark.replication_key_value), 3600), { from: '2024-04-30T23:00:00.000Z' }, 'after a completed run: lookback');
  t.same(startWindow(ctx({ replication_key: 'LastModifiedDate', replication_key_value: '2024-05-01T00:00:00.000Z', last_id: '001x' }, '2023-01-01T00:00:00Z'), 0), { from: '2023-01-01T00:00:00Z' }, 'a bookmark of another key is not a position');
  t.same(startWindow(ctx({ full_table_last_id: '001x', version: 1 }, undefined, null), 0), { afterId: '001x' }, 'full table resumes by Id');
});

t.test('fields queried: selected ones, plus Id, the key and what deletes need', async (t) => {
  const object: ObjectDescribe = {
    name: 'Document',
    label: 'Document',
    fields: ['Id:id', 'IsDeleted:boolean', 'Name:string', 'Body:base64', 'SystemModstamp:datetime', 'LastModifiedDate:datetime'].map((spec) => {
      const [name, type] = spec.split(':') as [string, string];
      return { name, type, label: name };
    }),
  };
  const planned = plannedFields(object, new Set(['Name', 'Body', '_sdc_deleted_at']), 'LastModifiedDate');
  t.same(planned.emit.map((f) => f.name), ['Name'], 'base64 is never queried');
  t.same(planned.query.map((f) => f.name), ['Name', 'Id', 'LastModifiedDate', 'IsDeleted', 'SystemModstamp']);
  t.equal(planned.deletedFrom, 'SystemModstamp');
  t.equal(planned.deletes, true);
  t.equal(plannedFields(object, new Set(['Name']), 'LastModifiedDate').deletes, false, 'unless _sdc_deleted_at is deselected');
});

t.test('values converted to the schema types, from REST JSON and from CSV strings alike', async (t) => {
  const convert = (type: string, value: unknown) => converterFor({ name: 'f', label: 'f', type })(value);
  t.equal(toIsoDatetime('2024-01-02T03:04:05.000+0000'), '2024-01-02T03:04:05.000Z');
  t.equal(toIsoDatetime('2024-01-02T03:04:05.000Z'), '2024-01-02T03:04:05.000Z');
  t.equal(toIsoDatetime('2024-01-02T05:04:05.000+0200'), '2024-01-02T03:04:05.000Z');
  t.equal(toIsoDatetime(''), null);
  t.equal(convert('boolean', 'true'), true);
  t.equal(convert('boolean', false), false);
  t.equal(convert('int', '12.0'), 12);
  t.equal(convert('int', 7), 7);
  t.equal(convert('currency', '5000000.0'), 5_000_000);
  t.equal(convert('double', ''), null);
  t.equal(convert('date', ''), null);
  t.equal(convert('string', ''), '', 'text keeps its empty string');
  t.equal(convert('anyType', 42), '42');
  t.equal(convert('anyType', true), 'true');
  t.equal(convert('anyType', null), null);
  t.same(convert('address', { city: 'Paris' }), { city: 'Paris' });
});
