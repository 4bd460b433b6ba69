/**
 * The metric views of a build against the simulated company's truth: the retention, and per
 * window the first-touch spend, leads, customers and IACV and the ratios that follow from them.
 */
import type pg from 'pg';
import type { Test } from 'tap';
import type { Company } from '@singer-io-ts/simulators';
import { compareWithGroundTruth } from '../../../metrics/test/helpers/ground-truth.js';
import { checkDerivedRatios, DEFAULT_GROSS_MARGIN, retentionYears } from './derived-truth.js';

/** The whole history up to `asOf`, and the last calendar quarter that ended by then. */
export function truthWindows(company: Company, asOf: number): Array<{ from: number; to: number }> {
  const present = new Date(asOf);
  const quarterStart = Math.floor(present.getUTCMonth() / 3) * 3;
  return [
    { from: company.start, to: asOf + 1 },
    { from: Date.UTC(present.getUTCFullYear(), quarterStart - 3, 1), to: Date.UTC(present.getUTCFullYear(), quarterStart, 1) },
  ];
}

export interface ViewsCheck {
  /** The retention LTV uses, of the simulated subscriptions; null while none has ended. */
  retention: number | null;
  /** Campaign figures with an LTV in the truth, each compared with the view. */
  ltvCompared: number;
}

export async function checkViewsAgainstTruth(t: Test, db: pg.Client, schema: string, company: Company, asOf: number, label: string): Promise<ViewsCheck> {
  const retention = retentionYears(company, asOf);
  const { rows } = await db.query<{ retention_years: string | null }>(`select retention_years from "${schema}".retention`);
  const viewRetention = rows[0]?.retention_years;
  t.equal(viewRetention === null || viewRetention === undefined ? null : Number(viewRetention), retention, `${label}: the retention LTV uses equals the one of the simulated Zuora subscriptions`);
  let ltvCompared = 0;
  for (const window of truthWindows(company, asOf)) {
    const truth = await compareWithGroundTruth(db, { target_schema: schema }, company, { asOf, ...window });
    const period = truth.periodType === 'all' ? 'all time' : `${truth.periodType} ${truth.period}`;
    t.ok(truth.totals.leads > 0 && truth.totals.spend > 0, `${label}: the truth of ${period} has leads and spend`);
    t.same(truth.differences.slice(0, 10), [], `${label}: ${period}: spend, leads, customers and IACV equal the ground truth (${truth.campaigns} campaigns)`);
    const ratios = await checkDerivedRatios(db, schema, company.groundTruth({ asOf, ...window }), truth, DEFAULT_GROSS_MARGIN, retention);
    t.same(ratios.mismatches, [], `${label}: ${period}: cost per lead, CAC, LTV and ROI follow from the truth (${ratios.checked} figures, ${ratios.ltvCompared} campaigns with an LTV)`);
    ltvCompared += ratios.ltvCompared;
  }
  return { retention, ltvCompared };
}
