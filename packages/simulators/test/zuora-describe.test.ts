import t from 'tap';
import { startZuora } from '../src/zuora/index.js';
import { zuoraFixtureSimulation } from './helpers/zuora-fixture.js';
import { call, getToken } from './helpers/zuora-http.js';

function fieldsOf(xml: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const match of xml.matchAll(/<field>(.*?)<\/field>/gs)) {
    const body = match[1] as string;
    fields.set(/<name>(.*?)<\/name>/.exec(body)?.[1] as string, body);
  }
  return fields;
}

const tag = (body: string, name: string): string | undefined => new RegExp(`<${name}>(.*?)</${name}>`, 's').exec(body)?.[1];

t.test('5: /v1/describe lists objects; /v1/describe/{Object} has types, contexts, options, related objects', async (t) => {
  const { simulation } = zuoraFixtureSimulation();
  const zuora = await startZuora({ simulation });
  t.teardown(() => zuora.close());
  const token = await getToken(zuora);

  const list = await call(zuora, token, 'GET', '/v1/describe', undefined, { 'X-Zuora-WSDL-Version': '91.0' });
  t.equal(list.status, 200);
  t.match(list.headers.get('content-type'), /xml/);
  t.match(list.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<objects>/);
  const names = [...list.text.matchAll(/<object href="([^"]+)"><name>([^<]+)<\/name>/g)].map((m) => m[2]);
  t.same(names, ['Account', 'Contact', 'Subscription', 'JournalEntry', 'RevenueSchedule']);
  t.match(list.text, new RegExp(`<object href="${zuora.url}/v1/describe/Account"><name>Account</name><label>Account</label></object>`));

  const account = await call(zuora, token, 'GET', '/v1/describe/Account', undefined, { 'X-Zuora-WSDL-Version': '91.0' });
  t.equal(account.status, 200);
  t.match(account.text, /^<\?xml[^>]*\?>\n<object href="[^"]+\/v1\/describe\/Account"><name>Account<\/name><label>Account<\/label><fields>/);
  const fields = fieldsOf(account.text);
  const types = new Set([...fields.values()].map((body) => tag(body, 'type')));
  for (const type of ['text', 'boolean', 'date', 'datetime', 'decimal', 'integer', 'picklist', 'timestamp']) t.ok(types.has(type), `type ${type} present`);
  t.equal(tag(fields.get('Id') as string, 'required'), 'true', 'non-nillable → required true');
  t.equal(tag(fields.get('Name') as string, 'required'), 'false');
  t.equal(tag(fields.get('Id') as string, 'contexts'), '<context>export</context><context>soap</context>');
  t.equal(tag(fields.get('Notes') as string, 'contexts'), '<context>soap</context>', 'non-export field keeps its contexts');
  t.equal(tag(fields.get('Status') as string, 'options'), '<option>Active</option><option>Canceled</option><option>Draft</option>');
  t.equal(tag(fields.get('Balance') as string, 'scale'), '2');
  const related = tag(account.text, 'related-objects') as string;
  t.match(related, new RegExp(`<object href="${zuora.url}/v1/describe/Contact"><name>BillToContact</name><label>Bill To Contact</label></object>`));
  t.match(related, /<name>ParentAccount<\/name>/);

  const subscription = await call(zuora, token, 'GET', '/v1/describe/Subscription');
  t.match(tag(subscription.text, 'related-objects'), /<object href="[^"]+\/v1\/describe\/Account"><name>Account<\/name>/, 'AccountId → related Account');

  const unavailable = await call(zuora, token, 'GET', '/v1/describe/JournalEntry');
  t.equal(unavailable.status, 200, 'described although it cannot be exported');
  t.match(unavailable.text, /<name>UpdatedDate<\/name>/);
  const missing = await call(zuora, token, 'GET', '/v1/describe/NoSuchThing');
  t.equal(missing.status, 404);
  t.match(missing.json, { success: false, reasons: [{ code: 50000040 }] });
});

t.test('4: X-Zuora-WSDL-Version accepted; a lower version hides newer fields from describe and exports', async (t) => {
  const { simulation } = zuoraFixtureSimulation();
  const zuora = await startZuora({ simulation, scenario: { fieldWsdlVersions: { 'Account.LastMetricsUpdate': 95 } } });
  t.teardown(() => zuora.close());
  const token = await getToken(zuora);
  const describe = async (version?: string): Promise<Map<string, string>> =>
    fieldsOf((await call(zuora, token, 'GET', '/v1/describe/Account', undefined, version ? { 'X-Zuora-WSDL-Version': version } : {})).text);
  t.notOk((await describe('91.0')).has('LastMetricsUpdate'), 'hidden at 91.0');
  t.ok((await describe('95.0')).has('LastMetricsUpdate'), 'present at 95.0');
  t.ok((await describe()).has('LastMetricsUpdate'), 'present without the header (latest)');
  t.ok((await describe('junk')).has('LastMetricsUpdate'), 'an unparsable version is ignored');

  const query = { Format: 'csv', Query: 'select Id, LastMetricsUpdate from Account' };
  const old = await call(zuora, token, 'POST', '/v1/object/export', query, { 'X-Zuora-WSDL-Version': '91.0' });
  t.equal(old.status, 400);
  t.match(old.json, { Success: false, Errors: [{ Code: 'INVALID_VALUE', Message: /LastMetricsUpdate/ }] });
  const current = await call(zuora, token, 'POST', '/v1/object/export', query, { 'X-Zuora-WSDL-Version': '95.0' });
  t.match(current.json, { Success: true, Id: /^[0-9a-f]{32}$/ });
});
