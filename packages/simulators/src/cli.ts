import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { startSimulators, type RunningSimulators, type SimulatorsOptions } from './start-all.js';

const SERVERS = ['salesforce', 'zuora', 'marketo'] as const;

const USAGE = `Usage: bizops-simulators [--salesforce [PORT]] [--zuora [PORT]] [--marketo [PORT]] [options]

Starts local Salesforce, Zuora and Marketo API servers on one synthetic company
and prints, as JSON on stdout, the config each tap needs to point at them.
With no server flag all three start; a flag without PORT (or PORT 0) takes a free port.

Options:
  --seed N          dataset seed (default 1)
  --scale X         dataset size: 0.1 a few hundred records, 1 default, 1000 millions
  --as-of ISO       simulated present (default: the dataset's end, 2026-12-01T00:00:00Z)
  --host HOST       listen address (default 127.0.0.1)
  --config-dir DIR  also write tap-salesforce.json, tap-zuora.json, tap-marketo.json there
  --set S.KEY=VALUE change a scenario switch of server S (repeatable), e.g.
                    --set marketo.bulkStatusCadenceMs=1000 --set salesforce.queryTimeoutDays=90
  --help, --version
Stops on SIGINT or SIGTERM.`;

export class UsageError extends Error {}

/** A server flag may stand alone (`--zuora --marketo 7003`): give it port 0 so parseArgs sees a value. */
function withDefaultPorts(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, index) => {
    out.push(arg);
    const next = argv[index + 1];
    if (SERVERS.some((name) => arg === `--${name}`) && (next === undefined || !/^\d+$/.test(next))) out.push('0');
  });
  return out;
}

function parsePort(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--${name}: port must be an integer from 0 to 65535, got '${text}'`);
  return port;
}

function parseNumber(flag: string, text: string | undefined, check: (value: number) => boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || !check(value)) throw new UsageError(`--${flag}: invalid value '${text}'`);
  return value;
}

export interface ScenarioSetting {
  server: (typeof SERVERS)[number];
  key: string;
  value: unknown;
}

/** `marketo.bulkStatusCadenceMs=1000`: the value is read as JSON when it parses (numbers, booleans, arrays), else as text. */
function parseSetting(text: string): ScenarioSetting {
  const match = /^(salesforce|zuora|marketo)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/s.exec(text);
  if (!match) throw new UsageError(`--set: expected SERVER.KEY=VALUE with SERVER one of ${SERVERS.join(', ')}, got '${text}'`);
  const [, server, key, raw] = match as unknown as [string, ScenarioSetting['server'], string, string];
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // plain text
  }
  return { server, key, value };
}

type CliOptions = SimulatorsOptions & { configDir?: string; settings: ScenarioSetting[] };

export function parseCli(argv: readonly string[]): CliOptions | 'help' | 'version' {
  let values;
  try {
    ({ values } = parseArgs({
      args: withDefaultPorts(argv),
      strict: true,
      options: {
        salesforce: { type: 'string' },
        zuora: { type: 'string' },
        marketo: { type: 'string' },
        seed: { type: 'string' },
        scale: { type: 'string' },
        'as-of': { type: 'string' },
        host: { type: 'string' },
        'config-dir': { type: 'string' },
        set: { type: 'string', multiple: true },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  const options: CliOptions = { settings: (values.set ?? []).map(parseSetting) };
  for (const name of SERVERS) {
    const port = parsePort(name, values[name]);
    if (port !== undefined) options[name] = port;
  }
  const seed = parseNumber('seed', values.seed, Number.isInteger);
  if (seed !== undefined) options.seed = seed;
  const scale = parseNumber('scale', values.scale, (value) => value > 0);
  if (scale !== undefined) options.scale = scale;
  if (values['as-of'] !== undefined) {
    const asOf = Date.parse(values['as-of']);
    if (Number.isNaN(asOf)) throw new UsageError(`--as-of: not an ISO date-time: '${values['as-of']}'`);
    options.asOf = asOf;
  }
  if (values.host !== undefined) options.host = values.host;
  if (values['config-dir'] !== undefined) options.configDir = values['config-dir'];
  return options;
}

export async function main(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bizops-simulators: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  const { configDir, settings, ...options } = parsed;
  const simulators = await startSimulators(options);
  try {
    applySettings(simulators, settings);
  } catch (error) {
    await simulators.close();
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bizops-simulators: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const configs = simulators.tapConfigs();
  for (const handle of [simulators.salesforce, simulators.zuora, simulators.marketo]) {
    if (handle) process.stderr.write(`bizops-simulators: ${handle.name} listening on ${handle.url}\n`);
  }
  const { company, clock } = simulators.simulation;
  process.stderr.write(`bizops-simulators: company seed ${company.seed}, scale ${company.scale}, as of ${new Date(clock.now()).toISOString()}\n`);
  if (configDir !== undefined) {
    await mkdir(configDir, { recursive: true });
    for (const [tap, config] of Object.entries(configs)) {
      await writeFile(join(configDir, `${tap}.json`), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    }
    process.stderr.write(`bizops-simulators: tap configs written to ${configDir}\n`);
  }
  process.stdout.write(`${JSON.stringify(configs, null, 2)}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.stderr.write(`bizops-simulators: ${signal}, stopping\n`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await simulators.close();
}

function applySettings(simulators: RunningSimulators, settings: readonly ScenarioSetting[]): void {
  for (const { server, key, value } of settings) {
    const handle = simulators[server];
    if (!handle) throw new UsageError(`--set ${server}.${key}: the ${server} server is not started`);
    const scenario = handle.scenario as unknown as Record<string, unknown>;
    if (!(key in scenario)) {
      throw new UsageError(`--set ${server}.${key}: no such scenario switch; known: ${Object.keys(scenario).sort().join(', ')}`);
    }
    const current = scenario[key];
    if (current !== undefined && current !== null && typeof current !== typeof value) {
      throw new UsageError(`--set ${server}.${key}: expected a ${typeof current}, got ${JSON.stringify(value)}`);
    }
    scenario[key] = value;
  }
}
