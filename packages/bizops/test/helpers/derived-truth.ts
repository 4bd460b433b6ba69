/**
 * The ratios of `campaign_metrics` (cost per lead, CAC, LTV, ROI) worked out from the simulators'
 * own numbers: the ground truth's spend, leads, customers and IACV per campaign, and a retention
 * computed from the simulated Zuora subscriptions (not from the warehouse).
 */
import type pg from 'pg';
import type { CampaignTruth, Company, GroundTruth } from '@singer-io-ts/simulators';

const DAY = 86_400_000;
const day = (value: unknown): number | null => (value === null || value === undefined ? null : Math.floor((typeof value === 'number' ? value : Date.parse(String(value).slice(0, 10))) / DAY));
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/**
 * 1 / churn rate in years, as the metrics define it: the simulated subscriptions' versions grouped by
 * their original, each exposed from its start until it ended (cancelled, or its newest version
 * expired) or until `asOf`; years of exposure per ended subscription.
 */
export function retentionYears(company: Company, asOf: number): number | null {
  type Version = Record<string, unknown>;
  const byOriginal = new Map<string, Version[]>();
  for (const row of company.table('zuora', 'Subscription')!.scan({ asOf })) {
    const original = String(row.OriginalId ?? '').trim() || String(row.Id);
    byOriginal.set(original, [...(byOriginal.get(original) ?? []), row]);
  }
  const today = Math.floor(asOf / DAY);
  let exposure = 0;
  let ended = 0;
  for (const versions of byOriginal.values()) {
    const newest = versions.reduce((a, b) => (Number(b.Version) > Number(a.Version) ? b : a));
    const starts = versions.map((v) => day(v.SubscriptionStartDate)).filter((d): d is number => d !== null);
    const start = starts.length ? Math.min(...starts) : null;
    if (start === null || start > today) continue;
    const cancelled = versions.map((v) => day(v.CancelledDate)).filter((d): d is number => d !== null);
    const endedOn = cancelled.length ? Math.max(...cancelled) : newest.Status === 'Expired' ? day(newest.SubscriptionEndDate ?? newest.TermEndDate) : null;
    exposure += Math.min(endedOn ?? today, today) - start;
    if (endedOn !== null && endedOn <= today) ended += 1;
  }
  return ended ? round(exposure / 365 / ended, 6) : null;
}

/** bizops-metrics' gross margin when bizops.yml sets none. */
export const DEFAULT_GROSS_MARGIN = 0.8;

export interface Ratios {
  cost_per_lead: number | null;
  cac: number | null;
  ltv: number | null;
  roi: number | null;
}

/** A campaign's ratios from its truth, unrounded; null where the metrics divide by zero or lack a retention. */
export function expectedRatios(c: CampaignTruth, grossMargin: number, retention: number | null): Ratios {
  const cac = c.customers ? c.spend / c.customers : null;
  const ltv = c.customers && retention !== null ? (c.iacv / c.customers) * grossMargin * retention : null;
  return { cost_per_lead: c.leads ? c.spend / c.leads : null, cac, ltv, roi: ltv === null || !cac ? null : ltv / cac };
}

export interface DerivedCheck {
  checked: number;
  /** Campaigns whose truth has an LTV (a retention and customers): LTV and ROI compared as numbers. */
  ltvCompared: number;
  mismatches: string[];
}

/** Each campaign's first-touch ratios of `period` against the truth's numbers, to the cent (ROI to 4 places). */
export async function checkDerivedRatios(db: pg.ClientBase, schema: string, truth: GroundTruth, period: { periodType: string; period: string }, grossMargin: number, retention: number | null): Promise<DerivedCheck> {
  const { rows } = await db.query<Record<string, string | null>>(
    `select campaign_id, cost_per_lead, cac, ltv, roi from "${schema}".campaign_metrics where model = 'first_touch' and period_type = $1 and period = $2`,
    [period.periodType, period.period],
  );
  const byId = new Map(rows.map((row) => [row.campaign_id, row]));
  const result: DerivedCheck = { checked: 0, ltvCompared: 0, mismatches: [] };
  for (const c of truth.campaigns) {
    const row = byId.get(c.campaignId);
    const expected = expectedRatios(c, grossMargin, retention);
    if (expected.ltv !== null) result.ltvCompared += 1;
    for (const [field, value] of Object.entries(expected)) {
      result.checked += 1;
      const places = field === 'roi' ? 4 : 2;
      const want = value === null ? null : round(value, places);
      const got = row?.[field] === null || row?.[field] === undefined ? null : Number(row[field]);
      // Postgres divides exact numerics, JavaScript doubles: a rounding edge may differ by one unit.
      const close = want === null || got === null ? want === got : Math.abs(want - got) <= 1.1 * 10 ** -places;
      if (!close && result.mismatches.length < 20) result.mismatches.push(`${c.campaignId} (${c.name}) ${field}: truth ${want}, view ${got}`);
    }
  }
  return result;
}
