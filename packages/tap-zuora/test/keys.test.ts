/**
 * Objects without UpdatedDate: incremental by the next key of singer tap-zuora's list
 * (TransactionDate, UpdatedOn), or full table (every row each run, under a new table version).
 */
import type { ActivateVersionMessage } from '@singer-io-ts/sdk';
import { runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import t from 'tap';
import type { ApiType } from '../src/config.js';
import { planObject } from '../src/streams/schema.js';
import { FIXTURE_AS_OF, fixtureTenant } from './helpers/fixture-tenant.js';
import { configFor, discoverCatalog, fastTap, ids, rootMetadata, simRows, startTenant } from './helpers/zuora.js';

t.test('the replication key: UpdatedDate, else TransactionDate, else UpdatedOn, else none (full table)', async (t) => {
  const object = (...names: string[]) => ({ name: 'X', label: 'X', related: [], fields: ['Id', ...names].map((name) => ({ name, label: name, type: name === 'Id' ? 'text' : 'datetime', required: false, exportable: true, options: [] })) });
  t.equal(planObject(object('UpdatedOn', 'TransactionDate', 'UpdatedDate')).replicationKey, 'UpdatedDate');
  t.equal(planObject(object('UpdatedOn', 'TransactionDate')).replicationKey, 'TransactionDate');
  t.equal(planObject(object('UpdatedOn')).replicationKey, 'UpdatedOn');
  t.equal(planObject(object('CreatedDate')).replicationKey, undefined);
});

const LOGS = 'PaymentTransactionLog';
const KEYLESS = 'KeylessFixture';

for (const apiType of ['AQUA', 'REST'] as ApiType[]) {
  t.test(`${apiType}: an object keyed by TransactionDate syncs incrementally by it; one without a key is read whole each run, with ACTIVATE_VERSION`, async (t) => {
    const zuora = await startTenant(t, { simulation: fixtureTenant(), scenario: { noDeletedSupport: [LOGS] } });
    const config = configFor(zuora, 'oauth', { api_type: apiType });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: [LOGS, KEYLESS] }), [LOGS, KEYLESS]);
    t.match(rootMetadata(catalog, LOGS), { 'valid-replication-keys': ['TransactionDate'] });
    t.match(rootMetadata(catalog, KEYLESS), { 'forced-replication-method': 'FULL_TABLE' });

    const first = await runTap(fastTap(), { config, catalog });
    t.same(ids(first.records(LOGS)), ids(simRows(zuora, LOGS)), `${LOGS}: every row so far`);
    t.same(ids(first.records(KEYLESS)), ids(simRows(zuora, KEYLESS)), `${KEYLESS}: every row`);
    const queries = (object: string) => zuora.submittedJobs().flatMap((job) => job.queries.map((q) => q.query)).filter((query) => query.includes(`from ${object}`) && !query.endsWith('limit 1'));
    t.match(queries(LOGS).at(-1), new RegExp(`where TransactionDate >= '[^']+'${apiType === 'AQUA' ? ' order by TransactionDate asc' : ''}$`), 'bounded and ordered by its own key');
    t.notMatch(queries(KEYLESS).at(-1), / where | order by /, 'the keyless object is exported whole');
    const state = first.finalState as { bookmarks: Record<string, { replication_key?: string; replication_key_value?: string }> };
    t.equal(state.bookmarks[LOGS]?.replication_key, 'TransactionDate');
    t.notOk(state.bookmarks[KEYLESS]?.replication_key, 'no bookmark value for a full-table object');
    /** The version activated once the object was read whole: the last message of the stream. */
    const activated = (run: typeof first): number | undefined => {
      const last = run.messages.filter((m) => 'stream' in m && m.stream === KEYLESS).at(-1);
      return last?.type === 'ACTIVATE_VERSION' ? (last as ActivateVersionMessage).version : undefined;
    };
    t.ok(activated(first), 'ACTIVATE_VERSION after the full-table read');
    t.ok(first.recordMessages(KEYLESS).every((m) => m.version === activated(first)), 'its records carry that version');
    if (apiType === 'AQUA') t.ok(first.logLines.some((line) => line.includes(`stream "${LOGS}": Zuora cannot export its deleted rows`)), 'PaymentTransactionLog has no deleted-row export (90017): read without');

    zuora.simulation.clock.advanceDays(40);
    const second = await runTap(fastTap(), { config, catalog, state: first.finalState });
    const since = Date.parse(String(state.bookmarks[LOGS]?.replication_key_value));
    const changed = simRows(zuora, LOGS).filter((row) => (row.TransactionDate as number) >= since);
    t.ok(changed.length > 1 && changed.length < simRows(zuora, LOGS).length, `${changed.length} rows since the bookmark`);
    t.same(ids(second.records(LOGS)), ids(changed), `${LOGS}: only the rows since the bookmark`);
    t.same(ids(second.records(KEYLESS)), ids(simRows(zuora, KEYLESS)), `${KEYLESS}: every row again, the new ones included`);
    t.ok(simRows(zuora, KEYLESS).length > ids(first.records(KEYLESS)).length, 'rows were added in between');
    t.ok(activated(second) && second.recordMessages(KEYLESS).every((m) => m.version === activated(second)), 'read whole under one version, activated at the end');
    t.not(activated(second), activated(first), 'a new table version, so the target drops what is gone');
    t.ok(FIXTURE_AS_OF < zuora.simulation.clock.now());
  });
}
