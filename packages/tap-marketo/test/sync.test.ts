/** In-process syncs against the simulator: every stream equals the simulator's data, full and incremental. */
import t, { type Test } from 'tap';
import type { MarketoSimulator } from '@singer-io-ts/simulators';
import { diffRecords, expectedRecords, keyOf } from './helpers/compare.js';
import { ALL_STREAMS, configFor, simRows, startInstance, syncStreams } from './helpers/marketo.js';

const simTypes = (mk: MarketoSimulator) => simRows(mk, 'activity_types');

type Row = Record<string, unknown>;

function check(t: Test, mk: MarketoSimulator, loaded: Map<string, Map<string, Row>>, label: string, deleted: Set<string>): void {
  for (const stream of ALL_STREAMS) {
    const diff = diffRecords(stream, expectedRecords(mk, stream), [...(loaded.get(stream)?.values() ?? [])]);
    // Leads deleted since an earlier run stay where they were loaded; deleted_leads says which.
    const extra = stream === 'leads' ? diff.extra.filter((id) => !deleted.has(id)) : diff.extra;
    t.same({ missing: diff.missing.slice(0, 5), extra: extra.slice(0, 5), mismatches: diff.mismatches }, { missing: [], extra: [], mismatches: [] }, `${label}: ${stream} (${diff.rows} records)`);
  }
}

/** Most export jobs queued or processing at one moment, from the server's record of each job. */
function peakJobsUnderWay(mk: MarketoSimulator): number {
  const events: Array<[number, number]> = [];
  for (const job of mk.jobs.all()) {
    if (job.queuedAt === undefined) continue;
    events.push([job.queuedAt, 1]);
    if (job.finishedAt !== undefined) events.push([job.finishedAt, -1]);
  }
  // A job that finished in the same millisecond as another was queued had left first.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let under = 0;
  let peak = 0;
  for (const [, change] of events) {
    under += change;
    peak = Math.max(peak, under);
  }
  return peak;
}

function upsert(loaded: Map<string, Map<string, Row>>, stream: string, records: Row[]): void {
  const table = loaded.get(stream) ?? new Map<string, Row>();
  for (const record of records) table.set(keyOf(stream, record), record);
  loaded.set(stream, table);
}

t.test('full then incremental sync of every stream equals the simulator', async (t) => {
  const mk = await startInstance(t, { scale: 0.02 });
  const config = configFor(mk);
  const loaded = new Map<string, Map<string, Row>>();
  const full = await syncStreams(config, ALL_STREAMS);
  for (const stream of ALL_STREAMS) upsert(loaded, stream, full.records(stream));
  const deleted = () => new Set([...(loaded.get('deleted_leads')?.keys() ?? [])]);
  check(t, mk, loaded, 'full sync', deleted());
  t.equal(peakJobsUnderWay(mk), 2, 'export jobs two at a time, never more');
  const campaigns = full.records('campaigns');
  const engagement = simRows(mk, 'programs').filter((program) => program.type === 'Engagement');
  const drips = campaigns.filter((campaign) => campaign.is_drip === true);
  t.ok(engagement.length > 0 && drips.length === engagement.length, `${drips.length} drip campaigns, one per Engagement (nurture) program`);
  t.ok(
    drips.every((campaign) => campaign.programType === 'Engagement' && campaign.type === 'trigger' && campaign.isRequestable === true),
    'a drip campaign: a requestable trigger of an Engagement program',
  );
  t.ok(['batch', 'trigger'].every((type) => campaigns.some((campaign) => campaign.type === type && campaign.is_drip === false)), 'batch and trigger campaigns besides');
  t.ok(full.records('activities').length > 1000, `${full.records('activities').length} activities over two years`);
  const windows = mk.server.requests.filter((r) => r.route === 'bulk.create' && r.path.includes('/activities/')).length;
  t.ok(windows >= 24, `activities read in ${windows} export windows of at most 31 days`);
  const state = full.finalState as { bookmarks: Record<string, Row> };
  t.match(state.bookmarks.activities, { replication_key: 'activityDate', window_start: String });

  mk.simulation.clock.advanceDays(40);
  mk.server.resetCounters();
  const incremental = await syncStreams(config, ALL_STREAMS, full.finalState);
  t.ok(incremental.records('activities').length < full.records('activities').length / 3, `the increment read ${incremental.records('activities').length} activities, not all again`);
  const jobs = (type: string) => mk.server.requests.filter((r) => r.route === 'bulk.create' && r.path.includes(`/${type}/`)).length;
  t.ok(jobs('activities') <= 3 && jobs('leads') <= 3, `${jobs('activities')} activity and ${jobs('leads')} lead export jobs for 40 days`);
  for (const stream of ALL_STREAMS) upsert(loaded, stream, incremental.records(stream));
  check(t, mk, loaded, 'after 40 more days', deleted());
  t.ok(incremental.records('deleted_leads').length > 0, 'leads deleted in those days are reported');
});

t.test('activity_types narrows the export; activities_per_type adds one stream per type', async (t) => {
  const mk = await startInstance(t, { scale: 0.01 });
  const config = configFor(mk, { activity_types: [1, 'Send Email'], activities_per_type: true });
  const run = await syncStreams(config, ['activities', 'activities_visit_webpage']);
  const all = expectedRecords(mk, 'activities');
  const sendEmail = Number((simTypes(mk).find((type) => type.name === 'Send Email') as { id: number }).id);
  const chosen = all.filter((row) => [1, sendEmail].includes(Number(row.values.activity_type_id![1])));
  const diff = diffRecords('activities', chosen, run.records('activities'));
  t.ok(chosen.length > 0 && chosen.length < all.length, `${chosen.length} of ${all.length} activities are of the chosen types`);
  t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra.slice(0, 5), mismatches: diff.mismatches.slice(0, 5) }, { missing: [], extra: [], mismatches: [] }, 'activities: only the chosen types');
  const visits = all.filter((row) => row.values.activity_type_id![1] === 1);
  const perType = diffRecords('activities', visits, run.records('activities_visit_webpage'));
  t.same({ missing: perType.missing.slice(0, 5), extra: perType.extra.slice(0, 5), mismatches: perType.mismatches.slice(0, 5) }, { missing: [], extra: [], mismatches: [] }, `activities_visit_webpage: ${perType.rows} records`);
  const bad = await syncStreams(configFor(mk, { activity_types: ['No Such Type'] }), ['activities']).catch((error: unknown) => error);
  t.match(String(bad), /activity_types: no activity type "No Such Type"/);
});

t.test('export status is polled with a doubling wait, and jobs run two at a time', async (t) => {
  // Status moves every 300 ms: a job takes at least that long, so each is polled several times.
  const mk = await startInstance(t, { scale: 0.01, scenario: { bulkStatusCadenceMs: 300 } });
  const since = new Date(mk.simulation.clock.now() - 100 * 86_400_000).toISOString();
  const initial = 10;
  const max = 1_000;
  const run = await syncStreams(configFor(mk, { start_date: since, export_poll_interval_ms: initial, export_poll_max_ms: max }), ['activities']);
  t.notOk(run.summary.stoppedEarly);
  const jobs = mk.jobs.all();
  t.ok(jobs.length >= 4, `${jobs.length} export jobs`);
  t.equal(peakJobsUnderWay(mk), 2, 'two under way at a time, never more');
  let polls = 0;
  const short: string[] = [];
  for (const job of jobs) {
    const at = mk.server.requests.filter((r) => r.route === 'bulk.status' && r.path.includes(job.exportId)).map((r) => r.at);
    polls = Math.max(polls, at.length);
    // A wait ends before the next poll is sent, so the gap between two arrivals is at least the
    // wait (a loaded machine only makes it longer); 2 ms for the clocks' rounding.
    for (let i = 1; i < at.length; i++) {
      const wait = Math.min(initial * 2 ** (i - 1), max);
      if (at[i]! - at[i - 1]! < wait - 2) short.push(`${job.exportId} poll ${i + 1}: ${at[i]! - at[i - 1]!} ms after the previous, wait ${wait} ms`);
    }
  }
  t.ok(polls >= 5, `up to ${polls} polls of one job`);
  t.same(short, [], 'every wait between two polls of a job at least doubles the one before');
});
