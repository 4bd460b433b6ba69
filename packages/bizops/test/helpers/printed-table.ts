/** The metrics table `bizops demo` prints, read back and compared with the simulated company's truth. */
import type { Company } from '@singer-io-ts/simulators';
import { DEFAULT_GROSS_MARGIN, expectedRatios, retentionYears } from './derived-truth.js';

/** The rows of the printed metrics table, cells split on the two-space column gap. */
export function metricRows(out: string): Record<string, string>[] {
  const lines = out.split('\n');
  const header = lines.findIndex((line) => /^campaign\s+channel\s+spend\s+leads\s+cost\/lead\s+customers\s+IACV\s+CAC\s+LTV\s+ROI$/.test(line));
  if (header < 0) return [];
  const names = lines[header]!.split(/\s{2,}/);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(header + 2)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length !== names.length) break;
    rows.push(Object.fromEntries(names.map((name, i) => [name, cells[i]!])));
  }
  return rows;
}

export const NUMBER = /^-?[\d,]+(\.\d+)?$/;

/**
 * The printed rows against the company's truth at the run's simulated present: spend, leads,
 * customers and IACV, and the cost per lead, CAC, LTV and ROI they give (LTV with the retention of
 * the simulated subscriptions), as shown: whole numbers, ROI to two places.
 */
export function compareTable(company: Company, rows: Record<string, string>[], asOf: number): { compared: number; mismatches: string[] } {
  const truth = company.groundTruth({ asOf, from: company.start, to: asOf + 1 });
  const retention = retentionYears(company, asOf);
  const names = new Map<string, (typeof truth.campaigns)[number] | null>();
  for (const c of truth.campaigns) names.set(c.name, names.has(c.name) ? null : c);
  const mismatches: string[] = [];
  let compared = 0;
  for (const row of rows) {
    const c = names.get(row.campaign!);
    if (!c) {
      if (c === undefined) mismatches.push(`${row.campaign}: not a campaign of the simulated company`);
      continue;
    }
    compared += 1;
    const ratios = expectedRatios(c, DEFAULT_GROSS_MARGIN, retention);
    const want: Array<[string, number | null, number]> = [
      ['spend', c.spend, 1],
      ['leads', c.leads, 0],
      ['cost/lead', ratios.cost_per_lead, 1],
      ['customers', c.customers, 0],
      ['IACV', c.iacv, 1],
      ['CAC', ratios.cac, 1],
      ['LTV', ratios.ltv, 1],
      ['ROI', ratios.roi, 0.011],
    ];
    for (const [column, value, tolerance] of want) {
      const shown = row[column]!;
      const ok = value === null ? shown === '-' : NUMBER.test(shown) && Math.abs(Number(shown.replace(/,/g, '')) - value) <= tolerance;
      if (!ok) mismatches.push(`${row.campaign} ${column}: shown ${shown}, truth ${value}`);
    }
  }
  return { compared, mismatches };
}
