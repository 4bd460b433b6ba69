/** Ground truth vs. an independent recomputation from scanned rows (what a metrics package would do in SQL). */
import t from 'tap';
import { createCompany } from '../src/dataset/index.js';
import type { ScannedRow } from '../src/dataset/index.js';

const company = createCompany({ seed: 4, scale: 0.5 });

function recompute(asOf: number, from: number, to: number) {
  const scan = (sys: 'salesforce' | 'marketo', name: string): ScannedRow[] => [...company.table(sys, name)!.scan({ asOf })];
  const out = new Map<number, { spend: number; leads: number; customers: number; iacv: number; campaignId: string }>();
  for (const p of scan('marketo', 'programs')) {
    const spend = ((p.costs as { startDate: string; cost: number }[] | null) ?? []).filter((c) => Date.parse(c.startDate) >= from && Date.parse(c.startDate) < to).reduce((s, c) => s + c.cost, 0);
    out.set(p.id as number, { spend, leads: 0, customers: 0, iacv: 0, campaignId: p.sfdcId as string });
  }
  const won = new Map<unknown, ScannedRow[]>();
  for (const o of scan('salesforce', 'Opportunity')) if (o.IsWon) won.set(o.AccountId, [...(won.get(o.AccountId) ?? []), o]);
  for (const l of scan('marketo', 'leads')) {
    if ((l.createdAt as number) < from || (l.createdAt as number) >= to) continue;
    const c = out.get(l.acquisitionProgramId as number)!;
    c.leads++;
    const opps = won.get(l.sfdcAccountId) ?? [];
    if (!opps.some((o) => o.Type === 'New Business')) continue;
    c.customers++;
    c.iacv += opps.reduce((s, o) => s + (o.IACV__c as number), 0);
  }
  return out;
}

for (const [label, from, to, asOf] of [
  ['2025 at the initial asOf', Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1), company.initialAsOf],
  ['the whole history', company.start, company.initialAsOf, company.initialAsOf],
  ['Q2 2025 seen from Sep 2025', Date.UTC(2025, 3, 1), Date.UTC(2025, 6, 1), Date.UTC(2025, 8, 15)],
] as const) {
  t.test(`groundTruth: ${label}`, async (t) => {
    const truth = company.groundTruth({ asOf, from, to });
    const mine = recompute(asOf, from, to);
    t.equal(truth.attribution, 'first-touch');
    t.equal(truth.campaigns.length, mine.size, 'one entry per program that exists at asOf');
    let mismatches = 0;
    for (const c of truth.campaigns) {
      const m = mine.get(c.programId);
      if (!m || m.spend !== c.spend || m.leads !== c.leads || m.customers !== c.customers || Math.abs(m.iacv - c.iacv) > 0.01 || m.campaignId !== c.campaignId) {
        mismatches++;
        if (mismatches < 4) t.comment(JSON.stringify({ truth: c, scanned: m }));
      }
    }
    t.equal(mismatches, 0, 'every program agrees with the recomputation from rows');
    const tot = truth.totals;
    t.equal(tot.leads, truth.campaigns.reduce((s, c) => s + c.leads, 0));
    t.ok(tot.spend > 0 && tot.leads > 0, `spend ${tot.spend}, leads ${tot.leads}`);
    if (label !== 'Q2 2025 seen from Sep 2025') t.ok(tot.customers > 0 && tot.iacv > 0, `customers ${tot.customers}, iacv ${tot.iacv}`);
  });
}
