/**
 * Every scenario switch of the Salesforce simulator, each with the tap test that puts it on. A
 * switch run here is set after a clean REST run of the same objects, and the run under it must
 * give the same records; a switch tested elsewhere names that test. The table is typed by the
 * simulator's scenario, and checked against the live one: a new switch fails this file until
 * it is given a test (or a reason why it does not apply).
 */
import { readFileSync } from 'node:fs';
import { runTap, selectStreams, type TapRun } from '@singer-io-ts/sdk/testing';
import type { SalesforceScenario, SalesforceSimulator } from '@singer-io-ts/simulators';
import t from 'tap';
import type { SalesforceConfig } from '../src/index.js';
import { configFor, discoverCatalog, fastTap, startOrg } from './helpers/salesforce.js';

interface Case {
  name: string;
  scenario: Partial<SalesforceScenario>;
  config?: Partial<SalesforceConfig>;
  objects: string[];
  /** A replication key other than the default (SystemModstamp) for every object. */
  replicationKey?: string;
  /** Retry policy of the run: limits that clear only as other requests finish need patience, not speed. */
  retry?: Parameters<typeof fastTap>[0];
  /** What shows the switch took effect: a case that never triggers it proves nothing. */
  happened: [description: string, check: (sf: SalesforceSimulator, run: TapRun | undefined) => boolean];
  /** The run must fail, with this message, instead. */
  rejects?: RegExp;
}

interface Entry {
  cases?: Case[];
  /** [test file, a part of the test's title]. */
  coveredBy?: Array<[string, string]>;
  notApplicable?: string;
}

const REST = { api_type: 'REST' } as const;
const BULK = { api_type: 'BULK' } as const;
/** Pages small enough that every object takes several. */
const BASE: Partial<SalesforceScenario> = { maxQueryBatchSize: 100, bulkPageSize: 200 };

const answered = (sf: SalesforceSimulator, status: number, route: (name: string) => boolean) => sf.server.requests.filter((r) => r.status === status && route(r.route)).length;
const isBulk = (route: string) => route.startsWith('bulk2.');
const isQuery = (route: string) => route === 'queryAll' || route === 'queryMore';
const keyOrder = (key: string) => (records: Array<Record<string, unknown>>) => {
  const keys = records.map((r) => `${String(r[key])} ${String(r.Id)}`);
  return keys.every((k, i) => i === 0 || keys[i - 1]! < k);
};

const SWITCHES: Record<keyof SalesforceScenario, Entry> = {
  tokenLifetimeCalls: {
    coveredBy: [['faults.test.ts', 'tokens that die every 3 calls are renewed mid-run'], ['jwt.test.ts', 'signs a new assertion whenever the session dies']],
    cases: [
      {
        name: 'BULK: a token dying every 4 calls is renewed on job polls, results and deletes',
        scenario: { tokenLifetimeCalls: 4 },
        config: BULK,
        objects: ['Lead', 'Contact'],
        happened: ['Bulk calls answered 401', (sf) => answered(sf, 401, isBulk) > 0],
      },
    ],
  },
  tokenLifetimeMs: {
    // 50 ms a call and 12 pages of Lead: a run outlives a 300 ms token, however fast the machine,
    // and a renewed token outlives the retry of the call that found the old one dead.
    cases: (['REST', 'BULK'] as const).map((api_type) => ({
      name: `${api_type}: a token dying 300 ms after issue is renewed`,
      scenario: { tokenLifetimeMs: 300, latencyMs: 50, maxQueryBatchSize: 50, bulkPageSize: 50 },
      config: { api_type },
      objects: ['Lead'],
      happened: [`${api_type === 'REST' ? 'queries' : 'Bulk calls'} answered 401`, (sf: SalesforceSimulator) => answered(sf, 401, api_type === 'REST' ? isQuery : isBulk) > 0] as Case['happened'],
    })),
  },
  refreshFails: {
    cases: [
      {
        name: 'a refresh token refused at login ends the run with the reason',
        scenario: { refreshFails: true },
        objects: ['Lead'],
        rejects: /Salesforce login \(refresh_token\) at .* failed: expired access\/refresh token/,
        happened: ['the refresh grant was refused', (sf) => answered(sf, 400, (route) => route === 'oauth.token') > 0],
      },
    ],
    coveredBy: [['faults.test.ts', 'a refresh token revoked mid-run ends the run']],
  },
  rotateRefreshToken: { coveredBy: [['faults.test.ts', 'a rotated refresh token is used for the rest of the run']] },
  requireSecurityToken: { coveredBy: [['faults.test.ts', 'an expired password or a missing security token']] },
  passwordExpired: { coveredBy: [['faults.test.ts', 'an expired password or a missing security token']] },
  dailyApiLimit: { coveredBy: [['faults.test.ts', 'quota_percent_total: a run that would pass the share'], ['bulk-sync.test.ts', 'Bulk calls count against the quota'], ['sync.test.ts', 'stops inside 405 rows sharing one SystemModstamp']] },
  apiRequestsUsed: { coveredBy: [['faults.test.ts', 'quota_percent_total: a run that would pass the share']] },
  maxConcurrentRequests: {
    cases: (['REST', 'BULK'] as const).map((api_type) => ({
      name: `${api_type}: 4 objects at once against 2 requests allowed in flight: the refusals are retried`,
      scenario: { maxConcurrentRequests: 2, latencyMs: 30 },
      config: { api_type, max_workers: 4 },
      objects: ['Account', 'Contact', 'Lead', 'CampaignMember'],
      retry: { baseDelayMs: 30, maxDelayMs: 200, maxAttempts: 40 },
      happened: ['403 ConcurrentPerOrgLongTxn answered', (sf: SalesforceSimulator) => answered(sf, 403, () => true) > 0] as Case['happened'],
    })),
  },
  latencyMs: { coveredBy: [['scenarios.test.ts', '4 objects at once against 2 requests allowed in flight'], ['discover.test.ts', 'describe batches run in parallel up to max_workers']] },
  queryTimeoutDays: {
    coveredBy: [
      ['faults.test.ts', 'QUERY_TIMEOUT on wide windows'],
      ['faults.test.ts', 'AUTO: a COUNT() that times out'],
      ['bulk-sync.test.ts', 'a Bulk QUERY_TIMEOUT halves the window'],
    ],
  },
  locatorIdleMs: {
    cases: [
      {
        // Each call waits 30 ms on the server, so every locator has been idle longer than 10 ms.
        name: 'REST: locators that expire between pages: each query is sent again after its last row',
        scenario: { locatorIdleMs: 10, latencyMs: 30 },
        config: REST,
        objects: ['Lead'],
        happened: ['queryMore answered 400 INVALID_QUERY_LOCATOR', (sf) => answered(sf, 400, (route) => route === 'queryMore') > 0],
      },
    ],
  },
  maxOpenCursors: {
    cases: [
      {
        name: 'REST: one open cursor for two objects read at once: each query is sent again after its last row',
        scenario: { maxOpenCursors: 1 },
        config: { ...REST, max_workers: 2 },
        objects: ['Lead', 'Contact'],
        happened: ['queryMore answered 400 INVALID_QUERY_LOCATOR', (sf) => answered(sf, 400, (route) => route === 'queryMore') > 0],
      },
    ],
  },
  maxQueryBatchSize: { coveredBy: [['sync.test.ts', 'pages are fetched only as records are pulled']] },
  childBatchSize: { notApplicable: 'the tap sends no child sub-queries' },
  inMemorySortLimit: {
    cases: [
      {
        name: 'REST by LastModifiedDate, which the org cannot stream in order: QUERY_TIMEOUT halves the window, rows stay in order',
        scenario: { inMemorySortLimit: 300 },
        config: REST,
        objects: ['CampaignMember'],
        replicationKey: 'LastModifiedDate',
        happened: ['queries answered QUERY_TIMEOUT, rows in (LastModifiedDate, Id) order', (sf, run) => answered(sf, 400, (route) => route === 'queryAll') > 0 && keyOrder('LastModifiedDate')(run?.records('CampaignMember') ?? [])],
      },
    ],
  },
  bulkPageSize: { coveredBy: [['bulk-sync.test.ts', 'BULK yields exactly the records REST does']] },
  jobPolls: {
    cases: [
      {
        name: 'BULK: jobs that stay InProgress for 3 polls are waited for',
        scenario: { jobPolls: 3 },
        config: BULK,
        objects: ['Lead', 'Account'],
        happened: ['4 polls or more per job', (sf) => sf.server.calls('bulk2.poll') >= 4 * sf.server.calls('bulk2.create')],
      },
    ],
  },
  bulkJobOutcome: {
    coveredBy: [['bulk-sync.test.ts', 'a failed Bulk job is tried in halves, then read through REST']],
    cases: [
      {
        name: 'BULK: aborted jobs are tried in halves, then read through REST',
        scenario: { bulkJobOutcome: 'Aborted' },
        config: BULK,
        objects: ['Lead', 'Account'],
        happened: ['three jobs per object, then REST', (sf) => sf.server.calls('bulk2.create') === 6 && sf.server.calls('queryAll') > 0],
      },
    ],
  },
  bulkJobErrorMessage: { coveredBy: [['bulk2-query.test.ts', 'job Failed with QUERY_TIMEOUT is a typed error']] },
  csvNull: {
    cases: [
      {
        name: 'BULK: nulls written as nothing and integers as 12.0 give the REST records',
        scenario: { csvNull: 'empty', csvIntAsDecimal: true },
        config: BULK,
        objects: ['Account', 'Lead', 'CampaignMember'],
        happened: ['read through Bulk alone', (sf) => sf.server.calls('bulk2.results') > 0 && sf.server.calls('queryAll') === 0],
      },
    ],
  },
  csvIntAsDecimal: { coveredBy: [['scenarios.test.ts', 'integers as 12.0 give the REST records']] },
  bulkUnsupportedObjects: { coveredBy: [['bulk-sync.test.ts', 'objects Bulk refuses are read through REST']] },
  dailyBulkV2QueryJobs: { coveredBy: [['bulk-sync.test.ts', "the org's daily Bulk query jobs used up"]] },
  dailyBulkApiBatches: { notApplicable: 'Bulk API 1.0: the tap uses Bulk API 2.0' },
  bulkResultFileRows: { notApplicable: 'Bulk API 1.0: the tap uses Bulk API 2.0' },
  maxApiVersion: { coveredBy: [['faults.test.ts', 'an api_version the org does not offer']] },
};

const byId = (rows: Array<Record<string, unknown>>) => [...rows].sort((a, b) => (String(a.Id) < String(b.Id) ? -1 : 1));

t.test('every switch of the simulator has a test here or names one elsewhere', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  t.same(Object.keys(SWITCHES).sort(), Object.keys(sf.scenario).sort(), 'the table lists the switches the simulator has');
  for (const [name, entry] of Object.entries(SWITCHES)) {
    t.ok(entry.cases?.length || entry.coveredBy?.length || entry.notApplicable, `${name}: tested, or why not`);
    for (const [file, title] of entry.coveredBy ?? []) {
      t.ok(readFileSync(new URL(file, import.meta.url), 'utf8').includes(title), `${name}: ${file} has the test "${title}"`);
    }
  }
});

for (const [name, entry] of Object.entries(SWITCHES)) {
  for (const c of entry.cases ?? []) {
    t.test(`${name}: ${c.name}`, async (t) => {
      const sf = await startOrg(t, { scenario: BASE });
      const catalog = selectStreams(await discoverCatalog(configFor(sf)), c.objects);
      if (c.replicationKey) for (const entry of catalog.streams) entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata['replication-key'] = c.replicationKey;
      const clean = await runTap(fastTap(), { config: configFor(sf), catalog });
      Object.assign(sf.scenario, c.scenario);
      sf.server.resetCounters();
      const running = runTap(fastTap(c.retry), { config: configFor(sf, 'refresh_token', c.config), catalog });
      let run: TapRun | undefined;
      if (c.rejects) await t.rejects(running, c.rejects);
      else {
        run = await running;
        t.notOk(run.summary.stoppedEarly, 'not stopped');
        for (const object of c.objects) t.same(byId(run.records(object)), byId(clean.records(object)), `${object}: the records of a clean REST run (${clean.records(object).length})`);
      }
      t.ok(c.happened[1](sf, run), c.happened[0]);
    });
  }
}
