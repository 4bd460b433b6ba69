/**
 * examples/gitlab-ci.yml against bizops itself: every variable it names is one bizops (or
 * target-postgres, or GitLab) reads, the bizops.yml it shows loads, each command parses, the cached
 * and kept paths are where bizops writes, and without the PG_* variables the job stops at once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { resolveConnection } from '@singer-io-ts/target-postgres';
import { COMMANDS, parseCommandLine } from '../src/cli.js';
import { loadConfig } from '../src/config.js';
import { logsDir, stateStore } from '../src/run.js';
import { SOURCES } from '../src/sources.js';
import { refuseThrowAwayWarehouse } from '../src/warehouse.js';
import { bareEnv, projectDir, runCli } from './helpers/project.js';

const FILE = fileURLToPath(new URL('../../../examples/gitlab-ci.yml', import.meta.url));
const text = readFileSync(FILE, 'utf8');
const job = (parse(text) as Record<string, Record<string, unknown>>)['bizops-extract']!;
// GitLab's predefined variables the job uses.
const GITLAB = ['CI_PROJECT_DIR', 'CI_COMMIT_REF_SLUG', 'CI_PIPELINE_SOURCE'];
const SOURCE_VARIABLES = SOURCES.flatMap((source) => Object.keys(source.envAliases));
const named = [...new Set(text.match(/\b(?:PG|SFDC|ZUORA|MARKETO|BIZOPS|CI)_[A-Z_]+\b/g))];
const pgNamed = named.filter((name) => name.startsWith('PG_'));

/** The bizops.yml the set-up comment shows, uncommented. */
function exampleBizopsYml(): string {
  const lines = text.split('\n');
  const from = lines.findIndex((line) => /Commit a bizops\.yml/.test(line)) + 1;
  const block: string[] = [];
  for (const line of lines.slice(from)) {
    if (!/^# {6}/.test(line)) break;
    block.push(line.slice(2));
  }
  return block.join('\n');
}

/** A CI job's environment: every variable the example names, with a made-up value. */
function jobEnv(projectDir: string, omit: (name: string) => boolean = () => false): NodeJS.ProcessEnv {
  const variables = job.variables as Record<string, string>;
  const own = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, value.replace('$CI_PROJECT_DIR', projectDir)]));
  const secrets = Object.fromEntries(named.filter((name) => !GITLAB.includes(name) && !(name in own)).map((name) => [name, name === 'PG_PORT' ? '6543' : `${name.toLowerCase()}-value`]));
  const all: NodeJS.ProcessEnv = { ...bareEnv(), CI: 'true', CI_PROJECT_DIR: projectDir, ...secrets, ...own };
  return Object.fromEntries(Object.entries(all).filter(([name]) => !omit(name)));
}

t.test('every variable the example names is read by bizops, target-postgres or GitLab', async (t) => {
  t.ok(named.length > 15, `variables named: ${named.join(', ')}`);
  const unknown = named.filter((name) => !GITLAB.includes(name) && !SOURCE_VARIABLES.includes(name) && !name.startsWith('PG_') && name !== 'BIZOPS_DATA_DIR');
  t.same(unknown, [], 'none unknown');
  t.same([...pgNamed].sort(), ['PG_ADDRESS', 'PG_DATABASE', 'PG_PASSWORD', 'PG_PORT', 'PG_USERNAME'], 'the origin document\'s five PG_* variables');
  const resolved = resolveConnection({}, { PG_ADDRESS: 'db.example.com', PG_PORT: '6543', PG_USERNAME: 'etl', PG_PASSWORD: 'pw', PG_DATABASE: 'warehouse' }).clientConfig;
  t.match(resolved, { host: 'db.example.com', port: 6543, user: 'etl', password: 'pw', database: 'warehouse' }, 'and target-postgres connects with each of them');
});

t.test('the job: its bizops.yml, commands, cache and artifacts fit bizops', async (t) => {
  const dir = projectDir(t);
  writeFileSync(path.join(dir, 'bizops.yml'), exampleBizopsYml());
  const env = jobEnv(dir);
  const config = loadConfig({ cwd: dir, env });
  t.same(config.configured, ['salesforce', 'zuora', 'marketo'], 'with the documented variables every pipeline has credentials');
  t.same(config.warehouse, {}, 'and the warehouse is the PG_* server');
  t.doesNotThrow(() => refuseThrowAwayWarehouse(config, env), 'which CI accepts');
  t.equal(config.pipelines[0]!.tapConfig.api_type, 'AUTO', 'the example bizops.yml is read');

  const script = job.script as string[];
  const commands = script.filter((line) => line.startsWith('npx bizops ')).map((line) => line.split(' ').slice(2));
  t.ok(commands.some((argv) => argv[0] === 'run'), 'the job runs `bizops run`');
  for (const argv of commands) {
    t.doesNotThrow(() => parseCommandLine(argv), `\`bizops ${argv.join(' ')}\` parses`);
    t.ok((COMMANDS as readonly string[]).includes(argv[0]!), `${argv[0]} is a bizops command`);
  }

  const relative = (to: string) => path.relative(dir, to) + '/';
  const cache = job.cache as { paths: string[]; when: string; key: string };
  t.same(cache.paths, [relative(stateStore(config).dir)], 'the cache holds the state directory bizops uses (BIZOPS_DATA_DIR)');
  t.equal(cache.when, 'on_success', 'saved only after a successful job, so a failed run never moves it');
  const artifacts = job.artifacts as { paths: string[] };
  t.ok(artifacts.paths.includes(relative(logsDir(config))), 'the run logs are kept');
  const report = commands.find((argv) => argv[0] === 'report')!;
  t.ok(artifacts.paths.includes(parseCommandLine(report).values.out!), 'and the report the job writes');
  t.ok(job.resource_group, 'one run at a time (two would read the same state)');
  t.match(job.rules, [{ if: /CI_PIPELINE_SOURCE == "schedule"/ }], 'scheduled');
});

t.test('without the PG_* variables the job stops at once, saying which to set', async (t) => {
  const dir = projectDir(t);
  writeFileSync(path.join(dir, 'bizops.yml'), exampleBizopsYml());
  const run = await runCli(['run'], dir, jobEnv(dir, (name) => name.startsWith('PG_')));
  t.equal(run.code, 2, 'exit 2');
  t.match(run.err, /CI is set and no warehouse is configured: set the CI variables PG_ADDRESS, PG_PORT, PG_DATABASE, PG_USERNAME and PG_PASSWORD/, 'naming the variables');
});
