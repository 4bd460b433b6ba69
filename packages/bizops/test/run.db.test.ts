/**
 * The acceptance run: `bizops run` twice against the simulators, the simulated companies living
 * on in between, and after each run the warehouse and the metrics equal the simulators' truth;
 * then the HTML report, rendered by a real Chromium, shows the numbers of the metric views.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startSimulators } from '@singer-io-ts/simulators';
import { connect, freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { compareWithSimulator } from '../../tap-salesforce/test/helpers/pipeline.js';
import { compareWithGroundTruth } from '../../metrics/test/helpers/ground-truth.js';
import { chromiumMissing, dumpDom } from './helpers/chromium.js';
import { exitsZero, projectDir, runCli, SALESFORCE_OBJECTS, simulatorPipelines, writeConfig } from './helpers/project.js';
import { checkReportAgainstDb } from './helpers/report-check.js';

const SCALE = 0.05;
// Three pipelines twice, the metrics twice and a Chromium: more than the default per-file timeout on a busy machine.
t.setTimeout(900_000);
const DAY = 86_400_000;

t.test('bizops run: twice, incrementally, the warehouse and metrics equal the simulators; the report shows them', async (t) => {
  const sims = await startSimulators({ scale: SCALE });
  t.teardown(() => sims.close());
  const [salesforce, zuora, marketo, analytics] = [await freshSchema(t), await freshSchema(t), await freshSchema(t), await freshSchema(t)];
  const { clientConfig } = await getTestPostgres();
  const dir = projectDir(t);
  const db = await connect(t);
  const company = sims.simulation.company;
  const writeProject = () =>
    writeConfig(dir, {
      warehouse: { host: clientConfig.host, port: clientConfig.port, user: clientConfig.user, database: clientConfig.database, ...(clientConfig.password ? { password: clientConfig.password } : {}) },
      pipelines: simulatorPipelines(sims, { salesforce, zuora, marketo }),
      metrics: { target_schema: analytics, as_of: new Date(sims.simulation.clock.now()).toISOString().slice(0, 10) },
    });
  const stateFile = (name: string) => path.join(dir, '.bizops', 'state', `${name}.json`);
  const records = (out: string, pipeline: string) => Number(new RegExp(`^${pipeline}\\s+ok\\s+(\\d+)`, 'm').exec(out)?.[1] ?? NaN);

  const check = async (label: string) => {
    for (const object of SALESFORCE_OBJECTS) {
      const diff = await compareWithSimulator(db, salesforce, sims.salesforce!, object);
      t.same({ missing: diff.missing.slice(0, 5), extra: diff.extra.slice(0, 5), mismatches: diff.mismatches }, { missing: [], extra: [], mismatches: [] }, `${label}: salesforce.${object.toLowerCase()} equals the simulated org (${diff.rows} rows)`);
    }
    const asOf = sims.simulation.clock.now();
    for (const window of [
      { from: company.start, to: asOf + 1 },
      { from: Date.UTC(2026, 3, 1), to: Date.UTC(2026, 6, 1) },
    ]) {
      const truth = await compareWithGroundTruth(db, { target_schema: analytics }, company, { asOf, ...window });
      t.ok(truth.totals.leads > 0 && truth.totals.spend > 0, `${label}: the truth of ${truth.period} has leads and spend`);
      t.same(truth.differences.slice(0, 10), [], `${label}: ${truth.periodType} ${truth.period} metrics equal the ground truth (${truth.campaigns} campaigns)`);
    }
  };

  writeProject();
  const first = await runCli(['run'], dir);
  exitsZero(t, first, 'the first run exits 0');
  t.match(first.out, /metrics: built/, 'bizops-metrics build ran');
  for (const name of ['salesforce', 'zuora', 'marketo']) t.ok(records(first.out, name) > 0, `the summary counts ${name}'s records: ${records(first.out, name)}`);
  t.match(first.out, /salesforce: .*Account \d+.*Lead \d+/, 'the summary lists rows per stream');
  await check('first run');
  const firstStates = Object.fromEntries(['salesforce', 'zuora', 'marketo'].map((name) => [name, readFileSync(stateFile(name), 'utf8')]));

  sims.simulation.clock.advanceDays(20);
  t.equal(sims.simulation.clock.now() % DAY, 0, 'the simulated present is midnight, the as_of date of the metrics');
  writeProject();
  // One pipeline after the other this time: the same result either way.
  const second = await runCli(['run', '--sequential'], dir);
  exitsZero(t, second, 'the second run exits 0');
  for (const name of ['salesforce', 'zuora', 'marketo']) {
    t.ok(records(second.out, name) < records(first.out, name), `${name}: the second run moved fewer records (${records(second.out, name)} < ${records(first.out, name)})`);
    t.not(readFileSync(stateFile(name), 'utf8'), firstStates[name], `${name}: the state moved on`);
  }
  const sfState = JSON.parse(readFileSync(stateFile('salesforce'), 'utf8')) as { bookmarks: Record<string, { replication_key_value: string }> };
  const firstSf = JSON.parse(firstStates.salesforce!) as typeof sfState;
  t.ok(sfState.bookmarks.Lead!.replication_key_value > firstSf.bookmarks.Lead!.replication_key_value, 'the Lead bookmark advanced');
  await check('after 20 more days');

  t.test('the report, rendered by Chromium, shows the numbers of the metric views', { skip: chromiumMissing }, async (t) => {
    const file = path.join(dir, 'report.html');
    const report = await runCli(['report', '--out', file], dir);
    exitsZero(t, report, 'bizops report exits 0');
    const html = readFileSync(file, 'utf8');
    t.notMatch(html, /\b(src|href)\s*=\s*["']?(https?:)?\/\//i, 'nothing is loaded from the network');
    t.notMatch(html, /<link\b/i, 'no external stylesheet');
    t.notMatch(html, /data-table=/, 'the tables are drawn by the script, not in the file');
    const dom = await dumpDom(file);
    t.match(dom, /<body[^>]*data-rendered="true"/, 'the script ran to the end');
    t.match(dom, /<svg[^>]*id="funnel-chart"/, 'the funnel is drawn');
    t.match(dom, /<svg[^>]*id="spend-iacv-chart"/, 'spend vs. IACV over time is drawn');
    t.match(dom, /<svg[^>]*id="attribution-chart"/, 'the attribution models are drawn side by side');
    const result = await checkReportAgainstDb(dom, db, analytics);
    t.ok(result.checked > 500, `${result.checked} numbers compared`);
    t.same(result.mismatches, [], 'every number on the page equals the database');
  });
});
