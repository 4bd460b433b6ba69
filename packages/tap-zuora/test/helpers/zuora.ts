/** Shared setup: a simulated tenant per test, configs per login, in-process and CLI runs. */
import { fileURLToPath } from 'node:url';
import type { Catalog } from '@singer-io-ts/sdk';
import { discoverTap, runTap, selectStreams, type TapRun } from '@singer-io-ts/sdk/testing';
import { startZuora, type Simulation, type ZuoraScenario, type ZuoraSimulator } from '@singer-io-ts/simulators';
import { TapZuora, type ZuoraConfig } from '../../src/index.js';
import type { ReaderOptions } from '../../src/streams/reader.js';
import { runBin, tempDir as sharedTempDir, type ProcessResult } from '../../../../test/helpers/processes.js';
export { cleanEnv, parseLines, writeJson, type ProcessResult } from '../../../../test/helpers/processes.js';

export const TAP_BIN = fileURLToPath(new URL('../../bin/tap-zuora.js', import.meta.url));

export const OBJECTS = ['Account', 'Contact', 'Subscription', 'RatePlan', 'RatePlanCharge', 'Amendment', 'Product', 'ProductRatePlan', 'ProductRatePlanCharge', 'Invoice', 'InvoiceItem', 'Payment', 'CreditBalanceAdjustment', 'RefundInvoicePayment'];

export interface TestContext {
  teardown(fn: () => unknown): void;
}

export async function startTenant(t: TestContext, options: { scale?: number; scenario?: Partial<ZuoraScenario>; simulation?: Simulation } = {}): Promise<ZuoraSimulator> {
  const zuora = await startZuora({ scale: options.scale ?? 0.05, ...(options.simulation ? { simulation: options.simulation } : {}), ...(options.scenario ? { scenario: options.scenario } : {}) });
  t.teardown(() => zuora.close());
  return zuora;
}

type Login = 'oauth' | 'basic';

/** The simulator's config reduced to one login, so the intended flow is the one used. */
export function configFor(zuora: ZuoraSimulator, login: Login = 'oauth', extra: Partial<ZuoraConfig> = {}): ZuoraConfig {
  const all = zuora.tapConfig as ZuoraConfig;
  const common = { base_url: all.base_url, start_date: all.start_date, partner_id: all.partner_id };
  const keys: Array<keyof ZuoraConfig> = login === 'oauth' ? ['client_id', 'client_secret'] : ['username', 'password'];
  return { ...common, ...Object.fromEntries(keys.map((key) => [key, all[key]])), ...extra };
}

/** A tap whose retries and job polls wait milliseconds, not seconds. */
export function fastTap(reader: Partial<ReaderOptions> = {}): TapZuora {
  return new TapZuora({ client: { retry: { baseDelayMs: 5, maxDelayMs: 20 } }, reader: { pollIntervalMs: { initial: 2, max: 10 }, ...reader } });
}

export async function discoverCatalog(config: ZuoraConfig, tap: TapZuora = fastTap()): Promise<Catalog> {
  return discoverTap(tap, config);
}

/** Discovers (only `streams`), selects them, runs a sync in-process. */
export async function syncStreams(config: ZuoraConfig, streams: string[], state?: unknown, tap: TapZuora = fastTap()): Promise<TapRun> {
  const catalog = selectStreams(await discoverTap(tap, { ...config, streams_to_discover: streams }), streams);
  return runTap(tap, { config, catalog, ...(state !== undefined ? { state } : {}) });
}

/** What the simulator holds for an object at its present: every row, deleted ones included. */
export function simRows(zuora: ZuoraSimulator, object: string, includeDeleted = true): Array<Record<string, unknown>> {
  const table = zuora.simulation.company.table('zuora', object);
  if (!table) throw new Error(`no simulated table ${object}`);
  return [...table.scan({ asOf: zuora.simulation.clock.now(), includeDeleted })];
}

export function simIds(zuora: ZuoraSimulator, object: string, includeDeleted = true): string[] {
  return simRows(zuora, object, includeDeleted)
    .map((row) => String(row.Id))
    .sort();
}

export const ids = (records: Array<Record<string, unknown>>): string[] => [...new Set(records.map((r) => String(r.Id)))].sort();

export function tempDir(prefix = 'tap-zuora-'): string {
  return sharedTempDir(prefix);
}

/** The real CLI (bin/tap-zuora.js, which imports dist: build first) as a child process. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return runBin(TAP_BIN, args, options);
}

export function rootMetadata(catalog: Catalog, stream: string): Record<string, any> {
  const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
  if (!entry) throw new Error(`no stream ${stream} in the catalog`);
  return entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
}

export function fieldMetadata(catalog: Catalog, stream: string, field: string): Record<string, any> {
  const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
  return entry?.metadata.find((m) => m.breadcrumb[1] === field)?.metadata ?? {};
}
