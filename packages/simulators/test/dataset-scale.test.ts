/**
 * Size at the default scale: the tables the taps' paging logic depends on are
 * big enough, one Salesforce table has more than 2,000 rows sharing one
 * SystemModstamp. Tables are lazy: a first page of a company of millions of
 * rows comes without generating the rest (start-up time is measured in
 * bench/simulators.mjs, not asserted here).
 */
import t from 'tap';
import { createCompany } from '../src/dataset/index.js';

const company = createCompany({ scale: 1 });
const asOf = company.initialAsOf;

t.test('the first page of a table comes without generating the rest of it', async (t) => {
  let n = 0;
  for (const _ of company.table('salesforce', 'Account')!.scan({ asOf })) if (++n >= 2000) break;
  t.ok(n > 500, `${n} accounts`);
  // Scale 1000 holds millions of rows; an eager table would not get here within the test's timeout.
  const huge = createCompany({ scale: 1000 });
  let first = 0;
  for (const _ of huge.table('salesforce', 'Account')!.scan({ asOf: huge.initialAsOf })) if (++first >= 2000) break;
  t.equal(first, 2000, 'a first page of 2,000 accounts at scale 1000');
});

t.test('CampaignMember and Task have more than 10,000 rows; every table is non-empty', async (t) => {
  const cm = company.table('salesforce', 'CampaignMember')!.count({ asOf });
  const task = company.table('salesforce', 'Task')!.count({ asOf });
  t.ok(cm > 10_000, `CampaignMember ${cm}`);
  t.ok(task > 10_000, `Task ${task}`);
  const activities = company.table('marketo', 'activities')!.count({ asOf });
  t.ok(activities > 20_000, `activities ${activities}`);
  for (const sys of ['salesforce', 'zuora', 'marketo'] as const)
    for (const table of company.tables(sys)) {
      let any = false;
      for (const _ of table.scan({ asOf })) {
        any = true;
        break;
      }
      t.ok(any, `${sys}.${table.name} non-empty`);
    }
});

t.test('a mass update: more than 2,000 Salesforce rows share one SystemModstamp', async (t) => {
  const counts = new Map<number, number>();
  for (const r of company.table('salesforce', 'Lead')!.scan({ asOf })) counts.set(r.SystemModstamp as number, (counts.get(r.SystemModstamp as number) ?? 0) + 1);
  const [stamp, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  t.ok(n > 2000, `${n} leads share ${new Date(stamp).toISOString()}`);
  t.equal(new Date(stamp).toISOString().slice(11), '02:00:00.000Z', 'the nightly job runs at 02:00:00.000');
  // Resuming inside the tie with `after` (what a pager does) continues exactly where it stopped.
  const table = company.table('salesforce', 'Lead')!;
  const tie = [...table.scan({ asOf, from: stamp, to: stamp + 1 })];
  const cut = tie[1500]!;
  const rest = [...table.scan({ asOf, from: stamp, to: stamp + 1, after: { replicationKey: stamp, key: cut.Id as string } })];
  t.same(rest.map((r) => r.Id), tie.slice(1501).map((r) => r.Id));
  t.ok(tie.every((r, i) => i === 0 || (tie[i - 1]!.Id as string) < (r.Id as string)), 'tied rows come in key order');
});

t.test('realistic field shapes', async (t) => {
  const acc = company.table('salesforce', 'Account')!;
  const f = (name: string) => acc.fields.find((x) => x.name === name)!;
  t.equal(f('BillingAddress').type, 'address');
  t.equal(f('BillingCity').compoundFieldName, 'BillingAddress');
  t.equal(f('HQ_Location__Latitude__s').compoundFieldName, 'HQ_Location__c');
  t.equal(f('HQ_Location__c').type, 'location');
  t.ok(f('Billing_Region__c').calculated && f('Billing_Region__c').calculatedFormula);
  t.ok(f('Customer_Tier__c').custom && f('Customer_Tier__c').type === 'picklist');
  t.equal(company.table('salesforce', 'Lead')!.fields.find((x) => x.name === 'Preferred_Call_Time__c')!.type, 'time');
  t.equal(company.table('salesforce', 'Document')!.fields.find((x) => x.name === 'Body')!.type, 'base64');
  t.equal(company.table('salesforce', 'OpportunityFieldHistory')!.fields.find((x) => x.name === 'NewValue')!.type, 'anyType');
  t.ok(company.table('salesforce', 'Opportunity')!.fields.some((x) => x.name === 'IACV__c' && x.type === 'currency'));
  const rows = [...acc.scan({ asOf })];
  t.ok(rows.some((r) => /\n/.test(String(r.Description)) && /"/.test(String(r.Description)) && /,/.test(String(r.Description))), 'textarea with newlines, quotes, commas');
  t.ok(rows.some((r) => /[éü日本]/.test(String(r.Name) + String(r.Description))), 'non-ASCII text');
  const nul = ['Lead', 'Account', 'Contact', 'Partner_Referral__c'].some((n) => [...company.table('salesforce', n)!.scan({ asOf })].some((r) => Object.values(r).some((v) => typeof v === 'string' && v.includes('\u0000'))));
  t.ok(nul, 'a NUL byte somewhere in a description');
  const time = [...company.table('salesforce', 'Lead')!.scan({ asOf, to: company.start + 30 * 86_400_000 })][0]!.Preferred_Call_Time__c;
  t.match(time, /^\d\d:\d\d:\d\d\.\d{3}Z$/);
  const leads = company.table('marketo', 'leads')!;
  t.ok(leads.fields.some((x) => x.restName === null), 'a SOAP-only Marketo field');
  t.same([...new Set(leads.fields.map((x) => x.type))].sort(), ['boolean', 'currency', 'date', 'datetime', 'email', 'float', 'integer', 'percent', 'phone', 'reference', 'score', 'string', 'text', 'textarea', 'url'].sort());
  t.ok([...leads.scan({ asOf, to: company.start + 60 * 86_400_000 })].some((r) => typeof r.engagementRate === 'number' && !Number.isInteger(r.engagementRate)), 'percent with decimals');
  const zsub = company.table('zuora', 'Subscription')!;
  t.same(zsub.fields.find((x) => x.name === 'AccountId')!.referenceTo, ['Account']);
  t.ok(zsub.fields.some((x) => x.contexts && !x.contexts.includes('export')), 'a Zuora field without the export context');
  t.ok(zsub.fields.every((x) => ['text', 'boolean', 'date', 'datetime', 'decimal', 'integer', 'picklist'].includes(x.type)));
  const types = company.table('marketo', 'activity_types')!;
  const open = types.get(10, { asOf })!;
  t.equal(open.name, 'Open Email');
  t.ok((open.attributes as { name: string }[]).some((a) => a.name.includes(' ')));
  t.same([1, 2, 6, 7, 10, 11, 12, 13, 37, 46, 104].filter((id) => !types.get(id, { asOf })), []);
});
