import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { api, config, jsforce, login, startFixture, VERSION } from './helpers/salesforce.js';

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

t.test('OAuth username-password flow (must-have 1)', async (t) => {
  const sf = await startFixture(t);
  const c = config(sf);
  const conn = await login(sf);
  t.equal(conn.instanceUrl, sf.url, 'instance_url points back at the simulator');
  t.equal(conn.userInfo?.organizationId, sf.orgId);
  t.equal(conn.userInfo?.id, sf.userId);
  t.equal(sf.server.calls('oauth.token'), 1);

  const res = await fetch(`${c.login_url}/services/oauth2/token`, form({ grant_type: 'password', client_id: c.client_id, client_secret: c.client_secret, username: c.username, password: c.password + c.security_token }));
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8');
  const body = (await res.json()) as Record<string, string>;
  t.same(Object.keys(body).sort(), ['access_token', 'id', 'instance_url', 'issued_at', 'signature', 'token_type']);
  t.notOk('expires_in' in body, 'no expires_in: expiry is only discovered through 401');
  t.notOk('refresh_token' in body, 'the password flow issues no refresh token');
  t.match(body.issued_at, /^\d{13}$/, 'issued_at is epoch milliseconds as a string');
  t.equal(body.token_type, 'Bearer');
  t.ok(body.id?.endsWith(`/id/${sf.orgId}/${sf.userId}`));
  t.match(body.signature, /^[A-Za-z0-9+/]+=*$/);
  t.not(body.access_token, conn.accessToken, 'every login issues a new opaque token');
});

t.test('OAuth error bodies (must-have 3)', async (t) => {
  const sf = await startFixture(t);
  const c = config(sf);
  const token = (fields: Record<string, string>): Promise<Response> => fetch(`${sf.url}/services/oauth2/token`, form(fields));
  const base = { grant_type: 'password', client_id: c.client_id, client_secret: c.client_secret, username: c.username };

  let res = await token({ ...base, password: 'wrong' });
  t.equal(res.status, 400);
  t.same(await res.json(), { error: 'invalid_grant', error_description: 'authentication failure' });
  res = await token({ ...base, password: c.password });
  t.same(await res.json(), { error: 'invalid_grant', error_description: 'authentication failure' }, 'the security token is required');
  res = await token({ ...base, client_id: 'nope', password: c.password + c.security_token });
  t.same(await res.json(), { error: 'invalid_client_id', error_description: 'client identifier invalid' });
  res = await token({ ...base, client_secret: 'nope', password: c.password + c.security_token });
  t.same(await res.json(), { error: 'invalid_client', error_description: 'invalid client credentials' });
  res = await token({ grant_type: 'authorization_code', code: 'x', client_id: c.client_id });
  t.same(await res.json(), { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
  res = await token({ grant_type: 'refresh_token', client_id: c.client_id, refresh_token: 'bogus' });
  t.equal(res.status, 400);
  t.same(await res.json(), { error: 'invalid_grant', error_description: 'expired access/refresh token' });

  const conn = new jsforce.Connection({ loginUrl: c.login_url, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: c.login_url } });
  await t.rejects(conn.login(c.username, 'wrong'), { name: 'invalid_grant', message: 'authentication failure' }, 'jsforce surfaces error/error_description');

  sf.scenario.requireSecurityToken = false;
  res = await token({ ...base, password: c.password });
  t.equal(res.status, 200, 'trusted-IP orgs accept the bare password');
});

t.test('refresh token flow: automatic refresh on 401, old tokens stay dead (must-have 8)', async (t) => {
  const sf = await startFixture(t, { tokenLifetimeCalls: 2 });
  const c = config(sf);
  const first = sf.issueToken();
  const conn = new jsforce.Connection({ instanceUrl: sf.url, accessToken: first, refreshToken: c.refresh_token, version: VERSION, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: c.login_url } });
  const refreshed: string[] = [];
  conn.on('refresh', (token: string) => refreshed.push(token));
  for (let i = 0; i < 5; i += 1) {
    const result = await conn.query('SELECT Id FROM User');
    t.equal(result.totalSize, 3);
  }
  t.equal(refreshed.length, 2, 'two tokens of two calls each were used up');
  t.equal(sf.server.calls('oauth.token'), 2);
  t.equal(sf.server.requests.filter((entry) => entry.status === 401).length, 2, 'each expiry showed up as one 401');

  sf.scenario.tokenLifetimeCalls = undefined;
  const res = await api(sf, `/services/data/v${VERSION}/limits`, first);
  t.equal(res.status, 401, 'an expired token stays invalid when the scenario changes');
  t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8');
  t.same(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  t.equal((await api(sf, `/services/data/v${VERSION}/limits`, refreshed[1])).status, 200, 'the refreshed token works');
});

t.test('token lifetime in time and expireTokens()', async (t) => {
  const sf = await startFixture(t, { tokenLifetimeMs: 150 });
  const token = sf.issueToken();
  t.equal((await api(sf, `/services/data/v${VERSION}/sobjects`, token)).status, 200);
  await sleep(200);
  t.equal((await api(sf, `/services/data/v${VERSION}/sobjects`, token)).status, 401);
  sf.scenario.tokenLifetimeMs = undefined;
  const other = sf.issueToken();
  sf.expireTokens();
  t.equal((await api(sf, `/services/data/v${VERSION}/sobjects`, other)).status, 401);
  t.equal((await api(sf, `/services/data/v${VERSION}/sobjects`, undefined)).status, 401, 'no token at all');
});

t.test('refresh itself fails: expired access/refresh token (must-have 8)', async (t) => {
  const sf = await startFixture(t);
  const c = config(sf);
  const conn = new jsforce.Connection({ instanceUrl: sf.url, accessToken: sf.issueToken(), refreshToken: c.refresh_token, version: VERSION, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: c.login_url } });
  t.equal((await conn.query('SELECT Id FROM User')).totalSize, 3);
  sf.scenario.refreshFails = true;
  sf.expireTokens();
  await t.rejects(async () => conn.query('SELECT Id FROM User'), /expired access\/refresh token/);
});

t.test('refresh token rotation', async (t) => {
  const sf = await startFixture(t, { rotateRefreshToken: true });
  const c = config(sf);
  const refresh = (token: string): Promise<Response> => fetch(`${sf.url}/services/oauth2/token`, form({ grant_type: 'refresh_token', client_id: c.client_id, client_secret: c.client_secret, refresh_token: token }));
  const res = await refresh(c.refresh_token);
  const body = (await res.json()) as Record<string, string>;
  t.equal(res.status, 200);
  t.type(body.refresh_token, 'string');
  t.not(body.refresh_token, c.refresh_token);
  t.equal(body.scope, 'api refresh_token');
  t.equal((await refresh(c.refresh_token)).status, 400, 'the rotated-out refresh token is revoked');
  t.equal((await refresh(body.refresh_token as string)).status, 200);
});

t.test('SOAP login when no client secret is configured (must-have 4)', async (t) => {
  const sf = await startFixture(t);
  const c = config(sf);
  const conn = new jsforce.Connection({ loginUrl: c.login_url, version: VERSION });
  const info = await conn.login(c.username, c.password + c.security_token);
  t.equal(sf.server.calls('soap.login'), 1);
  t.equal(sf.server.calls('oauth.token'), 0);
  t.equal(info.organizationId, sf.orgId);
  t.equal(info.id, sf.userId);
  t.equal(conn.instanceUrl, sf.url, 'instanceUrl is the scheme and host of serverUrl');
  t.equal((await conn.query('SELECT Id FROM User')).totalSize, 3);

  // a 401 makes jsforce simply log in again
  sf.expireTokens();
  t.equal((await conn.query('SELECT Id FROM User')).totalSize, 3);
  t.equal(sf.server.calls('soap.login'), 2);

  const bad = new jsforce.Connection({ loginUrl: c.login_url, version: VERSION });
  await t.rejects(bad.login(c.username, 'wrong'), { message: 'INVALID_LOGIN: Invalid username, password, security token; or user locked out.' });
  const res = await fetch(`${sf.url}/services/Soap/u/${VERSION}`, { method: 'POST', headers: { 'content-type': 'text/xml', SOAPAction: '""' }, body: '<login><username>x</username><password>y</password></login>' });
  t.equal(res.status, 500);
  t.match(res.headers.get('content-type'), /^text\/xml/);
  t.match(await res.text(), /<faultcode>sf:INVALID_LOGIN<\/faultcode><faultstring>INVALID_LOGIN: /);

  sf.scenario.passwordExpired = true;
  await t.rejects(new jsforce.Connection({ loginUrl: c.login_url, version: VERSION }).login(c.username, c.password + c.security_token), /password has expired/);
});

t.test('client_credentials: My Domain only (must-haves 1 and 2)', async (t) => {
  const sf = await startFixture(t);
  const c = config(sf);
  const conn = new jsforce.Connection({ loginUrl: c.login_url, version: VERSION, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: c.login_url } });
  await conn.authorize({ grant_type: 'client_credentials' });
  t.equal(conn.instanceUrl, sf.url);
  t.notOk(conn.refreshToken, 'no refresh token with client credentials');
  t.equal((await conn.query('SELECT Id FROM User')).totalSize, 3);

  const generic = new jsforce.Connection({ loginUrl: sf.genericLoginUrl, version: VERSION, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: sf.genericLoginUrl } });
  await t.rejects(generic.authorize({ grant_type: 'client_credentials' }), { name: 'invalid_grant', message: 'request not supported on this domain' });
  const res = await fetch(`${sf.genericLoginUrl}/services/oauth2/token`, form({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret }));
  t.equal(res.status, 400);
  t.same(await res.json(), { error: 'invalid_grant', error_description: 'request not supported on this domain' });

  // the generic host still serves the password flow, SOAP login and hands out the same instance URL
  const viaGeneric = new jsforce.Connection({ loginUrl: sf.genericLoginUrl, version: VERSION, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: sf.genericLoginUrl } });
  await viaGeneric.login(c.username, c.password + c.security_token);
  t.equal(viaGeneric.instanceUrl, sf.url);
  t.ok(viaGeneric.userInfo?.url.startsWith(`${sf.genericLoginUrl}/id/`));
  const soap = new jsforce.Connection({ loginUrl: sf.genericLoginUrl, version: VERSION });
  await soap.login(c.username, c.password + c.security_token);
  t.equal(soap.instanceUrl, sf.url);

  // a Host header naming the generic host counts too
  const status = await new Promise<number>((resolve, reject) => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret }).toString();
    const req = request(`${sf.url}/services/oauth2/token`, { method: 'POST', headers: { host: 'login.salesforce.com', 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
  t.equal(status, 400);
});

t.test('versions, unknown versions and unknown paths (must-haves 5 and 7)', async (t) => {
  const sf = await startFixture(t);
  const res = await fetch(`${sf.url}/services/data/`);
  t.equal(res.status, 200, 'the versions list needs no token');
  t.equal(res.headers.get('sforce-limit-info'), null, 'and carries no limit header');
  const versions = (await res.json()) as Array<{ label: string; url: string; version: string }>;
  t.same(versions[0], { label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
  t.same(versions.at(-1), { label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
  t.ok(versions.some((entry) => entry.version === '58.0' && entry.label === "Summer '23"));

  const token = sf.issueToken();
  for (const path of ['/services/data/v99.0/sobjects', '/services/data/v20.0/sobjects', '/services/data/v58.5/sobjects', `/services/data/v${VERSION}/nothing`, '/elsewhere']) {
    const missing = await api(sf, path, token);
    t.equal(missing.status, 404, path);
    t.same(await missing.json(), [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  }
  const conn = new jsforce.Connection({ instanceUrl: sf.url, accessToken: token, version: '99.0' });
  await t.rejects(conn.describeGlobal(), { name: 'NOT_FOUND' });
});

t.test('revoke ends a session', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const token = conn.accessToken as string;
  await conn.logout();
  t.equal(sf.server.calls('oauth.revoke'), 1);
  t.equal((await api(sf, `/services/data/v${VERSION}/limits`, token)).status, 401);
});
