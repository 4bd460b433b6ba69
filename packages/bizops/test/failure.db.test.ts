/**
 * A failing pipeline leaves the previous state as it was and exits non-zero with its cause:
 * a tap that dies mid-sync (after the target committed some of its records and printed a
 * state), a target that cannot connect, a state file that cannot be read or written.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startSimulators } from '@singer-io-ts/simulators';
import { freePort, freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { exitsZero, projectDir, runCli, simulatorPipelines, writeConfig } from './helpers/project.js';

t.test('a failing pipeline keeps the previous state and exits non-zero with the cause', async (t) => {
  const sims = await startSimulators({ scale: 0.02, salesforce: 0 });
  t.teardown(() => sims.close());
  const schema = await freshSchema(t);
  const { clientConfig } = await getTestPostgres();
  const dir = projectDir(t);
  const warehouse = { host: clientConfig.host, port: clientConfig.port, user: clientConfig.user, database: clientConfig.database, ...(clientConfig.password ? { password: clientConfig.password } : {}) };
  const pipelines = simulatorPipelines(sims, { salesforce: schema }, ['salesforce']);
  writeConfig(dir, { warehouse, pipelines });
  const stateFile = path.join(dir, '.bizops', 'state', 'salesforce.json');

  const ok = await runCli(['run', 'salesforce', '--no-metrics'], dir);
  exitsZero(t, ok, 'the first run succeeds');
  const committed = readFileSync(stateFile, 'utf8');
  t.match(JSON.parse(committed), { bookmarks: { Account: {}, Lead: {} } }, 'it committed a state');
  sims.simulation.clock.advanceDays(30);

  t.test('a tap that dies mid-sync', async (t) => {
    // The third object's query is refused (a non-retriable error): two objects are loaded and
    // their state printed by the target, but the run failed, so that state must not be kept.
    const fault = sims.salesforce!.server.inject({ route: 'queryAll', after: 2, times: Infinity, action: { type: 'error', code: 'INVALID_FIELD' } });
    t.teardown(() => sims.salesforce!.server.faults.clear());
    const run = await runCli(['run', 'salesforce'], dir);
    t.equal(run.code, 1, 'exit 1');
    t.match(run.out, /salesforce\s+FAILED/, 'the summary says which pipeline failed');
    t.match(run.out, /tap-salesforce exited with [1-9]\d*: .*INVALID_FIELD/, 'and why, from the tap\'s own error');
    t.notMatch(run.out, /target-postgres exited/, 'the target did not fail');
    t.match(run.out, /metrics: not built: a pipeline failed/, 'no metrics from a failed run');
    t.match(run.out, /kept \(previous\)/, 'the summary says the state was kept');
    t.ok(fault.fired > 0, 'the fault was hit');
    const logs = readFileSync(path.join(dir, '.bizops', 'logs', /logs: .*\/logs\/(\S+)/.exec(run.out)![1]!, 'salesforce.target.log'), 'utf8');
    t.match(logs, /records loaded/, 'the target loaded what it got (and printed its state) before the tap died');
    t.equal(readFileSync(stateFile, 'utf8'), committed, 'the state file is untouched');
  });

  t.test('a target that cannot connect', async (t) => {
    const port = await freePort();
    writeConfig(dir, { warehouse: { ...warehouse, host: '127.0.0.1', port }, pipelines });
    const run = await runCli(['run', 'salesforce'], dir);
    t.equal(run.code, 1, 'exit 1');
    t.match(run.out, new RegExp(`target-postgres exited with [1-9]\\d*: .*(127\\.0\\.0\\.1:${port}|ECONNREFUSED)`), 'the cause names the unreachable server');
    t.equal(readFileSync(stateFile, 'utf8'), committed, 'the state file is untouched');
  });

  t.test('a new state that cannot be written after both processes succeeded', async (t) => {
    writeConfig(dir, { warehouse, pipelines });
    // The store writes <file>.<pid>.tmp and renames it (this process's pid: the CLI runs in-process); a directory there makes the write fail.
    const blocker = `${stateFile}.${process.pid}.tmp`;
    mkdirSync(blocker);
    t.teardown(() => rmSync(blocker, { recursive: true, force: true }));
    const run = await runCli(['run', 'salesforce', '--no-metrics'], dir);
    t.equal(run.code, 1, 'exit 1');
    t.match(run.out, /^salesforce\s+FAILED\s.*kept \(previous\)$/m, 'the summary says it failed and the state was kept');
    t.match(run.out, /salesforce: the records were loaded, but the new state could not be written to \S+salesforce\.json \(EISDIR[^)]*\); the next run starts from the previous state/, 'with the cause and what it means');
    const summary = JSON.parse(readFileSync(path.join(/^logs: (\S+)$/m.exec(run.out)![1]!, 'summary.json'), 'utf8')) as { outcomes: Array<{ tapExit: unknown; targetExit: unknown }> };
    t.match(summary.outcomes[0], { tapExit: 0, targetExit: 0 }, 'summary.json has the real exits of the processes, not "not started"');
    t.equal(readFileSync(stateFile, 'utf8'), committed, 'the state file is untouched');
  });
});

t.test('a corrupt state file fails its pipeline only: the others finish and the summary is written', async (t) => {
  const sims = await startSimulators({ scale: 0.02, salesforce: 0 });
  t.teardown(() => sims.close());
  const { clientConfig } = await getTestPostgres();
  const dir = projectDir(t);
  const warehouse = { host: clientConfig.host, port: clientConfig.port, user: clientConfig.user, database: clientConfig.database, ...(clientConfig.password ? { password: clientConfig.password } : {}) };
  // zuora never reaches its tap: its credentials only make it one of the pipelines that run.
  const pipelines = { ...simulatorPipelines(sims, { salesforce: await freshSchema(t) }, ['salesforce']), zuora: { schema: await freshSchema(t), config: { base_url: 'http://127.0.0.1:9', username: 'u', password: 'p' } } };
  writeConfig(dir, { warehouse, pipelines });
  const stateDir = path.join(dir, '.bizops', 'state');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(path.join(stateDir, 'zuora.json'), '{"bookmarks": {"Account": ');

  // In parallel (the default), where a throw used to abandon the other pipelines mid-run.
  const run = await runCli(['run'], dir);
  t.equal(run.code, 1, 'exit 1');
  t.match(run.out, /^salesforce\s+ok\s+[1-9]\d*\s.*advanced$/m, 'salesforce ran to its end and kept its state');
  t.match(run.out, /^zuora\s+FAILED\s/m, 'zuora failed');
  t.match(run.out, /zuora: state file .*zuora\.json is not valid JSON.*move it away/, 'with the cause and what to do');
  t.match(run.out, /metrics: not built: a pipeline failed/, 'no metrics from a failed run');
  const summary = JSON.parse(readFileSync(path.join(/^logs: (\S+)$/m.exec(run.out)![1]!, 'summary.json'), 'utf8')) as { outcomes: Array<{ name: string; ok: boolean }> };
  t.same(summary.outcomes.map((o) => [o.name, o.ok]), [['salesforce', true], ['zuora', false]], 'summary.json is written with both');
  t.ok(existsSync(path.join(stateDir, 'salesforce.json')), 'the salesforce state was written');
  t.equal(readFileSync(path.join(stateDir, 'zuora.json'), 'utf8'), '{"bookmarks": {"Account": ', 'the corrupt file is left for the user to look at');
});
