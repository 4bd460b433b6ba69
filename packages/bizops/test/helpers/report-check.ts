/** The rendered report against the metric views it was made from. */
import type pg from 'pg';
import { attributes, tableRows } from './chromium.js';

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function shown(field: string, value: unknown): string {
  if (value === null || value === undefined) return '–';
  const n = Number(value);
  return field === 'roi' ? two.format(n) : whole.format(n);
}

export interface ReportCheck {
  checked: number;
  mismatches: string[];
}

const FIELDS = ['spend', 'leads', 'cost_per_lead', 'customers', 'iacv', 'median_conversion_days', 'estimated_iacv', 'cac', 'ltv', 'roi'];

/** Every number of the campaign, channel, funnel and attribution tables: exact value and shown text. */
export async function checkReportAgainstDb(dom: string, db: pg.ClientBase, schema: string): Promise<ReportCheck> {
  const result: ReportCheck = { checked: 0, mismatches: [] };
  const compare = (where: string, field: string, want: unknown, cell: { value: string; text: string } | undefined) => {
    result.checked += 1;
    const wantValue = want === null || want === undefined ? '' : Number(want);
    const gotValue = cell === undefined ? undefined : cell.value === '' ? '' : Number(cell.value);
    if (cell === undefined || gotValue !== wantValue || cell.text !== shown(field, want)) {
      if (result.mismatches.length < 20) result.mismatches.push(`${where} ${field}: database ${JSON.stringify(want)}, page ${JSON.stringify(cell)}`);
    }
  };
  const byKey = (rows: ReturnType<typeof tableRows>, key: (attrs: Record<string, string>) => string) => new Map(rows.map((r) => [key(r.attrs), new Map(r.cells.map((c) => [c.field, c]))]));

  const campaigns = byKey(tableRows(dom, 'campaigns'), (a) => `${a['data-campaign']}|${a['data-model']}`);
  const { rows: campaignRows } = await db.query(`select * from "${schema}".campaign_metrics where period_type = 'all'`);
  if (campaigns.size !== campaignRows.length) result.mismatches.push(`campaigns table: ${campaigns.size} rows on the page, ${campaignRows.length} in the database`);
  for (const row of campaignRows) {
    const cells = campaigns.get(`${row.campaign_id}|${row.model}`);
    for (const field of FIELDS) compare(`campaign ${row.campaign_id} ${row.model}`, field, row[field], cells?.get(field));
  }

  const channels = byKey(tableRows(dom, 'channels'), (a) => `${a['data-channel']}|${a['data-model']}`);
  const { rows: channelRows } = await db.query(`select * from "${schema}".channel_metrics where period_type = 'all'`);
  if (channels.size !== channelRows.length) result.mismatches.push(`channels table: ${channels.size} rows on the page, ${channelRows.length} in the database`);
  for (const row of channelRows) {
    const cells = channels.get(`${row.channel}|${row.model}`);
    for (const field of FIELDS) compare(`channel ${row.channel} ${row.model}`, field, row[field], cells?.get(field));
  }

  const funnel = byKey(tableRows(dom, 'funnel'), (a) => `${a['data-period-type']}|${a['data-period']}`);
  const { rows: funnelRows } = await db.query(`select * from "${schema}".funnel where period_type in ('all', 'quarter')`);
  for (const row of funnelRows) {
    const cells = funnel.get(`${row.period_type}|${row.period}`);
    for (const field of ['leads', 'contacts', 'mqls', 'opportunities', 'won', 'iacv'].filter((f) => f in row)) compare(`funnel ${row.period}`, field, row[field], cells?.get(field));
  }

  const attribution = byKey(tableRows(dom, 'attribution'), (a) => a['data-campaign']!);
  const { rows: credited } = await db.query(`select campaign_id, model, sum(iacv_credit) as iacv_credit from "${schema}".attribution group by 1, 2`);
  for (const row of credited) compare(`attribution ${row.campaign_id}`, row.model, row.iacv_credit, attribution.get(row.campaign_id)?.get(row.model));
  return result;
}

/** The bars of one SVG chart: `data-period` → `data-series` → value. */
export function chartBars(dom: string, svgId: string): Map<string, Map<string, number>> {
  const start = dom.indexOf(`id="${svgId}"`);
  const bars = new Map<string, Map<string, number>>();
  if (start < 0) return bars;
  const svg = dom.slice(start, dom.indexOf('</svg>', start));
  for (const m of svg.matchAll(/<rect([^>]*)>/g)) {
    const a = attributes(m[1]!);
    if (a['data-period'] === undefined || a['data-series'] === undefined) continue;
    if (!bars.has(a['data-period'])) bars.set(a['data-period'], new Map());
    bars.get(a['data-period'])!.set(a['data-series'], Number(a['data-value']));
  }
  return bars;
}

/**
 * The spend vs. IACV chart (first touch, per quarter) against the view, to the cent: summed over
 * all campaigns, or of one campaign when the page was opened on it.
 */
export async function checkSpendIacvChart(dom: string, db: pg.ClientBase, schema: string, campaignId?: string): Promise<ReportCheck> {
  const result: ReportCheck = { checked: 0, mismatches: [] };
  const shownCampaign = /data-campaign="([^"]*)"><svg[^>]*id="spend-iacv-chart"/.exec(dom)?.[1];
  if (shownCampaign !== (campaignId ?? 'all')) result.mismatches.push(`the chart shows campaign ${shownCampaign}, not ${campaignId ?? 'all'}`);
  const { rows } = await db.query<{ period: string; spend: string; iacv: string }>(
    `select period, coalesce(sum(spend), 0) as spend, coalesce(sum(iacv), 0) as iacv from "${schema}".campaign_metrics
     where period_type = 'quarter' and model = 'first_touch' and ($1::text is null or campaign_id = $1) group by period`,
    [campaignId ?? null],
  );
  const bars = chartBars(dom, 'spend-iacv-chart');
  if (bars.size !== rows.length) result.mismatches.push(`${bars.size} quarters drawn, ${rows.length} in the database`);
  const cents = (x: unknown) => Math.round(Number(x) * 100);
  for (const row of rows) {
    for (const series of ['spend', 'iacv'] as const) {
      result.checked += 1;
      const drawn = bars.get(row.period)?.get(series);
      if (drawn === undefined || cents(drawn) !== cents(row[series])) result.mismatches.push(`${row.period} ${series}: database ${row[series]}, chart ${drawn}`);
    }
  }
  return result;
}
