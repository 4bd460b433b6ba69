/**
 * The CI job of examples/gitlab-ci.yml: a bizops.yml without `warehouse`, the server named only by
 * the origin document's PG_* CI variables (no PG*, no DATABASE_URL) and CI set. run, metrics build
 * and report all reach that server, and no embedded Postgres is made; `demo --reset --drop-schemas`
 * drops the demo's schemas there.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startSimulators } from '@singer-io-ts/simulators';
import { connect, freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { loadConfig } from '../src/config.js';
import { resetDemo } from '../src/demo.js';
import { openWarehouse } from '../src/warehouse.js';
import { bareEnv, exitsZero, projectDir, runCli, simulatorPipelines, writeConfig } from './helpers/project.js';

/** The test server as the origin document's CI variables. */
async function pgVariables(): Promise<Record<string, string>> {
  const { clientConfig, connectionString } = await getTestPostgres();
  const url = new URL(connectionString);
  const value = (own: unknown, fromUrl: string) => (own === undefined || own === null ? decodeURIComponent(fromUrl) : String(own));
  const password = value(clientConfig.password, url.password);
  return {
    PG_ADDRESS: value(clientConfig.host, url.hostname),
    PG_PORT: value(clientConfig.port, url.port || '5432'),
    PG_USERNAME: value(clientConfig.user, url.username),
    PG_DATABASE: value(clientConfig.database, url.pathname.slice(1)),
    ...(password ? { PG_PASSWORD: password } : {}),
  };
}

t.test('the warehouse from PG_* only, in CI: run, metrics build and report use it', async (t) => {
  const sims = await startSimulators({ scale: 0.02, salesforce: 0 });
  t.teardown(() => sims.close());
  // Fresh, empty schemas for the sources this test does not load: the metrics read them as empty.
  const [salesforce, zuora, marketo, analytics] = [await freshSchema(t), await freshSchema(t), await freshSchema(t), await freshSchema(t)];
  const dir = projectDir(t);
  const pipelines = { ...simulatorPipelines(sims, { salesforce }, ['salesforce']), zuora: { schema: zuora }, marketo: { schema: marketo } };
  writeConfig(dir, { pipelines, metrics: { target_schema: analytics, as_of: new Date(sims.simulation.clock.now()).toISOString().slice(0, 10) } });
  const pg = await pgVariables();
  const env = { ...bareEnv(), ...pg, CI: 'true' };
  const server = `${pg.PG_USERNAME}@${pg.PG_ADDRESS}:${pg.PG_PORT}/${pg.PG_DATABASE}`;

  const run = await runCli(['run', 'salesforce', '--no-metrics'], dir, env);
  exitsZero(t, run, 'bizops run exits 0');
  t.match(run.err, `warehouse: ${server};`, 'it names the PG_* server as its warehouse');
  const build = await runCli(['metrics', 'build'], dir, env);
  exitsZero(t, build, 'bizops metrics build exits 0');
  const file = path.join(dir, 'public', 'bizops-report.html');
  const report = await runCli(['report', '--out', file], dir, env);
  exitsZero(t, report, 'bizops report exits 0');

  const db = await connect(t);
  const count = async (table: string) => Number((await db.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n);
  const accounts = [...sims.simulation.company.table('salesforce', 'Account')!.scan({ asOf: sims.simulation.clock.now(), includeDeleted: true })].length;
  t.equal(await count(`${salesforce}.account`), accounts, `the target loaded the Accounts into that server (${accounts})`);
  t.ok((await count(`${analytics}.campaign_metrics`)) > 0, 'bizops-metrics built the metric views there');
  const data = JSON.parse(/<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(readFileSync(file, 'utf8'))![1]!) as { warehouse: string; campaigns: unknown[] };
  t.equal(data.warehouse, server, 'the report was read from it');
  t.ok(data.campaigns.length > 0, 'and holds its campaigns');
  t.notOk(existsSync(path.join(dir, '.bizops', 'postgres')), 'no embedded Postgres was made');
});

t.test('demo --reset --drop-schemas on a configured warehouse drops the demo\'s schemas there', async (t) => {
  const schemas = ['salesforce', 'zuora', 'marketo', 'analytics'].map((name) => `t_reset_${name}_${randomBytes(4).toString('hex')}`);
  const db = await connect(t);
  // Not freshSchema: its teardown drops them, and the reset is to drop them first.
  t.teardown(() => db.query(`drop schema if exists ${schemas.join(', ')} cascade`));
  for (const schema of schemas) await db.query(`create schema ${schema}; create table ${schema}.lead (id text primary key)`);
  const [salesforce, zuora, marketo, analytics] = schemas as [string, string, string, string];
  const dir = projectDir(t);
  writeConfig(dir, { pipelines: { salesforce: { schema: salesforce }, zuora: { schema: zuora }, marketo: { schema: marketo } }, metrics: { target_schema: analytics } });
  mkdirSync(path.join(dir, '.bizops', 'state'), { recursive: true });
  writeFileSync(path.join(dir, '.bizops', 'state', 'zuora.json'), '{}');
  writeFileSync(path.join(dir, '.bizops', 'demo.json'), '{}');
  const env = { ...bareEnv(), ...(await pgVariables()) };
  const config = loadConfig({ cwd: dir, env });
  // The function behind the flag: the CLI would go on to run the demo (config.test.ts checks the flag is required).
  t.same(await resetDemo(config, await openWarehouse(config, env, () => undefined)), schemas, 'it drops the pipelines\' and the metrics\' schemas');
  const { rows } = await db.query<{ nspname: string }>('select nspname from pg_namespace where nspname = any($1)', [schemas]);
  t.same(rows, [], 'they are gone from the PG_* server');
  t.notOk(existsSync(path.join(dir, '.bizops', 'state')) || existsSync(path.join(dir, '.bizops', 'demo.json')), 'the state and the demo clock are forgotten');
});
