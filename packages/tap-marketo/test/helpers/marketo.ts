/** Shared setup: a simulated Marketo per test, configs, in-process and CLI runs. */
import { fileURLToPath } from 'node:url';
import type { Catalog } from '@singer-io-ts/sdk';
import { discoverTap, runTap, selectStreams, type TapRun } from '@singer-io-ts/sdk/testing';
import { startMarketo, type MarketoScenario, type MarketoSimulator, type Simulation } from '@singer-io-ts/simulators';
import { TapMarketo, type MarketoConfig } from '../../src/index.js';
import { runBin, tempDir as sharedTempDir, type ProcessResult } from '../../../../test/helpers/processes.js';
export { cleanEnv, parseLines, writeJson, type ProcessResult } from '../../../../test/helpers/processes.js';

export const TAP_BIN = fileURLToPath(new URL('../../bin/tap-marketo.js', import.meta.url));

export const ALL_STREAMS = ['leads', 'activities', 'activity_types', 'programs', 'program_members', 'campaigns', 'lists', 'emails', 'landing_pages', 'deleted_leads'];

export interface TestContext {
  teardown(fn: () => unknown): void;
}

/** Export status advances every 20 ms and rate windows last 2 s, so tests wait milliseconds, not minutes. */
export const FAST_SCENARIO: Partial<MarketoScenario> = { bulkStatusCadenceMs: 20, rateWindowMs: 2_000 };

export async function startInstance(t: TestContext, options: { scale?: number; scenario?: Partial<MarketoScenario>; simulation?: Simulation } = {}): Promise<MarketoSimulator> {
  const mk = await startMarketo({
    scale: options.scale ?? 0.02,
    ...(options.simulation ? { simulation: options.simulation } : {}),
    scenario: { ...FAST_SCENARIO, ...options.scenario },
  });
  t.teardown(() => mk.close());
  return mk;
}

/** The simulator's config with polling and rate windows matched to FAST_SCENARIO. */
export function configFor(mk: MarketoSimulator, extra: Partial<MarketoConfig> = {}): MarketoConfig {
  return {
    ...(mk.tapConfig as MarketoConfig),
    export_poll_interval_ms: 10,
    export_poll_max_ms: 40,
    rate_window_seconds: mk.scenario.rateWindowMs / 1000,
    ...extra,
  };
}

/** A tap whose retries wait milliseconds. */
export function fastTap(): TapMarketo {
  return new TapMarketo({ client: { retry: { baseDelayMs: 5, maxDelayMs: 20 } } });
}

export async function discoverCatalog(config: MarketoConfig): Promise<Catalog> {
  return discoverTap(fastTap(), config);
}

export async function syncStreams(config: MarketoConfig, streams: string[], state?: unknown, tap: TapMarketo = fastTap()): Promise<TapRun> {
  const catalog = selectStreams(await discoverTap(tap, config), streams);
  return runTap(tap, { config, catalog, ...(state !== undefined ? { state } : {}) });
}

type Row = Record<string, unknown>;

/** What the simulator holds for a table at its present (deleted rows left out, as the API leaves them out). */
export function simRows(mk: MarketoSimulator, table: string, options: { includeDeleted?: boolean } = {}): Row[] {
  const found = mk.simulation.company.table('marketo', table);
  if (!found) throw new Error(`no simulated table ${table}`);
  return [...found.scan({ asOf: mk.simulation.clock.now(), ...(options.includeDeleted ? { includeDeleted: true } : {}) })];
}

export function tempDir(prefix = 'tap-marketo-'): string {
  return sharedTempDir(prefix);
}

/** The real CLI (bin/tap-marketo.js, which imports dist: build first) as a child process. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return runBin(TAP_BIN, args, options);
}
