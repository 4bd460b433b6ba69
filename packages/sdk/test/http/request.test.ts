import t from 'tap';
import { FatalError, QuotaExhaustedError, RetriableError } from '../../src/errors.js';
import { memoryLogger } from '../../src/logging.js';
import { Redactor } from '../../src/secrets.js';
import { HttpError } from '../../src/http/http-errors.js';
import { transientNetworkErrorCode } from '../../src/http/network-errors.js';
import { QuotaBudget } from '../../src/http/quota.js';
import { RateLimiter } from '../../src/http/rate-limiter.js';
import { requestWithRetry } from '../../src/http/request.js';
import { rateLimitResetHint } from '../../src/http/retry-after.js';
import { RetriesExhaustedError, type RetryInfo } from '../../src/http/retry.js';
import { closedPort, recordingSleep, reply, startServer, type Handler } from './local-server.js';

const withServer = async (t: { teardown(fn: () => Promise<void>): void }, handlers: Handler[]) => {
  const server = await startServer(handlers);
  t.teardown(server.close);
  return server;
};

const noWait = () => recordingSleep().sleep;

t.test('503 then 200 succeeds on attempt 2', async (t) => {
  const server = await withServer(t, [reply(503, 'busy'), reply(200, 'hello')]);
  const retries: RetryInfo[] = [];
  const response = await requestWithRetry(`${server.origin}/data`, {}, { sleep: noWait(), onRetry: (info) => retries.push(info) });
  t.equal(response.status, 200);
  t.equal(await response.text(), 'hello');
  t.equal(server.requests.length, 2);
  t.equal(retries.length, 1);
  t.equal(retries[0]?.attempt, 1);
  t.equal((retries[0]?.error as RetriableError).status, 503);
});

t.test('Retry-After in seconds is honoured', async (t) => {
  const server = await withServer(t, [reply(429, '', { 'retry-after': '7' }), reply(200)]);
  const { delays, sleep } = recordingSleep();
  await requestWithRetry(`${server.origin}/x`, {}, { sleep, random: () => 0 });
  t.same(delays, [7_000]);
});

t.test('Retry-After as an HTTP-date is honoured', async (t) => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  const server = await withServer(t, [reply(503, '', { 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }), reply(200)]);
  const { delays, sleep } = recordingSleep();
  await requestWithRetry(`${server.origin}/x`, {}, { sleep, now: () => now, random: () => 0 });
  t.same(delays, [30_000]);
});

t.test('an X-RateLimit-Reset hint is used when a parser is given and Retry-After is absent', async (t) => {
  const now = 1_800_000_000_000;
  const server = await withServer(t, [reply(429, '', { 'x-ratelimit-reset': String(now / 1_000 + 12) }), reply(200)]);
  const { delays, sleep } = recordingSleep();
  await requestWithRetry(`${server.origin}/x`, {}, { sleep, now: () => now, random: () => 0, retryHint: rateLimitResetHint() });
  t.same(delays, [12_000]);
});

for (const status of [400, 401, 404]) {
  t.test(`${status} is not retried and the error names method, URL and status`, async (t) => {
    const server = await withServer(t, [reply(status, '{"error":"nope"}'), reply(200)]);
    const url = `${server.origin}/v1/things?limit=5`;
    const error = await requestWithRetry(url, { method: 'DELETE' }, { sleep: noWait() }).catch((e: unknown) => e);
    t.type(error, HttpError);
    t.ok(error instanceof FatalError);
    const httpError = error as HttpError;
    t.equal(httpError.message, `DELETE ${url} responded HTTP ${status}: {"error":"nope"}`);
    t.equal(httpError.status, status);
    t.equal(httpError.bodyExcerpt, '{"error":"nope"}');
    t.equal(server.requests.length, 1);
  });
}

t.test('a long error body is cut to a short excerpt', async (t) => {
  const server = await withServer(t, [reply(400, `start ${'x'.repeat(100_000)}`)]);
  const error = (await requestWithRetry(`${server.origin}/`, {}, {}).catch((e: unknown) => e)) as HttpError;
  t.ok(error.bodyExcerpt.startsWith('start x'));
  t.ok(error.message.length < 500, `message is ${error.message.length} chars`);
});

t.test('POST is not retried by default', async (t) => {
  const server = await withServer(t, [reply(503), reply(201)]);
  const error = await requestWithRetry(`${server.origin}/jobs`, { method: 'POST', body: '{}' }, { sleep: noWait() }).catch((e: unknown) => e);
  t.type(error, RetriesExhaustedError);
  t.equal((error as RetriesExhaustedError).reason, 'not-idempotent');
  t.match((error as Error).message, /Gave up after 1 attempt \(not retried: the operation is not idempotent\): POST .*\/jobs responded HTTP 503/);
  t.equal(server.requests.length, 1);
});

t.test('POST is retried when declared idempotent', async (t) => {
  const server = await withServer(t, [reply(503), reply(201)]);
  const response = await requestWithRetry(`${server.origin}/query`, { method: 'POST', body: '{}' }, { idempotent: true, sleep: noWait() });
  t.equal(response.status, 201);
  t.equal(server.requests.length, 2);
  t.same(
    server.requests.map((r) => r.method),
    ['POST', 'POST'],
  );
});

t.test('a connection reset by the server (ECONNRESET) is retried', async (t) => {
  const server = await withServer(t, [(request) => request.socket.resetAndDestroy(), reply(200, 'ok')]);
  const codes: (string | undefined)[] = [];
  const response = await requestWithRetry(`${server.origin}/r`, {}, { sleep: noWait(), onRetry: (info) => codes.push(transientNetworkErrorCode(info.error)) });
  t.equal(await response.text(), 'ok');
  t.same(codes, ['ECONNRESET']);
  t.equal(server.requests.length, 2);
});

t.test('a socket closed without a response (UND_ERR_SOCKET) is retried', async (t) => {
  const server = await withServer(t, [(request) => request.socket.destroy(), reply(200, 'ok')]);
  const codes: (string | undefined)[] = [];
  const response = await requestWithRetry(`${server.origin}/r`, {}, { sleep: noWait(), onRetry: (info) => codes.push(transientNetworkErrorCode(info.error)) });
  t.equal(await response.text(), 'ok');
  t.equal(codes.length, 1);
  t.match(codes[0], /^(UND_ERR_SOCKET|ECONNRESET)$/);
});

t.test('a refused connection is retried even for POST, and the attempt count is reported', async (t) => {
  const port = await closedPort();
  const retries: RetryInfo[] = [];
  const error = await requestWithRetry(`http://127.0.0.1:${port}/jobs`, { method: 'POST', body: 'x' }, { maxAttempts: 3, sleep: noWait(), onRetry: (info) => retries.push(info) }).catch(
    (e: unknown) => e,
  );
  t.type(error, RetriesExhaustedError);
  t.match((error as Error).message, /^Gave up after 3 attempts \(maxAttempts 3 reached\): POST http:\/\/127\.0\.0\.1:\d+\/jobs failed: ECONNREFUSED/);
  t.equal(retries.length, 2);
});

t.test('the deadline stops retries', async (t) => {
  let clock = 1_000_000;
  const server = await withServer(t, [reply(503, '', { 'retry-after': '5' })]);
  const error = await requestWithRetry(
    `${server.origin}/slow`,
    {},
    {
      maxAttempts: 100,
      deadlineMs: 12_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    },
  ).catch((e: unknown) => e);
  t.type(error, RetriesExhaustedError);
  t.equal((error as RetriesExhaustedError).reason, 'deadline');
  t.match((error as Error).message, /^Gave up after 3 attempts \(deadline of 12 s would pass during the next 5 s wait\)/);
  t.equal(server.requests.length, 3);
});

t.test('an attempt that gets no response within timeoutMs is retried', async (t) => {
  const server = await withServer(t, [(_request, response) => setTimeout(() => response.end('late'), 1_000), reply(200, 'fast')]);
  const messages: string[] = [];
  const response = await requestWithRetry(`${server.origin}/t`, {}, { timeoutMs: 100, sleep: noWait(), onRetry: (info) => messages.push((info.error as Error).message) });
  t.equal(await response.text(), 'fast');
  t.match(messages, [/GET .*\/t got no response within 100 ms/]);
});

t.test('a classify hook still reading when the attempt times out makes the attempt retriable', async (t) => {
  const server = await withServer(t, [
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"success":');
      setTimeout(() => response.end('true}'), 1_000);
    },
    reply(200, '{"success":true}'),
  ]);
  const messages: string[] = [];
  const classify = async (response: Response) => ((await response.json()) as { success: boolean }).success ? undefined : new FatalError('no');
  const response = await requestWithRetry(`${server.origin}/c`, {}, { classify, timeoutMs: 100, sleep: noWait(), onRetry: (info) => messages.push((info.error as Error).message) });
  t.same(await response.json(), { success: true });
  t.match(messages, [/GET .*\/c could not classify the response within 100 ms/]);
});

t.test('the per-attempt timeout does not cut a body that streams longer', async (t) => {
  const server = await withServer(t, [
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first,');
      setTimeout(() => response.end('second'), 300);
    },
  ]);
  const response = await requestWithRetry(`${server.origin}/stream`, {}, { timeoutMs: 100 });
  t.equal(await response.text(), 'first,second');
});

t.test('a METRIC timer line is emitted per attempt', async (t) => {
  const server = await withServer(t, [reply(503), reply(200)]);
  const logger = memoryLogger();
  await requestWithRetry(`${server.origin}/services/data/v58.0/sobjects/Account/001Dn00000ABCdeIAH?fields=Id`, {}, { logger, sleep: noWait() });
  const metrics = logger.lines.filter((line) => line.startsWith('INFO METRIC: ')).map((line) => JSON.parse(line.slice('INFO METRIC: '.length)) as Record<string, unknown>);
  t.equal(metrics.length, 2);
  t.match(metrics, [
    { type: 'timer', metric: 'http_request_duration', tags: { endpoint: '/services/data/v58.0/sobjects/Account/{id}', http_status_code: 503, status: 'failed' } },
    { type: 'timer', metric: 'http_request_duration', tags: { endpoint: '/services/data/v58.0/sobjects/Account/{id}', http_status_code: 200, status: 'succeeded' } },
  ]);
  t.ok(metrics.every((m) => typeof m.value === 'number' && m.value >= 0 && m.value < 60), 'values are seconds');
  t.ok(
    logger.lines.some((line) => /^WARN test: GET .* responded HTTP 503; retrying in \d+ ms \(attempt 2 of 5\)$/.test(line)),
    'the retry is logged',
  );
});

t.test('a caller-given endpoint name is used as the tag', async (t) => {
  const server = await withServer(t, [reply(200)]);
  const logger = memoryLogger();
  await requestWithRetry(`${server.origin}/rest/v1/leads/123.json`, {}, { logger, endpoint: 'leads' });
  t.match(logger.lines, [/"endpoint":"leads"/]);
});

t.test('secrets never reach the error message', async (t) => {
  const server = await withServer(t, [reply(401, 'invalid access token tok_ABCdef123456 for user')]);
  const redactor = new Redactor();
  redactor.addSecret('tok_ABCdef123456');
  redactor.addSecret('mysecretvalue');
  const url = `${server.origin}/rest/v1/leads.json?access_token=tok_ABCdef123456&filter=mysecretvalue&batchSize=300`;
  const error = (await requestWithRetry(url, { headers: { Authorization: 'Bearer tok_ABCdef123456' } }, { redactor }).catch((e: unknown) => e)) as HttpError;
  t.type(error, HttpError);
  t.notMatch(error.message, /tok_ABCdef123456|mysecretvalue|Bearer/);
  t.match(error.message, /\/rest\/v1\/leads\.json\?access_token=\*\*\*&filter=\*\*\*&batchSize=300 responded HTTP 401: invalid access token \*\*\* for user/);
  t.equal(server.requests[0]?.headers.authorization, 'Bearer tok_ABCdef123456', 'the header itself was sent');
});

t.test('credential-like query parameters are masked even without a redactor', async (t) => {
  const server = await withServer(t, [reply(404)]);
  const error = (await requestWithRetry(`${server.origin}/a?api_key=k3y-value&page=2`, {}, {}).catch((e: unknown) => e)) as HttpError;
  t.match(error.message, /\/a\?api_key=\*\*\*&page=2 responded HTTP 404$/);
  t.notMatch(error.message, /k3y-value/);
});

t.test('classify turns an HTTP 200 error body into a retry, and the caller still reads the body', async (t) => {
  const server = await withServer(t, [
    reply(200, '{"success":false,"errors":[{"code":"606","message":"Max rate limit exceeded"}]}'),
    reply(200, '{"success":true,"result":[1,2]}'),
  ]);
  const { delays, sleep } = recordingSleep();
  const classify = async (response: Response) => {
    const body = (await response.json()) as { success: boolean; errors?: { code: string }[] };
    if (body.success) return undefined;
    if (body.errors?.[0]?.code === '606') return new RetriableError('Marketo 606', { retryAfterMs: 20_000 });
    return new FatalError('Marketo error');
  };
  const response = await requestWithRetry(`${server.origin}/rest/v1/leads.json`, {}, { classify, sleep });
  t.same(await response.json(), { success: true, result: [1, 2] });
  t.same(delays, [20_000]);
  t.equal(server.requests.length, 2);
});

t.test('classify may declare a response fatal', async (t) => {
  const server = await withServer(t, [reply(200, 'error'), reply(200, 'fine')]);
  const fatal = new FatalError('INVALID_FIELD');
  const error = await requestWithRetry(`${server.origin}/q`, {}, { classify: () => fatal, sleep: noWait() }).catch((e: unknown) => e);
  t.equal(error, fatal);
  t.equal(server.requests.length, 1);
});

t.test('extra retry statuses are retried', async (t) => {
  const server = await withServer(t, [reply(520), reply(200)]);
  const response = await requestWithRetry(`${server.origin}/`, {}, { extraRetryStatuses: [520], sleep: noWait() });
  t.equal(response.status, 200);
  t.equal(server.requests.length, 2);
  const other = await withServer(t, [reply(520), reply(200)]);
  await t.rejects(requestWithRetry(`${other.origin}/`, {}, { sleep: noWait() }), HttpError, '520 is fatal by default');
});

t.test('each attempt consumes quota, and an exhausted quota stops before sending', async (t) => {
  const server = await withServer(t, [reply(503), reply(200)]);
  const quota = new QuotaBudget({ name: 'Test', limit: 10 });
  await requestWithRetry(`${server.origin}/`, {}, { quota, sleep: noWait() });
  t.equal(quota.usedThisRun, 2);

  const empty = new QuotaBudget({ name: 'Test', limit: 2, used: 2 });
  await t.rejects(requestWithRetry(`${server.origin}/`, {}, { quota: empty, sleep: noWait() }), QuotaExhaustedError);
  t.equal(server.requests.length, 2, 'no request was sent');
});

t.test("a server-requested wait pauses the shared rate limiter for every caller", async (t) => {
  const server = await withServer(t, [reply(429, '', { 'retry-after': '0.3' }), reply(200)]);
  const limiter = new RateLimiter({ maxConcurrent: 4 });
  const began = Date.now();
  let otherStartedAt = 0;
  const startAnotherCall = () => void limiter.schedule(async () => void (otherStartedAt = Date.now()));
  const response = await requestWithRetry(`${server.origin}/a`, {}, { rateLimiter: limiter, sleep: noWait(), onRetry: startAnotherCall });
  t.equal(response.status, 200);
  t.ok(Date.now() - began >= 290, 'the retry waited in the limiter although sleep did not');
  t.ok(otherStartedAt - began >= 290, 'so did an unrelated call');
});

t.test('aborting the caller signal stops the request without retrying', async (t) => {
  const server = await withServer(t, [(_request, response) => setTimeout(() => response.end('late'), 2_000)]);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const error = await requestWithRetry(`${server.origin}/`, { signal: controller.signal }, { sleep: noWait() }).catch((e: unknown) => e);
  t.equal((error as Error).name, 'AbortError');
  t.equal(server.requests.length, 1);
});
