import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { SqlFileError, buildMetrics } from '../src/build.js';
import type { MetricsConfig } from '../src/config.js';
import { fixture } from './helpers/fixture.js';
import { loadThroughTarget } from './helpers/load-raw.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bizops-metrics.js');

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(PG|DATABASE_URL$)/.test(name)));
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

t.test('bizops-metrics build, show and check', async (t) => {
  const [salesforce, zuora, marketo, target] = [await freshSchema(t), await freshSchema(t), await freshSchema(t), await freshSchema(t)];
  await loadThroughTarget(salesforce, fixture.salesforce);
  await loadThroughTarget(zuora, fixture.zuora);
  await loadThroughTarget(marketo, fixture.marketo);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metrics-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const metrics: MetricsConfig = {
    connection_string: (await getTestPostgres()).connectionString,
    ssl_mode: 'disable',
    source_schemas: { salesforce, zuora, marketo },
    target_schema: target,
    as_of: '2026-06-30',
  };
  const configFile = path.join(dir, 'bizops.json');
  await writeFile(configFile, JSON.stringify({ metrics, other_tool: { anything: true } }));

  const build = await cli(['build', '--config', configFile]);
  t.equal(build.code, 0, `build exits 0 (${build.stderr.trim().split('\n').pop()})`);
  t.match(build.stderr, /layer 4 \(metrics\)/, 'build reports the time of each layer');

  const json = await cli(['show', '--config', configFile, '--by', 'campaign', '--period', 'all', '--model', 'first_touch', '--format', 'json']);
  t.equal(json.code, 0, 'show exits 0');
  const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
  t.equal(rows.length, 3, 'one JSON array, a row per campaign');
  const c1 = rows.find((r) => r.campaign_id === 'CMP1')!;
  for (const key of ['period', 'campaign_id', 'campaign_name', 'channel', 'model', 'spend', 'leads', 'cost_per_lead', 'customers', 'iacv', 'median_conversion_days', 'iacv_at_median', 'estimated_iacv', 'cac', 'ltv', 'roi', 'period_type']) t.ok(key in c1, `row has ${key}`);
  t.match(c1, { period: 'all', campaign_name: 'Webinar A', channel: 'Webinar', model: 'first_touch', spend: 1500, leads: 2, cost_per_lead: 750, customers: 2, iacv: 36000, cac: 750 }, 'numbers are JSON numbers');
  t.equal(rows.find((r) => r.campaign_id === 'CMP2')!.cac, null, 'no CAC without customers: null');

  const csv = await cli(['show', '--config', configFile, '--by', 'channel', '--period', 'quarter', '--model', 'linear', '--format', 'csv']);
  t.equal(csv.code, 0, 'show --format csv exits 0');
  t.match(csv.stdout.split('\n')[0], /^period_type,period,period_start,channel,model,spend,leads/, 'csv header');
  t.match(csv.stdout, /quarter,2026-Q1,2026-01-01,Webinar,linear,1500,1\.5,1000,/, 'a channel row per quarter');

  const table = await cli(['show', '--config', configFile, '--by', 'organization', '--period', 'all', '--model', 'w_shaped']);
  t.equal(table.code, 0, 'show --by organization exits 0');
  t.match(table.stdout, /organization_id/, 'a table with a header');

  const person = await cli(['show', '--config', configFile, '--by', 'person', '--period', 'month', '--model', 'u_shaped', '--format', 'json']);
  t.ok((JSON.parse(person.stdout) as unknown[]).length > 0, 'show --by person');

  const check = await cli(['check', '--config', configFile]);
  t.equal(check.code, 0, 'check exits 0: findings are warnings');
  for (const line of [/WARN orphan_touches: 2 /, /WARN opportunities_without_accounts: 1 .*O5/, /WARN subscriptions_without_crm_id: 1 .*S9/, /WARN duplicated_people: 1 .*frank@example\.com/, /ok {3}people_with_several_marketo_leads: 0 /, /WARN won_opportunities_without_touches: 1 .*O3/]) t.match(check.stdout, line, `check reports ${line.source}`);

  const bad = await cli(['show', '--config', configFile, '--model', 'nope']);
  t.equal(bad.code, 2, 'a bad option exits 2');
  t.match(bad.stderr, /--model must be one of first_touch/, 'and names the option');

  const badConfig = path.join(dir, 'bad.json');
  await writeFile(badConfig, JSON.stringify({ gross_margin: 3 }));
  const invalid = await cli(['build', '--config', badConfig]);
  t.equal(invalid.code, 2, 'an invalid config exits 2');
  t.match(invalid.stderr, /bad\.json: invalid config: .*gross_margin/, 'naming the file and the key');

  const secretConfig = path.join(dir, 'secret.json');
  await writeFile(secretConfig, JSON.stringify({ connection_string: 'postgresql://postgres:s3cret-pass@127.0.0.1:1/test', ssl_mode: 'disable' }));
  const down = await cli(['build', '--config', secretConfig]);
  t.equal(down.code, 1, 'an unreachable database exits 1');
  t.notMatch(down.stderr, /s3cret-pass/, 'the password never shows');
});

t.test('a failing SQL file is named with the line', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metrics-sql-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, '10_broken.sql'), 'select 1;\n\n-- the next statement reads a table that is not there\nselect *\n  from nowhere_table;\n');
  const target = await freshSchema(t);
  const config: MetricsConfig = { connection_string: (await getTestPostgres()).connectionString, ssl_mode: 'disable', target_schema: target };
  const error = await buildMetrics(config, { sqlDir: dir }).then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof SqlFileError, 'a SqlFileError');
  t.match((error as Error).message, /^10_broken\.sql:5: relation "nowhere_table" does not exist/, 'names the file and the line of the error');
});
