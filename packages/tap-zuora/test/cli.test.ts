/** The real `tap-zuora` command (bin → dist), as a Singer runner drives it. */
import { singerValidator } from '@singer-io-ts/sdk';
import t from 'tap';
import { configFor, parseLines, runCli, simIds, simRows, startTenant, tempDir, writeJson } from './helpers/zuora.js';

t.test('--about: capabilities and every setting with its environment names', async (t) => {
  const result = await runCli(['--about', '--format', 'json']);
  t.equal(result.code, 0, result.stderr);
  const about = JSON.parse(result.stdout);
  t.equal(about.name, 'tap-zuora');
  t.match(about.capabilities, ['about', 'test', 'catalog', 'discover', 'state', 'properties', 'stream-maps']);
  const setting = (name: string) => about.settings.find((s: { name: string }) => s.name === name);
  t.same(setting('password').env, ['TAP_ZUORA_PASSWORD', 'ZUORA_PASSWORD']);
  t.equal(setting('password').secret, true);
  t.equal(setting('client_secret').secret, true);
  t.same(setting('base_url').env, ['TAP_ZUORA_BASE_URL', 'ZUORA_URL']);
  t.same(setting('username').env, ['TAP_ZUORA_USERNAME', 'ZUORA_USERNAME']);
  for (const name of ['environment', 'api_type', 'partner_id', 'deleted_records', 'max_concurrent_jobs', 'start_date', 'client_id']) t.ok(setting(name), `${name} documented`);
  const markdown = await runCli(['--about', '--format', 'markdown']);
  t.match(markdown.stdout, /\| `max_concurrent_jobs` \| integer \|/);
});

t.test('--discover, then --catalog, then --state: a Singer run from the command line', async (t) => {
  const zuora = await startTenant(t, { scale: 0.05, scenario: { jobPolls: 0 } });
  const dir = tempDir();
  const config = writeJson(dir, 'config.json', configFor(zuora));

  const discovered = await runCli(['--config', config, '--discover']);
  t.equal(discovered.code, 0, discovered.stderr);
  const catalog = JSON.parse(discovered.stdout);
  t.ok(singerValidator('catalog')(catalog), 'stdout is exactly one valid catalog');
  t.equal(catalog.streams.length, 16, '14 objects and 2 that no export can read');
  t.notMatch(discovered.stderr, new RegExp(String(zuora.tapConfig.client_secret)), 'no secret in the logs');

  for (const entry of catalog.streams) {
    for (const m of entry.metadata) {
      if (m.breadcrumb.length === 0) m.metadata.selected = ['Account', 'Contact', 'JournalEntry'].includes(entry.tap_stream_id);
      if (entry.tap_stream_id === 'Account' && m.breadcrumb[1] === 'Notes') m.metadata.selected = true;
      if (entry.tap_stream_id === 'Account' && m.breadcrumb[1] === 'SalesRepName') m.metadata.selected = false;
    }
  }
  const catalogFile = writeJson(dir, 'catalog.json', catalog);
  const first = await runCli(['--config', config, '--catalog', catalogFile]);
  t.equal(first.code, 0, first.stderr);
  const messages = parseLines(first.stdout);
  t.same([...new Set(messages.filter((m) => m.stream).map((m) => m.stream))].sort(), ['Account', 'Contact'], 'selected streams only; unsupported ones never run');
  const schema = messages.find((m) => m.type === 'SCHEMA' && m.stream === 'Account')!;
  t.notOk('SalesRepName' in schema.schema.properties, 'deselected field left out of the schema');
  t.notOk('Notes' in schema.schema.properties, 'an unsupported field stays out even when selected');
  t.same(schema.key_properties, ['Id']);
  t.same(schema.bookmark_properties, ['UpdatedDate']);
  const accounts = messages.filter((m) => m.type === 'RECORD' && m.stream === 'Account');
  t.same(accounts.map((m) => m.record.Id).sort(), simIds(zuora, 'Account'));
  t.notOk(accounts.some((m) => 'SalesRepName' in m.record), 'and from the records');
  t.ok(accounts.every((m) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(m.record.UpdatedDate)), 'datetimes in UTC ISO-8601');
  const lastState = messages.filter((m) => m.type === 'STATE').at(-1)!.value;
  t.equal(lastState.currently_syncing, null);
  t.match(lastState.bookmarks.Account, { replication_key: 'UpdatedDate', replication_key_value: String });
  t.notMatch(JSON.stringify(lastState), new RegExp(String(zuora.tapConfig.client_secret)), 'no secret in the state');

  zuora.simulation.clock.advanceDays(60);
  const stateFile = writeJson(dir, 'state.singer', first.stdout);
  const later = await runCli(['--config', config, '--properties', catalogFile, '--state', stateFile]);
  t.equal(later.code, 0, later.stderr);
  const changed = parseLines(later.stdout).filter((m) => m.type === 'RECORD' && m.stream === 'Contact');
  const since = Date.parse(String(lastState.bookmarks.Contact.replication_key_value));
  const expected = simRows(zuora, 'Contact')
    .filter((row) => Math.floor((row.UpdatedDate as number) / 1000) * 1000 >= since)
    .map((row) => String(row.Id))
    .sort();
  t.ok(expected.length > 0, `${expected.length} contacts changed in 60 days`);
  t.same([...new Set(changed.map((m) => m.record.Id))].sort(), expected, 'only what changed since the state (the bookmark itself included)');
});

t.test('--test and the CI environment variables', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  const env = { ZUORA_URL: String(zuora.tapConfig.base_url), ZUORA_USERNAME: String(zuora.tapConfig.username), ZUORA_PASSWORD: String(zuora.tapConfig.password) };
  const ok = await runCli(['--test'], { env });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stderr, /connection ok: basic login to http:\/\/127\.0\.0\.1:\d+: 16 objects/);
  const bad = await runCli(['--test'], { env: { ...env, ZUORA_PASSWORD: 'not-the-password' } });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /Zuora refused the username\/password login at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401\)/);
  t.notMatch(bad.stderr, /not-the-password/);
  const none = await runCli(['--discover'], { env: {} });
  t.equal(none.code, 1);
  t.match(none.stderr, /no login configured/);
});

t.test('api_type REST reads through CRUD exports', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01, scenario: { jobPolls: 0 } });
  const dir = tempDir();
  const config = writeJson(dir, 'config.json', { ...configFor(zuora), api_type: 'REST', streams_to_discover: ['Product', 'ProductRatePlan'] });
  const result = await runCli(['--config', config]);
  t.equal(result.code, 0, result.stderr);
  t.ok(zuora.server.calls('export.create') >= 2, 'export jobs');
  t.equal(zuora.server.calls('aqua.submit'), 0, 'no AQuA job');
  t.same(parseLines(result.stdout).filter((m) => m.type === 'RECORD' && m.stream === 'Product').map((m) => m.record.Id).sort(), simIds(zuora, 'Product'));
});
