/** Checks shared by the crash and database-failure tests. */
import type pg from 'pg';
import type { Test } from 'tap';
import { COLUMN_TYPES, STREAMS, type Source, type StreamName } from './source.js';
import { diffRows, readTable } from './target-process.js';

type Assert = Pick<Test, 'ok' | 'same' | 'equal' | 'fail'>;

export function positionOf(state: unknown): number {
  return (state as { bookmarks: { events: { position: number } } }).bookmarks.events.position;
}

/** Every STATE the target printed is one the tap sent, in the tap's order, from `resumedAt` on. */
export function checkPrintedStates(t: Assert, source: Source, states: unknown[], resumedAt: number): void {
  let previous = -1;
  for (const state of states) {
    const position = positionOf(state);
    t.same(state, source.stateAt(position), `printed STATE ${position} is exactly the one the tap sent`);
    if (position < resumedAt || position < previous) t.fail(`STATE ${position} out of order (resumed at ${resumedAt}, previous ${previous})`);
    previous = position;
  }
}

/**
 * After a kill or a failure: everything the last printed STATE covers is committed. For a run
 * that started on empty tables (`fromScratch`), each table must also be exactly what the events
 * of its stream up to some point produce (a commit is all of a stream's batch or none of it).
 */
export async function checkCommittedCoverState(t: Assert, client: pg.Client, schema: string, source: Source, lastState: unknown, fromScratch: boolean): Promise<void> {
  const covered = lastState === undefined ? -1 : positionOf(lastState);
  for (const stream of STREAMS) {
    const { rows, count, distinctKeys } = await readTable(client, schema, stream);
    t.equal(count, distinctKeys, `${stream}: no duplicate keys at kill time`);
    const mustHave = source.expectedAfter(stream, covered);
    const missing: string[] = [];
    for (const [key, want] of mustHave) {
      const got = rows.get(key);
      if (!got || Number(got.seq) < Number(want.seq)) missing.push(`${key} (want seq >= ${want.seq}, got ${got ? got.seq : 'no row'})`);
    }
    t.same(missing.slice(0, 5), [], `${stream}: every record up to the last printed STATE (${covered}) is committed`, { missing: missing.length });
    if (fromScratch) {
      let maxSeq = -1;
      for (const row of rows.values()) maxSeq = Math.max(maxSeq, Number(row.seq));
      const problems = diffRows(rows, source.expectedAfter(stream, maxSeq));
      t.same(problems, [], `${stream}: committed rows are exactly the stream's events up to seq ${maxSeq}`);
    }
  }
}

/** Column types as the type map makes them (a rerun must not change them). */
export async function checkColumnTypes(t: Assert, client: pg.Client, schema: string, stream: StreamName, when: string): Promise<void> {
  const { rows } = await client.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = to_regclass($1) and attnum > 0 and not attisdropped and attname = any($2::text[])`,
    [`"${schema}"."${stream}"`, Object.keys(COLUMN_TYPES[stream])],
  );
  const found = Object.fromEntries(rows.map((row) => [row.name, row.type]));
  t.same(found, COLUMN_TYPES[stream], `${stream}: column types as created (${when})`);
}

/** The end result: every table holds exactly the source's final rows. */
export async function checkFinal(t: Assert, client: pg.Client, schema: string, source: Source): Promise<void> {
  for (const stream of STREAMS) {
    const expected = source.expectedFinal(stream);
    await checkColumnTypes(t, client, schema, stream, 'after the rerun');
    const { rows, count, distinctKeys } = await readTable(client, schema, stream);
    t.equal(count, expected.size, `${stream}: ${expected.size} rows`);
    t.equal(distinctKeys, count, `${stream}: no duplicate keys`);
    t.same(diffRows(rows, expected), [], `${stream}: every column of every row as in the source`);
  }
}
