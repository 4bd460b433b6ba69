import { runCli } from './cli.js';

export { buildMetrics, runBuild, withTransaction, SqlFileError, type BuildOptions, type BuildReport } from './build.js';
export { checkMetrics, type CheckFinding } from './check.js';
export { loadConfigSchema, readConfigFile, settingsOf, validateConfig, type MetricsConfig, type MetricsSettings } from './config.js';
export { formatRows, FORMATS, type Format } from './format.js';
export { showMetrics, GROUPINGS, MODELS, PERIODS, type Grouping, type MetricRow, type Model, type PeriodType, type ShowOptions } from './show.js';
export { runCli } from './cli.js';
export { SQL_DIR, buildFiles, render, splitStatements } from './sql-files.js';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runCli(argv);
}
