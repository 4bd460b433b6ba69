/**
 * The crash proof of issue 3 ("State and failure"): killed at any point (SIGKILL) and rerun from
 * its last emitted STATE, the pipeline ends with exactly the source rows: no loss, no duplicates.
 *
 * A deterministic in-test tap (crash/source.ts) produces 24,000 records of two keyed streams
 * (orders with updates of earlier keys, customers), a STATE every 100 records. For each kill
 * point the real target binary is started on empty tables, SIGKILLed at that point (a byte
 * offset of its input, right after its N-th STATE, a delay after start, or a delay after the
 * input ended), and checked at kill time: every record the last printed STATE covers is
 * committed, and each table is exactly a prefix of its stream. Then the tap resumes from that
 * STATE into a fresh target that runs to the end, and both tables must equal the source's final
 * rows in every column.
 */
import t from 'tap';
import { connect, freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { Source } from './crash/source.js';
import { runTarget, stderrTail, tempDir, type KillPlan } from './crash/target-process.js';
import { checkCommittedCoverState, checkFinal, checkPrintedStates, positionOf } from './crash/verify.js';

const source = new Source({ events: 24_000, stateEvery: 100 });
const totalBytes = source.totalBytes();
const db = await getTestPostgres();

function config(schema: string): Record<string, unknown> {
  return {
    connection_string: db.connectionString,
    ssl_mode: 'disable',
    default_target_schema: schema,
    batch_size_rows: 500,
    batch_max_age_seconds: 1,
  };
}

const at = (fraction: number): KillPlan => ({ afterBytes: Math.round(totalBytes * fraction) });

const KILL_POINTS: Array<[string, KillPlan]> = [
  ['mid first SCHEMA line (byte 200), target started', { afterBytes: 200, settleMs: 600 }],
  ['right after both SCHEMAs, tables being created', { afterBytes: 1400, settleMs: 500 }],
  ['0.5% of input, first batch cut by age', { afterBytes: Math.round(totalBytes * 0.005), settleMs: 1300 }],
  ['3% of input, first size cut', { afterBytes: Math.round(totalBytes * 0.03), settleMs: 250 }],
  ['11% of input', at(0.11)],
  ['24% of input', at(0.24)],
  ['38% of input', at(0.38)],
  ['52% of input', at(0.52)],
  ['67% of input', at(0.67)],
  ['81% of input', at(0.81)],
  ['93% of input', at(0.93)],
  ['99.5% of input', at(0.995)],
  ['the last byte before the end', { afterBytes: totalBytes - 1 }],
  ['right after the 1st STATE on stdout', { afterStates: 1 }],
  ['right after the 6th STATE on stdout', { afterStates: 6 }],
  ['right after the 25th STATE on stdout', { afterStates: 25 }],
  ['350 ms after start (connecting)', { afterMs: 350 }],
  ['900 ms after start', { afterMs: 900 }],
  ['as soon as the input ends', { afterEndMs: 0 }],
  ['40 ms after the input ends (final flush)', { afterEndMs: 40 }],
];

const timings: string[] = [];

for (const [name, kill] of KILL_POINTS) {
  t.test(`SIGKILL at ${name}, rerun from the last STATE: exactly the source rows`, async (t) => {
    const schema = await freshSchema(t);
    const client = await connect(t);
    const dir = await tempDir(t);

    const killed = await runTarget(dir, { config: config(schema), lines: source.lines(), kill });
    if (!killed.killed) {
      // The target outran the kill point (it finished first): still a valid run, but say so.
      t.equal(killed.code, 0, `target finished before the kill point; stderr: ${stderrTail(killed.stderr)}`);
    } else {
      t.equal(killed.signal, 'SIGKILL', 'the target died by SIGKILL');
    }
    checkPrintedStates(t, source, killed.states, 0);
    const lastState = killed.states.at(-1);
    await checkCommittedCoverState(t, client, schema, source, lastState, true);

    const rerun = await runTarget(dir, { config: config(schema), lines: source.lines(lastState) });
    t.equal(rerun.code, 0, `the rerun succeeds; stderr: ${stderrTail(rerun.stderr)}`);
    checkPrintedStates(t, source, rerun.states, lastState === undefined ? 0 : positionOf(lastState));
    t.same(rerun.states.at(-1), source.stateAt(source.events.length - 1), 'the rerun ends with the final STATE');
    await checkFinal(t, client, schema, source);
    timings.push(
      `${name}: killed after ${killed.bytesWritten} B / ${killed.ms} ms, last STATE ${lastState === undefined ? 'none' : positionOf(lastState)}; rerun ${rerun.ms} ms`,
    );
  });
}

t.test('killed three times in a row, each rerun resuming from the previous one: exactly the source rows', async (t) => {
  const schema = await freshSchema(t);
  const client = await connect(t);
  const dir = await tempDir(t);
  let state: unknown;
  const kills: KillPlan[] = [{ afterStates: 4 }, at(0.3), { afterStates: 30 }];
  for (const kill of kills) {
    const resumedAt = state === undefined ? 0 : positionOf(state);
    const run = await runTarget(dir, { config: config(schema), lines: source.lines(state), kill });
    t.ok(run.killed, `killed (${JSON.stringify(kill)})`);
    checkPrintedStates(t, source, run.states, resumedAt);
    state = run.states.at(-1) ?? state;
    await checkCommittedCoverState(t, client, schema, source, state, false);
  }
  const rerun = await runTarget(dir, { config: config(schema), lines: source.lines(state) });
  t.equal(rerun.code, 0, `the last rerun succeeds; stderr: ${stderrTail(rerun.stderr)}`);
  await checkFinal(t, client, schema, source);
});

t.teardown(() => {
  if (process.env.CRASH_TEST_TIMINGS) console.error(`${totalBytes} bytes of input\n${timings.join('\n')}`);
});
