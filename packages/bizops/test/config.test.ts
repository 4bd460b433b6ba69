import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { StateStore } from '../src/state-store.js';
import { refuseThrowAwayWarehouse } from '../src/warehouse.js';
import { bareEnv, runCli } from './helpers/project.js';

const made: string[] = [];
t.teardown(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function dirWith(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bizops-config-'));
  made.push(dir);
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

t.test('every key of bizops.yml reaches the settings', async (t) => {
  const dir = dirWith(
    'bizops.yml',
    [
      'data_dir: var/bizops',
      'embedded: { data_dir: db/pg, port: 55001 }',
      'pipelines:',
      '  salesforce: { target: { batch_size_rows: 5000 } }',
      '  marketo: { enabled: false, config: { client_id: c } }',
      'demo: { scale: 0.3, seed: 7 }',
      'metrics: { iacv_field: ACV__c, gross_margin: 0.7, fiscal_year_start_month: 2, time_decay_half_life_days: 14 }',
    ].join('\n'),
  );
  const config = loadConfig({ cwd: dir, env: { BIZOPS_DATA_DIR: '/elsewhere', BIZOPS_EMBEDDED_PORT: '55002' } });
  t.equal(config.dataDir, path.join(dir, 'var', 'bizops'), 'data_dir, relative to the file (the file wins over BIZOPS_DATA_DIR)');
  t.equal(config.embedded.dataDir, path.join(dir, 'db', 'pg'), 'embedded.data_dir');
  t.equal(config.embedded.port, 55001, 'embedded.port (over BIZOPS_EMBEDDED_PORT)');
  t.same(config.pipelines.find((p) => p.source.name === 'salesforce')!.targetConfig, { batch_size_rows: 5000 }, 'pipelines.X.target: extra target settings');
  t.same(config.disabled, ['marketo'], 'enabled: false disables a pipeline');
  t.notOk(config.configured.includes('marketo'), 'even one with credentials');
  t.same(config.demo, { scale: 0.3, seed: 7 }, 'demo.scale and demo.seed');
  t.same(config.metrics, { iacv_field: 'ACV__c', gross_margin: 0.7, fiscal_year_start_month: 2, time_decay_half_life_days: 14 }, 'metrics.* as written');
  const disabled = await runCli(['run', 'marketo'], dir, bareEnv());
  t.equal(disabled.code, 2, '`bizops run marketo` exits 2');
  t.match(disabled.err, /bizops\.yml: pipelines\.marketo\.enabled is false/, 'naming the key that disables it');

  const fromEnv = loadConfig({ cwd: dirWith('bizops.yml', ''), env: { BIZOPS_DATA_DIR: 'ci/.bizops', BIZOPS_EMBEDDED_PORT: '55003' } });
  t.equal(fromEnv.dataDir, path.join(fromEnv.projectDir, 'ci', '.bizops'), 'BIZOPS_DATA_DIR when the file has no data_dir');
  t.equal(fromEnv.embedded.dataDir, path.join(fromEnv.dataDir, 'postgres'), 'the embedded Postgres follows the data directory');
  t.equal(fromEnv.embedded.port, 55003, 'BIZOPS_EMBEDDED_PORT');
  t.throws(() => loadConfig({ cwd: dirWith('bizops.yml', 'embedded: { port: 70000 }'), env: {} }), { message: /embedded\.port must be a port number/ }, 'a port out of range is refused');
});

t.test('the config file: --config, then BIZOPS_CONFIG, then ./bizops.{yml,yaml,json}', async (t) => {
  const dir = dirWith('bizops.json', JSON.stringify({ pipelines: { zuora: { schema: 'billing', config: { username: 'z' } } }, warehouse: 'embedded' }));
  const json = loadConfig({ cwd: dir, env: {} });
  t.equal(json.file, path.join(dir, 'bizops.json'), 'a bizops.json in the project is found');
  t.equal(json.pipelines.find((p) => p.source.name === 'zuora')!.schema, 'billing', 'and read');
  t.same(json.configured, ['zuora'], 'its credentials count');
  writeFileSync(path.join(dir, 'other.yml'), 'pipelines: { salesforce: { schema: crm } }\n');
  t.equal(loadConfig({ cwd: dir, env: { BIZOPS_CONFIG: 'other.yml' } }).pipelines[0]!.schema, 'crm', 'BIZOPS_CONFIG over the default file');
  writeFileSync(path.join(dir, 'third.yml'), 'pipelines: { salesforce: { schema: sfdc } }\n');
  t.equal(loadConfig({ cwd: dir, file: 'third.yml', env: { BIZOPS_CONFIG: 'other.yml' } }).pipelines[0]!.schema, 'sfdc', '--config over BIZOPS_CONFIG');
});

t.test('the warehouse: embedded when chosen or when nothing names a server', async (t) => {
  const embedded = loadConfig({ cwd: dirWith('bizops.yml', 'warehouse: embedded\n'), env: { PG_ADDRESS: 'db.example.com' } });
  t.equal(embedded.warehouse, undefined, '`warehouse: embedded` wins over PG_ADDRESS');
  t.ok(embedded.embeddedChosen, 'and counts as chosen');
  for (const name of ['PG_ADDRESS', 'DATABASE_URL', 'PGHOST', 'TARGET_POSTGRES_HOST', 'TARGET_POSTGRES_CONNECTION_STRING']) {
    t.same(loadConfig({ cwd: dirWith('bizops.yml', ''), env: { [name]: 'x' } }).warehouse, {}, `${name} names a configured warehouse`);
  }
  const fallback = loadConfig({ cwd: dirWith('bizops.yml', ''), env: {} });
  t.equal(fallback.warehouse, undefined, 'nothing configured: embedded');
  t.notOk(fallback.embeddedChosen, 'by default, not by choice');
});

t.test('in CI, `bizops run` refuses a throw-away embedded warehouse unless it is chosen', async (t) => {
  const creds = { SFDC_USERNAME: 'u', SFDC_PASSWORD: 'p' };
  for (const ci of ['true', '1']) {
    const run = await runCli(['run'], dirWith('bizops.yml', ''), { ...bareEnv(), ...creds, CI: ci });
    t.equal(run.code, 2, `CI=${ci}: exit 2 before anything runs`);
    t.match(run.err, /CI is set and no warehouse is configured: set the CI variables PG_ADDRESS, PG_PORT, PG_DATABASE, PG_USERNAME and PG_PASSWORD/, 'naming the PG_* variables');
    t.match(run.err, /write `warehouse: embedded` to use one anyway/, 'and the way out');
  }
  // Not refused (env-warehouse.db.test.ts runs the PG_* case in CI end to end):
  const cases: Array<[string, string, NodeJS.ProcessEnv]> = [
    ['outside CI', '', {}],
    ['CI=false', '', { CI: 'false' }],
    ['`warehouse: embedded` in CI', 'warehouse: embedded\n', { CI: 'true' }],
    ['PG_ADDRESS in CI', '', { CI: 'true', PG_ADDRESS: 'db.example.com' }],
    ['a warehouse in bizops.yml in CI', 'warehouse: { host: db.example.com }\n', { CI: 'true' }],
  ];
  for (const [label, yml, env] of cases) {
    t.doesNotThrow(() => refuseThrowAwayWarehouse(loadConfig({ cwd: dirWith('bizops.yml', yml), env }), env), `${label}: not refused`);
  }
});

t.test('each source reads all its variables, and TAP_<NAME>_<KEY> counts as credentials', async (t) => {
  const env = {
    SFDC_SECURITY_TOKEN: 'tok',
    SFDC_CLIENT_ID: 'sid',
    SFDC_CLIENT_SECRET: 'ssec',
    SFDC_REFRESH_TOKEN: 'ref',
    ZUORA_CLIENT_ID: 'zid',
    ZUORA_CLIENT_SECRET: 'zsec',
    MARKETO_ENDPOINT: 'https://123-ABC-456.mktorest.com/rest',
    MARKETO_IDENTITY: 'https://123-ABC-456.mktorest.com/identity',
    MARKETO_CLIENT_ID: 'mid',
    MARKETO_CLIENT_SECRET: 'msec',
    MARKETO_MUNCHKIN_ID: '123-ABC-456',
  };
  const config = loadConfig({ cwd: dirWith('bizops.yml', ''), env });
  const tap = (name: string) => config.pipelines.find((p) => p.source.name === name)!.tapConfig;
  t.match(tap('salesforce'), { security_token: 'tok', client_id: 'sid', client_secret: 'ssec', refresh_token: 'ref' }, 'SFDC_SECURITY_TOKEN and SFDC_CLIENT_*/REFRESH_TOKEN');
  t.match(tap('zuora'), { client_id: 'zid', client_secret: 'zsec' }, 'ZUORA_CLIENT_*');
  t.match(tap('marketo'), { endpoint: env.MARKETO_ENDPOINT, identity: env.MARKETO_IDENTITY, client_id: 'mid', client_secret: 'msec', munchkin_id: '123-ABC-456' }, 'MARKETO_*');
  t.same(config.configured, ['salesforce', 'zuora', 'marketo'], 'OAuth clients count as credentials');

  const jwt = loadConfig({ cwd: dirWith('bizops.yml', ''), env: { TAP_SALESFORCE_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----' } });
  t.same(jwt.configured, ['salesforce'], 'TAP_SALESFORCE_PRIVATE_KEY (JWT, read by the tap itself) makes salesforce runnable');
});

t.test('a corrupt file bizops keeps for itself names the file, the cause and the way out', async (t) => {
  // A warehouse is named, so the demo reads its clock without starting any server.
  const unreachable = { ...bareEnv(), PGHOST: '127.0.0.1', PGPORT: '1' };
  const clock = dirWith('bizops.yml', '');
  mkdirSync(path.join(clock, '.bizops'));
  writeFileSync(path.join(clock, '.bizops', 'demo.json'), '{"scale": 0.2,');
  const demo = await runCli(['demo', '--no-metrics'], clock, unreachable);
  t.equal(demo.code, 1, 'a corrupt demo clock: exit 1');
  t.match(demo.err, /the demo's clock \S+\/\.bizops\/demo\.json is not valid JSON \((at character \d+|it ends too early)\); run `bizops demo --reset` to start the demo over/, 'naming the file, the cause and the way out');

  writeFileSync(path.join(clock, '.bizops', 'demo.json'), JSON.stringify({ scale: 0.5, asOf: '2026-12-01T00:00:00.000Z', runs: 1 }));
  const rescaled = await runCli(['demo', '--scale', '0.01'], clock, unreachable);
  t.equal(rescaled.code, 2, 'another scale than the demo data: exit 2');
  t.match(rescaled.err, /the demo data in \S+ was made at scale 0\.5, not 0\.01: run `bizops demo --reset`/, 'with the way out');

  // An initialised-looking cluster whose credentials file is cut short: nothing starts before it is read.
  const cluster = dirWith('bizops.yml', '');
  mkdirSync(path.join(cluster, '.bizops', 'postgres'), { recursive: true });
  writeFileSync(path.join(cluster, '.bizops', 'postgres', 'PG_VERSION'), '17\n');
  writeFileSync(path.join(cluster, '.bizops', 'postgres', 'bizops-credentials.json'), '{"user": "postgres", "password": "hunter2-');
  for (const command of [['report'], ['db', 'url']]) {
    const run = await runCli(command, cluster, bareEnv());
    t.equal(run.code, 1, `${command.join(' ')}: exit 1`);
    t.match(run.err, /the embedded Postgres credentials file \S+\/\.bizops\/postgres\/bizops-credentials\.json is not valid JSON \((at character \d+|it ends too early)\); restore it .*or move the cluster \S+\/\.bizops\/postgres away/, 'naming the file, the cause and the way out');
    t.notMatch(run.err, /hunter2/, 'without quoting the password');
  }

  const states = new StateStore(dirWith('bizops.yml', ''));
  mkdirSync(states.file('zuora'));
  t.throws(() => states.read('zuora'), { message: /state file \S+\/zuora\.json cannot be read \(EISDIR: illegal operation on a directory, read\); move it away to start zuora from scratch/ }, 'a state path that is a directory: the real cause');
});

t.test('`bizops metrics` reads its own --config in either form, and refuses one without a file', async (t) => {
  const env = { ...bareEnv(), PGHOST: '127.0.0.1', PGPORT: '1' };
  const dir = dirWith('other.yml', 'metrics: { gross_margins: 0.8 }\n');
  const missing = await runCli(['metrics', 'show', '--config=nope.yml'], dir, env);
  t.equal(missing.code, 2, '--config=nope.yml: exit 2');
  t.match(missing.err, /config file nope\.yml does not exist/, 'naming the file');
  const read = await runCli(['metrics', 'show', '--config=other.yml'], dir, env);
  t.match(read.err, /other\.yml: metrics\.gross_margins is not a known key/, '--config=FILE is the file read');
  for (const args of [['show', '--config'], ['--config', '--by', 'channel'], ['show', '--config=']]) {
    const run = await runCli(['metrics', ...args], dir, env);
    t.equal(run.code, 2, `metrics ${args.join(' ')}: exit 2`);
    t.match(run.err, /--config needs a file/, 'saying what is missing');
  }
});

t.test('demo --reset on a configured warehouse drops nothing without --drop-schemas', async (t) => {
  const dir = dirWith('bizops.yml', 'warehouse: { host: 127.0.0.1, port: 1 }\npipelines: { zuora: { schema: billing } }\nmetrics: { target_schema: bi }\n');
  mkdirSync(path.join(dir, '.bizops', 'state'), { recursive: true });
  writeFileSync(path.join(dir, '.bizops', 'demo.json'), '{}');
  writeFileSync(path.join(dir, '.bizops', 'state', 'zuora.json'), '{}');
  const run = await runCli(['demo', '--reset'], dir, bareEnv());
  t.equal(run.code, 2, 'exit 2');
  t.match(run.err, /demo --reset drops the demo's schemas \(salesforce, billing, marketo, bi\), and the warehouse is configured \(\S+bizops\.yml\), not embedded: add --drop-schemas/, 'naming the schemas and the flag');
  t.ok(existsSync(path.join(dir, '.bizops', 'demo.json')) && existsSync(path.join(dir, '.bizops', 'state', 'zuora.json')), 'the clock and the state are kept');
  const alone = await runCli(['demo', '--drop-schemas'], dir, bareEnv());
  t.equal(alone.code, 2, '--drop-schemas without --reset: exit 2');
  t.match(alone.err, /--drop-schemas goes with --reset/);
});
