/** A throw-away bizops project (a directory with a bizops.yml) and the CLI run in-process against it. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { RunningSimulators } from '@singer-io-ts/simulators';
import { cli } from '../../src/cli.js';
import { SALESFORCE_OBJECTS, SOURCES } from '../../src/sources.js';

export interface TestContext {
  teardown(fn: () => unknown): void;
}

export function projectDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bizops-test-'));
  // As root the embedded Postgres runs as `postgres`, which must be able to enter the project.
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeConfig(dir: string, config: unknown): string {
  const file = path.join(dir, 'bizops.yml');
  writeFileSync(file, stringify(config));
  return file;
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await cli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), env, cwd });
  return { code, out, err };
}

/** The pipelines section pointing each tap at the simulators, with the demo's speed-ups. */
export function simulatorPipelines(sims: RunningSimulators, schemas: Record<string, string>, names = SOURCES.map((s) => s.name)): Record<string, unknown> {
  const configs = sims.tapConfigs();
  const handles = { salesforce: sims.salesforce, zuora: sims.zuora, marketo: sims.marketo };
  return Object.fromEntries(
    SOURCES.filter((source) => names.includes(source.name)).map((source) => {
      const handle = handles[source.name as keyof typeof handles];
      if (handle && source.demoScenario) Object.assign(handle.scenario, source.demoScenario);
      return [source.name, { schema: schemas[source.name], config: { ...configs[`tap-${source.name}`], ...source.demoConfig } }];
    }),
  );
}

/** The environment without any connection, credential or CI variable: a test sets the ones it means. */
export function bareEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(PG|DATABASE_URL$|CI$|TARGET_POSTGRES_|TAP_|SFDC_|ZUORA_|MARKETO_|BIZOPS_)/.test(name)));
}

export { SALESFORCE_OBJECTS };

/** Asserts exit 0; the command's output is shown only when it is not. */
export function exitsZero(t: { equal(a: unknown, b: unknown, m: string): boolean; comment(...m: unknown[]): void }, run: CliRun, message: string): void {
  if (run.code !== 0) t.comment(`${run.out}\n${run.err}`);
  t.equal(run.code, 0, message);
}
