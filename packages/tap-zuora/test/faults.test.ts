/**
 * The simulator's Zuora fault scenarios: each ends in the same data as a clean run, or in a clean
 * stop with state from which a rerun completes.
 */
import { runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import type { FaultAction } from '@singer-io-ts/simulators';
import t, { type Test } from 'tap';
import type { ApiType } from '../src/config.js';
import { configFor, discoverCatalog, fastTap, ids, simIds, simRows, startTenant, syncStreams } from './helpers/zuora.js';

const STREAMS = ['Account', 'Contact', 'Subscription'];
const API_TYPES: ApiType[] = ['AQUA', 'REST'];
/** Where each API serves its result files. */
const FILE_ROUTE: Record<ApiType, string> = { AQUA: 'aqua.file', REST: 'files.get' };

/** Every row, deleted ones included (AQuA); CRUD exports cannot report deleted rows. */
function sameData(t: Test, run: Awaited<ReturnType<typeof syncStreams>>, zuora: Awaited<ReturnType<typeof startTenant>>, streams = STREAMS, apiType: ApiType = 'AQUA'): void {
  for (const stream of streams) t.same(ids(run.records(stream)), simIds(zuora, stream, apiType === 'AQUA'), `${stream}: every row${apiType === 'AQUA' ? ', deleted ones included' : ' but the deleted ones'}`);
}

t.test('OAuth tokens that die every 3 calls are renewed mid-run; the data is complete', async (t) => {
  const zuora = await startTenant(t, { scenario: { tokenLifetimeCalls: 3 } });
  const run = await syncStreams(configFor(zuora), STREAMS);
  sameData(t, run, zuora);
  t.ok(zuora.server.calls('oauth.token') >= 4, `${zuora.server.calls('oauth.token')} tokens`);
  t.ok(run.logLines.some((line) => /access token expired \(HTTP 401\): requesting a new one/.test(line)), 'the expiry is logged');
  t.ok(zuora.server.requests.some((r) => r.status === 401), 'the server did answer 401');
});

t.test('the token endpoint\'s own 429 (tokens asked for too often) is waited out', async (t) => {
  const zuora = await startTenant(t, { scenario: { tokenLifetimeCalls: 2, oauthRateLimit: 3, oauthWindowMs: 1000 } });
  const run = await syncStreams(configFor(zuora), ['Account']);
  t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
  t.ok(zuora.server.requests.some((r) => r.route === 'oauth.token' && r.status === 429), 'the token endpoint answered 429');
});

t.test('expired tokens answered with the v1 401 body are renewed too', async (t) => {
  const zuora = await startTenant(t, { scenario: { authErrorBody: 'v1', tokenLifetimeCalls: 3 } });
  const config = configFor(zuora);
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
  const before = zuora.server.requests.length;
  const run = await runTap(fastTap(), { config, catalog });
  t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
  const refused = zuora.server.requests.slice(before).filter((r) => r.status === 401).length;
  t.ok(refused >= 1, `the server answered the sync's calls with 401 ${refused} time(s)`);
  t.equal(run.logLines.filter((line) => /access token expired \(HTTP 401\): requesting a new one/.test(line)).length, refused, 'each one renewed');
});

t.test('basic (header) credentials read the same data', async (t) => {
  const zuora = await startTenant(t);
  const run = await syncStreams(configFor(zuora, 'basic'), ['Account']);
  t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
  t.equal(zuora.server.calls('oauth.token'), 0, 'no OAuth token asked for');
});

t.test('a tenant that turned header credentials off: a clear error without the secret; OAuth reads on', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01, scenario: { basicAuth: false } });
  const basic = configFor(zuora, 'basic');
  const error = await discoverCatalog(basic).catch((e: Error) => e);
  t.match(String(error), /Zuora refused the username\/password login at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401\)/);
  t.notMatch(String(error), basic.password!);
  const run = await syncStreams(configFor(zuora), ['Product']);
  t.same(ids(run.records('Product')), simIds(zuora, 'Product'));
});

t.test('429 rate limits and 5xx bursts are retried with backoff; the data is complete', async (t) => {
  const zuora = await startTenant(t, { scenario: { rateLimit: 8, rateLimitWindowMs: 300 } });
  zuora.server.inject({ route: 'aqua.status', times: 2, action: { type: 'status', status: 503, body: 'Service Unavailable' } });
  zuora.server.inject({ route: 'aqua.file', times: 2, action: { type: 'error', code: '502' } });
  zuora.server.inject({ route: 'aqua.submit', times: 1, action: { type: 'error', code: '500' } });
  const run = await syncStreams(configFor(zuora), STREAMS);
  sameData(t, run, zuora);
  const statuses = zuora.server.requests.map((r) => r.status);
  t.ok(statuses.includes(429), 'rate-limited on the way');
  t.ok(statuses.includes(503) && statuses.includes(502) && statuses.includes(500), '5xx answers on the way');
});

t.test('concurrency 429s (Retry-After) on job submits are waited out', async (t) => {
  const zuora = await startTenant(t, { scenario: { concurrencyRetryAfterSeconds: 1 } });
  zuora.server.inject({ route: 'aqua.submit', times: 2, action: { type: 'error', code: 'CONCURRENCY_LIMIT' } });
  const run = await syncStreams(configFor(zuora), ['Account']);
  t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
  t.ok(zuora.server.requests.filter((r) => r.route === 'aqua.submit' && r.status === 429).length >= 2, 'two concurrency 429s');
});

for (const [submitCode, statusCode] of [['90008', '90010'], ['90006', '90007']] as const) {
  t.test(`transient AQuA error codes with HTTP 200 (${submitCode} on submit, ${statusCode} on status) are retried`, async (t) => {
    const zuora = await startTenant(t);
    const config = configFor(zuora);
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
    zuora.server.inject({ route: 'aqua.submit', times: 1, action: { type: 'error', code: submitCode } });
    zuora.server.inject({ route: 'aqua.status', times: 1, action: { type: 'error', code: statusCode } });
    const run = await runTap(fastTap(), { config, catalog });
    t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
    t.ok(run.logLines.some((line) => line.includes(`AQuA error ${submitCode}: `) && line.includes('; retrying')), 'the submit code is logged');
    t.ok(run.logLines.some((line) => line.includes(`AQuA error ${statusCode}: `) && line.includes('; retrying')), 'the status code is logged');
  });
}

t.test('an AQuA error code that is no transient fault stops the run naming it', async (t) => {
  const zuora = await startTenant(t);
  const config = configFor(zuora);
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
  zuora.server.inject({ route: 'aqua.submit', times: Infinity, action: { type: 'error', code: '90009' } });
  await t.rejects(runTap(fastTap(), { config, catalog }), /Account.*AQuA error 90009: Not authorized to use the AQuA API/, 'the error names the stream');
});

// CRUD exports cannot be cancelled: one that hangs would hold a concurrency slot of the tenant for hours, so REST is tested with failing jobs only.
for (const [apiType, action] of [['AQUA', 'fail'], ['AQUA', 'hang'], ['REST', 'fail']] as const) {
  t.test(`${apiType}: jobs over windows wider than 90 days ${action === 'fail' ? 'fail' : 'never finish'}: windows are halved and the data is complete`, async (t) => {
    const zuora = await startTenant(t, { scenario: { maxWindowDays: 90, windowLimitAction: action, maxConcurrentJobs: 4 } });
    const config = configFor(zuora, 'oauth', { api_type: apiType, max_concurrent_jobs: 4, ...(action === 'hang' ? { job_timeout_seconds: 1 } : {}) });
    const run = await syncStreams(config, ['Subscription', 'Contact']);
    sameData(t, run, zuora, ['Subscription', 'Contact'], apiType);
    const halvings = run.logLines.filter((line) => /halving the window/.test(line));
    t.ok(halvings.length >= 4, `${halvings.length} halvings`);
    if (action === 'hang') {
      t.ok(run.logLines.some((line) => /not finished after 1 s: cancelled/.test(line)), 'hanging jobs are cancelled');
      t.ok(zuora.server.calls('aqua.delete') >= 1, 'through DELETE');
    }
    t.equal(zuora.activeJobs(), 0, 'no job left running');
    t.notOk(zuora.server.requests.some((r) => (r.route === 'aqua.submit' || r.route === 'export.create') && r.status === 429), 'never more jobs than max_concurrent_jobs: no concurrency 429');
  });
}

for (const apiType of API_TYPES) {
  t.test(`${apiType}: truncated files: the window is exported again; a rerun from the state completes`, async (t) => {
    const zuora = await startTenant(t, { scale: 0.1, scenario: { truncateFiles: true } });
    const config = configFor(zuora, 'oauth', { api_type: apiType });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Invoice'] }), ['Invoice']);
    const first = await runTap(fastTap(), { config, catalog });
    t.ok(first.logLines.some((line) => /file \S+, CSV row \d+: row has \d+ columns, the header \d+; exporting the window again from/.test(line)), 'the cut is detected, naming the file and row');
    t.ok(first.summary.stoppedEarly, 'ends in a clean stop once no job gives a whole file');
    zuora.scenario.truncateFiles = false;
    const rerun = await runTap(fastTap(), { config, catalog, state: first.finalState });
    t.same(ids([...first.records('Invoice'), ...rerun.records('Invoice')]), simIds(zuora, 'Invoice', apiType === 'AQUA'), 'both runs together: every row');
    if (apiType === 'AQUA') {
      // Sorted rows: the bookmark moved with them.
      t.ok(first.records('Invoice').length > 0, `${first.records('Invoice').length} rows read before`);
      t.ok(rerun.records('Invoice').length < simIds(zuora, 'Invoice').length, 'the rerun did not start over');
    }
  });
}

t.test('NUL bytes in the files are dropped; values otherwise intact', async (t) => {
  const zuora = await startTenant(t, { scenario: { nulEvery: 2 } });
  const run = await syncStreams(configFor(zuora), ['Contact']);
  const records = run.records('Contact');
  t.same(ids(records), simIds(zuora, 'Contact'));
  t.notOk(records.some((r) => Object.values(r).some((v) => typeof v === 'string' && v.includes('\u0000'))), 'no NUL in any value');
  const byId = new Map(simRows(zuora, 'Contact').map((row) => [row.Id, row]));
  t.ok(records.every((r) => r.FirstName === byId.get(r.Id)?.FirstName), 'text values equal the source');
});

for (const apiType of API_TYPES) {
  t.test(`${apiType}: expired files (404): the window is exported again`, async (t) => {
    const zuora = await startTenant(t);
    const config = configFor(zuora, 'oauth', { api_type: apiType });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
    const jobsBefore = zuora.submittedJobs().length;
    zuora.server.inject({ route: FILE_ROUTE[apiType], times: 1, action: { type: 'error', code: '404' } });
    const run = await runTap(fastTap(), { config, catalog });
    t.same(ids(run.records('Account')), simIds(zuora, 'Account', apiType === 'AQUA'));
    t.ok(run.logLines.some((line) => /HTTP 404; exporting the window again/.test(line)), 'the expiry is logged');
    t.equal(zuora.submittedJobs().length - jobsBefore, 2, 'one more job');
  });
}

for (const apiType of API_TYPES) {
  t.test(`${apiType}: a file whose body ends early without an error (cut at 64 KiB): the cut is caught and the window exported again`, async (t) => {
    const zuora = await startTenant(t, { scale: 0.5, scenario: { jobPolls: 0 } });
    const config = configFor(zuora, 'oauth', { api_type: apiType });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['InvoiceItem'] }), ['InvoiceItem']);
    zuora.server.inject({ route: FILE_ROUTE[apiType], times: 1, action: { type: 'truncate' } });
    const run = await runTap(fastTap(), { config, catalog });
    t.ok(zuora.server.requests.some((r) => r.fault === 'truncate'), 'a file was cut');
    t.ok(run.logLines.some((line) => /exporting the window again/.test(line)), 'the cut is caught');
    t.same(ids(run.records('InvoiceItem')), simIds(zuora, 'InvoiceItem', apiType === 'AQUA'));
  });
}

t.test('segmented results (several files per batch) are read in order', async (t) => {
  const zuora = await startTenant(t, { scale: 0.1, scenario: { segmentRows: 20 } });
  const run = await syncStreams(configFor(zuora), ['InvoiceItem']);
  t.same(ids(run.records('InvoiceItem')), simIds(zuora, 'InvoiceItem'));
  t.ok(zuora.server.calls('aqua.file') >= 3, `${zuora.server.calls('aqua.file')} files`);
});

t.test('objects no export can read: flagged at discovery, skipped at sync', async (t) => {
  const zuora = await startTenant(t);
  const config = configFor(zuora);
  const catalog = await discoverCatalog(config);
  const journal = catalog.streams.find((s) => s.tap_stream_id === 'JournalEntry')!;
  const root = journal.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
  t.equal(root.inclusion, 'unsupported');
  t.match(root['unsupported-description'], /AQuA refuses every query/);
  t.equal(root['selected-by-default'], false);
  // A module that goes away between discovery and sync.
  zuora.scenario.unavailableObjects.push('Product');
  const run = await runTap(fastTap(), { config, catalog: selectStreams(catalog, ['Product', 'Account']) });
  t.same(run.records('Product'), []);
  t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
  t.ok(run.logLines.some((line) => /stream "Product": skipped, no export can read it/.test(line)), 'the skip is explained');
});

t.test('fields gated by the WSDL version: hidden ones are left out, refused ones dropped at sync with the reason', async (t) => {
  const zuora = await startTenant(t, { scenario: { fieldWsdlVersions: { 'Account.Region__c': 120 } } });
  const config = configFor(zuora);
  const catalog = await discoverCatalog({ ...config, streams_to_discover: ['Account'] });
  t.notOk('Region__c' in catalog.streams[0]!.schema.properties!, 'describe at WSDL 91.0 hides it');
  const newer = await discoverCatalog({ ...config, streams_to_discover: ['Account'], wsdl_version: '130.0' });
  t.ok('Region__c' in newer.streams[0]!.schema.properties!, 'WSDL 130.0 shows it');
  // The catalog of the newer version, synced at 91.0: describe no longer has the field.
  const run = await runTap(fastTap(), { config, catalog: selectStreams(newer, ['Account']) });
  t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
  t.notOk(run.records('Account').some((r) => 'Region__c' in r), 'the field is left out');
  t.ok(run.logLines.some((line) => /Account: field Region__c of the catalog is not in describe \(WSDL version 91.0\)/.test(line)), 'with the reason');
});

t.test('a field refused by the job itself is found, dropped with the reason, and the read goes on', async (t) => {
  const zuora = await startTenant(t);
  const config = configFor(zuora);
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
  // The tenant changes between the sync's describe and its job: the job refuses the field.
  zuora.server.inject({ route: 'aqua.submit', times: 1, action: { type: 'delay', ms: 1000 } });
  const running = runTap(fastTap(), { config, catalog });
  while (zuora.server.calls('describe.object') < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 100));
  zuora.scenario.fieldWsdlVersions = { 'Account.Region__c': 120 };
  const run = await running;
  t.same(ids(run.records('Account')), simIds(zuora, 'Account'));
  t.notOk(run.records('Account').some((r) => 'Region__c' in r), 'the field is left out');
  t.ok(run.logLines.some((line) => /stream "Account": field Region__c left out: refused by the export and gone from describe \(WSDL version 91.0\)/.test(line)), 'with the reason');
  t.ok(run.records('Account').every((r) => typeof r.Name === 'string' && 'Segment__c' in r), 'the other fields are read');
});

// CRUD exports name a refused selection in their error, in any case: the stream drops that column, own field or joined id, and reads on.
const REFUSALS = [
  ['invalid field for query: Account.Segment__c', 'Segment__c'],
  ['invalid field for query: account.segment__c', 'Segment__c'],
  ['Cannot use the Segment__c field in the select clause', 'Segment__c'],
  ['invalid field for query: BillToContact.Id', 'BillToContactId'],
] as const;
for (const [message, property] of REFUSALS) {
  t.test(`REST: an export refused with "${message}" drops ${property} with the reason and reads on`, async (t) => {
    const zuora = await startTenant(t);
    const config = configFor(zuora, 'oauth', { api_type: 'REST' });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
    zuora.server.inject({ route: 'export.create', times: 1, action: { type: 'error', code: 'INVALID_VALUE', message } });
    const run = await runTap(fastTap(), { config, catalog });
    t.same(ids(run.records('Account')), simIds(zuora, 'Account', false));
    t.ok(run.logLines.some((line) => line.includes(`stream "Account": field ${property} left out: refused by the export: ${message}`)), 'with the reason');
    t.notOk(run.records('Account').some((r) => property in r), `${property} is left out`);
    t.ok(run.records('Account').every((r) => typeof r.Id === 'string' && typeof r.Name === 'string'), 'the other fields are read');
  });
}

/** A CRUD export file of Account rows (Id, UpdatedDate), in the given order, whose last row is cut short. */
function cutFile(rows: Array<Record<string, unknown>>): FaultAction {
  const lines = rows.map((row) => `${String(row.Id)},${new Date(row.UpdatedDate as number).toISOString()}`);
  const body = ['Account.Id,Account.UpdatedDate', ...lines, 'cut-short'].join('\n') + '\n';
  return { type: 'status', status: 200, body, headers: { 'content-type': 'text/csv' } };
}

t.test('REST: a window whose file keeps being cut stops the run after 3 restarts, even when each file has its rows in another order', async (t) => {
  const zuora = await startTenant(t, { scenario: { jobPolls: 0 } });
  const config = configFor(zuora, 'oauth', { api_type: 'REST' });
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
  // CRUD exports are unsorted: a different last row is no progress, the window starts over each time.
  const rows = simRows(zuora, 'Account', false);
  for (let i = 0; i < 8; i++) zuora.server.inject({ route: 'files.get', times: 1, action: cutFile(i % 2 === 0 ? rows : [...rows].reverse()) });
  const exports = zuora.server.calls('export.create');
  const run = await runTap(fastTap(), { config, catalog });
  t.match(run.summary.stoppedEarly, /^Account: file \S+, CSV row \d+: row has 1 columns, the header 2; the window could not be read after 4 new jobs/);
  t.equal(run.logLines.filter((line) => /exporting the window again from/.test(line)).length, 3, 'three restarts');
  t.equal(zuora.server.calls('export.create') - exports, 4, 'four exports, none after the stop');
});

t.test('REST: a refusal after part of a window was read reads the window again from its start (unsorted rows)', async (t) => {
  const zuora = await startTenant(t, { scenario: { jobPolls: 0 } });
  const config = configFor(zuora, 'oauth', { api_type: 'REST' });
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
  // The first file gives the latest row only, then is cut; the export that would read it again refuses a field.
  const latest = simRows(zuora, 'Account', false).reduce((a, b) => ((a.UpdatedDate as number) >= (b.UpdatedDate as number) ? a : b));
  zuora.server.inject({ route: 'files.get', times: 1, action: cutFile([latest]) });
  zuora.server.inject({ route: 'export.create', after: 1, times: 1, action: { type: 'error', code: 'INVALID_VALUE', message: 'invalid field for query: Account.Segment__c' } });
  const run = await runTap(fastTap(), { config, catalog });
  t.ok(run.logLines.some((line) => line.includes('stream "Account": field Segment__c left out')), 'the refusal was met');
  t.same(ids(run.records('Account')), simIds(zuora, 'Account', false), 'every row, those older than the one read before the refusal included');
});

t.test('objects without deleted-row export (90017) are read without them', async (t) => {
  const zuora = await startTenant(t, { scenario: { noDeletedSupport: ['Account'] } });
  const run = await syncStreams(configFor(zuora), ['Account']);
  t.same(ids(run.records('Account')), simIds(zuora, 'Account', false));
  t.ok(run.logLines.some((line) => /Account": Zuora cannot export its deleted rows/.test(line)));
});

t.test('data centre probing: a 401 means the wrong data centre, the next one is tried', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  for (const login of ['oauth', 'basic'] as const) {
    const { base_url: _unused, ...config } = configFor(zuora, login, { data_center_urls: zuora.tapConfig.data_center_urls as Record<string, string> });
    const run = await syncStreams(config, ['Product']);
    t.same(ids(run.records('Product')), simIds(zuora, 'Product'), `${login}: read from the tenant's data centre`);
    t.ok(run.logLines.some((line) => line.includes(`tenant found at ${zuora.url}`)), `${login}: found after a refusal`);
  }
  t.ok(zuora.wrongDataCenterServers[0]!.requests.length >= 2, 'US-DC1 was asked first');
});

t.test('wrong credentials: a clear error naming the hosts, without the secret', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  const error = await discoverCatalog(configFor(zuora, 'oauth', { client_secret: 'Wrong-Secret-123' })).catch((e: Error) => e);
  t.match(String(error), /Zuora refused the client_id\/client_secret login at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401\)/);
  t.notMatch(String(error), /Wrong-Secret-123/);
});
