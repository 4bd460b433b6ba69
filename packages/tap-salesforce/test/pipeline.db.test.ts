/**
 * The acceptance run: tap-salesforce piped into the real target-postgres, a full sync
 * then an incremental one after the simulated org lived on (new rows, changes, deletes), and the
 * tables compared with the simulator's data each time.
 */
import t, { type Test } from 'tap';
import { targetConfigFor } from '../../../test/helpers/pipeline.js';
import { connect } from '../../../test/helpers/postgres.js';
import { compareWithSimulator, runPipeline } from './helpers/pipeline.js';
import { configFor, discoverCatalog, startOrg, tempDir, writeJson } from './helpers/salesforce.js';
import { selectStreams } from '@singer-io-ts/sdk/testing';

const OBJECTS = ['Account', 'Contact', 'Lead', 'Opportunity', 'Campaign', 'CampaignMember', 'OpportunityContactRole', 'User', 'Partner_Referral__c'];

/** Every object's table equals the simulator's rows (deletes included). */
async function checkTables(t: Test, db: Parameters<typeof compareWithSimulator>[0], schema: string, sf: Parameters<typeof compareWithSimulator>[2], label: string): Promise<void> {
  for (const object of OBJECTS) {
    const diff = await compareWithSimulator(db, schema, sf, object);
    t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra.slice(0, 5), mismatches: diff.mismatches }, { missing: [], extra: [], mismatches: [] }, `${label}: ${object} (${diff.rows} rows, ${diff.deleted} deleted)`);
  }
}

/** A temp dir with the tap's config and a catalog of OBJECTS, the target's config, a connection, and the table check. */
async function setUp(t: Test, sf: Parameters<typeof compareWithSimulator>[2], tapConfig: ReturnType<typeof configFor>) {
  const dir = tempDir();
  const config = writeJson(dir, 'tap.json', tapConfig);
  const catalog = writeJson(dir, 'catalog.json', selectStreams(await discoverCatalog(tapConfig), OBJECTS));
  const target = await targetConfigFor(t, dir);
  const db = await connect(t);
  const check = (label: string) => checkTables(t, db, target.schema, sf, label);
  return { dir, config, catalog, target, db, check };
}

t.test('full then incremental sync into Postgres equals the simulated org, deletes included', async (t) => {
  const sf = await startOrg(t, { scale: 0.1 });
  const { dir, config, catalog, target, db, check } = await setUp(t, sf, configFor(sf));

  const full = await runPipeline(['--config', config, '--catalog', catalog], target.file);
  t.equal(full.tap.code, 0, full.tap.stderr);
  t.equal(full.target.code, 0, full.target.stderr);
  await check('full sync');
  const state = full.target.states.at(-1) as { bookmarks: Record<string, { replication_key_value?: string }> };
  t.same(Object.keys(state.bookmarks).sort(), [...OBJECTS].sort(), 'the committed state has a bookmark per object');

  sf.simulation.clock.advanceDays(45);
  const stateFile = writeJson(dir, 'state.json', full.target.stdout);
  const incremental = await runPipeline(['--config', config, '--catalog', catalog, '--state', stateFile], target.file);
  t.equal(incremental.tap.code, 0, incremental.tap.stderr);
  t.equal(incremental.target.code, 0, incremental.target.stderr);
  const counts = [...incremental.tap.stderr.matchAll(/stream "(\w+)": (\d+) records/g)].map((m) => [m[1], Number(m[2])] as const);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  t.ok(total > 0 && total < 2000, `the increment moved ${total} records, not the whole org again`);
  await check('after 45 more days');
  const deletedRows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.schema}.lead WHERE _sdc_deleted_at IS NOT NULL`);
  t.ok(Number(deletedRows.rows[0]!.n) > 0, 'deleted leads are flagged in the table');
});

t.test('a quota stop commits what was read; the rerun from the target\'s state completes the tables', async (t) => {
  const sf = await startOrg(t, { scale: 0.1, scenario: { maxQueryBatchSize: 200, dailyApiLimit: 1000 } });
  const dir = tempDir();
  const tapConfig = configFor(sf, 'refresh_token', { quota_percent_per_run: 0.5 });
  const config = writeJson(dir, 'tap.json', tapConfig);
  const objects = ['Lead', 'Contact', 'CampaignMember'];
  const catalog = writeJson(dir, 'catalog.json', selectStreams(await discoverCatalog(tapConfig), objects));
  const target = await targetConfigFor(t, dir);
  const db = await connect(t);

  let stateArgs: string[] = [];
  let runs = 0;
  for (; runs < 10; runs++) {
    const result = await runPipeline(['--config', config, '--catalog', catalog, ...stateArgs], target.file);
    t.equal(result.tap.code, 0, 'a quota stop exits 0');
    t.equal(result.target.code, 0, result.target.stderr);
    if (!/stopping before the quota runs out/.test(result.tap.stderr)) break;
    stateArgs = ['--state', writeJson(dir, `state-${runs}.json`, result.target.stdout)];
  }
  t.ok(runs >= 2, `${runs} runs stopped by quota_percent_per_run before the one that completed`);
  for (const object of objects) {
    const diff = await compareWithSimulator(db, target.schema, sf, object);
    t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra, mismatches: diff.mismatches }, { missing: [], extra: [], mismatches: [] }, `${object}: ${diff.rows} rows`);
  }
});

/**
 * BULK: every object through Bulk jobs. AUTO (the default) with a threshold that sends the larger
 * objects through Bulk on the full run; their increments, counted from the bookmark Bulk left
 * (the highest key and its highest Id), go through REST.
 */
const BULK_PIPELINES = [
  { api_type: 'BULK', extra: {} },
  { api_type: 'AUTO', extra: { bulk_threshold_rows: 500 } },
] as const;

for (const { api_type, extra } of BULK_PIPELINES) {
  t.test(`api_type ${api_type}: full then incremental sync into Postgres equals the simulated org, deletes included`, async (t) => {
    const sf = await startOrg(t, { scale: 0.1, scenario: { bulkPageSize: 300 } });
    const { dir, config, catalog, target, db, check } = await setUp(t, sf, configFor(sf, 'refresh_token', { api_type, ...extra }));

    const full = await runPipeline(['--config', config, '--catalog', catalog], target.file);
    t.equal(full.tap.code, 0, full.tap.stderr);
    t.equal(full.target.code, 0, full.target.stderr);
    const jobs = sf.server.calls('bulk2.create');
    if (api_type === 'BULK') {
      t.ok(jobs >= OBJECTS.length, 'read through Bulk jobs');
      t.equal(sf.server.calls('queryAll'), 0, 'no REST query');
    } else {
      const viaBulk = OBJECTS.filter((object) => new RegExp(`${object}: \\d+ rows to read .*: Bulk API 2\\.0`).test(full.tap.stderr));
      t.ok(viaBulk.length >= 2 && viaBulk.length < OBJECTS.length, `the larger objects through Bulk (${viaBulk.join(', ')}), the others through REST`);
    }
    await check(`${api_type} full sync`);

    sf.simulation.clock.advanceDays(45);
    const stateFile = writeJson(dir, 'state.json', full.target.stdout);
    const incremental = await runPipeline(['--config', config, '--catalog', catalog, '--state', stateFile], target.file);
    t.equal(incremental.tap.code, 0, incremental.tap.stderr);
    t.equal(incremental.target.code, 0, incremental.target.stderr);
    if (api_type === 'AUTO') t.equal(sf.server.calls('bulk2.create'), jobs, 'the increments through REST');
    await check(`${api_type} after 45 more days`);
  });
}
