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
