/** The `bizops` command line. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, readPackageVersion } from '@singer-io-ts/sdk';
import { loadConfig, type BizopsConfig } from './config.js';
import { demoSchemas, resetDemo, runDemo } from './demo.js';
import { connectionUrl, embeddedConnection, isInitialised, runningPort, stopEmbedded } from './embedded.js';
import { analyticsSchema, lastLines, runMetrics, showCampaigns } from './metrics-cli.js';
import { formatCampaignMetrics } from './metrics-table.js';
import { readReportData } from './report/data.js';
import { renderReportHtml } from './report/html.js';
import { runAll } from './run.js';
import { SOURCES } from './sources.js';
import { openWarehouse, refuseThrowAwayWarehouse, type Warehouse } from './warehouse.js';

export const USAGE = `Usage: bizops <command> [options]

Commands:
  demo [--scale X] [--reset]   Simulated Salesforce, Zuora and Marketo → warehouse → metrics (what \`npm start\` runs).
                               Each run moves the simulated date on one day and extracts incrementally;
                               --reset starts over: drops the demo's schemas, forgets its state and date.
  run [pipeline...]            Run the configured pipelines (${SOURCES.map((s) => s.name).join(', ')}): tap | target-postgres,
                               state kept in <data_dir>/state, logs in <data_dir>/logs/<run>; then bizops-metrics build.
  report [--out FILE]          Write a self-contained HTML report (default <data_dir>/report.html).
  metrics <show|check|build> ...  Run bizops-metrics against the warehouse (e.g. metrics show --by channel).
  db url|start|stop|status     The embedded Postgres: its connection URL for a BI tool (url and start keep it
                               running until \`db stop\`); otherwise it runs only while a command runs.

Options:
  --config FILE    bizops.yml or .json (default: BIZOPS_CONFIG, else ./bizops.yml, ./bizops.yaml, ./bizops.json)
  --no-metrics     run/demo: skip bizops-metrics build
  --sequential     run/demo: one pipeline after the other (default: all at once)
  --model MODEL    demo: attribution model of the printed table (default first_touch)
  --drop-schemas   demo --reset on a configured warehouse: drop the demo's schemas there too
  --version, --help
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const defaultIo = (): CliIo => ({
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  env: process.env,
  cwd: process.cwd(),
});

const OPTIONS = {
  config: { type: 'string' },
  'no-metrics': { type: 'boolean' },
  sequential: { type: 'boolean' },
  scale: { type: 'string' },
  reset: { type: 'boolean' },
  'drop-schemas': { type: 'boolean' },
  out: { type: 'string' },
  model: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const COMMANDS = ['demo', 'run', 'report', 'metrics', 'db'] as const;

/** The command line as `cli` reads it; throws on an unknown option. Exported so a CI job's commands can be checked without running them. */
export function parseCommandLine(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
}

/** Runs one command; resolves to the exit code. */
export async function cli(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    // `metrics` passes its own options through.
    if (argv[0] !== 'metrics') {
      io.err(`bizops: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
  }
  const log = (message: string) => io.err(`bizops: ${message}`);
  try {
    if (argv[0] === 'metrics') return await metricsCommand(argv.slice(1), io, log);
    const { values, positionals } = parsed!;
    if (values.version) {
      io.out(readPackageVersion(import.meta.url));
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || !command || command === 'help') {
      io.out(USAGE);
      return command || values.help ? 0 : 2;
    }
    if (!(COMMANDS as readonly string[]).includes(command)) {
      io.err(`bizops: unknown command "${command}"\n\n${USAGE}`);
      return 2;
    }
    const config = loadConfig({ file: values.config, cwd: io.cwd, env: io.env });
    switch (command) {
      case 'run':
        return await runCommand(config, rest, { metrics: !values['no-metrics'], sequential: values.sequential === true }, io, log);
      case 'demo': {
        const scale = values.scale === undefined ? undefined : Number(values.scale);
        if (scale !== undefined && !(scale > 0)) throw new ConfigError(`--scale ${values.scale}: must be a positive number`);
        if (values['drop-schemas'] && !values.reset) throw new ConfigError('--drop-schemas goes with --reset');
        // In a warehouse of one's own the demo's schema names may be taken by real data: dropping them is asked for, not assumed.
        if (values.reset && config.warehouse && !values['drop-schemas']) {
          throw new ConfigError(
            `demo --reset drops the demo's schemas (${demoSchemas(config).join(', ')}), and the warehouse is configured (${config.file ?? 'environment'}), not embedded: ` +
              'add --drop-schemas to drop them there, or give the demo schemas of its own (pipelines.<name>.schema, metrics.target_schema)',
          );
        }
        return await demoCommand(config, scale, { metrics: !values['no-metrics'], sequential: values.sequential === true, reset: values.reset === true }, values.model ?? 'first_touch', io, log);
      }
      case 'report':
        return await reportCommand(config, values.out, io, log);
      case 'db':
        return await dbCommand(config, rest[0], io, log);
      default:
        // `metrics` after an option: its own options are only passed through as the first word.
        io.err(`bizops: put \`metrics\` first: bizops metrics ${rest.join(' ')}`);
        return 2;
    }
  } catch (err) {
    io.err(`bizops: ${(err as Error).message}`);
    return err instanceof ConfigError ? 2 : 1;
  }
}

/** The data directory, ignoring itself: state, logs and the database must not end up in git. */
function prepareDataDir(config: BizopsConfig): void {
  mkdirSync(config.dataDir, { recursive: true });
  const ignore = path.join(config.dataDir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# bizops data: state, logs, embedded Postgres\n*\n');
}

interface RunFlags {
  metrics: boolean;
  sequential: boolean;
}

async function withWarehouse<T>(config: BizopsConfig, io: CliIo, log: (m: string) => void, fn: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  prepareDataDir(config);
  const warehouse = await openWarehouse(config, io.env, log);
  // Ctrl-C must not leave the embedded server running when this command started it.
  const onSignal = (signal: NodeJS.Signals) => {
    void warehouse.release().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(warehouse);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await warehouse.release();
  }
}

async function runCommand(config: BizopsConfig, names: string[], { metrics, sequential }: RunFlags, io: CliIo, log: (m: string) => void): Promise<number> {
  for (const name of names) {
    if (!config.pipelines.some((p) => p.source.name === name)) throw new ConfigError(`unknown pipeline "${name}" (known: ${SOURCES.map((s) => s.name).join(', ')})`);
    if (config.disabled.includes(name)) throw new ConfigError(`${config.file ?? 'bizops.yml'}: pipelines.${name}.enabled is false`);
    if (!config.configured.includes(name)) throw new ConfigError(`pipeline ${name} has no credentials: set them in ${config.file ?? 'bizops.yml'} (pipelines.${name}.config) or the environment (${Object.keys(SOURCES.find((s) => s.name === name)!.envAliases).join(', ')})`);
  }
  const chosen = names.length ? names : config.configured;
  if (!chosen.length) {
    throw new ConfigError(
      `no credentials configured for any pipeline (${config.file ?? 'no bizops.yml found'}; environment: SFDC_*, ZUORA_*, MARKETO_*). ` + 'To try bizops on simulated data, run `bizops demo` (or `npm start`).',
    );
  }
  refuseThrowAwayWarehouse(config, io.env);
  const pipelines = config.pipelines.filter((p) => chosen.includes(p.source.name));
  return withWarehouse(config, io, log, async (warehouse) => {
    const result = await runAll({ config, warehouse, pipelines, tapEnv: io.env, buildMetrics: metrics, sequential, out: io.out, log });
    return result.ok ? 0 : 1;
  });
}

async function demoCommand(config: BizopsConfig, scale: number | undefined, { metrics, sequential, reset }: RunFlags & { reset: boolean }, model: string, io: CliIo, log: (m: string) => void): Promise<number> {
  return withWarehouse(config, io, log, async (warehouse) => {
    if (reset) log(`demo reset: schemas ${(await resetDemo(config, warehouse)).join(', ')} dropped; state and simulated date in ${config.dataDir} forgotten`);
    const result = await runDemo({ config, warehouse, env: io.env, scale, buildMetrics: metrics, sequential, out: io.out, log });
    if (!result.ok) return 1;
    if (metrics) io.out(formatCampaignMetrics(await showCampaigns(result.config, warehouse, model), model));
    // The embedded server stops with this command: say how to have it running for a BI tool.
    const bi = warehouse.kind === 'embedded' ? '`bizops db url` starts the database for a BI tool and prints its URL (`bizops db stop` stops it)' : `a BI tool connects to ${warehouse.description}`;
    log(`warehouse: ${warehouse.description}; \`bizops report\` writes the HTML report; ${bi}`);
    return 0;
  });
}

async function reportCommand(config: BizopsConfig, out: string | undefined, io: CliIo, log: (m: string) => void): Promise<number> {
  const file = path.resolve(io.cwd, out ?? path.join(config.dataDir, 'report.html'));
  return withWarehouse(config, io, log, async (warehouse) => {
    const data = await readReportData(() => warehouse.connect(), analyticsSchema(config), warehouse.description);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, renderReportHtml(data));
    io.out(file);
    return 0;
  });
}

/** bizops's own `--config FILE` / `--config=FILE` out of the arguments `metrics` passes through. */
function takeConfigOption(args: string[]): { file: string | undefined; rest: string[] } {
  let file: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg.startsWith('--config=')) file = arg.slice('--config='.length);
    else if (arg === '--config') file = args[++i];
    else {
      rest.push(arg);
      continue;
    }
    if (!file || file.startsWith('-')) throw new ConfigError('--config needs a file: --config bizops.yml');
  }
  return { file, rest };
}

async function metricsCommand(args: string[], io: CliIo, log: (m: string) => void): Promise<number> {
  const { file, rest } = takeConfigOption(args);
  const config = loadConfig({ file, cwd: io.cwd, env: io.env });
  return withWarehouse(config, io, log, async (warehouse) => {
    const run = await runMetrics(rest, config, warehouse);
    if (run.stdout) io.out(run.stdout);
    if (run.code !== 0) io.err(lastLines(run.stderr, 20));
    return typeof run.code === 'number' ? run.code : 1;
  });
}

async function dbCommand(config: BizopsConfig, action: string | undefined, io: CliIo, log: (m: string) => void): Promise<number> {
  if (config.warehouse) {
    if (action !== 'url') throw new ConfigError(`db ${action ?? ''}: the warehouse is configured (${config.file ?? 'environment'}), not embedded; only \`db url\` applies`);
    const warehouse = await openWarehouse(config, io.env, log);
    const c = warehouse.clientConfig;
    io.out(`postgresql://${encodeURIComponent(String(c.user))}@${c.host}:${c.port}/${encodeURIComponent(String(c.database))}`);
    return 0;
  }
  const dir = config.embedded.dataDir;
  // Not released: the server keeps running for BI tools and later commands.
  const startForGood = async () => connectionUrl((await openWarehouse(config, io.env, log)).clientConfig as Parameters<typeof connectionUrl>[0]);
  switch (action) {
    case 'start': {
      prepareDataDir(config);
      io.out(await startForGood());
      log('the embedded Postgres keeps running until `bizops db stop`');
      return 0;
    }
    case 'stop':
      log((await stopEmbedded(dir)) ? 'embedded Postgres stopped' : 'embedded Postgres was not running');
      return 0;
    case 'status':
    case 'url': {
      if (!isInitialised(dir)) {
        io.err(`bizops: no embedded Postgres in ${dir} yet: \`bizops demo\`, \`bizops run\` or \`bizops db start\` creates it`);
        return 1;
      }
      const port = await runningPort(dir);
      if (action === 'status') {
        io.out(port === undefined ? `stopped (${dir})` : `running on 127.0.0.1:${port} (${dir})`);
        return 0;
      }
      // A BI tool needs the server up, not only its address: a stopped one is started, as `db start` does.
      io.out(port === undefined ? await startForGood() : connectionUrl(embeddedConnection(dir, port)));
      if (port === undefined) log('the embedded Postgres was stopped: started it; it keeps running until `bizops db stop`');
      return 0;
    }
    default:
      throw new ConfigError(`db ${action ?? ''}: expected url, start, stop or status`);
  }
}
