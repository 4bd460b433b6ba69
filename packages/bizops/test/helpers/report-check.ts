/** The rendered report against the metric views it was made from. */
import type pg from 'pg';
import { tableRows } from './chromium.js';

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
    for (const field of ['leads', 'opportunities', 'won', 'iacv'].filter((f) => f in row)) compare(`funnel ${row.period}`, field, row[field], cells?.get(field));
  }

  const attribution = byKey(tableRows(dom, 'attribution'), (a) => a['data-campaign']!);
  const { rows: credited } = await db.query(`select campaign_id, model, sum(iacv_credit) as iacv_credit from "${schema}".attribution group by 1, 2`);
  for (const row of credited) compare(`attribution ${row.campaign_id}`, row.model, row.iacv_credit, attribution.get(row.campaign_id)?.get(row.model));
  return result;
}
