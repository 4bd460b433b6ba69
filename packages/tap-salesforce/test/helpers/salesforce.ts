/** Shared setup: a simulated org per test, configs for each login, in-process and CLI runs. */
import { fileURLToPath } from 'node:url';
import type { Catalog } from '@singer-io-ts/sdk';
import { discoverTap, runTap, selectStreams, type TapRun } from '@singer-io-ts/sdk/testing';
import { startSalesforce, type SalesforceScenario, type SalesforceSimulator, type Simulation } from '@singer-io-ts/simulators';
import type { ClientOptions } from '../../src/client.js';
import { TapSalesforce, type SalesforceConfig, type TapSalesforceOptions } from '../../src/index.js';
import { runBin, tempDir as sharedTempDir, type ProcessResult } from '../../../../test/helpers/processes.js';
export { cleanEnv, parseLines, writeJson, type ProcessResult } from '../../../../test/helpers/processes.js';

export const TAP_BIN = fileURLToPath(new URL('../../bin/tap-salesforce.js', import.meta.url));

export interface TestContext {
  teardown(fn: () => unknown): void;
}

export async function startOrg(t: TestContext, options: { scale?: number; scenario?: Partial<SalesforceScenario>; simulation?: Simulation } = {}): Promise<SalesforceSimulator> {
  const sf = await startSalesforce({ scale: options.scale ?? 0.1, ...(options.simulation ? { simulation: options.simulation } : {}), ...(options.scenario ? { scenario: options.scenario } : {}) });
  t.teardown(() => sf.close());
  return sf;
}

type Login = 'refresh_token' | 'oauth_password' | 'soap_password' | 'client_credentials';

/** The simulator's config reduced to the keys of one login, so the intended flow is the one used. */
export function configFor(sf: SalesforceSimulator, login: Login = 'refresh_token', extra: Partial<SalesforceConfig> = {}): SalesforceConfig {
  const all = sf.tapConfig as SalesforceConfig;
  const common = { login_url: all.login_url, api_version: all.api_version, start_date: all.start_date, api_type: 'REST' as const };
  const keys: Record<Login, Array<keyof SalesforceConfig>> = {
    refresh_token: ['client_id', 'client_secret', 'refresh_token'],
    oauth_password: ['client_id', 'client_secret', 'username', 'password', 'security_token'],
    soap_password: ['username', 'password', 'security_token'],
    client_credentials: ['client_id', 'client_secret'],
  };
  return { ...common, ...Object.fromEntries(keys[login].map((key) => [key, all[key]])), ...extra };
}

/** A tap whose retries and Bulk job polls wait milliseconds, not seconds (`retry` overrides the policy, `options` the rest). */
export function fastTap(retry: NonNullable<ClientOptions['retry']> = {}, options: Omit<TapSalesforceOptions, 'client'> = {}): TapSalesforce {
  return new TapSalesforce({ client: { retry: { baseDelayMs: 5, maxDelayMs: 20, ...retry } }, bulkPollIntervalMs: { initial: 5, max: 20 }, ...options });
}

export async function discoverCatalog(config: SalesforceConfig): Promise<Catalog> {
  return discoverTap(fastTap(), config);
}

/** Discovers, selects `streams`, runs a sync in-process. */
export async function syncStreams(config: SalesforceConfig, streams: string[], state?: unknown, tap: TapSalesforce = fastTap()): Promise<TapRun> {
  const catalog = selectStreams(await discoverTap(tap, config), streams);
  return runTap(tap, { config, catalog, ...(state !== undefined ? { state } : {}) });
}

/** What the simulator holds for an object at its present: every row, deleted ones included. */
export function simRows(sf: SalesforceSimulator, object: string): Array<Record<string, unknown>> {
  const table = sf.simulation.company.table('salesforce', object);
  if (!table) throw new Error(`no simulated table ${object}`);
  return [...table.scan({ asOf: sf.simulation.clock.now(), includeDeleted: true })];
}

export function simIds(sf: SalesforceSimulator, object: string): string[] {
  return simRows(sf, object)
    .map((row) => String(row.Id))
    .sort();
}

export function tempDir(prefix = 'tap-salesforce-'): string {
  return sharedTempDir(prefix);
}

/** The real CLI (bin/tap-salesforce.js, which imports dist: build first) as a child process. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return runBin(TAP_BIN, args, options);
}

/** Root metadata of a catalog entry. */
export function rootMetadata(catalog: Catalog, stream: string): Record<string, any> {
  const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
  if (!entry) throw new Error(`no stream ${stream} in the catalog`);
  return entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
}

export function fieldMetadata(catalog: Catalog, stream: string, field: string): Record<string, any> {
  const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
  return entry?.metadata.find((m) => m.breadcrumb[1] === field)?.metadata ?? {};
}
