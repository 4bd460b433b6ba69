import { singerValidator } from '@singer-io-ts/sdk';
import { checkTapConformance, selectStreams } from '@singer-io-ts/sdk/testing';
import t from 'tap';
import { configFor, discoverCatalog, fastTap, fieldMetadata, rootMetadata, startOrg } from './helpers/salesforce.js';

t.test('discovers the whole simulated org in one describeGlobal and composite batches', async (t) => {
  const sf = await startOrg(t);
  const catalog = await discoverCatalog(configFor(sf));
  const validate = singerValidator('catalog');
  t.ok(validate(catalog), JSON.stringify(validate.errors));

  t.equal(sf.server.calls('describeGlobal'), 1);
  const global = (await (await fetch(`${sf.url}/services/data/v62.0/sobjects`, { headers: { authorization: `Bearer ${sf.issueToken()}` } })).json()) as { sobjects: Array<{ name: string }> };
  t.same(
    catalog.streams.map((s) => s.tap_stream_id),
    global.sobjects.map((o) => o.name),
    'one stream per object of describeGlobal, in its order',
  );
  t.equal(sf.server.calls('composite.batch'), Math.ceil(global.sobjects.length / 25), 'describes go 25 to a composite batch');
  t.equal(sf.server.calls('describe'), 0, 'no describe one object at a time');

  for (const name of ['Account', 'Contact', 'Lead', 'Opportunity', 'Campaign', 'CampaignMember', 'OpportunityContactRole', 'User', 'Partner_Referral__c', 'Task', 'Document']) {
    const root = rootMetadata(catalog, name);
    t.equal(root.inclusion, 'available', `${name} is available`);
    t.equal(root['replication-key'], 'SystemModstamp', `${name} replicates by SystemModstamp`);
    t.same(root['valid-replication-keys'], ['SystemModstamp', 'LastModifiedDate', 'CreatedDate'], `${name} lists every usable key`);
    t.same(root['table-key-properties'], ['Id']);
  }
  const history = rootMetadata(catalog, 'OpportunityFieldHistory');
  t.equal(history['replication-key'], 'CreatedDate', 'history rows never change: CreatedDate is their only key');
  t.same(history['valid-replication-keys'], ['CreatedDate']);
});

t.test('objects that cannot be extracted are marked unsupported from their describe flags', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const catalog = await discoverCatalog(configFor(sf));
  const expected: Record<string, RegExp> = {
    AggregateResult: /not queryable/,
    AccountChangeEvent: /not queryable/,
    ActivityHistory: /sub-query/,
    OpenActivity: /sub-query/,
  };
  for (const [name, reason] of Object.entries(expected)) {
    const root = rootMetadata(catalog, name);
    t.equal(root.inclusion, 'unsupported', `${name} is unsupported`);
    t.match(root['unsupported-description'], reason, `${name}: ${root['unsupported-description']}`);
    t.equal(root['selected-by-default'], false);
    t.notOk(root['replication-key'], 'no replication key offered');
  }
  const unsupported = catalog.streams.filter((s) => rootMetadata(catalog, s.tap_stream_id).inclusion === 'unsupported').map((s) => s.tap_stream_id);
  t.same(unsupported.sort(), Object.keys(expected).sort(), 'nothing else is unsupported');
});

t.test('schemas follow describe types: compounds as objects, components kept, every non-Id field nullable', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const catalog = await discoverCatalog(configFor(sf));
  const schema = (name: string) => catalog.streams.find((s) => s.tap_stream_id === name)!.schema.properties!;
  const account = schema('Account');
  t.same(account.Id, { type: 'string' }, 'Id is the only non-nullable field');
  t.same(account.Name, { type: ['string', 'null'] });
  t.same(account.SystemModstamp, { type: ['string', 'null'], format: 'date-time' });
  t.same(account.LastActivityDate, { type: ['string', 'null'], format: 'date' });
  t.same(account.NumberOfEmployees, { type: ['integer', 'null'] });
  t.same(account.AnnualRevenue, { type: ['number', 'null'] }, 'currency');
  t.same(account.Health_Score__c, { type: ['number', 'null'] }, 'percent, custom');
  t.same(account.BillingLatitude, { type: ['number', 'null'] }, 'double');
  t.same(account.IsDeleted, { type: ['boolean', 'null'] });
  t.same(account.Website, { type: ['string', 'null'] }, 'url');
  t.equal(account.BillingAddress?.type?.[0], 'object', 'address compound as an object');
  t.ok(account.BillingAddress?.properties?.street && account.BillingAddress.properties.latitude, 'with the address parts');
  t.ok(account.BillingStreet && account.BillingCity && account.BillingPostalCode, 'components stay fields of their own');
  t.same(Object.keys(account.HQ_Location__c?.properties ?? {}), ['latitude', 'longitude'], 'custom location compound');
  t.same(account._sdc_deleted_at, { type: ['string', 'null'], format: 'date-time' }, 'deletes flagged');
  t.equal(fieldMetadata(catalog, 'Account', '_sdc_deleted_at').inclusion, 'automatic');

  t.same(schema('Contact').Preferred_Call_Time__c, { type: ['string', 'null'], format: 'time' });
  t.same(schema('Lead').Product_Interest__c, { type: ['string', 'null'] }, 'multipicklist');
  t.same(schema('Lead').Email, { type: ['string', 'null'] }, 'email');
  t.same(schema('OpportunityFieldHistory').OldValue, { type: ['string', 'null'] }, 'anyType as its text');
  t.same(schema('Task').Subject, { type: ['string', 'null'] }, 'combobox');

  const body = fieldMetadata(catalog, 'Document', 'Body');
  t.equal(body.inclusion, 'unsupported', 'base64 is not extracted');
  t.match(body['unsupported-description'], /binary/);

  const formula = catalog.streams.find((s) => s.tap_stream_id === 'Campaign')!;
  t.equal(fieldMetadata(catalog, 'Campaign', 'Cost_Per_Day__c').calculated, true, 'formula fields flagged');
  t.same(formula.schema.properties?.Cost_Per_Day__c, { type: ['number', 'null'] }, 'typed by their result');

  t.equal(fieldMetadata(catalog, 'Account', 'AnnualRevenue').label, 'Annual Revenue', 'labels in the metadata');
  t.equal(fieldMetadata(catalog, 'Partner_Referral__c', 'Referral_Fee__c').custom, true);
  t.equal(rootMetadata(catalog, 'Partner_Referral__c').custom, true, 'custom objects discovered and flagged');
  t.ok(rootMetadata(catalog, 'Partner_Referral__c').label, 'object label');
  t.ok(schema('Partner_Referral__c').Referral_Fee__c, 'custom fields in the schema');
});

t.test('streams_to_discover describes only those objects, without the global describe', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const catalog = await discoverCatalog(configFor(sf, 'refresh_token', { streams_to_discover: ['Partner_Referral__c', 'Account'] }));
  t.same(
    catalog.streams.map((s) => s.tap_stream_id),
    ['Partner_Referral__c', 'Account'],
  );
  t.equal(sf.server.calls('describeGlobal'), 0);
  t.equal(sf.server.calls('composite.batch'), 1);
  await t.rejects(discoverCatalog(configFor(sf, 'refresh_token', { streams_to_discover: ['NoSuchObject__c'] })), /cannot describe Salesforce object "NoSuchObject__c": NOT_FOUND/);
});

t.test('describe batches run in parallel up to max_workers', async (t) => {
  const sf = await startOrg(t, { scale: 0.01, scenario: { latencyMs: 150 } });
  const many = Array.from({ length: 4 }, () => ['Account', 'Contact', 'Lead', 'User', 'Campaign', 'Task', 'Opportunity']).flat();
  const names = [...many, ...many].slice(0, 50);
  const timed = async (workers: number) => {
    const started = Date.now();
    const catalog = await discoverCatalog(configFor(sf, 'refresh_token', { streams_to_discover: names, max_workers: workers }));
    t.equal(catalog.streams.length, 50);
    return Date.now() - started;
  };
  const serial = await timed(1);
  const parallel = await timed(2);
  t.ok(parallel < serial - 100, `two batches together (${parallel} ms) beat one after the other (${serial} ms)`);
});

t.test('the SDK conformance checks pass on a sync of several objects', async (t) => {
  const sf = await startOrg(t, { scale: 0.01 });
  const config = configFor(sf);
  const tap = fastTap();
  const catalog = selectStreams(await discoverCatalog(config), ['Account', 'Partner_Referral__c', 'OpportunityFieldHistory', 'Contact']);
  const problems = await checkTapConformance({ tap, config, catalog });
  t.same(problems, []);
});
