/**
 * `npm start` as a newcomer meets it: the root package.json's start script (the published bin,
 * running the built dist), in a project with nothing configured, at the demo's default scale,
 * twice: each run prints the metrics the simulated company really has, the second incrementally.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createCompany } from '@singer-io-ts/simulators';
import { DEMO_SCALE } from '../src/demo.js';
import { DEFAULT_GROSS_MARGIN, expectedRatios, retentionYears } from './helpers/derived-truth.js';
import { bareEnv, projectDir, runCli } from './helpers/project.js';

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

/** The rows of the printed metrics table, cells split on the two-space column gap. */
function metricRows(out: string): Record<string, string>[] {
  const lines = out.split('\n');
  const header = lines.findIndex((line) => /^campaign\s+channel\s+spend\s+leads\s+cost\/lead\s+customers\s+IACV\s+CAC\s+LTV\s+ROI$/.test(line));
  if (header < 0) return [];
  const names = lines[header]!.split(/\s{2,}/);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(header + 2)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length !== names.length) break;
    rows.push(Object.fromEntries(names.map((name, i) => [name, cells[i]!])));
  }
  return rows;
}

const NUMBER = /^-?[\d,]+(\.\d+)?$/;
const company = createCompany({ scale: DEMO_SCALE });

/**
 * The printed rows against the demo company's truth at the run's simulated present: spend, leads,
 * customers and IACV, and the cost per lead, CAC, LTV and ROI they give (LTV with the retention of
 * the simulated subscriptions), as shown: whole numbers, ROI to two places.
 */
function compareTable(rows: Record<string, string>[], asOf: number): { compared: number; mismatches: string[] } {
  const truth = company.groundTruth({ asOf, from: company.start, to: asOf + 1 });
  const retention = retentionYears(company, asOf);
  const names = new Map<string, (typeof truth.campaigns)[number] | null>();
  for (const c of truth.campaigns) names.set(c.name, names.has(c.name) ? null : c);
  const mismatches: string[] = [];
  let compared = 0;
  for (const row of rows) {
    const c = names.get(row.campaign!);
    if (!c) {
      if (c === undefined) mismatches.push(`${row.campaign}: not a campaign of the simulated company`);
      continue;
    }
    compared += 1;
    const ratios = expectedRatios(c, DEFAULT_GROSS_MARGIN, retention);
    const want: Array<[string, number | null, number]> = [
      ['spend', c.spend, 1],
      ['leads', c.leads, 0],
      ['cost/lead', ratios.cost_per_lead, 1],
      ['customers', c.customers, 0],
      ['IACV', c.iacv, 1],
      ['CAC', ratios.cac, 1],
      ['LTV', ratios.ltv, 1],
      ['ROI', ratios.roi, 0.011],
    ];
    for (const [column, value, tolerance] of want) {
      const shown = row[column]!;
      const ok = value === null ? shown === '-' : NUMBER.test(shown) && Math.abs(Number(shown.replace(/,/g, '')) - value) <= tolerance;
      if (!ok) mismatches.push(`${row.campaign} ${column}: shown ${shown}, truth ${value}`);
    }
  }
  return { compared, mismatches };
}
const presentOf = (dir: string) => Date.parse((JSON.parse(readFileSync(path.join(dir, '.bizops', 'demo.json'), 'utf8')) as { asOf: string }).asOf);
const moved = (out: string, pipeline: string) => Number(new RegExp(`^${pipeline}\\s+ok\\s+(\\d+)`, 'm').exec(out)?.[1] ?? NaN);
const PIPELINES = ['salesforce', 'zuora', 'marketo'];

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
  const shown = compareTable(rows, presentOf(dir));
  t.ok(shown.compared >= 20, `${shown.compared} campaigns compared with the truth (a name two campaigns share is skipped)`);
  t.same(shown.mismatches.slice(0, 10), [], 'every printed number is the simulated company\'s own');
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
  const shownAgain = compareTable(again, presentOf(dir));
  t.ok(shownAgain.compared >= 20 && shownAgain.mismatches.length === 0, `with the numbers of the day after (${shownAgain.compared} campaigns): ${shownAgain.mismatches.slice(0, 3).join('; ')}`);
});
