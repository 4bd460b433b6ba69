/** api_type BULK and AUTO: the Bulk API 2.0 reader wired into the sync, against the simulator. */
import { memoryLogger, normalizeState } from '@singer-io-ts/sdk';
import type { FaultAction } from '@singer-io-ts/simulators';
import t, { type Test } from 'tap';
import { SalesforceClient, type SalesforceConfig } from '../src/index.js';
import { bulkPlan } from '../src/streams/bulk-reader.js';
import { BulkResume, KeyMax, queryDigest, type SavedBulkJob } from '../src/streams/bulk-resume.js';
import type { FieldDescribe, ObjectDescribe } from '../src/streams/describe.js';
import { configFor, fastTap, simIds, simRows, startOrg, syncStreams } from './helpers/salesforce.js';

const OBJECTS = ['Account', 'Contact', 'Lead', 'Opportunity', 'Campaign', 'CampaignMember', 'OpportunityContactRole', 'User', 'Partner_Referral__c'];
const BULK_ORG = { scale: 0.1, scenario: { bulkPageSize: 300 } };

type Row = Record<string, unknown>;
const byId = (rows: Row[]) => [...rows].sort((a, b) => (String(a.Id) < String(b.Id) ? -1 : String(a.Id) > String(b.Id) ? 1 : 0));
const bulk = (sf: { tapConfig: unknown } & Parameters<typeof configFor>[0], extra: Partial<SalesforceConfig> = {}) => configFor(sf, 'refresh_token', { api_type: 'BULK', ...extra });

t.test('BULK yields exactly the records REST does, deletes and compound fields included, and resumes incrementally', async (t) => {
  const sf = await startOrg(t, BULK_ORG);
  const rest = await syncStreams(configFor(sf), OBJECTS);
  const queryAllBefore = sf.server.calls('queryAll');
  const run = await syncStreams(bulk(sf), OBJECTS);
  t.equal(sf.server.calls('queryAll'), queryAllBefore, 'no REST query in the BULK run');
  t.ok(sf.server.calls('bulk2.create') >= OBJECTS.length, `${sf.server.calls('bulk2.create')} Bulk jobs`);
  t.ok(sf.server.calls('bulk2.results') > OBJECTS.length, 'results read in several pages');
  for (const object of OBJECTS) {
    const got = byId(run.records(object));
    t.equal(got.length, simRows(sf, object).length, `${object}: every row (${got.length})`);
    t.same(got, byId(rest.records(object)), `${object}: the same records as REST`);
  }
  const account = run.records('Account').find((r) => r.BillingAddress !== null);
  t.type(account?.BillingAddress, 'object', 'compound address composed from its components');
  const deleted = run.records('Lead').filter((r) => r.IsDeleted === true);
  t.ok(deleted.length > 0);
  for (const record of deleted) t.equal(record._sdc_deleted_at, record.SystemModstamp);
  t.match(run.records('Lead')[0]!.SystemModstamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.ok(run.logLines.every((line) => !/reading through REST/.test(line)), 'no fallback');

  const bookmark = normalizeState(run.finalState).bookmarks.Lead!;
  t.equal(bookmark.replication_key_value, normalizeState(rest.finalState).bookmarks.Lead!.replication_key_value, 'the bookmark REST ends on');
  t.type(bookmark.last_id, 'string', 'with the Id that ends the object at that value');

  sf.simulation.clock.advanceDays(30);
  const second = await syncStreams(bulk(sf), ['Lead'], run.finalState);
  const expected = simRows(sf, 'Lead').filter((row) => new Date(row.SystemModstamp as number).toISOString() > String(bookmark.replication_key_value));
  t.same(second.records('Lead').map((r) => r.Id).sort(), expected.map((r) => String(r.Id)).sort(), 'the increment: exactly the rows changed since');
  const third = await syncStreams(bulk(sf), ['Lead'], second.finalState);
  t.equal(third.records('Lead').length, 0, 'nothing changed: nothing extracted');
});

t.test('AUTO counts the rows each run would read: a large object through Bulk, a small one and a later small increment through REST', async (t) => {
  const sf = await startOrg(t, BULK_ORG);
  const threshold = 500;
  t.ok(simRows(sf, 'CampaignMember').length > threshold && simRows(sf, 'Campaign').length <= threshold);
  const config = configFor(sf, 'refresh_token', { api_type: 'AUTO', bulk_threshold_rows: threshold });

  let [jobs, queries] = [sf.server.calls('bulk2.create'), sf.server.calls('queryAll')];
  const big = await syncStreams(config, ['CampaignMember']);
  t.same(big.records('CampaignMember').map((r) => String(r.Id)).sort(), simIds(sf, 'CampaignMember'));
  t.ok(sf.server.calls('bulk2.create') > jobs, 'CampaignMember: Bulk');
  t.equal(sf.server.calls('queryAll'), queries + 1, 'CampaignMember: one REST call, the COUNT()');

  [jobs, queries] = [sf.server.calls('bulk2.create'), sf.server.calls('queryAll')];
  const little = await syncStreams(config, ['Campaign']);
  t.same(little.records('Campaign').map((r) => r.Id).sort(), simIds(sf, 'Campaign'));
  t.equal(sf.server.calls('bulk2.create'), jobs, 'Campaign: no Bulk job');
  t.ok(sf.server.calls('queryAll') > queries + 1, 'Campaign: REST');

  sf.simulation.clock.advanceDays(30);
  const since = String(normalizeState(big.finalState).bookmarks.CampaignMember?.replication_key_value);
  const changed = simRows(sf, 'CampaignMember').filter((row) => new Date(row.SystemModstamp as number).toISOString() > since);
  t.ok(changed.length > 0 && changed.length <= threshold, `${changed.length} rows changed in 30 days`);
  jobs = sf.server.calls('bulk2.create');
  const increment = await syncStreams(config, ['CampaignMember'], big.finalState);
  t.same(increment.records('CampaignMember').map((r) => String(r.Id)).sort(), changed.map((row) => String(row.Id)).sort(), 'the increment');
  t.equal(sf.server.calls('bulk2.create'), jobs, 'counted from the bookmark, the increment is small: REST');
});

/** Limits and server failures answered to Bulk calls, by call; each ends in the same data or a clean stop. */
const DAILY = { code: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' };
const CONCURRENCY = { code: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' };
const error = (fault: { code: string; message: string }) => ({ type: 'error' as const, ...fault });
const BULK_FAULTS: Array<{ route: string; what: string; action: FaultAction; outcome: 'clean stop' | 'retried' | 'tried in halves'; logged?: RegExp }> = [
  ...(['bulk2.create', 'bulk2.poll', 'bulk2.results'] as const).map((route) => ({ route, what: DAILY.message, action: error(DAILY), outcome: 'clean stop' as const })),
  ...(['bulk2.create', 'bulk2.poll', 'bulk2.results'] as const).map((route) => ({ route, what: CONCURRENCY.message, action: error(CONCURRENCY), outcome: 'retried' as const })),
  { route: 'bulk2.create', what: 'SERVER_UNAVAILABLE', action: error({ code: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }), outcome: 'tried in halves' as const, logged: /HTTP 503 SERVER_UNAVAILABLE/ },
  // The job may exist, but its id never arrived.
  { route: 'bulk2.create', what: 'a body that breaks off', action: { type: 'drop' as const, afterBytes: 5 }, outcome: 'tried in halves' as const, logged: /answered 200 but its body could not be read \(a job may have been created\): terminated/ },
];

for (const { route, what, action, outcome, logged } of BULK_FAULTS) {
  t.test(`BULK: ${route} answered ${what}: ${outcome}`, async (t) => {
    const sf = await startOrg(t, { scale: 0.1, scenario: { bulkPageSize: 200 } });
    // The second results page, so that a stop comes part way through the object.
    const fault = sf.server.inject({ route, after: route === 'bulk2.results' ? 1 : 0, action });
    const run = await syncStreams(bulk(sf), ['Lead']);
    t.equal(fault.fired, 1);
    t.equal(sf.server.calls('queryAll'), 0, 'nothing read through REST');
    if (outcome === 'clean stop') {
      t.match(run.summary.stoppedEarly, /daily API limit reached \(TotalRequests Limit exceeded.\)/);
      t.equal(normalizeState(run.finalState).bookmarks.Lead?.replication_key_value, undefined, 'the bookmark stays where the run found it');
      const rerun = await syncStreams(bulk(sf), ['Lead'], run.finalState);
      t.notOk(rerun.summary.stoppedEarly);
      // A stop on the results resumes the job (see the resume tests); one before them reads it all.
      const ids = new Set([...run.records('Lead'), ...rerun.records('Lead')].map((r) => String(r.Id)));
      t.same([...ids].sort(), simIds(sf, 'Lead'), 'the two runs read every row');
      return;
    }
    t.notOk(run.summary.stoppedEarly);
    const rows = run.records('Lead').map((r) => String(r.Id));
    t.equal(new Set(rows).size, rows.length, 'no row twice');
    t.same(rows.sort(), simIds(sf, 'Lead'), 'every row');
    if (outcome === 'retried') t.ok(run.logLines.some((line) => /ConcurrentPerOrgLongTxn.*; retrying/.test(line)), 'the retry is logged');
    else t.ok(run.logLines.some((line) => /Lead: Bulk API 2.0 job failed on /.test(line) && logged?.test(line) && /trying it again in two halves/.test(line)), 'the halves are logged, with the reason');
  });
}

t.test('BULK: a job that never finishes counts as failed: aborted, tried in halves, then read through REST', async (t) => {
  const sf = await startOrg(t, { ...BULK_ORG, scenario: { ...BULK_ORG.scenario, jobPolls: 1e9 } });
  const rest = await syncStreams(configFor(sf), ['Lead']);
  const run = await syncStreams(bulk(sf), ['Lead'], undefined, fastTap({}, { bulkJobTimeoutMs: 1 }));
  t.same(byId(run.records('Lead')), byId(rest.records('Lead')), 'the REST records');
  t.equal(sf.server.calls('bulk2.create'), 3, 'one job, then one per half');
  t.equal(sf.server.calls('bulk2.abort'), 3, 'each aborted');
  t.ok(run.logLines.some((line) => /Lead: Bulk API 2.0 job failed on .*was still InProgress after \d+ s; gave up waiting\); trying it again in two halves/.test(line)));
  t.equal(run.logLines.filter((line) => /Lead: Bulk API 2.0 job failed again on .*reading that window through REST/.test(line)).length, 2);
});

t.test('BULK: job polls failing for longer than the retries: a clean stop naming the object and the call; the rerun completes', async (t) => {
  const sf = await startOrg(t, { scale: 0.1, scenario: { bulkPageSize: 200 } });
  const fault = sf.server.inject({ route: 'bulk2.poll', times: Infinity, action: { type: 'status', status: 503 } });
  const first = await syncStreams(bulk(sf), ['Lead']);
  t.equal(fault.fired, 5, 'every try failed');
  t.match(first.summary.stoppedEarly, /^Lead: Salesforce kept failing the Bulk API 2\.0 call GET \/services\/data\/v[\d.]+\/jobs\/query\/750\w+: Gave up after 5 attempts .*HTTP 503.*; stopping, the next run resumes from the state$/);
  t.equal(normalizeState(first.finalState).currently_syncing, 'Lead', 'state emitted, naming the object');
  sf.server.faults.clear();
  const rerun = await syncStreams(bulk(sf), ['Lead'], first.finalState);
  t.notOk(rerun.summary.stoppedEarly);
  t.same(rerun.records('Lead').map((r) => String(r.Id)).sort(), simIds(sf, 'Lead'), 'every row');
});

/**
 * Resuming a Bulk read in the next run. The simulator serves a job's results as of its creation,
 * so a clean run (its own job) reads what the stopped job holds. A daily-limit 403, or 503s for
 * longer than the retries, answer the second results page: the first page is emitted, then the
 * run stops cleanly (the fault is gone for the next run).
 */
const STOPS = {
  'daily limit': { fault: { action: error(DAILY) }, message: /daily API limit reached/ },
  outage: {
    fault: { times: Infinity, action: { type: 'status' as const, status: 503 } },
    message: /^Lead: Salesforce kept failing the Bulk API 2\.0 call GET \/services\/data\/v[\d.]+\/jobs\/query\/750\w+\/results: Gave up after 5 attempts .*HTTP 503.*; stopping, the next run resumes from the state$/,
  },
};

async function stoppedAfterFirstPage(t: Test, cause: keyof typeof STOPS = 'daily limit') {
  const page = 200;
  const sf = await startOrg(t, { scale: 0.1, scenario: { bulkPageSize: page } });
  const clean = await syncStreams(bulk(sf), ['Lead']);
  const total = simRows(sf, 'Lead').length;
  t.ok(total > 2 * page, `${total} leads: three pages or more`);
  const deletes = sf.server.calls('bulk2.delete');
  sf.server.inject({ route: 'bulk2.results', after: 1, ...STOPS[cause].fault });
  const stopped = await syncStreams(bulk(sf), ['Lead']);
  sf.server.faults.clear();
  t.match(stopped.summary.stoppedEarly, STOPS[cause].message);
  t.equal(stopped.records('Lead').length, page, 'the first page emitted');
  t.equal(sf.server.calls('bulk2.delete'), deletes, 'the stopped job is kept, not deleted');
  const saved = normalizeState(stopped.finalState).bookmarks.Lead!;
  t.equal(saved.replication_key_value, undefined, 'the bookmark itself has not moved');
  const job = saved.bulk_job as { id: string; query_sha256: string; locator: string | null; max_value: string; max_value_id: string };
  t.match(job, { id: /^750/, query_sha256: /^[0-9a-f]{64}$/, locator: /\S/ }, 'the job, its query digest and the locator of its second page are in the bookmark');
  const keys = stopped.records('Lead').map((r) => String(r.SystemModstamp));
  const top = keys.reduce((a, b) => (b > a ? b : a));
  const topId = stopped.records('Lead').filter((r) => r.SystemModstamp === top).map((r) => String(r.Id)).sort().at(-1);
  t.same([job.max_value, job.max_value_id], [top, topId], 'with the highest key of the rows emitted, and its highest Id');
  return { sf, clean, stopped, job, page, total };
}

for (const cause of Object.keys(STOPS) as Array<keyof typeof STOPS>) t.test(`a Bulk read stopped (${cause}) after its first results page resumes in the next run from the saved locator, with no new job`, async (t) => {
  const { sf, clean, stopped, job, page, total } = await stoppedAfterFirstPage(t, cause);
  const [creates, polls, results, deletes] = ['bulk2.create', 'bulk2.poll', 'bulk2.results', 'bulk2.delete'].map((route) => sf.server.calls(route));
  const rerun = await syncStreams(bulk(sf), ['Lead'], stopped.finalState);
  t.notOk(rerun.summary.stoppedEarly);
  t.equal(sf.server.calls('bulk2.create'), creates, 'no new Bulk job');
  t.equal(sf.server.calls('bulk2.poll'), polls! + 1, 'one GET of the saved job');
  t.equal(sf.server.calls('bulk2.results'), results! + Math.ceil(total / page) - 1, 'the pages after the first, each once');
  t.equal(rerun.records('Lead').length, total - page, 'no row of the first page again');
  t.ok(rerun.logLines.some((line) => line.includes(`job ${job.id} of an earlier run is still complete`)), 'the resume is logged');
  t.equal(sf.server.calls('bulk2.delete'), deletes! + 1, 'the job deleted once read');

  // What a target upserting by Id ends with: the same table as the clean run's.
  const table = new Map([...stopped.records('Lead'), ...rerun.records('Lead')].map((r) => [String(r.Id), r]));
  t.same(byId([...table.values()]), byId(clean.records('Lead')), 'the two runs load exactly the clean run\'s records');
  const final = normalizeState(rerun.finalState).bookmarks.Lead!;
  const expected = normalizeState(clean.finalState).bookmarks.Lead!;
  t.same([final.replication_key_value, final.last_id], [expected.replication_key_value, expected.last_id], 'the final bookmark is the clean run\'s: the maximum over both runs');
  t.equal(final.bulk_job, undefined, 'no job left in the bookmark');

  const next = await syncStreams(bulk(sf), ['Lead'], rerun.finalState);
  t.equal(next.records('Lead').length, 0, 'a run after: nothing read again');
});

t.test('a saved Bulk job that is gone: the next run creates a new one and reads the object whole', async (t) => {
  const { sf, clean, stopped, job } = await stoppedAfterFirstPage(t);
  const client = await SalesforceClient.connect(bulk(sf), memoryLogger());
  const gone = await client.bulkTransport.request('DELETE', `/services/data/v${client.version}/jobs/query/${job.id}`);
  t.ok(gone.ok, 'the job deleted on the org (as if expired)');
  const creates = sf.server.calls('bulk2.create');
  const rerun = await syncStreams(bulk(sf), ['Lead'], stopped.finalState);
  t.notOk(rerun.summary.stoppedEarly);
  t.equal(sf.server.calls('bulk2.create'), creates + 1, 'a new job');
  t.ok(rerun.logLines.some((line) => new RegExp(`job ${job.id} of an earlier run cannot be resumed \\(.*404.*\\); creating a new job`).test(line)), 'the reason is logged');
  t.same(byId(rerun.records('Lead')), byId(clean.records('Lead')), 'every row read again');
  const final = normalizeState(rerun.finalState).bookmarks.Lead!;
  const expected = normalizeState(clean.finalState).bookmarks.Lead!;
  t.same([final.replication_key_value, final.last_id, final.bulk_job], [expected.replication_key_value, expected.last_id, undefined], 'the clean run\'s bookmark');
});

t.test("resume points carry the highest key over both runs, and only when the saved job is the one resumed", async (t) => {
  // The simulator serves Bulk rows in key order, so the highest key is always on the last page:
  // a merge the end-to-end tests cannot tell from none is checked here.
  const saved: SavedBulkJob = { id: '750A', query_sha256: queryDigest('SELECT Id FROM Lead'), locator: 'MjAw', max_value: '2024-05-01T00:00:00.000Z', max_value_id: '00Q9' };
  const run = (jobId: string) => {
    const points: Array<SavedBulkJob | undefined> = [];
    const max = new KeyMax();
    const resume = new BulkResume(saved, max, (job) => points.push(job));
    t.same(resume.take(), saved, 'offered to the first job');
    t.equal(resume.take(), undefined, 'and to no later one');
    max.add('2024-04-01T00:00:00.000Z', '00Q1');
    resume.point('SELECT Id FROM Lead', { jobId, locator: 'NDAw' });
    return points;
  };
  t.same(run('750A'), [{ id: '750A', query_sha256: saved.query_sha256, locator: 'NDAw', max_value: saved.max_value, max_value_id: '00Q9' }], 'resumed: the earlier run\'s higher key is kept');
  t.same(run('750B'), [{ id: '750B', query_sha256: saved.query_sha256, locator: 'NDAw', max_value: '2024-04-01T00:00:00.000Z', max_value_id: '00Q1' }], 'a new job: only what this run read');
  const max = new KeyMax();
  for (const [value, id] of [['b', '2'], ['a', '9'], ['b', '1'], ['b', '3']] as const) max.add(value, id);
  t.same([max.value, max.id], ['b', '3'], 'the highest Id at the highest key, never one from a lower key');
});

t.test('objects Bulk refuses are read through REST, with one warning naming the object and the reason', async (t) => {
  const sf = await startOrg(t, { ...BULK_ORG, scenario: { ...BULK_ORG.scenario, bulkUnsupportedObjects: ['Lead'] } });
  const queries = sf.server.calls('queryAll');
  const run = await syncStreams(bulk(sf), ['Lead', 'Contact']);
  t.same(run.records('Lead').map((r) => r.Id).sort(), simIds(sf, 'Lead'));
  t.same(run.records('Contact').map((r) => r.Id).sort(), simIds(sf, 'Contact'));
  t.ok(sf.server.calls('queryAll') > queries, 'Lead through REST');
  const warnings = run.logLines.filter((line) => /reading through REST instead of Bulk/.test(line));
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0], /Lead: .*INVALIDENTITY/);
});

t.test('what Bulk cannot select: compounds become their components; a binary field has no Bulk plan', async (t) => {
  const field = (name: string, type: string, compoundFieldName?: string): FieldDescribe => ({ name, type, ...(compoundFieldName ? { compoundFieldName } : {}) }) as FieldDescribe;
  const fields = [field('Id', 'id'), field('BillingStreet', 'textarea', 'BillingAddress'), field('BillingStateCode', 'picklist', 'BillingAddress'), field('BillingState', 'string', 'BillingAddress'), field('BillingAddress', 'address'), field('Body', 'base64'), field('Loc__Latitude__s', 'double', 'Loc__c'), field('Loc__c', 'location')];
  const object = { name: 'X', fields } as unknown as ObjectDescribe;
  const plan = bulkPlan(object, [fields[0]!, fields[4]!, fields[7]!]);
  if ('reason' in plan) throw new Error(plan.reason);
  t.same(plan.fields.map((f) => f.name), ['Id', 'BillingStreet', 'BillingStateCode', 'BillingState', 'Loc__Latitude__s'], 'components selected, compounds not');
  t.same(plan.compounds[0]!.components, [{ key: 'street', field: 'BillingStreet' }, { key: 'stateCode', field: 'BillingStateCode' }, { key: 'state', field: 'BillingState' }]);
  t.same(plan.compounds[1]!.keys, ['latitude', 'longitude']);
  t.match(bulkPlan(object, [fields[0]!, fields[5]!]), { reason: /binary \(base64\) field Body/ });
  t.match(bulkPlan({ name: 'Y', fields: [fields[4]!] } as unknown as ObjectDescribe, [fields[4]!]), { reason: /compound field BillingAddress has no component/ });
});

t.test('a Bulk QUERY_TIMEOUT halves the window until jobs succeed, with the right rows', async (t) => {
  const sf = await startOrg(t, { ...BULK_ORG, scenario: { ...BULK_ORG.scenario, queryTimeoutDays: 100 } });
  const run = await syncStreams(bulk(sf), ['Lead']);
  t.same(run.records('Lead').map((r) => r.Id).sort(), simIds(sf, 'Lead'));
  t.equal(new Set(run.records('Lead').map((r) => r.Id)).size, run.records('Lead').length, 'no row twice');
  t.ok(sf.server.calls('bulk2.create') > 2, `${sf.server.calls('bulk2.create')} jobs`);
  t.equal(sf.server.calls('queryAll'), 0, 'all through Bulk');
  t.ok(run.logLines.some((line) => /QUERY_TIMEOUT on \[.*\); reading it in two halves/.test(line)));
});

t.test('a failed Bulk job is tried in halves, then read through REST', async (t) => {
  const sf = await startOrg(t, { ...BULK_ORG, scenario: { ...BULK_ORG.scenario, bulkJobOutcome: 'Failed' } });
  const rest = await syncStreams(configFor(sf), ['Lead', 'Account']);
  const run = await syncStreams(bulk(sf), ['Lead', 'Account']);
  for (const object of ['Lead', 'Account']) t.same(byId(run.records(object)), byId(rest.records(object)), `${object}: the REST records`);
  t.equal(sf.server.calls('bulk2.create'), 6, 'per object: one job, then one per half');
  t.ok(run.logLines.some((line) => /Lead: Bulk API 2.0 job failed on .*trying it again in two halves/.test(line)));
  t.equal(run.logLines.filter((line) => /Lead: Bulk API 2.0 job failed again on .*reading that window through REST/.test(line)).length, 2);
});

t.test('Bulk calls count against the quota: the run stops cleanly before the share per run, jobs cleaned up', async (t) => {
  const sf = await startOrg(t, { scale: 0.1, scenario: { bulkPageSize: 50, dailyApiLimit: 10_000 } });
  const objects = ['Lead', 'CampaignMember'];
  const pagesNeeded = objects.reduce((pages, object) => pages + Math.ceil(simRows(sf, object).length / 50), 0);
  // 0.3 % of 10,000: 30 calls for this run, fewer than the result pages alone.
  const first = await syncStreams(bulk(sf, { quota_percent_per_run: 0.3, max_workers: 1 }), objects);
  t.match(first.summary.stoppedEarly, /this run's usage would reach 31 calls, past the 0.3% of 10000 allowed per run/);
  const bulkCalls = ['bulk2.create', 'bulk2.poll', 'bulk2.results'].reduce((sum, route) => sum + sf.server.calls(route), 0);
  t.ok(bulkCalls <= 30, `${bulkCalls} Bulk calls sent, within the 30 allowed`);
  t.ok(sf.server.calls('bulk2.results') < pagesNeeded, 'stopped part way through the results');
  t.equal(sf.server.calls('bulk2.delete'), sf.server.calls('bulk2.create'), 'every job deleted, the stopped one included');

  const second = await syncStreams(bulk(sf), objects, first.finalState);
  t.notOk(second.summary.stoppedEarly);
  for (const object of objects) {
    const ids = new Set([...first.records(object), ...second.records(object)].map((r) => String(r.Id)));
    t.same([...ids].sort(), simIds(sf, object), `${object}: complete across the two runs`);
  }
});

t.test("the org's daily Bulk query jobs used up: the rest is read through REST, complete", async (t) => {
  const sf = await startOrg(t, { scale: 0.1, scenario: { bulkPageSize: 300, dailyBulkV2QueryJobs: 2 } });
  const objects = ['Account', 'Contact', 'Lead', 'Opportunity'];
  const run = await syncStreams(bulk(sf, { max_workers: 1 }), objects);
  t.notOk(run.summary.stoppedEarly);
  for (const object of objects) t.same(run.records(object).map((r) => String(r.Id)).sort(), simIds(sf, object), `${object}: every row`);
  t.equal(sf.server.calls('bulk2.create'), 3, 'two jobs, then the refused one; no further attempts');
  t.ok(sf.server.calls('queryAll') >= 2, 'the other objects through REST');
  t.equal(run.logLines.filter((line) => /reading through REST instead of Bulk API 2.0: .*(LIMIT_EXCEEDED|daily Bulk API limit)/.test(line)).length, 2, 'each object moved to REST says why');
});
