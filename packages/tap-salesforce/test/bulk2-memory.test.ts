/**
 * The Bulk 2.0 reader streams: at scale 10 (Task ≈ 127k rows), pages are requested only when the
 * consumer reaches them, a page is not read ahead of the consumer (the server is left blocked on
 * backpressure), and the heap stays flat while every row goes through.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { startSalesforce } from '../../simulators/src/index.js';
import { bulkQuery, fetchTransport, type FieldSpec } from '../src/bulk2/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PAGE = 40_000;

t.test('100k+ rows: lazy pages, no read-ahead, flat heap', async (t) => {
  const sf = await startSalesforce({ scale: 10 });
  t.teardown(() => sf.close());
  const c = sf.tapConfig as Record<string, string>;
  const form = new URLSearchParams({ grant_type: 'password', client_id: c.client_id!, client_secret: c.client_secret!, username: c.username!, password: c.password! + c.security_token! });
  const token = ((await (await fetch(`${c.login_url}/services/oauth2/token`, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
  const transport = fetchTransport({ instanceUrl: sf.url, getToken: () => token, refreshToken: async () => {} });
  const total = sf.simulation.company.table('salesforce', 'Task')!.count({ asOf: sf.simulation.clock.now(), includeDeleted: true });
  t.ok(total > 100_000, `${total} Task rows`);

  const fields: FieldSpec[] = [
    { name: 'IsDeleted', type: 'boolean' },
    { name: 'ActivityDate', type: 'date' },
    { name: 'CallDurationInSeconds', type: 'integer' },
    { name: 'SystemModstamp', type: 'date-time' },
  ];
  const soql = 'SELECT Id, IsDeleted, Subject, ActivityDate, Status, Description, CallDurationInSeconds, SystemModstamp FROM Task';
  const records = bulkQuery(transport, { apiVersion: '62.0', soql, includeDeleted: true, fields, pollIntervalMs: { initial: 5, max: 20 }, maxRecordsPerPage: PAGE });
  const results = () => sf.server.requests.filter((entry) => entry.route === 'bulk2.results');

  t.equal(sf.server.calls('bulk2.create'), 0, 'nothing is sent before the first pull');
  for (let i = 0; i < 10; i += 1) t.notOk((await records.next()).done);
  await delay(200);
  t.equal(results().length, 1, 'after 10 rows only the first page has been requested');

  gc();
  const used = (): number => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.arrayBuffers; // undici's body chunks are ArrayBuffers, outside heapUsed
  };
  const baseline = used();
  let peak = 0;
  let count = 10;
  let ids = 0;
  let previous = '';
  for (;;) {
    const next = await records.next();
    if (next.done) {
      t.match(next.value, { records: total, pages: Math.ceil(total / PAGE) });
      break;
    }
    count += 1;
    if (typeof next.value.Id === 'string' && next.value.Id !== previous) ids += 1;
    previous = next.value.Id as string;
    if (count % PAGE === 10) {
      t.equal(results().length, Math.floor(count / PAGE) + 1, `row ${count}: page ${Math.floor(count / PAGE) + 1} requested only now`);
    }
    if (count % 10_000 === 0) {
      gc();
      peak = Math.max(peak, used() - baseline);
    }
  }
  t.equal(count, total);
  t.equal(ids, total - 10);
  t.equal(results().length, Math.ceil(total / PAGE));
  // one page is ~10 MB of CSV (20 MB as JS strings, more as records); streaming keeps far below that
  t.ok(peak < 8 * 1024 * 1024, `heap + array buffers grew at most ${(peak / 1024 / 1024).toFixed(1)} MB while reading ${total} rows in pages of ${PAGE}`);
  t.equal(sf.server.calls('bulk2.delete'), 1);

  // one page holding every row (~30 MB of CSV, more than loopback socket buffers absorb): after 10
  // rows the server is still writing it, blocked on backpressure, so nothing read the page ahead
  const whole = bulkQuery(transport, { apiVersion: '62.0', soql, includeDeleted: true, fields, pollIntervalMs: { initial: 5, max: 20 }, maxRecordsPerPage: 200_000 });
  for (let i = 0; i < 10; i += 1) t.notOk((await whole.next()).done);
  await delay(300);
  const page = results().at(-1);
  t.equal(page?.status, 0, 'the single page is still being written after 10 rows were pulled');
  await whole.return(undefined as never);
  for (let i = 0; i < 50 && page?.status === 0; i += 1) await delay(10);
  t.equal(page?.status, 200, 'return() cancelled the body and the server finished (closed) the response');
  t.equal(sf.server.calls('bulk2.delete'), 2, 'and the job was deleted');
});
