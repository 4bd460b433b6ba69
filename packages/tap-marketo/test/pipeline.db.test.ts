/**
 * The acceptance run: tap-marketo piped into the real target-postgres, a full sync over two
 * years of data (activities in 31-day export windows) then an incremental one after the simulated
 * instance lived on, and every table compared with the simulator's data each time.
 */
import t, { type Test } from 'tap';
import { selectStreams } from '@singer-io-ts/sdk/testing';
import type { MarketoSimulator } from '@singer-io-ts/simulators';
import { targetConfigFor } from '../../../test/helpers/pipeline.js';
import { connect } from '../../../test/helpers/postgres.js';
import { compareTable, runPipeline } from './helpers/pipeline.js';
import { ALL_STREAMS, configFor, discoverCatalog, startInstance, tempDir, writeJson } from './helpers/marketo.js';

type Db = Parameters<typeof compareTable>[0];

/** Every stream's table equals the simulator; leads deleted since they were loaded are the ones deleted_leads lists. */
async function checkTables(t: Test, db: Db, schema: string, mk: MarketoSimulator, label: string): Promise<void> {
  const deleted = new Set((await db.query<{ id: string }>(`SELECT id::text AS id FROM ${schema}.deleted_leads`)).rows.map((row) => row.id));
  for (const stream of ALL_STREAMS) {
    const diff = await compareTable(db, schema, mk, stream);
    const extra = stream === 'leads' ? diff.extra.filter((id) => !deleted.has(id)) : diff.extra;
    t.same({ missing: diff.missing.slice(0, 5), extra: extra.slice(0, 5), mismatches: diff.mismatches }, { missing: [], extra: [], mismatches: [] }, `${label}: ${stream} (${diff.rows} rows)`);
  }
}

t.test('full then incremental sync into Postgres equals the simulated instance', async (t) => {
  const mk = await startInstance(t, { scale: 0.05 });
  const dir = tempDir();
  // The client's window is the server's (compressed to 2 s). However late a loaded machine sends a
  // request or the server reads it, the limiter counts each call until a window after its response
  // (the SDK's RateLimiter), so "never refused" holds exactly.
  const tapConfig = configFor(mk);
  const config = writeJson(dir, 'tap.json', tapConfig);
  const catalog = writeJson(dir, 'catalog.json', selectStreams(await discoverCatalog(tapConfig), ALL_STREAMS));
  const target = await targetConfigFor(t, dir);
  const db = await connect(t);
  mk.server.resetCounters();
  mk.limits.peakInFlight = 0;
  // Discovery above was another client of the same instance: its calls leave the server's rate
  // window before the tap, which knows only its own calls, starts.
  await new Promise((resolve) => setTimeout(resolve, mk.scenario.rateWindowMs));

  const full = await runPipeline(['--config', config, '--catalog', catalog], target.file);
  t.equal(full.tap.code, 0, full.tap.stderr.slice(-3000));
  t.equal(full.target.code, 0, full.target.stderr.slice(-3000));
  await checkTables(t, db, target.schema, mk, 'full sync');
  const windows = mk.server.requests.filter((r) => r.route === 'bulk.create' && r.path.includes('/activities/'));
  t.ok(windows.length >= 24, `two years of activities in ${windows.length} export windows`);
  t.ok(mk.limits.peakInFlight <= 10, `at most 10 calls in flight (peak ${mk.limits.peakInFlight})`);
  t.notMatch(full.tap.stderr, /Marketo error (606|615)/, 'never refused for rate or concurrency');
  const types = await db.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('activities', 'programs') ORDER BY column_name`,
    [target.schema],
  );
  const typeOf = (name: string) => types.rows.find((row) => row.column_name === name)?.data_type;
  t.equal(typeOf('attributes'), 'jsonb', 'activity attributes land as jsonb');
  t.equal(typeOf('costs'), 'jsonb', 'program costs land as jsonb');
  t.equal(typeOf('activitydate'), 'timestamp with time zone');
  const state = full.target.states.at(-1) as { bookmarks: Record<string, unknown> };
  t.match(state.bookmarks, { leads: { window_start: String }, activities: { window_start: String }, program_members: { window_start: String }, deleted_leads: { replication_key_value: String } });

  mk.simulation.clock.advanceDays(45);
  const stateFile = writeJson(dir, 'state.json', full.target.stdout);
  const incremental = await runPipeline(['--config', config, '--catalog', catalog, '--state', stateFile], target.file);
  t.equal(incremental.tap.code, 0, incremental.tap.stderr.slice(-3000));
  t.equal(incremental.target.code, 0, incremental.target.stderr.slice(-3000));
  const counted = (stream: string) => Number(new RegExp(`stream "${stream}": (\\d+) records`).exec(incremental.tap.stderr)?.[1]);
  const fullCount = (stream: string) => Number(new RegExp(`stream "${stream}": (\\d+) records`).exec(full.tap.stderr)?.[1]);
  t.ok(counted('activities') > 0 && counted('activities') < fullCount('activities') / 4, `the increment moved ${counted('activities')} of ${fullCount('activities')} activities`);
  await checkTables(t, db, target.schema, mk, 'after 45 more days');
});
