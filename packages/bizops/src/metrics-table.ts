import type { CampaignMetricRow } from './metrics-cli.js';
import { formatTable } from './table.js';

const money = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const ratio = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(2));
const count = (n: number | null | undefined) => (n === null || n === undefined ? '-' : String(n));

/** Cost per lead, CAC, LTV and ROI per campaign: the answer `npm start` promises. */
export function formatCampaignMetrics(rows: CampaignMetricRow[], model: string, limit = 25): string {
  const sorted = [...rows].sort((a, b) => (b.iacv ?? 0) - (a.iacv ?? 0) || (b.spend ?? 0) - (a.spend ?? 0));
  const more = sorted.length > limit ? `… and ${sorted.length - limit} more campaigns: \`bizops metrics show --by campaign\`, or \`bizops report\` for the HTML report` : '';
  const body = sorted.slice(0, limit).map((r) => [r.campaign_name ?? r.campaign_id, r.channel ?? '-', money(r.spend), count(r.leads), money(r.cost_per_lead), count(r.customers), money(r.iacv), money(r.cac), money(r.ltv), ratio(r.roi)]);
  return [`Metrics per campaign, all time, ${model.replace('_', '-')} attribution:`, formatTable(['campaign', 'channel', 'spend', 'leads', 'cost/lead', 'customers', 'IACV', 'CAC', 'LTV', 'ROI'], body, [2, 3, 4, 5, 6, 7, 8, 9]), more].filter(Boolean).join('\n') + '\n';
}
