/**
 * The company is a pure function of (seed, scale, time): the same seed gives
 * the same rows, another seed other rows, and moving the clock forward makes
 * new and changed rows appear with replication keys in the new interval while
 * everything else stays as it was.
 */
import t from 'tap';
import { DELETED, createCompany } from '../src/dataset/index.js';
import type { Company, ScannedRow, SystemName } from '../src/dataset/index.js';

const DAY = 86_400_000;
const rows = (c: Company, sys: SystemName, name: string, asOf: number, includeDeleted = true): ScannedRow[] => [...c.table(sys, name)!.scan({ asOf, includeDeleted })];
const text = (rs: ScannedRow[]): string => JSON.stringify(rs.map((r) => [r, r[DELETED] ?? false]));

t.test('same seed → same rows; another seed → other rows', async (t) => {
  const a = createCompany({ seed: 11, scale: 0.1 });
  const b = createCompany({ seed: 11, scale: 0.1 });
  const c = createCompany({ seed: 12, scale: 0.1 });
  for (const [sys, name] of [['salesforce', 'Opportunity'], ['salesforce', 'Lead'], ['zuora', 'Subscription'], ['zuora', 'InvoiceItem'], ['marketo', 'leads'], ['marketo', 'activities']] as const) {
    const ra = rows(a, sys, name, a.initialAsOf);
    t.ok(ra.length > 0, `${sys}.${name} non-empty`);
    t.equal(text(ra), text(rows(b, sys, name, b.initialAsOf)), `${sys}.${name}: identical for the same seed`);
    t.not(text(ra), text(rows(c, sys, name, c.initialAsOf)), `${sys}.${name}: different for another seed`);
  }
  // A fresh company answers get() the same as a company that has scanned a lot already.
  const lead = rows(a, 'salesforce', 'Lead', a.initialAsOf)[7]!;
  t.same(createCompany({ seed: 11, scale: 0.1 }).table('salesforce', 'Lead')!.get(lead.Id as string, { asOf: a.initialAsOf, includeDeleted: true }), lead);
});

t.test('scale changes the size, roughly proportionally', async (t) => {
  const small = createCompany({ seed: 1, scale: 0.1 });
  const big = createCompany({ seed: 1, scale: 0.4 });
  const n1 = small.table('marketo', 'leads')!.count({ asOf: small.initialAsOf });
  const n4 = big.table('marketo', 'leads')!.count({ asOf: big.initialAsOf });
  t.ok(n4 > 3 * n1 && n4 < 5 * n1, `leads ${n1} at 0.1, ${n4} at 0.4`);
  t.throws(() => createCompany({ scale: 0 }), RangeError);
});

t.test('advancing the clock one day adds and changes rows only inside that day', async (t) => {
  const c = createCompany({ seed: 5, scale: 0.3 });
  let newTotal = 0;
  let changedTotal = 0;
  for (let step = 0; step < 3; step++) {
    const t0 = c.initialAsOf + step * DAY;
    const t1 = t0 + DAY;
    for (const sys of ['salesforce', 'zuora', 'marketo'] as const)
      for (const table of c.tables(sys)) {
        const rk = table.replicationKey;
        if (!rk) continue;
        const before = new Map(rows(c, sys, table.name, t0).map((r) => [r[table.key], r]));
        const after = rows(c, sys, table.name, t1);
        let bad = 0;
        for (const r of after) {
          const old = before.get(r[table.key]);
          const same = old !== undefined && JSON.stringify(old) === JSON.stringify(r) && old[DELETED] === r[DELETED];
          if (same) continue;
          if (!((r[rk] as number) > t0 && (r[rk] as number) <= t1)) bad++;
          if (old === undefined) newTotal++;
          else changedTotal++;
        }
        t.equal(bad, 0, `${sys}.${table.name} day ${step}: every new or changed row has its replication key in (asOf, asOf + 1 day]`);
        t.ok(after.length >= before.size, `${sys}.${table.name}: with deleted rows included nothing disappears`);
        const incremental = [...table.scan({ asOf: t1, from: t0 + 1, includeDeleted: true })];
        t.equal(incremental.length, after.filter((r) => (r[rk] as number) > t0).length, `${sys}.${table.name}: an incremental scan from the old asOf finds exactly the changes`);
      }
  }
  t.ok(newTotal > 50, `new rows appeared (${newTotal})`);
  t.ok(changedTotal > 10, `existing rows changed (${changedTotal})`);
  const opp = c.table('salesforce', 'Opportunity')!;
  const future = opp.count({ asOf: c.initialAsOf + 60 * DAY, from: c.initialAsOf + 1 });
  t.ok(future > 10, `the future keeps producing opportunity changes (${future} in 60 days)`);
});
