/** `bizops run`: the pipelines (in parallel, each its own tap | target), then `bizops-metrics build`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, Redactor } from '@singer-io-ts/sdk';
import { resolveBin, targetBin } from './bins.js';
import type { BizopsConfig, PipelineSettings } from './config.js';
import { lastLines, runMetrics } from './metrics-cli.js';
import { runPipeline, type PipelineOutcome } from './pipeline.js';
import { StateStore } from './state-store.js';
import { formatSummary } from './summary.js';
import type { Warehouse } from './warehouse.js';

export interface RunOptions {
  config: BizopsConfig;
  warehouse: Warehouse;
  pipelines: PipelineSettings[];
  /** The environment of the taps. */
  tapEnv: NodeJS.ProcessEnv;
  /** Replaces a pipeline's tap config (the demo points the taps at the simulators). */
  tapConfigOverride?: Record<string, Record<string, unknown>>;
  buildMetrics?: boolean;
  /** One pipeline after the other instead of all at once. */
  sequential?: boolean;
  out: (text: string) => void;
  log: (message: string) => void;
}

export interface RunResult {
  ok: boolean;
  logDir: string;
  outcomes: PipelineOutcome[];
  metrics: { ran: boolean; ok: boolean; error?: string };
}

export function stateStore(config: BizopsConfig): StateStore {
  return new StateStore(path.join(config.dataDir, 'state'));
}

/** One directory per run beneath it (the CI example keeps it as an artifact). */
export function logsDir(config: BizopsConfig): string {
  return path.join(config.dataDir, 'logs');
}

export async function runAll(options: RunOptions): Promise<RunResult> {
  const { config, warehouse, log } = options;
  const logDir = path.join(logsDir(config), new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(logDir, { recursive: true });
  const states = stateStore(config);
  const target = targetBin();
  const redactor = new Redactor();
  redactor.collect(warehouse.connection);

  log(`warehouse: ${warehouse.description}; logs: ${logDir}`);
  const runOne = async (pipeline: PipelineSettings): Promise<PipelineOutcome> => {
    const tapConfig = options.tapConfigOverride?.[pipeline.source.name] ?? pipeline.tapConfig;
    redactor.collect(tapConfig);
    let tapBin: string;
    try {
      tapBin = resolveBin(pipeline.source.tapPackage, pipeline.source.tapBin);
    } catch (err) {
      return failedBeforeStart(pipeline.source.name, (err as Error).message, logDir);
    }
    log(`${pipeline.source.name}: ${pipeline.source.tapBin} | target-postgres → schema ${pipeline.schema}`);
    let outcome: PipelineOutcome;
    try {
      outcome = await runPipeline(
        {
          name: pipeline.source.name,
          tapBin,
          targetBin: target,
          tapConfig,
          targetConfig: { ...warehouse.connection, default_target_schema: pipeline.schema, ...pipeline.targetConfig },
          tapEnv: options.tapEnv,
          targetEnv: warehouse.env,
        },
        states,
        logDir,
        redactor,
      );
    } catch (err) {
      // runPipeline throws only before the processes start (a corrupt state file, no temp directory).
      // That fails this pipeline only: the others run to their end, the warehouse is not stopped
      // under them, and the summary is still written.
      outcome = failedBeforeStart(pipeline.source.name, redactor.redactText((err as Error).message), logDir);
    }
    log(`${pipeline.source.name}: ${outcome.ok ? 'done' : 'FAILED'} in ${outcome.seconds.toFixed(1)} s`);
    return outcome;
  };
  const outcomes: PipelineOutcome[] = [];
  if (options.sequential) for (const pipeline of options.pipelines) outcomes.push(await runOne(pipeline));
  else outcomes.push(...(await Promise.all(options.pipelines.map(runOne))));

  const result: RunResult = { ok: outcomes.every((o) => o.ok), logDir, outcomes, metrics: { ran: false, ok: false } };
  if (options.buildMetrics !== false) {
    if (result.ok) {
      log('bizops-metrics build');
      // A metrics command that cannot even start (its bin missing) is a failed build, not a lost summary.
      const build = await runMetrics(['build'], config, warehouse).catch((error: unknown) => ({ code: -1, stdout: '', stderr: `could not run bizops-metrics: ${errorMessage(error)}` }));
      writeFileSync(path.join(logDir, 'metrics.log'), redactor.redactText(build.stderr + build.stdout));
      result.metrics = { ran: true, ok: build.code === 0 };
      if (build.code !== 0) {
        result.metrics.error = redactor.redactText(`bizops-metrics build exited with ${build.code}: ${lastLines(build.stderr + build.stdout)}`);
        result.ok = false;
      }
    } else {
      result.metrics.error = 'not built: a pipeline failed';
    }
  }
  writeFileSync(path.join(logDir, 'summary.json'), JSON.stringify(result, null, 2) + '\n');
  options.out(formatSummary(result));
  return result;
}

function failedBeforeStart(name: string, error: string, logDir: string): PipelineOutcome {
  return { name, ok: false, tapExit: 'not started', targetExit: 'not started', stats: { records: {}, apiCalls: 0 }, seconds: 0, stateAdvanced: false, error, tapLog: logDir, targetLog: logDir };
}
