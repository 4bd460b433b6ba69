/**
 * `npm start` as a newcomer meets it: the root package.json's start script (the published bin,
 * running the built dist), in a project with nothing configured, at the demo's default scale,
 * twice: each run prints the metrics the simulated company really has and leaves the metric views
 * equal to its truth, LTV and ROI included; the second run is incremental.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import t, { type Test } from 'tap';
import { createCompany } from '@singer-io-ts/simulators';
import { DEMO_SCALE } from '../src/demo.js';
import { compareTable, metricRows, NUMBER } from './helpers/printed-table.js';
import { bareEnv, exitsZero, projectDir, runCli } from './helpers/project.js';
import { checkViewsAgainstTruth } from './helpers/views-truth.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// Two demo runs at the default scale and an initdb, on a machine shared with other tests.
t.setTimeout(900_000);

interface Run {
  code: number | null;
  out: string;
  err: string;
  seconds: number;
}

function run(command: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, seconds: (performance.now() - started) / 1000 }));
  });
}

const company = createCompany({ scale: DEMO_SCALE });
const presentOf = (dir: string) => Date.parse((JSON.parse(readFileSync(path.join(dir, '.bizops', 'demo.json'), 'utf8')) as { asOf: string }).asOf);
const moved = (out: string, pipeline: string) => Number(new RegExp(`^${pipeline}\\s+ok\\s+(\\d+)`, 'm').exec(out)?.[1] ?? NaN);
const PIPELINES = ['salesforce', 'zuora', 'marketo'];

/**
 * The metric views the run left in the embedded Postgres against the truth, LTV and ROI included:
 * at this scale subscriptions have churned, so they are numbers that can be wrong.
 */
async function checkViews(t: Test, dir: string, env: NodeJS.ProcessEnv, label: string): Promise<void> {
  const start = await runCli(['db', 'start'], dir, env);
  exitsZero(t, start, `${label}: db start exits 0`);
  const db = new pg.Client({ connectionString: start.out.trim() });
  await db.connect();
  try {
    const views = await checkViewsAgainstTruth(t, db, 'analytics', company, presentOf(dir), label);
    t.ok(views.retention !== null && views.ltvCompared > 0, `${label}: LTV and ROI were compared as numbers (retention ${views.retention} years, ${views.ltvCompared} campaign figures)`);
  } finally {
    await db.end();
    await runCli(['db', 'stop'], dir, env);
  }
}

t.test('npm start: the demo end to end on the embedded Postgres prints real metrics, and runs incrementally again', async (t) => {
  const script = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const [program, bin, ...args] = script.split(' ');
  t.equal(program, 'node', `npm start runs node: ${script}`);
  const command = [path.join(ROOT, bin!), ...args];
  const dir = projectDir(t);
  const env = bareEnv();
  t.teardown(() => runCli(['db', 'stop'], dir, env));
  const state = (name: string) => readFileSync(path.join(dir, '.bizops', 'state', `${name}.json`), 'utf8');

  const first = await run(command, dir, env);
  t.comment(`first run: ${first.seconds.toFixed(1)} s`);
  if (first.code !== 0) t.comment(first.out + first.err);
  t.equal(first.code, 0, 'the first run exits 0');
  t.match(first.err, `no credentials needed: simulated Salesforce, Zuora and Marketo (scale ${DEMO_SCALE})`, 'it says it runs on simulators, at the default scale');
  t.match(first.err, /creating the embedded Postgres in .*\.bizops\/postgres/, 'on an embedded Postgres it creates in the project');
  for (const name of PIPELINES) t.match(first.out, new RegExp(`^${name}\\s+ok\\s+\\d+`, 'm'), `${name}: ok`);
  t.match(first.out, /^metrics: built$/m, 'the metrics are built');
  const rows = metricRows(first.out);
  t.ok(rows.length >= 10, `the metrics table has rows (${rows.length})`);
  const complete = rows.filter((row) => ['cost/lead', 'CAC', 'LTV', 'ROI'].every((column) => NUMBER.test(row[column]!)));
  t.ok(complete.length > 0, `campaigns with a number for cost per lead, CAC, LTV and ROI: ${complete.length} (e.g. ${JSON.stringify(complete[0])})`);
  const shown = compareTable(company, rows, presentOf(dir));
  t.ok(shown.compared >= 20, `${shown.compared} campaigns compared with the truth (a name two campaigns share is skipped)`);
  t.same(shown.mismatches.slice(0, 10), [], 'every printed number is the simulated company\'s own');
  await checkViews(t, dir, env, 'first run');
  const firstStates = Object.fromEntries(PIPELINES.map((name) => [name, state(name)]));

  const second = await run(command, dir, env);
  t.comment(`second run: ${second.seconds.toFixed(1)} s`);
  if (second.code !== 0) t.comment(second.out + second.err);
  t.equal(second.code, 0, 'the second run exits 0');
  t.match(second.err, /one day after the last run/, 'it continues one simulated day later');
  t.notMatch(second.err, /creating the embedded Postgres/, 'in the same database');
  for (const name of PIPELINES) {
    t.ok(moved(second.out, name) < moved(first.out, name), `${name}: fewer records moved (${moved(second.out, name)} < ${moved(first.out, name)})`);
    t.not(state(name), firstStates[name], `${name}: the state advanced`);
  }
  const again = metricRows(second.out);
  t.ok(again.length >= 10, `the metrics table again (${again.length} rows)`);
  const shownAgain = compareTable(company, again, presentOf(dir));
  t.ok(shownAgain.compared >= 20 && shownAgain.mismatches.length === 0, `with the numbers of the day after (${shownAgain.compared} campaigns): ${shownAgain.mismatches.slice(0, 3).join('; ')}`);
  await checkViews(t, dir, env, 'second run');
});
