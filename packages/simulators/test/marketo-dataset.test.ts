/**
 * The Marketo server on the real synthetic company (scale 0.2): every read
 * path returns exactly what the tables hold, and bulk files agree with them.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { createSimulation } from '../src/core/simulation.js';
import { DELETED, type Row } from '../src/dataset/types.js';
import { startMarketo } from '../src/marketo/index.js';
import { parseCsv } from './helpers/csv.js';
import { MarketoClient, sleep, type Envelope } from './helpers/marketo-http.js';

const simulation = createSimulation({ scale: 0.2 });
const { company } = simulation;
const asOf = simulation.clock.now();
const table = (name: string) => company.table('marketo', name)!;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DAY = 86_400_000;

t.test('REST and asset reads match the tables', async (t) => {
  const handle = await startMarketo({ simulation, scenario: { rateLimitCalls: 10_000, csvNulRatio: 0 } });
  t.teardown(() => handle.close());
  const client = new MarketoClient(handle);
  await client.login();

  const describe = (await client.get('/rest/v1/leads/describe.json')).result ?? [];
  t.equal(describe.length, table('leads').fields.length);
  const soapOnly = describe.filter((field) => !('rest' in field)).map((field) => (field.soap as { name: string }).name);
  t.ok(soapOnly.length >= 1, `SOAP-only fields: ${soapOnly.join(', ')}`);
  t.ok(describe.some((field) => (field.rest as { name?: string } | undefined)?.name === 'sfdcLeadId'), 'Salesforce link fields are described');

  const types = (await client.get('/rest/v1/activities/types.json')).result ?? [];
  t.equal(types.length, table('activity_types').count({ asOf }));
  t.ok(types.some((type) => !('primaryAttribute' in type)) && types.some((type) => 'primaryAttribute' in type));

  // Every activity of the last 30 days, read in groups of ≤ 10 type ids.
  const since = asOf - 30 * DAY;
  const expected = table('activities').count({ asOf, from: since });
  const ids = types.map((type) => Number(type.id));
  const groups = [ids.slice(0, 10), ids.slice(10, 20), ids.slice(20)].filter((group) => group.length > 0);
  const start = String((await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: iso(since) })).nextPageToken);
  const seen = new Set<string>();
  let pages = 0;
  for (const group of groups) {
    let token = start;
    for (;;) {
      const page: Envelope = await client.get('/rest/v1/activities.json', { nextPageToken: token, activityTypeIds: group.join(','), batchSize: 300 });
      pages += 1;
      for (const item of page.result ?? []) seen.add(String(item.marketoGUID));
      token = String(page.nextPageToken);
      if (!page.moreResult) break;
    }
  }
  t.equal(seen.size, expected, `${expected} activities in ${pages} pages, each once`);

  const deletedIds: number[] = [];
  for (const row of table('leads').scan({ asOf, includeDeleted: true })) if (row[DELETED]) deletedIds.push(Number(row.id));
  let token = String((await client.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: iso(company.start) })).nextPageToken);
  const deletedSeen: number[] = [];
  for (;;) {
    const page: Envelope = await client.get('/rest/v1/activities/deletedleads.json', { nextPageToken: token });
    for (const item of page.result ?? []) deletedSeen.push(Number(item.leadId));
    token = String(page.nextPageToken);
    if (!page.moreResult) break;
  }
  t.ok(deletedIds.length > 0);
  t.same(deletedSeen.sort((a, b) => a - b), deletedIds.sort((a, b) => a - b), 'deletedleads.json names exactly the deleted leads');

  for (const [path, name] of [
    ['/rest/asset/v1/programs.json', 'programs'],
    ['/rest/asset/v1/emails.json', 'emails'],
    ['/rest/asset/v1/landingPages.json', 'landing_pages'],
  ] as const) {
    const items: Row[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await client.get(path, { maxReturn: 200, offset });
      if (page.warnings?.includes('No assets found for the given search criteria.')) break;
      items.push(...(page.result ?? []));
    }
    t.equal(items.length, table(name).count({ asOf }), `${name}: all of them`);
    t.ok(items.every((item) => /Z\+0000$/.test(String(item.updatedAt))), `${name}: asset timestamps`);
    if (name === 'programs') {
      t.ok(items.some((item) => Array.isArray(item.costs) && item.costs.length > 0), 'programs carry costs');
      t.ok(items.every((item) => item.sfdcId === null || /^701\w{15}$/.test(String(item.sfdcId))), 'sfdcId is a Salesforce Campaign id');
    }
  }

  for (const name of ['campaigns', 'lists']) {
    let count = 0;
    let next: string | undefined;
    do {
      const page: Envelope = await client.get(`/rest/v1/${name}.json`, { batchSize: 100, ...(next ? { nextPageToken: next } : {}) });
      count += page.result?.length ?? 0;
      next = page.nextPageToken;
    } while (next);
    t.equal(count, table(name).count({ asOf }), `${name}: all of them`);
  }
});

t.test('bulk files agree with the tables', async (t) => {
  const handle = await startMarketo({ simulation, scenario: { bulkStatusCadenceMs: 30, csvNulRatio: 0.01 } });
  t.teardown(() => handle.close());
  const client = new MarketoClient(handle);
  await client.login();

  const run = async (type: string, body: unknown): Promise<{ status: Record<string, unknown>; bytes: Buffer }> => {
    const created = await client.post(`/bulk/v1/${type}/export/create.json`, body);
    const id = String(created.result?.[0]?.exportId);
    t.equal((await client.post(`/bulk/v1/${type}/export/${id}/enqueue.json`)).success, true);
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 400 && status.status !== 'Completed'; i += 1) {
      await sleep(10);
      status = (await client.get(`/bulk/v1/${type}/export/${id}/status.json`)).result?.[0] ?? {};
    }
    const bytes = Buffer.from(await (await client.raw(`/bulk/v1/${type}/export/${id}/file.json`)).arrayBuffer());
    t.equal(bytes.length, status.fileSize, `${type}: fileSize`);
    t.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, status.fileChecksum, `${type}: checksum`);
    return { status, bytes };
  };

  const from = asOf - 31 * DAY;
  const leadFields = ['id', 'email', 'firstName', 'address', 'engagementRate', 'sfdcLeadId', 'acquisitionProgramId', 'createdAt', 'updatedAt'];
  const leads = await run('leads', { fields: leadFields, filter: { createdAt: { startAt: iso(from), endAt: iso(asOf) } } });
  let created = 0;
  for (const row of table('leads').scan({ asOf })) if (Number(row.createdAt) >= from && Number(row.createdAt) <= asOf) created += 1;
  t.ok(created > 0);
  t.equal(leads.status.numberOfRecords, created, 'leads created in the window');
  const records = parseCsv(leads.bytes.toString('utf8'));
  t.same(records[0], leadFields);
  t.equal(records.length - 1, created, 'the file parses to one record per lead (embedded newlines quoted)');
  t.ok(records.some((record) => (record[3] ?? '').includes('\n')), 'addresses carry embedded newlines');

  const activities = await run('activities', { filter: { createdAt: { startAt: iso(asOf - 7 * DAY), endAt: iso(asOf) } } });
  t.equal(activities.status.numberOfRecords, table('activities').count({ asOf, from: asOf - 7 * DAY, to: asOf + 1 }), 'activities in the window');
  const activityRecords = parseCsv(activities.bytes.toString('utf8'));
  const withAttributes = activityRecords.slice(1).filter((record) => (record[7] ?? '') !== '' && record[7] !== 'null');
  t.ok(withAttributes.length > 0 && withAttributes.every((record) => typeof JSON.parse((record[7] ?? '').replaceAll('\u0000', '')) === 'object'), 'attributes cells are JSON objects');

  let members = 0;
  for (const row of table('program_members').scan({ asOf })) if (row.programId === 1001) members += 1;
  const programMembers = await run('program/members', { filter: { programId: 1001 } });
  t.equal(programMembers.status.numberOfRecords, members, 'members of program 1001');
});
