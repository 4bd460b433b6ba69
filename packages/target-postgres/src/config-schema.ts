import { readConfigSchema, type JsonSchema } from '@singer-io-ts/sdk';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export type LoadMethod = 'upsert' | 'append' | 'overwrite';
export type IdentifierCase = 'lower' | 'preserve';
export type SchemaMappingTarget = string | { target_schema: string };

/**
 * The config as `schemas/config/target-postgres.json` describes it. A type alias, not an
 * interface, so that it satisfies the SDK's `Config` (`Record<string, unknown>`).
 */
export type TargetPostgresConfig = {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  dbname?: string;
  connection_string?: string;
  default_target_schema?: string;
  schema_mapping?: Record<string, SchemaMappingTarget>;
  ssl_mode?: SslMode;
  ssl_ca?: string;
  ssl_cert?: string;
  ssl_key?: string;
  load_method?: LoadMethod;
  batch_size_rows?: number;
  batch_size_bytes?: number;
  batch_max_age_seconds?: number;
  hard_delete?: boolean;
  add_metadata_columns?: boolean;
  flattening_max_depth?: number;
  validate_records?: boolean;
  max_parallelism?: number;
  identifier_case?: IdentifierCase;
  remove_nul_bytes?: boolean;
};

/** The JSON Schema of the config, read once. */
export function loadConfigSchema(): JsonSchema {
  return readConfigSchema(import.meta.url, 'target-postgres');
}
