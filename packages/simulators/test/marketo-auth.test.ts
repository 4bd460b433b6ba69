/**
 * Marketo identity and auth (must-haves 1-5 and 21): query-string credentials,
 * token reuse, 601/602 in HTTP 200 envelopes, header-only auth, the envelope,
 * and a base URL that carries a munchkin id.
 */
import t from 'tap';
import { startMarketo } from '../src/marketo/index.js';
import { fixtureSimulation } from './helpers/marketo-fixture.js';
import { code, fixtureMarketo, MarketoClient, sleep } from './helpers/marketo-http.js';

t.test('1: identity over GET and POST with query-string credentials; 401 unauthorized for bad ones', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  const got = await client.identity('GET');
  t.equal(got.status, 200);
  t.match(got.body, { access_token: /^[0-9a-f-]{36}:[a-z]+$/, token_type: 'bearer', expires_in: 3599, scope: /^apis@/ });
  const posted = await client.identity('POST');
  t.equal(posted.status, 200);
  t.equal(posted.body.access_token, got.body.access_token, 'POST returns the same live token');

  const bad = await client.identity('GET', { id: handle.scenario.clientId, secret: 'wrong' });
  t.equal(bad.status, 401);
  t.equal(bad.body.error, 'unauthorized');
  t.type(bad.body.error_description, 'string');

  const noGrant = await fetch(`${handle.baseUrl}/identity/oauth/token?client_id=x`);
  t.equal(noGrant.status, 400);
  t.match(await noGrant.json(), { error: 'invalid_request' });

  // Form-encoded POST body works too.
  const form = await fetch(`${handle.baseUrl}/identity/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: handle.scenario.clientId, client_secret: handle.scenario.clientSecret }),
  });
  t.equal(form.status, 200);

  handle.server.inject({ route: 'identity', action: { type: 'error', code: '401' } });
  t.equal((await client.identity()).status, 401, 'an injected identity error is a 401 unauthorized');
  t.equal(handle.tokens.issued, 1, 'one token issued so far');
});

t.test('2: same token with a smaller expires_in until it expires; configurable lifetime', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  const first = (await client.identity()).body;
  handle.advanceTime(100_000);
  const second = (await client.identity()).body;
  t.equal(second.access_token, first.access_token);
  t.ok(Number(second.expires_in) <= 3499 && Number(second.expires_in) >= 3490, `expires_in counts down (${String(second.expires_in)})`);
  handle.advanceTime(3_500_000);
  const third = (await client.identity()).body;
  t.not(third.access_token, first.access_token, 'an expired token is replaced');
  t.equal(third.expires_in, 3599);

  handle.scenario.tokenLifetimeMs = 1_500;
  handle.expireToken();
  const short = (await client.identity()).body;
  t.equal(short.expires_in, 1);
  t.equal(handle.tokens.issued, 3);
});

t.test('3: expiry mid-run answers 602 (HTTP 200), unknown tokens 601; valid again after re-auth', async (t) => {
  const handle = await fixtureMarketo(t, { tokenLifetimeCalls: 3 });
  const client = new MarketoClient(handle);
  const first = await client.login();
  for (let i = 0; i < 3; i += 1) t.equal((await client.get('/rest/v1/activities/types.json')).success, true);
  const expired = await client.raw('/rest/v1/activities/types.json');
  t.equal(expired.status, 200, 'auth errors are HTTP 200');
  const body = (await expired.json()) as { success: boolean; errors: { code: unknown; message: string }[]; result?: unknown };
  t.same(body.errors, [{ code: '602', message: 'Access token expired' }]);
  t.equal(body.success, false);
  t.notOk('result' in body);

  const second = await client.login();
  t.not(second, first, 'the identity service replaces an expired token');
  t.equal((await client.get('/rest/v1/activities/types.json')).success, true);

  client.token = 'not-a-token';
  t.equal(code(await client.get('/rest/v1/activities/types.json')), '601');
  client.token = second;
  handle.revokeToken();
  t.equal(code(await client.get('/rest/v1/activities/types.json')), '601', 'a revoked token is invalid');
  await client.login();
  handle.scenario.tokenLifetimeCalls = Infinity;
  handle.scenario.tokenLifetimeMs = 200;
  handle.expireToken();
  await client.login();
  await sleep(250);
  t.equal(code(await client.get('/rest/v1/activities/types.json')), '602', 'expiry by time');
});

t.test('4: Authorization header; access_token query parameter accepted or rejected by switch', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  const token = await client.login();
  const empty = await fetch(`${handle.baseUrl}/rest/v1/activities/types.json`);
  t.same(((await empty.json()) as { errors: unknown }).errors, [{ code: '600', message: 'Access token empty' }]);
  const viaQuery = await fetch(`${handle.baseUrl}/rest/v1/activities/types.json?access_token=${encodeURIComponent(token)}`);
  t.equal(((await viaQuery.json()) as { success: boolean }).success, true, 'query token accepted by default');
  handle.scenario.rejectQueryToken = true;
  const rejected = await fetch(`${handle.baseUrl}/rest/v1/activities/types.json?access_token=${encodeURIComponent(token)}`);
  t.equal(((await rejected.json()) as { errors: { code: string }[] }).errors[0]?.code, '600', 'query token ignored: no token');
  t.equal((await client.get('/rest/v1/activities/types.json')).success, true, 'the header still works');
  const bulk = await fetch(`${handle.baseUrl}/bulk/v1/leads/export.json`);
  t.equal(((await bulk.json()) as { errors: { code: string }[] }).errors[0]?.code, '600', 'bulk needs auth too');
});

t.test('5: envelope on every JSON response; result absent when there is nothing', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const response = await client.raw('/rest/v1/activities/types.json');
  t.match(response.headers.get('content-type'), /^application\/json/);
  const ok = (await response.json()) as Record<string, unknown>;
  t.match(ok, { requestId: /^[0-9a-f]+#[0-9a-f]+$/, success: true, errors: [], warnings: [] });
  t.ok(Array.isArray(ok.result));
  const token = await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2099-01-01T00:00:00Z' });
  t.notOk('result' in token, 'paging token call has no result');
  const empty = await client.get('/rest/v1/activities.json', { nextPageToken: String(token.nextPageToken), activityTypeIds: '6' });
  t.notOk('result' in empty, 'nothing to return: no result key');
  t.equal(empty.moreResult, false);
  t.type(empty.nextPageToken, 'string');
  const failure = await client.get('/rest/v1/nope.json');
  t.same(failure.errors, [{ code: '610', message: 'Requested resource not found' }]);
  t.type(failure.errors?.[0]?.code, 'string', 'codes are strings');
  t.equal(failure.success, false);
});

t.test('21: base URL carries a munchkin id; any Host is accepted', async (t) => {
  const handle = await fixtureMarketo(t, {}, { munchkinId: '602-EUO-598' });
  t.match(String(handle.tapConfig.endpoint), /^http:\/\/127\.0\.0\.1:\d+\/602-EUO-598\/rest$/);
  t.match(String(handle.tapConfig.identity), /\/602-EUO-598\/identity$/);
  t.match(handle.tapConfig, { client_id: handle.scenario.clientId, client_secret: handle.scenario.clientSecret, munchkin_id: '602-EUO-598', start_date: '2024-01-01T00:00:00Z' });
  const extracted = /(\d{3}-\w{3}-\d{3})/.exec(String(handle.tapConfig.endpoint))?.[1];
  t.equal(extracted, '602-EUO-598', 'a tap can extract the id with the usual regex');
  const client = new MarketoClient(handle);
  await client.login();
  // Plain paths (no prefix) and a foreign Host header are served too.
  const plain = await fetch(`${handle.url}/rest/v1/activities/types.json`, { headers: { authorization: `Bearer ${client.token}`, host: '602-euo-598.mktorest.com' } });
  t.equal(((await plain.json()) as { success: boolean }).success, true);

  const overridden = await startMarketo({ simulation: fixtureSimulation(), baseUrl: 'http://999-XYZ-111.example.test:1234' });
  t.teardown(() => overridden.close());
  t.equal(overridden.tapConfig.endpoint, 'http://999-XYZ-111.example.test:1234/rest');

  const auto = await startMarketo({ simulation: fixtureSimulation() });
  t.teardown(() => auto.close());
  t.match(auto.baseUrl, /123-ABC-456|123-abc-456\.localhost/, 'auto picks a subdomain or a path prefix');
  t.equal(auto.server.calls(), 0, 'the startup probe is not counted');
  const autoClient = new MarketoClient(auto);
  t.equal((await autoClient.identity()).status, 200, 'the auto URL works from this machine');
  await t.rejects(startMarketo({ simulation: fixtureSimulation(), munchkinId: 'nope' }), /munchkinId/);
});
