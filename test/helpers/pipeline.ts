/** `<tap bin> ... | target-postgres ...` as real processes joined by a pipe, and the target's config for a fresh schema. */
import { spawn } from 'node:child_process';
import { parseStates, TARGET_BIN } from '../../packages/target-postgres/test/helpers/run-target.js';
import { freshSchema, getTestPostgres, type TestContext } from './postgres.js';
import { cleanEnv, collect, writeJson, type ProcessResult } from './processes.js';

export interface PipelineResult {
  tap: ProcessResult;
  target: ProcessResult & { states: unknown[] };
}

/** Runs the pipe; the target's printed states are the state of the next run. */
export async function runPipeline(tapBin: string, tapArgs: string[], targetConfigFile: string): Promise<PipelineResult> {
  const tap = spawn(process.execPath, [tapBin, ...tapArgs], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const target = spawn(process.execPath, [TARGET_BIN, '--config', targetConfigFile], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  // The target may exit first (a failure under test); the tap then writes into a closed pipe.
  target.stdin!.on('error', () => undefined);
  tap.stdout!.pipe(target.stdin!);
  // The tap's stdout goes to the target, so only its stderr is kept.
  const [tapResult, targetResult] = await Promise.all([collect(tap, false), collect(target)]);
  return { tap: tapResult, target: { ...targetResult, states: parseStates(targetResult.stdout) } };
}

/** target-postgres's config file in `dir`, loading into a fresh schema of the test database (dropped at teardown). */
export async function targetConfigFor(t: TestContext, dir: string): Promise<{ file: string; schema: string }> {
  const schema = await freshSchema(t);
  const { clientConfig } = await getTestPostgres();
  const config = {
    host: clientConfig.host,
    port: clientConfig.port,
    user: clientConfig.user,
    ...(clientConfig.password ? { password: clientConfig.password } : {}),
    database: clientConfig.database,
    default_target_schema: schema,
  };
  return { file: writeJson(dir, 'target.json', config), schema };
}
