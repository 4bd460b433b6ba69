/**
 * The Zuora server on the real synthetic company (scale 0.2): describe covers
 * every table, AQuA exports agree with `Table.count`, joined `Account.Id`
 * columns agree with the lookup fields, and incremental runs return exactly
 * the rows that changed while the clock moved.
 */
import t from 'tap';
import { createSimulation } from '../src/core/simulation.js';
import { DELETED } from '../src/dataset/types.js';
import { startZuora } from '../src/zuora/index.js';
import { exportable, relationships } from '../src/zuora/plan.js';
import { aquaPayload, call, getToken, parseCsv, runAqua } from './helpers/zuora-http.js';

const TABLES = [
  'Account', 'Contact', 'Subscription', 'RatePlan', 'RatePlanCharge', 'Amendment', 'Product', 'ProductRatePlan',
  'ProductRatePlanCharge', 'Invoice', 'InvoiceItem', 'Payment', 'CreditBalanceAdjustment', 'RefundInvoicePayment',
];

t.test('the Zuora server on the synthetic company', async (t) => {
  // A present before the 2026-02-26 Contact deletion, so the incremental run below sees one.
  const simulation = createSimulation({ scale: 0.2, asOf: Date.parse('2026-02-01T00:00:00Z') });
  const zuora = await startZuora({ simulation });
  t.teardown(() => zuora.close());
  const token = await getToken(zuora);
  const { company, clock } = simulation;

  const list = await call(zuora, token, 'GET', '/v1/describe');
  const described = [...list.text.matchAll(/<name>([^<]+)<\/name>/g)].map((m) => m[1]);
  for (const name of TABLES) t.ok(described.includes(name), `describe lists ${name}`);

  const types = new Set<string>();
  for (const table of company.tables('zuora')) {
    const xml = (await call(zuora, token, 'GET', `/v1/describe/${table.name}`)).text;
    for (const field of table.fields) t.ok(xml.includes(`<name>${field.name}</name>`), `${table.name}.${field.name} described`);
    for (const rel of relationships(table)) t.ok(xml.includes(`<name>${rel.name}</name>`), `${table.name} related ${rel.name}`);
    for (const field of table.fields) types.add(field.type);
  }
  t.comment(`types in the dataset: ${[...types].sort().join(', ')}`);
  t.ok(types.has('datetime') && types.has('text'), 'dataset uses Zuora describe types');

  // Full stateful load of every table: CSV row count equals recordCount equals Table.count.
  const asOf = clock.now();
  for (const table of company.tables('zuora')) {
    const fields = table.fields.filter(exportable).map((field) => field.name);
    const joins = relationships(table).map((rel) => `${rel.name}.Id`);
    const query = `select ${[...fields, ...joins].join(', ')} from ${table.name}`;
    const { job, files } = await runAqua(zuora, token, aquaPayload(query, { project: `${table.name}_v1`, name: table.name }));
    const expected = table.count({ asOf });
    t.equal(job.batches[0].recordCount, expected, `${table.name}: recordCount`);
    const rows = files[0] ?? [];
    t.equal(rows.length - 1, expected, `${table.name}: CSV rows`);
    t.same(rows[0], [...fields, ...joins], `${table.name}: header labels`);
    t.ok(rows.every((row) => row.length === fields.length + joins.length), `${table.name}: rectangular`);
    const first = rows[1];
    if (first && joins.length > 0) {
      const rel = relationships(table)[0]!;
      const lookupIndex = fields.indexOf(rel.field.name);
      if (lookupIndex >= 0) t.equal(first[fields.length], first[lookupIndex], `${table.name}: ${rel.name}.Id equals ${rel.field.name}`);
    }
  }

  // Incremental: move the clock and ask again; exactly the rows changed since the last run come back,
  // deleted ones flagged (every object here supports the Deleted column; Contact really deletes).
  const before = clock.now();
  clock.advanceDays(60);
  for (const name of ['Account', 'Contact']) {
    const table = company.table('zuora', name)!;
    const fields = table.fields.filter(exportable).map((field) => field.name);
    const delta = await runAqua(zuora, token, aquaPayload(`select ${fields.join(', ')} from ${name}`, { project: `${name}_v1`, name, deleted: { column: 'Deleted', format: 'Boolean' } }));
    const changed = table.count({ asOf: clock.now(), from: before + 1, includeDeleted: true });
    t.equal(delta.job.batches[0].full, false, `${name}: incremental`);
    t.equal(delta.job.batches[0].recordCount, changed, `${name}: recordCount = rows changed in the 60 days`);
    t.equal((delta.files[0]?.length ?? 1) - 1, changed, `${name}: CSV rows`);
    let deleted = 0;
    for (const row of table.scan({ asOf: clock.now(), from: before + 1, includeDeleted: true })) if (row[DELETED]) deleted += 1;
    const flagged = (delta.files[0] ?? []).slice(1).filter((row) => row.at(-1) === 'true').length;
    t.equal(flagged, deleted, `${name}: ${deleted} deleted rows flagged in the Deleted column`);
    if (name === 'Contact') t.ok(deleted > 0, 'the window holds a real deletion');
  }
  const account = company.table('zuora', 'Account')!;

  // A CRUD export over a 30-day window agrees with the table as well.
  const from = new Date(before - 30 * 86_400_000).toISOString().slice(0, 19) + 'Z';
  const to = new Date(before).toISOString().slice(0, 19) + 'Z';
  const created = await call(zuora, token, 'POST', '/v1/object/export', { Format: 'csv', Query: `select Id, UpdatedDate from Account where UpdatedDate >= '${from}' and UpdatedDate < '${to}'` });
  let status = (await call(zuora, token, 'GET', `/v1/object/export/${created.json.Id as string}`)).json;
  while (status.Status !== 'Completed') status = (await call(zuora, token, 'GET', `/v1/object/export/${created.json.Id as string}`)).json;
  const file = await call(zuora, token, 'GET', `/v1/files/${status.FileId as string}`);
  const lines = parseCsv(file.text);
  t.equal(lines.length - 1, account.count({ asOf: clock.now(), from: Date.parse(from), to: Date.parse(to) }), 'export window row count');
});
