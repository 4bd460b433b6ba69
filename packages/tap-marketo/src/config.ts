import { ConfigError, readConfigSchema, type JsonSchema } from '@singer-io-ts/sdk';

/**
 * The config as `schemas/config/tap-marketo.json` describes it. A type alias, not an interface,
 * so that it satisfies the SDK's `Config` (`Record<string, unknown>`).
 */
export type MarketoConfig = {
  endpoint: string;
  identity?: string;
  client_id: string;
  client_secret: string;
  munchkin_id?: string;
  start_date?: string;
  max_daily_calls?: number;
  daily_call_quota?: number;
  max_daily_export_mb?: number;
  max_export_days?: number;
  activity_types?: Array<number | string>;
  activities_per_type?: boolean;
  use_corona?: boolean | 'auto';
  export_poll_interval_ms?: number;
  export_poll_max_ms?: number;
  export_timeout_minutes?: number;
  rate_limit_calls?: number;
  rate_window_seconds?: number;
  max_concurrent_calls?: number;
  request_timeout_seconds?: number;
  [key: string]: unknown;
};

// The CLI applies the schema's defaults; in-process runs (tests, `runTap`) may not, so code reads
// settings through these.
export const MARKETO_MAX_EXPORT_DAYS = 31;

export function restBase(config: MarketoConfig): string {
  if (typeof config.endpoint !== 'string' || !/^https?:\/\//.test(config.endpoint)) throw new ConfigError('endpoint must be the REST API URL, e.g. https://123-ABC-456.mktorest.com/rest');
  return config.endpoint.replace(/\/+$/, '');
}

/** `…/bulk`, next to `…/rest`: Bulk Extract lives beside the REST API on the same host. */
export function bulkBase(config: MarketoConfig): string {
  return restBase(config).replace(/\/rest$/, '') + '/bulk';
}

export function identityBase(config: MarketoConfig): string {
  return (config.identity ?? restBase(config).replace(/\/rest$/, '/identity')).replace(/\/+$/, '');
}

export function maxExportDays(config: MarketoConfig): number {
  const days = config.max_export_days ?? 30;
  if (!(Number.isInteger(days) && days >= 1 && days <= MARKETO_MAX_EXPORT_DAYS)) throw new ConfigError(`max_export_days must be an integer from 1 to ${MARKETO_MAX_EXPORT_DAYS}, got ${String(days)}`);
  return days;
}

/**
 * singer-io/tap-marketo's default: 80 % of the daily quota, leaving the rest to the instance's
 * other integrations. Marketo reports the calls used (`stats/usage.json`) but no endpoint reports
 * the quota itself, so the quota is a setting (`daily_call_quota`, Marketo's default 50,000).
 */
export function maxDailyCalls(config: MarketoConfig): number {
  return config.max_daily_calls ?? Math.floor((config.daily_call_quota ?? 50_000) * 0.8);
}

export function maxDailyExportBytes(config: MarketoConfig): number {
  const mb: unknown = config.max_daily_export_mb ?? 400;
  if (!(typeof mb === 'number' && mb > 0)) throw new ConfigError(`max_daily_export_mb must be a number of MB above 0, got ${JSON.stringify(mb)}`);
  return mb * 1_048_576;
}

export interface PollSettings {
  initialMs: number;
  maxMs: number;
  timeoutMs: number;
}

export function pollSettings(config: MarketoConfig): PollSettings {
  const initialMs = config.export_poll_interval_ms ?? 5_000;
  return { initialMs, maxMs: Math.max(initialMs, config.export_poll_max_ms ?? 60_000), timeoutMs: (config.export_timeout_minutes ?? 180) * 60_000 };
}

/** How long one attempt may wait for a response's headers (a file's body may then take longer). */
export function requestTimeoutMs(config: MarketoConfig): number {
  return (config.request_timeout_seconds ?? 300) * 1000;
}

export interface CallLimits {
  maxCalls: number;
  windowMs: number;
  maxConcurrent: number;
}

export function callLimits(config: MarketoConfig): CallLimits {
  return { maxCalls: config.rate_limit_calls ?? 100, windowMs: (config.rate_window_seconds ?? 20) * 1000, maxConcurrent: config.max_concurrent_calls ?? 10 };
}

export function useCorona(config: MarketoConfig): boolean | 'auto' {
  const value = config.use_corona ?? 'auto';
  if (value !== true && value !== false && value !== 'auto') throw new ConfigError('use_corona must be true, false or "auto"');
  return value;
}

/** Bulk Extract needs date windows, so the exported streams need a first date. */
export function startDate(config: MarketoConfig, stream: string): string {
  if (!config.start_date) throw new ConfigError(`start_date is required to extract ${stream} (Bulk Extract reads date windows from it)`);
  return config.start_date;
}

/** The JSON Schema of the config, read once. */
export function loadConfigSchema(): JsonSchema {
  return readConfigSchema(import.meta.url, 'tap-marketo');
}
