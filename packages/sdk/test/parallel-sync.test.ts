/**
 * Streams synced in parallel: messages interleave, yet every STATE a run prints is one a rerun can
 * start from without losing a record, and one stream's quota stop or failure stops the others with
 * their state intact.
 */
import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { QuotaExhaustedError } from '../src/errors.js';
import { RetriesExhaustedError } from '../src/http/retry.js';
import { memoryLogger } from '../src/logging.js';
import { SingerWriter } from '../src/protocol/writer.js';
import type { StreamContext, StreamDefinition, TapRecord } from '../src/stream.js';
import { sync } from '../src/sync.js';
import { Tap } from '../src/tap.js';
import type { TapState } from '../src/state.js';

type Config = { workers: number; fail_after?: Record<string, { records: number; quota: boolean; outage?: boolean }> };
type Message = { type: string; stream?: string; record?: TapRecord; value?: TapState };

const ROWS = 40;

/** Rows 1..ROWS with `k` shared by runs of three, read like tap-salesforce reads: by (k, id) from the bookmark. */
function rowsAfter(bookmark: Record<string, unknown>, start: number): TapRecord[] {
  const k = typeof bookmark.replication_key_value === 'number' ? bookmark.replication_key_value : start;
  const lastId = typeof bookmark.last_id === 'number' ? bookmark.last_id : 0;
  const all = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, k: Math.floor((i + 1) / 3) }));
  return all.filter((row) => row.k > k || (row.k === k && row.id > lastId));
}

function stream(name: string): StreamDefinition<Config> {
  return {
    name,
    schema: { type: 'object', properties: { id: { type: 'integer' }, k: { type: 'integer' } } },
    keyProperties: ['id'],
    replicationKey: 'k',
    isSorted: true,
    async *records(context: StreamContext<Config>) {
      const failure = context.config.fail_after?.[name];
      let count = 0;
      for (const row of rowsAfter(context.bookmark, Number(context.startingValue ?? -1))) {
        if (failure && count === failure.records) throw failure.quota ? new QuotaExhaustedError(`${name}: quota`) : failure.outage ? new RetriesExhaustedError(5, 'max-attempts', new Error('HTTP 503'), 'GET /rows') : new Error(`${name}: broken`);
        // Saved before the row goes out, then a turn of the event loop (as a tap fetching its next
        // page has) during which the other streams run and print STATE.
        context.saveBookmark({ last_id: row.id });
        await tick();
        count += 1;
        yield row;
      }
    },
  };
}

class ParallelTap extends Tap<Config> {
  readonly name = 'tap-parallel';
  readonly version = '0.0.0';
  readonly configSchema = { type: 'object' as const };
  override readonly stateMessageFrequency = 4;
  override maxParallelStreams(config: Config): number {
    return config.workers;
  }
  streams(): StreamDefinition<Config>[] {
    return ['a', 'b', 'c'].map(stream);
  }
}

async function run(config: Config, state?: unknown): Promise<{ messages: Message[]; error?: unknown }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const writer = new SingerWriter(out, { bufferSize: 64 });
  let error: unknown;
  try {
    await sync(new ParallelTap(), { config, state, writer, logger: memoryLogger() });
  } catch (caught) {
    error = caught;
    await writer.flush();
  }
  const messages = Buffer.concat(chunks).toString().trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Message);
  return { messages, error };
}

/** Resuming from each STATE printed (records before it are loaded) must end with every row. */
async function checkEveryStateResumes(t: Test, messages: Message[], atLeast: number): Promise<void> {
  const written = new Map<string, Set<number>>();
  let checked = 0;
  for (const message of messages) {
    if (message.type === 'RECORD') {
      const ids = written.get(message.stream!) ?? new Set();
      ids.add(Number(message.record!.id));
      written.set(message.stream!, ids);
    }
    if (message.type !== 'STATE') continue;
    const rerun = await run({ workers: 3 }, message.value);
    for (const name of ['a', 'b', 'c']) {
      const all = new Set(written.get(name));
      for (const resumed of rerun.messages) if (resumed.type === 'RECORD' && resumed.stream === name) all.add(Number(resumed.record!.id));
      if (all.size !== ROWS) {
        t.fail(`resuming from STATE #${checked + 1} loses ${ROWS - all.size} rows of ${name}`);
        return;
      }
    }
    checked += 1;
  }
  t.ok(checked >= atLeast, `all ${checked} STATE messages resume without losing a row`);
}

t.test('three streams in parallel interleave and every STATE resumes without loss', async (t) => {
  const { messages, error } = await run({ workers: 3 });
  t.equal(error, undefined);
  const order = messages.filter((m) => m.type === 'RECORD').map((m) => m.stream);
  const switches = order.filter((name, i) => i > 0 && name !== order[i - 1]).length;
  t.ok(switches > 10, `records of the three streams interleave (${switches} switches)`);
  for (const name of ['a', 'b', 'c']) t.equal(order.filter((s) => s === name).length, ROWS, `${name}: every row once`);
  const last = messages.at(-1)!;
  t.equal(last.type, 'STATE');
  t.equal(last.value!.currently_syncing, null);
  t.same(Object.keys(last.value!.bookmarks).sort(), ['a', 'b', 'c']);
  await checkEveryStateResumes(t, messages, 20);
});

t.test('one worker keeps the streams one after another', async (t) => {
  const { messages } = await run({ workers: 1 });
  const order = messages.filter((m) => m.type === 'RECORD').map((m) => m.stream);
  t.same([...new Set(order)], ['a', 'b', 'c']);
  t.equal(order.filter((name, i) => i > 0 && name !== order[i - 1]).length, 2, 'no interleaving');
});

t.test("one stream's quota stop stops the others; the rerun finishes every stream", async (t) => {
  const first = await run({ workers: 3, fail_after: { b: { records: 10, quota: true } } });
  t.equal(first.error, undefined, 'a quota stop is a clean stop');
  const state = first.messages.filter((m) => m.type === 'STATE').at(-1)!.value!;
  t.not(state.currently_syncing, null, `currently_syncing names a stream to resume first (${state.currently_syncing})`);
  const counts = (messages: Message[], name: string) => messages.filter((m) => m.type === 'RECORD' && m.stream === name).length;
  t.ok(counts(first.messages, 'a') < ROWS || counts(first.messages, 'c') < ROWS, 'the other streams stopped early too');
  const second = await run({ workers: 3 }, state);
  for (const name of ['a', 'b', 'c']) {
    const ids = new Set([...first.messages, ...second.messages].filter((m) => m.type === 'RECORD' && m.stream === name).map((m) => Number(m.record!.id)));
    t.equal(ids.size, ROWS, `${name}: every row across the two runs`);
  }
});

t.test("one stream's failure stops the others, each leaving a STATE for what it wrote, and is rethrown", async (t) => {
  const { messages, error } = await run({ workers: 3, fail_after: { c: { records: 7, quota: false } } });
  t.match(String(error), /c: broken/);
  t.ok(messages.filter((m) => m.type === 'RECORD').length < 3 * ROWS, 'the run stopped');
  await checkEveryStateResumes(t, messages, 3);
});

t.test('a service that keeps failing past the retries stops the run cleanly; every STATE resumes', async (t) => {
  const { messages, error } = await run({ workers: 3, fail_after: { b: { records: 9, quota: false, outage: true } } });
  t.equal(error, undefined, 'a clean stop, not a failure');
  const last = messages.at(-1)!;
  t.equal(last.type, 'STATE', 'the run ends with a STATE');
  const bRecords = messages.filter((m) => m.type === 'RECORD' && m.stream === 'b').map((m) => Number(m.record!.id));
  t.equal(bRecords.length, 9, 'b wrote what it read before the outage');
  t.equal((last.value!.bookmarks.b as { last_id?: number }).last_id, bRecords.at(-1), "b's bookmark covers its last record");
  await checkEveryStateResumes(t, messages, 3);
});
