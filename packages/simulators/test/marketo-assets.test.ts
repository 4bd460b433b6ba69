/**
 * Marketo Asset API lists (must-have 19, plus emails and landing pages):
 * offset/maxReturn paging, updatedAt window, `…Z+0000` timestamps,
 * costs/tags, end of data told by the "No assets found" warning.
 */
import t from 'tap';
import { startMarketo } from '../src/marketo/index.js';
import { code, fixtureMarketo, MarketoClient, type Envelope } from './helpers/marketo-http.js';

const NO_ASSETS = 'No assets found for the given search criteria.';

async function drain(client: MarketoClient, path: string, maxReturn: number, params: Record<string, string> = {}): Promise<{ items: Record<string, unknown>[]; last: Envelope; calls: number }> {
  const items: Record<string, unknown>[] = [];
  let offset = 0;
  let calls = 0;
  for (;;) {
    const page = await client.get(path, { maxReturn, offset, ...params });
    calls += 1;
    if (page.warnings?.includes(NO_ASSETS)) return { items, last: page, calls };
    items.push(...(page.result ?? []));
    offset += maxReturn;
    if (calls > 50) throw new Error('no end');
  }
}

t.test('19: programs.json offset/maxReturn ≤ 200, updatedAt window, Z+0000 timestamps, costs/tags, end warning', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const all = await drain(client, '/rest/asset/v1/programs.json', 20);
  t.equal(all.items.length, 45);
  t.equal(all.calls, 4, '20 + 20 + 5, then the warning');
  t.equal(all.last.success, true);
  t.notOk('result' in all.last, 'end of data: result absent');
  t.same(all.last.warnings, [NO_ASSETS]);
  t.same(
    all.items.map((item) => item.id),
    Array.from({ length: 45 }, (_, i) => 1000 + i),
    'id order, each once',
  );
  const second = all.items[1];
  t.match(second, {
    id: 1001,
    name: 'Program 1',
    createdAt: '2024-01-02T00:00:00Z+0000',
    updatedAt: '2024-01-03T00:00:00Z+0000',
    channel: 'Webinar',
    folder: { type: 'Folder', value: 51, folderName: 'Programs' },
    tags: [{ tagType: 'Campaign Type', tagValue: 'Owned' }],
    costs: [{ startDate: '2024-01-01', cost: 101, note: 'banner' }],
    sfdcId: null,
  });
  t.equal(all.items[0]?.costs, null, 'costs may be null');

  const window = await drain(client, '/rest/asset/v1/programs.json', 200, { earliestUpdatedAt: '2024-01-10T00:00:00Z', latestUpdatedAt: '2024-01-20T00:00:00Z' });
  const updated = window.items.map((item) => String(item.updatedAt));
  t.ok(updated.length > 5 && updated.every((value) => value >= '2024-01-10T00:00:00Z+0000' && value <= '2024-01-20T00:00:00Z+0000'), 'updatedAt window, both ends inclusive');
  t.ok(updated.includes('2024-01-20T00:00:00Z+0000'), 'latestUpdatedAt itself is included');

  t.equal(code(await client.get('/rest/asset/v1/programs.json', { maxReturn: 201 })), '701', 'maxReturn ≤ 200');
  t.equal(code(await client.get('/rest/asset/v1/programs.json', { earliestUpdatedAt: 'last week' })), '701');

  handle.scenario.noAssetsResult = 'empty';
  const emptyEnd = await client.get('/rest/asset/v1/programs.json', { maxReturn: 200, offset: 200 });
  t.same(emptyEnd.result, [], 'the [] variant');
  t.same(emptyEnd.warnings, [NO_ASSETS]);

  const one = await client.get('/rest/asset/v1/program/1003.json');
  t.equal(one.result?.[0]?.name, 'Program 3');
});

t.test('emails.json and landingPages.json page like programs, with status and folder filters', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const emails = await drain(client, '/rest/asset/v1/emails.json', 7);
  t.equal(emails.items.length, 30);
  t.equal(emails.calls, 6);
  t.match(emails.items[0], { id: 1, name: 'Email 1', status: 'draft', updatedAt: '2024-01-01T00:01:00Z+0000' });
  const approved = await drain(client, '/rest/asset/v1/emails.json', 200, { status: 'approved' });
  t.equal(approved.items.length, 20);
  const pages = await drain(client, '/rest/asset/v1/landingPages.json', 200);
  t.equal(pages.items.length, 25);
  t.equal(pages.items[24]?.name, 'Landing Page 25');
  const inFolder = await drain(client, '/rest/asset/v1/landingPages.json', 200, { folder: JSON.stringify({ id: 7, type: 'Folder' }) });
  t.equal(inFolder.items.length, 25);
  const otherFolder = await client.get('/rest/asset/v1/landingPages.json', { folder: JSON.stringify({ id: 8, type: 'Folder' }) });
  t.same(otherFolder.warnings, [NO_ASSETS]);
  const window = await drain(client, '/rest/asset/v1/emails.json', 200, { earliestUpdatedAt: '2024-01-05T00:00:00Z' });
  t.equal(window.items.length, 26);
  t.equal(handle.server.calls('emails'), 6 + 2 + 2, 'counted per route');
});

t.test('smartCampaigns.json: the asset view of the campaigns, paged like the other assets, with the parent program', async (t) => {
  const handle = await fixtureMarketo(t);
  const client = new MarketoClient(handle);
  await client.login();
  const all = await drain(client, '/rest/asset/v1/smartCampaigns.json', 200);
  t.equal(all.items.length, 650);
  t.equal(all.calls, 5, '200 + 200 + 200 + 50, then the warning');
  t.same(
    all.items.map((item) => item.id),
    Array.from({ length: 650 }, (_, i) => i + 1),
    'id order, each once',
  );
  // Fixture campaign 3: batch, active, program 1003; campaign 4: trigger, inactive, program 1004.
  t.match(all.items[2], {
    id: 3,
    name: 'Campaign 3',
    type: 'batch',
    isActive: true,
    isSystem: false,
    isRequestable: false,
    folder: { id: 1003, type: 'Program' },
    parentProgramId: 1003,
    workspace: 'Default',
    status: 'Single Run',
    recurrence: { weekdayOnly: false },
    qualificationRuleType: 'once',
    createdAt: '2024-01-01T03:00:00Z+0000',
    computedUrl: 'https://app-sj01.marketo.com/#SC3A1',
  });
  t.match(all.items[3], { id: 4, type: 'trigger', isActive: false, status: 'Inactive', parentProgramId: 1004 });
  t.ok(
    all.items.every((item) => typeof item.smartListId === 'number' && typeof item.flowId === 'number'),
    'smart list and flow ids',
  );
  const one = await client.get('/rest/asset/v1/smartCampaign/4.json');
  t.same(one.result, [all.items[3]], 'by id: the same item');
  const inProgram = await drain(client, '/rest/asset/v1/smartCampaigns.json', 200, { folder: JSON.stringify({ id: 1003, type: 'Program' }) });
  t.ok(inProgram.items.length > 0 && inProgram.items.every((item) => item.parentProgramId === 1003), 'folder filter on the parent program');
});

t.test('smartCampaigns.json on the synthetic company: an Engagement program\'s campaign is a requestable trigger (the drip cast)', async (t) => {
  const handle = await startMarketo({ scale: 0.01, urlStyle: 'path' });
  t.teardown(() => handle.close());
  const client = new MarketoClient(handle);
  await client.login();
  const items = (await drain(client, '/rest/asset/v1/smartCampaigns.json', 200)).items;
  const programs = (await drain(client, '/rest/asset/v1/programs.json', 200)).items;
  const engagement = new Set(programs.filter((program) => program.type === 'Engagement').map((program) => program.id));
  t.ok(engagement.size > 0, `${engagement.size} Engagement programs`);
  const drips = items.filter((item) => engagement.has(item.parentProgramId));
  t.equal(drips.length, engagement.size, 'one drip campaign per Engagement program');
  t.ok(
    drips.every((item) => item.type === 'trigger' && item.isRequestable === true && item.qualificationRuleType === 'any'),
    'drip casts are requestable triggers',
  );
  t.ok(
    items.filter((item) => !engagement.has(item.parentProgramId)).every((item) => item.isRequestable === false),
    'no other campaign is requestable',
  );
  t.ok(items.some((item) => item.type === 'batch') && items.some((item) => item.type === 'trigger' && !engagement.has(item.parentProgramId)), 'batch and plain trigger campaigns too');
  t.ok(
    items.some((item) => item.parentProgramId === undefined && (item.folder as { type?: string }).type === 'Folder'),
    'operational campaigns outside programs have a folder, no parent program',
  );
});
