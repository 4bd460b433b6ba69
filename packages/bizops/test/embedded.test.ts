/**
 * bizops's own embedded Postgres, as `npm start` uses it on a machine with nothing configured:
 * the demo creates it in the project's data directory, runs, stops it; a second demo run reuses
 * it incrementally; `db url`/`start`/`status`/`stop` manage it for a BI tool; `report` reads it;
 * `demo --reset` at another scale starts over without the old company's rows.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { createCompany } from '@singer-io-ts/simulators';
import { freePort } from '../../../test/helpers/postgres.js';
import { startOnFreePort } from '../src/embedded.js';
import { compareTable, metricRows } from './helpers/printed-table.js';
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

  t.match((await runCli(['db', 'status'], dir, env)).out, /^stopped/, 'the server ran only while the demo ran');
  t.match(first.err, /`bizops db url` starts the database for a BI tool/, 'the demo says how to reach it');

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

  // After `npm start` the server is stopped: `db url` alone is what a newcomer with a BI tool runs.
  const started = await runCli(['db', 'url'], dir, env);
  exitsZero(t, started, 'db url exits 0 on a stopped server');
  const url = started.out.trim();
  t.match(url, /^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/bizops$/, 'and prints only the connection URL on stdout');
  t.match(started.err, /the embedded Postgres was stopped: started it; it keeps running until `bizops db stop`/, 'on stderr it says it started the server and how to stop it');
  t.match((await runCli(['db', 'status'], dir, env)).out, /^running on 127\.0\.0\.1:\d+/, 'db status: running');
  const again = await runCli(['db', 'url'], dir, env);
  t.equal(again.out.trim(), url, 'db url prints the same URL while it runs');
  t.notMatch(again.err, /started it/, 'without starting anything');
  t.equal((await runCli(['db', 'start'], dir, env)).out.trim(), url, 'db start on the running server: the same URL');

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

  // What the READMEs tell a newcomer to run after `npm start`: the report from the embedded warehouse.
  const report = await runCli(['report'], dir, env);
  exitsZero(t, report, 'bizops report exits 0');
  const reportFile = path.join(dir, '.bizops', 'report.html');
  t.equal(report.out.trim(), reportFile, 'it writes .bizops/report.html and names it');
  t.match(readFileSync(reportFile, 'utf8'), '"campaigns":[{', 'with the campaigns of the warehouse in it');

  // Starting over at a smaller scale: the target upserts, so without dropping the tables the first company's rows would stay.
  const resetScale = SCALE / 2;
  const reset = await runCli(['demo', '--reset', '--scale', String(resetScale)], dir, env);
  exitsZero(t, reset, 'demo --reset at another scale exits 0');
  t.match(reset.err, /demo reset: schemas salesforce, zuora, marketo, analytics dropped/, 'it says what it dropped');
  const small = createCompany({ scale: resetScale });
  const resetAsOf = Date.parse((JSON.parse(readFileSync(path.join(dir, '.bizops', 'demo.json'), 'utf8')) as { asOf: string }).asOf);
  const shown = compareTable(small, metricRows(reset.out), resetAsOf);
  t.ok(shown.compared > 0, `${shown.compared} printed campaigns compared`);
  t.same(shown.mismatches.slice(0, 10), [], 'every printed number is the smaller company\'s own');
  const after = new pg.Client({ connectionString: url });
  await after.connect();
  try {
    for (const object of ['Account', 'Lead']) {
      const truth = [...small.table('salesforce', object)!.scan({ asOf: resetAsOf, includeDeleted: true })].length;
      const { rows } = await after.query<{ n: string }>(`select count(*) as n from salesforce.${object.toLowerCase()}`);
      t.equal(Number(rows[0]!.n), truth, `salesforce.${object.toLowerCase()} holds the smaller company's ${truth} rows only`);
    }
  } finally {
    await after.end();
  }

  const stop = await runCli(['db', 'stop'], dir, env);
  t.match(stop.err, /embedded Postgres stopped/, 'db stop stops it');
  t.match((await runCli(['db', 'status'], dir, env)).out, /^stopped/, 'db status: stopped');
});

t.test('a port another program takes between the check and the start: one more start, on a free port', async (t) => {
  const servers: net.Server[] = [];
  t.teardown(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        servers.push(server);
        resolve();
      });
    });
  // Each start binds its port as Postgres does; before the first one, another program takes the port.
  const tried: number[] = [];
  const raced = (port: number) => {
    tried.push(port);
    return (tried.length === 1 ? listen(port) : Promise.resolve()).then(() => listen(port));
  };
  const preferred = await freePort();
  const port = await startOnFreePort(preferred, false, raced);
  t.same(tried, [preferred, port], 'the preferred port first, then one more start');
  t.not(port, preferred, 'on another port');

  tried.length = 0;
  const required = await freePort();
  await t.rejects(startOnFreePort(required, true, raced), { code: 'EADDRINUSE' }, 'a required port (embedded.port) is not swapped for another');
  t.same(tried, [required], 'it was tried once');

  let starts = 0;
  const broken = async () => {
    starts += 1;
    throw new Error('pg_ctl start failed: invalid data directory');
  };
  await t.rejects(startOnFreePort(await freePort(), false, broken), /invalid data directory/, 'a start that failed on a port still free fails with its own cause');
  t.equal(starts, 1, 'and is not repeated');
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
