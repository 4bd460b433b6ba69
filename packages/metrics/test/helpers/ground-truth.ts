/**
 * Compares the first-touch campaign metrics of a build with the ground truth the simulators'
 * dataset generator computes without SQL (`company.groundTruth`). Reusable by the end-to-end test
 * that loads the same company through the real taps.
 */
import type { Company, Millis } from '@singer-io-ts/simulators';
import type pg from 'pg';
import { settingsOf, type MetricsConfig } from '../../src/config.js';

export interface CampaignDifference {
  campaignId: string;
  name: string;
  field: 'spend' | 'leads' | 'customers' | 'iacv' | 'missing';
  expected: number;
  actual: number;
}

export interface GroundTruthComparison {
  periodType: string;
  period: string;
  campaigns: number;
  totals: { spend: number; leads: number; customers: number; iacv: number };
  differences: CampaignDifference[];
}

/**
 * The period of `campaign_metrics` that is exactly [from, to): 'all' when the window covers the
 * company's whole history up to asOf, else a month, a calendar quarter or a fiscal year.
 */
export function periodOf(company: Company, config: MetricsConfig, o: { asOf: Millis; from: Millis; to: Millis }): { periodType: string; period: string } {
  if (o.from <= company.start && o.to > o.asOf) return { periodType: 'all', period: 'all' };
  const from = new Date(o.from);
  const to = new Date(o.to);
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth();
  const months = (to.getUTCFullYear() - y) * 12 + to.getUTCMonth() - m;
  const aligned = from.getUTCDate() === 1 && to.getUTCDate() === 1 && o.from % 86_400_000 === 0 && o.to % 86_400_000 === 0;
  const fyStart = settingsOf(config).fiscalYearStartMonth;
  if (aligned && months === 1) return { periodType: 'month', period: `${y}-${String(m + 1).padStart(2, '0')}` };
  if (aligned && months === 3 && m % 3 === 0) return { periodType: 'quarter', period: `${y}-Q${m / 3 + 1}` };
  if (aligned && months === 12 && m + 1 === fyStart) return { periodType: 'fiscal_year', period: `FY${fyStart === 1 ? y : y + 1}` };
  throw new Error(`[${from.toISOString()}, ${to.toISOString()}) is not one month, quarter or fiscal year, nor the whole history`);
}

export async function compareWithGroundTruth(
  db: pg.Client,
  config: MetricsConfig,
  company: Company,
  o: { asOf: Millis; from: Millis; to: Millis },
): Promise<GroundTruthComparison> {
  const truth = company.groundTruth(o);
  const { periodType, period } = periodOf(company, config, o);
  const schema = `"${settingsOf(config).targetSchema}"`;
  const { rows } = await db.query<{ campaign_id: string; spend: string; leads: string; customers: string; iacv: string }>(
    `select campaign_id, spend, leads, customers, iacv from ${schema}.campaign_metrics where model = 'first_touch' and period_type = $1 and period = $2`,
    [periodType, period],
  );
  const actual = new Map(rows.map((r) => [r.campaign_id, { spend: Number(r.spend), leads: Number(r.leads), customers: Number(r.customers), iacv: Number(r.iacv) }]));
  const differences: CampaignDifference[] = [];
  const cents = (x: number): number => Math.round(x * 100);
  for (const c of truth.campaigns) {
    const got = actual.get(c.campaignId) ?? { spend: 0, leads: 0, customers: 0, iacv: 0 };
    actual.delete(c.campaignId);
    for (const field of ['spend', 'leads', 'customers', 'iacv'] as const) {
      if (cents(got[field]) !== cents(c[field])) differences.push({ campaignId: c.campaignId, name: c.name, field, expected: c[field], actual: got[field] });
    }
  }
  // A campaign with numbers that the truth does not know is a difference too.
  for (const [campaignId, got] of actual) {
    if (got.spend || got.leads || got.customers || got.iacv) differences.push({ campaignId, name: '?', field: 'missing', expected: 0, actual: got.leads });
  }
  return { periodType, period, campaigns: truth.campaigns.length, totals: truth.totals, differences };
}
