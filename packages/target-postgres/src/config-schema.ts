import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '@singer-io-ts/sdk';

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

const SCHEMA_FILE = 'config/target-postgres.json';
// The package copy (made by scripts/sync-schemas.mjs at build time) is what a published package
// has; the repository's own file serves a checkout that has not been built yet.
const CANDIDATES = [new URL(`../schemas/${SCHEMA_FILE}`, import.meta.url), new URL(`../../../schemas/${SCHEMA_FILE}`, import.meta.url)];

let schema: JsonSchema | undefined;

/** The JSON Schema of the config, read once. */
export function loadConfigSchema(): JsonSchema {
  if (schema) return schema;
  const file = CANDIDATES.find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`target-postgres config schema not found (looked for ${CANDIDATES.map((url) => fileURLToPath(url)).join(', ')})`);
  schema = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
  return schema;
}
