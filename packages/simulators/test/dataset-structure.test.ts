/**
 * Every table of the synthetic company, read the way the servers read it:
 * ordered scans, windows, key order with a resume key, get by key, counts and
 * deleted rows.
 */
import t, { type Test } from 'tap';
import { DELETED, createCompany } from '../src/dataset/index.js';
import type { ScannedRow, SystemName, Table } from '../src/dataset/index.js';

const company = createCompany({ seed: 3, scale: 0.1 });
const asOf = company.initialAsOf;
const SYSTEMS: SystemName[] = ['salesforce', 'zuora', 'marketo'];
const cmp = (a: unknown, b: unknown): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);

const EXPECTED: Record<SystemName, string[]> = {
  salesforce: ['User', 'Account', 'Contact', 'Lead', 'Campaign', 'CampaignMember', 'Opportunity', 'OpportunityContactRole', 'OpportunityFieldHistory', 'Task', 'Document', 'Partner_Referral__c'],
  zuora: ['Account', 'Contact', 'Subscription', 'RatePlan', 'RatePlanCharge', 'Amendment', 'Product', 'ProductRatePlan', 'ProductRatePlanCharge', 'Invoice', 'InvoiceItem', 'Payment', 'CreditBalanceAdjustment', 'RefundInvoicePayment'],
  marketo: ['leads', 'activities', 'activity_types', 'programs', 'program_members', 'campaigns', 'lists', 'emails', 'landing_pages'],
};

t.test('every table named in the brief exists, with its key, replication key and fields', async (t) => {
  for (const sys of SYSTEMS) {
    t.same(company.tables(sys).map((x) => x.name).sort(), [...EXPECTED[sys]].sort(), sys);
    for (const table of company.tables(sys)) {
      t.ok(table.fields.some((f) => f.name === table.key), `${sys}.${table.name} has its key field`);
      if (table.replicationKey) t.ok(table.fields.some((f) => f.name === table.replicationKey), `${sys}.${table.name} has its replication key field`);
      if (sys === 'salesforce') t.ok(table.fields.some((f) => f.name === 'IsDeleted'), `${table.name} has IsDeleted`);
    }
  }
  t.equal(company.table('salesforce', 'OpportunityFieldHistory')!.replicationKey, 'CreatedDate');
  t.equal(company.table('salesforce', 'Account')!.replicationKey, 'SystemModstamp');
  t.equal(company.table('zuora', 'Subscription')!.replicationKey, 'UpdatedDate');
  t.equal(company.table('marketo', 'activities')!.key, 'marketoGUID');
  t.equal(company.table('marketo', 'activity_types')!.replicationKey, null);
  t.equal(company.table('salesforce', 'Nope'), undefined);
});

function check(t: Test, sys: SystemName, table: Table): void {
  const rk = table.replicationKey;
  const all = [...table.scan({ asOf, includeDeleted: true })];
  const live = [...table.scan({ asOf })];
  t.ok(live.length > 0, 'non-empty at scale 0.1');
  t.equal(live.length, all.filter((r) => !r[DELETED]).length, 'without includeDeleted: exactly the rows not deleted');
  t.ok(live.every((r) => !r[DELETED]), 'no deleted row without includeDeleted');
  if (!table.deletes) t.equal(all.length, live.length, 'table that never deletes has no deleted rows');
  if (sys === 'salesforce') t.ok(all.every((r) => r.IsDeleted === (r[DELETED] === true)), 'IsDeleted matches the DELETED mark');

  const keys = new Set(all.map((r) => r[table.key]));
  t.equal(keys.size, all.length, 'keys unique');
  let ordered = true;
  for (let i = 1; i < all.length; i++) {
    const a = all[i - 1]!;
    const b = all[i]!;
    const c = rk ? cmp(a[rk], b[rk]) || cmp(a[table.key], b[table.key]) : cmp(a[table.key], b[table.key]);
    if (c >= 0) ordered = false;
  }
  t.ok(ordered, rk ? 'ascending (replicationKey, key)' : 'ascending key');
  if (rk) t.ok(all.every((r) => (r[rk] as number) <= asOf), 'nothing after asOf');
  if (rk && table.createdKey) t.ok(all.every((r) => (r[table.createdKey!] as number) <= (r[rk] as number)), 'created <= replication key');

  const names = table.fields.filter((f) => f.type !== 'address' && f.type !== 'location').map((f) => f.name).sort();
  t.same(Object.keys(all[0]!).sort(), names, 'row holds exactly the stored fields (compounds are composed by the server)');

  t.equal(table.count({ asOf }), live.length, 'count = scan length');
  t.equal(table.count({ asOf, includeDeleted: true }), all.length, 'count with deleted = scan length');

  const byKey = [...table.scan({ asOf, includeDeleted: true, order: 'key' })];
  t.equal(byKey.length, all.length, 'key order yields the same rows');
  t.ok(byKey.every((r, i) => i === 0 || cmp(byKey[i - 1]![table.key], r[table.key]) < 0), 'key order ascending');
  if (byKey.length > 4) {
    const cut = Math.floor(byKey.length / 2);
    const after = [...table.scan({ asOf, includeDeleted: true, order: 'key', afterKey: byKey[cut]![table.key] as string })];
    t.same(after.map((r) => r[table.key]), byKey.slice(cut + 1).map((r) => r[table.key]), 'afterKey resumes right after the key');
  }

  const step = Math.max(1, Math.floor(all.length / 25));
  let same = true;
  for (let i = 0; i < all.length; i += step) {
    const r = all[i]!;
    const got = table.get(r[table.key] as string, { asOf, includeDeleted: true });
    if (JSON.stringify(got) !== JSON.stringify(r) || got?.[DELETED] !== r[DELETED]) same = false;
    if (r[DELETED] && table.get(r[table.key] as string, { asOf }) !== undefined) same = false;
  }
  t.ok(same, 'get(key) returns the scanned row (deleted rows only with includeDeleted)');
  t.equal(table.get(typeof all[0]![table.key] === 'number' ? 987654321987 : 'not-an-id', { asOf }), undefined, 'unknown key: undefined');

  if (rk && all.length > 6) {
    const from = all[Math.floor(all.length / 3)]![rk] as number;
    const to = all[Math.floor((2 * all.length) / 3)]![rk] as number;
    const win = [...table.scan({ asOf, includeDeleted: true, from, to })];
    t.same(win.map((r) => r[table.key]), all.filter((r) => (r[rk] as number) >= from && (r[rk] as number) < to).map((r) => r[table.key]), '[from, to) window');
    const earlier = [...table.scan({ asOf: from, includeDeleted: true })];
    t.ok(earlier.every((r) => (r[rk] as number) <= from), 'an earlier asOf sees nothing later');
    t.ok(earlier.length <= all.length, 'an earlier asOf sees no more rows');
  }
}

for (const sys of SYSTEMS)
  for (const table of company.tables(sys))
    t.test(`${sys}.${table.name}`, async (t) => {
      check(t, sys, table);
    });

t.test('deletes happen on each system', async (t) => {
  const deleted = (sys: SystemName, name: string): ScannedRow[] => [...company.table(sys, name)!.scan({ asOf, includeDeleted: true })].filter((r) => r[DELETED]);
  for (const name of ['Lead', 'Task', 'CampaignMember', 'Contact']) t.ok(deleted('salesforce', name).length > 0, `Salesforce ${name}`);
  t.ok(deleted('zuora', 'Contact').length > 0, 'Zuora Contact');
  t.ok(deleted('marketo', 'leads').length > 0, 'Marketo leads');
  t.equal(deleted('zuora', 'Subscription').length, 0, 'subscription versions are never deleted');
  const lead = deleted('salesforce', 'Lead')[0]!;
  t.equal(lead.SystemModstamp, lead.LastModifiedDate, 'the deletion is the last modification');
});
