/** The real `tap-salesforce` command (bin → dist), as a Singer runner drives it. */
import { singerValidator } from '@singer-io-ts/sdk';
import t from 'tap';
import { configFor, parseLines, runCli, simIds, startOrg, tempDir, writeJson } from './helpers/salesforce.js';

t.test('--about: capabilities and every setting with its environment names', async (t) => {
  const result = await runCli(['--about', '--format', 'json']);
  t.equal(result.code, 0, result.stderr);
  const about = JSON.parse(result.stdout);
  t.equal(about.name, 'tap-salesforce');
  t.match(about.capabilities, ['about', 'test', 'catalog', 'discover', 'state', 'properties', 'stream-maps', 'activate-version']);
  const setting = (name: string) => about.settings.find((s: { name: string }) => s.name === name);
  t.same(setting('password').env, ['TAP_SALESFORCE_PASSWORD', 'SFDC_PASSWORD']);
  t.equal(setting('password').secret, true);
  t.same(setting('login_url').env, ['TAP_SALESFORCE_LOGIN_URL', 'SFDC_URL']);
  t.equal(setting('private_key').secret, true);
  t.match(setting('max_workers').description, /^Objects synced at the same time/, 'max_workers says objects sync in parallel');
  t.match(setting('api_type').description, /decided per object when its stream starts/);
  const markdown = await runCli(['--about', '--format', 'markdown']);
  t.match(markdown.stdout, /\| `quota_percent_per_run` \| number \|/);
});

t.test('--discover, then --catalog, then --state: a Singer run from the command line', async (t) => {
  const sf = await startOrg(t);
  const dir = tempDir();
  const config = writeJson(dir, 'config.json', configFor(sf, 'oauth_password'));

  const discovered = await runCli(['--config', config, '--discover']);
  t.equal(discovered.code, 0, discovered.stderr);
  const catalog = JSON.parse(discovered.stdout);
  const validate = singerValidator('catalog');
  t.ok(validate(catalog), 'stdout is exactly one valid catalog');
  t.equal(catalog.streams.length, 16);
  t.notMatch(discovered.stderr, new RegExp(String(sf.tapConfig.password)), 'no secret in the logs');

  for (const entry of catalog.streams) {
    for (const m of entry.metadata) {
      if (m.breadcrumb.length === 0) m.metadata.selected = ['Account', 'Partner_Referral__c', 'AggregateResult'].includes(entry.tap_stream_id);
      if (entry.tap_stream_id === 'Account' && m.breadcrumb[1] === 'Description') m.metadata.selected = false;
    }
  }
  const catalogFile = writeJson(dir, 'catalog.json', catalog);
  const first = await runCli(['--config', config, '--catalog', catalogFile]);
  t.equal(first.code, 0, first.stderr);
  const messages = parseLines(first.stdout);
  t.same([...new Set(messages.filter((m) => m.stream).map((m) => m.stream))], ['Account', 'Partner_Referral__c'], 'selected streams only; unsupported ones never run');
  const schema = messages.find((m) => m.type === 'SCHEMA' && m.stream === 'Account')!;
  t.notOk('Description' in schema.schema.properties, 'deselected field left out of the schema');
  t.same(schema.key_properties, ['Id']);
  t.same(schema.bookmark_properties, ['SystemModstamp']);
  const accounts = messages.filter((m) => m.type === 'RECORD' && m.stream === 'Account');
  t.same(accounts.map((m) => m.record.Id).sort(), simIds(sf, 'Account'));
  t.notOk(accounts.some((m) => 'Description' in m.record), 'and from the records');
  const lastState = messages.filter((m) => m.type === 'STATE').at(-1)!.value;
  t.equal(lastState.currently_syncing, null);
  t.match(lastState.bookmarks.Account, { replication_key: 'SystemModstamp', replication_key_value: String });

  // A state file may be a state object or a target's whole output; the last STATE counts.
  const stateFile = writeJson(dir, 'state.singer', first.stdout);
  const unchanged = await runCli(['--config', config, '--catalog', catalogFile, '--state', stateFile]);
  t.equal(unchanged.code, 0, unchanged.stderr);
  t.equal(parseLines(unchanged.stdout).filter((m) => m.type === 'RECORD').length, 0, 'nothing changed, nothing extracted');

  sf.simulation.clock.advanceDays(60);
  const later = await runCli(['--config', config, '--properties', catalogFile, '--state', stateFile]);
  t.equal(later.code, 0, later.stderr);
  const changed = parseLines(later.stdout).filter((m) => m.type === 'RECORD' && m.stream === 'Account');
  const since = String(lastState.bookmarks.Account.replication_key_value);
  const expected = simIds(sf, 'Account').filter((id) => {
    const row = sf.simulation.company.table('salesforce', 'Account')!.get(id, { asOf: sf.simulation.clock.now(), includeDeleted: true })!;
    return new Date(row.SystemModstamp as number).toISOString() > since;
  });
  t.ok(expected.length > 0, `${expected.length} accounts changed in 60 days`);
  t.same(changed.map((m) => m.record.Id).sort(), expected, 'only what changed since the state');
});

t.test('--test and the CI environment variables', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const env = { SFDC_URL: String(sf.tapConfig.login_url), SFDC_USERNAME: String(sf.tapConfig.username), SFDC_PASSWORD: String(sf.tapConfig.password), TAP_SALESFORCE_SECURITY_TOKEN: String(sf.tapConfig.security_token) };
  const ok = await runCli(['--test'], { env });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stderr, /connection ok: soap password login to http:\/\/127\.0\.0\.1:\d+: 16 objects/);
  const bad = await runCli(['--test'], { env: { ...env, SFDC_PASSWORD: 'not-the-password' } });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /ERROR tap-salesforce: Salesforce login \(soap_password\) at .* failed: INVALID_LOGIN/);
  t.notMatch(bad.stderr, /not-the-password/);
  const none = await runCli(['--discover'], { env: {} });
  t.equal(none.code, 1);
  t.match(none.stderr, /no login configured/);
});

t.test('api_type BULK reads through Bulk API 2.0 jobs', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const dir = tempDir();
  const config = writeJson(dir, 'config.json', { ...configFor(sf), api_type: 'BULK', streams_to_discover: ['User'] });
  const result = await runCli(['--config', config]);
  t.equal(result.code, 0, result.stderr);
  t.ok(sf.server.calls('bulk2.create') >= 1, 'a Bulk job');
  t.equal(sf.server.calls('queryAll'), 0, 'no REST query');
  t.same(parseLines(result.stdout).filter((m) => m.type === 'RECORD').map((m) => m.record.Id).sort(), simIds(sf, 'User'));
});
