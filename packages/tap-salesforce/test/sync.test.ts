import { memoryLogger, normalizeState, type StreamContext, type TapState } from '@singer-io-ts/sdk';
import { runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import t from 'tap';
import type { SalesforceConfig } from '../src/index.js';
import { configFor, discoverCatalog, fastTap, rootMetadata, simIds, simRows, startOrg, syncStreams } from './helpers/salesforce.js';

const iso = (ms: unknown) => new Date(ms as number).toISOString();

t.test('pages are fetched only as records are pulled (backpressure)', async (t) => {
  const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 50 } });
  const config = configFor(sf);
  const tap = fastTap();
  const lead = (await tap.streams(config, { logger: memoryLogger() })).find((s) => s.name === 'Lead')!;
  const context: StreamContext<SalesforceConfig> = {
    config,
    logger: memoryLogger(),
    stream: 'Lead',
    selectedProperties: new Set(['Id', 'SystemModstamp', 'LastName']),
    replicationKey: 'SystemModstamp',
    startingValue: config.start_date,
    bookmark: {},
    saveBookmark: () => {},
    signal: new AbortController().signal,
  };
  const records = lead.records(context)[Symbol.asyncIterator]();
  for (let i = 0; i < 50; i++) await records.next();
  t.equal(sf.server.calls('queryAll'), 1, 'the first page');
  t.equal(sf.server.calls('queryMore'), 0, 'and nothing more while its rows are not all taken');
  const next = await records.next();
  t.same(Object.keys(next.value as object).sort(), ['Id', 'LastName', 'SystemModstamp'], 'only the selected fields');
  t.equal(sf.server.calls('queryMore'), 1, 'the 51st record pulls the second page');
  await records.return?.();
});

t.test('an object of more than 10,000 rows comes whole (no maxFetch cap), typed as the schema says', async (t) => {
  const sf = await startOrg(t, { scale: 1 });
  const run = await syncStreams(configFor(sf), ['CampaignMember']);
  const records = run.records('CampaignMember');
  const expected = simRows(sf, 'CampaignMember');
  t.ok(expected.length > 10_000, `${expected.length} rows`);
  t.equal(records.length, expected.length);
  t.same(records.map((r) => r.Id).sort(), expected.map((r) => r.Id).sort());
  t.ok(sf.server.calls('queryMore') >= 6, 'paged by nextRecordsUrl');
  const first = records[0]!;
  t.match(first.SystemModstamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'REST +0000 datetimes become ISO Z');
  const sim = expected.find((row) => row.Id === first.Id)!;
  t.equal(first.SystemModstamp, iso(sim.SystemModstamp));
  t.equal(first.HasResponded, sim.HasResponded);
  for (let i = 1; i < records.length; i++) {
    const [a, b] = [records[i - 1]!, records[i]!];
    if (a.SystemModstamp! > b.SystemModstamp! || (a.SystemModstamp === b.SystemModstamp && String(a.Id) >= String(b.Id))) {
      t.fail(`not ordered by (SystemModstamp, Id) at ${i}`);
      break;
    }
  }
});

t.test('deleted rows come through queryAll with _sdc_deleted_at = their SystemModstamp', async (t) => {
  const sf = await startOrg(t);
  const run = await syncStreams(configFor(sf), ['Lead']);
  const deleted = run.records('Lead').filter((r) => r.IsDeleted === true);
  const expected = simRows(sf, 'Lead').filter((r) => r.IsDeleted === true);
  t.ok(expected.length > 0);
  t.same(deleted.map((r) => r.Id).sort(), expected.map((r) => r.Id).sort());
  for (const record of deleted) t.equal(record._sdc_deleted_at, record.SystemModstamp);
  t.ok(run.records('Lead').filter((r) => r.IsDeleted === false).every((r) => r._sdc_deleted_at === null), 'live rows carry null');
});

// AUTO sees Lead as small and reads it through REST: a stream AUTO declares unsorted (it might
// have chosen Bulk) keeps its bookmark moving mid-object all the same.
for (const api_type of ['REST', 'AUTO'] as const) {
  t.test(`${api_type}: stops inside 405 rows sharing one SystemModstamp resume exactly: none lost, none repeated`, async (t) => {
    // 50-row pages, 4 quota-counted calls per run (AUTO's COUNT() is one): runs stop cleanly on the quota, mid-object.
    const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 50, dailyApiLimit: 1000 } });
    const config = configFor(sf, 'refresh_token', { api_type, quota_percent_per_run: 0.4 });
    const tap = fastTap();
    const catalog = selectStreams(await discoverCatalog(config), ['Lead']);
    const seen: string[] = [];
    const states: TapState[] = [];
    let state: unknown;
    for (let run = 0; run < 30; run++) {
      const result = await runTap(tap, { config, catalog, ...(state !== undefined ? { state } : {}) });
      seen.push(...result.records('Lead').map((r) => String(r.Id)));
      state = result.finalState;
      states.push(normalizeState(state));
      if (!result.summary.stoppedEarly) break;
      t.match(result.summary.stoppedEarly, /this run's usage would reach 5 calls/);
    }
    t.ok(states.length >= 3, `${states.length} runs`);
    t.equal(new Set(seen).size, seen.length, 'no row extracted twice');
    t.same([...seen].sort(), simIds(sf, 'Lead'), 'every row extracted');
    const tie = '2026-11-20T02:00:00.000Z';
    const stopsInTie = states.slice(0, -1).filter((s) => s.bookmarks.Lead?.replication_key_value === tie);
    t.ok(stopsInTie.length >= 2, `${stopsInTie.length} runs stopped inside the tie`);
    for (const s of stopsInTie) t.type(s.bookmarks.Lead?.last_id, 'string', 'with the Id to resume after');
    t.equal(states.at(-1)?.currently_syncing, null);
  });
}

t.test('an incremental run after the clock moves extracts the changed rows, deletes included', async (t) => {
  const sf = await startOrg(t);
  const config = configFor(sf);
  const first = await syncStreams(config, ['Lead', 'Contact']);
  const bookmark = normalizeState(first.finalState).bookmarks.Lead!;
  t.equal(bookmark.replication_key, 'SystemModstamp');
  sf.simulation.clock.advanceDays(30);
  const second = await syncStreams(config, ['Lead', 'Contact'], first.finalState);
  for (const object of ['Lead', 'Contact']) {
    const before = normalizeState(first.finalState).bookmarks[object]!;
    const expected = simRows(sf, object).filter((row) => iso(row.SystemModstamp) > String(before.replication_key_value));
    const got = second.records(object);
    t.same(got.map((r) => r.Id).sort(), expected.map((r) => String(r.Id)).sort(), `${object}: exactly the rows changed since the bookmark`);
    t.ok(got.length < first.records(object).length / 2, `${object}: ${got.length} records, not a full reload`);
  }
  const deleted = second.records('Lead').filter((r) => r._sdc_deleted_at !== null);
  t.ok(deleted.length > 0, `${deleted.length} deletes in the increment`);

  const third = await syncStreams(config, ['Lead'], second.finalState);
  t.equal(third.records('Lead').length, 0, 'nothing changed: nothing extracted, not even the rows at the bookmark');
});

t.test('lookback_window re-reads the last seconds before the bookmark after a completed run', async (t) => {
  const sf = await startOrg(t);
  const config = configFor(sf, 'refresh_token', { lookback_window: 30 * 86_400 });
  const first = await syncStreams(config, ['Contact']);
  const bookmark = normalizeState(first.finalState).bookmarks.Contact!;
  t.equal(bookmark.last_id, undefined, 'no tie-breaker kept when a lookback applies');
  const second = await syncStreams(config, ['Contact'], first.finalState);
  const since = Date.parse(String(bookmark.replication_key_value)) - 30 * 86_400_000;
  const expected = simRows(sf, 'Contact').filter((row) => (row.SystemModstamp as number) >= since);
  t.ok(expected.length > 0);
  t.same(second.records('Contact').map((r) => r.Id).sort(), expected.map((r) => String(r.Id)).sort());
});

t.test('FULL_TABLE: Id order, ACTIVATE_VERSION around it, an interrupted table resumes in the same version', async (t) => {
  const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 50, dailyApiLimit: 1000 } });
  const config = configFor(sf, 'refresh_token', { quota_percent_per_run: 0.1 });
  const tap = fastTap();
  const catalog = selectStreams(await discoverCatalog(config), ['Account']);
  const root = catalog.streams.find((s) => s.tap_stream_id === 'Account')!.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
  root['replication-method'] = 'FULL_TABLE';

  const first = await runTap(tap, { config, catalog });
  t.ok(first.summary.stoppedEarly, 'stopped on the quota after one page');
  const state = normalizeState(first.finalState).bookmarks.Account!;
  t.type(state.full_table_last_id, 'string');
  t.type(state.version, 'number');
  const activations = (run: typeof first) => run.messages.filter((m) => m.type === 'ACTIVATE_VERSION');
  t.equal(activations(first).length, 1, 'ACTIVATE_VERSION before the first rows');

  const second = await runTap(tap, { config, catalog, state: first.finalState });
  t.notOk(second.summary.stoppedEarly);
  const ids = [...first.records('Account'), ...second.records('Account')].map((r) => String(r.Id));
  t.same(ids, [...ids].sort(), 'in Id order');
  t.same(ids, simIds(sf, 'Account'), 'every row once');
  t.same(second.recordMessages('Account').map((m) => m.version).filter((v) => v !== state.version), [], 'the same table version');
  t.same(activations(second).map((m) => (m as { version: number }).version), [state.version, state.version], 'ACTIVATE_VERSION of the same version, again once the table is complete');
  t.equal(second.messages.filter((m) => m.type !== 'STATE').at(-1)?.type, 'ACTIVATE_VERSION', 'after the last row');
  const done = normalizeState(second.finalState).bookmarks.Account!;
  t.equal(done.full_table_last_id, undefined, 'the next full table starts over');
  t.equal(done.initial_full_table_complete, true);
});

t.test('an object without a datetime key: discovered as forced FULL_TABLE, read whole in Id order between two ACTIVATE_VERSIONs, deletes flagged', async (t) => {
  const sf = await startOrg(t);
  // The org's Lead as an object with no SystemModstamp, LastModifiedDate or CreatedDate would
  // describe it (the simulated org has none such): every describe of the tap gets this one.
  const describe = (await (await fetch(`${sf.url}/services/data/v62.0/sobjects/Lead/describe`, { headers: { authorization: `Bearer ${sf.issueToken()}` } })).json()) as { fields: Array<{ name: string }> };
  const keyless = { ...describe, fields: describe.fields.filter((field) => !['SystemModstamp', 'LastModifiedDate', 'CreatedDate'].includes(field.name)) };
  const body = JSON.stringify({ hasErrors: false, results: [{ statusCode: 200, result: keyless }] });
  sf.server.inject({ route: 'composite.batch', times: Infinity, action: { type: 'status', status: 200, headers: { 'content-type': 'application/json' }, body } });
  const config = configFor(sf, 'refresh_token', { streams_to_discover: ['Lead'] });

  const catalog = await discoverCatalog(config);
  const root = rootMetadata(catalog, 'Lead');
  t.equal(root['forced-replication-method'], 'FULL_TABLE');
  t.notOk(root['replication-key'], 'no replication key');
  const run = await runTap(fastTap(), { config, catalog: selectStreams(catalog, ['Lead']) });
  const rows = run.records('Lead');
  t.same(rows.map((r) => String(r.Id)), simIds(sf, 'Lead'), 'every row once, in Id order');
  t.same(run.messages.filter((m) => m.type !== 'STATE' && m.type !== 'SCHEMA').map((m) => m.type).filter((type, i, all) => type !== all[i - 1]), ['ACTIVATE_VERSION', 'RECORD', 'ACTIVATE_VERSION']);
  const deleted = rows.filter((r) => r.IsDeleted === true);
  t.ok(deleted.length > 0, `${deleted.length} deleted rows`);
  t.ok(deleted.every((r) => typeof r._sdc_deleted_at === 'string'), 'deleted rows carry _sdc_deleted_at (when they were extracted)');
  t.ok(rows.filter((r) => r.IsDeleted === false).every((r) => r._sdc_deleted_at === null), 'live rows carry null');
  t.equal(normalizeState(run.finalState).bookmarks.Lead?.initial_full_table_complete, true);
});

t.test('objects sync in parallel up to max_workers, each complete and resumable', async (t) => {
  const sf = await startOrg(t, { scenario: { maxQueryBatchSize: 200 } });
  const objects = ['Account', 'Contact', 'Lead', 'CampaignMember'];
  const recordOrder = (run: Awaited<ReturnType<typeof syncStreams>>) => run.messages.flatMap((m) => (m.type === 'RECORD' ? [m.stream] : []));
  const switches = (order: string[]) => order.filter((name, i) => i > 0 && name !== order[i - 1]).length;

  const parallel = await syncStreams(configFor(sf, 'refresh_token', { max_workers: 4 }), objects);
  const order = recordOrder(parallel);
  t.ok(switches(order) > objects.length, `records of the ${objects.length} objects interleave (${switches(order)} switches)`);
  for (const object of objects) t.same(ids(parallel.records(object)), simIds(sf, object), `${object}: every row once`);
  const final = normalizeState(parallel.finalState);
  t.equal(final.currently_syncing, null);
  t.same(Object.keys(final.bookmarks).sort(), [...objects].sort());

  const serial = await syncStreams(configFor(sf, 'refresh_token', { max_workers: 1 }), objects);
  t.equal(switches(recordOrder(serial)), objects.length - 1, 'max_workers 1: one object after another');
});

function ids(records: Array<Record<string, unknown>>): string[] {
  return records.map((r) => String(r.Id)).sort();
}
