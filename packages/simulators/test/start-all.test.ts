/**
 * The three servers started together share one company and one clock: what one system says about
 * a customer, a campaign or a person, the others agree with, over HTTP, the way the metrics join them.
 */
import t from 'tap';
import { startSimulators } from '../src/index.js';
import { login } from './helpers/salesforce.js';
import { getToken, runAqua, aquaPayload } from './helpers/zuora-http.js';
import { MarketoClient } from './helpers/marketo-http.js';

t.test('one simulation behind three servers', async (t) => {
  const sims = await startSimulators({ scale: 0.1 });
  t.teardown(() => sims.close());
  const { salesforce, zuora, marketo } = sims;
  if (!salesforce || !zuora || !marketo) throw new Error('all three servers start when none is named');
  t.same(Object.keys(sims.tapConfigs()).sort(), ['tap-marketo', 'tap-salesforce', 'tap-zuora']);
  t.equal(salesforce.simulation, zuora.simulation, 'Salesforce and Zuora share the simulation');
  t.equal(marketo.simulation.clock, salesforce.simulation.clock, 'Marketo shares the clock');

  const conn = await login(salesforce);
  const accounts = await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Type = 'Customer - Direct'", { autoFetch: true, maxFetch: 100_000 });
  const customerIds = new Set(accounts.records.map((row) => row.Id));
  t.ok(customerIds.size > 0, 'Salesforce has customer accounts');

  const token = await getToken(zuora);
  const { files } = await runAqua(zuora, token, aquaPayload('select Id, CrmId from Account', { partner: null, project: null }));
  const zuoraRows = files.flatMap((file) => file.slice(1));
  t.ok(zuoraRows.length > 0, 'Zuora exports its accounts');
  const crmIds = zuoraRows.map((row) => row[1] as string);
  const allAccounts = await conn.query<{ Id: string }>('SELECT Id FROM Account', { autoFetch: true, maxFetch: 100_000 });
  const sfAccountIds = new Set(allAccounts.records.map((row) => row.Id));
  t.same(crmIds.filter((id) => !sfAccountIds.has(id)), [], 'every Zuora Account.CrmId is a Salesforce Account Id');

  const campaigns = await conn.query<{ Id: string }>('SELECT Id FROM Campaign', { autoFetch: true, maxFetch: 100_000 });
  const campaignIds = new Set(campaigns.records.map((row) => row.Id));
  const client = new MarketoClient(marketo);
  await client.login();
  const programs = await client.get('/rest/asset/v1/programs.json', { maxReturn: 200, offset: 0 });
  const synced = (programs.result ?? []).map((program) => program['sfdcId']).filter((id): id is string => typeof id === 'string');
  t.ok(synced.length > 0, 'Marketo programs are synced to Salesforce campaigns');
  t.same(synced.filter((id) => !campaignIds.has(id)), [], 'every Marketo program sfdcId is a Salesforce Campaign Id');

  // the shared clock moves: all servers see the same new day
  const before = sims.simulation.clock.now();
  const soql = `SELECT Id FROM Lead WHERE SystemModstamp >= ${new Date(before).toISOString()}`;
  t.equal((await conn.query(soql)).totalSize, 0, 'nothing is newer than the present');
  sims.simulation.clock.advanceDays(2);
  t.ok((await conn.query(soql)).totalSize > 0, 'two simulated days later Salesforce has new or changed leads');
  const expired = await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: new Date(before).toISOString() });
  t.equal(expired.errors?.[0]?.code, '602', 'two days on, the Marketo token has expired (HTTP 200, code 602)');
  await client.login();
  const since = await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: new Date(before).toISOString() });
  const activities = await client.get('/rest/v1/activities.json', { nextPageToken: String(since.nextPageToken), activityTypeIds: '1,2,6,7,10,11,12' });
  t.ok((activities.result ?? []).length > 0, 'and Marketo has new activities');
});
