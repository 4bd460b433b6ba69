import { ConfigError } from '@singer-io-ts/sdk';
import type pg from 'pg';
import { settingsOf, type MetricsConfig } from './config.js';
import { withTransaction } from './build.js';

export const GROUPINGS = ['campaign', 'channel', 'person', 'organization'] as const;
export const PERIODS = ['month', 'quarter', 'fiscal_year', 'all'] as const;
export const MODELS = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] as const;

export type Grouping = (typeof GROUPINGS)[number];
export type PeriodType = (typeof PERIODS)[number];
export type Model = (typeof MODELS)[number];

export interface ShowOptions {
  by: Grouping;
  period: PeriodType;
  model: Model;
}

export type MetricRow = Record<string, string | number | boolean | null>;

const SOURCES: Record<Grouping, { relation: string; order: string }> = {
  campaign: { relation: 'campaign_metrics', order: 'campaign_id' },
  channel: { relation: 'channel_metrics', order: 'channel' },
  person: { relation: 'person_metrics', order: 'person_id' },
  organization: { relation: 'organization_metrics', order: 'organization_id' },
};

export function checkShowOptions(options: ShowOptions): void {
  if (!GROUPINGS.includes(options.by)) throw new ConfigError(`--by must be one of ${GROUPINGS.join(', ')}, got "${options.by}"`);
  if (!PERIODS.includes(options.period)) throw new ConfigError(`--period must be one of ${PERIODS.join(', ')}, got "${options.period}"`);
  if (!MODELS.includes(options.model)) throw new ConfigError(`--model must be one of ${MODELS.join(', ')}, got "${options.model}"`);
}

/** The metric rows of one grouping, period granularity and model, from a built target schema. */
export async function showMetrics(config: MetricsConfig, options: ShowOptions): Promise<MetricRow[]> {
  checkShowOptions(options);
  const schema = `"${settingsOf(config).targetSchema.replace(/"/g, '""')}"`;
  const { relation, order } = SOURCES[options.by];
  return withTransaction(config, async (client) => {
    const result = await client
      .query(`select * from ${schema}.${relation} where period_type = $1 and model = $2 order by period_start nulls first, period, ${order}`, [options.period, options.model])
      .catch((error: unknown) => {
        if ((error as pg.DatabaseError).code === '42P01') throw new ConfigError(`${schema}.${relation} does not exist: run "bizops-metrics build" first`);
        throw error;
      });
    return result.rows.map((row: Record<string, unknown>) => plainRow(row, result.fields));
  });
}

const NUMERIC_TYPES = new Set([20, 21, 23, 700, 701, 1700]);
const DATE_TYPES = new Set([1082]);

/** Numbers as numbers and dates as YYYY-MM-DD, whatever node-pg parsed them into. */
export function plainRow(row: Record<string, unknown>, fields: pg.FieldDef[]): MetricRow {
  const out: MetricRow = {};
  for (const field of fields) {
    const value = row[field.name];
    if (value === null || value === undefined) out[field.name] = null;
    else if (NUMERIC_TYPES.has(field.dataTypeID)) out[field.name] = Number(value);
    else if (DATE_TYPES.has(field.dataTypeID) && value instanceof Date) out[field.name] = value.toISOString().slice(0, 10);
    else if (value instanceof Date) out[field.name] = value.toISOString();
    else if (typeof value === 'object') out[field.name] = JSON.stringify(value);
    else out[field.name] = value as string | number | boolean;
  }
  return out;
}
