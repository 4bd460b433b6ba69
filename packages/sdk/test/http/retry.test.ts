import t from 'tap';
import { FatalError, RetriableError } from '../../src/errors.js';
import { RetriesExhaustedError, backoffDelayMs, sleepFor, withRetry, type RetryInfo } from '../../src/http/retry.js';
import { recordingSleep } from './local-server.js';

const failTimes = <T>(failures: unknown[], result: T) => {
  const attempts: number[] = [];
  const operation = async (attempt: number) => {
    attempts.push(attempt);
    const failure = failures[attempt - 1];
    if (failure !== undefined) throw failure;
    return result;
  };
  return { attempts, operation };
};

const socketError = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(`socket ${code}`), { code }) });

t.test('retries a RetriableError and passes attempt numbers', async (t) => {
  const { attempts, operation } = failTimes([new RetriableError('503'), new RetriableError('503')], 'ok');
  const { sleep } = recordingSleep();
  t.equal(await withRetry(operation, { sleep }), 'ok');
  t.same(attempts, [1, 2, 3]);
});

t.test('backoff is full jitter, doubling from the base up to the max', async (t) => {
  const failures = Array.from({ length: 5 }, () => new RetriableError('busy'));
  const { operation } = failTimes(failures, 'ok');
  const { delays, sleep } = recordingSleep();
  await withRetry(operation, { sleep, maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.5 });
  t.same(delays, [50, 100, 150, 150, 150]);
  t.equal(backoffDelayMs(3, 100, 10_000, () => 0), 0, 'full jitter may pick zero');
  t.equal(backoffDelayMs(3, 100, 10_000, () => 0.999999), 399);
});

t.test("the server's retryAfterMs wins over the backoff, even above maxDelayMs", async (t) => {
  const { operation } = failTimes([new RetriableError('slow down', { retryAfterMs: 90_000 })], 'ok');
  const { delays, sleep } = recordingSleep();
  const infos: RetryInfo[] = [];
  await withRetry(operation, { sleep, maxDelayMs: 1_000, random: () => 0.5, onRetry: (info) => infos.push(info) });
  t.same(delays, [90_000]);
  t.equal(infos[0]?.serverRequested, true);
  t.equal(infos[0]?.attempt, 1);
});

t.test('a non-retriable error is thrown unchanged after one attempt', async (t) => {
  const fatal = new FatalError('bad config');
  const { attempts, operation } = failTimes([fatal], 'ok');
  t.equal(await withRetry(operation, { sleep: recordingSleep().sleep }).catch((e: unknown) => e), fatal);
  t.same(attempts, [1]);

  const bug = new TypeError('x is not a function');
  const second = failTimes([bug], 'ok');
  t.equal(await withRetry(second.operation, { sleep: recordingSleep().sleep }).catch((e: unknown) => e), bug);
  t.same(second.attempts, [1]);
});

t.test('socket errors from the table are retried, through the fetch-failed cause', async (t) => {
  for (const code of ['ECONNRESET', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) {
    const { attempts, operation } = failTimes([socketError(code)], 'ok');
    t.equal(await withRetry(operation, { sleep: recordingSleep().sleep }), 'ok', code);
    t.same(attempts, [1, 2], code);
  }
  const aggregate = new AggregateError([Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })], 'connect failed');
  const viaAggregate = failTimes([aggregate], 'ok');
  await withRetry(viaAggregate.operation, { sleep: recordingSleep().sleep });
  t.same(viaAggregate.attempts, [1, 2], 'codes inside AggregateError count');
});

t.test('ENOTFOUND (no such host) is not retried', async (t) => {
  const error = socketError('ENOTFOUND');
  const { attempts, operation } = failTimes([error], 'ok');
  t.equal(await withRetry(operation, { sleep: recordingSleep().sleep }).catch((e: unknown) => e), error);
  t.same(attempts, [1]);
});

t.test('non-idempotent operations are not retried unless told', async (t) => {
  const first = failTimes([new RetriableError('503', { status: 503 })], 'ok');
  const error = await withRetry(first.operation, { idempotent: false, sleep: recordingSleep().sleep }).catch((e: unknown) => e);
  t.type(error, RetriesExhaustedError);
  t.ok(error instanceof FatalError, 'fatal, so that no outer loop retries it again');
  t.equal((error as RetriesExhaustedError).reason, 'not-idempotent');
  t.equal((error as RetriesExhaustedError).status, 503);
  t.same(first.attempts, [1]);

  const forced = failTimes([new RetriableError('503')], 'ok');
  t.equal(await withRetry(forced.operation, { idempotent: false, retryNonIdempotent: true, sleep: recordingSleep().sleep }), 'ok');
  t.same(forced.attempts, [1, 2]);

  const refused = failTimes([socketError('ECONNREFUSED')], 'ok');
  t.equal(await withRetry(refused.operation, { idempotent: false, sleep: recordingSleep().sleep }), 'ok', 'a refused connection sent nothing');
  t.same(refused.attempts, [1, 2]);

  const reset = failTimes([socketError('ECONNRESET')], 'ok');
  await t.rejects(withRetry(reset.operation, { idempotent: false, sleep: recordingSleep().sleep }), RetriesExhaustedError);
  t.same(reset.attempts, [1], 'a reset connection may have delivered the request');
});

t.test('running out of attempts names the count and keeps the last error as cause', async (t) => {
  const last = new RetriableError('HTTP 502 third', { status: 502 });
  const { attempts, operation } = failTimes([new RetriableError('first'), new RetriableError('second'), last], 'ok');
  const error = (await withRetry(operation, { maxAttempts: 3, sleep: recordingSleep().sleep }).catch((e: unknown) => e)) as RetriesExhaustedError;
  t.type(error, RetriesExhaustedError);
  t.match(error.message, /^Gave up after 3 attempts \(maxAttempts 3 reached\): HTTP 502 third$/);
  t.equal(error.cause, last);
  t.equal(error.attempts, 3);
  t.equal(error.status, 502);
  t.same(attempts, [1, 2, 3]);
});

t.test('the deadline stops retrying before a wait that would pass it', async (t) => {
  let clock = 0;
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
    clock += ms;
  };
  const busy = () => new RetriableError('busy', { retryAfterMs: 4_000 });
  const { attempts, operation } = failTimes([busy(), busy(), busy(), busy(), busy()], 'ok');
  const error = (await withRetry(operation, { deadlineMs: 10_000, maxAttempts: 10, sleep, now: () => clock }).catch((e: unknown) => e)) as RetriesExhaustedError;
  t.type(error, RetriesExhaustedError);
  t.equal(error.reason, 'deadline');
  t.same(delays, [4_000, 4_000], 'a third wait would end at 12 s');
  t.same(attempts, [1, 2, 3]);
  t.match(error.message, /Gave up after 3 attempts \(deadline of 10 s/);
});

t.test('aborting the signal cancels a wait at once and is never retried', async (t) => {
  const controller = new AbortController();
  const reason = new Error('run cancelled');
  setTimeout(() => controller.abort(reason), 20);
  const started = Date.now();
  const { attempts, operation } = failTimes([new RetriableError('busy', { retryAfterMs: 30_000 })], 'ok');
  t.equal(await withRetry(operation, { signal: controller.signal }).catch((e: unknown) => e), reason);
  t.ok(Date.now() - started < 5_000, 'did not sleep the 30 s');
  t.same(attempts, [1]);
  await t.rejects(sleepFor(10, controller.signal), reason, 'an aborted signal rejects immediately');
});

t.test('options are checked', async (t) => {
  await t.rejects(withRetry(async () => 1, { maxAttempts: 0 }), RangeError);
});
