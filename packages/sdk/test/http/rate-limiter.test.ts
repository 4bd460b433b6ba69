import { performance } from 'node:perf_hooks';
import t from 'tap';
import { RateLimiter } from '../../src/http/rate-limiter.js';

/**
 * The limiter is exact on its own clock; the test reads the clock a moment later, and a busy
 * machine can stretch that moment. Ignoring the window would show gaps near 0, far below this.
 */
const CLOCK_SLACK_MS = 10;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Schedules `count` calls at once and records when each started, in scheduling order. */
async function runCalls(limiter: RateLimiter, count: number, durationMs = 0) {
  const starts: { label: number; at: number }[] = [];
  let running = 0;
  let maxRunning = 0;
  await Promise.all(
    Array.from({ length: count }, (_, label) =>
      limiter.schedule(async () => {
        starts.push({ label, at: performance.now() });
        running++;
        maxRunning = Math.max(maxRunning, running);
        await delay(durationMs);
        running--;
        return label;
      }),
    ),
  );
  return { starts, maxRunning };
}

t.test('never more than maxCalls starts in any window', async (t) => {
  const limiter = new RateLimiter({ maxCalls: 3, windowMs: 100 });
  const began = performance.now();
  const { starts } = await runCalls(limiter, 10);
  const times = starts.map((s) => s.at);
  for (let i = 0; i + 3 < times.length; i++) {
    const gap = (times[i + 3] ?? 0) - (times[i] ?? 0);
    t.ok(gap >= 100 - CLOCK_SLACK_MS, `starts ${i} and ${i + 3} are ${gap.toFixed(1)} ms apart`);
  }
  t.ok((times[2] ?? Infinity) - began < 50, 'the first window is used at once');
  t.ok(performance.now() - began < 2_000, 'and the limiter does not stall');
});

t.test('a call counts against the window until windowMs after it ended: the server may read it that late', async (t) => {
  const limiter = new RateLimiter({ maxCalls: 3, windowMs: 60 });
  const calls: { start: number; end: number }[] = [];
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      limiter.schedule(async () => {
        const call = { start: performance.now(), end: 0 };
        await delay(i % 3 === 0 ? 40 : 25);
        call.end = performance.now();
        calls.push(call);
      }),
    ),
  );
  // Whenever each request reached the server (any moment between its start and its end), no
  // window of 60 ms held more than 3: the 4th arrival after any arrival is 60 ms later at least.
  for (const arrivalAt of ['start', 'end'] as const) {
    const arrivals = calls.map((c) => c[arrivalAt]).sort((a, b) => a - b);
    for (let i = 0; i + 3 < arrivals.length; i++) {
      t.ok(arrivals[i + 3]! - arrivals[i]! >= 60 - CLOCK_SLACK_MS, `arrivals at ${arrivalAt}: ${i} and ${i + 3} are ${(arrivals[i + 3]! - arrivals[i]!).toFixed(1)} ms apart`);
    }
  }
  // The latest start against the earliest end of the three before it: the window ran from that end.
  const byStart = [...calls].sort((a, b) => a.start - b.start);
  for (let i = 3; i < byStart.length; i++) {
    const earliestEnd = Math.min(...byStart.slice(i - 3, i).map((c) => c.end));
    t.ok(byStart[i]!.start - earliestEnd >= 60 - CLOCK_SLACK_MS, `call ${i} started ${(byStart[i]!.start - earliestEnd).toFixed(1)} ms after an end three calls back`);
  }
});

t.test('never more than maxConcurrent calls at once', async (t) => {
  const limiter = new RateLimiter({ maxConcurrent: 2 });
  const { maxRunning, starts } = await runCalls(limiter, 6, 30);
  t.equal(maxRunning, 2, 'two at a time, and no more');
  t.equal(starts.length, 6);
  t.equal(limiter.running, 0);
});

t.test('calls start in the order they were scheduled', async (t) => {
  const limiter = new RateLimiter({ maxCalls: 2, windowMs: 50, maxConcurrent: 1 });
  const { starts } = await runCalls(limiter, 6, 5);
  t.same(
    starts.map((s) => s.label),
    [0, 1, 2, 3, 4, 5],
  );
});

t.test('window and concurrency limits hold together', async (t) => {
  const limiter = new RateLimiter({ maxCalls: 4, windowMs: 80, maxConcurrent: 2 });
  const { starts, maxRunning } = await runCalls(limiter, 12, 15);
  t.ok(maxRunning <= 2);
  const times = starts.map((s) => s.at);
  for (let i = 0; i + 4 < times.length; i++) t.ok((times[i + 4] ?? 0) - (times[i] ?? 0) >= 80 - CLOCK_SLACK_MS, `window from start ${i}`);
});

t.test('pauseFor and pauseUntil hold back new calls', async (t) => {
  const limiter = new RateLimiter({ maxConcurrent: 5 });
  const pausedAt = performance.now();
  limiter.pauseFor(80);
  const startedAt = await limiter.schedule(async () => performance.now());
  t.ok(startedAt - pausedAt >= 80 - CLOCK_SLACK_MS, `started ${(startedAt - pausedAt).toFixed(1)} ms after pauseFor(80)`);

  const until = Date.now() + 80;
  limiter.pauseUntil(until);
  limiter.pauseFor(10);
  await limiter.schedule(async () => undefined);
  t.ok(Date.now() >= until - CLOCK_SLACK_MS, 'a shorter pause does not cut a longer one');
});

t.test('a failing call frees its slot and its error reaches the caller', async (t) => {
  const limiter = new RateLimiter({ maxConcurrent: 1 });
  const failing = limiter.schedule(async () => {
    throw new Error('boom');
  });
  const throwingSynchronously = limiter.schedule((): Promise<number> => {
    throw new Error('sync boom');
  });
  const next = limiter.schedule(async () => 'next');
  await t.rejects(failing, { message: 'boom' });
  await t.rejects(throwingSynchronously, { message: 'sync boom' });
  t.equal(await next, 'next');
});

t.test('an aborted signal takes a queued call out of line', async (t) => {
  const limiter = new RateLimiter({ maxConcurrent: 1 });
  const controller = new AbortController();
  const ran: string[] = [];
  const first = limiter.schedule(async () => {
    await delay(50);
    ran.push('first');
  });
  const cancelled = limiter.schedule(async () => void ran.push('cancelled'), controller.signal);
  const third = limiter.schedule(async () => void ran.push('third'));
  t.equal(limiter.queued, 2);
  controller.abort(new Error('stop'));
  await t.rejects(cancelled, { message: 'stop' });
  await Promise.all([first, third]);
  t.same(ran, ['first', 'third']);
});

t.test('options are checked', async (t) => {
  t.throws(() => new RateLimiter({ maxCalls: 5 }), RangeError);
  t.throws(() => new RateLimiter({ maxCalls: 0, windowMs: 10 }), RangeError);
  t.throws(() => new RateLimiter({ maxConcurrent: 1.5 }), RangeError);
});
