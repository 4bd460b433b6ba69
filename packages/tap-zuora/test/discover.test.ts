/** Discovery: describe XML → streams, types, joined ids, what exports cannot read. */
import t from 'tap';
import { selectionNamedInError } from '../src/availability.js';
import { parseObject, parseObjectList } from '../src/describe.js';
import { planObject } from '../src/streams/schema.js';
import { configFor, discoverCatalog, fieldMetadata, OBJECTS, rootMetadata, startTenant } from './helpers/zuora.js';

t.test('the describe XML parser reads names, types, contexts, options, related objects and entities', async (t) => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<object href="https://rest.zuora.com/v1/describe/Account"><name>Account</name><label>Customer &amp; Co</label>
<fields><field><name>Id</name><label>Id</label><type>text</type><contexts><context>export</context></contexts></field>
<field><name>Status</name><label>Status</label><required>true</required><type>picklist</type><options><option>Active</option><option>R&amp;D</option></options><contexts><context>export</context></contexts></field>
<field><name>Notes</name><label>Notes</label><type>text</type><contexts><context>soap</context></contexts></field></fields>
<related-objects><object href="x"><name>BillToContact</name><label>Bill To</label></object></related-objects></object>`;
  const object = parseObject(xml);
  t.equal(object.name, 'Account');
  t.equal(object.label, 'Customer & Co');
  t.same(object.fields.map((f) => [f.name, f.type, f.exportable, f.required]), [['Id', 'text', true, false], ['Status', 'picklist', true, true], ['Notes', 'text', false, false]]);
  t.same(object.fields[1]!.options, ['Active', 'R&D']);
  t.same(object.related, ['BillToContact']);
  t.same(parseObjectList('<objects><object href="a"><name>Account</name><label>A</label></object><object href="b"><name>Invoice</name><label>I</label></object></objects>'), ['Account', 'Invoice']);
  const plan = planObject(object);
  t.same(plan.columns.map((c) => [c.property, c.select]), [['Id', 'Id'], ['Status', 'Status'], ['BillToContactId', 'BillToContact.Id']]);
  t.match(plan.unsupported, { Notes: /export context/ });
  t.equal(plan.replicationKey, undefined, 'no UpdatedDate: full table');
});

t.test('the simulated tenant: every object a stream, typed from describe, incremental by UpdatedDate', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  const catalog = await discoverCatalog(configFor(zuora));
  const names = catalog.streams.map((s) => s.tap_stream_id);
  for (const object of OBJECTS) t.ok(names.includes(object), `${object} discovered`);
  const stream = (name: string) => catalog.streams.find((s) => s.tap_stream_id === name)!;
  const subscription = stream('Subscription');
  t.same(subscription.key_properties, ['Id']);
  t.match(rootMetadata(catalog, 'Subscription'), { 'valid-replication-keys': ['UpdatedDate'], 'table-key-properties': ['Id'] });
  const props = subscription.schema.properties!;
  t.same(props.TermEndDate, { type: ['null', 'string'], format: 'date' });
  t.same(props.UpdatedDate, { type: ['null', 'string'], format: 'date-time' });
  t.same(props.Version, { type: ['null', 'integer'] });
  t.same(props.AutoRenew, { type: ['null', 'boolean'] });
  t.same(props.OriginalId, { type: ['null', 'string'] });
  t.same(stream('RatePlanCharge').schema.properties!.MRR, { type: ['null', 'number'] });
  t.same(props._sdc_deleted_at, { type: ['null', 'string'], format: 'date-time' });
  t.equal(fieldMetadata(catalog, 'Subscription', '_sdc_deleted_at').inclusion, 'automatic');
  // Joined related objects: `<Related>Id`, one column where the object has the field already.
  t.ok('OriginalSubscriptionId' in props && 'AccountId' in props);
  t.ok('AccountId' in stream('Contact').schema.properties! && 'SubscriptionId' in stream('RatePlan').schema.properties! && 'InvoiceId' in stream('InvoiceItem').schema.properties!);
  t.ok('BillToContactId' in stream('Account').schema.properties!, 'Account.BillToContact.Id → BillToContactId (its own BillToId kept too)');
  // A SOAP-only field: listed, not selectable, with the reason.
  t.match(fieldMetadata(catalog, 'Subscription', 'Seats__c'), { inclusion: 'unsupported', 'unsupported-description': /export context/ });
  t.equal(fieldMetadata(catalog, 'Subscription', 'Version').label, 'Version');
  t.equal(rootMetadata(catalog, 'RevenueSchedule').inclusion, 'unsupported');
});

t.test('streams_to_discover limits discovery to the objects named', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  const catalog = await discoverCatalog(configFor(zuora, 'basic', { streams_to_discover: ['Invoice', 'Payment'] }));
  t.same(catalog.streams.map((s) => s.tap_stream_id), ['Invoice', 'Payment']);
  t.equal(zuora.server.calls('describe.list'), 0, 'without the object list');
  const error = await discoverCatalog(configFor(zuora, 'basic', { streams_to_discover: ['NoSuchObject'] })).catch((e: Error) => e);
  t.match(String(error), /NoSuchObject/, 'an unknown object is named in the error');
});

t.test('a CRUD export error names the refused selection as the query wrote it: own field or joined id', async (t) => {
  t.equal(selectionNamedInError('Account', 'invalid field for query: Account.Region__c'), 'Region__c');
  t.equal(selectionNamedInError('Account', "invalid field for query: BillToContact.Id (no related object 'BillToContact' on Account)"), 'BillToContact.Id', 'not the bare Id: that would drop the key');
  t.equal(selectionNamedInError('Account', 'invalid field for query: Region__c'), 'Region__c');
  t.equal(selectionNamedInError('Account', 'noSuchDataSource: the data source does not exist'), undefined);
  // Zuora's messages need not keep the query's case; the caller compares without it.
  t.equal(selectionNamedInError('Account', 'invalid field for query: account.region__c'), 'region__c', 'the object prefix in lower case');
  t.equal(selectionNamedInError('Invoice', 'Cannot use the BillRunId field in the select clause'), 'BillRunId');
});

t.test('a describe answer that is no object document is an error naming the object asked for', async (t) => {
  const zuora = await startTenant(t, { scale: 0.01 });
  zuora.server.inject({ route: /^\/v1\/describe\/Invoice$/, times: 1, action: { type: 'status', status: 200, body: '<html><body>Down for maintenance</body></html>', headers: { 'content-type': 'text/html' } } });
  const error = await discoverCatalog(configFor(zuora, 'oauth', { streams_to_discover: ['Invoice'] })).catch((e: Error) => e);
  t.match(String(error), /describe XML of Invoice without an object name: <html><body>Down for maintenance/);
});
