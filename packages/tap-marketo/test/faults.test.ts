/**
 * Every Marketo fault the issue names, provoked on the simulator: each run ends with the same data
 * as a clean run, or stops cleanly with a state from which the next run completes the data.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { createSimulation, type MarketoScenario, type MarketoSimulator, type Simulation } from '@singer-io-ts/simulators';
import { ResumableStopError, memoryLogger } from '@singer-io-ts/sdk';
import type { TapRun } from '@singer-io-ts/sdk/testing';
import { diffRecords, expectedRecords, keyOf } from './helpers/compare.js';
import { ALL_STREAMS, configFor, simRows, startInstance, syncStreams } from './helpers/marketo.js';
import { MarketoClient } from '../src/client.js';
import { tokenPages } from '../src/streams/paging.js';
import type { MarketoConfig } from '../src/index.js';
import { centralDay } from '../src/bulk.js';

type Row = Record<string, unknown>;
const BULK = ['leads', 'activities', 'program_members'];
const DAY = 86_400_000;

function checkStreams(t: Test, mk: MarketoSimulator, streams: string[], records: (stream: string) => Row[], label: string): void {
  for (const stream of streams) {
    const diff = diffRecords(stream, expectedRecords(mk, stream), records(stream));
    t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra.slice(0, 5), mismatches: diff.mismatches.slice(0, 5) }, { missing: [], extra: [], mismatches: [] }, `${label}: ${stream} (${diff.rows} records)`);
  }
}

async function instance(t: Test, scenario: Partial<MarketoScenario> = {}, simulation?: Simulation): Promise<MarketoSimulator> {
  return startInstance(t, { scale: 0.01, scenario, ...(simulation ? { simulation } : {}) });
}

/** An instance at the first instant of the company's history: no programs, campaigns, emails or pages yet. */
function newInstanceSimulation(): Simulation {
  return createSimulation({ scale: 0.01, asOf: createSimulation({ scale: 0.01 }).company.start });
}

/** A sync that must end with the simulator's data despite the fault, and the log lines that show the fault was met. */
async function syncDespite(t: Test, mk: MarketoSimulator, streams: string[], label: string, extra: Partial<MarketoConfig> = {}): Promise<TapRun> {
  const run = await syncStreams(configFor(mk, extra), streams);
  t.notOk(run.summary.stoppedEarly, `${label}: not stopped`);
  checkStreams(t, mk, streams, (stream) => run.records(stream), label);
  return run;
}

/** Runs until a run is not stopped early, each from the previous state; the records of all runs merged by key. */
async function syncUntilDone(mk: MarketoSimulator, config: MarketoConfig, streams: string[], beforeRun: (run: number) => unknown, maxRuns = 30): Promise<{ runs: TapRun[]; records: (stream: string) => Row[] }> {
  const runs: TapRun[] = [];
  const merged = new Map<string, Map<string, Row>>();
  let state: unknown;
  for (let i = 0; i < maxRuns; i++) {
    await beforeRun(i);
    const run = await syncStreams(config, streams, state);
    runs.push(run);
    for (const stream of streams) {
      const table = merged.get(stream) ?? new Map<string, Row>();
      for (const record of run.records(stream)) table.set(keyOf(stream, record), record);
      merged.set(stream, table);
    }
    state = run.finalState;
    if (!run.summary.stoppedEarly) break;
  }
  return { runs, records: (stream) => [...(merged.get(stream)?.values() ?? [])] };
}

const logged = (run: TapRun, pattern: RegExp) => run.logLines.filter((line) => pattern.test(line)).length;

t.test('601/602: an expired or revoked token is renewed and the call replayed', async (t) => {
  const mk = await instance(t, { tokenLifetimeCalls: 25 });
  mk.server.inject({ route: 'bulk.status', after: 5, action: { type: 'error', code: '601' } });
  const before = mk.tokens.issued;
  const run = await syncDespite(t, mk, BULK, 'token expiry');
  t.ok(mk.tokens.issued - before >= 3, `${mk.tokens.issued - before} tokens issued`);
  t.ok(logged(run, /Marketo error 602/) > 0, 'met 602');
  t.ok(logged(run, /Marketo error 601/) > 0, 'met 601');
});

t.test('606 waits for the rate window; 615 backs off; 604/608/611 and 502 are retried', async (t) => {
  // A short window on both sides, so the injected 606s cost little and no real one is provoked.
  const mk = await instance(t, { rateWindowMs: 200 });
  mk.server.inject({ route: 'bulk.status', after: 3, times: 2, action: { type: 'error', code: '606' } });
  mk.server.inject({ route: 'bulk.create', after: 2, times: 2, action: { type: 'error', code: '615' } });
  mk.server.inject({ route: 'bulk.enqueue', after: 4, action: { type: 'error', code: '604' } });
  mk.server.inject({ route: 'programs', action: { type: 'error', code: '608' } });
  mk.server.inject({ route: 'activities.types', action: { type: 'error', code: '611' } });
  mk.server.inject({ route: 'bulk.file', after: 1, action: { type: 'status', status: 502 } });
  const run = await syncDespite(t, mk, [...BULK, 'programs', 'activity_types'], 'transient errors');
  for (const code of ['606', '615', '604', '608', '611']) t.ok(logged(run, new RegExp(`Marketo error ${code}.*retrying`)) > 0, `${code} retried`);
  t.ok(logged(run, /HTTP 502.*retrying/) > 0, '502 retried');
});

t.test('a server stricter than the config: real 606s from the rate window are waited out', async (t) => {
  const mk = await instance(t, { rateLimitCalls: 15, rateWindowMs: 300 });
  const run = await syncDespite(t, mk, ['activities'], 'strict rate window', { rate_limit_calls: 100, rate_window_seconds: 0.3 });
  t.ok(logged(run, /Marketo error 606/) > 0, 'the server refused calls with 606');
});

t.test('1029 "Too many jobs in queue" waits and enqueues again', async (t) => {
  const mk = await instance(t);
  mk.server.inject({ route: 'bulk.enqueue', after: 3, times: 3, action: { type: 'error', code: '1029', message: 'Too many jobs in queue' } });
  const run = await syncDespite(t, mk, ['activities'], 'full queue');
  t.equal(logged(run, /export queue is full/), 3);
});

t.test('bogus creates, failed jobs, files gone or cut short: exported again', async (t) => {
  const mk = await instance(t, { badCreates: 2, failJobs: 2, csvLineEnding: '\r\n' });
  mk.server.inject({ route: 'bulk.file', after: 2, action: { type: 'status', status: 404 } });
  const run = await syncDespite(t, mk, BULK, 'export failures');
  t.equal(logged(run, /export create answered status Failed with exportId null/), 2, 'bogus creates retried');
  t.ok(logged(run, /ended Failed.*exporting again/) >= 1, 'failed job exported again');
  t.equal(logged(run, /HTTP 404\); exporting again/), 1, 'file gone: exported again');
});

t.test('a file dropped mid-body or cut short is read again from its start, skipping the rows already given', async (t) => {
  const mk = await startInstance(t, { scale: 0.5 });
  const since = mk.simulation.clock.now() - 20 * 86_400_000;
  const drop = mk.server.inject({ route: 'bulk.file', action: { type: 'drop', afterBytes: 100_000 } });
  const truncate = mk.server.inject({ route: 'bulk.file', action: { type: 'truncate' } });
  const run = await syncStreams(configFor(mk, { start_date: new Date(since).toISOString() }), ['activities']);
  t.equal(drop.fired + truncate.fired, 2, 'one file dropped, one cut short');
  t.equal(logged(run, /downloading the file again after row \d+/), 2, 'both read again');
  const expected = expectedRecords(mk, 'activities').filter((row) => Math.floor(Number(row.values.activityDate![1]) / 1000) * 1000 >= Math.floor(since / 1000) * 1000);
  const diff = diffRecords('activities', expected, run.records('activities'));
  t.ok(expected.length > 500, `${expected.length} activities in 20 days`);
  t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra.slice(0, 5), mismatches: diff.mismatches.slice(0, 5) }, { missing: [], extra: [], mismatches: [] });
  t.equal(run.records('activities').length, expected.length, 'no row given twice');
});

t.test('no Corona: leads fall back to createdAt windows, with a warning', async (t) => {
  const mk = await instance(t, { corona: false });
  const run = await syncDespite(t, mk, ['leads'], 'no Corona');
  t.ok(logged(run, /no "Corona"/) >= 1, 'warned that updates are missed');
  const bodies = mk.server.requests.filter((r) => r.route === 'bulk.create').length;
  t.ok(bodies >= 24, 'leads read in createdAt windows');
});

t.test('max_daily_calls: each run stops cleanly before the budget; the runs together give all the data', async (t) => {
  const mk = await instance(t);
  const config = configFor(mk, { max_daily_calls: 1000 });
  const result = await syncUntilDone(mk, config, BULK, () => mk.limits.setUsedToday(1000 - 120));
  t.ok(result.runs.length >= 3, `${result.runs.length} runs`);
  for (const run of result.runs.slice(0, -1)) t.match(run.summary.stoppedEarly, /Marketo API quota/);
  t.notOk(result.runs.at(-1)!.summary.stoppedEarly, 'the last run completes');
  checkStreams(t, mk, BULK, result.records, 'merged runs');
  // Whether the export a run stopped on is done by the next run depends on how fast the machine is
  // (a loaded CI machine found it still processing): picked up in any state is what counts.
  const reused = result.runs.reduce((sum, run) => sum + logged(run, /reusing export .* of an earlier run \((Completed|Processing|Queued)\)/), 0);
  t.ok(reused >= 1, `${reused} exports of stopped runs picked up again instead of exported twice`);
});

t.test('607 daily quota and the 500 MB export quota (1029) stop cleanly; the next day resumes', async (t) => {
  const mk = await instance(t, { dailyQuota: 60 });
  const config = configFor(mk);
  const calls = await syncUntilDone(mk, config, ['activities'], (i) => (i > 0 ? mk.advancePastMidnight() : undefined));
  t.ok(calls.runs.length >= 2, `${calls.runs.length} runs`);
  t.match(calls.runs[0]!.summary.stoppedEarly, /daily API quota reached/);
  checkStreams(t, mk, ['activities'], calls.records, '607');

  const mk2 = await instance(t, { exportDailyQuotaBytes: 60_000 });
  const exports = await syncUntilDone(mk2, configFor(mk2), ['activities'], (i) => (i > 0 ? mk2.advancePastMidnight() : undefined));
  t.ok(exports.runs.length >= 2, `${exports.runs.length} runs`);
  t.match(exports.runs[0]!.summary.stoppedEarly, /export quota|max_daily_export_mb/);
  checkStreams(t, mk2, ['activities'], exports.records, '1029 export quota');

  // Our own ceiling, below Marketo's: counted from the subscription's completed jobs of the day,
  // and never passed, although a job's size is known only once it completes. Marketo's own quota
  // is set just above it, so a run that passed the ceiling would also meet a 1029.
  const budget = 0.05 * 1_048_576;
  const mk3 = await instance(t, { exportDailyQuotaBytes: budget + 1 });
  const own = await syncUntilDone(mk3, configFor(mk3, { max_daily_export_mb: 0.05 }), ['activities'], (i) => (i > 0 ? mk3.advancePastMidnight() : undefined));
  t.ok(own.runs.length >= 2, `${own.runs.length} runs`);
  t.match(own.runs[0]!.summary.stoppedEarly, /max_daily_export_mb/);
  t.equal(own.runs.reduce((sum, run) => sum + logged(run, /Marketo error 1029/), 0), 0, 'stopped by our budget before Marketo refused anything');
  const perDay = new Map<string, number>();
  for (const job of mk3.jobs.all()) if (job.status === 'Completed') perDay.set(centralDay(job.finishedAt!), (perDay.get(centralDay(job.finishedAt!)) ?? 0) + job.pass!.fileSize);
  t.ok(perDay.size >= 2, `exports on ${perDay.size} days`);
  t.ok(Math.max(...perDay.values()) <= budget, `at most ${Math.max(...perDay.values())} bytes of ${budget} exported on any day`);
  checkStreams(t, mk3, ['activities'], own.records, 'max_daily_export_mb');
});

t.test('the client never sends more than the rate window allows nor more than 10 calls at once', async (t) => {
  const mk = await instance(t, { latencyMs: 30, rateLimitCalls: 100, rateWindowMs: 1_000 });
  const { MarketoClient } = await import('../src/client.js');
  const { memoryLogger } = await import('@singer-io-ts/sdk');
  const logger = memoryLogger();
  const client = await MarketoClient.connect(configFor(mk, { rate_window_seconds: 1 }), logger);
  mk.server.resetCounters();
  mk.limits.peakInFlight = 0;
  await Promise.all(Array.from({ length: 250 }, () => client.get(`${client.restUrl}/v1/activities/types.json`)));
  t.equal(mk.server.calls('activities.types'), 250, 'every call made');
  t.ok(mk.limits.peakInFlight <= 10, `peak in flight ${mk.limits.peakInFlight}`);
  t.equal(mk.limits.peakInFlight, 10, 'and the 10 slots are used');
  t.equal(logger.lines.filter((line) => /Marketo error 60[6]|Marketo error 615/.test(line)).length, 0, 'no 606 or 615 answered');
  // From the server's request log: no 1 s window holds more than 100 arrivals.
  const arrivals = mk.server.requests.filter((r) => r.route === 'activities.types').map((r) => r.at);
  let worst = 0;
  for (let first = 0, last = 0; last < arrivals.length; last++) {
    while (arrivals[last]! - arrivals[first]! >= 1_000) first++;
    worst = Math.max(worst, last - first + 1);
  }
  t.equal(arrivals.length, 250);
  t.ok(worst <= 100, `at most ${worst} calls arrived in any 1 s window`);
  t.ok(worst >= 90, 'and the window is used');
});

t.test('a lost answer to an enqueue: Marketo says "already queued" (or processing) to the retry, and the export carries on', async (t) => {
  const mk = await instance(t);
  const drop = mk.server.inject({ route: 'bulk.enqueue', after: 1, action: { type: 'drop', afterBytes: 0 } });
  const run = await syncDespite(t, mk, ['activities'], 'lost enqueue answer');
  t.equal(drop.fired, 1, 'one enqueue answer lost');
  t.equal(logged(run, /Marketo error 1029 \(Export job \S+ already (queued|processing|completed)\): an earlier enqueue of this job went through/), 1, 'the retry met 1029 "already …" and carried on');
  t.equal(logged(run, /export queue is full/), 0, 'not taken for a full queue');
});

t.test('fault switches of the simulator: each sync ends with the same data', async (t) => {
  const cases: Array<{ name: string; scenario: Partial<MarketoScenario>; simulation?: () => Simulation; streams: string[]; met: (mk: MarketoSimulator, run: TapRun) => [boolean, string] }> = [
    {
      name: 'deleted-lead pages without `result` (emptyActivityPageEvery, a narrow activityScanWindow)',
      scenario: { emptyActivityPageEvery: 2, activityScanWindow: 100 },
      streams: ['deleted_leads'],
      met: (mk) => [mk.server.requests.filter((r) => r.route === 'activities.deletedleads').length >= 5, `${mk.server.calls('activities.deletedleads')} pages read`],
    },
    {
      name: 'the access_token query parameter refused (rejectQueryToken)',
      scenario: { rejectQueryToken: true },
      streams: ALL_STREAMS,
      met: (_mk, run) => [run.logLines.every((line) => !/Marketo error 60[01]/.test(line)), 'no call refused for its token'],
    },
    {
      name: 'filter datetimes with milliseconds refused (rejectMilliseconds)',
      scenario: { rejectMilliseconds: true },
      streams: BULK,
      met: (mk) => [mk.server.calls('bulk.create') >= 24, `${mk.server.calls('bulk.create')} exports created`],
    },
    {
      name: 'an instance with no assets yet: the Asset API answers `result: []` with its warning (noAssetsResult)',
      scenario: { noAssetsResult: 'empty' },
      simulation: newInstanceSimulation,
      streams: ['programs', 'campaigns', 'emails', 'landing_pages', 'program_members'],
      met: (mk) => {
        const routes = ['programs', 'smartCampaigns', 'emails', 'landingPages'];
        const empty = ['programs', 'campaigns', 'emails', 'landing_pages'].every((table) => simRows(mk, table).length === 0);
        return [empty && routes.every((route) => mk.server.calls(route) >= 1), `no assets; ${routes.map((route) => `${route} ${mk.server.calls(route)}`).join(', ')} calls answered with the empty end`];
      },
    },
    {
      name: 'one export job in the queue at a time (maxQueuedJobs)',
      // A slower cadence keeps a job queued while the next is enqueued, however loaded the machine.
      scenario: { maxQueuedJobs: 1, bulkStatusCadenceMs: 100 },
      streams: ['activities'],
      met: (_mk, run) => [logged(run, /export queue is full/) >= 1, 'the queue was found full'],
    },
  ];
  for (const { name, scenario, simulation, streams, met } of cases) {
    await t.test(name, async (t) => {
      const mk = await instance(t, scenario, simulation?.());
      const run = await syncDespite(t, mk, streams, name);
      const [ok, what] = met(mk, run);
      t.ok(ok, `the switch was met: ${what}`);
    });
  }
});

t.test('a token that expires by time; a 602 answered with the same, nearly expired token is waited out', async (t) => {
  const mk = await instance(t, { tokenLifetimeMs: 4_000 });
  // The sync's describe call (discovery made the first): a fresh token, so the identity hands it back.
  mk.server.inject({ route: 'leads.describe', after: 1, action: { type: 'error', code: '602' } });
  const before = mk.tokens.issued;
  const run = await syncDespite(t, mk, ['leads', 'activities'], 'token lifetime');
  t.equal(logged(run, /returned the same token, \d+ s from expiry: waiting for it to expire/), 1, 'the same token was waited out once');
  t.ok(mk.tokens.issued - before >= 2, `${mk.tokens.issued - before} tokens issued`);
});

t.test('a call that hangs past request_timeout_seconds is abandoned and tried again', async (t) => {
  const mk = await instance(t);
  const delay = mk.server.inject({ route: 'programs', action: { type: 'delay', ms: 3_000 } });
  const run = await syncDespite(t, mk, ['programs'], 'hung call', { request_timeout_seconds: 0.5 });
  t.equal(delay.fired, 1);
  t.equal(logged(run, /got no response within 500 ?ms; retrying/), 1, 'timed out and retried');
});

t.test('use_corona forced: true fails clearly without Corona; false exports on createdAt even where updatedAt works', async (t) => {
  const without = await instance(t, { corona: false });
  const failed = await syncStreams(configFor(without, { use_corona: true }), ['leads']).catch((error: unknown) => error);
  t.match(String(failed), /use_corona is true, but this subscription cannot filter lead exports on updatedAt.*1035/);

  const mk = await instance(t);
  const run = await syncDespite(t, mk, ['leads'], 'use_corona false', { use_corona: false });
  t.ok(logged(run, /no "Corona"/) >= 1, 'warned that updates are missed');
  // The server's plan of each job: an updatedAt filter scans an updatedAt range, a createdAt filter does not.
  const jobs = mk.jobs.all();
  t.ok(jobs.length >= 24 && jobs.every((job) => job.spec.scan.from === undefined), `all ${jobs.length} lead exports filtered on createdAt`);
});

t.test('max_daily_calls defaults to 80 % of daily_call_quota: the run stops before it, as the server counts', async (t) => {
  for (const [quota, limit] of [
    [undefined, 40_000],
    [10_000, 8_000],
  ] as const) {
    const mk = await instance(t);
    mk.limits.setUsedToday(limit - 40);
    const run = await syncStreams(configFor(mk, quota === undefined ? {} : { daily_call_quota: quota }), ['activities']);
    t.match(run.summary.stoppedEarly, /Marketo API quota/, `quota ${quota ?? 'default'}: stopped`);
    t.ok(mk.limits.usedToday() <= limit, `quota ${quota ?? 'default'}: ${mk.limits.usedToday()} calls used today, not more than ${limit}`);
  }
});

t.test('a run resumed after Marketo dropped the stopped run\'s file (7-day retention) exports that window again', async (t) => {
  const mk = await instance(t);
  const result = await syncUntilDone(mk, configFor(mk, { max_daily_calls: 1000 }), ['activities'], async (i) => {
    if (i > 0) {
      // The jobs of the stopped run finish, then 8 days pass: their files are gone.
      while (mk.jobs.all().some((job) => job.status === 'Queued' || job.status === 'Processing')) await sleep(20);
      mk.advanceTime(8 * DAY);
    }
    mk.limits.setUsedToday(1000 - 120);
  });
  t.ok(result.runs.length >= 2, `${result.runs.length} runs`);
  const count = (pattern: RegExp) => result.runs.reduce((sum, run) => sum + logged(run, pattern), 0);
  const reused = count(/reusing export .* of an earlier run \(Completed\)/);
  t.ok(reused >= 1, `${reused} exports of stopped runs picked up again`);
  t.equal(count(/is gone \(HTTP 404\); exporting again/), reused, 'each of them gone and exported again');
  checkStreams(t, mk, ['activities'], result.records, 'past retention');
});

t.test('a stop while a file is read cancels the jobs enqueued behind it', async (t) => {
  // Status moves once a second: the jobs behind the first cannot complete before the stop.
  const mk = await instance(t, { bulkStatusCadenceMs: 1_000 });
  const { MarketoClient, BulkExtract } = await import('../src/index.js');
  const { runExports } = await import('../src/bulk.js');
  const { pollSettings } = await import('../src/config.js');
  const { memoryLogger } = await import('@singer-io-ts/sdk');
  const logger = memoryLogger();
  const config = configFor(mk);
  const client = await MarketoClient.connect(config, logger);
  const bulk = new BulkExtract(client, { poll: pollSettings(config), logger, maxDailyBytes: 100 * 1_048_576 });
  const end = mk.simulation.clock.now();
  const units = [3, 2, 1].map((k) => {
    const window = { start: end - k * 10 * DAY, end: end - (k - 1) * 10 * DAY };
    const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { type: 'activities' as const, label: `window ${k}`, window, body: { fields: ['marketoGUID', 'activityDate'], filter: { createdAt: { startAt: at(window.start), endAt: at(window.end) } } } };
  });
  let given = 0;
  const exports = runExports(bulk, () => units[given++], { logger, onHead: () => undefined });
  const first = await exports.next();
  t.notOk(first.done);
  t.notOk((await first.value!.rows.next()).done, 'a row of the first file read');
  t.equal(given, 3, 'the next two jobs enqueued behind it');
  // The consumer stops here (SIGTERM, a quota stop): the generators are closed.
  await first.value!.rows.return(undefined);
  await exports.return(undefined);
  const statuses = mk.jobs.all().map((job) => job.status).sort();
  t.same(statuses, ['Cancelled', 'Cancelled', 'Completed'], 'the unread jobs cancelled, none left holding a queue place');
});

t.test('max_daily_export_mb: a stopped run reads every file it paid for; a later run the same day estimates its first job too', async (t) => {
  const mk = await instance(t);
  const first = await syncStreams(configFor(mk, { max_daily_export_mb: 0.05 }), ['activities']);
  t.match(first.summary.stoppedEarly, /reached [\d.]+ KB, .* may add [\d.]+ KB: more than the 51\.2 KB allowed \(max_daily_export_mb\)/);
  // Counted in the day's export bytes, so read now: a run stopped before reading it would leave
  // it to a rerun that the same budget stops before it, until midnight.
  const completed = mk.jobs.all().filter((job) => job.status === 'Completed');
  const inFiles = completed.reduce((sum, job) => sum + job.pass!.numberOfRecords, 0);
  t.ok(completed.length >= 2, `${completed.length} exports completed`);
  t.equal(first.records('activities').length, inFiles, 'the rows of every completed file emitted before the stop');
  const bookmark = (first.finalState as { bookmarks: Record<string, Row> }).bookmarks.activities!;
  t.equal(bookmark.export_id, undefined, 'no completed export left to the next run');

  // Another run today, from another start (a new connection, a reset state), with 1 KB left: the
  // day's job lists tell how large an activities file is, so it starts none.
  const ceiling = mk.jobs.exportedToday() + 1024;
  const since = new Date(mk.simulation.clock.now() - 25 * DAY).toISOString();
  const second = await syncStreams(configFor(mk, { max_daily_export_mb: ceiling / 1_048_576, start_date: since }), ['activities']);
  t.match(second.summary.stoppedEarly, /max_daily_export_mb/);
  t.ok(mk.jobs.exportedToday() <= ceiling, `${mk.jobs.exportedToday()} bytes exported today, ceiling ${ceiling}`);
  t.equal(mk.jobs.all().filter((job) => job.status === 'Completed').length, completed.length, 'no export started');

  const bad = await syncStreams(configFor(mk, { max_daily_export_mb: 'lots' as never }), ['activities']).catch((error: unknown) => error);
  t.match(String(bad), /max_daily_export_mb must be a number of MB above 0, got "lots"/);
});

t.test('a stop ends the wait for a nearly expired token at once', async (t) => {
  // Every token lives 60 s: the identity service hands back the live one, within the 62 s that are waited out.
  const mk = await instance(t, { tokenLifetimeMs: 60_000 });
  const logger = memoryLogger();
  const client = await MarketoClient.connect(configFor(mk), logger);
  mk.server.inject({ route: 'activities.types', action: { type: 'error', code: '602' } });
  const issued = mk.tokens.issued;
  const stop = new AbortController();
  let settled = false;
  const call = client.get(`${client.restUrl}/v1/activities/types.json`, {}, { signal: stop.signal }).then(
    () => 'answered',
    (error: unknown) => error,
  );
  void call.finally(() => (settled = true));
  const waiting = () => logger.lines.some((line) => /returned the same token, \d+ s from expiry: waiting for it to expire/.test(line));
  while (!waiting() && !settled) await sleep(10);
  t.ok(waiting(), 'the renewal waits for the token to expire');
  stop.abort(new ResumableStopError('stopped: SIGTERM'));
  t.type(await call, ResumableStopError, 'the call ends with the stop');
  // Had the wait gone on, the token would have expired and been replaced by now.
  await client.get(`${client.restUrl}/v1/activities/types.json`);
  t.equal(mk.tokens.issued, issued, 'ended before the token expired: the next call still uses it');
});

t.test('lists.json: a page token that expired mid-read (1003) starts the read over, giving each list once', async (t) => {
  const mk = await instance(t, { positionTokenTtlMs: 60_000 });
  const logger = memoryLogger();
  const client = await MarketoClient.connect(configFor(mk), logger);
  // The instance has fewer lists than one 300-row page: pages of 10 make the token matter.
  const ids: number[] = [];
  for await (const item of tokenPages(client, 'lists.json', new AbortController().signal, { logger, batchSize: 10 })) {
    ids.push(Number(item.id));
    // The consumer is held up past the token's life after the first page.
    if (ids.length === 10) mk.advanceTime(120_000);
  }
  const expected = simRows(mk, 'lists').map((row) => Number(row.id));
  t.ok(expected.length > 20, `${expected.length} lists`);
  t.same([...ids].sort((a, b) => a - b), [...expected].sort((a, b) => a - b), 'every list, none twice');
  t.equal(logger.lines.filter((line) => /lists\.json: the page token was refused \(.*Marketo error 1003.*\); reading again from the start, skipping the 10 items already read/.test(line)).length, 1);
});
