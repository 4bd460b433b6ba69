import t from 'tap';
import { api, login, startFixture, VERSION } from './helpers/salesforce.js';
import { fixtureId } from './helpers/salesforce-fixture.js';

type Json = Record<string, any>;

t.test('describeGlobal: dataset objects plus describe-only ones (must-have 12)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const global = (await conn.describeGlobal()) as unknown as Json;
  t.equal(global.encoding, 'UTF-8');
  t.equal(global.maxBatchSize, 200);
  const byName = new Map<string, Json>(global.sobjects.map((entry: Json) => [entry.name, entry]));
  t.same([...byName.keys()].sort(), ['Account', 'AccountChangeEvent', 'AccountHistory', 'ActivityHistory', 'AggregateResult', 'Contact', 'OpenActivity', 'Task', 'User']);
  const account = byName.get('Account') as Json;
  t.match(account, { keyPrefix: '001', queryable: true, replicateable: true, retrieveable: true, custom: false, createable: true, layoutable: true });
  t.same(account.urls, {
    rowTemplate: `/services/data/v${VERSION}/sobjects/Account/{ID}`,
    defaultValues: `/services/data/v${VERSION}/sobjects/Account/defaultValues?recordTypeId&fields`,
    describe: `/services/data/v${VERSION}/sobjects/Account/describe`,
    sobject: `/services/data/v${VERSION}/sobjects/Account`,
  });
  t.match(byName.get('AggregateResult'), { queryable: false, retrieveable: false, replicateable: false });
  t.match(byName.get('AccountChangeEvent'), { queryable: false, replicateable: false, retrieveable: false, triggerable: true, associateEntityType: 'ChangeEvent', associateParentEntity: 'Account' });
  t.match(byName.get('ActivityHistory'), { queryable: true, retrieveable: false, replicateable: false, createable: false });
  t.match(byName.get('OpenActivity'), { queryable: true, retrieveable: false, replicateable: false });
  t.match(byName.get('AccountHistory'), { createable: false, updateable: false, replicateable: true, associateEntityType: 'History' });

  const res = await api(sf, '/services/data/v61.0/sobjects', conn.accessToken as string);
  t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8');
  const other = (await res.json()) as Json;
  t.equal(other.sobjects.find((entry: Json) => entry.name === 'Contact').urls.describe, '/services/data/v61.0/sobjects/Contact/describe', 'urls echo the requested version');
});

t.test('sObject describe: realistic field objects (must-have 12)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const describe = (await conn.describe('Account')) as unknown as Json;
  const fields = new Map<string, Json>(describe.fields.map((field: Json) => [field.name, field]));
  t.equal(describe.name, 'Account');
  t.equal(describe.urls.describe, `/services/data/v${VERSION}/sobjects/Account/describe`);
  const id = fields.get('Id') as Json;
  t.match(id, { type: 'id', soapType: 'tns:ID', nillable: false, length: 18, filterable: true, idLookup: true, referenceTo: [], relationshipName: null, compoundFieldName: null });
  for (const key of ['name', 'label', 'type', 'soapType', 'nillable', 'custom', 'calculated', 'calculatedFormula', 'compoundFieldName', 'length', 'precision', 'scale', 'digits', 'byteLength', 'referenceTo', 'relationshipName', 'filterable', 'sortable', 'groupable', 'createable', 'updateable', 'defaultedOnCreate', 'unique', 'externalId', 'idLookup', 'picklistValues']) {
    t.ok(key in id, `field objects carry ${key}`);
  }
  t.ok(Object.keys(id).length >= 50, 'about fifty keys per field, as on the real service');
  t.match(fields.get('BillingAddress'), { type: 'address', soapType: 'urn:address', compoundFieldName: null, filterable: false, createable: false });
  t.match(fields.get('BillingCity'), { type: 'string', soapType: 'xsd:string', compoundFieldName: 'BillingAddress' });
  t.match(fields.get('ShippingAddress'), { type: 'address', soapType: 'urn:address' }, 'a compound only present through its components is described too');
  t.match(fields.get('HQ__c'), { type: 'location', soapType: 'urn:location', custom: true });
  t.match(fields.get('HQ__Latitude__s'), { type: 'double', compoundFieldName: 'HQ__c', custom: true });
  t.match(fields.get('Tier__c'), { calculated: true, calculatedFormula: 'IF(AnnualRevenue > 1000000, "Gold", "Silver")', custom: true, createable: false });
  t.match(fields.get('Logo__c'), { type: 'base64', soapType: 'xsd:base64Binary', filterable: false });
  t.match(fields.get('SystemModstamp'), { type: 'datetime', soapType: 'xsd:dateTime', createable: false });
  t.match(fields.get('AnnualRevenue'), { type: 'currency', soapType: 'xsd:double', precision: 18, scale: 0 });
  t.match(fields.get('NumberOfEmployees'), { type: 'int', soapType: 'xsd:int', digits: 9 });
  t.match(fields.get('OwnerId'), { type: 'reference', referenceTo: ['User'], relationshipName: 'Owner', polymorphicForeignKey: false });
  t.same(fields.get('Type')?.picklistValues[0], { active: true, defaultValue: false, label: 'Prospect', validFor: null, value: 'Prospect' });
  t.match(describe.childRelationships, [{ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' }, { childSObject: 'Task', field: 'WhatId', relationshipName: 'Tasks' }]);

  const history = (await conn.describe('AccountHistory')) as unknown as Json;
  t.match(history.fields.find((field: Json) => field.name === 'OldValue'), { type: 'anyType', soapType: 'xsd:anyType', filterable: false });
  const task = (await conn.sobject('Task').describe()) as unknown as Json;
  t.match(task.fields.find((field: Json) => field.name === 'WhatId'), { referenceTo: ['Account', 'Opportunity'], relationshipName: 'What', polymorphicForeignKey: true });
  const activity = (await conn.describe('ActivityHistory')) as unknown as Json;
  t.match(activity, { queryable: true, retrieveable: false, replicateable: false });
  t.ok(activity.fields.length > 5);
  const event = (await conn.describe('AccountChangeEvent')) as unknown as Json;
  t.match(event.fields.find((field: Json) => field.name === 'ChangeEventHeader'), { type: 'complexvalue' });
});

t.test('unknown objects and non-queryable objects', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  await t.rejects(conn.describe('Widget__c'), { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' });
  const res = await api(sf, `/services/data/v${VERSION}/sobjects/Widget__c/describe`, conn.accessToken as string);
  t.equal(res.status, 404);
  t.same(await res.json(), [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  for (const name of ['ActivityHistory', 'AggregateResult', 'AccountChangeEvent']) {
    await t.rejects(async () => conn.query(`SELECT Id FROM ${name}`), { errorCode: 'INVALID_TYPE_FOR_OPERATION', message: `entity type ${name} does not support query` });
  }
});

t.test('basic info, record retrieval and blobs', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const info = (await conn.request(`/sobjects/Contact`)) as Json;
  t.equal(info.objectDescribe.name, 'Contact');
  t.same(info.recentItems, []);
  const record = (await conn.request(`/sobjects/Account/${fixtureId('001', 1)}?fields=Name,BillingAddress,Logo__c`)) as Json;
  t.same(Object.keys(record), ['attributes', 'Name', 'BillingAddress', 'Logo__c']);
  t.equal(record.Logo__c, `/services/data/v${VERSION}/sobjects/Account/${fixtureId('001', 1)}/Logo__c`, 'base64 fields are URLs to the blob');
  const blob = await api(sf, record.Logo__c as string, conn.accessToken as string);
  t.equal(await blob.text(), 'PNGDATA');
  const full = (await conn.sobject('Account').retrieve(fixtureId('001', 2))) as unknown as Json;
  t.equal(full.Name, 'Acme, "Rockets" Inc.');
  t.match(full.SystemModstamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
  await t.rejects(conn.sobject('Account').retrieve(fixtureId('001', 99)), { name: 'NOT_FOUND' });
});

t.test('composite batch (must-have 23)', async (t) => {
  const sf = await startFixture(t);
  const conn = await login(sf);
  const before = sf.scenario.apiRequestsUsed;
  const result = (await conn.requestPost('/composite/batch', {
    haltOnError: false,
    batchRequests: [
      { method: 'GET', url: `/services/data/v${VERSION}/sobjects/Account/describe` },
      { method: 'GET', url: 'v61.0/sobjects/Contact/describe' },
      { method: 'GET', url: `/services/data/v${VERSION}/sobjects/Nope/describe` },
      { method: 'GET', url: `/services/data/v${VERSION}/query?q=${encodeURIComponent('SELECT Id FROM User')}` },
    ],
  })) as Json;
  t.equal(sf.scenario.apiRequestsUsed, before + 1, 'a composite batch is one API call');
  t.equal(result.hasErrors, true);
  t.same(result.results.map((item: Json) => item.statusCode), [200, 200, 404, 200]);
  t.equal(result.results[0].result.name, 'Account');
  t.equal(result.results[1].result.urls.describe, '/services/data/v61.0/sobjects/Contact/describe');
  t.same(result.results[2].result, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  t.equal(result.results[3].result.totalSize, 3);

  const halted = (await conn.requestPost('/composite/batch', {
    haltOnError: true,
    batchRequests: [
      { method: 'GET', url: `v${VERSION}/sobjects/Nope/describe` },
      { method: 'GET', url: `v${VERSION}/sobjects/Account/describe` },
    ],
  })) as Json;
  t.same(halted.results[1], { statusCode: 412, result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }] });

  const ok = (await conn.requestPost('/composite/batch', { batchRequests: [{ method: 'GET', url: `v${VERSION}/sobjects/User/describe` }] })) as Json;
  t.equal(ok.hasErrors, false);
  const tooMany = Array.from({ length: 26 }, () => ({ method: 'GET', url: `v${VERSION}/limits` }));
  await t.rejects(conn.requestPost('/composite/batch', { batchRequests: tooMany }), { name: 'INVALID_BATCH_REQUEST' });
});
