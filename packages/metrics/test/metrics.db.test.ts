/**
 * The hand-built fixture (helpers/fixture.ts) loaded through the real target-postgres, built,
 * and every metric compared with the numbers worked out by hand below.
 */
import t, { type Test } from 'tap';
import type pg from 'pg';
import { connect, freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { buildMetrics } from '../src/build.js';
import type { MetricsConfig } from '../src/config.js';
import { fixture } from './helpers/fixture.js';
import { loadThroughTarget } from './helpers/load-raw.js';

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;

// retention: exposure 121 (S1) + 81 (S2) + 60 (S3) + 364 (S9, ended) days, one ended subscription
const RETENTION_YEARS = round(626 / 365, 6);
const GROSS_MARGIN = 0.8;
const ltvOf = (iacv: number, customers: number): number | null => (customers === 0 ? null : round((iacv / customers) * GROSS_MARGIN * RETENTION_YEARS, 2));

async function setup(t: Test, overrides: Partial<MetricsConfig> = {}, load = true): Promise<{ config: MetricsConfig; db: pg.Client }> {
  const [salesforce, zuora, marketo, target] = [await freshSchema(t), await freshSchema(t), await freshSchema(t), await freshSchema(t)];
  if (load) {
    await loadThroughTarget(salesforce, fixture.salesforce);
    await loadThroughTarget(zuora, fixture.zuora);
    await loadThroughTarget(marketo, fixture.marketo);
  }
  const config: MetricsConfig = {
    connection_string: (await getTestPostgres()).connectionString,
    ssl_mode: 'disable',
    source_schemas: { salesforce, zuora, marketo },
    target_schema: target,
    as_of: '2026-06-30',
    fiscal_year_start_month: 2,
    ...overrides,
  };
  await buildMetrics(config);
  return { config, db: await connect(t) };
}

async function campaignRows(db: pg.Client, config: MetricsConfig, view: string, periodType: string, period: string, model: string, key = 'campaign_id'): Promise<Map<string, Row>> {
  const { rows } = await db.query<Row>(`select * from "${config.target_schema}".${view} where period_type = $1 and period = $2 and model = $3`, [periodType, period, model]);
  return new Map(rows.map((r) => [String(r[key]), r]));
}

interface Expected {
  spend: number;
  leads: number;
  customers: number;
  iacv: number;
  cost_per_lead?: number | null;
  median_conversion_days?: number | null;
  iacv_at_median?: number;
  cac?: number | null;
  roi?: number | null;
}

function assertCampaign(t: Test, label: string, row: Row | undefined, e: Expected): void {
  if (!row) {
    t.fail(`${label}: no row`);
    return;
  }
  t.equal(num(row.spend), e.spend, `${label}: spend`);
  t.equal(num(row.leads), round(e.leads, 6), `${label}: leads`);
  t.equal(num(row.customers), round(e.customers, 6), `${label}: customers`);
  t.ok(Math.abs(num(row.iacv)! - e.iacv) <= 0.01, `${label}: iacv ${row.iacv} = ${e.iacv}`);
  const cpl = e.cost_per_lead !== undefined ? e.cost_per_lead : e.leads === 0 ? null : round(e.spend / e.leads, 2);
  t.equal(num(row.cost_per_lead), cpl, `${label}: cost per lead`);
  if (e.median_conversion_days !== undefined) t.equal(num(row.median_conversion_days), e.median_conversion_days, `${label}: median conversion days`);
  if (e.iacv_at_median !== undefined) {
    t.ok(Math.abs(num(row.iacv_at_median)! - e.iacv_at_median) <= 0.01, `${label}: IACV at median ${row.iacv_at_median} = ${e.iacv_at_median}`);
    t.ok(Math.abs(num(row.estimated_iacv)! - 2 * e.iacv_at_median) <= 0.02, `${label}: estimated IACV = 2 × IACV at median`);
  }
  const cac = e.cac !== undefined ? e.cac : e.customers === 0 ? null : round(e.spend / e.customers, 2);
  t.equal(num(row.cac), cac, `${label}: CAC`);
  const ltv = ltvOf(e.iacv, e.customers);
  t.ok(ltv === null ? row.ltv === null : Math.abs(num(row.ltv)! - ltv) <= 0.01, `${label}: LTV ${row.ltv} = ${ltv}`);
  if (e.roi !== undefined) t.equal(num(row.roi), e.roi, `${label}: ROI`);
  else if (ltv !== null && cac) t.ok(Math.abs(num(row.roi)! - ltv / cac) < 0.001, `${label}: ROI = LTV / CAC`);
  else t.equal(row.roi, null, `${label}: no ROI without LTV and CAC`);
}

// Time decay (half-life 7 days), worked out from the ages of the touches:
const decay = (days: number): number => 0.5 ** (days / 7);
// P1's lead path ends at O1's creation (2026-02-15): C1 41 days before, C2 5 days before
const p1C1 = decay(41) / (decay(41) + decay(5));
// O1 closes 2026-03-01: C1 55 days after its touch, C2 19, C3 9; O2 closes 2026-04-10: C1 80, C3 8
const o1 = [decay(55), decay(19), decay(9)].map((w, _, all) => w / all.reduce((a, b) => a + b, 0));
const o2 = [decay(80), decay(8)].map((w, _, all) => w / all.reduce((a, b) => a + b, 0));

t.test('the common data model joins the three systems', async (t) => {
  const { config, db } = await setup(t);
  const s = `"${config.target_schema}"`;
  const people = (await db.query<Row>(`select * from ${s}.person order by person_id`)).rows;
  t.same(people.map((p) => p.person_id), ['marketo-lead:1003', 'salesforce-contact:CT1', 'salesforce-contact:CT2', 'salesforce-lead:L4', 'salesforce-lead:L6', 'salesforce-lead:L7'], 'one person per human; the deleted Marketo lead is none');
  const bob = people.find((p) => p.person_id === 'salesforce-contact:CT2')!;
  t.match(bob, { marketo_lead_id: '1002', salesforce_lead_id: 'L2', email: 'robert@beta-corp.com', organization_id: 'A2' }, 'Bob under two e-mails is one person, through the synced lead id');
  t.match(people.find((p) => p.person_id === 'salesforce-lead:L4'), { marketo_lead_id: '1006' }, 'a Marketo lead with no synced id joins by e-mail (trimmed, lower-cased)');

  const campaigns = (await db.query<Row>(`select campaign_id, marketo_program_id, channel from ${s}.campaign order by campaign_id`)).rows;
  t.same(campaigns, [
    { campaign_id: 'CMP1', marketo_program_id: '101', channel: 'Webinar' },
    { campaign_id: 'CMP2', marketo_program_id: null, channel: 'Advertisement' },
    { campaign_id: 'CMP3', marketo_program_id: '103', channel: 'Tradeshow' },
  ], 'a Campaign and its program are one campaign; the channel falls back to the Campaign type');

  const costs = (await db.query<Row>(`select campaign_id, cost_date::text, cost::float8, source from ${s}.campaign_cost order by campaign_id, cost_date`)).rows;
  t.same(costs, [
    { campaign_id: 'CMP1', cost_date: '2026-01-01', cost: 1000, source: 'marketo' },
    { campaign_id: 'CMP1', cost_date: '2026-02-01', cost: 500, source: 'marketo' },
    { campaign_id: 'CMP2', cost_date: '2026-01-15', cost: 600, source: 'salesforce' },
  ], 'Marketo period costs, Salesforce ActualCost only where Marketo has none');

  const touches = (await db.query<Row>(`select person_id, campaign_id, touched_at::text as at, touch_type, attributable from ${s}.touchpoint order by touched_at, touchpoint_id`)).rows;
  t.same(touches.filter((x) => x.attributable).map((x) => [x.person_id, x.campaign_id, x.touch_type]), [
    ['salesforce-contact:CT1', 'CMP1', 'campaign_member'],
    ['salesforce-contact:CT2', 'CMP1', 'program_member'],
    ['marketo-lead:1003', 'CMP3', 'program_member'],
    ['salesforce-contact:CT1', 'CMP2', 'campaign_member'],
    ['salesforce-contact:CT1', 'CMP3', 'click_email'],
    ['salesforce-contact:CT2', 'CMP3', 'campaign_member'],
    ['salesforce-lead:L4', 'CMP2', 'campaign_member'],
  ], 'attributable touches: one membership per person and campaign, interest activities, no deleted members');
  t.ok(touches.some((x) => x.touch_type === 'visit_webpage' && !x.attributable), 'a web page visit is a touch without a campaign');
  t.equal(touches.filter((x) => x.person_id === null).length, 2, 'the member of an unknown lead and of the deleted lead are orphans');

  const subs = (await db.query<Row>(`select subscription_id, organization_id, versions::int, mrr::float8, arr::float8, first_mrr::float8, ended_on::text from ${s}.subscription order by subscription_id`)).rows;
  t.same(subs, [
    { subscription_id: 'S1', organization_id: 'A1', versions: 2, mrr: 1200, arr: 14400, first_mrr: 1000, ended_on: null },
    { subscription_id: 'S2', organization_id: 'A2', versions: 1, mrr: 2000, arr: 24000, first_mrr: 2000, ended_on: null },
    { subscription_id: 'S3', organization_id: 'A3', versions: 1, mrr: 500, arr: 6000, first_mrr: 500, ended_on: null },
    { subscription_id: 'S9', organization_id: 'zuora-account:ZA9', versions: 1, mrr: 300, arr: 3600, first_mrr: 300, ended_on: '2025-12-31' },
  ], 'versions collapse into one subscription; accounts join by CrmId');
  const retention = (await db.query<Row>(`select ended_subscriptions::int, observed_lifetime_years::float8, retention_years::float8 from ${s}.retention`)).rows[0];
  t.same(retention, { ended_subscriptions: 1, observed_lifetime_years: round(364 / 365, 6), retention_years: RETENTION_YEARS }, 'retention = subscription-years of exposure / ended subscriptions');

  const opps = (await db.query<Row>(`select opportunity_id, iacv::float8, is_new_customer from ${s}.opportunity where is_won order by 1`)).rows;
  t.same(opps, [
    { opportunity_id: 'O1', iacv: 12000, is_new_customer: true },
    { opportunity_id: 'O1R', iacv: 0, is_new_customer: false },
    { opportunity_id: 'O2', iacv: 24000, is_new_customer: true },
    { opportunity_id: 'O3', iacv: 6000, is_new_customer: true },
  ], 'a renewal is not a new customer');
});

t.test('metrics per campaign, model and period equal the hand computation', async (t) => {
  const { config, db } = await setup(t);
  const s = `"${config.target_schema}"`;

  const sums = (await db.query<Row>(`select a.opportunity_id, a.model, sum(a.credit)::text as credit, sum(a.iacv_credit) = min(o.iacv) as exact_iacv, count(*)::int as touches
      from ${s}.attribution_touch a join ${s}.opportunity o using (opportunity_id) group by 1, 2 order by 1, 2`)).rows;
  t.equal(sums.length, 3 * 6, 'three won opportunities with touches, six models each (the untouched one has none)');
  t.ok(sums.every((r) => r.credit === '1.0000000000' && r.exact_iacv === true), 'credit sums to exactly 1 and IACV credit to exactly the IACV, per opportunity and model');
  const linearO1 = (await db.query<Row>(`select credit::text, iacv_credit::text from ${s}.attribution_touch where opportunity_id = 'O1' and model = 'linear' order by position`)).rows;
  t.same(linearO1, [{ credit: '0.3333333334', iacv_credit: '4000.00' }, { credit: '0.3333333333', iacv_credit: '4000.00' }, { credit: '0.3333333333', iacv_credit: '4000.00' }], 'the rounding remainder goes to one touch');
  const w = (await db.query<Row>(`select campaign_id, credit::float8 from ${s}.attribution where opportunity_id = 'O1' and model = 'w_shaped' order by campaign_id`)).rows;
  t.same(w, [{ campaign_id: 'CMP1', credit: 0.6 }, { campaign_id: 'CMP2', credit: 0.3 }, { campaign_id: 'CMP3', credit: 0.1 }], 'W-shaped: first = lead creation touch (60 %), opportunity creation (30 %), the rest (10 %)');

  const all = async (model: string) => campaignRows(db, config, 'campaign_metrics', 'all', 'all', model);
  const noSpendC3 = { spend: 0, leads: 1, cost_per_lead: 0 };

  let rows = await all('first_touch');
  assertCampaign(t, 'first touch CMP1', rows.get('CMP1'), { spend: 1500, leads: 2, customers: 2, iacv: 36000, median_conversion_days: 67.5, iacv_at_median: 12000, roi: round(round(18000 * 0.8 * RETENTION_YEARS, 6) / 750, 4) });
  assertCampaign(t, 'first touch CMP2', rows.get('CMP2'), { spend: 600, leads: 1, customers: 0, iacv: 0, median_conversion_days: null, iacv_at_median: 0 });
  assertCampaign(t, 'first touch CMP3 (no spend)', rows.get('CMP3'), { ...noSpendC3, customers: 0, iacv: 0 });
  t.equal(rows.size, 3, 'only the three campaigns');

  rows = await all('last_touch');
  assertCampaign(t, 'last touch CMP1', rows.get('CMP1'), { spend: 1500, leads: 1, customers: 0, iacv: 0 });
  assertCampaign(t, 'last touch CMP2', rows.get('CMP2'), { spend: 600, leads: 2, customers: 0, iacv: 0 });
  assertCampaign(t, 'last touch CMP3', rows.get('CMP3'), { ...noSpendC3, customers: 2, iacv: 36000, median_conversion_days: 8.5, iacv_at_median: 24000, cac: 0, roi: null });

  rows = await all('linear');
  assertCampaign(t, 'linear CMP1', rows.get('CMP1'), { spend: 1500, leads: 1.5, customers: 0.3333333334 + 0.5, iacv: 16000, median_conversion_days: 67.5, iacv_at_median: 4000, cac: 1800 });
  assertCampaign(t, 'linear CMP2', rows.get('CMP2'), { spend: 600, leads: 1.5, customers: 0.3333333333, iacv: 4000, median_conversion_days: 19, iacv_at_median: 4000, cac: 1800 });
  assertCampaign(t, 'linear CMP3', rows.get('CMP3'), { ...noSpendC3, customers: 0.3333333333 + 0.5, iacv: 16000, median_conversion_days: 8.5, iacv_at_median: 12000, cac: 0, roi: null });

  rows = await all('u_shaped');
  assertCampaign(t, 'U-shaped CMP1', rows.get('CMP1'), { spend: 1500, leads: 1.5, customers: 0.9, iacv: 16800 });
  assertCampaign(t, 'U-shaped CMP2', rows.get('CMP2'), { spend: 600, leads: 1.5, customers: 0.2, iacv: 2400 });
  assertCampaign(t, 'U-shaped CMP3', rows.get('CMP3'), { ...noSpendC3, customers: 0.9, iacv: 16800, cac: 0, roi: null });

  rows = await all('w_shaped');
  assertCampaign(t, 'W-shaped CMP1', rows.get('CMP1'), { spend: 1500, leads: 1 + 2 / 3, customers: 1.5, iacv: 28800 });
  assertCampaign(t, 'W-shaped CMP2', rows.get('CMP2'), { spend: 600, leads: 1 + 1 / 3, customers: 0.3, iacv: 3600 });
  assertCampaign(t, 'W-shaped CMP3', rows.get('CMP3'), { ...noSpendC3, customers: 0.2, iacv: 3600, cac: 0, roi: null });

  rows = await all('time_decay');
  const td = (row: Row | undefined, leads: number, customers: number, iacv: number, label: string) => {
    t.ok(Math.abs(num(row?.leads)! - leads) < 2e-6, `time decay ${label}: leads ${row?.leads} ≈ ${leads}`);
    t.ok(Math.abs(num(row?.customers)! - customers) < 2e-6, `time decay ${label}: customers ${row?.customers} ≈ ${customers}`);
    t.ok(Math.abs(num(row?.iacv)! - iacv) <= 0.02, `time decay ${label}: iacv ${row?.iacv} ≈ ${iacv}`);
  };
  td(rows.get('CMP1'), 1 + p1C1, o1[0]! + o2[0]!, 12000 * o1[0]! + 24000 * o2[0]!, 'CMP1');
  td(rows.get('CMP2'), 1 + (1 - p1C1), o1[1]!, 12000 * o1[1]!, 'CMP2');
  td(rows.get('CMP3'), 1, o1[2]! + o2[1]!, 12000 * o1[2]! + 24000 * o2[1]!, 'CMP3');

  // Periods, dated by the touch (and the cost)
  rows = await campaignRows(db, config, 'campaign_metrics', 'quarter', '2026-Q1', 'first_touch');
  assertCampaign(t, 'Q1 first touch CMP1', rows.get('CMP1'), { spend: 1500, leads: 2, customers: 2, iacv: 36000 });
  assertCampaign(t, 'Q1 first touch CMP2 (spend, no lead yet)', rows.get('CMP2'), { spend: 600, leads: 0, customers: 0, iacv: 0 });
  assertCampaign(t, 'Q1 first touch CMP3', rows.get('CMP3'), { ...noSpendC3, customers: 0, iacv: 0 });
  rows = await campaignRows(db, config, 'campaign_metrics', 'quarter', '2026-Q2', 'first_touch');
  t.same([...rows.keys()], ['CMP2'], 'Q2 first touch: only Dan\'s lead');
  assertCampaign(t, 'Q2 first touch CMP2', rows.get('CMP2'), { spend: 0, leads: 1, customers: 0, iacv: 0 });
  rows = await campaignRows(db, config, 'campaign_metrics', 'quarter', '2026-Q2', 'last_touch');
  assertCampaign(t, 'Q2 last touch CMP3', rows.get('CMP3'), { spend: 0, leads: 0, customers: 1, iacv: 24000, cac: 0, roi: null });
  rows = await campaignRows(db, config, 'campaign_metrics', 'fiscal_year', 'FY2026', 'first_touch');
  assertCampaign(t, 'FY2026 (Feb 2025 – Jan 2026) CMP1', rows.get('CMP1'), { spend: 1000, leads: 2, customers: 2, iacv: 36000 });
  assertCampaign(t, 'FY2026 CMP2', rows.get('CMP2'), { spend: 600, leads: 0, customers: 0, iacv: 0 });
  rows = await campaignRows(db, config, 'campaign_metrics', 'fiscal_year', 'FY2027', 'first_touch');
  assertCampaign(t, 'FY2027 CMP1', rows.get('CMP1'), { spend: 500, leads: 0, customers: 0, iacv: 0 });
  assertCampaign(t, 'FY2027 CMP3', rows.get('CMP3'), { ...noSpendC3, customers: 0, iacv: 0 });
  rows = await campaignRows(db, config, 'campaign_metrics', 'month', '2026-02', 'first_touch');
  t.same([...rows.keys()].sort(), ['CMP1', 'CMP3'], 'February: C1\'s second cost and Carol');

  const channels = await campaignRows(db, config, 'channel_metrics', 'all', 'all', 'first_touch', 'channel');
  assertCampaign(t, 'channel Webinar', channels.get('Webinar'), { spend: 1500, leads: 2, customers: 2, iacv: 36000, median_conversion_days: 67.5, iacv_at_median: 12000 });
  assertCampaign(t, 'channel Advertisement', channels.get('Advertisement'), { spend: 600, leads: 1, customers: 0, iacv: 0 });
});

t.test('person, organization, funnel, collateral and checks', async (t) => {
  const { config, db } = await setup(t);
  const s = `"${config.target_schema}"`;
  const persons = new Map((await db.query<Row>(`select * from ${s}.person_metrics where period_type = 'all' and model = 'first_touch'`)).rows.map((r) => [r.person_id, r]));
  t.match(persons.get('salesforce-contact:CT1'), { leads: '1.000000', acquisition_cost: '750.00', customers: '1.000000', iacv: '12000.00' }, 'Alice cost C1\'s cost per lead and brought O1');
  t.match(persons.get('salesforce-lead:L4'), { leads: '1.000000', acquisition_cost: '600.00', customers: '0.000000' }, 'Dan never converted');
  const orgs = new Map((await db.query<Row>(`select * from ${s}.organization_metrics where period_type = 'all' and model = 'first_touch'`)).rows.map((r) => [r.organization_id, r]));
  const ltvA1 = round(12000 * 0.8 * RETENTION_YEARS, 2);
  t.match(orgs.get('A1'), { acquisition_cost: '750.00', iacv: '12000.00', arr: '14400', ltv: ltvA1.toFixed(2), roi: round((12000 * 0.8 * RETENTION_YEARS) / 750, 4).toFixed(4) }, 'Acme: LTV and ROI');

  const funnel = (await db.query<Row>(`select leads::int, contacts::int, opportunities::int, won::int, new_customers::int, iacv::float8 from ${s}.funnel where period_type = 'all'`)).rows;
  t.same(funnel, [{ leads: 6, contacts: 2, opportunities: 6, won: 4, new_customers: 3, iacv: 42000 }], 'funnel over all time');
  const q2 = (await db.query<Row>(`select leads::int, opportunities::int, won::int, iacv::float8 from ${s}.funnel where period_type = 'quarter' and period = '2026-Q2'`)).rows;
  t.same(q2, [{ leads: 3, opportunities: 4, won: 3, iacv: 30000 }], 'funnel in Q2 2026');

  const collateral = (await db.query<Row>(`select asset_type, asset_id, touches::int, people::int, influenced_opportunities::int, influenced_iacv::float8 from ${s}.collateral_usage order by asset_type`)).rows;
  t.same(collateral, [
    { asset_type: 'email', asset_id: '501', touches: 1, people: 1, influenced_opportunities: 2, influenced_iacv: 12000 },
    { asset_type: 'web_page', asset_id: '900', touches: 1, people: 1, influenced_opportunities: 1, influenced_iacv: 24000 },
  ], 'collateral usage: clicks and visits (not sends), people, influenced IACV');
});

t.test('another IACV field, a source not loaded yet', async (t) => {
  const { config, db } = await setup(t, { iacv_field: 'Missing_Field__c' });
  await db.query(`drop schema "${config.source_schemas!.zuora}" cascade; create schema "${config.source_schemas!.zuora}"`);
  await buildMetrics(config);
  const rows = await campaignRows(db, config, 'campaign_metrics', 'all', 'all', 'first_touch');
  t.equal(num(rows.get('CMP1')?.iacv), 13500 + 24000, 'IACV falls back to Amount when the org has no such field');
  t.equal(rows.get('CMP1')?.ltv, null, 'no LTV without subscriptions');
  t.equal(Number((await db.query(`select count(*) from "${config.target_schema}".subscription`)).rows[0].count), 0, 'empty staging for the missing Zuora tables');
  await buildMetrics(config);
  t.equal(num((await campaignRows(db, config, 'campaign_metrics', 'all', 'all', 'first_touch')).get('CMP1')?.leads), 2, 'building again gives the same numbers');

  const empty = await setup(t, {}, false);
  const count = Number((await empty.db.query(`select count(*) from "${empty.config.target_schema}".campaign_metrics`)).rows[0].count);
  t.equal(count, 0, 'no source at all: an empty but complete build');
});
