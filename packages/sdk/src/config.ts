import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';
import type { Logger } from './logging.js';
import type { JsonSchema } from './protocol/messages.js';
import { Redactor } from './secrets.js';
import { streamMapSecrets } from './stream-maps/secrets.js';
import { createAjv, describeValidationError } from './validation.js';

export type Config = Record<string, unknown>;

export interface ConfigSpec {
  /** JSON Schema of the connector's config; `secret: true` marks values that must never be shown. */
  schema: JsonSchema;
  /** `TAP_SALESFORCE` makes `TAP_SALESFORCE_CLIENT_ID` set `client_id`. */
  envPrefix: string;
  /** Extra environment variables a connector documents, e.g. `{ SFDC_USERNAME: 'username' }`. */
  envAliases?: Record<string, string>;
  /** Settings the SDK handles for this kind of connector; stream maps only by default. */
  sdkSettings?: Record<string, JsonSchema>;
}

/** Settings every connector accepts, handled by the SDK itself. */
export const SDK_SETTINGS: Record<string, JsonSchema> = {
  stream_maps: { type: 'object', description: 'Stream maps: rename, filter, drop, add or hash properties (see the SDK docs).' },
  stream_map_config: { type: 'object', description: 'Values stream-map expressions read through config[...] (e.g. a hash salt).', secret: true },
};

/** What the SDK handles for every tap on top of SDK_SETTINGS. */
export const TAP_SDK_SETTINGS: Record<string, JsonSchema> = {
  ...SDK_SETTINGS,
  state_message_frequency: { type: 'integer', minimum: 1, description: 'Emit STATE after this many records of a sorted stream (default 10000).' },
};

export interface LoadedConfig {
  config: Config;
  redactor: Redactor;
  /** Keys not declared by the connector: warned about, not rejected (runners pass settings meant for others). */
  unknownKeys: string[];
}

/**
 * Config files are merged in order (later files win); environment variables fill the keys no file
 * sets, documented aliases last. Validated against the connector's schema before any I/O. Errors
 * name the key and the file, never the value.
 */
export function loadConfig(files: string[], spec: ConfigSpec, options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const schema = withSdkSettings(spec.schema, spec.sdkSettings);
  const fromFiles: Config = {};
  for (const file of files) Object.assign(fromFiles, readJsonObjectFile(file));
  const config: Config = { ...configFromEnv(schema, spec, env), ...fromFiles };

  const redactor = Redactor.fromConfig(schema, config);
  // Salts and keys of stream maps are secrets whatever their key is called.
  for (const secret of streamMapSecrets(config)) redactor.addSecret(secret);
  const validate = createAjv({ useDefaults: true }).compile(schema);
  if (!validate(config)) {
    throw new ConfigError(`invalid config: ${describeValidationError(validate.errors)}`);
  }
  const known = Object.keys(schema.properties ?? {});
  const unknownKeys = Object.keys(config).filter((key) => !known.includes(key));
  for (const key of unknownKeys) {
    const suggestion = closest(key, known);
    options.logger?.warn(`unknown config key "${key}" ignored${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  }
  return { config, redactor, unknownKeys };
}

export function withSdkSettings(schema: JsonSchema, sdkSettings: Record<string, JsonSchema> = SDK_SETTINGS): JsonSchema {
  return { ...schema, type: 'object', properties: { ...sdkSettings, ...schema.properties } };
}

/**
 * A JSON file that must hold one object, with errors that name the file and never quote its text
 * (config files hold secrets).
 */
export function readJsonObjectFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The parser's message can quote the file's text, which may hold a secret: keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ConfigError(`config file ${file} is not valid JSON${position ? ` (at character ${position})` : ''}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  return value as Config;
}

export function envVarName(prefix: string, key: string): string {
  return `${prefix}_${key}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function configFromEnv(schema: JsonSchema, spec: ConfigSpec, env: NodeJS.ProcessEnv): Config {
  const config: Config = {};
  const properties = schema.properties ?? {};
  for (const [alias, key] of Object.entries(spec.envAliases ?? {})) {
    const raw = env[alias];
    if (raw !== undefined && raw !== '') config[key] = castEnvValue(raw, properties[key], alias);
  }
  for (const [key, property] of Object.entries(properties)) {
    const name = envVarName(spec.envPrefix, key);
    const raw = env[name];
    if (raw !== undefined && raw !== '') config[key] = castEnvValue(raw, property, name);
  }
  return config;
}

function castEnvValue(raw: string, property: JsonSchema | undefined, variable: string): unknown {
  const types = [property?.type ?? 'string'].flat();
  if (types.includes('string')) return raw;
  if (types.includes('boolean') && /^(true|false|1|0|yes|no)$/i.test(raw)) return /^(true|1|yes)$/i.test(raw);
  if ((types.includes('integer') || types.includes('number')) && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (types.includes('object') || types.includes('array')) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new ConfigError(`environment variable ${variable} must hold JSON (${types.join(' or ')})`);
    }
  }
  throw new ConfigError(`environment variable ${variable} must be ${types.join(' or ')}`);
}

function closest(key: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const configSchemas = new Map<string, JsonSchema>();

/**
 * A connector's config schema, read once: the package's own copy (`schemas/config/<name>.json`,
 * made at build time, what a published package has), else the repository's `schemas/config/`
 * for a checkout that has not been built. `moduleUrl` is the `import.meta.url` of a module one
 * level below the package root (`dist/*.js`).
 */
export function readConfigSchema(moduleUrl: string, name: string): JsonSchema {
  const cached = configSchemas.get(name);
  if (cached) return cached;
  const file = `config/${name}.json`;
  const candidates = [new URL(`../schemas/${file}`, moduleUrl), new URL(`../../../schemas/${file}`, moduleUrl)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`${name} config schema not found (looked for ${candidates.map((url) => fileURLToPath(url)).join(', ')})`);
  const schema = JSON.parse(readFileSync(found, 'utf8')) as JsonSchema;
  configSchemas.set(name, schema);
  return schema;
}
