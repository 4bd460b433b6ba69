import { readConfigSchema, type JsonSchema } from '@singer-io-ts/sdk';

export type ApiType = 'AQUA' | 'REST';

/** The config as `schemas/config/tap-zuora.json` describes it (a type alias, to satisfy the SDK's `Config`). */
export type ZuoraConfig = {
  base_url?: string;
  environment?: string;
  data_center_urls?: Record<string, string>;
  client_id?: string;
  client_secret?: string;
  username?: string;
  password?: string;
  start_date?: string;
  api_type?: ApiType;
  partner_id?: string;
  deleted_records?: boolean;
  max_concurrent_jobs?: number;
  wsdl_version?: string;
  job_timeout_seconds?: number;
  streams_to_discover?: string[];
  [key: string]: unknown;
};

/**
 * Zuora's REST hosts by environment, in singer tap-zuora's probing order (US Cloud `rest.na`
 * before `rest.zuora.com`). A wrong data centre answers 401 to valid credentials.
 */
export const DATA_CENTERS: Record<string, Record<string, string>> = {
  US_PRODUCTION: { 'US-DC1': 'https://rest.na.zuora.com', 'US-DC2': 'https://rest.zuora.com' },
  US_SANDBOX: { 'US-DC1-SANDBOX': 'https://rest.sandbox.na.zuora.com', 'US-DC2-SANDBOX': 'https://rest.apisandbox.zuora.com', 'US-CENTRAL-SANDBOX': 'https://rest.test.zuora.com' },
  EU_PRODUCTION: { EU: 'https://rest.eu.zuora.com' },
  EU_SANDBOX: { 'EU-SANDBOX': 'https://rest.sandbox.eu.zuora.com', 'EU-CENTRAL-SANDBOX': 'https://rest.test.eu.zuora.com' },
  APAC_PRODUCTION: { APAC: 'https://rest.ap.zuora.com' },
  APAC_SANDBOX: { 'APAC-SANDBOX': 'https://rest.test.ap.zuora.com' },
};

/** Candidate base URLs, in probing order: the config's table when given, else `environment`'s data centres. */
export function candidateUrls(config: ZuoraConfig): string[] {
  if (config.base_url) return [config.base_url.replace(/\/+$/, '')];
  if (config.data_center_urls && Object.keys(config.data_center_urls).length > 0) return Object.values(config.data_center_urls).map((url) => url.replace(/\/+$/, ''));
  const env = config.environment;
  const groups = env === 'PRODUCTION' || env === 'SANDBOX' ? Object.keys(DATA_CENTERS).filter((name) => name.endsWith(env)) : env ? [env] : Object.keys(DATA_CENTERS);
  return groups.flatMap((group) => Object.values(DATA_CENTERS[group] ?? {}));
}

export const DEFAULT_WSDL_VERSION = '91.0';
export const DEFAULT_PARTNER = 'singer-io-ts';
export const DEFAULT_MAX_CONCURRENT_JOBS = 5;
export const DEFAULT_JOB_TIMEOUT_SECONDS = 3 * 3600;

// The CLI applies the schema's defaults; in-process runs may not, so code reads settings through these.
export const apiType = (config: ZuoraConfig): ApiType => config.api_type ?? 'AQUA';
export const wsdlVersion = (config: ZuoraConfig): string => config.wsdl_version ?? DEFAULT_WSDL_VERSION;
export const partnerId = (config: ZuoraConfig): string => config.partner_id ?? DEFAULT_PARTNER;
export const wantDeleted = (config: ZuoraConfig): boolean => config.deleted_records ?? true;
export const maxConcurrentJobs = (config: ZuoraConfig): number => Math.max(1, Math.floor(config.max_concurrent_jobs ?? DEFAULT_MAX_CONCURRENT_JOBS));
export const jobTimeoutMs = (config: ZuoraConfig): number => Math.max(1, config.job_timeout_seconds ?? DEFAULT_JOB_TIMEOUT_SECONDS) * 1000;

/** Documented CI variables of the origin document, on top of `TAP_ZUORA_<KEY>`. */
export const ENV_ALIASES: Record<string, string> = { ZUORA_URL: 'base_url', ZUORA_USERNAME: 'username', ZUORA_PASSWORD: 'password' };

export function loadConfigSchema(): JsonSchema {
  return readConfigSchema(import.meta.url, 'tap-zuora');
}
