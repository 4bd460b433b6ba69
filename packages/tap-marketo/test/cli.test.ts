/** The real `tap-marketo` command (bin → dist), as a Singer runner drives it. */
import { singerValidator } from '@singer-io-ts/sdk';
import t from 'tap';
import { ALL_STREAMS, configFor, parseLines, runCli, startInstance, tempDir, writeJson } from './helpers/marketo.js';

t.test('--about: capabilities and every setting, secrets flagged', async (t) => {
  const result = await runCli(['--about', '--format', 'json']);
  t.equal(result.code, 0, result.stderr);
  const about = JSON.parse(result.stdout);
  t.equal(about.name, 'tap-marketo');
  t.match(about.capabilities, ['about', 'test', 'catalog', 'discover', 'state', 'properties', 'stream-maps']);
  const setting = (name: string) => about.settings.find((s: { name: string }) => s.name === name);
  t.equal(setting('client_secret').secret, true);
  t.same(setting('endpoint').env, ['TAP_MARKETO_ENDPOINT']);
  for (const name of ['identity', 'client_id', 'start_date', 'max_daily_calls', 'max_export_days', 'activity_types', 'use_corona']) t.ok(setting(name), `setting ${name}`);
  const markdown = await runCli(['--about', '--format', 'markdown']);
  t.match(markdown.stdout, /\| `max_export_days` \| integer \|/);
});

t.test('--discover, then --catalog, then --state: a Singer run from the command line', async (t) => {
  const mk = await startInstance(t, { scale: 0.01 });
  const dir = tempDir();
  const config = writeJson(dir, 'config.json', configFor(mk));

  const discovered = await runCli(['--config', config, '--discover']);
  t.equal(discovered.code, 0, discovered.stderr);
  const catalog = JSON.parse(discovered.stdout);
  t.ok(singerValidator('catalog')(catalog), 'stdout is exactly one valid catalog');
  t.same(catalog.streams.map((s: { tap_stream_id: string }) => s.tap_stream_id).sort(), [...ALL_STREAMS].sort());
  t.notMatch(discovered.stderr, new RegExp(String(mk.tapConfig.client_secret)), 'no secret in the logs');
  const leads = catalog.streams.find((s: { tap_stream_id: string }) => s.tap_stream_id === 'leads');
  t.ok('sfdcLeadId' in leads.schema.properties && 'email' in leads.schema.properties, 'leads fields from describe');
  t.notOk('LegacyLeadRank' in leads.schema.properties, 'fields without a REST name left out');
  t.same(leads.schema.properties.updatedAt, { type: ['string', 'null'], format: 'date-time' });

  for (const entry of catalog.streams) {
    for (const m of entry.metadata) {
      if (m.breadcrumb.length === 0) m.metadata.selected = ['leads', 'programs', 'deleted_leads'].includes(entry.tap_stream_id);
      if (entry.tap_stream_id === 'leads' && m.breadcrumb[1] === 'mktoPersonNotes') m.metadata.selected = false;
    }
  }
  const catalogFile = writeJson(dir, 'catalog.json', catalog);
  const first = await runCli(['--config', config, '--catalog', catalogFile]);
  t.equal(first.code, 0, first.stderr);
  const messages = parseLines(first.stdout);
  t.same([...new Set(messages.filter((m) => m.stream).map((m) => m.stream))].sort(), ['deleted_leads', 'leads', 'programs'], 'selected streams only');
  const schema = messages.find((m) => m.type === 'SCHEMA' && m.stream === 'leads')!;
  t.notOk('mktoPersonNotes' in schema.schema.properties, 'deselected field left out of the schema');
  t.same(schema.key_properties, ['id']);
  t.same(schema.bookmark_properties, ['updatedAt']);
  const leadIds = messages.filter((m) => m.type === 'RECORD' && m.stream === 'leads').map((m) => m.record.id);
  const simLeads = [...mk.simulation.company.table('marketo', 'leads')!.scan({ asOf: mk.simulation.clock.now() })];
  t.same(leadIds.sort(), simLeads.map((row) => row.id).sort(), 'every lead');
  const exports = mk.server.requests.filter((r) => r.route === 'bulk.create').length;
  t.ok(exports >= 24, `${exports} lead export windows`);
  const lastState = messages.filter((m) => m.type === 'STATE').at(-1)!.value;
  t.equal(lastState.currently_syncing, null);
  t.match(lastState.bookmarks.leads, { replication_key: 'updatedAt', replication_key_value: String, window_start: String });

  // A state file may be a state object or a target's whole output; the last STATE counts.
  const stateFile = writeJson(dir, 'state.singer', first.stdout);
  mk.simulation.clock.advanceDays(20);
  const later = await runCli(['--config', config, '--properties', catalogFile, '--state', stateFile]);
  t.equal(later.code, 0, later.stderr);
  const changed = parseLines(later.stdout).filter((m) => m.type === 'RECORD' && m.stream === 'leads');
  const since = Date.parse(String(lastState.bookmarks.leads.window_start));
  const expected = [...mk.simulation.company.table('marketo', 'leads')!.scan({ asOf: mk.simulation.clock.now() })].filter((row) => Number(row.updatedAt) >= since);
  t.ok(expected.length > 0, `${expected.length} leads changed in 20 days`);
  t.same(changed.map((m) => m.record.id).sort(), expected.map((row) => row.id).sort(), 'only what changed since the state');
});

t.test('--test, bad credentials, bad config: clear errors, no secrets', async (t) => {
  const mk = await startInstance(t, { scale: 0.01 });
  const dir = tempDir();
  const ok = await runCli(['--test', '--config', writeJson(dir, 'ok.json', configFor(mk))]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stderr, /connection ok: .*\/rest: \d+ lead fields/);
  const bad = await runCli(['--test', '--config', writeJson(dir, 'bad.json', configFor(mk, { client_secret: 'not-the-secret' }))]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /Marketo authentication at .*identity\/oauth\/token failed: .*401.*check client_id and client_secret/);
  t.notMatch(bad.stderr, /not-the-secret/);
  // identity comes from the config, not from the endpoint: another URL of the same service works,
  // and a wrong one fails although the endpoint's own /identity would have answered.
  const identity = `${mk.url}/identity`;
  t.not(identity, mk.tapConfig.identity, 'not the URL derived from the endpoint');
  const moved = await runCli(['--test', '--config', writeJson(dir, 'identity.json', configFor(mk, { identity }))]);
  t.equal(moved.code, 0, moved.stderr);
  const wrong = await runCli(['--test', '--config', writeJson(dir, 'wrong-identity.json', configFor(mk, { identity: `${mk.url}/nowhere/identity` }))]);
  t.equal(wrong.code, 1);
  t.match(wrong.stderr, /Marketo authentication at .*\/nowhere\/identity\/oauth\/token (failed|returned no access token)/);
  const wide = await runCli(['--discover', '--config', writeJson(dir, 'wide.json', configFor(mk, { max_export_days: 45 }))]);
  t.equal(wide.code, 1);
  t.match(wide.stderr, /max_export_days/);
  const env = await runCli(['--discover'], { env: { TAP_MARKETO_ENDPOINT: String(mk.tapConfig.endpoint), TAP_MARKETO_CLIENT_ID: String(mk.tapConfig.client_id), TAP_MARKETO_CLIENT_SECRET: String(mk.tapConfig.client_secret) } });
  t.equal(env.code, 0, env.stderr);
  const noStart = configFor(mk);
  delete noStart.start_date;
  const catalogRun = await runCli(['--config', writeJson(dir, 'nostart.json', noStart)]);
  t.equal(catalogRun.code, 1);
  t.match(catalogRun.stderr, /start_date is required to extract leads/);
  // A corrupt state names the stream, the bookmark's field and the file to correct.
  const corrupt = await runCli(['--config', writeJson(dir, 'ok.json', configFor(mk)), '--state', writeJson(dir, 'corrupt.json', { bookmarks: { leads: { window_start: 'garbage' } } })]);
  t.equal(corrupt.code, 1);
  t.match(corrupt.stderr, /leads: the bookmark's window_start "garbage" in the state is not a date; correct it, or remove it to resume from the bookmark's updatedAt or start_date/);
});
