import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { singerValidator } from '../src/validation.js';
import { parseLines, runTs } from './helpers/spawn.js';

const fixture = fileURLToPath(new URL('./fixtures/example-tap/', import.meta.url));
const bin = join(fixture, 'bin.ts');
const dir = mkdtempSync(join(tmpdir(), 'example-tap-'));
const SECRET = 'good-key-123';

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const config = file('config.json', { data_dir: fixture, api_key: SECRET, page_size: 4 });
type Message = Record<string, any>;
const ofType = (messages: Message[], type: string, stream?: string) => messages.filter((m) => m.type === type && (stream === undefined || m.stream === stream));

async function discoverCatalog(): Promise<any> {
  const result = await runTs(bin, ['--config', config, '--discover']);
  t.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function select(catalog: any, streams: Record<string, { fields?: Record<string, boolean>; key?: string; method?: string }>): string {
  const copy = structuredClone(catalog);
  for (const entry of copy.streams) {
    const choice = streams[entry.tap_stream_id];
    for (const m of entry.metadata) {
      if (m.breadcrumb.length === 0) {
        m.metadata.selected = choice !== undefined;
        if (choice?.key) m.metadata['replication-key'] = choice.key;
        if (choice?.method) m.metadata['replication-method'] = choice.method;
      } else if (choice?.fields && m.breadcrumb[1] in choice.fields) m.metadata.selected = choice.fields[m.breadcrumb[1]];
    }
  }
  return file(`catalog-${Math.random().toString(36).slice(2)}.json`, copy);
}

t.test('--discover prints a valid catalog with the standard metadata', async (t) => {
  const catalog = await discoverCatalog();
  const validate = singerValidator('catalog');
  t.ok(validate(catalog), JSON.stringify(validate.errors));
  t.same(catalog.streams.map((s: any) => s.tap_stream_id), ['users', 'events', 'countries', 'legacy_audit']);
  const users = catalog.streams[0];
  const root = users.metadata.find((m: any) => m.breadcrumb.length === 0).metadata;
  t.same(root, {
    inclusion: 'available',
    'selected-by-default': true,
    'table-key-properties': ['id'],
    'valid-replication-keys': ['updated_at'],
    'replication-method': 'INCREMENTAL',
    'replication-key': 'updated_at',
  });
  const field = (name: string) => users.metadata.find((m: any) => m.breadcrumb[1] === name).metadata;
  t.same(field('id'), { inclusion: 'automatic' });
  t.same(field('updated_at'), { inclusion: 'automatic' });
  t.same(field('email'), { inclusion: 'available', 'selected-by-default': true, label: 'E-mail address' });
  const countries = catalog.streams[2].metadata.find((m: any) => m.breadcrumb.length === 0).metadata;
  t.equal(countries['forced-replication-method'], 'FULL_TABLE');
  const audit = catalog.streams[3].metadata.find((m: any) => m.breadcrumb.length === 0).metadata;
  t.equal(audit.inclusion, 'unsupported');
  t.match(audit['unsupported-description'], /cannot export/);
});

t.test('sync with a catalog: only selected streams and fields, automatic fields always', async (t) => {
  const catalog = await discoverCatalog();
  const catalogFile = select(catalog, { users: { fields: { email: false, updated_at: false } }, legacy_audit: {} });
  const result = await runTs(bin, ['--config', config, '--catalog', catalogFile]);
  t.equal(result.code, 0, result.stderr);
  const messages = parseLines(result.stdout);
  t.same([...new Set(messages.filter((m) => m.stream).map((m) => m.stream))], ['users'], 'unselected and unsupported streams are skipped');
  const schema = ofType(messages, 'SCHEMA', 'users')[0]!;
  t.same(Object.keys(schema.schema.properties), ['id', 'name', 'updated_at']);
  t.same(schema.key_properties, ['id']);
  t.same(schema.bookmark_properties, ['updated_at']);
  const records = ofType(messages, 'RECORD', 'users');
  t.equal(records.length, 25);
  t.same(Object.keys(records[0]!.record), ['id', 'name', 'updated_at']);
  t.match(records[0]!.time_extracted, /^\d{4}-\d\d-\d\dT/);
  t.equal(records[0]!.record.name, 'User 1 — "quoted"\ttab');
  const state = ofType(messages, 'STATE').at(-1)!.value;
  t.same(state, { bookmarks: { users: { replication_key: 'updated_at', replication_key_value: '2024-01-01T08:00:00.000Z' } }, currently_syncing: null });
  t.match(result.stderr, /INFO METRIC: \{"type":"counter","metric":"record_count","value":25,"tags":\{"endpoint":"users","stream":"users"\}\}/);
  t.match(result.stderr, /INFO METRIC: \{"type":"timer","metric":"sync_duration","value":[\d.]+,"tags":\{"stream":"users","status":"succeeded"\}\}/);
  t.notMatch(result.stderr, /records\/s/, 'no progress line when stderr is not a TTY');

  const legacy = await runTs(bin, ['--config', config, '--properties', catalogFile]);
  t.equal(legacy.code, 0);
  t.equal(ofType(parseLines(legacy.stdout), 'RECORD').length, 25, '--properties is read like --catalog');
});

t.test('incremental from state, and from start_date', async (t) => {
  const catalogFile = select(await discoverCatalog(), { users: {} });
  const state = file('state-users.json', { bookmarks: { users: { replication_key: 'updated_at', replication_key_value: '2024-01-01T07:00:00.000Z' } } });
  const fromState = parseLines((await runTs(bin, ['--config', config, '--catalog', catalogFile, '--state', state])).stdout);
  t.same(ofType(fromState, 'RECORD').map((m) => m.record.id), [21, 22, 23, 24, 25], '>= bookmark, ties included');

  const startConfig = file('config-start.json', { start_date: '2024-01-01T08:00:00.000Z' });
  const fromStart = parseLines((await runTs(bin, ['--config', config, '--config', startConfig, '--catalog', catalogFile])).stdout);
  t.same(ofType(fromStart, 'RECORD').map((m) => m.record.id), [24, 25], 'start_date from a second --config file');

  const targetOutput = file('target-output.singer', `{"type":"STATE","value":{"bookmarks":{}}}\n{"type":"STATE","value":{"bookmarks":{"users":{"replication_key":"updated_at","replication_key_value":"2024-01-01T08:00:00.000Z"}}}}\n`);
  const fromTargetOutput = parseLines((await runTs(bin, ['--config', config, '--catalog', catalogFile, '--state', targetOutput])).stdout);
  t.same(ofType(fromTargetOutput, 'RECORD').map((m) => m.record.id), [24, 25], 'a target\'s output works as a state file: the last STATE counts');
});

t.test('interrupted sync resumes from the last emitted state without losing a record', async (t) => {
  const catalogFile = select(await discoverCatalog(), { users: {} });
  const failing = file('config-fail.json', { fail_after_records: 13, state_message_frequency: 5 });
  const crashed = await runTs(bin, ['--config', config, '--config', failing, '--catalog', catalogFile]);
  t.equal(crashed.code, 1);
  const errorLines = crashed.stderr.split('\n').filter((line) => line.startsWith('ERROR'));
  t.same(errorLines, ['ERROR tap-example: stream "users": source connection lost (api key *** rejected)'], 'one line naming the stream, secret redacted');
  t.notMatch(crashed.stderr, SECRET);
  const messages = parseLines(crashed.stdout);
  const firstRun = ofType(messages, 'RECORD').map((m) => m.record.id);
  t.same(firstRun, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  const lastState = ofType(messages, 'STATE').at(-1)!.value;
  t.same(lastState.bookmarks.users, { replication_key: 'updated_at', replication_key_value: '2024-01-01T03:00:00.000Z' }, 'bookmark of the 10th record');
  t.equal(lastState.currently_syncing, 'users');

  const stateFile = file('state-crash.json', lastState);
  const resumed = await runTs(bin, ['--config', config, '--catalog', catalogFile, '--state', stateFile]);
  t.equal(resumed.code, 0, resumed.stderr);
  const secondRun = ofType(parseLines(resumed.stdout), 'RECORD').map((m) => m.record.id);
  t.same(secondRun, [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25], 'resumes at the bookmark (ties refetched)');
  t.same([...new Set([...firstRun, ...secondRun])].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i + 1), 'no record lost');
});

t.test('unsorted stream: bookmark moves only at the end; another valid replication key can be chosen', async (t) => {
  const catalogFile = select(await discoverCatalog(), { events: {} });
  const run = parseLines((await runTs(bin, ['--config', config, '--catalog', catalogFile])).stdout);
  const states = ofType(run, 'STATE').map((m) => m.value);
  t.same(states.at(-1).bookmarks.events, { replication_key: 'occurred_at', replication_key_value: '2024-01-01T09:52:00.000Z' }, 'max of an unsorted stream');
  t.equal(ofType(run, 'RECORD').length, 30);

  const byId = select(await discoverCatalog(), { events: { key: 'id' } });
  const run2 = parseLines((await runTs(bin, ['--config', config, '--catalog', byId])).stdout);
  t.same(ofType(run2, 'STATE').at(-1)!.value.bookmarks.events, { replication_key: 'id', replication_key_value: 30 });

  const bad = select(await discoverCatalog(), { events: { key: 'kind' } });
  const failed = await runTs(bin, ['--config', config, '--catalog', bad]);
  t.equal(failed.code, 1);
  t.match(failed.stderr, /ERROR tap-example: catalog chooses replication key "kind" for stream "events", which is not one of: occurred_at, id/);
});

t.test('full table with ACTIVATE_VERSION: first sync activates before and after, later syncs after', async (t) => {
  const catalogFile = select(await discoverCatalog(), { countries: {} });
  const first: Message[] = parseLines((await runTs(bin, ['--config', config, '--catalog', catalogFile])).stdout);
  const kinds = first.map((m) => m.type);
  t.same(kinds, ['SCHEMA', 'ACTIVATE_VERSION', 'RECORD', 'RECORD', 'RECORD', 'RECORD', 'RECORD', 'ACTIVATE_VERSION', 'STATE', 'STATE']);
  const version: number = first[1]!.version;
  t.ok(Number.isInteger(version));
  t.ok(ofType(first, 'RECORD').every((m) => m.version === version), 'records carry the version');
  const state = ofType(first, 'STATE').at(-1)!.value;
  t.same(state.bookmarks.countries, { initial_full_table_complete: true });

  await new Promise((r) => setTimeout(r, 5));
  const second: Message[] = parseLines((await runTs(bin, ['--config', config, '--catalog', catalogFile, '--state', file('state-av.json', state)])).stdout);
  t.same(second.map((m) => m.type).filter((type) => type === 'ACTIVATE_VERSION').length, 1, 'only the closing ACTIVATE_VERSION');
  t.ok(second.find((m) => m.type === 'ACTIVATE_VERSION')!.version > version, 'a new version');
});

t.test('config: validation before any I/O, env variables, aliases, unknown keys, secrets', async (t) => {
  const missing = await runTs(bin, ['--config', file('partial.json', { data_dir: fixture }), '--discover']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /ERROR tap-example: invalid config: missing required field "api_key"/);
  t.equal(missing.stdout, '');

  const wrongType = await runTs(bin, ['--config', file('wrong.json', { data_dir: fixture, api_key: SECRET, page_size: 'ten' })]);
  t.match(wrongType.stderr, /invalid config: page_size must be integer/);
  t.notMatch(wrongType.stderr, SECRET);

  const badSecret = await runTs(bin, ['--config', file('bad-secret.json', { data_dir: fixture, api_key: 123456 })]);
  t.match(badSecret.stderr, /invalid config: api_key must be string/);
  t.notMatch(badSecret.stderr, '123456', 'the bad value is not echoed');

  const notJson = await runTs(bin, ['--config', file('broken.json', `{"api_key": "${SECRET}",`)]);
  t.match(notJson.stderr, /config file .*broken\.json is not valid JSON/);
  t.notMatch(notJson.stderr, SECRET);

  const fromEnv = await runTs(bin, ['--test'], { env: { TAP_EXAMPLE_DATA_DIR: fixture, TAP_EXAMPLE_API_KEY: SECRET, TAP_EXAMPLE_PAGE_SIZE: '2' } });
  t.equal(fromEnv.code, 0, fromEnv.stderr);
  t.match(fromEnv.stderr, /INFO tap-example: connection ok: data in /);

  const fromAlias = await runTs(bin, ['--test', '--config', file('no-key.json', { data_dir: fixture })], { env: { EXAMPLE_KEY: SECRET } });
  t.equal(fromAlias.code, 0, fromAlias.stderr);

  const rejected = await runTs(bin, ['--test', '--config', file('bad-key.json', { data_dir: fixture, api_key: 'wrong-key-999' })]);
  t.equal(rejected.code, 1);
  t.same(rejected.stderr.trim().split('\n'), ['ERROR tap-example: the example API rejected the api key (HTTP 401)']);

  const typo = await runTs(bin, ['--test', '--config', config, '--config', file('typo.json', { page_sise: 3, tap_other_setting: true })]);
  t.equal(typo.code, 0);
  t.match(typo.stderr, /WARN tap-example: unknown config key "page_sise" ignored \(did you mean "page_size"\?\)/);
  t.match(typo.stderr, /unknown config key "tap_other_setting" ignored\n/);
});

t.test('--about in text, json and markdown; secrets marked, defaults shown', async (t) => {
  const json = await runTs(bin, ['--about', '--format', 'json']);
  t.equal(json.code, 0);
  const about = JSON.parse(json.stdout);
  t.equal(about.name, 'tap-example');
  t.equal(about.version, '1.2.3');
  t.ok(about.capabilities.includes('activate-version'));
  t.ok(about.capabilities.includes('stream-maps'));
  const apiKey = about.settings.find((s: any) => s.name === 'api_key');
  t.same(apiKey, { name: 'api_key', type: 'string', description: 'Key of the example API', required: true, secret: true, env: ['TAP_EXAMPLE_API_KEY', 'EXAMPLE_KEY'] });
  t.same(about.settings.find((s: any) => s.name === 'page_size').default, 4);

  const markdown = await runTs(bin, ['--about', '--format', 'markdown']);
  t.match(markdown.stdout, /\| `api_key` \| string \| yes \| yes \| {2}\| `TAP_EXAMPLE_API_KEY`, `EXAMPLE_KEY` \| Key of the example API \|/);

  const version = await runTs(bin, ['--version']);
  t.equal(version.stdout.trim(), '1.2.3');

  const unknownFlag = await runTs(bin, ['--discovr']);
  t.equal(unknownFlag.code, 2);
  t.match(unknownFlag.stderr, /Unknown argument: discovr/);
});

t.test('stream maps from config: alias a stream, hash a property with a secret salt, drop one', async (t) => {
  const catalogFile = select(await discoverCatalog(), { users: {} });
  const maps = file('maps.json', {
    stream_maps: { users: { __alias__: 'people', email: "sha256(email + config['salt'])", name: null } },
    stream_map_config: { salt: 'pepper-secret' },
  });
  const result = await runTs(bin, ['--config', config, '--config', maps, '--catalog', catalogFile]);
  t.equal(result.code, 0, result.stderr);
  const messages = parseLines(result.stdout);
  const schema = ofType(messages, 'SCHEMA')[0]!;
  t.equal(schema.stream, 'people');
  t.same(Object.keys(schema.schema.properties).sort(), ['email', 'id', 'updated_at']);
  const { createHash } = await import('node:crypto');
  const first = ofType(messages, 'RECORD', 'people')[0]!.record;
  t.equal(first.email, createHash('sha256').update('user1@example.com' + 'pepper-secret').digest('hex'));
  t.notOk('name' in first);
  t.ok(ofType(messages, 'STATE').at(-1)!.value.bookmarks.users, 'state keeps the tap\'s own stream name');
});

t.test('a quota about to run out stops the sync cleanly: exit 0, resumable state', async (t) => {
  const catalogFile = select(await discoverCatalog(), { users: {}, countries: {} });
  const quota = file('config-quota.json', { quota_after_records: 7, state_message_frequency: 3 });
  const stopped = await runTs(bin, ['--config', config, '--config', quota, '--catalog', catalogFile]);
  t.equal(stopped.code, 0, stopped.stderr);
  t.match(stopped.stderr, /WARN tap-example: stopping before the quota runs out: daily API quota: 7 calls used of 7; the next run resumes from the state just emitted/);
  const messages = parseLines(stopped.stdout);
  t.same(ofType(messages, 'RECORD').map((m) => m.record.id), [1, 2, 3, 4, 5, 6, 7]);
  t.same(ofType(messages, 'RECORD', 'countries'), [], 'later streams are not started');
  const state = ofType(messages, 'STATE').at(-1)!.value;
  t.same(state.bookmarks.users, { replication_key: 'updated_at', replication_key_value: '2024-01-01T02:00:00.000Z' }, 'bookmark of the last record written');
  t.equal(state.currently_syncing, 'users', 'the next run starts with the interrupted stream');
});

t.test('secrets never reach the state', async (t) => {
  const catalogFile = select(await discoverCatalog(), { users: {} });
  const leaky = file('config-leak.json', { leak_key_into_state: true });
  const result = await runTs(bin, ['--config', config, '--config', leaky, '--catalog', catalogFile]);
  t.equal(result.code, 0, result.stderr);
  t.notMatch(result.stdout, SECRET);
  t.equal(ofType(parseLines(result.stdout), 'STATE').at(-1)!.value.bookmarks.users.session, 'token-for-***');
});
