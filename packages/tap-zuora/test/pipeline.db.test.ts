/**
 * The acceptance run: tap-zuora piped into the real target-postgres, a full sync then an
 * incremental one after the simulated tenant lived on (new rows, changes, subscription versions,
 * deletes), and the tables compared with the simulator's data each time.
 */
import { selectStreams } from '@singer-io-ts/sdk/testing';
import t, { type Test } from 'tap';
import { targetConfigFor } from '../../../test/helpers/pipeline.js';
import { connect } from '../../../test/helpers/postgres.js';
import { compareWithSimulator, runPipeline } from './helpers/pipeline.js';
import type { ApiType } from '../src/config.js';
import { configFor, discoverCatalog, OBJECTS, startTenant, tempDir, writeJson } from './helpers/zuora.js';

/** Every table against the simulator; CRUD exports cannot report deleted rows, so REST is held to the live ones. */
async function checkTables(t: Test, db: Parameters<typeof compareWithSimulator>[0], schema: string, zuora: Parameters<typeof compareWithSimulator>[2], apiType: ApiType, label: string): Promise<void> {
  for (const object of OBJECTS) {
    const diff = await compareWithSimulator(db, schema, zuora, object, { liveOnly: apiType === 'REST' });
    t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra.slice(0, 5), mismatches: diff.mismatches }, { missing: [], extra: [], mismatches: [] }, `${apiType} ${label}: ${object} (${diff.rows} rows loaded, ${diff.deleted} deleted)`);
  }
}

for (const apiType of ['AQUA', 'REST'] as const) {
  t.test(`${apiType}: full then incremental sync into Postgres equals the simulated tenant`, async (t) => {
    const zuora = await startTenant(t, { scale: 0.3, scenario: { jobPolls: 0 } });
    const dir = tempDir();
    const tapConfig = configFor(zuora, 'oauth', { api_type: apiType });
    const config = writeJson(dir, 'tap.json', tapConfig);
    const catalog = writeJson(dir, 'catalog.json', selectStreams(await discoverCatalog(tapConfig), OBJECTS));
    const target = await targetConfigFor(t, dir);
    const db = await connect(t);

    const full = await runPipeline(['--config', config, '--catalog', catalog], target.file);
    t.equal(full.tap.code, 0, `tap exits 0 ${full.tap.code === 0 ? '' : full.tap.stderr.slice(-3000)}`);
    t.equal(full.target.code, 0, `target exits 0 ${full.target.code === 0 ? '' : full.target.stderr.slice(-3000)}`);
    const state = full.target.states.at(-1) as { bookmarks: Record<string, { replication_key_value?: string }> };
    t.same(Object.keys(state.bookmarks).sort(), [...OBJECTS].sort(), 'the committed state has a bookmark per object');
    t.ok(Object.values(state.bookmarks).every((b) => typeof b.replication_key_value === 'string'), 'each one an UpdatedDate');
    await checkTables(t, db, target.schema, zuora, apiType, 'full sync');

    zuora.simulation.clock.advanceDays(45);
    const stateFile = writeJson(dir, 'state.json', full.target.stdout);
    const incremental = await runPipeline(['--config', config, '--catalog', catalog, '--state', stateFile], target.file);
    t.equal(incremental.tap.code, 0, `tap exits 0 ${incremental.tap.code === 0 ? '' : incremental.tap.stderr.slice(-3000)}`);
    t.equal(incremental.target.code, 0, `target exits 0 ${incremental.target.code === 0 ? '' : incremental.target.stderr.slice(-3000)}`);
    const counts = [...incremental.tap.stderr.matchAll(/stream "(\w+)": (\d+) records/g)].map((m) => [m[1], Number(m[2])] as const);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const all = OBJECTS.reduce((sum, object) => sum + zuora.simulation.company.table('zuora', object)!.count({ asOf: zuora.simulation.clock.now() }), 0);
    t.ok(total > 0 && total < all / 2, `the increment moved ${total} records of ${all}, not the whole tenant again`);
    await checkTables(t, db, target.schema, zuora, apiType, 'after 45 more days');
    if (apiType === 'AQUA') {
      const deleted = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.schema}.contact WHERE _sdc_deleted_at IS NOT NULL`);
      t.ok(Number(deleted.rows[0]!.n) > 0, `${deleted.rows[0]!.n} deleted contacts are flagged in the table`);
    }
    const versions = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.schema}.subscription WHERE version > 1 AND originalid <> id`);
    t.ok(Number(versions.rows[0]!.n) > 0, `${versions.rows[0]!.n} later subscription versions, each a row pointing at its original`);
    const mrr = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.schema}.rateplancharge WHERE mrr > 0 AND tcv > 0 AND rateplanid IS NOT NULL`);
    t.ok(Number(mrr.rows[0]!.n) > 0, 'rate plan charges carry MRR and TCV');
  });
}
