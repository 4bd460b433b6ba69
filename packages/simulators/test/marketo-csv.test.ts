/**
 * Marketo bulk file quirks (must-have 18): minimal quoting, literal `null`,
 * empty values, embedded newlines, `\r\n`, NUL bytes, activity attributes as
 * a JSON cell, percent decimals; plus TSV and columnHeaderNames.
 */
import t from 'tap';
import type { MarketoSimulator } from '../src/marketo/index.js';
import { parseCsv } from './helpers/csv.js';
import { fixtureMarketo, MarketoClient, sleep } from './helpers/marketo-http.js';

const FEBRUARY = { startAt: '2024-02-01T00:00:00Z', endAt: '2024-03-02T00:00:00Z' };
const FIELDS = ['id', 'email', 'lastName', 'company', 'notes', 'pctEngaged', 'isCustomer', 'createdAt'];

async function exportFile(handle: MarketoSimulator, client: MarketoClient, type: string, body: unknown): Promise<string> {
  const created = await client.post(`/bulk/v1/${type}/export/create.json`, body);
  const id = String(created.result?.[0]?.exportId);
  await client.post(`/bulk/v1/${type}/export/${id}/enqueue.json`);
  for (let i = 0; i < 200; i += 1) {
    const status = (await client.get(`/bulk/v1/${type}/export/${id}/status.json`)).result?.[0]?.status;
    if (status === 'Completed') break;
    await sleep(10);
  }
  const response = await client.raw(`/bulk/v1/${type}/export/${id}/file.json`);
  if (response.status !== 200) throw new Error(`file: ${response.status}`);
  return response.text();
}

t.test('18: lead file: minimal quoting, null vs empty, embedded newlines, decimals, booleans, datetimes', async (t) => {
  const handle = await fixtureMarketo(t, { bulkStatusCadenceMs: 20, csvNullLiteralRatio: 0.5, csvNulRatio: 0 });
  const client = new MarketoClient(handle);
  await client.login();
  const text = await exportFile(handle, client, 'leads', { fields: FIELDS, filter: { createdAt: FEBRUARY } });
  t.ok(text.startsWith('id,email,lastName,company,notes,pctEngaged,isCustomer,createdAt\n'), 'header of the requested fields, no quotes');
  t.notOk(text.includes('\r'), 'LF line endings by default');
  const rows = parseCsv(text);
  t.equal(rows.length, 16, 'header + leads 16-30');
  const byId = new Map(rows.slice(1).map((row) => [row[0], row]));

  const plain = text.split('\n').find((line) => line.startsWith('17,'));
  t.match(plain, /^17,person17@example\.com,Last17,Company 17,(?:null)?,17,false,2024-02-04T00:00:17Z$/, 'nothing quoted that needs no quotes');
  t.ok(text.includes('16,person16@example.com,Last16,"Acme, ""The"" Company",'), 'commas and quotes are quoted RFC-style');
  t.equal(byId.get('18')?.[4], 'line one\nline two for 18', 'an embedded newline survives inside quotes');
  t.equal(byId.get('18')?.[2], "O'Brien, Jr.");
  t.equal(byId.get('16')?.[5], '16.5', 'percent values carry decimals');
  t.equal(byId.get('24')?.[6], 'true');
  t.equal(byId.get('20')?.[4], '', 'an empty string is an empty cell');

  const nullCells = [...byId.values()].flatMap((row) => [row[1], row[4]]).filter((cell) => cell === '' || cell === 'null');
  t.ok(nullCells.includes('null'), 'some nulls are the literal text null');
  t.ok(nullCells.filter((cell) => cell === '').length > 1, 'others are empty');

  handle.scenario.csvNullLiteralRatio = 0;
  const noLiteral = await exportFile(handle, client, 'leads', { fields: ['id', 'email'], filter: { createdAt: FEBRUARY } });
  t.notOk(/(^|,)null(,|\n)/m.test(noLiteral), 'ratio 0: never null');
  t.ok(noLiteral.includes('\n21,\n'), 'a null email is an empty cell');
  handle.scenario.csvNullLiteralRatio = 1;
  const allLiteral = await exportFile(handle, client, 'leads', { fields: ['id', 'email'], filter: { createdAt: FEBRUARY } });
  t.ok(allLiteral.includes('\n21,null\n') && allLiteral.includes('\n28,null\n'), 'ratio 1: always null');
});

t.test('18: CRLF line endings, NUL bytes, TSV and renamed columns', async (t) => {
  const handle = await fixtureMarketo(t, { bulkStatusCadenceMs: 20, csvLineEnding: '\r\n', csvNulRatio: 1, csvNullLiteralRatio: 0 });
  const client = new MarketoClient(handle);
  await client.login();
  const text = await exportFile(handle, client, 'leads', { fields: ['id', 'lastName', 'notes'], filter: { createdAt: FEBRUARY } });
  t.ok(text.startsWith('id,lastName,notes\r\n'));
  t.equal(text.split('\r\n').length - 1, 16, 'every record ends with \\r\\n');
  t.ok(text.includes('\u0000'), 'NUL bytes present');
  const rows = parseCsv(text);
  const lastNames = rows.slice(1).map((row) => row[1] ?? '');
  t.ok(lastNames.every((name) => name.includes('\u0000')), 'ratio 1: every text cell carries a NUL');
  t.same(
    lastNames.map((name) => name.replaceAll('\u0000', '')).slice(0, 3),
    ['Last16', 'Last17', "O'Brien, Jr."],
    'stripping NULs gives the value back',
  );
  t.equal(rows.find((row) => row[0] === '18')?.[2]?.replaceAll('\u0000', ''), 'line one\nline two for 18', 'embedded LF stays LF inside a CRLF file');

  handle.scenario.csvNulRatio = 0;
  const tsv = await exportFile(handle, client, 'leads', {
    format: 'TSV',
    fields: ['id', 'company'],
    columnHeaderNames: { id: 'Lead ID', company: 'Company Name' },
    filter: { createdAt: FEBRUARY },
  });
  t.ok(tsv.startsWith('Lead ID\tCompany Name\r\n'), 'TSV with renamed headers');
  t.ok(tsv.includes('\r\n16\tAcme, "The" Company\r\n') === false, 'quotes force quoting even in TSV');
  t.ok(tsv.includes('\r\n16\t"Acme, ""The"" Company"\r\n'));
  t.ok(tsv.includes('\r\n17\tCompany 17\r\n'));
});

t.test('18: activity file: attributes as one JSON cell keyed by display name', async (t) => {
  const handle = await fixtureMarketo(t, { bulkStatusCadenceMs: 20, csvNullLiteralRatio: 0, csvNulRatio: 0 });
  const client = new MarketoClient(handle);
  await client.login();
  const text = await exportFile(handle, client, 'activities', { filter: { createdAt: { startAt: '2024-03-01T00:00:00Z', endAt: '2024-03-05T00:00:00Z' } } });
  const [header, ...rows] = parseCsv(text);
  t.same(header, ['marketoGUID', 'leadId', 'activityDate', 'activityTypeId', 'campaignId', 'primaryAttributeValueId', 'primaryAttributeValue', 'attributes']);
  t.ok(rows.length > 50);
  const email = rows.find((row) => row[3] === '6');
  t.same(JSON.parse(email?.[7] ?? ''), { 'Client IP Address': '10.0.0.1', 'Query Parameters': null, 'User Agent': 'Mozilla/5.0 (X11, Linux)' });
  t.ok(text.includes('"{""Client IP Address"":""10.0.0.1"",""Query Parameters"":null,'), 'the JSON is one quoted cell with doubled quotes');
  const newLead = rows.find((row) => row[3] === '12');
  t.equal(newLead?.[7], '', 'no attributes: empty');
  t.equal(newLead?.[4], '', 'null campaignId: empty');
  t.match(email?.[2], /^2024-03-0\dT\d\d:\d\d:\d\dZ$/);
  const moment = rows.find((row) => row[3] === '46');
  t.same(JSON.parse(moment?.[7] ?? ''), { Date: '2024-03-02T00:01:00Z', Description: 'Downloaded a whitepaper' }, 'datetime attributes as datetimes');
});
