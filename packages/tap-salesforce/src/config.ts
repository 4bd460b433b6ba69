import { readConfigSchema, type JsonSchema } from '@singer-io-ts/sdk';

export type ApiType = 'REST' | 'BULK' | 'AUTO';

/**
 * The config as `schemas/config/tap-salesforce.json` describes it. A type alias, not an
 * interface, so that it satisfies the SDK's `Config` (`Record<string, unknown>`).
 */
export type SalesforceConfig = {
  login_url?: string;
  instance_url?: string;
  api_version?: string;
  start_date?: string;
  client_id?: string;
  client_secret?: string;
  refresh_token?: string;
  username?: string;
  password?: string;
  security_token?: string;
  private_key?: string;
  api_type?: ApiType;
  quota_percent_total?: number;
  quota_percent_per_run?: number;
  lookback_window?: number;
  bulk_threshold_rows?: number;
  streams_to_discover?: string[];
  max_workers?: number;
  state_message_frequency?: number;
  [key: string]: unknown;
};

// The CLI applies the schema's defaults; in-process runs (tests, `runTap`) may not, so code
// reads settings through these.
export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
export const DEFAULT_API_VERSION = '62.0';
export const DEFAULT_MAX_WORKERS = 8;

export function apiVersion(config: SalesforceConfig): string {
  return config.api_version ?? DEFAULT_API_VERSION;
}

export function loginUrl(config: SalesforceConfig): string {
  return (config.login_url ?? DEFAULT_LOGIN_URL).replace(/\/+$/, '');
}

export function maxWorkers(config: SalesforceConfig): number {
  return Math.max(1, Math.floor(config.max_workers ?? DEFAULT_MAX_WORKERS));
}

export function lookbackSeconds(config: SalesforceConfig): number {
  return Math.max(0, config.lookback_window ?? 0);
}

export const DEFAULT_BULK_THRESHOLD_ROWS = 50_000;

/** AUTO reads an object through Bulk API 2.0 when its window matches more rows than this. */
export function bulkThresholdRows(config: SalesforceConfig): number {
  return Math.max(0, config.bulk_threshold_rows ?? DEFAULT_BULK_THRESHOLD_ROWS);
}

/** Quota shares with the schema's defaults (80 % in total, 25 % per run, as the Singer taps have). */
export function quotaPercents(config: SalesforceConfig): { quota_percent_total: number; quota_percent_per_run: number } {
  return { quota_percent_total: config.quota_percent_total ?? 80, quota_percent_per_run: config.quota_percent_per_run ?? 25 };
}

/** Documented CI variables of the origin document, on top of `TAP_SALESFORCE_<KEY>`. */
export const ENV_ALIASES: Record<string, string> = { SFDC_URL: 'login_url', SFDC_USERNAME: 'username', SFDC_PASSWORD: 'password' };

/** The JSON Schema of the config, read once. */
export function loadConfigSchema(): JsonSchema {
  return readConfigSchema(import.meta.url, 'tap-salesforce');
}
