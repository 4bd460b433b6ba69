/**
 * Marketo lead-database REST reads (must-haves 10-12 and 20): lead describe,
 * activity types, paging-token activity paging, deleted leads, and the
 * position-token lists campaigns.json / lists.json.
 */
import t from 'tap';
import { ACTIVITY_TYPES, DELETED_LEADS } from './helpers/marketo-fixture.js';
import { code, fixtureMarketo, MarketoClient, type Envelope } from './helpers/marketo-http.js';

t.test('10: leads/describe.json with rest/soap blocks; SOAP-only fields lack rest', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const describe = await client.get('/rest/v1/leads/describe.json');
  const fields = describe.result ?? [];
  t.equal(fields.length, 14);
  t.match(fields.find((field) => field.displayName === 'Company Name'), {
    id: 5,
    dataType: 'string',
    length: 255,
    rest: { name: 'company', readOnly: false },
    soap: { name: 'Company', readOnly: false },
  });
  t.match(fields.find((field) => field.displayName === 'Id'), { rest: { name: 'id', readOnly: true } });
  const soapOnly = fields.find((field) => field.displayName === 'Legacy SOAP-only score');
  t.notOk(soapOnly && 'rest' in soapOnly, 'a SOAP-only field has no rest block');
  t.same(soapOnly?.soap, { name: 'LegacyScore', readOnly: false });
  t.same([...new Set(fields.map((field) => field.dataType))].sort(), ['boolean', 'datetime', 'email', 'integer', 'percent', 'reference', 'score', 'string', 'textarea']);
});

t.test('leads.json by id: REST names, requested fields, deleted leads absent', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const found = await client.get('/rest/v1/leads.json', { filterType: 'id', filterValues: '1,5,18,999', fields: 'id,email,company,notes,updatedAt' });
  t.same(
    found.result?.map((lead) => lead.id),
    [1, 18],
    'deleted (5) and unknown (999) ids are left out',
  );
  t.same(found.result?.[1], { id: 18, email: 'person18@example.com', company: 'Company 18', notes: 'line one\nline two for 18', updatedAt: '2024-02-09T00:00:18Z' });
  t.equal(code(await client.get('/rest/v1/leads.json', { filterType: 'id', filterValues: '1', fields: 'legacyScore' })), '1006', 'SOAP-only fields are not REST fields');
  t.equal(code(await client.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'a@b.c' })), '1003');
});

t.test('11: activities/types.json: optional primaryAttribute, attributes with spaces', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const types = (await client.get('/rest/v1/activities/types.json')).result ?? [];
  t.equal(types.length, 7);
  t.same(types[0], {
    id: 6,
    name: 'Send Email',
    description: 'Send Marketo Email to a person',
    primaryAttribute: { name: 'Mailing ID', dataType: 'integer' },
    attributes: [
      { name: 'Campaign Run ID', dataType: 'integer' },
      { name: 'Has Predictive', dataType: 'boolean' },
    ],
  });
  const newLead = types.find((type) => type.id === 12);
  t.notOk(newLead && 'primaryAttribute' in newLead, 'a type without a primary attribute leaves the key out');
});

t.test('12: paging token + activities.json: token on every page, moreResult drives paging, ≤ 10 types, empty pages', async (t) => {
  const handle = await fixtureMarketo(t, { activityScanWindow: 120 });
  const client = new MarketoClient(handle);
  await client.login();
  const start = await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2024-01-01T00:00:00-06:00' });
  t.match(start, { success: true, nextPageToken: /^[A-Z2-7]+$/ });

  const walk = async (types: string, batchSize: number, extra: Record<string, string> = {}): Promise<{ ids: string[]; pages: Envelope[] }> => {
    let token = String(start.nextPageToken);
    const ids: string[] = [];
    const pages: Envelope[] = [];
    for (let guard = 0; guard < 200; guard += 1) {
      const page = await client.get('/rest/v1/activities.json', { nextPageToken: token, activityTypeIds: types, batchSize, ...extra });
      t.equal(page.success, true);
      pages.push(page);
      t.type(page.nextPageToken, 'string', 'every page carries a nextPageToken');
      for (const item of page.result ?? []) ids.push(String(item.marketoGUID));
      token = String(page.nextPageToken);
      if (!page.moreResult) break;
    }
    return { ids, pages };
  };

  const all = await walk(ACTIVITY_TYPES.join(','), 100);
  t.equal(all.ids.length, 750, 'every activity once');
  t.equal(new Set(all.ids).size, 750, 'no duplicates across pages, even inside a run of equal timestamps');
  const first = all.pages[0]?.result?.[0];
  t.match(first, { marketoGUID: /^\d+$/, leadId: Number, activityDate: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, activityTypeId: Number, attributes: [{ name: 'Client IP Address', value: '10.0.0.1' }] });

  const onlyType = await walk('12', 300);
  t.equal(onlyType.ids.length, 150, 'only the requested type');
  const sparse = await walk(ACTIVITY_TYPES.join(','), 300, { leadIds: '50' });
  t.equal(sparse.ids.length, 15, 'only the requested lead');
  t.ok(
    sparse.pages.some((page) => !('result' in page) && page.moreResult === true),
    'a slice without matches is a page without result that still has more',
  );

  // The last page's token is where the next run starts: nothing new until the clock moves.
  const last = all.pages.at(-1);
  const again = await client.get('/rest/v1/activities.json', { nextPageToken: String(last?.nextPageToken), activityTypeIds: '6' });
  t.equal(again.moreResult, false);
  t.notOk('result' in again);

  handle.scenario.emptyActivityPageEvery = 2;
  const forced = await walk('6,7', 300);
  t.equal(forced.ids.length, 300, 'forced empty pages lose nothing');
  t.ok(forced.pages.filter((page) => !('result' in page) && page.moreResult).length >= 1, 'forced empty pages appear');
  handle.scenario.emptyActivityPageEvery = 0;

  const tooMany = await client.get('/rest/v1/activities.json', { nextPageToken: String(start.nextPageToken), activityTypeIds: '1,2,3,4,5,6,7,8,9,10,11' });
  t.equal(code(tooMany), '1003', 'more than 10 activity type ids is refused');
  t.equal(code(await client.get('/rest/v1/activities.json', { nextPageToken: String(start.nextPageToken), activityTypeIds: '6', batchSize: 301 })), '1003', 'batchSize ≤ 300');
  t.equal(code(await client.get('/rest/v1/activities.json', { nextPageToken: 'garbage!', activityTypeIds: '6' })), '1003');
  t.equal(code(await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: 'yesterday' })), '1001');
  handle.scenario.activityScanWindow = 3_000;
  const moments = await client.get('/rest/v1/activities.json', { nextPageToken: String(start.nextPageToken), activityTypeIds: '46' });
  t.equal(moments.result?.length, 5);
  t.same(moments.result?.[0]?.attributes, [{ name: 'Date', value: '2024-03-02T00:01:00Z' }, { name: 'Description', value: 'Downloaded a whitepaper' }], 'datetime attributes are formatted like other datetimes');
  const lead7 = await client.get('/rest/v1/activities.json', { nextPageToken: String(start.nextPageToken), activityTypeIds: '6,7', leadIds: '7', batchSize: 300 });
  t.equal(lead7.result?.length, 6, 'leadIds filters');
  t.ok((lead7.result ?? []).every((item) => item.leadId === 7));
});

t.test('deleted leads: deletedleads.json pages "Delete Lead" activities from a paging token', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const start = await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2024-01-01T00:00:00Z' });
  const page = await client.get('/rest/v1/activities/deletedleads.json', { nextPageToken: String(start.nextPageToken), batchSize: 300 });
  t.same(
    (page.result ?? []).map((item) => item.leadId),
    DELETED_LEADS,
  );
  t.match(page.result?.[0], { activityTypeId: 37, activityDate: /Z$/, primaryAttributeValueId: 5, primaryAttributeValue: 'First5 Last5', attributes: [{ name: 'Remove from CRM', value: true }] });
  t.equal(page.moreResult, false);
  const later = await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2024-06-26T00:00:00Z' });
  t.notOk('result' in (await client.get('/rest/v1/activities/deletedleads.json', { nextPageToken: String(later.nextPageToken) })), 'none deleted since');
});

t.test('20: campaigns.json / lists.json: batchSize ≤ 300, position token absent on the last page, tokens expire', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const ids: number[] = [];
  let token: string | undefined;
  const tokens: (string | undefined)[] = [];
  do {
    const page: Envelope = await client.get('/rest/v1/campaigns.json', { batchSize: 300, ...(token ? { nextPageToken: token } : {}) });
    t.equal(page.success, true);
    for (const item of page.result ?? []) ids.push(Number(item.id));
    token = page.nextPageToken;
    tokens.push(token);
  } while (token);
  t.equal(ids.length, 650);
  t.equal(tokens.length, 3, '300 + 300 + 50');
  t.notOk(tokens[2], 'no nextPageToken on the last page');
  const first = await client.get('/rest/v1/campaigns.json', { batchSize: 2 });
  t.match(first.result?.[0], { id: 1, name: 'Campaign 1', type: 'batch', programId: Number, active: false, createdAt: '2024-01-01T01:00:00Z', updatedAt: '2024-01-01T01:00:05Z' });
  t.equal(code(await client.get('/rest/v1/campaigns.json', { batchSize: 301 })), '1003');

  const lists = await client.get('/rest/v1/lists.json', { batchSize: 300 });
  t.equal(lists.result?.length, 12);
  t.notOk('nextPageToken' in lists, 'a single page has no token');
  const exact = await client.get('/rest/v1/lists.json', { batchSize: 12 });
  t.notOk('nextPageToken' in exact, 'a page that ends exactly at the last row has no token either');

  // A token resumed long after it was issued has expired.
  const resumable = String(first.nextPageToken);
  t.equal((await client.get('/rest/v1/campaigns.json', { nextPageToken: resumable })).success, true, 'fresh token works');
  handle.advanceTime(3_600_001);
  await client.login();
  const stale = await client.get('/rest/v1/campaigns.json', { nextPageToken: resumable });
  t.equal(code(stale), '1003', 'stale token refused');
  handle.scenario.expiredTokenCode = '611';
  t.equal(code(await client.get('/rest/v1/campaigns.json', { nextPageToken: resumable })), '611', 'the code is a switch');
});
