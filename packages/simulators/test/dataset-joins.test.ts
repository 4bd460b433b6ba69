/** Cross-system coherence: the joins a metrics package relies on, checked on scanned rows only. */
import t from 'tap';
import { createCompany } from '../src/dataset/index.js';
import type { ScannedRow } from '../src/dataset/index.js';

const c = createCompany({ seed: 2, scale: 0.5 });
const asOf = c.initialAsOf;
const scan = (sys: 'salesforce' | 'zuora' | 'marketo', name: string): ScannedRow[] => [...c.table(sys, name)!.scan({ asOf })];
const byId = (rs: ScannedRow[], key = 'Id'): Map<unknown, ScannedRow> => new Map(rs.map((r) => [r[key], r]));

const sfAccounts = byId(scan('salesforce', 'Account'));
const sfContacts = byId(scan('salesforce', 'Contact'));
const sfLeads = byId(scan('salesforce', 'Lead'));
const campaigns = byId(scan('salesforce', 'Campaign'));
const opps = scan('salesforce', 'Opportunity');
const programs = scan('marketo', 'programs');
const mLeads = scan('marketo', 'leads');
const zAccounts = scan('zuora', 'Account');

t.test('every Zuora Account.CrmId is a Salesforce Account with a closed-won opportunity', async (t) => {
  const won = new Set(opps.filter((o) => o.IsWon).map((o) => o.AccountId));
  t.ok(zAccounts.length > 20);
  t.equal(zAccounts.filter((z) => !sfAccounts.has(z.CrmId) || !won.has(z.CrmId)).length, 0);
  const crm = new Set(zAccounts.map((z) => z.CrmId));
  const closedWonEarly = opps.filter((o) => o.IsWon && o.Type === 'New Business' && (o.LastModifiedDate as number) < asOf - 86_400_000);
  t.equal(closedWonEarly.filter((o) => !crm.has(o.AccountId)).length, 0, 'and every new-business win became a Zuora customer');
  t.equal(sfAccounts.get(zAccounts[0]!.CrmId)!.Name, zAccounts[0]!.Name, 'same company name');
});

t.test('Marketo programs are synced to Salesforce campaigns with consistent cost', async (t) => {
  t.ok(programs.length > 30);
  t.equal(programs.filter((p) => !campaigns.has(p.sfdcId)).length, 0, 'every program sfdcId is a Campaign Id');
  let bad = 0;
  for (const p of programs) {
    const cost = ((p.costs as { cost: number }[] | null) ?? []).reduce((s, x) => s + x.cost, 0);
    const camp = campaigns.get(p.sfdcId)!;
    if (camp.ActualCost !== cost || camp.Marketo_Program_Id__c !== p.id) bad++;
  }
  t.equal(bad, 0, 'Campaign.ActualCost = sum of the program costs entered by asOf');
});

t.test('Marketo leads point at the same people in Salesforce', async (t) => {
  const withContact = mLeads.filter((l) => l.sfdcContactId);
  const withLead = mLeads.filter((l) => l.sfdcLeadId);
  t.ok(withContact.length > 50 && withLead.length > 500);
  t.equal(withContact.filter((l) => sfContacts.get(l.sfdcContactId)?.Email !== l.email).length, 0, 'sfdcContactId → Contact with the same email');
  t.equal(withContact.filter((l) => sfContacts.get(l.sfdcContactId)?.AccountId !== l.sfdcAccountId).length, 0, 'sfdcAccountId is the contact\'s account');
  t.equal(withLead.filter((l) => sfLeads.get(l.sfdcLeadId)?.Email !== l.email).length, 0, 'sfdcLeadId → Lead with the same email');
  const converted = withContact.map((l) => sfLeads.get(l.sfdcLeadId)!);
  t.ok(converted.every((ld) => ld.IsConverted && ld.ConvertedContactId && sfContacts.has(ld.ConvertedContactId) && sfAccounts.has(ld.ConvertedAccountId)), 'converted Lead → ConvertedContactId / ConvertedAccountId');
  const progById = new Map(programs.map((p) => [p.id, p]));
  t.equal(mLeads.filter((l) => !progById.has(l.acquisitionProgramId)).length, 0, 'acquisition program exists');
  t.equal(withLead.filter((l) => sfLeads.get(l.sfdcLeadId)!.mkto71_Acquisition_Program_Id__c !== l.acquisitionProgramId).length, 0, 'Salesforce Lead carries the same acquisition program');
});

t.test('opportunities: primary campaign = first touch, IACV__c = first-year MRR × 12 in Zuora', async (t) => {
  const leadByAccount = new Map(mLeads.filter((l) => l.sfdcAccountId).map((l) => [l.sfdcAccountId, l]));
  const progById = new Map(programs.map((p) => [p.id, p]));
  const nb = opps.filter((o) => o.Type === 'New Business');
  t.equal(nb.filter((o) => progById.get(leadByAccount.get(o.AccountId)?.acquisitionProgramId)?.sfdcId !== o.CampaignId).length, 0);
  const zAccById = byId(zAccounts);
  const rp = byId(scan('zuora', 'RatePlan'));
  const mrr = new Map<unknown, number>();
  for (const ch of scan('zuora', 'RatePlanCharge')) {
    const sub = rp.get(ch.RatePlanId)!.SubscriptionId;
    mrr.set(sub, (mrr.get(sub) ?? 0) + (ch.MRR as number));
  }
  const iacv = new Map(nb.filter((o) => o.IsWon).map((o) => [o.AccountId, o.IACV__c as number]));
  const v1 = scan('zuora', 'Subscription').filter((s) => s.Version === 1);
  t.ok(v1.length > 20);
  t.equal(v1.filter((s) => Math.abs((mrr.get(s.Id) ?? 0) * 12 - iacv.get(zAccById.get(s.AccountId)!.CrmId)!) > 0.005).length, 0);
});

t.test('subscription versions: amendments add a version with the same OriginalId; earlier ones expire', async (t) => {
  const subs = scan('zuora', 'Subscription');
  const byOriginal = new Map<unknown, ScannedRow[]>();
  for (const s of subs) byOriginal.set(s.OriginalId, [...(byOriginal.get(s.OriginalId) ?? []), s]);
  let multi = 0;
  let bad = 0;
  for (const versions of byOriginal.values()) {
    versions.sort((a, b) => (a.Version as number) - (b.Version as number));
    if (versions.length > 1) multi++;
    versions.forEach((v, i) => {
      if (v.Version !== i + 1) bad++;
      if (i < versions.length - 1 && v.Status !== 'Expired') bad++;
      if (i > 0 && v.PreviousSubscriptionId !== versions[i - 1]!.Id) bad++;
      if (v.Name !== versions[0]!.Name) bad++;
    });
  }
  t.ok(multi > 10, `${multi} subscriptions have several versions`);
  t.equal(bad, 0);
  const cancelled = subs.filter((s) => s.Status === 'Cancelled');
  t.ok(cancelled.length > 0 && cancelled.every((s) => typeof s.CancelledDate === 'string'), 'churned subscriptions are Cancelled with a CancelledDate');
  const amendments = scan('zuora', 'Amendment');
  const subIds = new Set(subs.map((s) => s.Id));
  t.ok(amendments.length > 10 && amendments.every((a) => subIds.has(a.SubscriptionId)));
});

t.test('billing: invoice items, payments and refunds reference their invoices and accounts', async (t) => {
  const invoices = byId(scan('zuora', 'Invoice'));
  const zAcc = byId(zAccounts);
  const items = scan('zuora', 'InvoiceItem');
  t.equal(items.filter((i) => !invoices.has(i.InvoiceId)).length, 0);
  const sum = new Map<unknown, number>();
  for (const i of items) sum.set(i.InvoiceId, (sum.get(i.InvoiceId) ?? 0) + (i.ChargeAmount as number));
  t.equal([...invoices.values()].filter((inv) => Math.abs((sum.get(inv.Id) ?? 0) - (inv.Amount as number)) > 0.01).length, 0, 'items add up to the invoice amount');
  const payments = scan('zuora', 'Payment');
  t.ok(payments.length > 50);
  t.equal(payments.filter((p) => !invoices.has(p.InvoiceId) || !zAcc.has(p.AccountId)).length, 0);
  const pays = byId(payments);
  t.equal(scan('zuora', 'CreditBalanceAdjustment').filter((x) => !pays.has(x.SourceTransactionId)).length, 0);
  t.equal(scan('zuora', 'RefundInvoicePayment').filter((x) => !pays.has(x.PaymentId)).length, 0);
});

t.test('Salesforce children reference existing parents', async (t) => {
  const oppIds = byId(opps);
  t.equal(scan('salesforce', 'OpportunityContactRole').filter((r) => !oppIds.has(r.OpportunityId) || !sfContacts.has(r.ContactId)).length, 0);
  t.equal(scan('salesforce', 'OpportunityFieldHistory').filter((r) => !oppIds.has(r.OpportunityId)).length, 0);
  const members = scan('salesforce', 'CampaignMember');
  t.equal(members.filter((m) => !campaigns.has(m.CampaignId)).length, 0);
  t.ok(members.some((m) => m.HasResponded && typeof m.FirstRespondedDate === 'string'));
  const pm = scan('marketo', 'program_members');
  const progIds = new Set(programs.map((p) => p.id));
  const leadIds = new Set(mLeads.map((l) => l.id));
  t.equal(pm.filter((m) => !progIds.has(m.programId)).length, 0);
  t.ok(pm.filter((m) => !leadIds.has(m.leadId)).length < pm.length * 0.05, 'members of deleted leads only');
  t.equal(pm.filter((m) => m.acquiredBy).length, mLeads.length + pm.filter((m) => m.acquiredBy && !leadIds.has(m.leadId)).length, 'one acquiring membership per lead');
});
