/**
 * Every Marketo fault the issue names, provoked on the simulator: each run ends with the same data
 * as a clean run, or stops cleanly with a state from which the next run completes the data.
 */
import t, { type Test } from 'tap';
import type { MarketoScenario, MarketoSimulator } from '@singer-io-ts/simulators';
import type { TapRun } from '@singer-io-ts/sdk/testing';
import { diffRecords, expectedRecords, keyOf } from './helpers/compare.js';
import { configFor, startInstance, syncStreams } from './helpers/marketo.js';
import type { MarketoConfig } from '../src/index.js';

type Row = Record<string, unknown>;
const BULK = ['leads', 'activities', 'program_members'];

function checkStreams(t: Test, mk: MarketoSimulator, streams: string[], records: (stream: string) => Row[], label: string): void {
  for (const stream of streams) {
    const diff = diffRecords(stream, expectedRecords(mk, stream), records(stream));
    t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra.slice(0, 5), mismatches: diff.mismatches.slice(0, 5) }, { missing: [], extra: [], mismatches: [] }, `${label}: ${stream} (${diff.rows} records)`);
  }
}

async function instance(t: Test, scenario: Partial<MarketoScenario> = {}): Promise<MarketoSimulator> {
  return startInstance(t, { scale: 0.01, scenario });
}

/** A sync that must end with the simulator's data despite the fault, and the log lines that show the fault was met. */
async function syncDespite(t: Test, mk: MarketoSimulator, streams: string[], label: string, extra: Partial<MarketoConfig> = {}): Promise<TapRun> {
  const run = await syncStreams(configFor(mk, extra), streams);
  t.notOk(run.summary.stoppedEarly, `${label}: not stopped`);
  checkStreams(t, mk, streams, (stream) => run.records(stream), label);
  return run;
}

/** Runs until a run is not stopped early, each from the previous state; the records of all runs merged by key. */
async function syncUntilDone(mk: MarketoSimulator, config: MarketoConfig, streams: string[], beforeRun: (run: number) => void, maxRuns = 30): Promise<{ runs: TapRun[]; records: (stream: string) => Row[] }> {
  const runs: TapRun[] = [];
  const merged = new Map<string, Map<string, Row>>();
  let state: unknown;
  for (let i = 0; i < maxRuns; i++) {
    beforeRun(i);
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

  // Our own ceiling, below Marketo's: counted from the subscription's completed jobs of the day.
  const mk3 = await instance(t);
  const own = await syncUntilDone(mk3, configFor(mk3, { max_daily_export_mb: 0.05 }), ['activities'], (i) => (i > 0 ? mk3.advancePastMidnight() : undefined));
  t.ok(own.runs.length >= 2, `${own.runs.length} runs`);
  t.match(own.runs[0]!.summary.stoppedEarly, /max_daily_export_mb/);
  t.equal(own.runs.reduce((sum, run) => sum + logged(run, /Marketo error 1029/), 0), 0, 'stopped by our budget before Marketo refused anything');
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
