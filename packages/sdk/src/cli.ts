import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { aboutInfo, formatAbout } from './about.js';
import type { Catalog } from './catalog.js';
import { loadConfig, TAP_SDK_SETTINGS, type Config, type ConfigSpec } from './config.js';
import { ConfigError, errorMessage, FatalError } from './errors.js';
import { createLogger, type Logger } from './logging.js';
import { openInput, readMessageBatches } from './protocol/reader.js';
import { SingerWriter } from './protocol/writer.js';
import { normalizeState } from './state.js';
import { StreamMapper } from './stream-maps/index.js';
import { discover, sync } from './sync.js';
import type { Tap } from './tap.js';
import type { Target } from './target.js';
import { describeValidationError, singerValidator } from './validation.js';

type AboutFormat = 'json' | 'markdown' | 'text';

interface CommonArgs {
  config?: string[];
  about?: boolean;
  format?: AboutFormat;
  test?: boolean;
}

/** The options every connector shares; a connector supplies only its class. */
function commonOptions(argv: string[], identity: { name: string; version: string; description: string }): Argv<CommonArgs> {
  return yargs(argv)
    .scriptName(identity.name)
    .usage(`$0 [options]\n\n${identity.description}`)
    .option('config', { type: 'string', array: true, description: 'Config JSON file; repeat to merge several (later files win). Settings also come from the environment, see --about.' })
    .option('about', { type: 'boolean', description: 'Print capabilities and settings, then exit' })
    .option('format', { choices: ['json', 'markdown', 'text'] as const, default: 'text' as AboutFormat, description: 'Format of --about' })
    .option('test', { type: 'boolean', description: 'Check the connection with this config; exit 0 or 1 with a one-line reason' })
    .version(identity.version)
    .help()
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw new UsageError(message ?? errorMessage(error));
    });
}

class UsageError extends Error {}

interface Io {
  argv?: string[];
  stdout?: NodeJS.WritableStream & import('node:stream').Writable;
  env?: NodeJS.ProcessEnv;
}

/** Runs a tap's command line; resolves to the exit code (also set on `process.exitCode`). */
export async function runTapCli<C extends Config>(tap: Tap<C>, io: Io = {}): Promise<number> {
  return runCli(tap.name, async (session) => {
    let logger = session.logger;
    const argv = await commonOptions(io.argv ?? hideBin(process.argv), tap)
      .option('discover', { type: 'boolean', description: 'Print the catalog of available streams' })
      .option('catalog', { type: 'string', description: 'Catalog JSON file: which streams and fields to sync' })
      .option('properties', { type: 'string', description: 'Legacy name of --catalog' })
      .option('state', { type: 'string', description: 'State file to resume from (a state object, or Singer output whose last STATE is used)' })
      .conflicts('catalog', 'properties')
      .parseAsync();
    if (argv.help || argv.version) return 0;
    const spec: ConfigSpec = { schema: tap.configSchema, envPrefix: tap.envPrefix, envAliases: tap.envAliases, sdkSettings: TAP_SDK_SETTINGS };
    if (argv.about) {
      return printAbout(io, aboutInfo({ ...tap, description: tap.description, capabilities: tap.capabilities() }, spec), argv.format ?? 'text');
    }
    const { config, redactor } = loadConfig(argv.config ?? [], spec, { env: io.env, logger });
    logger = session.logger = createLogger({ name: tap.name, redactor });
    const writer = new SingerWriter(io.stdout ?? process.stdout, { redactState: (json) => redactor.redactText(json) });
    if (argv.test) {
      logger.info(`connection ok: ${await tap.testConnection(config as C, { logger })}`);
      return 0;
    }
    if (argv.discover) {
      const catalog = await discover(tap, config as C, logger);
      await writer.writeLine(JSON.stringify(catalog, null, 2));
      await writer.flush();
      return 0;
    }
    const catalogFile = argv.catalog ?? argv.properties;
    const catalog = catalogFile ? readCatalog(catalogFile) : undefined;
    const state = argv.state ? readState(argv.state) : undefined;
    const mapper = new StreamMapper({ stream_maps: config.stream_maps as never, stream_map_config: config.stream_map_config as never });
    const abort = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => abort.abort(signal);
    process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
    try {
      const summary = await sync(tap, { config: config as C, catalog, state, writer, logger, mapper, signal: abort.signal });
      if (abort.signal.aborted) throw new FatalError(`interrupted by ${String(abort.signal.reason)}; state was emitted up to the last record written`);
      const total = summary.streams.reduce((sum, s) => sum + s.records, 0);
      logger.info(`sync ${summary.stoppedEarly ? 'stopped early' : 'finished'}: ${total} records in ${summary.streams.length} streams`);
      return 0;
    } finally {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
    }
  });
}

/** Runs a target's command line; resolves to the exit code (also set on `process.exitCode`). */
export async function runTargetCli<C extends Config>(target: Target<C>, io: Io & { stdin?: import('node:stream').Readable } = {}): Promise<number> {
  return runCli(target.name, async (session) => {
    let logger = session.logger;
    const argv = await commonOptions(io.argv ?? hideBin(process.argv), target)
      .option('input', { type: 'string', description: 'Read Singer messages from this file instead of stdin' })
      .parseAsync();
    if (argv.help || argv.version) return 0;
    const spec: ConfigSpec = { schema: target.configSchema, envPrefix: target.envPrefix, envAliases: target.envAliases };
    if (argv.about) {
      return printAbout(io, aboutInfo({ ...target, description: target.description, capabilities: target.capabilities() }, spec), argv.format ?? 'text');
    }
    const { config, redactor } = loadConfig(argv.config ?? [], spec, { env: io.env, logger });
    logger = session.logger = createLogger({ name: target.name, redactor });
    if (argv.test) {
      logger.info(`connection ok: ${await target.testConnection(config as C, logger)}`);
      return 0;
    }
    const { stream, sourceName } = argv.input ? openInput(argv.input) : { stream: io.stdin ?? process.stdin, sourceName: 'stdin' };
    const parse = target.parseLine?.bind(target);
    const parseBytes = target.parseLineBytes?.bind(target);
    const writer = new SingerWriter(io.stdout ?? process.stdout);
    const abort = new AbortController();
    // Stop reading at once: nothing after the signal is loaded, and no later state is emitted.
    const onSignal = (signal: NodeJS.Signals) => {
      abort.abort(signal);
      stream.destroy(new FatalError(`interrupted by ${signal}; the last STATE printed is the last one committed`));
    };
    process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
    try {
      await target.run({ config: config as C, logger, input: readMessageBatches(stream, { sourceName, ...(parse ? { parse } : {}), ...(parseBytes ? { parseBytes } : {}) }), writer, signal: abort.signal });
      await writer.flush();
      return 0;
    } finally {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      // An open stdin would keep a failed target alive.
      stream.destroy();
    }
  });
}

/** The logger in force: replaced by one that redacts secrets as soon as the config is known. */
interface Session {
  logger: Logger;
}

async function runCli(name: string, body: (session: Session) => Promise<number>): Promise<number> {
  const session: Session = { logger: createLogger({ name }) };
  let code: number;
  try {
    code = await body(session);
  } catch (error) {
    code = error instanceof UsageError ? 2 : 1;
    // One line a person can act on; the stack only when asked for, since it rarely helps a user.
    session.logger.error(errorMessage(error).split('\n')[0] ?? 'failed');
    if (!(error instanceof FatalError) && !(error instanceof UsageError) && error instanceof Error && error.stack) session.logger.debug(error.stack);
  }
  process.exitCode = code;
  return code;
}

async function printAbout(io: Io, info: ReturnType<typeof aboutInfo>, format: AboutFormat): Promise<number> {
  const writer = new SingerWriter(io.stdout ?? process.stdout);
  await writer.writeLine(formatAbout(info, format));
  await writer.flush();
  return 0;
}

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
  }
  return parseJson(text, file, what);
}

function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${what} file ${file} is not valid JSON: ${errorMessage(error)}`);
  }
}

export function readCatalog(file: string): Catalog {
  const catalog = readJsonFile(file, 'catalog');
  const validate = singerValidator('catalog');
  if (!validate(catalog)) throw new ConfigError(`catalog file ${file}: ${describeValidationError(validate.errors, 'catalog')}`);
  const typed = catalog as Catalog;
  for (const entry of typed.streams) {
    entry.stream ??= entry.tap_stream_id;
    entry.metadata ??= [];
    entry.key_properties ??= [];
  }
  return typed;
}

/** A state object, or a file of Singer output (what a target printed), of which the last STATE counts. */
export function readState(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read state file ${file}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
  }
  if (text.trim() === '') return normalizeState({});
  try {
    return normalizeState(JSON.parse(text));
  } catch {
    const lines = text.trim().split('\n').filter((line) => line.trim() !== '');
    const last = lines.at(-1)!;
    return normalizeState(parseJson(last, file, 'state'));
  }
}
