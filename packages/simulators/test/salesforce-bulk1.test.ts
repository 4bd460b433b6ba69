import t from 'tap';
import type { SalesforceSimulator } from '../src/salesforce/index.js';
import { config, jsforce, login, parseCsv, startFixture, VERSION } from './helpers/salesforce.js';

const NS = 'http://www.force.com/2009/06/asyncapi/dataload';

function v1(sf: SalesforceSimulator, token: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('X-SFDC-Session', token);
  return fetch(`${sf.url}/services/async/${VERSION}${path}`, { ...init, headers });
}

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const tags = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1] as string);

async function createJob(sf: SalesforceSimulator, token: string, object: string, headers: Record<string, string> = {}, operation = 'query'): Promise<string> {
  const body = `<?xml version="1.0" encoding="UTF-8"?><jobInfo xmlns="${NS}"><operation>${operation}</operation><object>${object}</object><contentType>CSV</contentType></jobInfo>`;
  const res = await v1(sf, token, '/job', { method: 'POST', headers: { 'content-type': 'application/xml; charset=utf-8', ...headers }, body });
  return tag(await res.text(), 'id') as string;
}

async function addBatch(sf: SalesforceSimulator, token: string, job: string, soql: string): Promise<string> {
  const res = await v1(sf, token, `/job/${job}/batch`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: soql });
  return tag(await res.text(), 'id') as string;
}

async function rows(sf: SalesforceSimulator, token: string, job: string, batch: string): Promise<string[][]> {
  const list = await (await v1(sf, token, `/job/${job}/batch/${batch}/result`)).text();
  const out: string[][] = [];
  for (const id of tags(list, 'result')) out.push(...parseCsv(await (await v1(sf, token, `/job/${job}/batch/${batch}/result/${id}`)).text()).slice(1));
  return out;
}

t.test('XML flow: job, batch states, result list, CSV (must-have 22)', async (t) => {
  const sf = await startFixture(t, { jobPolls: 1 });
  const token = sf.issueToken();
  const body = `<?xml version="1.0" encoding="UTF-8"?><jobInfo xmlns="${NS}"><operation>query</operation><object>Account</object><contentType>CSV</contentType></jobInfo>`;
  const res = await v1(sf, token, '/job', { method: 'POST', headers: { 'content-type': 'application/xml; charset=utf-8' }, body });
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/xml');
  t.equal(res.headers.get('sforce-limit-info'), null, 'Bulk 1.0 carries no REST limit header');
  const info = await res.text();
  t.match(info, new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?><jobInfo\\n   xmlns="${NS}">`));
  t.same([tag(info, 'operation'), tag(info, 'object'), tag(info, 'state'), tag(info, 'contentType'), tag(info, 'apiVersion')], ['query', 'Account', 'Open', 'CSV', VERSION]);
  const job = tag(info, 'id') as string;
  t.match(job, /^750/);

  const batchXml = await (await v1(sf, token, `/job/${job}/batch`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'SELECT Id, Name, CreatedDate FROM Account ORDER BY Id' })).text();
  t.equal(tag(batchXml, 'state'), 'Queued');
  const batch = tag(batchXml, 'id') as string;
  t.match(batch, /^751/);
  const states: Array<string | undefined> = [];
  for (let i = 0; i < 2; i += 1) states.push(tag(await (await v1(sf, token, `/job/${job}/batch/${batch}`)).text(), 'state'));
  t.same(states, ['InProgress', 'Completed']);
  const closed = await (await v1(sf, token, `/job/${job}`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: `<jobInfo xmlns="${NS}"><state>Closed</state></jobInfo>` })).text();
  t.equal(tag(closed, 'state'), 'Closed');
  t.equal(tag(closed, 'numberBatchesCompleted'), '1');
  t.equal(tag(closed, 'numberRecordsProcessed'), '28');
  const list = await v1(sf, token, `/job/${job}/batch/${batch}/result`);
  const listXml = await list.text();
  t.match(listXml, /^<\?xml version="1.0" encoding="UTF-8"\?><result-list xmlns="[^"]+"><result>752[A-Za-z0-9]{15}<\/result><\/result-list>$/);
  const file = await v1(sf, token, `/job/${job}/batch/${batch}/result/${tags(listXml, 'result')[0] as string}`);
  t.equal(file.headers.get('content-type'), 'text/csv');
  const csv = parseCsv(await file.text());
  t.same(csv[0], ['Id', 'Name', 'CreatedDate']);
  t.equal(csv.length, 29);
  t.match(csv[1]?.[2], /\.000Z$/);

  const empty = await createJob(sf, token, 'Account');
  const emptyBatch = await addBatch(sf, token, empty, "SELECT Id FROM Account WHERE Name = 'nobody'");
  await v1(sf, token, `/job/${empty}/batch/${emptyBatch}`);
  await v1(sf, token, `/job/${empty}/batch/${emptyBatch}`);
  const none = tags(await (await v1(sf, token, `/job/${empty}/batch/${emptyBatch}/result`)).text(), 'result')[0] as string;
  t.equal(await (await v1(sf, token, `/job/${empty}/batch/${emptyBatch}/result/${none}`)).text(), 'Records not found for this query');
});

t.test('jsforce conn.bulk.query end to end, including session refresh on 400 InvalidSessionId (must-have 22)', async (t) => {
  const sf = await startFixture(t, { jobPolls: 1 });
  const c = config(sf);
  const conn = new jsforce.Connection({ instanceUrl: sf.url, accessToken: sf.issueToken(), refreshToken: c.refresh_token, version: VERSION, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: c.login_url } });
  conn.bulk.pollInterval = 10;
  const collect = (stream: NodeJS.EventEmitter): Promise<Array<Record<string, string>>> =>
    new Promise((resolve, reject) => {
      const out: Array<Record<string, string>> = [];
      stream.on('record', (record: Record<string, string>) => out.push(record));
      stream.on('end', () => resolve(out));
      stream.on('error', reject);
    });
  const accounts = await collect(await conn.bulk.query('SELECT Id, Name FROM Account'));
  t.equal(accounts.length, 28);
  t.ok(accounts.some((account) => account.Name === 'Acme, "Rockets" Inc.'));

  sf.expireTokens();
  const res = await v1(sf, 'expired-token', '/job/750x');
  t.equal(res.status, 400, 'Bulk 1.0 reports an expired session with 400, not 401');
  t.match(await res.text(), /<exceptionCode>InvalidSessionId<\/exceptionCode>/);
  const users = await collect(await conn.bulk.query('SELECT Id FROM User'));
  t.equal(users.length, 3, 'jsforce refreshed the session on InvalidSessionId');
  t.equal(sf.server.calls('oauth.token'), 1);

  sf.scenario.queryTimeoutDays = 10;
  await t.rejects(async () => collect(await conn.bulk.query('SELECT Id FROM Task')), /QUERY_TIMEOUT/);
  // jsforce closes the job without awaiting it; let that request finish before the server goes away
  for (let i = 0; i < 100 && sf.server.requests.filter((entry) => entry.route === 'bulk.closeJob' && entry.status > 0).length < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(sf.server.calls('bulk.closeJob'), 3, 'jsforce closed each of its three jobs');
});

t.test('JSON jobInfo (singer tap style) and errors (must-have 22)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const token = conn.accessToken as string;
  const json = { 'content-type': 'application/json' };
  const res = await v1(sf, token, '/job', { method: 'POST', headers: json, body: JSON.stringify({ operation: 'queryAll', object: 'Account', contentType: 'CSV' }) });
  t.equal(res.headers.get('content-type'), 'application/json');
  const info = (await res.json()) as Record<string, unknown>;
  t.match(info, { operation: 'queryAll', object: 'Account', state: 'Open', contentType: 'CSV', numberBatchesTotal: 0, apiVersion: 58 });
  const batch = await addBatch(sf, token, info.id as string, 'SELECT Id, IsDeleted FROM Account');
  const closed = (await (await v1(sf, token, `/job/${info.id as string}`, { method: 'POST', headers: json, body: JSON.stringify({ state: 'Closed' }) })).json()) as Record<string, unknown>;
  t.equal(closed.state, 'Closed');
  await v1(sf, token, `/job/${info.id as string}/batch/${batch}`);
  await v1(sf, token, `/job/${info.id as string}/batch/${batch}`);
  const all = await rows(sf, token, info.id as string, batch);
  t.equal(all.length, 30, 'queryAll includes deleted rows');
  t.equal(all.filter((row) => row[1] === 'true').length, 2);

  const missing = await v1(sf, token, '/job/750000000000000AAA', { headers: json });
  t.equal(missing.status, 400);
  t.same(await missing.json(), { exceptionCode: 'InvalidJob', exceptionMessage: 'Unable to find object: 750000000000000AAA' });
  const entity = await v1(sf, token, '/job', { method: 'POST', headers: json, body: JSON.stringify({ operation: 'query', object: 'ActivityHistory', contentType: 'CSV' }) });
  t.equal(entity.status, 400);
  t.same(await entity.json(), { exceptionCode: 'InvalidEntity', exceptionMessage: "Entity 'ActivityHistory' is not supported by the Bulk API." });

  const job = await createJob(sf, token, 'Account');
  const failed = async (soql: string): Promise<string | undefined> => {
    const id = await addBatch(sf, token, job, soql);
    await v1(sf, token, `/job/${job}/batch/${id}`);
    const xml = await (await v1(sf, token, `/job/${job}/batch/${id}`)).text();
    t.equal(tag(xml, 'state'), 'Failed', soql);
    return tag(xml, 'stateMessage');
  };
  t.equal(await failed('SELECT Id, BillingAddress FROM Account'), 'InvalidBatch : Failed to process query: FUNCTIONALITY_NOT_ENABLED: Selecting compound data not supported in Bulk Query');
  t.equal(await failed('SELECT Id, Logo__c FROM Account'), 'FeatureNotEnabled : Binary field not supported');
  t.match(await failed('SELECT Nope FROM Account'), /^InvalidBatch : Failed to process query: INVALID_FIELD: \nSELECT Nope FROM Account/);
});

t.test('PK chunking and several result files per batch (must-have 22)', async (t) => {
  const sf = await startFixture(t, { jobPolls: 0, bulkResultFileRows: 1000 });
  const token = sf.issueToken();
  const job = await createJob(sf, token, 'Task', { 'Sforce-Enable-PKChunking': 'chunkSize=3000; startRow=00T000000000000' });
  const original = await addBatch(sf, token, job, 'SELECT Id, Subject FROM Task');
  const list = await (await v1(sf, token, `/job/${job}/batch`)).text();
  t.match(list, /^<\?xml version="1.0" encoding="UTF-8"\?><batchInfoList/);
  const ids = tags(list, 'id').filter((id) => id.startsWith('751'));
  const states = tags(list, 'state');
  t.equal(ids.length, 5, 'the original batch plus one per 3,000-id chunk');
  t.equal(ids[0], original);
  t.same(states, ['NotProcessed', 'Completed', 'Completed', 'Completed', 'Completed']);
  t.same(tags(list, 'numberRecordsProcessed'), ['0', '3000', '3000', '3000', '1500']);

  const seen = new Set<string>();
  for (const chunk of ids.slice(1)) {
    const results = tags(await (await v1(sf, token, `/job/${job}/batch/${chunk}/result`)).text(), 'result');
    t.ok(results.length >= 2, 'a chunk bigger than a result file lists several result ids');
    for (const row of await rows(sf, token, job, chunk)) seen.add(row[0] as string);
  }
  t.equal(seen.size, 10_500, 'the chunks cover every row exactly once');
  const refused = await v1(sf, token, `/job/${job}/batch/${original}/result`);
  t.equal(refused.status, 400, 'the NotProcessed original batch has no results');

  sf.scenario.queryTimeoutDays = 10;
  const slow = await createJob(sf, token, 'Task');
  const timedOut = await addBatch(sf, token, slow, 'SELECT Id FROM Task');
  const xml = await (await v1(sf, token, `/job/${slow}/batch/${timedOut}`)).text();
  t.equal(tag(xml, 'state'), 'Failed');
  t.match(tag(xml, 'stateMessage'), /QUERY_TIMEOUT/);
  const chunked = await createJob(sf, token, 'Task', { 'Sforce-Enable-PKChunking': 'true' });
  await addBatch(sf, token, chunked, 'SELECT Id FROM Task');
  const retry = await (await v1(sf, token, `/job/${chunked}/batch`)).text();
  t.same(tags(retry, 'state'), ['NotProcessed', 'Completed'], 'retrying with PK chunking gets past the timeout');
});
