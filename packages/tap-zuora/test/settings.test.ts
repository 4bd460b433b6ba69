/** Settings that shape the jobs: deleted_records, partner_id, start_date; how job status is polled and failing calls retried. */
import { memoryLogger } from '@singer-io-ts/sdk';
import t from 'tap';
import { ZuoraClient, type ClientOptions } from '../src/client.js';
import type { ApiType } from '../src/config.js';
import { runAquaJob } from '../src/jobs.js';
import { configFor, ids, simIds, simRows, startTenant, syncStreams } from './helpers/zuora.js';

const syncJobs = (zuora: Awaited<ReturnType<typeof startTenant>>, object: string) => zuora.submittedJobs().filter((job) => job.project === `tap-zuora-${object}`);

t.test('deleted_records: asked for by default; false sends no deleted spec and flags nothing', async (t) => {
  const zuora = await startTenant(t, { scale: 0.3 });
  t.ok(simIds(zuora, 'Contact').length > simIds(zuora, 'Contact', false).length, 'the tenant has deleted contacts');
  const withDeleted = await syncStreams(configFor(zuora), ['Contact']);
  t.ok(syncJobs(zuora, 'Contact').every((job) => job.queries.every((q) => q.deleted)), 'by default every job asks for deleted rows');
  t.same(ids(withDeleted.records('Contact')), simIds(zuora, 'Contact'));
  t.ok(withDeleted.records('Contact').some((r) => r._sdc_deleted_at !== null));

  const jobsBefore = syncJobs(zuora, 'Contact').length;
  const without = await syncStreams(configFor(zuora, 'oauth', { deleted_records: false }), ['Contact']);
  const jobs = syncJobs(zuora, 'Contact').slice(jobsBefore);
  t.ok(jobs.length > 0 && jobs.every((job) => job.queries.every((q) => !q.deleted)), 'deleted_records false: no job asks for them');
  t.same(ids(without.records('Contact')), simIds(zuora, 'Contact', false), 'the live rows');
  t.ok(without.records('Contact').every((r) => (r._sdc_deleted_at ?? null) === null), 'none flagged deleted');
});

t.test('partner_id names the stateful AQuA session (default singer-io-ts)', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  await syncStreams(configFor(zuora, 'oauth', { partner_id: 'acme-partner' }), ['Product']);
  t.same([...new Set(syncJobs(zuora, 'Product').map((job) => job.partner))], ['acme-partner']);
  const { partner_id: _unused, ...withoutPartner } = configFor(zuora);
  const jobsBefore = syncJobs(zuora, 'Product').length;
  await syncStreams(withoutPartner, ['Product']);
  t.same([...new Set(syncJobs(zuora, 'Product').slice(jobsBefore).map((job) => job.partner))], ['singer-io-ts']);
});

for (const apiType of ['AQUA', 'REST'] as ApiType[]) {
  t.test(`${apiType}: start_date: the first run reads the rows changed since then, and only those`, async (t) => {
    const zuora = await startTenant(t, { scale: 0.2 });
    const start = '2025-09-01T00:00:00.000Z';
    const run = await syncStreams(configFor(zuora, 'oauth', { api_type: apiType, start_date: start }), ['Invoice']);
    // Exports write whole seconds.
    const expected = simRows(zuora, 'Invoice', apiType === 'AQUA').filter((row) => Math.floor((row.UpdatedDate as number) / 1000) * 1000 >= Date.parse(start));
    t.ok(expected.length > 0 && expected.length < simRows(zuora, 'Invoice').length, `${expected.length} of ${simRows(zuora, 'Invoice').length} invoices changed since ${start}`);
    t.same(ids(run.records('Invoice')), ids(expected));
    t.ok(run.records('Invoice').every((r) => String(r.UpdatedDate) >= start), 'none before it');
  });
}

t.test('job status polls back off: the wait doubles up to its ceiling', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01, scenario: { jobPolls: 5 } });
  const client = await ZuoraClient.connect(configFor(zuora), memoryLogger('tap-zuora'));
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  const result = await runAquaJob(client, [{ name: 'Product', query: 'select Id from Product', deleted: false }], { partner: 'p', project: 'backoff', incrementalTime: '1970-01-02 00:00:00' }, { pollIntervalMs: { initial: 2, max: 10 }, timeoutMs: 60_000, sleep });
  t.equal(result.recordCount, simIds(zuora, 'Product', false).length, 'the job completed');
  t.equal(zuora.server.calls('aqua.status'), 6, 'the sixth poll saw it done');
  t.same(waits, [2, 4, 8, 10, 10], 'a wait before each further poll, doubling from 2 to the 10 ms ceiling');
});

t.test('calls Zuora keeps failing are retried on its guidance: 5 tries, backoff factor 30 s; options override it', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  const failing = async (retry: ClientOptions['retry']): Promise<{ error: unknown; waits: number[] }> => {
    const waits: number[] = [];
    // The SDK's full jitter draws from [0, ceiling): 0.5 waits half of each ceiling.
    const client = await ZuoraClient.connect(configFor(zuora), memoryLogger('tap-zuora'), { retry: { ...retry, random: () => 0.5, sleep: async (ms) => void waits.push(ms) } });
    zuora.server.inject({ route: 'describe.object', times: 5, action: { type: 'error', code: '503' } });
    const error = await client.text('/v1/describe/Product', { endpoint: 'describe.object' }).catch((e: unknown) => e);
    return { error, waits };
  };
  const guidance = await failing({});
  t.match(String(guidance.error), /Zuora kept failing the describe\.object call GET \/v1\/describe\/Product: Gave up after 5 attempts/);
  t.same(guidance.waits, [15_000, 30_000, 60_000, 120_000], 'ceilings of 30, 60, 120 and 240 s');
  const fast = await failing({ baseDelayMs: 8, maxDelayMs: 20 });
  t.same(fast.waits, [4, 8, 10, 10], 'the tests\' short backoff replaces it');
});
