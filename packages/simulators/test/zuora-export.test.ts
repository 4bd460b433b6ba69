import t, { type Test } from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startZuora, type ZuoraSimulator } from '../src/zuora/index.js';
import { zuoraFixtureSimulation } from './helpers/zuora-fixture.js';
import { aquaPayload, call, getToken, parseCsv, pollAqua, type Json } from './helpers/zuora-http.js';

async function start(t: Test, scenario: Partial<ZuoraSimulator['scenario']> = {}): Promise<{ zuora: ZuoraSimulator; token: string }> {
  const { simulation } = zuoraFixtureSimulation();
  const zuora = await startZuora({ simulation, scenario });
  t.teardown(() => zuora.close());
  return { zuora, token: await getToken(zuora) };
}

const window = (from: string, to: string): string => `select Id, Name, UpdatedDate, BillToContact.Id from Account where UpdatedDate >= '${from}' and UpdatedDate < '${to}'`;

/** Polls an export until it leaves Pending/Processing (or maxPolls); returns statuses and the last body. */
async function pollExport(zuora: ZuoraSimulator, token: string, id: string, maxPolls = 20): Promise<{ statuses: string[]; job: Json }> {
  const statuses: string[] = [];
  let job: Json = {};
  for (let i = 0; i < maxPolls; i++) {
    job = (await call(zuora, token, 'GET', `/v1/object/export/${id}`)).json;
    statuses.push(job.Status as string);
    if (!['Pending', 'Processing'].includes(job.Status as string)) break;
  }
  return { statuses, job };
}

t.test('13: POST /v1/object/export → Pending → Processing → Completed with FileId; Failed/Cancelled with StatusReason', async (t) => {
  const { zuora, token } = await start(t, { jobPolls: 2 });
  const created = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: window('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'), Name: 'march' });
  t.equal(created.status, 200);
  t.match(created.json, { Success: true, Id: /^[0-9a-f]{32}$/ });
  t.same(Object.keys(created.json).sort(), ['Id', 'Success']);
  const { statuses, job } = await pollExport(zuora, token, created.json.Id as string);
  t.same(statuses, ['Pending', 'Processing', 'Completed']);
  t.match(job, { Id: created.json.Id, Name: 'march', Status: 'Completed', Format: 'csv', FileId: /^[0-9a-f]{32}$/, Zip: false, Encrypted: false, StatusReason: null, CreatedDate: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-0[78]:00$/ });
  t.ok(job.Size > 100, 'Size');
  const file = await call(zuora, token, 'GET', `/v1/files/${job.FileId as string}`);
  t.equal(file.status, 200);
  t.equal(file.headers.get('content-type'), 'text/csv;charset=UTF-8');
  const rows = parseCsv(file.text);
  t.same(rows[0], ['Account.Id', 'Account.Name', 'Account.UpdatedDate', 'BillToContact.Id']);
  t.equal(rows.length - 1, 5, 'accounts 5-9 changed in March 2024');
  t.ok(rows.slice(1).every((row) => row[2]! >= '2024-02-29T16:00:00-08:00' && row[2]! < '2024-03-31T17:00:00-07:00'), 'rows inside the window');
  t.ok(Math.abs(job.Size - Buffer.byteLength(file.text)) < 50, 'Size close to the file size');

  zuora.scenario.jobPolls = 0;
  for (const [outcome, status] of [['error', 'Failed'], ['aborted', 'Failed'], ['cancelled', 'Cancelled']] as const) {
    zuora.scenario.jobOutcome = outcome;
    zuora.scenario.jobFailureMessage = `because ${outcome}`;
    const res = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
    const done = await pollExport(zuora, token, res.json.Id as string);
    t.match(done.job, { Status: status, StatusReason: `because ${outcome}` });
    t.notOk('FileId' in done.job);
  }
  const unknown = await call(zuora, token, 'GET', '/v1/object/export/ffffffffffffffffffffffffffffffff');
  t.equal(unknown.status, 404);
  t.equal(unknown.json.Success, false);
});

t.test('14: 400 INVALID_VALUE for bad queries and noSuchDataSource for unexportable objects', async (t) => {
  const { zuora, token } = await start(t);
  const post = (body: Json, query = ''): ReturnType<typeof call> => call(zuora, token, 'POST', `/v1/object/export${query}`, body);
  const invalid: [string, Json][] = [
    ['unknown field', { Format: 'csv', Query: 'select Id, Bogus from Account' }],
    ['non-export field', { Format: 'csv', Query: 'select Id, Notes from Account' }],
    ['syntax', { Format: 'csv', Query: 'select from Account' }],
    ['bad literal', { Format: 'csv', Query: "select Id from Account where UpdatedDate >= 'yesterday'" }],
    ['bad format', { Format: 'xml', Query: 'select Id from Account' }],
  ];
  for (const [label, body] of invalid) {
    const res = await post(body);
    t.equal(res.status, 400, label);
    t.equal(res.json.Success, false, label);
    t.equal(res.json.Errors?.[0]?.Code, 'INVALID_VALUE', label);
    t.notMatch(res.json.Errors?.[0]?.Message, /noSuchDataSource/, label);
  }
  for (const object of ['JournalEntry', 'Nothing']) {
    const res = await post({ Format: 'csv', Query: `select * from ${object} limit 1` });
    t.equal(res.status, 400);
    t.match(res.json, { Success: false, Errors: [{ Code: 'INVALID_VALUE', Message: /noSuchDataSource/ }] }, object);
  }
  const probe = await post({ Format: 'csv', Query: 'select * from Account limit 1' });
  t.equal(probe.json.Success, true, "tap-zuora's REST probe is accepted");
  const unknownFields = await post({ Format: 'csv', Query: 'select Id from Account', Bogus: 1 }, '?rejectUnknownFields=true');
  t.equal(unknownFields.status, 400);
  t.same(unknownFields.json, { message: 'Error - unrecognised fields' });
  t.equal((await post({ Format: 'csv', Query: 'select Id from Account', Bogus: 1 })).status, 200, 'unknown fields are ignored by default');
});

t.test('15 (concurrency): more than N active jobs → 429 with Concurrency-Limit headers; recoverable', async (t) => {
  const { zuora, token } = await start(t, { maxConcurrentJobs: 2, jobPolls: 20, concurrencyRetryAfterSeconds: 1 });
  const a = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Account'));
  const b = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  t.equal(a.json.status, 'submitted');
  t.equal(b.json.Success, true);
  t.equal(zuora.activeJobs(), 2);
  for (const [path, body] of [['/v1/object/export', { Format: 'csv', Query: 'select Id from Account' }], ['/v1/batch-query/', aquaPayload('select Id from Account', { project: 'x' })]] as const) {
    const limited = await call(zuora, token, 'POST', path, body);
    t.equal(limited.status, 429, path);
    t.equal(limited.headers.get('concurrency-limit-limit'), '2');
    t.equal(limited.headers.get('concurrency-limit-remaining'), '0');
    t.equal(limited.headers.get('retry-after'), '1');
    t.match(limited.json.message, /concurrent/);
  }
  // Cancelling the AQuA job frees a slot.
  await call(zuora, token, 'DELETE', `/v1/batch-query/jobs/${a.json.id as string}`);
  const c = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  t.equal(c.status, 200, 'accepted once a slot is free');
  t.equal((await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' })).status, 429);
  // Jobs that complete free their slots too.
  zuora.scenario.jobPolls = 0;
  t.equal(zuora.activeJobs(), 2, 'jobs keep the polls they were submitted with');
  for (let i = 0; i < 21; i++) await call(zuora, token, 'GET', `/v1/object/export/${b.json.Id as string}`);
  t.equal((await call(zuora, token, 'GET', `/v1/object/export/${b.json.Id as string}`)).json.Status, 'Completed');
  t.equal(zuora.activeJobs(), 1);
  t.equal((await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Account', { project: 'y' }))).json.status, 'submitted');
});

t.test('15 (concurrency, by time): slots free up after the jobs run for jobDurationMs', async (t) => {
  const { zuora, token } = await start(t, { maxConcurrentJobs: 1, jobPolls: 1000, jobDurationMs: 150 });
  const first = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  t.equal(first.status, 200);
  t.equal((await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' })).status, 429);
  await sleep(200);
  t.equal(zuora.activeJobs(), 0);
  t.equal((await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' })).status, 200, 'recovered after the wait');
  const done = await pollExport(zuora, token, first.json.Id as string);
  t.equal(done.job.Status, 'Completed');
});

t.test('16: transient 500/502/503/504 on status and file routes; a retrying client gets through', async (t) => {
  const { zuora, token } = await start(t, { jobPolls: 0 });
  const { server } = zuora;
  const created = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  server.inject({ route: 'export.status', action: { type: 'error', code: '503' } });
  server.inject({ route: 'export.status', action: { type: 'status', status: 500, body: { message: 'Internal Server Error' } } });
  const retry = async (path: string): Promise<{ codes: number[]; last: Awaited<ReturnType<typeof call>> }> => {
    const codes: number[] = [];
    for (;;) {
      const res = await call(zuora, token, 'GET', path);
      codes.push(res.status);
      if (![500, 502, 503, 504].includes(res.status)) return { codes, last: res };
    }
  };
  const status = await retry(`/v1/object/export/${created.json.Id as string}`);
  t.same(status.codes, [503, 500, 200]);
  t.equal(status.last.json.Status, 'Completed');

  server.inject({ route: 'files.get', action: { type: 'error', code: '502' } });
  server.inject({ route: 'files.get', action: { type: 'error', code: '504' } });
  const file = await retry(`/v1/files/${status.last.json.FileId as string}`);
  t.same(file.codes, [502, 504, 200]);
  t.equal(parseCsv(file.last.text).length, 37);

  const aqua = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Account'));
  server.inject({ route: 'aqua.status', action: { type: 'error', code: '500' } });
  const aquaStatus = await retry(`/v1/batch-query/jobs/${aqua.json.id as string}`);
  t.same(aquaStatus.codes, [500, 200]);
  server.inject({ route: 'aqua.file', times: 2, action: { type: 'error', code: '503' } });
  const aquaFile = await retry(`/v1/file/${aquaStatus.last.json.batches[0].fileId as string}`);
  t.same(aquaFile.codes, [503, 503, 200]);
  t.equal(server.calls('aqua.file'), 3);

  // A connection dropped mid-file: the body is cut short, the next try is whole.
  server.inject({ route: 'aqua.file', action: { type: 'drop', afterBytes: 100 } });
  await t.rejects(fetch(`${zuora.url}/v1/file/${aquaStatus.last.json.batches[0].fileId as string}`, { headers: { authorization: `Bearer ${token}` } }).then((res) => res.text()));
});

t.test('17: export time limits: never completes, or fails when the UpdatedDate window is too wide (window halving)', async (t) => {
  const { zuora, token } = await start(t, { jobPolls: 0, jobsNeverComplete: true });
  const stuck = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  const polled = await pollExport(zuora, token, stuck.json.Id as string, 10);
  t.same(new Set(polled.statuses), new Set(['Pending', 'Processing']), 'never leaves Pending/Processing');
  t.equal(polled.statuses.length, 10);
  const aquaStuck = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Account'));
  const aquaPolled: string[] = [];
  for (let i = 0; i < 5; i++) aquaPolled.push((await call(zuora, token, 'GET', `/v1/batch-query/jobs/${aquaStuck.json.id as string}`)).json.status as string);
  t.same(aquaPolled, ['executing', 'executing', 'executing', 'executing', 'executing']);

  zuora.scenario.jobsNeverComplete = false;
  zuora.scenario.maxWindowDays = 10;
  // A tap that halves its window on failure: 40 days → 20 → 10 → succeeds.
  const tried: number[] = [];
  let days = 40;
  const from = Date.parse('2024-03-01T00:00:00Z');
  let result: Json = {};
  for (;;) {
    tried.push(days);
    const to = new Date(from + days * 86_400_000).toISOString().replace('.000', '');
    const res = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: window('2024-03-01T00:00:00Z', to) });
    result = (await pollExport(zuora, token, res.json.Id as string)).job;
    if (result.Status === 'Completed') break;
    t.equal(result.Status, 'Failed');
    t.match(result.StatusReason, /time limit/);
    days /= 2;
  }
  t.same(tried, [40, 20, 10]);
  const unbounded = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  t.equal((await pollExport(zuora, token, unbounded.json.Id as string)).job.Status, 'Failed', 'an unbounded query spans the whole history');

  const aquaWide = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Account', { project: 'wide' }));
  const wide = await pollAqua(zuora, token, aquaWide.json.id as string);
  t.match(wide.job, { status: 'error', message: /time limit/, batches: [{ status: 'aborted' }] });

  zuora.scenario.windowLimitAction = 'hang';
  const hanging = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: window('2024-03-01T00:00:00Z', '2024-04-15T00:00:00Z') });
  t.same(new Set((await pollExport(zuora, token, hanging.json.Id as string, 5)).statuses), new Set(['Pending', 'Processing']), 'hang instead of fail');
});
