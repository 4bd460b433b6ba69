import t from 'tap';
import type { Connection } from 'jsforce';
import type { SalesforceSimulator } from '../src/salesforce/index.js';
import { api, config, jsforce, login, parseCsv, startFixture, VERSION } from './helpers/salesforce.js';
import { fixtureId } from './helpers/salesforce-fixture.js';

type Json = Record<string, any>;
const jobs = `/services/data/v${VERSION}/jobs/query`;

async function create(sf: SalesforceSimulator, token: string, body: Json, version = VERSION): Promise<{ status: number; body: Json }> {
  const res = await api(sf, `/services/data/v${version}/jobs/query`, token, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

async function poll(sf: SalesforceSimulator, token: string, id: string): Promise<Json> {
  return (await (await api(sf, `${jobs}/${id}`, token)).json()) as Json;
}

async function complete(sf: SalesforceSimulator, token: string, body: Json): Promise<string> {
  const job = await create(sf, token, body);
  for (let i = 0; i < 10; i += 1) if ((await poll(sf, token, job.body.id)).state === 'JobComplete') return job.body.id as string;
  throw new Error(`job ${job.body.id as string} did not complete`);
}

interface Page {
  status: number;
  locator: string | null;
  count: string | null;
  type: string | null;
  text: string;
}

async function page(sf: SalesforceSimulator, token: string, id: string, query = '', version = VERSION): Promise<Page> {
  const res = await api(sf, `/services/data/v${version}/jobs/query/${id}/results${query}`, token, { headers: { accept: 'text/csv' } });
  return { status: res.status, locator: res.headers.get('sforce-locator'), count: res.headers.get('sforce-numberofrecords'), type: res.headers.get('content-type'), text: await res.text() };
}

function records(stream: NodeJS.EventEmitter): Promise<Json[]> {
  return new Promise((resolve, reject) => {
    const out: Json[] = [];
    stream.on('record', (record: Json) => out.push(record));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

t.test('job lifecycle: UploadComplete → InProgress polls → JobComplete (must-have 18)', async (t) => {
  const sf = await startFixture(t, { jobPolls: 3 });
  const token = sf.issueToken();
  const job = await create(sf, token, { operation: 'query', query: 'SELECT Id, Name FROM Account', columnDelimiter: 'COMMA', lineEnding: 'LF' });
  t.equal(job.status, 200);
  t.match(job.body, { operation: 'query', object: 'Account', createdById: sf.userId, state: 'UploadComplete', concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: 58, lineEnding: 'LF', columnDelimiter: 'COMMA' });
  t.match(job.body.id, /^750[A-Za-z0-9]{15}$/);
  t.match(job.body.createdDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
  const states: string[] = [];
  for (let i = 0; i < 4; i += 1) states.push((await poll(sf, token, job.body.id)).state);
  t.same(states, ['InProgress', 'InProgress', 'InProgress', 'JobComplete']);
  const done = await poll(sf, token, job.body.id);
  t.match(done, { state: 'JobComplete', jobType: 'V2Query', numberRecordsProcessed: 28, retries: 0, isPkChunkingSupported: true });
  const list = (await (await api(sf, jobs, token)).json()) as Json;
  t.equal(list.done, true);
  t.equal(list.records.length, 1);
});

t.test('Failed and Aborted jobs, PATCH abort, DELETE (must-have 18)', async (t) => {
  const sf = await startFixture(t, { bulkJobOutcome: 'Failed', jobPolls: 0 });
  const conn = await login(sf);
  const token = conn.accessToken as string;
  conn.bulk2.pollInterval = 10;
  const failed = await create(sf, token, { operation: 'query', query: 'SELECT Id FROM User' });
  t.match(await poll(sf, token, failed.body.id), { state: 'Failed', errorMessage: sf.scenario.bulkJobErrorMessage });
  await t.rejects(conn.bulk2.query('SELECT Id FROM User'), { message: 'Query job failed to complete' });
  sf.scenario.bulkJobOutcome = 'Aborted';
  await t.rejects(conn.bulk2.query('SELECT Id FROM User'), { message: 'Job has been aborted' });
  // jsforce fires the DELETE without awaiting it
  for (let i = 0; i < 100 && sf.server.requests.filter((entry) => entry.route === 'bulk2.delete' && entry.status > 0).length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(sf.server.calls('bulk2.delete'), 2, 'jsforce deletes the jobs it gave up on');

  sf.scenario.bulkJobOutcome = 'JobComplete';
  sf.scenario.jobPolls = 5;
  const open = await create(sf, token, { operation: 'query', query: 'SELECT Id FROM User' });
  const aborted = await conn.bulk2.job('query', { id: open.body.id }).abort();
  t.equal(aborted.state, 'Aborted');
  t.equal((await poll(sf, token, open.body.id)).state, 'Aborted');
  const res = await api(sf, `${jobs}/${open.body.id as string}`, token, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'Aborted' }) });
  t.equal(res.status, 400, 'a finished job cannot be aborted');
  const del = await api(sf, `${jobs}/${open.body.id as string}`, token, { method: 'DELETE' });
  t.equal(del.status, 204);
  t.equal(await del.text(), '');
  const gone = await api(sf, `${jobs}/${open.body.id as string}`, token);
  t.equal(gone.status, 404);
  t.same(await gone.json(), [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
});

t.test('create-time refusals (must-have 18)', async (t) => {
  const sf = await startFixture(t, { bulkUnsupportedObjects: ['AccountHistory'], dailyBulkV2QueryJobs: 3 });
  const token = sf.issueToken();
  const refused = async (query: string, errorCode: string, message: string | RegExp): Promise<void> => {
    const res = await create(sf, token, { operation: 'query', query });
    t.equal(res.status, 400, query);
    t.match(res.body, [{ errorCode, message }]);
  };
  await refused('SELECT Id FROM ActivityHistory', 'INVALIDENTITY', "Entity 'ActivityHistory' is not supported by the Bulk API.");
  await refused('SELECT Id FROM AccountHistory', 'INVALIDENTITY', "Entity 'AccountHistory' is not supported by the Bulk API.");
  await refused('SELECT Id, BillingAddress FROM Account', 'API_ERROR', 'Selecting compound data not supported in Bulk Query');
  await refused('SELECT Id, HQ__c FROM Account', 'API_ERROR', 'Selecting compound data not supported in Bulk Query');
  await refused('SELECT Id, Logo__c FROM Account', 'API_ERROR', 'Binary field not supported');
  await refused('SELECT Id, (SELECT Id FROM Contacts) FROM Account', 'API_ERROR', /Nested queries/);
  await refused('SELECT Id FRM Account', 'MALFORMED_QUERY', /unexpected token: FRM/);
  const bad = await create(sf, token, { operation: 'query', query: 'SELECT Id FROM User', columnDelimiter: 'SPACE' });
  t.equal(bad.status, 400);
  for (let i = 0; i < 3; i += 1) t.equal((await create(sf, token, { operation: 'query', query: 'SELECT Id FROM User' })).status, 200);
  await refused('SELECT Id FROM User', 'LIMIT_EXCEEDED', 'Max bulk v2 query jobs (3) per 24 hrs has been reached');
  const old = await api(sf, '/services/data/v46.0/jobs/query', token, { method: 'POST', body: '{}' });
  t.equal(old.status, 404, 'Bulk 2.0 starts at v47.0');
});

t.test('QUERY_TIMEOUT fails the job (must-have 17)', async (t) => {
  const sf = await startFixture(t, { queryTimeoutDays: 30, jobPolls: 0 });
  const token = sf.issueToken();
  const job = await create(sf, token, { operation: 'query', query: 'SELECT Id FROM Task WHERE SystemModstamp >= 2023-01-01T00:00:00Z' });
  t.equal(job.status, 200, 'the job is accepted');
  const info = await poll(sf, token, job.body.id);
  t.equal(info.state, 'Failed');
  t.match(info.errorMessage, /QUERY_TIMEOUT/);
});

t.test('results paging: locator on every page, null on the last, header per page (must-have 19)', async (t) => {
  const sf = await startFixture(t);
  const token = sf.issueToken();
  const id = await complete(sf, token, { operation: 'query', query: 'SELECT Id, Subject FROM Task' });
  const pages: Page[] = [];
  let locator: string | null = '';
  while (locator !== 'null') {
    const current = await page(sf, token, id, locator ? `?locator=${locator}` : '');
    pages.push(current);
    locator = current.locator;
    if (pages.length > 20) throw new Error('no null locator');
  }
  t.equal(pages.length, 6, 'default page size 2000: 10,500 rows in 6 pages');
  t.ok(pages.every((p) => p.status === 200 && p.type === 'text/csv' && p.locator !== null));
  t.same(pages.map((p) => p.count), ['2000', '2000', '2000', '2000', '2000', '500']);
  const ids = new Set<string>();
  for (const p of pages) {
    const rows = parseCsv(p.text);
    t.same(rows[0], ['Id', 'Subject'], 'every page starts with the header row');
    for (const row of rows.slice(1)) ids.add(row[0] as string);
  }
  t.equal(ids.size, 10_500);
  const second = pages[1] as Page;
  const refetched = await page(sf, token, id, `?locator=${pages[0]?.locator as string}`);
  t.equal(refetched.text, second.text, 'locators are stable');

  const big = await page(sf, token, id, '?maxRecords=5000');
  t.equal(big.count, '5000');
  const rest = await page(sf, token, id, `?locator=${big.locator as string}&maxRecords=6000`);
  t.equal(rest.count, '5500');
  t.equal(rest.locator, 'null');

  const mismatch = await page(sf, token, id, '', '59.0');
  t.equal(mismatch.status, 409, 'results must be read with the version the job was created with');
  const pending = await create(sf, token, { operation: 'query', query: 'SELECT Id FROM User' });
  t.equal((await page(sf, token, pending.body.id)).status, 400, 'no results before JobComplete');
  const badLocator = await page(sf, token, id, '?locator=nonsense');
  t.equal(badLocator.status, 400);
  const empty = await page(sf, token, await complete(sf, token, { operation: 'query', query: "SELECT Id FROM Account WHERE Name = 'nobody'" }));
  t.same([empty.count, empty.locator, empty.text], ['0', 'null', '']);
});

t.test('Bulk CSV quirks (must-have 20)', async (t) => {
  const sf = await startFixture(t);
  const token = sf.issueToken();
  const soql = 'SELECT Id, Name, Description, IsDeleted, AnnualRevenue, NumberOfEmployees, CreatedDate, Owner.Name, BillingCity FROM Account ORDER BY Id';
  let text = (await page(sf, token, await complete(sf, token, { operation: 'query', query: soql }))).text;
  const lines = text.split('\n');
  t.equal(lines[0], '"Id","Name","Description","IsDeleted","AnnualRevenue","NumberOfEmployees","CreatedDate","Owner.Name","BillingCity"', 'dotted relationship headers, everything quoted');
  t.match(text, /"Acme, ""Rockets"" Inc\."/, 'embedded quotes are doubled');
  t.match(text, /"line one\nline two with ""quotes"""/, 'embedded newlines stay inside quotes');
  t.ok(text.includes('"nul\u0000byte"'), 'NUL bytes are passed through');
  const rows = parseCsv(text);
  const byId = new Map(rows.slice(1).map((row) => [row[0], row]));
  const first = byId.get(fixtureId('001', 1)) as string[];
  t.equal(first[3], 'false');
  t.equal(first[4], '250000.0', 'currency with a decimal point');
  t.equal(first[5], '10');
  t.match(first[6], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/, 'bulk datetimes end in Z');
  t.equal(first[7], 'User 2');
  t.equal(byId.get(fixtureId('001', 5))?.[2], '', 'empty string');
  t.equal(byId.get(fixtureId('001', 6))?.[2], '', 'null reads the same as empty');
  t.match(text, new RegExp(`"${fixtureId('001', 6)}","Account 6","","false"`), 'null written as ""');
  t.notOk(byId.has(fixtureId('001', 7)), 'query leaves out deleted rows');

  sf.scenario.csvNull = 'empty';
  sf.scenario.csvIntAsDecimal = true;
  text = (await page(sf, token, await complete(sf, token, { operation: 'queryAll', query: soql, columnDelimiter: 'PIPE', lineEnding: 'CRLF' }))).text;
  t.ok(text.startsWith('"Id"|"Name"|"Description"|'), 'PIPE delimiter');
  t.ok(text.split('\r\n').length > 30, 'CRLF line endings');
  t.match(text, new RegExp(`"${fixtureId('001', 6)}"\\|"Account 6"\\|\\|"false"`), 'null written as nothing between delimiters');
  t.match(text, new RegExp(`"${fixtureId('001', 2)}"\\|[^\\r]*\\|"20\\.0"\\|`), 'integers written as 20.0');
  t.match(text, new RegExp(`"${fixtureId('001', 7)}"\\|"Account 7"\\|\\|"true"`), 'queryAll includes deleted rows');
});

t.test('jsforce: single-page conn.bulk2.query works; 401 INVALID_SESSION_ID refreshes (must-haves 19 and 21)', async (t) => {
  const sf = await startFixture(t, { jobPolls: 1 });
  const c = config(sf);
  const conn: Connection = new jsforce.Connection({ instanceUrl: sf.url, accessToken: sf.issueToken(), refreshToken: c.refresh_token, version: VERSION, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: c.login_url } });
  conn.bulk2.pollInterval = 10;
  const users = await records(await conn.bulk2.query('SELECT Id, Name, IsActive FROM User ORDER BY Id'));
  t.same(users.map((user) => user.Name), ['User 1', 'User 2', 'User 3']);
  t.same(sf.server.requests.filter((entry) => entry.route.startsWith('bulk2')).map((entry) => entry.route), ['bulk2.create', 'bulk2.poll', 'bulk2.poll', 'bulk2.results']);

  sf.expireTokens();
  const res = await api(sf, jobs, conn.accessToken as string);
  t.equal(res.status, 401);
  t.match(await res.text(), /INVALID_SESSION_ID/, 'the body names INVALID_SESSION_ID, which is what jsforce bulk2 checks');
  const again = await records(await conn.bulk2.query('SELECT Id FROM User'));
  t.equal(again.length, 3, 'jsforce refreshed the session and went on');
  t.equal(sf.server.calls('oauth.token'), 1);
});
