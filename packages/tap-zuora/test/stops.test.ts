/**
 * Faults no retry can fix — jobs that keep failing, jobs that never finish, an outage longer than
 * the retries — end in a clean stop: the run resolves (exit 0 from the CLI) with the state, no
 * AQuA job is left running on the tenant, and a rerun from the state completes.
 */
import { runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import t, { type Test } from 'tap';
import type { ApiType } from '../src/config.js';
import { configFor, discoverCatalog, fastTap, ids, simIds, startTenant } from './helpers/zuora.js';

const API_TYPES: ApiType[] = ['AQUA', 'REST'];
/** CRUD exports cannot report deleted rows. */
const expectedIds = (zuora: Awaited<ReturnType<typeof startTenant>>, apiType: ApiType) => simIds(zuora, 'Account', apiType === 'AQUA');

/** Jobs the tap gave up must not hold the tenant's concurrency; CRUD exports have no cancel call. */
function noJobLeft(t: Test, zuora: Awaited<ReturnType<typeof startTenant>>, apiType: ApiType): void {
  if (apiType === 'AQUA') t.equal(zuora.activeJobs(), 0, 'no AQuA job left running: the ones given up were cancelled');
}

const STATUS: Record<ApiType, string> = { AQUA: 'aqua.status', REST: 'export.status' };

for (const apiType of API_TYPES) {
  for (const outcome of ['aborted', 'error', 'cancelled'] as const) {
    t.test(`${apiType}: jobs that keep ending ${outcome} stop the run cleanly; the rerun completes from the state`, async (t) => {
      const zuora = await startTenant(t, { scenario: { jobOutcome: outcome } });
      const config = configFor(zuora, 'oauth', { api_type: apiType });
      const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
      const stopped = await runTap(fastTap({ maxJobFailures: 3 }), { config, catalog });
      t.equal(stopped.records('Account').length, 0);
      const status = apiType === 'AQUA' ? outcome : outcome === 'cancelled' ? 'Cancelled' : 'Failed';
      t.match(stopped.summary.stoppedEarly, new RegExp(`^Account: .*${status}: Execution aborted.*; stopping after 3 failed job`), 'a clean stop naming the object and why');
      t.ok(stopped.finalState, 'the state is emitted');
      noJobLeft(t, zuora, apiType);
      zuora.scenario.jobOutcome = 'completed';
      const rerun = await runTap(fastTap(), { config, catalog, state: stopped.finalState });
      t.notOk(rerun.summary.stoppedEarly);
      t.same(ids(rerun.records('Account')), expectedIds(zuora, apiType));
    });
  }

  t.test(`${apiType}: jobs that never finish are given up after job_timeout_seconds, then the run stops cleanly`, async (t) => {
    const zuora = await startTenant(t, { scenario: { jobsNeverComplete: true } });
    const config = configFor(zuora, 'oauth', { api_type: apiType, job_timeout_seconds: 1 });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
    const stopped = await runTap(fastTap({ maxJobFailures: 3 }), { config, catalog });
    t.match(stopped.summary.stoppedEarly, /^Account: .*not finished after 1 s.*; stopping after 3 failed job/);
    if (apiType === 'AQUA') t.ok(zuora.server.calls('aqua.delete') >= 3, 'each timed-out job cancelled through DELETE');
    noJobLeft(t, zuora, apiType);
    zuora.scenario.jobsNeverComplete = false;
    const rerun = await runTap(fastTap(), { config: { ...config, job_timeout_seconds: 60 }, catalog, state: stopped.finalState });
    t.same(ids(rerun.records('Account')), expectedIds(zuora, apiType));
  });

  t.test(`${apiType}: a 503 outage of the job status call longer than the retries is a clean stop naming the call; the rerun completes`, async (t) => {
    const zuora = await startTenant(t);
    const config = configFor(zuora, 'oauth', { api_type: apiType });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
    zuora.server.inject({ route: STATUS[apiType], times: Infinity, action: { type: 'error', code: '503' } });
    const stopped = await runTap(fastTap(), { config, catalog });
    const why = new RegExp(`^Account: Zuora kept failing the ${STATUS[apiType].replace('.', '\\.')} call GET /v1/\\S+: Gave up after 5 attempts .*HTTP 503`);
    t.match(stopped.summary.stoppedEarly, why, 'the stop names the object, the call and the cause');
    t.ok(stopped.logLines.some((line) => /stopping early: Account: Zuora kept failing .*HTTP 503.*the next run resumes/.test(line)), 'and says so in a warning');
    t.ok(stopped.states.length > 0 && stopped.messages.at(-1)?.type === 'STATE', 'a STATE is the last message');
    t.ok(zuora.server.requests.filter((r) => r.route === STATUS[apiType] && r.status === 503).length >= 5, 'the retries did run');
    noJobLeft(t, zuora, apiType);
    zuora.server.faults.clear();
    const rerun = await runTap(fastTap(), { config, catalog, state: stopped.finalState });
    t.notOk(rerun.summary.stoppedEarly);
    t.same(ids(rerun.records('Account')), expectedIds(zuora, apiType));
  });
}

t.test('AQUA: an outage of describe while a refused job is explained is a clean stop too; the rerun completes', async (t) => {
  const zuora = await startTenant(t);
  const config = configFor(zuora);
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Contact'] }), ['Contact']);
  // The job refuses the query (90005); describing Contact again, to find out why, keeps failing.
  zuora.server.inject({ route: 'aqua.submit', times: 1, action: { type: 'error', code: '90005' } });
  zuora.server.inject({ route: /^\/v1\/describe\/Contact$/, after: 1, times: Infinity, action: { type: 'error', code: '503' } });
  const stopped = await runTap(fastTap(), { config, catalog });
  t.match(stopped.summary.stoppedEarly, /^Contact: Zuora kept failing the describe\.object call GET \/v1\/describe\/Contact: Gave up after 5 attempts .*HTTP 503/, 'a clean stop naming the object, the call and the cause');
  t.ok(stopped.messages.at(-1)?.type === 'STATE', 'a STATE is the last message');
  zuora.server.faults.clear();
  const rerun = await runTap(fastTap(), { config, catalog, state: stopped.finalState });
  t.notOk(rerun.summary.stoppedEarly);
  t.same(ids(rerun.records('Contact')), simIds(zuora, 'Contact'));
});

t.test('AQUA: a read that stops cancels the jobs it started ahead (they would otherwise keep running)', async (t) => {
  const zuora = await startTenant(t, { scenario: { maxWindowDays: 90 } });
  const config = configFor(zuora, 'oauth', { state_message_frequency: 1 });
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Account'] }), ['Account']);
  // A first run reads in windows (over 90 days fail, so they are halved); its states name the files of each.
  const first = await runTap(fastTap(), { config, catalog });
  type Bookmark = { zuora_window?: { to: number | null } | null };
  const midWindow = first.states.find((state) => {
    const bookmark = (state as { bookmarks?: Record<string, Bookmark> }).bookmarks?.Account;
    return typeof bookmark?.zuora_window?.to === 'number';
  });
  t.ok(midWindow, 'a state taken while a window that is not the last was being read');
  // The rerun reads that window's saved files and, meanwhile, starts the next window's job, which never finishes.
  // The saved files are gone and no restart is allowed: the read stops with that job still running.
  zuora.expireAllFiles();
  zuora.scenario.jobsNeverComplete = true;
  const stopped = await runTap(fastTap({ maxRestarts: 0 }), { config: { ...config, job_timeout_seconds: 3600 }, catalog, state: midWindow });
  t.match(stopped.summary.stoppedEarly, /^Account: .*Cannot find file by id.*could not be read/);
  t.ok(zuora.submittedJobs().some((job) => job.project === 'tap-zuora-Account' && job.status === 'cancelled'), 'the job started ahead was cancelled');
  t.equal(zuora.activeJobs(), 0, 'no AQuA job left running');
});
