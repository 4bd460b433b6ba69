/**
 * The simulator's fault scenarios: each ends in the same data as a clean run, or in a clean stop
 * with state from which a rerun completes.
 */
import { normalizeState } from '@singer-io-ts/sdk';
import { runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import t from 'tap';
import { configFor, discoverCatalog, fastTap, simIds, simRows, startOrg, syncStreams } from './helpers/salesforce.js';

const ids = (records: Array<Record<string, unknown>>) => records.map((r) => String(r.Id)).sort();

for (const login of ['refresh_token', 'oauth_password', 'soap_password', 'client_credentials'] as const) {
  t.test(`${login}: tokens that die every 3 calls are renewed mid-run, and the data is complete`, async (t) => {
    const sf = await startOrg(t, { scenario: { tokenLifetimeCalls: 3, maxQueryBatchSize: 50 } });
    const config = configFor(sf, login);
    const run = await syncStreams(config, ['Contact', 'Partner_Referral__c']);
    t.same(ids(run.records('Contact')), simIds(sf, 'Contact'));
    t.same(ids(run.records('Partner_Referral__c')), simIds(sf, 'Partner_Referral__c'));
    const logins = login === 'soap_password' ? sf.server.calls('soap.login') : sf.server.calls('oauth.token');
    t.ok(logins >= 4, `${logins} logins for ${sf.server.calls('queryMore')} pages`);
    t.ok(run.logLines.some((line) => /INVALID_SESSION_ID: Session expired or invalid: logging in again/.test(line)), 'the expiry is logged');
    t.ok(sf.server.requests.some((r) => r.status === 401), 'the server did answer 401');
  });
}

t.test("instance_url: the instance the login returns is used; a different one configured is reported", async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const same = await syncStreams(configFor(sf, 'refresh_token', { instance_url: String(sf.tapConfig.instance_url) }), ['Account']);
  t.same(ids(same.records('Account')), simIds(sf, 'Account'));
  t.notOk(same.logLines.some((line) => /instance_url/.test(line)), 'the right one: nothing to say');
  const stale = await syncStreams(configFor(sf, 'refresh_token', { instance_url: 'https://stale-instance.my.salesforce.com' }), ['Account']);
  t.same(ids(stale.records('Account')), simIds(sf, 'Account'), 'a stale one: the login\'s instance serves the run');
  t.ok(stale.logLines.some((line) => /WARN.*instance_url https:\/\/stale-instance\.my\.salesforce\.com is not the instance the login returned \(http:\/\/127\.0\.0\.1:\d+\)/.test(line)), 'and is reported');
});

t.test('a rotated refresh token is used for the rest of the run', async (t) => {
  const sf = await startOrg(t, { scenario: { tokenLifetimeCalls: 2, rotateRefreshToken: true, maxQueryBatchSize: 50 } });
  // Discovered with another login: with rotation each refresh revokes the token it used.
  const catalog = selectStreams(await discoverCatalog(configFor(sf, 'oauth_password')), ['Contact']);
  const run = await runTap(fastTap(), { config: configFor(sf), catalog });
  t.same(ids(run.records('Contact')), simIds(sf, 'Contact'));
  t.ok(sf.server.calls('oauth.token') >= 4, 'several refreshes, each with the token the previous one returned');
  t.ok(run.logLines.some((line) => /rotated the refresh token/.test(line)), 'the user is told to update the config');
});

t.test('a refresh token revoked mid-run ends the run with Salesforce\'s reason', async (t) => {
  const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 50 } });
  const config = configFor(sf);
  const catalog = selectStreams(await discoverCatalog(config), ['Contact']);
  sf.scenario.tokenLifetimeCalls = 4;
  // The run's own login works; the renewal after the first expiry is refused.
  sf.server.inject({ route: 'oauth.token', after: 1, times: Infinity, action: { type: 'error', code: 'invalid_grant', message: 'expired access/refresh token' } });
  await t.rejects(runTap(fastTap(), { config, catalog }), /Salesforce session expired and logging in again \(refresh_token\) failed: expired access\/refresh token/);
});

t.test('client credentials at the generic login host: refused with Salesforce\'s reason', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  await t.rejects(discoverCatalog(configFor(sf, 'client_credentials', { login_url: sf.genericLoginUrl })), /client_credentials\) at .*login\.salesforce\.com failed: request not supported on this domain/);
});

t.test('a wrong password is a clear login failure, without the password in the message', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const error = await discoverCatalog(configFor(sf, 'soap_password', { password: 'Wrong-Password-123' })).catch((e: Error) => e);
  t.match(String(error), /soap_password\) at .* failed: INVALID_LOGIN/);
  t.notMatch(String(error), /Wrong-Password-123/);
});

t.test('an expired password or a missing security token: a login failure that says so', async (t) => {
  const sf = await startOrg(t, { scale: 0.01, scenario: { passwordExpired: true } });
  const expired = await discoverCatalog(configFor(sf, 'soap_password')).catch((e: Error) => e);
  t.match(String(expired), /soap_password\) at .* failed: .*password.*expired/i);
  sf.scenario.passwordExpired = false;
  const noToken = await discoverCatalog(configFor(sf, 'soap_password', { security_token: '' })).catch((e: Error) => e);
  t.match(String(noToken), /soap_password\) at .* failed: INVALID_LOGIN/);
});

t.test('503 and 429 bursts are retried with backoff; the data is complete', async (t) => {
  const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 50 } });
  const first = sf.server.inject({ route: 'queryAll', times: 3, action: { type: 'status', status: 503, body: 'Service Unavailable' } });
  const more = sf.server.inject({ route: 'queryMore', after: 1, times: 2, action: { type: 'status', status: 429, headers: { 'retry-after': '0' }, body: '' } });
  const run = await syncStreams(configFor(sf), ['Contact']);
  t.equal(first.fired, 3);
  t.equal(more.fired, 2);
  t.same(ids(run.records('Contact')), simIds(sf, 'Contact'));
  t.equal(run.logLines.filter((line) => /HTTP 503.*retrying/.test(line)).length, 3);
});

t.test('concurrency 403s (ConcurrentPerOrgLongTxn) are retried', async (t) => {
  const sf = await startOrg(t);
  const fault = sf.server.inject({ route: 'queryAll', times: 2, action: { type: 'error', code: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' } });
  const run = await syncStreams(configFor(sf), ['Partner_Referral__c']);
  t.equal(fault.fired, 2);
  t.same(ids(run.records('Partner_Referral__c')), simIds(sf, 'Partner_Referral__c'));
});

t.test('QUERY_TIMEOUT on wide windows: the window is halved until queries succeed, rows stay in order', async (t) => {
  const sf = await startOrg(t, { scenario: { queryTimeoutDays: 100 } });
  const run = await syncStreams(configFor(sf), ['Lead']);
  const records = run.records('Lead');
  t.same(ids(records), simIds(sf, 'Lead'), 'every row, once');
  const keys = records.map((r) => `${r.SystemModstamp} ${r.Id}`);
  t.same(keys, [...keys].sort(), 'in (SystemModstamp, Id) order across windows');
  const timeouts = sf.server.requests.filter((r) => r.route === 'queryAll' && r.status === 400).length;
  const windows = sf.server.requests.filter((r) => r.route === 'queryAll' && r.status === 200).length;
  t.ok(timeouts >= 3, `${timeouts} timeouts`);
  t.ok(windows >= 8, `${windows} windows of at most 100 days over two years`);
  t.ok(run.logLines.some((line) => /QUERY_TIMEOUT on \[.*\); reading it in two halves/.test(line)));
  t.equal(normalizeState(run.finalState).bookmarks.Lead?.replication_key_value, records.at(-1)?.SystemModstamp);
});

t.test('a lost query locator: the query is sent again from the last row received', async (t) => {
  const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 50 } });
  const fault = sf.server.inject({ route: 'queryMore', after: 4, action: { type: 'error', code: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' } });
  const run = await syncStreams(configFor(sf), ['Lead']);
  t.equal(fault.fired, 1);
  const records = ids(run.records('Lead'));
  t.equal(new Set(records).size, records.length, 'no row twice');
  t.same(records, simIds(sf, 'Lead'), 'no row lost');
  t.equal(sf.server.calls('queryAll'), 2, 'one query again, from the last row');
});

/** REST, and AUTO, whose COUNT() of each object runs inside its stream like its other calls. */
const DAILY_LIMIT_CASES = [
  { api_type: 'REST', where: 'mid-run', route: 'queryMore', after: 3, midObject: true },
  { api_type: 'AUTO', where: 'mid-run', route: 'queryMore', after: 3, midObject: true },
  { api_type: 'AUTO', where: "on an object's COUNT()", route: 'queryAll', after: 0, midObject: false },
] as const;

for (const { api_type, where, route, after, midObject } of DAILY_LIMIT_CASES) {
  t.test(`${api_type}: the daily limit reached ${where} (403 REQUEST_LIMIT_EXCEEDED): clean stop with state, rerun completes`, async (t) => {
    const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 50 } });
    const config = configFor(sf, 'refresh_token', { api_type });
    const tap = fastTap();
    const catalog = selectStreams(await discoverCatalog(config), ['Lead', 'Contact']);
    const fault = sf.server.inject({ route, after, action: { type: 'error', code: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' } });
    const first = await runTap(tap, { config, catalog });
    t.equal(fault.fired, 1);
    t.match(first.summary.stoppedEarly, /daily API limit reached \(TotalRequests Limit exceeded.\)/);
    const state = normalizeState(first.finalState);
    t.type(state.currently_syncing, 'string', 'names an object to resume first');
    if (midObject) {
      t.equal(state.currently_syncing, 'Contact', 'the object started first');
      t.type(state.bookmarks.Contact?.last_id, 'string', 'its position inside the object');
    }
    const second = await runTap(tap, { config, catalog, state: first.finalState });
    t.notOk(second.summary.stoppedEarly);
    // Both objects run in parallel, so both stop part way; together the runs hold each row once.
    for (const object of ['Contact', 'Lead']) {
      const rows = [...first.records(object), ...second.records(object)].map((r) => String(r.Id));
      t.equal(new Set(rows).size, rows.length, `${object}: no row twice`);
      t.same(rows.sort(), simIds(sf, object), `${object}: no row lost`);
    }
  });
}

for (const api_type of ['REST', 'AUTO'] as const) {
  t.test(`${api_type}: quota_percent_total: a run that would pass the share stops before its first query`, async (t) => {
    // Discovery and the run's describe leave the org at exactly 80 % used.
    const sf = await startOrg(t, { scenario: { dailyApiLimit: 10_000, apiRequestsUsed: 7_997 } });
    const config = configFor(sf, 'refresh_token', { api_type, quota_percent_total: 80 });
    const run = await syncStreams(config, ['Account']);
    t.match(run.summary.stoppedEarly, /usage would reach 800\d of 10000, past the 80% allowed in total/);
    t.equal(sf.server.calls('queryAll'), 0, 'no query sent (for AUTO, not even the COUNT())');
    t.equal(run.records('Account').length, 0);
    t.same(normalizeState(run.finalState).currently_syncing, 'Account', 'state is still emitted, naming the object');
    sf.scenario.dailyApiLimit = 100_000;
    const rerun = await syncStreams(config, ['Account'], run.finalState);
    t.same(ids(rerun.records('Account')), simIds(sf, 'Account'), 'completes once the quota allows');
  });
}

t.test('AUTO: a COUNT() that times out means a large object, read through Bulk in halved windows; the next run counts its narrow window and reads through REST', async (t) => {
  const sf = await startOrg(t, { scenario: { queryTimeoutDays: 100, bulkPageSize: 300 } });
  const config = configFor(sf, 'refresh_token', { api_type: 'AUTO' });
  const first = await syncStreams(config, ['Lead']);
  const rows = first.records('Lead').map((r) => String(r.Id));
  t.equal(new Set(rows).size, rows.length, 'no row twice');
  t.same(rows.sort(), simIds(sf, 'Lead'), 'every row');
  t.ok(first.logLines.some((line) => /Lead: COUNT\(\) timed out \(QUERY_TIMEOUT\) \(bulk_threshold_rows 50000\): Bulk API 2\.0/.test(line)), 'the timeout decided Bulk');
  const jobs = sf.server.calls('bulk2.create');
  t.ok(jobs > 2, `${jobs} Bulk jobs over halved windows`);

  sf.simulation.clock.advanceDays(30);
  const since = String(normalizeState(first.finalState).bookmarks.Lead?.replication_key_value);
  const second = await syncStreams(config, ['Lead'], first.finalState);
  const expected = simRows(sf, 'Lead').filter((row) => new Date(row.SystemModstamp as number).toISOString() > since);
  t.ok(expected.length > 0);
  t.same(ids(second.records('Lead')), expected.map((row) => String(row.Id)).sort(), 'the rows changed since the bookmark');
  t.ok(second.logLines.some((line) => new RegExp(`Lead: ${expected.length} rows to read \\(bulk_threshold_rows 50000\\): REST`).test(line)), 'counted from the bookmark: REST');
  t.equal(sf.server.calls('bulk2.create'), jobs, 'no Bulk job for the increment');
});

/** Page bodies that break off (connection dropped) or end short, on the first page and on a later one. */
const BROKEN_PAGES = [
  { route: 'queryAll', after: 0, action: { type: 'drop', afterBytes: 2000 } },
  { route: 'queryAll', after: 0, action: { type: 'truncate' } },
  { route: 'queryMore', after: 1, action: { type: 'drop', afterBytes: 2000 } },
  { route: 'queryMore', after: 1, action: { type: 'truncate' } },
] as const;

for (const { route, after, action } of BROKEN_PAGES) {
  t.test(`a ${route} page whose body ${action.type === 'drop' ? 'breaks off' : 'is cut short'}: the query is sent again after the last row received`, async (t) => {
    const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 100 } });
    const fault = sf.server.inject({ route, after, action });
    const run = await syncStreams(configFor(sf), ['Lead']);
    t.equal(fault.fired, 1);
    const rows = run.records('Lead').map((r) => String(r.Id));
    t.equal(new Set(rows).size, rows.length, 'no row twice');
    t.same(rows.sort(), simIds(sf, 'Lead'), 'no row lost');
    t.equal(sf.server.calls('queryAll'), 2, 'one query again');
    t.ok(run.logLines.some((line) => /Lead: a query page could not be read \(.+\); querying again/.test(line)), 'logged, naming the object');
  });
}

t.test('query pages that always break off: the run fails naming the object, after a few tries', async (t) => {
  const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 100 } });
  sf.server.inject({ route: 'queryAll', times: Infinity, action: { type: 'drop', afterBytes: 2000 } });
  await t.rejects(syncStreams(configFor(sf), ['Lead']), /Lead: a query page could not be read \(terminated\); 4 queries in a row read nothing, giving up/);
  t.equal(sf.server.calls('queryAll'), 4);
});

/**
 * JSON bodies other than query pages (a COUNT, describes) that break off or end short are asked for
 * again within the request's retries: discovery's describeGlobal, the describe a sync starts with,
 * and AUTO's COUNT() inside the stream.
 */
const BROKEN_BODIES = [
  { call: 'describeGlobal', route: 'describeGlobal', api_type: 'REST', action: { type: 'drop', afterBytes: 100 } },
  { call: "the sync's describe", route: 'composite.batch', api_type: 'REST', action: { type: 'truncate' } },
  { call: "AUTO's COUNT()", route: 'queryAll', api_type: 'AUTO', action: { type: 'drop', afterBytes: 5 } },
  { call: "AUTO's COUNT()", route: 'queryAll', api_type: 'AUTO', action: { type: 'truncate' } },
] as const;

for (const { call, route, api_type, action } of BROKEN_BODIES) {
  t.test(`${call} whose body ${action.type === 'drop' ? 'breaks off' : 'is cut short'}: requested again, the data is complete`, async (t) => {
    const sf = await startOrg(t);
    const config = configFor(sf, 'refresh_token', { api_type });
    const early = route === 'describeGlobal' ? sf.server.inject({ route, action }) : undefined;
    const catalog = selectStreams(await discoverCatalog(config), ['Lead']);
    const fault = early ?? sf.server.inject({ route, action });
    const run = await runTap(fastTap(), { config, catalog });
    t.equal(fault.fired, 1);
    t.same(ids(run.records('Lead')), simIds(sf, 'Lead'));
    if (!early) t.ok(run.logLines.some((line) => /(POST \/services\/data\/v[\d.]+\/composite\/batch|GET \/services\/data\/v[\d.]+\/queryAll): the response body could not be read \((terminated|the JSON ends short or is malformed)\); retrying/.test(line)), 'the retry is logged, naming the call');
  });
}

/**
 * Outages longer than the retries, in a stream's calls: a clean stop naming the object, the call
 * and the last error, the state of every record written, and a rerun that completes. (Bulk
 * calls: bulk-sync.test.)
 */
const OUTAGES = [
  { api_type: 'REST', route: 'queryMore', after: 1, action: { type: 'status', status: 503 }, call: /the queryAll\/more call GET \/services\/data\/v[\d.]+\/query\/[\w-]+: Gave up after 5 attempts .*HTTP 503/ },
  { api_type: 'AUTO', route: 'queryAll', after: 0, action: { type: 'truncate' }, call: /the queryAll\/count call GET \/services\/data\/v[\d.]+\/queryAll: Gave up after 5 attempts .*: the response body could not be read \(the JSON ends short or is malformed\)/ },
] as const;

for (const { api_type, route, after, action, call } of OUTAGES) {
  t.test(`${api_type}: ${route} failing (${action.type}) for longer than the retries: a clean stop naming the object and the call, with state; the rerun completes`, async (t) => {
    const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 100 } });
    const config = configFor(sf, 'refresh_token', { api_type });
    const catalog = selectStreams(await discoverCatalog(config), ['Lead']);
    const fault = sf.server.inject({ route, after, times: Infinity, action });
    const first = await runTap(fastTap(), { config, catalog });
    t.equal(fault.fired, 5, 'every try failed');
    t.match(first.summary.stoppedEarly, new RegExp(`^Lead: Salesforce kept failing ${call.source}.*; stopping, the next run resumes from the state$`));
    const emitted = first.records('Lead');
    const bookmark = normalizeState(first.finalState).bookmarks.Lead;
    if (after > 0) t.same([emitted.length > 0, bookmark?.last_id], [true, emitted.at(-1)?.Id], 'the state names the last record written');
    else t.equal(emitted.length, 0);
    sf.server.faults.clear();
    const second = await runTap(fastTap(), { config, catalog, state: first.finalState });
    t.notOk(second.summary.stoppedEarly);
    const rows = [...emitted, ...second.records('Lead')].map((r) => String(r.Id));
    t.equal(new Set(rows).size, rows.length, 'no row twice');
    t.same(rows.sort(), simIds(sf, 'Lead'), 'no row lost');
  });
}

t.test('an api_version the org does not offer: a config error naming the newest it does', async (t) => {
  const sf = await startOrg(t, { scale: 0.01, scenario: { maxApiVersion: 58 } });
  await t.rejects(discoverCatalog(configFor(sf, 'refresh_token', { api_version: '62.0' })), /api_version 62\.0 is not offered by .* \(newest: 58\.0\); set api_version/);
  const catalog = await discoverCatalog(configFor(sf, 'refresh_token', { api_version: '58.0' }));
  t.ok(catalog.streams.length > 10, 'an offered version works');
});
