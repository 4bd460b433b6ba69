/**
 * An object too wide for a REST query URL (about 16 KB): read through Bulk API 2.0, whose SOQL goes
 * in a POST body, under every api_type; where Bulk cannot read it either, a clear stop. The
 * simulated org is the default one with 600 custom fields added to Partner_Referral__c; its HTTP
 * server, like Salesforce, refuses a request line beyond 16 KB.
 */
import { memoryLogger, normalizeState, type Catalog } from '@singer-io-ts/sdk';
import { discoverTap, runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import type { SalesforceScenario } from '@singer-io-ts/simulators';
import t, { type Test } from 'tap';
import { buildSoql } from '../src/soql.js';
import { SalesforceClient, type SalesforceConfig } from '../src/index.js';
import { longestQueryUrlBytes, MAX_QUERY_URL_BYTES, queryPath } from '../src/streams/url-limit.js';
import { configFor, fastTap, simRows, startOrg, syncStreams } from './helpers/salesforce.js';
import { wideFields, wideSimulation } from './helpers/wide.js';

const WIDE = 'Partner_Referral__c';
const EXTRA = 600;
const EXTRA_NAMES = wideFields(EXTRA).map((field) => field.name);

type Row = Record<string, unknown>;
const byId = (rows: Row[]) => [...rows].sort((a, b) => (String(a.Id) < String(b.Id) ? -1 : String(a.Id) > String(b.Id) ? 1 : 0));
const ids = (rows: Row[]) => rows.map((row) => String(row.Id)).sort();

async function wideOrg(t: Test, scenario: Partial<SalesforceScenario> = {}) {
  const sf = await startOrg(t, { simulation: wideSimulation(WIDE, EXTRA), scenario: { bulkPageSize: 10, ...scenario } });
  const fields = sf.simulation.company.table('salesforce', WIDE)!.fields.length;
  return { sf, fields };
}

/** Every row of the object, each extra field holding what the simulator put there (not a neighbour's value). */
function checkWideRecords(t: Test, sf: Awaited<ReturnType<typeof startOrg>>, records: Row[]) {
  t.same(ids(records), ids(simRows(sf, WIDE)), `${WIDE}: every row (${records.length})`);
  const shifted = records.filter((record) => EXTRA_NAMES.some((name, i) => record[name] !== (i % 10 === 0 ? `${String(record.Id)}-${i}` : null)));
  t.equal(shifted.length, 0, `all ${EXTRA} extra fields of every record hold their own values`);
}

const tooLongLine = (fields: number) => new RegExp(`${WIDE}: a REST query of its ${fields} fields is a URL of up to \\d+ bytes, more than the 16000 Salesforce accepts`);

t.test('the simulated org refuses the wide REST query, as Salesforce does: the URL the tap measures is over the limit', async (t) => {
  const { sf, fields } = await wideOrg(t);
  const client = await SalesforceClient.connect(configFor(sf), memoryLogger());
  const names = sf.simulation.company.table('salesforce', WIDE)!.fields.map((field) => field.name);
  const spec = { object: WIDE, fields: names, replicationKey: 'SystemModstamp', window: {} };
  const bytes = longestQueryUrlBytes(client, spec, true);
  t.ok(bytes > MAX_QUERY_URL_BYTES, `${fields} fields: ${bytes} bytes`);
  t.ok(bytes >= client.url(queryPath(buildSoql(spec), true)).length, 'no shorter than the query a first run sends');
  await t.rejects(client.request(queryPath(buildSoql(spec), true)), /responded HTTP 431/, 'the REST query is refused (431: request line and headers over 16 KB)');
  const narrow = { ...spec, fields: names.filter((name) => !EXTRA_NAMES.includes(name)) };
  t.ok(longestQueryUrlBytes(client, narrow, true) < MAX_QUERY_URL_BYTES, 'without the extra fields it fits');
});

t.test('AUTO reads an object too wide for REST through Bulk without counting it; a narrow one still by its count', async (t) => {
  const { sf, fields } = await wideOrg(t);
  const config = configFor(sf, 'refresh_token', { api_type: 'AUTO', bulk_threshold_rows: 1_000_000 });
  const run = await syncStreams(config, [WIDE]);
  t.notOk(run.summary.stoppedEarly);
  t.equal(sf.server.calls('queryAll') + sf.server.calls('query'), 0, 'no REST query, not even the COUNT()');
  t.ok(sf.server.calls('bulk2.create') >= 1, 'a Bulk job');
  t.ok(sf.server.calls('bulk2.results') > 1, 'its results in several pages');
  checkWideRecords(t, sf, run.records(WIDE));
  t.ok(run.logLines.some((line) => tooLongLine(fields).test(line) && line.includes('Bulk API 2.0')), 'the reason is logged');

  const jobs = sf.server.calls('bulk2.create');
  const narrow = await syncStreams(config, ['Campaign']);
  t.same(ids(narrow.records('Campaign')), ids(simRows(sf, 'Campaign')));
  t.equal(sf.server.calls('bulk2.create'), jobs, 'Campaign: counted, small, REST');
});

/** The catalog with every extra field of the wide object deselected. */
function withoutExtras(catalog: Catalog): Catalog {
  const entry = catalog.streams.find((stream) => stream.tap_stream_id === WIDE)!;
  for (const { breadcrumb, metadata } of entry.metadata) if (breadcrumb[1] && EXTRA_NAMES.includes(breadcrumb[1])) metadata.selected = false;
  return catalog;
}

t.test('REST falls back to Bulk for an object too wide for a REST URL, with a warning; incremental from its bookmark; REST again once the fields fit', async (t) => {
  const { sf, fields } = await wideOrg(t);
  const config = configFor(sf);
  const run = await syncStreams(config, [WIDE]);
  t.notOk(run.summary.stoppedEarly);
  t.equal(sf.server.calls('queryAll') + sf.server.calls('query'), 0, 'no REST query sent');
  t.ok(sf.server.calls('bulk2.create') >= 1, 'read through Bulk');
  checkWideRecords(t, sf, run.records(WIDE));
  const warnings = run.logLines.filter((line) => tooLongLine(fields).test(line));
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0], /reading it through Bulk API 2.0 instead of REST \(api_type REST\)/);
  const bookmark = normalizeState(run.finalState).bookmarks[WIDE]!;
  const top = simRows(sf, WIDE).reduce((max, row) => Math.max(max, row.SystemModstamp as number), 0);
  t.equal(bookmark.replication_key_value, new Date(top).toISOString(), 'the bookmark: the highest key read');
  t.equal(bookmark.bulk_job, undefined);

  sf.simulation.clock.advanceDays(30);
  const since = String(bookmark.replication_key_value);
  const changed = simRows(sf, WIDE).filter((row) => new Date(row.SystemModstamp as number).toISOString() > since);
  t.ok(changed.length > 0, `${changed.length} rows changed in 30 days`);
  const second = await syncStreams(config, [WIDE], run.finalState);
  t.same(ids(second.records(WIDE)), ids(changed), 'the increment: exactly the rows changed since');

  // The same object with its extra fields deselected fits a URL: REST, the same rows and values.
  const [jobs, queries] = [sf.server.calls('bulk2.create'), sf.server.calls('queryAll')];
  const tap = fastTap();
  const catalog = withoutExtras(selectStreams(await discoverTap(tap, config), [WIDE]));
  const rest = await runTap(tap, { config, catalog });
  t.equal(sf.server.calls('bulk2.create'), jobs, 'no Bulk job');
  t.ok(sf.server.calls('queryAll') > queries, 'REST');
  t.notOk(rest.logLines.some((line) => tooLongLine(fields).test(line)), 'no warning');
  const full = await syncStreams(config, [WIDE]);
  const narrowed = byId(full.records(WIDE)).map((record) => Object.fromEntries(Object.entries(record).filter(([name]) => !EXTRA_NAMES.includes(name))));
  t.same(byId(rest.records(WIDE)), narrowed, 'REST gives the Bulk records, extra fields aside');
});

t.test('too wide for REST and refused by Bulk: the stream fails naming the object, its field count and Bulk\'s reason', async (t) => {
  const { sf, fields } = await wideOrg(t, { bulkUnsupportedObjects: [WIDE] });
  for (const apiType of ['REST', 'AUTO', 'BULK'] as const) {
    const config: SalesforceConfig = configFor(sf, 'refresh_token', { api_type: apiType });
    await t.rejects(syncStreams(config, [WIDE]), { message: new RegExp(`${tooLongLine(fields).source}, and Bulk API 2.0 cannot read it: Bulk API 2.0 refused the query \\(INVALIDENTITY`) }, apiType);
  }
  t.equal(sf.server.calls('queryAll') + sf.server.calls('query'), 0, 'no REST query sent');
});

t.test("too wide for REST with the org's daily Bulk jobs used up: a clean stop, read by the next run", async (t) => {
  const { sf, fields } = await wideOrg(t, { dailyBulkV2QueryJobs: 0 });
  const config = configFor(sf, 'refresh_token', { api_type: 'BULK' });
  const stopped = await syncStreams(config, [WIDE]);
  t.match(stopped.summary.stoppedEarly, new RegExp(`${tooLongLine(fields).source}, and Bulk API 2.0 cannot read it: .*LIMIT_EXCEEDED.*; the next run reads it`));
  t.equal(stopped.records(WIDE).length, 0);
  sf.scenario.dailyBulkV2QueryJobs = 10_000;
  const rerun = await syncStreams(config, [WIDE], stopped.finalState);
  t.notOk(rerun.summary.stoppedEarly);
  checkWideRecords(t, sf, rerun.records(WIDE));
});
