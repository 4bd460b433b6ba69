import { ConfigError, Redactor, createAjv, describeValidationError, readConfigSchema, readJsonObjectFile, type JsonSchema } from '@singer-io-ts/sdk';
import type { TargetPostgresConfig } from '@singer-io-ts/target-postgres';

/** metrics.json: target-postgres's connection keys plus where the raw tables are and how to compute. */
export type MetricsConfig = TargetPostgresConfig & {
  source_schemas?: { salesforce?: string; zuora?: string; marketo?: string };
  target_schema?: string;
  iacv_field?: string;
  gross_margin?: number;
  fiscal_year_start_month?: number;
  time_decay_half_life_days?: number;
  /** YYYY-MM-DD; default today. */
  as_of?: string;
};

/** Every setting with its default applied. */
export interface MetricsSettings {
  sourceSchemas: { salesforce: string; zuora: string; marketo: string };
  targetSchema: string;
  iacvField: string;
  grossMargin: number;
  fiscalYearStartMonth: number;
  timeDecayHalfLifeDays: number;
  asOf: string | null;
}

export function loadConfigSchema(): JsonSchema {
  return readConfigSchema(import.meta.url, 'bizops-metrics');
}

/** Validates a config object (defaults filled in) and knows its secrets. Errors name the key, never the value. */
export function validateConfig(raw: Record<string, unknown>): { config: MetricsConfig; redactor: Redactor } {
  const schema = loadConfigSchema();
  const config = structuredClone(raw);
  const redactor = Redactor.fromConfig(schema, config);
  const validate = createAjv({ useDefaults: true }).compile(schema);
  if (!validate(config)) throw new ConfigError(`invalid config: ${describeValidationError(validate.errors)}`);
  return { config: config as MetricsConfig, redactor };
}

/** Reads metrics.json, or the `metrics` object of a larger file. */
export function readConfigFile(file: string): { config: MetricsConfig; redactor: Redactor } {
  const value = readJsonObjectFile(file);
  const nested = (value as Record<string, unknown>).metrics;
  const own = nested !== null && typeof nested === 'object' && !Array.isArray(nested) ? (nested as Record<string, unknown>) : (value as Record<string, unknown>);
  try {
    return validateConfig(own);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${file}: ${error.message}`);
    throw error;
  }
}

export function settingsOf(config: MetricsConfig): MetricsSettings {
  const schemas = config.source_schemas ?? {};
  return {
    sourceSchemas: { salesforce: schemas.salesforce ?? 'salesforce', zuora: schemas.zuora ?? 'zuora', marketo: schemas.marketo ?? 'marketo' },
    targetSchema: config.target_schema ?? 'analytics',
    iacvField: config.iacv_field ?? 'IACV__c',
    grossMargin: config.gross_margin ?? 0.8,
    fiscalYearStartMonth: config.fiscal_year_start_month ?? 1,
    timeDecayHalfLifeDays: config.time_decay_half_life_days ?? 7,
    asOf: config.as_of ?? null,
  };
}
