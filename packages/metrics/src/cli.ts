import { parseArgs } from 'node:util';
import { ConfigError, Redactor, createLogger, errorMessage, readPackageVersion, type Logger } from '@singer-io-ts/sdk';
import { buildMetrics } from './build.js';
import { checkMetrics } from './check.js';
import { readConfigFile, validateConfig, type MetricsConfig } from './config.js';
import { FORMATS, formatRows, type Format } from './format.js';
import { showMetrics, type Grouping, type Model, type PeriodType } from './show.js';

const USAGE = `usage:
  bizops-metrics build --config metrics.json
  bizops-metrics show  --config metrics.json --by campaign|channel|person|organization
                       --period month|quarter|fiscal_year|all
                       --model first_touch|last_touch|linear|u_shaped|w_shaped|time_decay
                       [--format table|csv|json]
  bizops-metrics check --config metrics.json
Without --config the connection comes from the environment (PG*, DATABASE_URL, PG_ADDRESS, ...).`;

export interface CliIo {
  stdout?: (text: string) => void;
  logger?: Logger;
}

/** Runs one command; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  let redactor = new Redactor();
  let logger = io.logger ?? createLogger({ name: 'bizops-metrics' });
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        by: { type: 'string', default: 'campaign' },
        period: { type: 'string', default: 'quarter' },
        model: { type: 'string', default: 'first_touch' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
    if (values.version) {
      stdout(`${readPackageVersion(import.meta.url)}\n`);
      return 0;
    }
    const command = positionals[0];
    if (values.help || command === undefined) {
      stdout(USAGE + '\n');
      return values.help ? 0 : 2;
    }
    if (positionals.length > 1) throw new ConfigError(`unexpected argument "${positionals[1]}"`);
    const loaded = values.config ? readConfigFile(values.config) : validateConfig({});
    redactor = loaded.redactor;
    if (!io.logger) logger = createLogger({ name: 'bizops-metrics', redactor });
    const config: MetricsConfig = loaded.config;
    switch (command) {
      case 'build': {
        const report = await buildMetrics(config, { logger });
        for (const layer of report.layers) logger.info(`layer ${layer.layer} (${layer.name}): ${(layer.ms / 1000).toFixed(2)} s`);
        return 0;
      }
      case 'show': {
        const format = values.format as Format;
        if (!FORMATS.includes(format)) throw new ConfigError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
        const rows = await showMetrics(config, { by: values.by as Grouping, period: values.period as PeriodType, model: values.model as Model });
        stdout(formatRows(rows, format));
        return 0;
      }
      case 'check': {
        const findings = await checkMetrics(config, { logger });
        for (const f of findings) {
          const examples = f.examples.length ? ` e.g. ${f.examples.join(', ')}` : '';
          stdout(`${f.findings === 0 ? 'ok  ' : 'WARN'} ${f.check}: ${f.findings} — ${f.description}${f.findings ? examples : ''}\n`);
        }
        return 0;
      }
      default:
        throw new ConfigError(`unknown command "${command}" (build, show or check)`);
    }
  } catch (error) {
    const usage = error instanceof ConfigError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    logger.error(redactor.redactText(errorMessage(error)));
    return usage ? 2 : 1;
  }
}
