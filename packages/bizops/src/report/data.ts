/** What the report shows, read from the metric views `bizops-metrics build` made. */
import type pg from 'pg';

export interface ReportData {
  generatedAt: string;
  warehouse: string;
  schema: string;
  /** campaign_metrics of period `all`, every model. */
  campaigns: Row[];
  /** campaign_metrics per quarter, first-touch: spend vs IACV over time. */
  campaignsByQuarter: Row[];
  /** channel_metrics of period `all`, every model. */
  channels: Row[];
  funnel: Row[];
  /** IACV credited per campaign and model, from the attribution view. */
  attribution: Row[];
}

export type Row = Record<string, string | number | null>;

/** numeric and bigint come back as strings from pg; the report wants JSON numbers. */
function normalise(rows: Array<Record<string, unknown>>): Row[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => {
        if (value === null || value === undefined) return [key, null];
        if (typeof value === 'number') return [key, value];
        if (value instanceof Date) return [key, value.toISOString()];
        if (typeof value === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(value)) return [key, Number(value)];
        return [key, String(value)];
      }),
    ),
  );
}

export async function readReportData(connect: () => Promise<pg.Client>, schema: string, description: string): Promise<ReportData> {
  const client = await connect();
  try {
    const q = async (sql: string) => normalise((await client.query(sql)).rows as Array<Record<string, unknown>>);
    const s = `"${schema.replace(/"/g, '""')}"`;
    try {
      return {
        generatedAt: new Date().toISOString(),
        warehouse: description,
        schema,
        campaigns: await q(`select * from ${s}.campaign_metrics where period_type = 'all' order by campaign_name, campaign_id, model`),
        campaignsByQuarter: await q(`select * from ${s}.campaign_metrics where period_type = 'quarter' and model = 'first_touch' order by period, campaign_name, campaign_id`),
        channels: await q(`select * from ${s}.channel_metrics where period_type = 'all' order by channel, model`),
        funnel: await q(`select * from ${s}.funnel order by period_type, period`),
        attribution: await q(`select campaign_id, model, sum(credit) as credit, sum(iacv_credit) as iacv_credit from ${s}.attribution group by campaign_id, model order by campaign_id, model`),
      };
    } catch (err) {
      throw new Error(`cannot read the metrics in schema ${schema} (${(err as Error).message}): run \`bizops run\` (or \`bizops demo\`) first, which builds them`, { cause: err });
    }
  } finally {
    await client.end();
  }
}
