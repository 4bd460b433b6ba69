import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startZuora, type ZuoraSimulator } from '../src/zuora/index.js';
import { zuoraFixtureSimulation } from './helpers/zuora-fixture.js';
import { aquaPayload, call, getToken, type Json } from './helpers/zuora-http.js';

async function start(scenario: Partial<ZuoraSimulator['scenario']> = {}): Promise<ZuoraSimulator & { info: ReturnType<typeof zuoraFixtureSimulation>['info'] }> {
  const { simulation, info } = zuoraFixtureSimulation();
  const zuora = await startZuora({ simulation, scenario });
  t.teardown(() => zuora.close());
  return Object.assign(zuora, { info });
}

function tokenRequest(base: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
}

t.test('1: /oauth/token client_credentials, bad client, wrong grant, 429 when hammered', async (t) => {
  const zuora = await start({ oauthRateLimit: 3, oauthWindowMs: 400 });
  const good = { client_id: zuora.scenario.clientId, client_secret: zuora.scenario.clientSecret, grant_type: 'client_credentials' };
  const res = await tokenRequest(zuora.url, good);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /application\/json/);
  const body = (await res.json()) as Json;
  t.match(body, { access_token: /^[0-9a-f]{32}$/, token_type: 'bearer', expires_in: 3599, scope: /entity\./, jti: /^[0-9a-f]{32}$/ });
  t.notOk('refresh_token' in body, 'no refresh token');

  const bad = await tokenRequest(zuora.url, { ...good, client_secret: 'nope' });
  t.equal(bad.status, 401);
  t.match(await bad.json(), { error: 'invalid_client' });
  const grant = await tokenRequest(zuora.url, { ...good, grant_type: 'password' });
  t.equal(grant.status, 400);
  t.match(await grant.json(), { error: 'unsupported_grant_type' });

  // Three calls used the window; the fourth is refused with the RateLimit headers, then the window resets.
  const limited = await tokenRequest(zuora.url, good);
  t.equal(limited.status, 429);
  t.equal(limited.headers.get('ratelimit-limit'), '3');
  t.equal(limited.headers.get('ratelimit-remaining'), '0');
  t.ok(Number(limited.headers.get('ratelimit-reset')) >= 1);
  await sleep(450);
  const again = await tokenRequest(zuora.url, good);
  t.equal(again.status, 200, 'recovers after the window');
  t.equal(zuora.server.calls('oauth.token'), 5);
});

t.test('2: bearer expiry by calls, by time and on demand; both 401 bodies; recovery; legacy headers', async (t) => {
  const zuora = await start({ tokenLifetimeCalls: 2 });
  let token = await getToken(zuora);
  t.equal((await call(zuora, token, 'GET', '/v1/describe')).status, 200);
  t.equal((await call(zuora, token, 'GET', '/v1/describe')).status, 200);
  const expired = await call(zuora, token, 'GET', '/v1/batch-query/jobs/whatever');
  t.equal(expired.status, 401, 'third call with a two-call token');
  t.same(expired.json, { message: 'Authentication error' });
  token = await getToken(zuora);
  t.equal((await call(zuora, token, 'GET', '/v1/describe')).status, 200, 'a new token works');

  zuora.scenario.authErrorBody = 'v1';
  zuora.scenario.tokenLifetimeCalls = Infinity;
  zuora.scenario.tokenLifetimeMs = 150;
  token = await getToken(zuora);
  const tokenBody = await tokenRequest(zuora.url, { client_id: zuora.scenario.clientId, client_secret: zuora.scenario.clientSecret, grant_type: 'client_credentials' });
  t.equal(((await tokenBody.json()) as Json).expires_in, 0, 'expires_in follows the lifetime (seconds, floored)');
  t.equal((await call(zuora, token, 'GET', '/v1/describe')).status, 200);
  await sleep(200);
  const late = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  t.equal(late.status, 401, 'expired by time, on any endpoint');
  t.match(late.json, { success: false, processId: /^[0-9A-F]{16}$/, reasons: [{ code: 90000011 }] });

  zuora.scenario.tokenLifetimeMs = 3_599_000;
  token = await getToken(zuora);
  t.equal((await call(zuora, token, 'GET', '/v1/describe')).status, 200);
  zuora.expireTokens();
  t.equal((await call(zuora, token, 'GET', '/v1/describe')).status, 401, 'expireTokens()');
  t.equal((await call(zuora, 'not-a-token', 'GET', '/v1/describe')).status, 401, 'unknown token');

  const legacy = { apiAccessKeyId: zuora.scenario.username, apiSecretAccessKey: zuora.scenario.password };
  const basic = await fetch(`${zuora.url}/v1/batch-query/`, { method: 'POST', headers: { ...legacy, 'content-type': 'application/json' }, body: JSON.stringify(aquaPayload('select Id from Account')) });
  t.equal(basic.status, 200, 'legacy apiAccessKeyId/apiSecretAccessKey headers');
  t.match(await basic.json(), { status: 'submitted' });
  const wrongPassword = await fetch(`${zuora.url}/v1/describe`, { headers: { ...legacy, apiSecretAccessKey: 'x' } });
  t.equal(wrongPassword.status, 401);
  zuora.scenario.basicAuth = false;
  t.equal((await fetch(`${zuora.url}/v1/describe`, { headers: legacy })).status, 401, 'basic auth switched off');
  t.equal((await fetch(`${zuora.url}/v1/describe`)).status, 401, 'no credentials');
});

t.test('3: several data centres; all but the tenant answer 401, so probing finds the right one', async (t) => {
  const zuora = await start();
  t.same(Object.keys(zuora.dataCenters), ['US-DC1', 'US-DC2', 'EU', 'APAC']);
  t.equal(zuora.dataCenter, 'US-DC2');
  t.equal(zuora.dataCenters['US-DC2'], zuora.url);
  t.equal(zuora.tapConfig.base_url, zuora.url);
  const token = await getToken(zuora);
  // tap-zuora's REST probe: GET v1/describe/Account on each candidate, 401 means "try the next".
  let found: string | undefined;
  const seen: number[] = [];
  for (const base of Object.values(zuora.dataCenters)) {
    const res = await fetch(`${base}/v1/describe/Account`, { headers: { authorization: `Bearer ${token}` } });
    seen.push(res.status);
    if (res.status !== 401) {
      found = base;
      break;
    }
  }
  t.same(seen, [401, 200]);
  t.equal(found, zuora.tapConfig.base_url);
  // The token endpoint of a wrong data centre does not know the client either.
  const wrong = await tokenRequest(zuora.dataCenters['US-DC1'] as string, { client_id: zuora.scenario.clientId, client_secret: zuora.scenario.clientSecret, grant_type: 'client_credentials' });
  t.equal(wrong.status, 401);
  const eu = await fetch(`${zuora.dataCenters.EU as string}/v1/batch-query/`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  t.equal(eu.status, 401);
  t.same(await eu.json(), { message: 'Authentication error' });
  t.equal(zuora.wrongDataCenterServers.reduce((sum, server) => sum + server.calls(), 0), 3);
});

t.test('15 (rate): RateLimit-* headers on every call, 429 past the limit, recovery after the reset', async (t) => {
  const zuora = await start({ rateLimit: 4, rateLimitWindowMs: 500 });
  const token = await getToken(zuora);
  const remaining: string[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await call(zuora, token, 'GET', '/v1/describe');
    t.equal(res.status, 200);
    t.equal(res.headers.get('ratelimit-limit'), '4');
    remaining.push(res.headers.get('ratelimit-remaining') as string);
  }
  t.same(remaining, ['3', '2', '1', '0']);
  const limited = await call(zuora, token, 'GET', '/v1/describe');
  t.equal(limited.status, 429);
  t.equal(limited.headers.get('ratelimit-remaining'), '0');
  const reset = Number(limited.headers.get('ratelimit-reset'));
  t.ok(reset >= 1 && reset <= 1, 'reset in seconds, rounded up');
  t.ok(limited.headers.get('retry-after'));
  await sleep(550);
  t.equal((await call(zuora, token, 'GET', '/v1/describe')).status, 200, 'recovers once the window has passed');
});

t.test('18: v1 REST error envelope with HTTP 200 for a missing key; found keys answer success:true', async (t) => {
  const zuora = await start();
  const token = await getToken(zuora);
  const missing = await call(zuora, token, 'GET', '/v1/accounts/A99999999');
  t.equal(missing.status, 200, 'HTTP 200 despite the error');
  t.match(missing.json, { success: false, processId: /^[0-9A-F]{16}$/, reasons: [{ code: 50000040, message: /Cannot find entity/ }] });
  const byId = await call(zuora, token, 'GET', `/v1/accounts/${zuora.info.accountId(1)}`);
  t.match(byId.json, { success: true, basicInfo: { id: zuora.info.accountId(1), accountNumber: 'A00000001', updatedDate: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-0[78]:00$/ } });
  const byNumber = await call(zuora, token, 'GET', '/v1/accounts/A00000004');
  t.equal(byNumber.json.basicInfo.id, zuora.info.accountId(4));
  const subscription = await call(zuora, token, 'GET', '/v1/subscriptions/A-S00000005');
  t.match(subscription.json, { success: true, name: 'A-S00000005', accountId: zuora.info.accountId(5), version: 1 });
  const noSubscription = await call(zuora, token, 'GET', '/v1/subscriptions/A-S404');
  t.equal(noSubscription.status, 200);
  t.equal(noSubscription.json.success, false);
  const unknownPath = await call(zuora, token, 'GET', '/v1/nothing-here');
  t.equal(unknownPath.status, 404);
});

t.test('native error mapping for inject({type:"error"})', async (t) => {
  const zuora = await start();
  const token = await getToken(zuora);
  const { server } = zuora;
  server.inject({ route: 'aqua.submit', action: { type: 'error', code: '90005' } });
  const aqua = await call(zuora, token, 'POST', '/v1/batch-query/', aquaPayload('select Id from Account'));
  t.equal(aqua.status, 200);
  t.same(aqua.json, { errorCode: '90005', message: 'There is a syntax error in one of the queries in the AQuA input' });

  server.inject({ route: 'describe.list', action: { type: 'error', code: 'RATE_LIMIT' } });
  const rate = await call(zuora, token, 'GET', '/v1/describe');
  t.equal(rate.status, 429);
  t.equal(rate.headers.get('ratelimit-remaining'), '0');
  t.ok(rate.headers.get('ratelimit-reset'));

  server.inject({ route: 'export.create', action: { type: 'error', code: 'INVALID_VALUE', message: 'bad query' } });
  const crud = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  t.equal(crud.status, 400);
  t.same(crud.json, { Success: false, Errors: [{ Code: 'INVALID_VALUE', Message: 'bad query' }] });

  server.inject({ route: 'rest.account', action: { type: 'error', code: '50000040', message: 'gone' } });
  const v1 = await call(zuora, token, 'GET', `/v1/accounts/${zuora.info.accountId(1)}`);
  t.equal(v1.status, 200);
  t.match(v1.json, { success: false, reasons: [{ code: 50000040, message: 'gone' }] });

  server.inject({ route: 'describe.object', action: { type: 'error', code: '401' } });
  const auth = await call(zuora, token, 'GET', '/v1/describe/Account');
  t.equal(auth.status, 401);
  t.same(auth.json, { message: 'Authentication error' });

  server.inject({ route: 'describe.object', action: { type: 'error', code: '503' } });
  const unavailable = await call(zuora, token, 'GET', '/v1/describe/Account');
  t.equal(unavailable.status, 503);
  t.match(unavailable.text, /Service Unavailable/);

  server.inject({ route: 'export.create', action: { type: 'error', code: 'CONCURRENCY_LIMIT' } });
  const concurrency = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: 'select Id from Account' });
  t.equal(concurrency.status, 429);
  t.ok(concurrency.headers.get('concurrency-limit-limit'));
  t.equal((await call(zuora, token, 'GET', '/v1/describe/Account')).status, 200, 'faults are one-off');
});
