/**
 * bizops's own embedded Postgres, as `npm start` uses it on a machine with nothing configured:
 * the demo creates it in the project's data directory, runs, stops it; a second demo run reuses
 * it incrementally; `db start`/`url`/`status`/`stop` manage it for a BI tool.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { createCompany } from '@singer-io-ts/simulators';
import { bareEnv, exitsZero, projectDir, runCli } from './helpers/project.js';

const SCALE = 0.02;
// Two demo runs and a Postgres initdb: longer than the default per-file timeout on a busy machine.
t.setTimeout(900_000);

t.test('demo on the embedded Postgres: created in the project, reused incrementally, reachable by URL', async (t) => {
  const dir = projectDir(t);
  const env = bareEnv();
  t.teardown(() => runCli(['db', 'stop'], dir, env));
  const dataDir = path.join(dir, '.bizops', 'postgres');

  const first = await runCli(['demo', '--scale', String(SCALE)], dir, env);
  exitsZero(t, first, 'the demo exits 0');
  t.match(first.err, /no credentials needed: simulated Salesforce, Zuora and Marketo/, 'it says it runs on simulators');
  t.match(first.err, /creating the embedded Postgres in .*\.bizops\/postgres/, 'it creates the embedded Postgres in the project');
  t.match(first.out, /Metrics per campaign, all time, first-touch attribution:\ncampaign\s+channel\s+spend\s+leads\s+cost\/lead\s+customers\s+IACV\s+CAC\s+LTV\s+ROI/, 'it prints the metrics table');
  t.ok(existsSync(path.join(dataDir, 'PG_VERSION')), 'the data directory is in the project');

  const stopped = await runCli(['db', 'url'], dir, env);
  t.equal(stopped.code, 1, 'the server ran only while the demo ran');
  t.match(stopped.err, /not running: `bizops db start`/, 'db url says how to start it');

  const clock1 = JSON.parse(readFileSync(path.join(dir, '.bizops', 'demo.json'), 'utf8')) as { asOf: string };
  const state1 = readFileSync(path.join(dir, '.bizops', 'state', 'salesforce.json'), 'utf8');
  const second = await runCli(['demo'], dir, env);
  exitsZero(t, second, 'the second demo exits 0');
  t.notMatch(second.err, /creating the embedded Postgres/, 'the second run reuses the data directory');
  const clock2 = JSON.parse(readFileSync(path.join(dir, '.bizops', 'demo.json'), 'utf8')) as { asOf: string };
  t.equal(Date.parse(clock2.asOf) - Date.parse(clock1.asOf), 86_400_000, 'the simulated present moved one day');
  t.not(readFileSync(path.join(dir, '.bizops', 'state', 'salesforce.json'), 'utf8'), state1, 'the salesforce state moved on');
  const moved = (out: string) => Number(/^salesforce\s+ok\s+(\d+)/m.exec(out)?.[1] ?? NaN);
  t.ok(moved(second.out) < moved(first.out), `the second run moved fewer records (${moved(second.out)} < ${moved(first.out)})`);

  const start = await runCli(['db', 'start'], dir, env);
  exitsZero(t, start, 'db start exits 0');
  const url = start.out.trim();
  t.match(url, /^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/bizops$/, 'db start prints a connection URL');
  const again = await runCli(['db', 'url'], dir, env);
  t.equal(again.out.trim(), url, 'db url prints the same URL while it runs');
  t.match((await runCli(['db', 'status'], dir, env)).out, /^running on 127\.0\.0\.1:\d+/, 'db status: running');

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const company = createCompany({ scale: SCALE });
    const asOf = Date.parse(clock2.asOf);
    const accounts = [...company.table('salesforce', 'Account')!.scan({ asOf, includeDeleted: true })].length;
    const { rows } = await client.query<{ n: string }>('select count(*) as n from salesforce.account');
    t.equal(Number(rows[0]!.n), accounts, `a BI tool connecting by the URL sees the loaded Accounts (${accounts})`);
    const metrics = await client.query<{ n: string }>("select count(*) as n from analytics.campaign_metrics where period_type = 'all'");
    t.ok(Number(metrics.rows[0]!.n) > 0, 'and the metric views');
  } finally {
    await client.end();
  }

  const stop = await runCli(['db', 'stop'], dir, env);
  t.match(stop.err, /embedded Postgres stopped/, 'db stop stops it');
  t.match((await runCli(['db', 'status'], dir, env)).out, /^stopped/, 'db status: stopped');
});

t.test('a project the postgres user cannot enter (a clone under /root): the cluster lives in /var/lib/bizops', { skip: process.getuid?.() !== 0 && 'only root runs the server as another user' }, async (t) => {
  const parent = projectDir(t);
  chmodSync(parent, 0o700);
  const dir = path.join(parent, 'clone');
  mkdirSync(dir);
  const env = bareEnv();
  const start = await runCli(['db', 'start'], dir, env);
  const status = await runCli(['db', 'status'], dir, env);
  const relocated = /\((\/var\/lib\/bizops\/[^)]+)\)/.exec(status.out)?.[1];
  t.teardown(async () => {
    await runCli(['db', 'stop'], dir, env);
    if (relocated) rmSync(path.dirname(relocated), { recursive: true, force: true });
  });
  exitsZero(t, start, 'db start exits 0');
  t.match(start.err, /creating the embedded Postgres in \/var\/lib\/bizops\/clone-[0-9a-f]{12}\/postgres/, 'created where postgres can reach it, and said so');
  t.match(status.out, /^running on 127\.0\.0\.1:\d+ \(\/var\/lib\/bizops\//, 'db status names the real place');
  const client = new pg.Client({ connectionString: start.out.trim() });
  await client.connect();
  t.same((await client.query('select 1 as one')).rows, [{ one: 1 }], 'the URL works');
  await client.end();
  const again = await runCli(['db', 'url'], dir, env);
  t.equal(again.out.trim(), start.out.trim(), 'a later command finds the same cluster');
});
