/**
 * `bizops demo`: the simulated Salesforce, Zuora and Marketo with the demo company, the taps
 * pointed at them, into the warehouse (embedded Postgres by default), then the metrics.
 * The simulated present is kept in the data directory and moves one day per run, so a second
 * run finds new and changed records and moves the state on: it is incremental, like production.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@singer-io-ts/sdk';
import { startSimulators } from '@singer-io-ts/simulators';
import { resolveBin } from './bins.js';
import type { BizopsConfig, PipelineSettings } from './config.js';
import { readJsonFile } from './json-file.js';
import { analyticsSchema } from './metrics-cli.js';
import { runAll, type RunResult } from './run.js';
import type { SourceDefinition } from './sources.js';
import type { Warehouse } from './warehouse.js';

// The smallest company with churned subscriptions, which LTV (1 / churn rate) needs; about a minute here.
export const DEMO_SCALE = 0.2;
const DAY_MS = 86_400_000;

export interface DemoClock {
  seed: number | undefined;
  scale: number;
  /** The simulated present of the last successful run (ISO). */
  asOf: string;
  runs: number;
}

export interface DemoOptions {
  config: BizopsConfig;
  warehouse: Warehouse;
  env: NodeJS.ProcessEnv;
  scale?: number | undefined;
  buildMetrics?: boolean;
  sequential?: boolean;
  /** Simulated days between this run and the last (default 1). */
  advanceDays?: number;
  out: (text: string) => void;
  log: (message: string) => void;
}

export interface DemoResult extends RunResult {
  asOf: string;
  skipped: string[];
  /** The config the run used: the metrics' present is the simulated one. */
  config: BizopsConfig;
}

export function demoClockFile(config: BizopsConfig): string {
  return path.join(config.dataDir, 'demo.json');
}

const RESTART = 'run `bizops demo --reset` to start the demo over';

export function readDemoClock(config: BizopsConfig): DemoClock | undefined {
  const file = demoClockFile(config);
  if (!existsSync(file)) return undefined;
  const clock = readJsonFile(file, "the demo's clock", RESTART) as Partial<DemoClock> | null;
  if (typeof clock?.scale !== 'number' || Number.isNaN(Date.parse(String(clock.asOf)))) throw new Error(`the demo's clock ${file} holds no scale and simulated date; ${RESTART}`);
  return clock as DemoClock;
}

/** The schemas the demo fills: each pipeline's and the metrics'. */
export function demoSchemas(config: BizopsConfig): string[] {
  return [...new Set([...config.pipelines.map((p) => p.schema), analyticsSchema(config)])];
}

/**
 * Forgets the demo: its schemas, its clock and the pipelines' state. The schemas go too because
 * the target upserts: the rows of the company made before (another scale, or days the clock goes
 * back over) would stay beside the new ones and count in the metrics.
 */
export async function resetDemo(config: BizopsConfig, warehouse: Warehouse): Promise<string[]> {
  const schemas = demoSchemas(config);
  const client = await warehouse.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema.replace(/"/g, '""')}" cascade`);
  } finally {
    await client.end();
  }
  rmSync(demoClockFile(config), { force: true });
  rmSync(path.join(config.dataDir, 'state'), { recursive: true, force: true });
  return schemas;
}

/** Environment variables that would point a tap at a real system instead of the simulator. */
const SOURCE_ENV = /^(TAP_|SFDC_|ZUORA_|MARKETO_)/;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { config, log } = options;
  const previous = readDemoClock(config);
  const scale = options.scale ?? config.demo.scale ?? previous?.scale ?? DEMO_SCALE;
  if (previous && previous.scale !== scale) {
    throw new ConfigError(`the demo data in ${config.dataDir} was made at scale ${previous.scale}, not ${scale}: run \`bizops demo --reset\` to start over at the new scale`);
  }
  const seed = config.demo.seed ?? previous?.seed;
  const asOf = previous ? Date.parse(previous.asOf) + (options.advanceDays ?? 1) * DAY_MS : undefined;

  const sims = await startSimulators({ scale, ...(seed !== undefined ? { seed } : {}), ...(asOf !== undefined ? { asOf } : {}) });
  try {
    const present = new Date(sims.simulation.clock.now()).toISOString();
    log(`demo: no credentials needed: simulated Salesforce, Zuora and Marketo (scale ${scale}) on this machine, simulated date ${present}${previous ? ` (one day after the last run, ${previous.asOf})` : ' (first run: full extraction)'}`);
    const handles = { salesforce: sims.salesforce, zuora: sims.zuora, marketo: sims.marketo };
    const tapConfigs = sims.tapConfigs();
    const pipelines: PipelineSettings[] = [];
    const skipped: string[] = [];
    const overrides: Record<string, Record<string, unknown>> = {};
    const unusable = await Promise.all(config.pipelines.map((pipeline) => tapUnusable(pipeline.source)));
    for (const [index, pipeline] of config.pipelines.entries()) {
      const source = pipeline.source;
      const reason = unusable[index];
      if (reason) {
        skipped.push(source.name);
        log(`demo: skipping ${source.name}: ${reason}`);
        continue;
      }
      const handle = handles[source.name as keyof typeof handles];
      if (handle && source.demoScenario) Object.assign(handle.scenario, source.demoScenario);
      overrides[source.name] = { ...source.defaults, ...tapConfigs[`tap-${source.name}`], ...source.demoConfig };
      pipelines.push(pipeline);
    }
    const tapEnv = Object.fromEntries(Object.entries(options.env).filter(([name]) => !SOURCE_ENV.test(name)));
    // The metrics' "today" is the simulated present, not the machine's.
    const demoConfig: BizopsConfig = { ...config, metrics: { as_of: present.slice(0, 10), ...config.metrics } };
    const result = await runAll({ config: demoConfig, warehouse: options.warehouse, pipelines, tapEnv, sequential: options.sequential === true, buildMetrics: options.buildMetrics !== false, tapConfigOverride: overrides, out: options.out, log });
    if (result.outcomes.every((o) => o.ok)) writeDemoClock(config, { seed, scale, asOf: present, runs: (previous?.runs ?? 0) + 1 });
    return { ...result, asOf: present, skipped, config: demoConfig };
  } finally {
    await sims.close();
  }
}

function writeDemoClock(config: BizopsConfig, clock: DemoClock): void {
  mkdirSync(config.dataDir, { recursive: true });
  const file = demoClockFile(config);
  writeFileSync(`${file}.tmp`, JSON.stringify(clock, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** Why a source's tap cannot run here (its package is not installed), undefined if it can. */
export async function tapUnusable(source: SourceDefinition): Promise<string | undefined> {
  try {
    resolveBin(source.tapPackage, source.tapBin);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
