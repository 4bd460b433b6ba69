/**
 * Marketo bulk extract (must-haves 13-17): job lifecycle on a status cadence,
 * queue and daily export limits, filter validation, a bogus create, and the
 * file endpoint's Range support and retention.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { code, fixtureMarketo, MarketoClient, sleep, type Envelope } from './helpers/marketo-http.js';

const FAST = { bulkStatusCadenceMs: 80, csvNulRatio: 0 };
const LEADS = { fields: ['id', 'email', 'updatedAt'], filter: { createdAt: { startAt: '2024-01-01T00:00:00Z', endAt: '2024-01-31T00:00:00Z' } } };
const ACTIVITIES = { filter: { createdAt: { startAt: '2024-03-01T00:00:00Z', endAt: '2024-03-31T00:00:00Z' }, activityTypeIds: [6, 7] } };

async function create(client: MarketoClient, type: string, body: unknown): Promise<string> {
  const created = await client.post(`/bulk/v1/${type}/export/create.json`, body);
  if (!created.success) throw new Error(`create failed: ${JSON.stringify(created.errors)}`);
  return String(created.result?.[0]?.exportId);
}

async function status(client: MarketoClient, type: string, id: string): Promise<Record<string, unknown>> {
  return (await client.get(`/bulk/v1/${type}/export/${id}/status.json`)).result?.[0] ?? {};
}

/** Polls until the job reaches `until` (or a terminal status); returns every status seen in order. */
async function poll(client: MarketoClient, type: string, id: string, until = 'Completed'): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 250; i += 1) {
    const current = String((await status(client, type, id)).status);
    if (seen.at(-1) !== current) seen.push(current);
    if (current === until || current === 'Failed' || current === 'Cancelled' || current === 'Completed') return seen;
    await sleep(15);
  }
  throw new Error(`job ${id} stuck: ${seen.join(' → ')}`);
}

t.test('13: create → enqueue → Queued → Processing → Completed on the cadence; file matches size, count and sha-256', async (t) => {
  const handle = await fixtureMarketo(t, { ...FAST, bulkProcessingTicks: 3 });
  const client = new MarketoClient(handle);
  await client.login();
  const created = await client.post('/bulk/v1/leads/export/create.json', LEADS);
  t.match(created.result?.[0], { exportId: /^[0-9a-f-]{36}$/, format: 'CSV', status: 'Created', createdAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ });
  const id = String(created.result?.[0]?.exportId);
  t.equal((await status(client, 'leads', id)).status, 'Created');
  const queued = await client.post(`/bulk/v1/leads/export/${id}/enqueue.json`);
  t.match(queued.result?.[0], { status: 'Queued', queuedAt: /Z$/ });
  // Ticks are global (like Marketo's refresh), so the job may already be Processing at the first poll.
  const states = [...new Set([String(queued.result?.[0]?.status), ...(await poll(client, 'leads', id))])];
  t.same(states, ['Queued', 'Processing', 'Completed'], 'every state, in order');
  const done = await status(client, 'leads', id);
  // Leads 1-14 were created in January; 5 and 10 are deleted.
  t.match(done, { startedAt: /Z$/, finishedAt: /Z$/, numberOfRecords: 12, fileSize: Number, fileChecksum: /^sha256:[0-9a-f]{64}$/ });

  const file = await client.raw(`/bulk/v1/leads/export/${id}/file.json`);
  t.equal(file.status, 200);
  t.match(file.headers.get('content-type'), /^text\/csv/);
  const bytes = Buffer.from(await file.arrayBuffer());
  t.equal(bytes.length, done.fileSize, 'fileSize is the byte length');
  t.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, done.fileChecksum, 'checksum is sha-256 of the file');
  const lines = bytes.toString('utf8').trimEnd().split('\n');
  t.equal(lines[0], 'id,email,updatedAt');
  t.equal(lines.length - 1, done.numberOfRecords, 'numberOfRecords counts data rows');

  // Activities and program members follow the same lifecycle.
  const activityId = await create(client, 'activities', ACTIVITIES);
  await client.post(`/bulk/v1/activities/export/${activityId}/enqueue.json`);
  const memberId = await create(client, 'program/members', { filter: { programId: 1001 } });
  await client.post(`/bulk/v1/program/members/export/${memberId}/enqueue.json`);
  t.equal((await poll(client, 'activities', activityId)).at(-1), 'Completed');
  t.equal((await poll(client, 'program/members', memberId)).at(-1), 'Completed');
  const activityCsv = await (await client.raw(`/bulk/v1/activities/export/${activityId}/file.json`)).text();
  t.match(activityCsv.split('\n')[0], 'marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue,attributes');
  const memberCsv = await (await client.raw(`/bulk/v1/program/members/export/${memberId}/file.json`)).text();
  t.equal(memberCsv.split('\n')[0], 'leadId,programId,progressionStatus,membershipDate,updatedAt,reachedSuccess', 'default fields: every REST field');
  t.equal(memberCsv.trimEnd().split('\n').length - 1, 14, 'program 1001 members only');

  const list = await client.get('/bulk/v1/leads/export.json', { status: 'Completed' });
  t.same(
    list.result?.map((job) => job.exportId),
    [id],
  );
  t.notOk('result' in (await client.get('/bulk/v1/leads/export.json', { status: 'Queued' })), 'no queued lead jobs');
});

t.test('13: status only moves on the cadence (default 60 s); Cancelled and Failed variants', async (t) => {
  const handle = await fixtureMarketo(t, { csvNulRatio: 0 });
  const client = new MarketoClient(handle);
  await client.login();
  const id = await create(client, 'leads', LEADS);
  await client.post(`/bulk/v1/leads/export/${id}/enqueue.json`);
  await sleep(150);
  t.equal((await status(client, 'leads', id)).status, 'Queued', 'nothing moves between ticks');
  handle.advanceTime(60_000);
  t.equal((await status(client, 'leads', id)).status, 'Processing', 'one tick later');
  await sleep(10);
  t.equal((await status(client, 'leads', id)).status, 'Processing', 'still within the tick');
  handle.advanceTime(60_000);
  t.equal((await status(client, 'leads', id)).status, 'Completed', 'next tick');

  const cancelId = await create(client, 'leads', LEADS);
  await client.post(`/bulk/v1/leads/export/${cancelId}/enqueue.json`);
  const cancelled = await client.post(`/bulk/v1/leads/export/${cancelId}/cancel.json`);
  t.equal(cancelled.result?.[0]?.status, 'Cancelled');
  handle.advanceTime(120_000);
  t.equal((await status(client, 'leads', cancelId)).status, 'Cancelled', 'stays cancelled');
  t.equal(code(await client.post(`/bulk/v1/leads/export/${cancelId}/enqueue.json`)), '1029', 'a cancelled job cannot be queued again');

  handle.scenario.failJobs = 1;
  handle.scenario.bulkStatusCadenceMs = 50;
  const failId = await create(client, 'leads', LEADS);
  await client.post(`/bulk/v1/leads/export/${failId}/enqueue.json`);
  t.equal((await poll(client, 'leads', failId)).at(-1), 'Failed');
  t.match(await status(client, 'leads', failId), { status: 'Failed', errorMsg: /Failed to export/ });
  t.notOk('fileChecksum' in (await status(client, 'leads', failId)));
  t.equal(code(await client.get(`/bulk/v1/leads/export/${failId}/file.json`)), '1003', 'no file for a failed job');
  t.equal(code(await client.get('/bulk/v1/leads/export/no-such-job/status.json')), '1003');
});

t.test('14: 2 processing at once, 10 in the queue (1029), 500 MB/day export quota (1029) until Central midnight', async (t) => {
  const handle = await fixtureMarketo(t, { bulkStatusCadenceMs: 60_000, csvNulRatio: 0 });
  const client = new MarketoClient(handle);
  await client.login();
  const ids: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const id = await create(client, 'leads', LEADS);
    ids.push(id);
    t.equal((await client.post(`/bulk/v1/leads/export/${id}/enqueue.json`)).success, true);
  }
  const eleventh = await create(client, 'activities', ACTIVITIES);
  const refused = await client.post(`/bulk/v1/activities/export/${eleventh}/enqueue.json`);
  t.same(refused.errors, [{ code: '1029', message: 'Too many jobs in queue' }], 'the queue is shared by export types');
  handle.advanceTime(60_000);
  const states = await Promise.all(ids.map(async (id) => String((await status(client, 'leads', id)).status)));
  t.equal(states.filter((s) => s === 'Processing').length, 2, 'two processing');
  t.equal(states.filter((s) => s === 'Queued').length, 8, 'the rest wait');
  for (const id of ids.slice(2)) await client.post(`/bulk/v1/leads/export/${id}/cancel.json`);
  await sleep(5);
  handle.advanceTime(60_000);
  t.same(
    await Promise.all(ids.slice(0, 2).map(async (id) => (await status(client, 'leads', id)).status)),
    ['Completed', 'Completed'],
  );
  t.equal((await client.post(`/bulk/v1/activities/export/${eleventh}/enqueue.json`)).success, true, 'room again');

  // Daily export quota: the two finished files use it up when the quota is small.
  const used = handle.jobs.exportedToday();
  t.ok(used > 0);
  handle.scenario.exportDailyQuotaBytes = used;
  const over = await client.post('/bulk/v1/leads/export/create.json', LEADS);
  t.same(over.errors, [{ code: '1029', message: 'Export daily quota 0MB exceeded' }]);
  t.match(over.errors?.[0]?.message, /^Export daily quota \d+MB exceeded$/, 'the message clients match');
  handle.scenario.exportDailyQuotaBytes = 500 * 1_048_576;
  const pending = await create(client, 'leads', LEADS);
  handle.scenario.exportDailyQuotaBytes = used;
  t.same((await client.post(`/bulk/v1/leads/export/${pending}/enqueue.json`)).errors?.[0]?.code, '1029', 'enqueue is refused too');
  handle.advancePastMidnight();
  await client.login();
  t.equal(handle.jobs.exportedToday(), 0, 'the quota resets at midnight US Central');
  t.equal((await client.post(`/bulk/v1/leads/export/${pending}/enqueue.json`)).success, true);
});

t.test('15: filter validation: > 31 days, milliseconds (switch), updatedAt without Corona → 1035', async (t) => {
  const handle = await fixtureMarketo(t, FAST);
  const client = new MarketoClient(handle);
  await client.login();
  const wide = { fields: ['id'], filter: { createdAt: { startAt: '2024-01-01T00:00:00Z', endAt: '2024-02-01T00:00:01Z' } } };
  const rejected = await client.post('/bulk/v1/leads/export/create.json', wide);
  t.equal(code(rejected), '1003');
  t.match(rejected.errors?.[0]?.message, /31 days/);
  handle.scenario.wideRangeCode = '1001';
  t.equal(code(await client.post('/bulk/v1/leads/export/create.json', wide)), '1001', 'the code is a switch');
  const exactly31 = { fields: ['id'], filter: { createdAt: { startAt: '2024-01-01T00:00:00Z', endAt: '2024-02-01T00:00:00Z' } } };
  t.equal((await client.post('/bulk/v1/leads/export/create.json', exactly31)).success, true, '31 days is allowed');
  t.equal(code(await client.post('/bulk/v1/activities/export/create.json', { filter: { createdAt: { startAt: '2024-01-01T00:00:00Z', endAt: '2024-03-01T00:00:00Z' } } })), '1001', 'activities too');

  const millis = { fields: ['id'], filter: { createdAt: { startAt: '2024-01-01T00:00:00.000Z', endAt: '2024-01-10T00:00:00Z' } } };
  t.equal((await client.post('/bulk/v1/leads/export/create.json', millis)).success, true, 'milliseconds accepted by default');
  handle.scenario.rejectMilliseconds = true;
  const noMillis = await client.post('/bulk/v1/leads/export/create.json', millis);
  t.equal(code(noMillis), '1003');
  t.match(noMillis.errors?.[0]?.message, /milliseconds/);

  const updated = { fields: ['id', 'updatedAt'], filter: { updatedAt: { startAt: '2024-01-01T00:00:00Z', endAt: '2024-01-20T00:00:00Z' } } };
  const corona = await client.post('/bulk/v1/leads/export/create.json', updated);
  t.equal(corona.success, true, 'updatedAt works with Corona');
  const updatedId = String(corona.result?.[0]?.exportId);
  await client.post(`/bulk/v1/leads/export/${updatedId}/enqueue.json`);
  await poll(client, 'leads', updatedId);
  const csv = await (await client.raw(`/bulk/v1/leads/export/${updatedId}/file.json`)).text();
  const stamps = csv.trimEnd().split('\n').slice(1).map((line) => line.split(',')[1] ?? '');
  t.ok(stamps.length > 0 && stamps.every((stamp) => stamp >= '2024-01-01T00:00:00Z' && stamp <= '2024-01-20T00:00:00Z'), 'rows inside the updatedAt window');
  handle.scenario.corona = false;
  const noCorona = await client.post('/bulk/v1/leads/export/create.json', updated);
  t.same(noCorona.errors, [{ code: '1035', message: 'Unsupported filter type for target subscription: updatedAt' }]);
  t.equal(code(await client.post('/bulk/v1/leads/export/create.json', { fields: ['id'], filter: { smartListId: 5 } })), '1035');

  t.equal(code(await client.post('/bulk/v1/leads/export/create.json', { fields: ['id', 'legacyScore'], filter: exactly31.filter })), '1003', 'SOAP-only fields cannot be exported');
  t.equal(code(await client.post('/bulk/v1/leads/export/create.json', { filter: exactly31.filter })), '1003', 'lead fields are required');
  t.equal(code(await client.post('/bulk/v1/leads/export/create.json', { fields: ['id'], filter: { ...exactly31.filter, staticListId: 1 } })), '1003', 'one filter type');
  t.equal(code(await client.post('/bulk/v1/activities/export/create.json', { filter: { activityTypeIds: [6] } })), '1003', 'activities need createdAt');
  const badJson = await client.raw('/bulk/v1/leads/export/create.json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fields":' });
  t.equal(code((await badJson.json()) as Envelope), '609');
});

t.test('16: a create that answers a non-Created job with a bogus exportId, once', async (t) => {
  const handle = await fixtureMarketo(t, { ...FAST, badCreates: 1 });
  const client = new MarketoClient(handle);
  await client.login();
  const bogus = await client.post('/bulk/v1/leads/export/create.json', LEADS);
  t.equal(bogus.success, true);
  t.match(bogus.result?.[0], { exportId: 'null', status: 'Failed', format: 'CSV' });
  t.equal(code(await client.post('/bulk/v1/leads/export/null/enqueue.json')), '1003', 'the bogus id is not a job');
  const retry = await client.post('/bulk/v1/leads/export/create.json', LEADS);
  t.match(retry.result?.[0], { status: 'Created' }, 'the retry works');
  handle.scenario.badCreates = 1;
  handle.scenario.badCreateStatus = 'Queued';
  t.equal((await client.post('/bulk/v1/leads/export/create.json', LEADS)).result?.[0]?.status, 'Queued');
});

t.test('17: file endpoint: 206 for the 0-byte probe and other ranges, 416, 404 after retention', async (t) => {
  const handle = await fixtureMarketo(t, FAST);
  const client = new MarketoClient(handle);
  await client.login();
  const id = await create(client, 'activities', ACTIVITIES);
  await client.post(`/bulk/v1/activities/export/${id}/enqueue.json`);
  await poll(client, 'activities', id);
  const size = Number((await status(client, 'activities', id)).fileSize);
  const whole = Buffer.from(await (await client.raw(`/bulk/v1/activities/export/${id}/file.json`)).arrayBuffer());
  t.equal(whole.length, size);

  const probe = await client.raw(`/bulk/v1/activities/export/${id}/file.json`, { headers: { range: 'bytes=0-0' } });
  t.equal(probe.status, 206);
  t.equal(probe.headers.get('content-range'), `bytes 0-0/${size}`);
  t.same(Buffer.from(await probe.arrayBuffer()), whole.subarray(0, 1));
  const middle = await client.raw(`/bulk/v1/activities/export/${id}/file.json`, { headers: { range: 'bytes=100-20099' } });
  t.equal(middle.status, 206);
  t.same(Buffer.from(await middle.arrayBuffer()), whole.subarray(100, 20_100), 'a range is exactly those bytes');
  const tail = await client.raw(`/bulk/v1/activities/export/${id}/file.json`, { headers: { range: `bytes=${size - 10}-` } });
  t.same(Buffer.from(await tail.arrayBuffer()), whole.subarray(size - 10));
  const suffix = await client.raw(`/bulk/v1/activities/export/${id}/file.json`, { headers: { range: 'bytes=-5' } });
  t.same(Buffer.from(await suffix.arrayBuffer()), whole.subarray(size - 5));
  const beyond = await client.raw(`/bulk/v1/activities/export/${id}/file.json`, { headers: { range: `bytes=${size}-` } });
  t.equal(beyond.status, 416);
  t.equal(beyond.headers.get('content-range'), `bytes */${size}`);

  const notYet = await create(client, 'activities', ACTIVITIES);
  t.equal(code(await client.get(`/bulk/v1/activities/export/${notYet}/file.json`)), '1003', 'no file before Completed');

  handle.advanceTime(6 * 86_400_000);
  await client.login();
  t.equal((await client.raw(`/bulk/v1/activities/export/${id}/file.json`, { headers: { range: 'bytes=0-0' } })).status, 206, 'still there on day 6');
  handle.advanceTime(2 * 86_400_000);
  await client.login();
  const gone = await client.raw(`/bulk/v1/activities/export/${id}/file.json`, { headers: { range: 'bytes=0-0' } });
  t.equal(gone.status, 404, 'past the 7-day retention the file is gone');
  await gone.text();
  const unknown = await client.raw('/bulk/v1/activities/export/0b8f2b84-0000-0000-0000-000000000000/file.json');
  t.equal(unknown.status, 404);
  await unknown.text();

  // A dropped connection mid-file (fault) is what a resuming client recovers from with Range.
  const second = await create(client, 'activities', ACTIVITIES);
  await client.post(`/bulk/v1/activities/export/${second}/enqueue.json`);
  await poll(client, 'activities', second);
  handle.server.inject({ route: 'bulk.file', action: { type: 'drop', afterBytes: 1000 } });
  await t.rejects(
    (async () => {
      const response = await client.raw(`/bulk/v1/activities/export/${second}/file.json`);
      await response.arrayBuffer();
    })(),
    'the body is cut off',
  );
});
