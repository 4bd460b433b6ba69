import t, { type Test } from 'tap';
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { startZuora, type ZuoraSimulator } from '../src/zuora/index.js';
import { zuoraFixtureSimulation, type FixtureInfo } from './helpers/zuora-fixture.js';
import { aquaPayload, call, getToken, parseCsv, pollAqua, runAqua, type Json } from './helpers/zuora-http.js';

type Started = { zuora: ZuoraSimulator; info: FixtureInfo; token: string };

async function start(t: Test, scenario: Partial<ZuoraSimulator['scenario']> = {}): Promise<Started> {
  const { simulation, info } = zuoraFixtureSimulation();
  const zuora = await startZuora({ simulation, scenario });
  t.teardown(() => zuora.close());
  return { zuora, info, token: await getToken(zuora) };
}

const ACCOUNT_QUERY = 'select Id, Name, UpdatedDate from Account order by UpdatedDate asc';
const DELETED_BOOLEAN = { column: 'Deleted', format: 'Boolean' };

t.test('6: stateless vs stateful sessions, full then incremental, incrementalTime override, last job of a pair', async (t) => {
  const { zuora, info, token } = await start(t);
  const first = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY));
  t.equal(first.job.batches[0].full, true, 'first run of the pair is full');
  t.equal(first.job.batches[0].recordCount, 36);
  t.equal((first.files[0] as string[][]).length, 37, 'header + every live row');

  const unchanged = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY));
  t.equal(unchanged.job.batches[0].full, false);
  t.equal(unchanged.job.batches[0].recordCount, 0, 'nothing changed since the previous run');
  t.same(unchanged.files[0], [['Id', 'Name', 'UpdatedDate']]);

  zuora.simulation.clock.advanceDays(15);
  const delta = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY));
  t.equal(delta.job.batches[0].full, false);
  const ids = (delta.files[0] as string[][]).slice(1).map((row) => row[0]);
  t.same(ids, info.updatedAfter.map((i) => info.accountId(i)), 'only the rows changed since the previous run, in UpdatedDate order');

  const last = await call(zuora, token, 'GET', '/v1/batch-query/jobs/partner/salesforce/project/Account_1');
  t.equal(last.json.id, delta.job.id, 'last completed job of the session');
  const none = await call(zuora, token, 'GET', '/v1/batch-query/jobs/partner/salesforce/project/nothing');
  t.equal(none.status, 200);
  t.equal(none.json.errorCode, '90002');

  const fresh = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { project: 'Account_2' }));
  t.equal(fresh.job.batches[0].full, true, 'a new project name forces a full load');
  t.equal(fresh.job.batches[0].recordCount, 35, 'account 7 is deleted by now');

  const override = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { incrementalTime: '2025-01-05 00:00:00' }));
  t.equal(override.job.batches[0].full, false);
  t.equal(override.job.batches[0].recordCount, info.updatedAfter.length, 'incrementalTime (tenant zone) is the start point');
  t.equal(override.job.incrementalTime, '2025-01-05 00:00:00');
  const early = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { incrementalTime: '2024-12-31 16:00:00' }));
  // 2024-12-31 16:00 Pacific is 2025-01-01 00:00 UTC: nothing in the initial data is that late except the later changes.
  t.equal(early.job.batches[0].recordCount, info.updatedAfter.length);

  zuora.resetSession('salesforce', 'Account_1');
  const reset = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY));
  t.equal(reset.job.batches[0].full, true, 'resetSession forgets the pair');

  for (const payload of [aquaPayload(ACCOUNT_QUERY, { version: '1.0' }), aquaPayload(ACCOUNT_QUERY, { partner: undefined })]) {
    const stateless = await runAqua(zuora, token, payload);
    t.notOk('full' in stateless.job.batches[0], 'stateless batches carry no full flag');
    t.equal(stateless.job.batches[0].recordCount, 35, 'stateless returns everything every time');
  }
});

t.test('7: validation errors come back as HTTP 200 with errorCode/message', async (t) => {
  const { zuora, token } = await start(t, { noDeletedSupport: ['Subscription'] });
  const cases: [string, Json, string, RegExp][] = [
    ['syntax', aquaPayload('selec Id from Account'), '90005', /^There is a syntax error in one of the queries in the AQuA input$/],
    ['unknown object', aquaPayload('select * from Nothing limit 1'), '90005', /syntax error/],
    ['unavailable object', aquaPayload('select * from JournalEntry limit 1'), '90005', /syntax error/],
    ['unknown field', aquaPayload('select Id, Bogus from Account'), '90005', /syntax error/],
    ['non-export field', aquaPayload('select Id, Notes from Account'), '90005', /syntax error/],
    ['no deleted support', aquaPayload('select Id from Subscription', { deleted: DELETED_BOOLEAN }), '90017', /^Objects included in the queries do not support the querying of deleted records\. Remove Deleted section in the JSON request and retry the request$/],
    ['stateless + deleted', aquaPayload('select Id from Account', { version: '1.0', deleted: DELETED_BOOLEAN }), '90012', /Stateless/],
    ['no queries', { ...aquaPayload('x'), queries: [] }, '90016', /no queries/],
    ['too many queries', { ...aquaPayload('x'), queries: Array.from({ length: 51 }, () => ({ query: 'select Id from Account' })) }, '90004', /50/],
    ['bad incrementalTime', aquaPayload('select Id from Account', { incrementalTime: '2025-01-05T00:00:00Z' }), '90015', /incremental/],
  ];
  for (const [label, payload, code, message] of cases) {
    const res = await call(zuora, token, 'POST', '/v1/batch-query/', payload);
    t.equal(res.status, 200, `${label}: HTTP 200`);
    t.equal(res.json.errorCode, code, `${label}: errorCode`);
    t.match(res.json.message, message, `${label}: message`);
    t.notOk(res.json.id, `${label}: no job`);
  }
  t.equal(zuora.activeJobs(), 0);
  const probe = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select * from Account limit 1'));
  t.equal(probe.json.status, 'submitted', "tap-zuora's availability probe is accepted");
  const deleted = await call(zuora, token, 'DELETE', `/v1/batch-query/jobs/${probe.json.id as string}`);
  t.equal(deleted.json.status, 'cancelled', 'and cancelled by DELETE');
});

t.test('8: Deleted column only when requested and supported, Boolean or Numeric', async (t) => {
  const { zuora, info, token } = await start(t);
  const full = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { deleted: DELETED_BOOLEAN }));
  const fullRows = full.files[0] as string[][];
  t.same(fullRows[0], ['Id', 'Name', 'UpdatedDate', 'Deleted']);
  t.ok(fullRows.slice(1).every((row) => row[3] === 'false'), 'a full load reports live rows only');
  t.equal(fullRows.length - 1, 36);

  zuora.simulation.clock.advanceDays(15);
  const delta = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { deleted: DELETED_BOOLEAN }));
  const rows = (delta.files[0] as string[][]).slice(1);
  const deletedRows = rows.filter((row) => row[3] === 'true');
  t.same(deletedRows.map((row) => row[0]), [info.accountId(info.deletedAfter)], 'the row deleted since the last run, flagged');
  t.equal(rows.length, info.updatedAfter.length + 1);

  zuora.simulation.clock.advanceDays(1);
  const numeric = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { project: 'numeric', deleted: { column: 'IsGone', format: 'Numeric' } }));
  const numericRows = numeric.files[0] as string[][];
  t.equal(numericRows[0]?.[3], 'IsGone', 'column name from the request');
  t.ok(numericRows.slice(1).every((row) => row[3] === '0'));
  const subscriptions = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Subscription', { project: 'subs', deleted: DELETED_BOOLEAN }));
  t.equal(subscriptions.json.status, 'submitted', 'objects support Deleted by default, even if they never delete');
  zuora.simulation.clock.advanceDays(1);
  const plain = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { project: 'numeric' }));
  t.same(plain.files[0]?.[0], ['Id', 'Name', 'UpdatedDate'], 'no Deleted column unless requested');
});

t.test('9: job lifecycle submitted → executing (polls) → completed | error | aborted | cancelled', async (t) => {
  const { zuora, token } = await start(t, { jobPolls: 3 });
  const submitted = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload(ACCOUNT_QUERY));
  t.match(submitted.json, { id: /^[0-9a-f]{32}$/, status: 'submitted', format: 'CSV', version: '1.2', partner: 'salesforce', project: 'Account_1', batches: [{ status: 'pending', recordCount: 0, full: true, batchType: 'zoqlexport', batchId: /^[0-9a-f]{32}$/ }] });
  t.notOk('fileId' in submitted.json.batches[0]);
  const { statuses, job } = await pollAqua(zuora, token, submitted.json.id as string);
  t.same(statuses, ['executing', 'executing', 'executing', 'completed']);
  t.match(job.batches[0], { status: 'completed', message: '', recordCount: 36, fileId: /^[0-9a-f]{32}$/ });
  t.match(job.startTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

  zuora.scenario.jobPolls = 0;
  for (const outcome of ['error', 'aborted', 'cancelled'] as const) {
    zuora.scenario.jobOutcome = outcome;
    zuora.scenario.jobFailureMessage = `it went ${outcome}`;
    const res = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload(ACCOUNT_QUERY, { project: outcome }));
    const done = await pollAqua(zuora, token, res.json.id as string);
    t.equal(done.job.status, outcome);
    t.equal(done.job.message, `it went ${outcome}`);
    t.match(done.job.batches[0], { status: outcome === 'cancelled' ? 'cancelled' : 'aborted', message: `it went ${outcome}` });
    t.notOk('fileId' in done.job.batches[0]);
  }
  zuora.scenario.jobOutcome = 'completed';
  const afterFailure = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { project: 'error' }));
  t.equal(afterFailure.job.batches[0].full, true, 'a failed run does not advance the session');

  zuora.scenario.jobPolls = 1000;
  zuora.scenario.jobDurationMs = 150;
  const timed = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload(ACCOUNT_QUERY, { project: 'timed' }));
  t.equal((await call(zuora, token, 'GET', `/v1/batch-query/jobs/${timed.json.id as string}`)).json.status, 'executing');
  await sleep(200);
  t.equal((await call(zuora, token, 'GET', `/v1/batch-query/jobs/${timed.json.id as string}`)).json.status, 'completed', 'jobDurationMs completes without polls');
  const unknown = await call(zuora, token, 'GET', '/v1/batch-query/jobs/ffffffffffffffffffffffffffffffff');
  t.same(unknown.json, { errorCode: '90002', message: 'Invalid Job Id' });
});

t.test('10: fileId vs segments; DELETE cancels a running job and removes a finished one', async (t) => {
  const { zuora, token } = await start(t, { segmentRows: 10 });
  const segmented = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY));
  const batch = segmented.job.batches[0] as Json;
  t.notOk('fileId' in batch);
  t.equal(batch.segments.length, 4);
  t.same(segmented.files.map((file) => file.length - 1), [10, 10, 10, 6]);
  t.ok(segmented.files.every((file) => file[0]?.join(',') === 'Id,Name,UpdatedDate'), 'every segment has the header');
  const ids = segmented.files.flatMap((file) => file.slice(1).map((row) => row[0]));
  t.equal(new Set(ids).size, 36, 'segments partition the rows');
  const byKey = await runAqua(zuora, token, aquaPayload("select Id, Name from Account where Name != 'Account 9' order by Id asc", { project: 'by-key' }));
  const keys = byKey.files.flatMap((file) => file.slice(1).map((row) => row[0] as string));
  t.same(byKey.files.map((file) => file.length - 1), [10, 10, 10, 5], 'segments of a filtered, key-ordered query');
  t.same(keys, [...keys].sort(), 'ascending Id across segments');
  t.equal(new Set(keys).size, 35);
  const small = await runAqua(zuora, token, aquaPayload('select Id from Account where UpdatedDate < \'2024-03-01T00:00:00Z\'', { project: 'small' }));
  t.ok(small.job.batches[0].fileId && !small.job.batches[0].segments, 'a batch within the segment size keeps fileId');

  zuora.scenario.jobPolls = 5;
  const running = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload(ACCOUNT_QUERY, { project: 'cancel-me' }));
  const id = running.json.id as string;
  t.equal(zuora.activeJobs(), 1);
  const cancelled = await call(zuora, token, 'DELETE', `/v1/batch-query/jobs/${id}`);
  t.equal(cancelled.status, 200);
  t.match(cancelled.json, { id, status: 'cancelled', batches: [{ status: 'cancelled' }] });
  t.equal(zuora.activeJobs(), 0);
  t.equal((await call(zuora, token, 'GET', `/v1/batch-query/jobs/${id}`)).json.status, 'cancelled');
  t.equal((await call(zuora, token, 'DELETE', `/v1/batch-query/jobs/${segmented.job.id as string}`)).json.status, 'completed');
  t.equal((await call(zuora, token, 'GET', `/v1/batch-query/jobs/${segmented.job.id as string}`)).json.errorCode, '90002', 'deleted');
  t.equal((await call(zuora, token, 'DELETE', '/v1/batch-query/jobs/ffffffffffffffffffffffffffffffff')).json.errorCode, '90003');
});

t.test('11: files at /v1/file and /v1/files, text/csv;charset=UTF-8, 404 after expiry', async (t) => {
  const { zuora, token } = await start(t);
  const { job, texts } = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY));
  const fileId = job.batches[0].fileId as string;
  for (const path of [`/v1/file/${fileId}`, `/v1/files/${fileId}`, `/apps/api/file/${fileId}`]) {
    const res = await call(zuora, token, 'GET', path);
    t.equal(res.status, 200, path);
    t.equal(res.headers.get('content-type'), 'text/csv;charset=UTF-8');
    t.equal(res.text, texts[0], 'same bytes on every path (regenerated, deterministic)');
  }
  t.equal(zuora.server.calls('aqua.file'), 3);
  t.equal(zuora.server.calls('files.get'), 1);
  t.ok(zuora.expireFile(fileId));
  const gone = await call(zuora, token, 'GET', `/v1/file/${fileId}`);
  t.equal(gone.status, 404);
  t.match(gone.json, { success: false, reasons: [{ code: 50000040 }] });
  t.equal((await call(zuora, token, 'GET', `/v1/files/${fileId}`)).status, 404);

  zuora.scenario.fileTtlMs = 100;
  const short = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { project: 'ttl' }));
  const shortId = short.job.batches[0].fileId as string;
  await sleep(150);
  t.equal((await call(zuora, token, 'GET', `/v1/file/${shortId}`)).status, 404, 'expired by fileTtlMs');
});

t.test('12: CSV headers, labels, related columns, nulls, datetimes, truncation, NUL bytes', async (t) => {
  const { zuora, info, token } = await start(t);
  const query = "select Id, Name, CrmId, Balance, AutoPay, BillCycleDay, LastInvoiceDate, UpdatedDate, LastMetricsUpdate, BillToContact.Id, ParentAccount.Name from Account where UpdatedDate < '2024-04-01T00:00:00Z'";
  const plain = await runAqua(zuora, token, aquaPayload(query, { useQueryLabels: 'false', dateTimeUtc: 'false', version: '1.0' }));
  const rows = plain.files[0] as string[][];
  t.same(rows[0], ['Account.Id', 'Account.Name', 'Account.CrmId', 'Account.Balance', 'Account.AutoPay', 'Account.BillCycleDay', 'Account.LastInvoiceDate', 'Account.UpdatedDate', 'Account.LastMetricsUpdate', 'BillToContact.Id', 'ParentAccount.Name']);
  const byId = new Map(rows.slice(1).map((row) => [row[0], row]));
  const a0 = byId.get(info.accountId(0)) as string[];
  const a1 = byId.get(info.accountId(1)) as string[];
  const a5 = byId.get(info.accountId(5)) as string[];
  t.equal(a0[2], '001000000000000000', 'CrmId');
  t.equal(a1[2], '', 'null → empty field');
  t.equal(a0[4], 'true');
  t.equal(a1[4], 'false');
  t.equal(a1[3], '101.5');
  t.equal(a0[6], '', 'null date');
  t.equal(a1[6], '2024-06-01');
  t.equal(a0[7], '2024-01-27T16:00:00-08:00', 'tenant offset (America/Los_Angeles, winter)');
  t.equal(a0[8], '2024-01-07T17:00:00-08:00', 'timestamp type formatted too');
  t.equal(a0[9], '2c92c0f8020000000000000000000001', 'related Id column from the lookup field');
  t.equal(a5[10], 'Account 0', 'related field resolved through the lookup');
  const summer = rows.find((row) => row[7]?.startsWith('2024-03-2'));
  t.match(summer?.[7], /-07:00$/, 'daylight saving offset');
  const quoted = byId.get(info.accountId(2)) as string[];
  t.equal(quoted[1], 'Acme, "Quoted" Inc\u0000', 'quotes and commas survive; the NUL byte the data has is on the wire');
  t.match(plain.texts[0], /"Acme, ""Quoted"" Inc\u0000"/);

  const labelled = await runAqua(zuora, token, aquaPayload(query, { dateTimeUtc: 'true', version: '1.0' }));
  const header = labelled.files[0]?.[0];
  t.same(header, ['Id', 'Name', 'CrmId', 'Balance', 'AutoPay', 'BillCycleDay', 'LastInvoiceDate', 'UpdatedDate', 'LastMetricsUpdate', 'BillToContact.Id', 'ParentAccount.Name'], 'labels as written');
  const utcRow = labelled.files[0]?.find((row) => row[0] === info.accountId(0));
  t.equal(utcRow?.[7], '2024-01-28T00:00:00Z', 'UTC with dateTimeUtc=true');

  const filtered = await runAqua(zuora, token, aquaPayload("select Id, Status from Account where Status = 'Active' and (AutoPay = true or BillCycleDay >= 20) limit 3", { version: '1.0' }));
  t.equal(filtered.job.batches[0].recordCount, 3);
  t.ok((filtered.files[0] as string[][]).slice(1).every((row) => row[1] === 'Active'));

  zuora.scenario.truncateFiles = true;
  const truncated = await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { project: 'trunc' }));
  const lines = truncated.files[0] as string[][];
  const short = lines.filter((row) => row.length !== (lines[0] as string[]).length);
  t.equal(short.length, 1, 'one short row');
  t.equal(lines.at(-1), short[0], 'and the file ends there');
  t.ok(lines.length < 37, 'the rest of the rows are missing');
  zuora.scenario.truncateFiles = false;

  zuora.scenario.nulEvery = 5;
  const nul = await runAqua(zuora, token, aquaPayload('select Id, Name from Account', { project: 'nul' }));
  const withNul = (nul.files[0] as string[][]).slice(1).filter((row) => row[1]?.includes('\u0000'));
  t.ok(withNul.length >= 7, `injected NUL bytes (${withNul.length} rows)`);
});

t.test('gzip format and the where window on AQuA', async (t) => {
  const { zuora, token } = await start(t);
  const submitted = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload(ACCOUNT_QUERY, { format: 'gzip' }));
  const { job } = await pollAqua(zuora, token, submitted.json.id as string);
  t.equal(job.format, 'GZIP');
  const res = await fetch(`${zuora.url}/v1/file/${job.batches[0].fileId as string}`, { headers: { authorization: `Bearer ${token}` } });
  const csv = gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
  t.equal(parseCsv(csv).length, 37);
});

t.test('submittedJobs(): what each AQuA job and export asked for, oldest first', async (t) => {
  const { zuora, token } = await start(t);
  await runAqua(zuora, token, aquaPayload(ACCOUNT_QUERY, { deleted: DELETED_BOOLEAN, incrementalTime: '2024-06-01 00:00:00' }));
  const stateless = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Account limit 1', { version: '1.0', partner: undefined, project: undefined }));
  await call(zuora, token, 'DELETE', `/v1/batch-query/jobs/${stateless.json.id}`);
  await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Contact' });
  t.match(zuora.submittedJobs(), [
    { kind: 'aqua', status: 'completed', partner: 'salesforce', project: 'Account_1', incrementalTime: '2024-06-01 00:00:00', queries: [{ query: ACCOUNT_QUERY, deleted: true }] },
    { kind: 'aqua', status: 'cancelled', queries: [{ query: 'select Id from Account limit 1', deleted: false }] },
    { kind: 'export', status: 'Pending', queries: [{ query: 'select Id from Contact', deleted: false }] },
  ]);
  t.equal(zuora.submittedJobs().length, 3);
  t.notOk('partner' in zuora.submittedJobs()[1]!, 'a stateless job has no session');
});
