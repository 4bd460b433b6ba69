/**
 * bizops.yml (or .json): the pipelines, their tap configs, the warehouse and the metrics
 * options, with every setting also taken from the environment (the origin document's CI
 * variables included), validated with errors that name the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, readJsonObjectFile } from '@singer-io-ts/sdk';
import { SOURCES, sourceNamed, type SourceDefinition } from './sources.js';
import { serverDataDir } from './embedded.js';

export const CONFIG_FILE_NAMES = ['bizops.yml', 'bizops.yaml', 'bizops.json'];

export interface PipelineSettings {
  source: SourceDefinition;
  /** Postgres schema of the raw tables. */
  schema: string;
  /** The tap's config: file values, then the environment on top. */
  tapConfig: Record<string, unknown>;
  /** Extra target-postgres settings for this pipeline (batch sizes, ...). */
  targetConfig: Record<string, unknown>;
}

export interface BizopsConfig {
  /** The config file read, if any (named in errors). */
  file: string | undefined;
  projectDir: string;
  /** Where state, logs and the demo's clock live. */
  dataDir: string;
  /** target-postgres connection keys; undefined: the embedded Postgres. */
  warehouse: Record<string, unknown> | undefined;
  /** The file says `warehouse: embedded`: the embedded Postgres was chosen, not fallen back to. */
  embeddedChosen: boolean;
  embedded: { dataDir: string; port: number | undefined };
  /** Every known source, configured or not, in SOURCES order. */
  pipelines: PipelineSettings[];
  /** Names of the pipelines with credentials (file or environment), not disabled. */
  configured: string[];
  /** Names of the pipelines with `enabled: false`. */
  disabled: string[];
  metrics: Record<string, unknown>;
  demo: { scale: number | undefined; seed: number | undefined };
}

export interface LoadOptions {
  /** --config; else BIZOPS_CONFIG; else bizops.yml/.yaml/.json in cwd. */
  file?: string | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

const TOP_KEYS = ['data_dir', 'warehouse', 'embedded', 'pipelines', 'metrics', 'demo'];
const PIPELINE_KEYS = ['schema', 'config', 'target', 'enabled'];
const WAREHOUSE_ENV = ['PG_ADDRESS', 'DATABASE_URL', 'PGHOST', 'TARGET_POSTGRES_HOST', 'TARGET_POSTGRES_CONNECTION_STRING'];
const METRICS_KEYS: Record<string, 'string' | 'number' | 'month'> = {
  target_schema: 'string',
  iacv_field: 'string',
  gross_margin: 'number',
  fiscal_year_start_month: 'month',
  time_decay_half_life_days: 'number',
  as_of: 'string',
};

type Json = Record<string, unknown>;

export function loadConfig(options: LoadOptions = {}): BizopsConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = findConfigFile(options.file ?? env.BIZOPS_CONFIG, cwd);
  const raw = file ? readConfigFile(file) : {};
  const where = (key: string) => `${file ? path.relative(cwd, file) || file : 'configuration'}: ${key}`;
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${where(key)} ${message}`);
  };

  for (const key of Object.keys(raw)) if (!TOP_KEYS.includes(key)) fail(key, `is not a known key (known: ${TOP_KEYS.join(', ')})`);
  const projectDir = file ? path.dirname(file) : cwd;
  const dataDir = path.resolve(projectDir, optionalString(raw, 'data_dir', fail) ?? env.BIZOPS_DATA_DIR ?? '.bizops');

  const embeddedRaw = optionalObject(raw, 'embedded', fail) ?? {};
  for (const key of Object.keys(embeddedRaw)) if (!['data_dir', 'port'].includes(key)) fail(`embedded.${key}`, 'is not a known key (known: data_dir, port)');
  const embeddedDir = optionalString(embeddedRaw, 'data_dir', (k, m) => fail(`embedded.${k}`, m));
  const embeddedPort = optionalPort(embeddedRaw.port ?? env.BIZOPS_EMBEDDED_PORT, () => fail('embedded.port', 'must be a port number (1-65535)'));

  const warehouse = warehouseSettings(raw.warehouse, env, fail);
  const pipelines = pipelineSettings(raw.pipelines, env, fail);
  const configured = pipelines.filter((p) => p.source.credentialKeys.some((key) => p.tapConfig[key] !== undefined || env[`TAP_${p.source.name.toUpperCase()}_${key.toUpperCase()}`])).map((p) => p.source.name);
  const disabled = new Set(disabledPipelines(raw.pipelines));

  const metrics = optionalObject(raw, 'metrics', fail) ?? {};
  for (const [key, value] of Object.entries(metrics)) {
    const kind = METRICS_KEYS[key];
    if (!kind) fail(`metrics.${key}`, `is not a known key (known: ${Object.keys(METRICS_KEYS).join(', ')})`);
    if (kind === 'string' && typeof value !== 'string') fail(`metrics.${key}`, 'must be a string');
    if (kind === 'number' && typeof value !== 'number') fail(`metrics.${key}`, 'must be a number');
    if (kind === 'month' && !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 12)) fail(`metrics.${key}`, 'must be a month number 1-12');
  }

  const demoRaw = optionalObject(raw, 'demo', fail) ?? {};
  for (const [key, value] of Object.entries(demoRaw)) {
    if (!['scale', 'seed'].includes(key)) fail(`demo.${key}`, 'is not a known key (known: scale, seed)');
    if (typeof value !== 'number' || !(value > 0 || (key === 'seed' && value === 0))) fail(`demo.${key}`, 'must be a positive number');
  }

  return {
    file,
    projectDir,
    dataDir,
    warehouse,
    embeddedChosen: raw.warehouse === 'embedded',
    embedded: { dataDir: serverDataDir(embeddedDir ? path.resolve(projectDir, embeddedDir) : path.join(dataDir, 'postgres')), port: embeddedPort },
    pipelines,
    configured: configured.filter((name) => !disabled.has(name)),
    disabled: [...disabled],
    metrics,
    demo: { scale: demoRaw.scale as number | undefined, seed: demoRaw.seed as number | undefined },
  };
}

function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(`config file ${explicit} does not exist`);
    return file;
  }
  return CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
}

function readConfigFile(file: string): Json {
  if (file.endsWith('.json')) return readJsonObjectFile(file);
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    // Only the position: YAML's message can quote the line, which may hold a secret.
    const at = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
    throw new ConfigError(`${file}${at}: not valid YAML${err instanceof YAMLParseError ? ` (${err.code})` : ''}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObject(parsed)) throw new ConfigError(`${file}: must hold a mapping of settings (data_dir, warehouse, pipelines, metrics, ...)`);
  return parsed;
}

type Fail = (key: string, message: string) => never;

function warehouseSettings(value: unknown, env: NodeJS.ProcessEnv, fail: Fail): Json | undefined {
  if (value === 'embedded') return undefined;
  if (value !== undefined && !isObject(value)) fail('warehouse', 'must be a mapping of target-postgres connection keys (host, port, user, password, database, ...) or "embedded"');
  if (isObject(value)) {
    if (value.port !== undefined && optionalPort(value.port, () => undefined) === undefined) fail('warehouse.port', 'must be a port number (1-65535)');
    for (const [key, v] of Object.entries(value)) if (v !== null && typeof v === 'object') fail(`warehouse.${key}`, 'must be a string, number or boolean');
    return value;
  }
  // The connection keys come from the environment (PG_*, PG*, DATABASE_URL), as target-postgres reads them.
  return WAREHOUSE_ENV.some((name) => env[name]) ? {} : undefined;
}

function disabledPipelines(value: unknown): string[] {
  return isObject(value) ? Object.entries(value).filter(([, p]) => isObject(p) && p.enabled === false).map(([name]) => name) : [];
}

function pipelineSettings(value: unknown, env: NodeJS.ProcessEnv, fail: Fail): PipelineSettings[] {
  if (value !== undefined && !isObject(value)) fail('pipelines', `must be a mapping of pipeline name (${SOURCES.map((s) => s.name).join(', ')}) to its settings`);
  const given = (value ?? {}) as Json;
  for (const name of Object.keys(given)) {
    if (!sourceNamed(name)) fail(`pipelines.${name}`, `is not a known pipeline (known: ${SOURCES.map((s) => s.name).join(', ')})`);
  }
  return SOURCES.map((source) => {
    const key = `pipelines.${source.name}`;
    const entry = given[source.name] ?? {};
    if (!isObject(entry)) return fail(key, 'must be a mapping (schema, config, target, enabled)');
    for (const k of Object.keys(entry)) if (!PIPELINE_KEYS.includes(k)) fail(`${key}.${k}`, `is not a known key (known: ${PIPELINE_KEYS.join(', ')})`);
    if (entry.enabled !== undefined && typeof entry.enabled !== 'boolean') fail(`${key}.enabled`, 'must be true or false');
    const schema = optionalString(entry, 'schema', (k, m) => fail(`${key}.${k}`, m)) ?? source.name;
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) fail(`${key}.schema`, `"${schema}" must be a lower-case Postgres identifier`);
    const fileConfig = optionalObject(entry, 'config', (k, m) => fail(`${key}.${k}`, m)) ?? {};
    const targetConfig = optionalObject(entry, 'target', (k, m) => fail(`${key}.${k}`, m)) ?? {};
    const fromEnv = Object.fromEntries(Object.entries(source.envAliases).filter(([name]) => env[name]).map(([name, configKey]) => [configKey, env[name]]));
    return { source, schema, tapConfig: { ...source.defaults, ...fileConfig, ...fromEnv }, targetConfig };
  });
}

function optionalString(obj: Json, key: string, fail: Fail): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') return fail(key, 'must be a non-empty string');
  return value;
}

function optionalObject(obj: Json, key: string, fail: Fail): Json | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return fail(key, 'must be a mapping');
  return value;
}

function optionalPort(value: unknown, fail: () => undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : fail();
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
