import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { ScanOptions, Table } from '../src/dataset/types.js';
import { api, login, startFixture, VERSION } from './helpers/salesforce.js';
import { DAY, fixtureId, START } from './helpers/salesforce-fixture.js';

type Json = Record<string, any>;

const q = (soql: string, all = false): string => `/services/data/v${VERSION}/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

t.test('paging: batchSize, locators, re-fetch, queryAll locators (must-haves 13 and 14)', async (t) => {
  const sf = await startFixture(t);
  const token = sf.issueToken();
  const get = async (path: string, batch?: string): Promise<{ status: number; body: Json }> => {
    const res = await api(sf, path, token, batch ? { headers: { 'Sforce-Query-Options': batch } } : {});
    return { status: res.status, body: (await res.json()) as Json };
  };
  let page = await get(q('SELECT Id FROM Task'), 'batchSize=500');
  t.equal(page.body.totalSize, 10_500);
  t.equal(page.body.done, false);
  t.equal(page.body.records.length, 500);
  t.match(page.body.nextRecordsUrl, new RegExp(`^/services/data/v${VERSION}/query/01g[A-Za-z0-9]{15}-500$`));
  t.same(Object.keys(page.body), ['totalSize', 'done', 'nextRecordsUrl', 'records']);
  t.equal((await get(q('SELECT Id FROM Task'), 'batchSize=50')).body.records.length, 200, 'below 200 counts as 200');
  t.equal((await get(q('SELECT Id FROM Task'), 'batchSize=5000')).body.records.length, 2000, 'above 2000 counts as 2000');
  t.equal((await get(q('SELECT Id FROM Task'))).body.records.length, 2000, 'default 2000');

  const next = page.body.nextRecordsUrl as string;
  const second = await get(next);
  const again = await get(`${next}?q=ignored`);
  t.same(again.body, second.body, 'a locator can be fetched again (and a stray q parameter is ignored)');
  t.equal(second.body.records.length, 500, 'the cursor keeps its batch size');
  const viaQueryAll = await get(next.replace('/query/', '/queryAll/'));
  t.same(viaQueryAll.body, second.body, 'the same locator is served on /queryAll/');
  t.not(second.body.records[0].Id, page.body.records[0].Id);

  const seen = new Set<string>(page.body.records.map((record: Json) => record.Id));
  let url = next;
  let pages = 1;
  for (;;) {
    page = await get(url);
    pages += 1;
    for (const record of page.body.records) seen.add(record.Id);
    if (page.body.done) break;
    url = page.body.nextRecordsUrl;
  }
  t.equal(pages, 21);
  t.equal(seen.size, 10_500, 'every row exactly once');
  t.notOk('nextRecordsUrl' in page.body, 'the last page has no nextRecordsUrl');
  t.equal(page.body.totalSize, 10_500, 'totalSize repeats on every page');

  const all = await get(q('SELECT Id, IsDeleted FROM Account', true), 'batchSize=200');
  t.equal(all.body.done, true);
  const tasks = await get(q('SELECT Id FROM Task', true), 'batchSize=200');
  t.match(tasks.body.nextRecordsUrl, /\/query\/01g/, "queryAll's nextRecordsUrl uses /query/");

  const empty = await get(q(`SELECT Id FROM Account WHERE Name = 'nobody'`));
  t.same(empty.body, { totalSize: 0, done: true, records: [] });

  sf.scenario.maxQueryBatchSize = 300;
  t.equal((await get(q('SELECT Id FROM Task'), 'batchSize=2000')).body.records.length, 300, 'the server may return fewer than asked');
});

t.test('locators expire when idle, unknown ones are refused, old cursors are released (must-have 14)', async (t) => {
  const sf = await startFixture(t, { locatorIdleMs: 100, maxOpenCursors: 2 });
  const token = sf.issueToken();
  const first = (await (await api(sf, q('SELECT Id FROM Task'), token)).json()) as Json;
  await sleep(150);
  const res = await api(sf, first.nextRecordsUrl, token);
  t.equal(res.status, 400);
  t.same(await res.json(), [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  const bogus = await api(sf, `/services/data/v${VERSION}/query/01gXXXXXXXXXXXXXXX-2000`, token);
  t.equal(bogus.status, 400);

  sf.scenario.locatorIdleMs = 60_000;
  const cursors: string[] = [];
  for (let i = 0; i < 3; i += 1) cursors.push(((await (await api(sf, q('SELECT Id FROM Task'), token)).json()) as Json).nextRecordsUrl);
  t.equal(sf.openCursors(), 2);
  t.equal((await api(sf, cursors[0] as string, token)).status, 400, 'opening a third cursor released the oldest');
  t.equal((await api(sf, cursors[2] as string, token)).status, 200);
});

t.test('jsforce autoFetch over more than 10,000 rows and its default maxFetch (must-have 15)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const full = await conn.query<{ Id: string; SystemModstamp: string }>('SELECT Id, SystemModstamp FROM Task ORDER BY SystemModstamp, Id').execute({ autoFetch: true, maxFetch: 50_000 });
  t.equal(full.totalSize, 10_500);
  t.equal(full.records.length, 10_500);
  t.equal(new Set(full.records.map((record) => record.Id)).size, 10_500);
  const stamps = full.records.map((record) => record.SystemModstamp);
  t.ok(stamps.every((stamp, i) => i === 0 || (stamps[i - 1] as string) <= stamp), 'ascending SystemModstamp across pages');
  const truncated = await conn.query('SELECT Id FROM Task').execute({ autoFetch: true });
  t.equal(truncated.records.length, 10_000, 'jsforce stops at its default maxFetch of 10,000');
  t.equal(truncated.totalSize, 10_500);
  const firstPage = await conn.query('SELECT Id FROM Task');
  t.equal(firstPage.records.length, 2000, 'without autoFetch jsforce returns one page');
  t.equal(firstPage.done, false);
});

t.test('deleted rows only through queryAll (must-have 15)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const live = await conn.query<{ Id: string }>('SELECT Id, IsDeleted FROM Account');
  t.equal(live.totalSize, 28);
  const all = await conn.query<{ Id: string; IsDeleted: boolean }>('SELECT Id, IsDeleted FROM Account', { scanAll: true });
  t.equal(all.totalSize, 30);
  t.same(all.records.filter((record) => record.IsDeleted).map((record) => record.Id), [fixtureId('001', 7), fixtureId('001', 8)]);
  t.equal(sf.server.calls('queryAll'), 1);
  const onlyDeleted = await conn.query('SELECT Id FROM Account WHERE IsDeleted = true', { scanAll: true });
  t.equal(onlyDeleted.totalSize, 2);
  t.equal((await conn.query('SELECT Id FROM Account WHERE IsDeleted = true')).totalSize, 0, '/query never shows deleted rows');
  t.equal((await conn.query('SELECT Id FROM Account WHERE IsDeleted = false', { scanAll: true })).totalSize, 28);
});

t.test('REST value formats, parents and child sub-queries with their own paging (must-have 16)', async (t) => {
  const sf = await startFixture(t, { childBatchSize: 2 });
  const conn = await login(sf);
  const contact = (await conn.query(`SELECT Id, Birthdate, CreatedDate, IsDeleted, Account.Name, Account.Owner.Name, Owner.Email FROM Contact WHERE Id = '${fixtureId('003', 1)}'`)).records[0] as Json;
  t.match(contact.CreatedDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/, 'datetimes end .000+0000');
  t.equal(contact.Birthdate, '1990-05-17');
  t.equal(contact.IsDeleted, false);
  t.same(contact.Account, {
    attributes: { type: 'Account', url: `/services/data/v${VERSION}/sobjects/Account/${fixtureId('001', 1)}` },
    Name: 'Account 1',
    Owner: { attributes: { type: 'User', url: `/services/data/v${VERSION}/sobjects/User/${fixtureId('005', 2)}` }, Name: 'User 2' },
  });
  t.same(contact.Owner.Email, 'user1@example.com');
  const orphan = (await conn.query(`SELECT Id, Account.Name FROM Contact WHERE LastName = 'NoAccount'`)).records[0] as Json;
  t.equal(orphan.Account, null, 'a null lookup nests as null');
  const task = (await conn.query(`SELECT What.Name FROM Task WHERE Id = '${fixtureId('00T', 1)}'`)).records[0] as Json;
  t.equal(task.What.attributes.type, 'Account', 'polymorphic lookups resolve by key prefix');

  const account = (await conn.query(`SELECT Id, AnnualRevenue, NumberOfEmployees, HQ__c, BillingAddress, (SELECT Id, LastName FROM Contacts) FROM Account WHERE Id IN ('${fixtureId('001', 1)}', '${fixtureId('001', 4)}', '${fixtureId('001', 6)}') ORDER BY Id`)).records as Json[];
  t.equal(account[0]?.AnnualRevenue, 250_000);
  t.same(account[0]?.HQ__c, { latitude: 48.85, longitude: 2.35 });
  t.equal(account[1]?.NumberOfEmployees, null);
  t.equal(account[1]?.Contacts, null, 'no children: null, not an empty result');
  t.same(account[2]?.BillingAddress, { city: null, country: 'US', geocodeAccuracy: null, latitude: 39.78, longitude: -89.65, postalCode: '62701', state: 'IL', street: '6 Main St' });
  const contacts = account[0]?.Contacts as Json;
  t.equal(contacts.totalSize, 4);
  t.equal(contacts.done, false);
  t.equal(contacts.records.length, 2);
  t.match(contacts.nextRecordsUrl, /^\/services\/data\/v58\.0\/query\/01g[A-Za-z0-9]{15}-2$/);
  const rest = (await conn.request(contacts.nextRecordsUrl)) as Json;
  t.equal(rest.done, true);
  t.same(rest.records.map((record: Json) => record.LastName), ['Last4', 'Last5'], 'the deleted child (3) is skipped');

  const fetched = await conn.query<Json>(`SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '${fixtureId('001', 1)}'`).execute({ autoFetch: true });
  t.equal(fetched.records[0]?.Contacts.records.length, 4, 'jsforce autoFetch follows the nested nextRecordsUrl');
});

t.test('WHERE, ORDER BY, LIMIT, OFFSET and COUNT()', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const count = async (soql: string): Promise<number> => (await conn.query(soql)).totalSize;
  t.equal(await count(`SELECT Id FROM Account WHERE (Type = 'Customer' OR NumberOfEmployees < 50) AND Name != null`), 12);
  t.equal(await count(`SELECT Id FROM Account WHERE Type IN ('customer') AND NOT (Name LIKE 'Account 1%')`), 7, 'string comparisons ignore case');
  t.equal(await count(`SELECT Id FROM Account WHERE Type NOT IN ('Customer') AND AnnualRevenue >= 5000000.0`), 7);
  t.equal(await count(`SELECT Id FROM Account WHERE BillingCity = null`), 1);
  t.equal(await count(`SELECT Id FROM Account WHERE Owner.Name = 'User 1'`), 14);
  t.equal(await count(`SELECT Id FROM Contact WHERE Birthdate = 1990-05-17 AND CreatedDate < ${iso(START + 10 * DAY)}`), 16);
  t.equal(await count(`SELECT Id FROM Account WHERE SystemModstamp > 2023-01-05T00:00:00.000+0000 AND SystemModstamp <= ${iso(START + 10 * DAY)}`), 5);

  const byName = await conn.query<Json>(`SELECT Name FROM Account ORDER BY Name DESC NULLS LAST LIMIT 3`);
  t.same(byName.records.map((record) => record.Name), ['Acme, "Rockets" Inc.', 'Account 9', 'Account 6'], 'small results sort in memory, ignoring case');
  t.equal(byName.totalSize, 3);
  const limited = await conn.query<Json>('SELECT Id FROM Task ORDER BY Id LIMIT 2500').execute({ autoFetch: true });
  t.equal(limited.totalSize, 2500);
  t.equal(limited.records.length, 2500);
  t.equal(limited.records[2499]?.Id, fixtureId('00T', 2500));
  const after = await conn.query<Json>(`SELECT Id FROM Task WHERE Id > '${fixtureId('00T', 10_400)}' ORDER BY Id`);
  t.equal(after.totalSize, 100);
  t.equal(after.records[0]?.Id, fixtureId('00T', 10_401));
  const offset = await conn.query<Json>('SELECT Id FROM Account ORDER BY Id LIMIT 5 OFFSET 10');
  t.same(offset.records.map((record) => record.Id), [13, 14, 15, 16, 17].map((n) => fixtureId('001', n)), 'accounts 7 and 8 are deleted');
  t.same(await conn.query('SELECT COUNT() FROM Task'), { totalSize: 10_500, done: true, records: [] });
  await t.rejects(async () => conn.query('SELECT Id FROM Task ORDER BY Subject DESC'), { name: 'QUERY_TIMEOUT' }, 'big unindexed sorts time out');
  await t.rejects(async () => conn.query('SELECT Id FROM Account LIMIT 5 OFFSET 2001'), { name: 'NUMBER_OUTSIDE_VALID_RANGE' });
});

t.test('pages are regenerated from the replication-key position, not from the start', async (t) => {
  const sf = await startFixture(t);
  const table = sf.simulation.company.table('salesforce', 'Task') as Table;
  const calls: ScanOptions[] = [];
  const scan = table.scan.bind(table);
  table.scan = (options) => {
    calls.push(options);
    return scan(options);
  };
  const lower = START + 100 * DAY;
  const conn = await login(sf);
  const result = await conn.query<Json>(`SELECT Id, SystemModstamp FROM Task WHERE SystemModstamp >= ${iso(lower)} ORDER BY SystemModstamp, Id`).execute({ autoFetch: true, maxFetch: 50_000 });
  const pageScans = calls.filter((options) => options.order !== 'key');
  t.ok(pageScans.length >= 5);
  t.ok(pageScans.every((options) => (options.from ?? 0) >= lower), 'every scan starts at the WHERE lower bound or later');
  const last = pageScans.at(-1) as ScanOptions;
  t.ok((last.from ?? 0) > lower + 400 * DAY, 'the last page seeks close to its rows');
  t.equal(result.records.length, result.totalSize);
});

t.test('SOQL errors with row/column messages (must-have 17)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const fails = (soql: string, errorCode: string, message: string | RegExp): Promise<unknown> => t.rejects(async () => conn.query(soql), { errorCode, message }, soql);
  await fails('SELECT Id FRM Account', 'MALFORMED_QUERY', '\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: FRM');
  await fails('SELECT Foo FROM Account', 'INVALID_FIELD', /^\nSELECT Foo FROM Account\n {7}\^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'\. If you are attempting to use a custom field, be sure to append the '__c'/);
  await fails('SELECT Id, Boss.Name FROM Contact', 'INVALID_FIELD', /Didn't understand relationship 'Boss' in field path/);
  await fails('SELECT Id FROM Widget', 'INVALID_TYPE', /ERROR at Row:1:Column:16\nsObject type 'Widget' is not supported\./);
  await fails("SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z'", 'INVALID_FIELD', /must be of type dateTime and should not be enclosed in quotes$/);
  await fails('SELECT Id FROM Account WHERE Name = 5', 'INVALID_FIELD', /must be of type string and should be enclosed in quotes$/);
  await fails("SELECT Id FROM Account WHERE Logo__c = 'x'", 'INVALID_FIELD', /field 'Logo__c' can not be filtered in a query call/);
  await fails('SELECT Id, Name, Id FROM Account', 'MALFORMED_QUERY', /duplicate field selected: Id/);
  await fails('SELECT Id FROM Account WHERE', 'MALFORMED_QUERY', /unexpected token: '<EOF>'/);
  await fails('SELECT Id\nFROM Account\nWHERE Name = 1', 'INVALID_FIELD', /^\nWHERE Name = 1\n {13}\^\nERROR at Row:3:Column:14\n/);
  await fails('SELECT Id, (SELECT Id FROM Nothings) FROM Account', 'INVALID_TYPE', /Didn't understand relationship 'Nothings' in FROM part of query call/);
  const res = await api(sf, `/services/data/v${VERSION}/query`, conn.accessToken as string);
  t.equal(res.status, 400);
  t.same(await res.json(), [{ message: 'A query string has to be specified', errorCode: 'MALFORMED_QUERY' }]);
});

t.test('QUERY_TIMEOUT for wide replication-key windows (must-have 17)', async (t) => {
  const sf = await startFixture(t, { queryTimeoutDays: 30 });
  const conn = await login(sf);
  const window = (from: number, days: number): string => `SELECT Id FROM Task WHERE SystemModstamp >= ${iso(from)} AND SystemModstamp < ${iso(from + days * DAY)}`;
  await t.rejects(async () => conn.query(window(START, 60)), { errorCode: 'QUERY_TIMEOUT', message: 'Your query request was running for too long.' });
  const narrow = await conn.query(window(START, 20));
  t.ok(narrow.totalSize > 0);
  await t.rejects(async () => conn.query('SELECT Id FROM Task'), { name: 'QUERY_TIMEOUT' }, 'no bounds: the window is the whole history');
  const res = await api(sf, q(window(START, 31)), conn.accessToken as string);
  t.equal(res.status, 400);
  t.same(await res.json(), [{ message: 'Your query request was running for too long.', errorCode: 'QUERY_TIMEOUT' }]);
});
