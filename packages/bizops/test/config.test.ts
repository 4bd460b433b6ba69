import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { bareEnv, runCli } from './helpers/project.js';

function dirWith(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bizops-config-'));
  // A project others can enter, as most are (a private one moves the cluster: embedded.test.ts).
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, name), text);
  return dir;
}

t.test('errors name the file and the key', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['bizops.yml', 'pipelines:\n  hubspot: {}\n', /bizops\.yml: pipelines\.hubspot is not a known pipeline \(known: salesforce, zuora, marketo\)/],
    ['bizops.yml', 'pipelines:\n  salesforce:\n    config: [1]\n', /bizops\.yml: pipelines\.salesforce\.config must be a mapping/],
    ['bizops.yml', 'pipelines:\n  zuora:\n    schema: Zuora-Raw\n', /bizops\.yml: pipelines\.zuora\.schema "Zuora-Raw" must be a lower-case Postgres identifier/],
    ['bizops.yml', 'warehouse:\n  port: lots\n', /bizops\.yml: warehouse\.port must be a port number/],
    ['bizops.yml', 'metrics:\n  fiscal_year_start_month: 13\n', /bizops\.yml: metrics\.fiscal_year_start_month must be a month number 1-12/],
    ['bizops.yml', 'metrics:\n  gross_margins: 0.8\n', /bizops\.yml: metrics\.gross_margins is not a known key/],
    ['bizops.yml', 'warehose: {}\n', /bizops\.yml: warehose is not a known key/],
    ['bizops.yml', 'pipelines:\n  salesforce:\n    config: {a: 1\n', /bizops\.yml \(line \d+, column \d+\): not valid YAML/],
    ['bizops.json', '{"pipelines": {"marketo": {"enabled": "yes"}}}', /bizops\.json: pipelines\.marketo\.enabled must be true or false/],
  ];
  for (const [name, text, expected] of cases) {
    const dir = dirWith(name, text);
    t.throws(() => loadConfig({ cwd: dir, env: {} }), { message: expected }, `${name}: ${text.split('\n')[0]}`);
    const run = await runCli(['run'], dir, bareEnv());
    t.equal(run.code, 2, 'the CLI exits 2 on a bad config');
    t.match(run.err, expected, 'and prints the same error');
  }
});

t.test('secrets and connections come from the environment, the CI variables of the origin document included', async (t) => {
  const dir = dirWith('bizops.yml', 'pipelines:\n  salesforce:\n    config:\n      api_type: BULK\n      username: from-file\n');
  const env = { SFDC_URL: 'https://login.example.com', SFDC_USERNAME: 'ci-user', SFDC_PASSWORD: 's3cret!', ZUORA_URL: 'https://rest.zuora.example', ZUORA_USERNAME: 'z', ZUORA_PASSWORD: 'zp', PG_ADDRESS: 'db.example.com' };
  const config = loadConfig({ cwd: dir, env });
  const sf = config.pipelines.find((p) => p.source.name === 'salesforce')!;
  t.same(
    { login_url: sf.tapConfig.login_url, username: sf.tapConfig.username, password: sf.tapConfig.password, api_type: sf.tapConfig.api_type },
    { login_url: 'https://login.example.com', username: 'ci-user', password: 's3cret!', api_type: 'BULK' },
    'SFDC_* fill the tap config, over the file, beside its other keys',
  );
  t.same(sf.tapConfig.streams_to_discover, ['Account', 'Contact', 'Lead', 'Opportunity', 'OpportunityContactRole', 'Campaign', 'CampaignMember', 'User'], 'salesforce discovers only the objects the metrics read');
  const zuora = config.pipelines.find((p) => p.source.name === 'zuora')!;
  t.same({ base_url: zuora.tapConfig.base_url, username: zuora.tapConfig.username, password: zuora.tapConfig.password }, { base_url: 'https://rest.zuora.example', username: 'z', password: 'zp' }, 'ZUORA_* fill the zuora config');
  t.same(config.configured, ['salesforce', 'zuora'], 'pipelines with credentials are the ones `bizops run` runs');
  t.same(config.warehouse, {}, 'PG_ADDRESS means a configured warehouse (target-postgres reads PG_* itself)');

  const bare = loadConfig({ cwd: dirWith('bizops.yml', ''), env: {} });
  t.equal(bare.warehouse, undefined, 'no warehouse configured: the embedded Postgres');
  t.same(bare.configured, [], 'no credentials: nothing to run');
  t.equal(bare.embedded.dataDir, path.join(bare.projectDir, '.bizops', 'postgres'), 'the embedded data directory is in the project');
});

t.test('`bizops run` without credentials points at the demo; unknown commands and pipelines are named', async (t) => {
  const dir = dirWith('bizops.yml', '');
  const run = await runCli(['run'], dir, bareEnv());
  t.equal(run.code, 2);
  t.match(run.err, /no credentials configured for any pipeline.*bizops demo/);
  const unknown = await runCli(['run', 'hubspot'], dir, bareEnv());
  t.match(unknown.err, /unknown pipeline "hubspot"/);
  const noCreds = await runCli(['run', 'zuora'], dir, bareEnv());
  t.match(noCreds.err, /pipeline zuora has no credentials.*ZUORA_URL, ZUORA_USERNAME, ZUORA_PASSWORD/);
  const bad = await runCli(['frobnicate'], dir, bareEnv());
  t.equal(bad.code, 2);
  t.match(bad.err, /unknown command "frobnicate"/);
  const missing = await runCli(['run', '--config', 'nope.yml'], dir, bareEnv());
  t.match(missing.err, /config file nope\.yml does not exist/);
});
