import t from 'tap';
import { api, login, startFixture, VERSION } from './helpers/salesforce.js';

type Json = Record<string, any>;
const base = `/services/data/v${VERSION}`;

t.test('Sforce-Limit-Info on every REST response and /limits consistent with it (must-have 9)', async (t) => {
  const sf = await startFixture(t, { dailyApiLimit: 5000, apiRequestsUsed: 17 });
  const token = sf.issueToken();
  const paths = [`${base}/sobjects`, `${base}/sobjects/Account/describe`, `${base}/query?q=SELECT+Id+FROM+User`, `${base}/limits`, `${base}/jobs/query`, `${base}/sobjects/Nope/describe`];
  let expected = 18;
  for (const path of paths) {
    const res = await api(sf, path, token);
    t.equal(res.headers.get('sforce-limit-info'), `api-usage=${expected}/5000`, path);
    t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8', `${path} is JSON`);
    expected += 1;
  }
  const versions = await fetch(`${sf.url}/services/data/`);
  t.equal(versions.headers.get('sforce-limit-info'), null);

  const res = await api(sf, `${base}/limits`, token);
  const used = Number(/api-usage=(\d+)\//.exec(res.headers.get('sforce-limit-info') ?? '')?.[1]);
  const limits = (await res.json()) as Json;
  t.same(limits.DailyApiRequests, { Max: 5000, Remaining: 5000 - used });
  for (const key of ['DailyBulkApiBatches', 'DailyBulkV2QueryJobs', 'DailyBulkV2QueryFileStorageMB', 'DailyAsyncApexExecutions', 'DataStorageMB', 'FileStorageMB']) {
    t.match(limits[key], { Max: Number, Remaining: Number }, key);
  }

  const conn = await login(sf);
  await conn.query('SELECT Id FROM User');
  t.same(conn.limitInfo.apiUsage, { used: sf.scenario.apiRequestsUsed, limit: 5000 }, 'jsforce reads the header into limitInfo');
  const before = ((await conn.limits()) as unknown as Json).DailyBulkV2QueryJobs.Remaining as number;
  await conn.requestPost('/jobs/query', { operation: 'query', query: 'SELECT Id FROM User' });
  t.equal(((await conn.limits()) as unknown as Json).DailyBulkV2QueryJobs.Remaining, before - 1, 'bulk jobs count against their own quota');
});

t.test('REQUEST_LIMIT_EXCEEDED: daily quota and concurrency (must-have 10)', async (t) => {
  const sf = await startFixture(t, { dailyApiLimit: 100 });
  const conn = await login(sf);
  sf.scenario.apiRequestsUsed = 99;
  t.equal((await conn.query('SELECT Id FROM User')).totalSize, 3, 'the last call of the day still works');
  await t.rejects(async () => conn.query('SELECT Id FROM User'), { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
  const res = await api(sf, `${base}/sobjects`, conn.accessToken as string);
  t.equal(res.status, 403);
  t.equal(res.headers.get('sforce-limit-info'), 'api-usage=100/100');
  t.same(await res.json(), [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);

  sf.scenario.dailyApiLimit = 100_000;
  sf.scenario.maxConcurrentRequests = 1;
  sf.scenario.latencyMs = 150;
  const [a, b] = await Promise.all([api(sf, `${base}/sobjects`, conn.accessToken as string), api(sf, `${base}/limits`, conn.accessToken as string)]);
  t.same([a.status, b.status].sort(), [200, 403]);
  const refused = a.status === 403 ? a : b;
  t.same(await refused.json(), [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
  t.equal((await api(sf, `${base}/limits`, conn.accessToken as string)).status, 200, 'once the first finished, the next is let in');
});

t.test('transient errors: jsforce retries GET, not POST (must-have 11)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  sf.server.inject({ route: 'describeGlobal', action: { type: 'error', code: 'SERVER_UNAVAILABLE' } });
  const global = (await conn.describeGlobal()) as unknown as Json;
  t.ok(global.sobjects.length > 0, 'jsforce retried the 503');
  t.same(sf.server.requests.filter((entry) => entry.route === 'describeGlobal').map((entry) => entry.status), [503, 200]);

  sf.server.inject({ route: 'query', action: { type: 'status', status: 429, body: [{ message: 'Too many', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] } });
  sf.server.inject({ route: 'query', action: { type: 'error', code: 'UNKNOWN_EXCEPTION' } });
  t.equal((await conn.query('SELECT Id FROM User')).totalSize, 3);
  t.same(sf.server.requests.filter((entry) => entry.route === 'query').map((entry) => entry.status), [429, 500, 200]);

  sf.server.inject({ route: 'composite.batch', action: { type: 'error', code: 'SERVER_UNAVAILABLE' } });
  await t.rejects(conn.requestPost('/composite/batch', { batchRequests: [] }), { errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' });
  t.equal(sf.server.calls('composite.batch'), 1, 'POST is not retried');
  sf.server.inject({ route: 'bulk2.create', action: { type: 'status', status: 503, body: 'Service Unavailable' } });
  await t.rejects(conn.requestPost('/jobs/query', { operation: 'query', query: 'SELECT Id FROM User' }), { name: 'ERROR_HTTP_503' });
  t.equal(sf.server.calls('bulk2.create'), 1);
});

t.test('native error mapping per route family (must-haves 6 and 7)', async (t) => {
  const sf = await startFixture(t);
  const token = sf.issueToken();
  sf.server.inject({ route: 'query', action: { type: 'error', code: 'REQUEST_LIMIT_EXCEEDED' } });
  let res = await api(sf, `${base}/query?q=SELECT+Id+FROM+User`, token);
  t.equal(res.status, 403);
  t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8');
  t.same(await res.json(), [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
  sf.server.inject({ route: 'describe', action: { type: 'error', code: 'INVALID_SESSION_ID' } });
  res = await api(sf, `${base}/sobjects/Account/describe`, token);
  t.equal(res.status, 401);
  t.same(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  sf.server.inject({ route: 'oauth.token', action: { type: 'error', code: 'invalid_grant', message: 'expired access/refresh token' } });
  res = await fetch(`${sf.url}/services/oauth2/token`, { method: 'POST', body: 'grant_type=password' });
  t.equal(res.status, 400);
  t.same(await res.json(), { error: 'invalid_grant', error_description: 'expired access/refresh token' });
  sf.server.inject({ route: 'soap.login', action: { type: 'error', code: 'API_DISABLED_FOR_ORG', message: 'API is not enabled for this Organization or Partner' } });
  res = await fetch(`${sf.url}/services/Soap/u/${VERSION}`, { method: 'POST', body: '<login/>' });
  t.equal(res.status, 500);
  t.match(await res.text(), /<faultstring>API_DISABLED_FOR_ORG: API is not enabled/);
  sf.server.inject({ route: 'bulk.job', action: { type: 'error', code: 'InvalidJob', message: 'Unable to find object: 750x' } });
  res = await fetch(`${sf.url}/services/async/${VERSION}/job/750x`, { headers: { 'X-SFDC-Session': token } });
  t.equal(res.status, 400);
  t.match(await res.text(), /<exceptionCode>InvalidJob<\/exceptionCode>/);
});
