export { cli, USAGE, type CliIo } from './cli.js';
export { loadConfig, type BizopsConfig, type PipelineSettings } from './config.js';
export { SOURCES, SALESFORCE_OBJECTS, type SourceDefinition } from './sources.js';
export { runAll, type RunResult } from './run.js';
export { runDemo, DEMO_SCALE } from './demo.js';
export { ensureEmbedded, stopEmbedded, runningPort, connectionUrl } from './embedded.js';
export { StateStore } from './state-store.js';

/** The bin's entry: runs the command line and exits with its code. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { cli } = await import('./cli.js');
  process.exitCode = await cli(argv);
}
