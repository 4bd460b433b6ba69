/**
 * Marketo call limits and transient failures (must-haves 6-9): 606 rate
 * window, 607 daily quota until US Central midnight with usage.json, 615
 * concurrency, injected 604/608/611/502, and 413/414 from the front end.
 */
import t from 'tap';
import { code, fixtureMarketo, MarketoClient, sleep, type Envelope } from './helpers/marketo-http.js';

const TYPES = '/rest/v1/activities/types.json';

t.test('6: more than N calls in the window answer 606 (HTTP 200); the window recovers', async (t) => {
  const handle = await fixtureMarketo(t, { rateLimitCalls: 5, rateWindowMs: 1_000 });
  const client = new MarketoClient(handle);
  await client.login();
  for (let i = 0; i < 5; i += 1) t.equal((await client.get(TYPES)).success, true);
  const response = await client.raw(TYPES);
  t.equal(response.status, 200);
  const limited = (await response.json()) as Envelope;
  t.same(limited.errors, [{ code: '606', message: "Max rate limit '5' exceeded with in '1' secs" }]);
  t.equal((await client.identity()).status, 200, 'identity is outside the API rate limit');
  await sleep(1_050);
  t.equal((await client.get(TYPES)).success, true, 'recovers after the window');

  handle.scenario.rateLimitCalls = 100;
  handle.scenario.rateWindowMs = 20_000;
  for (let i = 0; i < 99; i += 1) await client.get(TYPES);
  const message = (await client.get(TYPES)).errors?.[0]?.message;
  t.equal(message, "Max rate limit '100' exceeded with in '20' secs", 'the real default message');
  handle.advanceTime(20_000);
  t.equal((await client.get(TYPES)).success, true, 'advancing the limits clock clears the window');
});

t.test('7: daily quota answers 607 until midnight US Central; usage.json reports the count', async (t) => {
  const handle = await fixtureMarketo(t, { dailyQuota: 4 });
  const client = new MarketoClient(handle);
  await client.login();
  await client.get(TYPES);
  const usage = await client.get('/rest/v1/stats/usage.json');
  t.equal(usage.result?.[0]?.total, 2, 'usage counts today’s calls, itself included');
  t.match(usage.result?.[0]?.date, /^2024-06-30T00:00:00-05:00$/, 'the day is a US Central day (CDT in June)');
  t.match(usage.result?.[0]?.users, [{ count: 2 }]);
  await client.get(TYPES);
  await client.get(TYPES);
  const over = await client.get(TYPES);
  t.same(over.errors, [{ code: '607', message: 'Daily quota reached' }]);
  handle.advanceTime(3_600_000);
  await client.login();
  t.equal(code(await client.get(TYPES)), '607', 'still blocked an hour later');
  handle.advancePastMidnight();
  await client.login();
  t.equal((await client.get(TYPES)).success, true, 'reset after midnight US Central');
  t.equal((await client.get('/rest/v1/stats/usage.json')).result?.[0]?.total, 2);
  handle.limits.setUsedToday(4);
  t.equal(code(await client.get(TYPES)), '607', 'usage can be preset');
});

t.test('8: more than 10 calls in flight answer 615', async (t) => {
  const handle = await fixtureMarketo(t, { latencyMs: 500 });
  const client = new MarketoClient(handle);
  await client.login();
  const results = await Promise.all(Array.from({ length: 13 }, () => client.get(TYPES)));
  const codes = results.map((result) => (result.success ? 'ok' : code(result)));
  t.equal(codes.filter((c) => c === 'ok').length, 10, '10 admitted');
  t.equal(codes.filter((c) => c === '615').length, 3, 'the rest refused with 615');
  t.equal(handle.limits.peakInFlight, 10);
  t.equal(handle.limits.inFlight, 0, 'all released');
  handle.scenario.latencyMs = 0;
  t.equal((await client.get(TYPES)).success, true);
});

t.test('9: transient 604/608/611 envelopes and HTTP 502 via faults; 413 and 414', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  for (const [c, message] of [
    ['604', 'Request timed out'],
    ['608', 'API Temporarily Unavailable'],
    ['611', 'System error'],
  ] as const) {
    handle.server.inject({ route: 'activities.types', action: { type: 'error', code: c } });
    const response = await client.raw(TYPES);
    t.equal(response.status, 200, `${c} is HTTP 200`);
    t.same(((await response.json()) as Envelope).errors, [{ code: c, message }]);
  }
  handle.server.inject({ route: 'activities.types', action: { type: 'error', code: '502' } });
  const gateway = await client.raw(TYPES);
  t.equal(gateway.status, 502);
  t.match(await gateway.text(), /Bad Gateway/);
  handle.server.inject({ route: 'activities.types', action: { type: 'status', status: 502 } });
  t.equal((await client.raw(TYPES)).status, 502, 'raw status faults too');
  t.equal((await client.get(TYPES)).success, true, 'then it works again');
  t.equal(handle.server.calls('activities.types'), 6, 'faulted calls are counted per route');

  const longUrl = await client.raw(TYPES, { params: { filler: 'x'.repeat(9_000) } });
  t.equal(longUrl.status, 414);
  const asPost = await client.raw(TYPES, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _method: 'GET', filler: 'x'.repeat(9_000) }),
  });
  t.equal(((await asPost.json()) as Envelope).success, true, 'the same call as POST with _method=GET works');
  const notRead = await client.raw(TYPES, { method: 'POST' });
  t.equal(code((await notRead.json()) as Envelope), '605', 'POST without _method=GET is not a read');

  const big = await client.raw('/bulk/v1/leads/export/create.json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fields: ['id'], pad: 'x'.repeat(1_100_000) }) });
  t.equal(big.status, 413);
  await big.text();
});
