/** api_type BULK and AUTO: the Bulk API 2.0 reader wired into the sync, against the simulator. */
import { normalizeState } from '@singer-io-ts/sdk';
import t from 'tap';
import type { SalesforceConfig } from '../src/index.js';
import { bulkPlan } from '../src/streams/bulk-reader.js';
import type { FieldDescribe, ObjectDescribe } from '../src/streams/describe.js';
import { configFor, simIds, simRows, startOrg, syncStreams } from './helpers/salesforce.js';

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
const BULK_FAULTS = [
  ...(['bulk2.create', 'bulk2.poll', 'bulk2.results'] as const).map((route) => ({ route, error: DAILY, outcome: 'clean stop' as const })),
  ...(['bulk2.create', 'bulk2.poll', 'bulk2.results'] as const).map((route) => ({ route, error: CONCURRENCY, outcome: 'retried' as const })),
  { route: 'bulk2.create', error: { code: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }, outcome: 'tried in halves' as const },
];

for (const { route, error, outcome } of BULK_FAULTS) {
  t.test(`BULK: ${route} answered ${error.code} (${error.message}): ${outcome}`, async (t) => {
    const sf = await startOrg(t, { scale: 0.1, scenario: { bulkPageSize: 200 } });
    // The second results page, so that a stop comes part way through the object.
    const fault = sf.server.inject({ route, after: route === 'bulk2.results' ? 1 : 0, action: { type: 'error', ...error } });
    const run = await syncStreams(bulk(sf), ['Lead']);
    t.equal(fault.fired, 1);
    t.equal(sf.server.calls('queryAll'), 0, 'nothing read through REST');
    if (outcome === 'clean stop') {
      t.match(run.summary.stoppedEarly, /daily API limit reached \(TotalRequests Limit exceeded.\)/);
      t.equal(normalizeState(run.finalState).bookmarks.Lead?.replication_key_value, undefined, 'the bookmark stays where the run found it');
      const rerun = await syncStreams(bulk(sf), ['Lead'], run.finalState);
      t.notOk(rerun.summary.stoppedEarly);
      t.same(rerun.records('Lead').map((r) => String(r.Id)).sort(), simIds(sf, 'Lead'), 'the rerun reads the object whole');
      return;
    }
    t.notOk(run.summary.stoppedEarly);
    const rows = run.records('Lead').map((r) => String(r.Id));
    t.equal(new Set(rows).size, rows.length, 'no row twice');
    t.same(rows.sort(), simIds(sf, 'Lead'), 'every row');
    if (outcome === 'retried') t.ok(run.logLines.some((line) => /ConcurrentPerOrgLongTxn.*; retrying/.test(line)), 'the retry is logged');
    else t.ok(run.logLines.some((line) => /Lead: Bulk API 2.0 job failed on .*HTTP 503 SERVER_UNAVAILABLE.*trying it again in two halves/.test(line)), 'the halves are logged');
  });
}

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

t.test('what Bulk cannot select: compounds become their components, binary fields go to REST', async (t) => {
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
