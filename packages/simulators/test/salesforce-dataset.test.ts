/** The simulator on the synthetic company itself (scale 1), through jsforce. */
import t from 'tap';
import { startSalesforce } from '../src/salesforce/index.js';
import { api, login, parseCsv, VERSION } from './helpers/salesforce.js';

type Json = Record<string, any>;

const TABLES = ['User', 'Account', 'Contact', 'Lead', 'Campaign', 'CampaignMember', 'Opportunity', 'OpportunityContactRole', 'OpportunityFieldHistory', 'Task', 'Document', 'Partner_Referral__c'];

t.test('the synthetic company through describe, REST, Bulk 2.0 and the clock', async (t) => {
  const sf = await startSalesforce({ scale: 1 });
  t.teardown(() => sf.close());
  const { company, clock } = sf.simulation;
  t.same(Object.keys(sf.tapConfig).sort(), ['api_version', 'client_id', 'client_secret', 'instance_url', 'login_url', 'password', 'refresh_token', 'security_token', 'start_date', 'username']);
  t.equal(sf.tapConfig.start_date, new Date(company.start).toISOString().replace('.000Z', 'Z'));
  t.equal(sf.tapConfig.instance_url, sf.url);
  const conn = await login(sf);
  const user = company.table('salesforce', 'User');
  t.ok(user?.get(sf.userId, { asOf: clock.now() }), 'the integration user is a row of the User table');

  const global = (await conn.describeGlobal()) as unknown as Json;
  const names = global.sobjects.map((entry: Json) => entry.name as string);
  for (const name of TABLES) t.ok(names.includes(name), `describeGlobal lists ${name}`);

  const describes = new Map<string, Json>();
  for (const name of TABLES) describes.set(name, (await conn.describe(name)) as unknown as Json);
  const field = (object: string, name: string): Json | undefined => describes.get(object)?.fields.find((candidate: Json) => candidate.name === name);
  t.match(field('Account', 'BillingAddress'), { type: 'address', soapType: 'urn:address' });
  t.match(field('Account', 'BillingCity'), { compoundFieldName: 'BillingAddress' });
  t.match(field('Account', 'HQ_Location__c'), { type: 'location' });
  t.match(field('Opportunity', 'IACV__c'), { type: 'currency', custom: true });
  t.match(field('Opportunity', 'ExpectedRevenue'), { calculated: true });
  t.match(field('OpportunityFieldHistory', 'OldValue'), { type: 'anyType' });
  t.match(field('Document', 'Body'), { type: 'base64' });
  t.match(describes.get('Partner_Referral__c'), { custom: true, name: 'Partner_Referral__c' });
  const children = describes.get('Account')?.childRelationships as Json[];
  t.ok(children.some((rel) => rel.childSObject === 'Contact' && rel.field === 'AccountId' && rel.relationshipName === 'Contacts'));
  t.ok(children.some((rel) => rel.field === 'MasterRecordId' && rel.relationshipName === null), 'merge lookups have no relationship name');

  // every table answers a REST query of all its plain fields, and its count agrees with the dataset
  for (const name of TABLES) {
    const table = company.table('salesforce', name);
    const fields = (describes.get(name)?.fields as Json[]).filter((candidate) => !['address', 'location', 'base64'].includes(candidate.type)).map((candidate) => candidate.name as string);
    const result = await conn.query<Json>(`SELECT ${fields.join(', ')} FROM ${name}`);
    t.equal(result.totalSize, table?.count({ asOf: clock.now() }), `${name}: totalSize`);
    const sample = result.records[0] as Json;
    const rk = table?.replicationKey as string;
    t.match(sample[rk], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/, `${name}: ${rk} in REST format`);
  }
  const all = await conn.query('SELECT Id FROM Lead WHERE IsDeleted = true', { scanAll: true });
  t.ok(all.totalSize > 0, 'deleted leads show through queryAll');
  t.equal((await conn.query('SELECT Id FROM Lead WHERE IsDeleted = true')).totalSize, 0);

  const opps = await conn.query<Json>('SELECT Id, Name, Account.Name, Owner.Name FROM Opportunity WHERE AccountId != null LIMIT 5');
  t.ok(opps.records.every((record) => typeof record.Account?.Name === 'string' && record.Account.attributes.type === 'Account'), 'parent lookups resolve');
  const accounts = await conn.query<Json>('SELECT Id, BillingAddress, (SELECT Id FROM Contacts) FROM Account LIMIT 50').execute({ autoFetch: true });
  t.ok(accounts.records.some((record) => record.Contacts?.records.length > 0), 'child sub-queries return contacts');
  t.ok(accounts.records.some((record) => typeof record.BillingAddress?.city === 'string'), 'addresses are composed');
  const document = (await conn.query<Json>('SELECT Id, Body, BodyLength FROM Document LIMIT 1')).records[0] as Json;
  const blob = await api(sf, document.Body, conn.accessToken as string);
  t.equal((await blob.arrayBuffer()).byteLength, document.BodyLength, 'the blob URL serves the document body');

  const members = await conn.query('SELECT Id FROM CampaignMember').execute({ autoFetch: true });
  const total = company.table('salesforce', 'CampaignMember')?.count({ asOf: clock.now() }) ?? 0;
  t.ok(total > 10_000, 'more than 10,000 campaign members at scale 1');
  t.equal(members.records.length, 10_000, "jsforce's default maxFetch silently truncates");
  const everything = await conn.query('SELECT Id FROM CampaignMember').execute({ autoFetch: true, maxFetch: 100_000 });
  t.equal(everything.records.length, total);

  // ids mix upper and lower case; ranges over them follow the same (case-sensitive) order as the table
  const ordered = everything.records.map((record) => (record as Json).Id as string);
  const byId = (await conn.query<Json>('SELECT Id FROM CampaignMember ORDER BY Id').execute({ autoFetch: true, maxFetch: 100_000 })).records.map((record) => record.Id as string);
  t.same(byId, [...ordered].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const range = await conn.query(`SELECT Id FROM CampaignMember WHERE Id >= '${byId[5000] as string}' AND Id < '${byId[5100] as string}'`);
  t.equal(range.totalSize, 100, 'an id range holds exactly the ids between its bounds');

  // Bulk 2.0 agrees with REST on the same rows
  const job = (await conn.requestPost('/jobs/query', { operation: 'query', query: 'SELECT Id, Amount, CloseDate, SystemModstamp, Account.Name FROM Opportunity ORDER BY Id' })) as Json;
  for (let i = 0; i < 5 && ((await conn.request(`/jobs/query/${job.id as string}`)) as Json).state !== 'JobComplete'; i += 1);
  const rows: string[][] = [];
  let locator = '';
  while (locator !== 'null') {
    const res = await api(sf, `/services/data/v${VERSION}/jobs/query/${job.id as string}/results${locator ? `?locator=${locator}` : ''}`, conn.accessToken as string);
    rows.push(...parseCsv(await res.text()).slice(1));
    locator = res.headers.get('sforce-locator') as string;
  }
  const rest = await conn.query<Json>('SELECT Id, Amount, CloseDate, SystemModstamp, Account.Name FROM Opportunity ORDER BY Id').execute({ autoFetch: true });
  t.equal(rows.length, rest.totalSize);
  const first = rest.records[0] as Json;
  t.equal(rows[0]?.[0], first.Id);
  t.equal(rows[0]?.[3], (first.SystemModstamp as string).replace('+0000', 'Z'), 'same instant, bulk spelling');
  t.equal(rows[0]?.[4], first.Account?.Name ?? '');

  // time moves: new rows appear past the last replication key seen
  const latest = (await conn.query<Json>('SELECT Id, SystemModstamp FROM Lead ORDER BY SystemModstamp DESC LIMIT 1')).records[0] as Json;
  const bookmark = (latest.SystemModstamp as string).replace('+0000', 'Z');
  t.equal((await conn.query(`SELECT Id FROM Lead WHERE SystemModstamp > ${bookmark}`)).totalSize, 0);
  clock.advanceDays(3);
  const fresh = await conn.query<Json>(`SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp > ${bookmark} ORDER BY SystemModstamp`);
  t.ok(fresh.totalSize > 0, 'three days later there are new or changed leads');
  t.ok(fresh.records.every((record) => (record.SystemModstamp as string) > (latest.SystemModstamp as string)));
});
