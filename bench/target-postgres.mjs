#!/usr/bin/env node
// target-postgres against `psql \copy` of the same rows, in the same run, into tables of the same
// shape (the target's own, copied with LIKE ... INCLUDING ALL, so with the same primary key).
// Cases: main (Salesforce-Opportunity-like, 27 properties), wide (100 columns), interleaved
// (20 streams, records round robin). Each target run is its own process, fed the .singer file on
// stdin; its peak RSS and CPU time come from bench/lib/max-rss.mjs, preloaded with --import.
//
// Usage: node bench/target-postgres.mjs [--records N] [--case main|wide|interleaved]
//          [--wide-records N] [--interleaved-records N] [--no-variations] [--profile DIR] [--keep]
// Connection: the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), defaulting
// to 127.0.0.1:5432, user postgres, database test. Everything lands in the schema
// bench_target_postgres, dropped at start. Needs `npm run build` (or `npx tsc --build`) first.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COPY_METADATA_COLUMNS, OPPORTUNITY_SCHEMA, WIDE_SCHEMA, opportunity, prng, wideRow, writeInputs } from './lib/target-postgres-data.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const flag = (name) => args.includes(`--${name}`);
const records = Number(option('records', 1_000_000));
// The secondary cases default to smaller counts so that the whole default run stays near ten
// minutes on a 2-core machine: wide 100k rows (1/10 of --records), interleaved 250k (1/4).
const wideRecords = Number(option('wide-records', Math.round(records / 10)));
const interleavedRecords = Number(option('interleaved-records', Math.round(records / 4)));
const only = option('case');
const variations = !flag('no-variations');
const profileDir = option('profile') ? resolve(option('profile')) : undefined;
const SCHEMA = 'bench_target_postgres';

process.env.PGHOST ??= '127.0.0.1';
process.env.PGPORT ??= '5432';
process.env.PGUSER ??= 'postgres';
process.env.PGDATABASE ??= 'test';

// --target-bin: another build of the target (a patched copy, say) to compare on the same data.
const targetBin = option('target-bin') ? resolve(option('target-bin')) : fileURLToPath(new URL('../packages/target-postgres/bin/target-postgres.js', import.meta.url));
const maxRssPreload = pathToFileURL(fileURLToPath(new URL('./lib/max-rss.mjs', import.meta.url))).href;
if (!existsSync(new URL('../packages/target-postgres/dist/index.js', import.meta.url))) {
  console.error('packages/target-postgres/dist is missing: run `npm run build` (or `npx tsc --build`) first');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'bench-target-postgres-'));
if (profileDir) mkdirSync(profileDir, { recursive: true });

const quote = (name) => `"${name.replace(/"/g, '""')}"`;
const q = (table) => `${quote(SCHEMA)}.${quote(table)}`;
const literal = (text) => `'${text.replace(/'/g, "''")}'`;

/** Runs SQL through psql (unaligned, tuples only); returns stdout lines. */
function sql(text) {
  const result = spawnSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`psql failed (${result.stderr.trim()}) on: ${text.slice(0, 300)}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** Spawns a process and waits for it; wall time from spawn to exit. */
function timed(command, commandArgs, { stdin = 'ignore', env = process.env, onStdout } = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, commandArgs, { stdio: [stdin, 'pipe', 'pipe'], env });
    if (typeof stdin === 'number') closeSync(stdin);
    let seconds = 0;
    let stderr = '';
    child.stdout.on('data', (chunk) => onStdout?.(chunk));
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('error', reject);
    child.on('exit', () => (seconds = (performance.now() - started) / 1000));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} exited with ${code}:\n${stderr.slice(-4000)}`));
      resolvePromise({ seconds, stderr });
    });
  });
}

let runNumber = 0;
/**
 * Before each timed run: nothing left for autovacuum (a 1M-row load qualifies a table for it, and a
 * worker starting during the next run took a core from it: 0.83 and 0.57 in two runs a minute
 * apart), no autovacuum worker still busy, and no dirty buffers (CHECKPOINT).
 */
async function settle() {
  for (const table of sql(`SELECT tablename FROM pg_tables WHERE schemaname = ${literal(SCHEMA)}`)) sql(`VACUUM (ANALYZE) ${q(table)}`);
  for (let waited = 0; waited < 120 && Number(sql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")[0]) > 0; waited++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  sql('CHECKPOINT');
}

/** One target-postgres process on `input`; returns seconds, peak RSS, CPU time and the STATE lines it emitted. */
async function runTarget(input, config, label) {
  runNumber += 1;
  const configPath = join(dir, `config-${runNumber}.json`);
  const rssPath = join(dir, `rss-${runNumber}.json`);
  writeFileSync(configPath, JSON.stringify({ default_target_schema: SCHEMA, ...config }));
  const nodeArgs = ['--import', maxRssPreload];
  if (profileDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${runNumber}-${label.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
  let stdout = '';
  await settle();
  const { seconds } = await timed(process.execPath, [...nodeArgs, targetBin, '--config', configPath], {
    stdin: openSync(input, 'r'),
    env: { ...process.env, BENCH_MAX_RSS_FILE: rssPath },
    onStdout: (chunk) => (stdout += chunk),
  });
  const usage = JSON.parse(readFileSync(rssPath, 'utf8'));
  const states = stdout.split('\n').filter((line) => line.startsWith('{'));
  return { seconds, rssMb: usage.maxRssKb / 1024, cpuSeconds: usage.cpuSeconds, states };
}

async function runPsql(scriptArgs) {
  await settle();
  const { seconds } = await timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...scriptArgs]);
  return { seconds };
}

/**
 * Loads a sample of the streams (SCHEMA and one record each) through the target, so the tables
 * exist in the target's own shape; reads each stream's table and column names from the target's
 * `_sdc_identifiers`; makes `<table>_psql` LIKE each (same types, same primary key) for the
 * baseline; and drops the target's tables, so that the first target run creates them.
 */
async function learnShapes(streams) {
  const sample = join(dir, 'sample.singer');
  const lines = streams.map((s) => JSON.stringify({ type: 'SCHEMA', stream: s.stream, schema: s.schema, key_properties: s.keyProperties }));
  streams.forEach((s, i) => lines.push(JSON.stringify({ type: 'RECORD', stream: s.stream, record: s.row(i, prng(i)) })));
  writeFileSync(sample, lines.join('\n') + '\n');
  await runTarget(sample, {}, 'sample');
  return streams.map((s) => {
    const names = new Map(sql(`SELECT property, pg_name FROM ${q('_sdc_identifiers')} WHERE stream = ${literal(s.stream)}`).map((line) => line.split('|')));
    const table = names.get('');
    const columns = Object.keys(s.schema.properties).map((property) => names.get(property));
    const tableColumns = new Set(sql(`SELECT attname FROM pg_attribute WHERE attrelid = ${literal(q(table))}::regclass AND attnum > 0 AND NOT attisdropped`));
    const metadata = COPY_METADATA_COLUMNS.every((c) => tableColumns.has(c));
    const key = s.keyProperties.map((k) => names.get(k));
    sql(`CREATE TABLE ${q(`${table}_psql`)} (LIKE ${q(table)} INCLUDING ALL); DROP TABLE ${q(table)}`);
    return { ...s, table, columns, key, metadata, copyColumns: [...columns, ...(metadata ? COPY_METADATA_COLUMNS : [])] };
  });
}

function generate(shapes, total, name) {
  const started = performance.now();
  const singerPath = join(dir, `${name}.singer`);
  const copyPaths = shapes.map((s) => join(dir, `${s.table}.copy`));
  const { singerBytes, copyBytes } = writeInputs({ streams: shapes, total, singerPath, copyPaths, metadata: shapes[0].metadata });
  console.log(
    `\n${name}: ${total.toLocaleString('en')} records in ${shapes.length} stream(s); .singer ${(singerBytes / 1e6).toFixed(0)} MB, COPY text ${(copyBytes / 1e6).toFixed(0)} MB (generated in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return { singerPath, copyPaths };
}

const copyCommand = (shape, path, table = `${shape.table}_psql`) => `\\copy ${q(table)} (${shape.copyColumns.map(quote).join(', ')}) FROM ${literal(path)}`;

/** Rows that differ between the target's table and the baseline's, on the data columns. */
function differences(shape, other) {
  const t = (c) => `t.${quote(c)}`;
  const p = (c) => `p.${quote(c)}`;
  const on = shape.key.map((k) => `${t(k)} = ${p(k)}`).join(' AND ');
  const [count] = sql(
    `SET work_mem = '256MB'; SELECT count(*) FROM ${q(shape.table)} t FULL JOIN ${q(other)} p ON ${on} WHERE ${t(shape.key[0])} IS NULL OR ${p(shape.key[0])} IS NULL OR ROW(${shape.columns.map(t).join(', ')}) IS DISTINCT FROM ROW(${shape.columns.map(p).join(', ')})`,
  );
  return Number(count);
}

function rowCount(shapes, suffix = '') {
  return shapes.reduce((sum, s) => sum + Number(sql(`SELECT count(*) FROM ${q(s.table + suffix)}`)[0]), 0);
}

// ---------------------------------------------------------------------------------------------

const table = [];
const warnings = [];
function report(caseName, label, rows, result, baseline) {
  const row = {
    case: caseName,
    label,
    seconds: result.seconds,
    rowsPerSecond: rows / result.seconds,
    ratio: baseline ? baseline.seconds / result.seconds : 1,
    rssMb: result.rssMb,
    cpuSeconds: result.cpuSeconds,
    states: result.states?.length,
  };
  table.push(row);
  console.log(formatRow(row));
}
const formatRow = (r) =>
  `| ${r.case} | ${r.label} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSecond).toLocaleString('en')} | ${r.ratio.toFixed(2)} | ${r.rssMb === undefined ? '-' : r.rssMb.toFixed(0)} | ${r.cpuSeconds === undefined ? '-' : r.cpuSeconds.toFixed(1)} |`;
const HEADER = '| case | run | seconds | rows/s | throughput vs psql | target peak RSS MB | target CPU s |\n|---|---|---:|---:|---:|---:|---:|';

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function targetRun(caseName, label, input, config, shapes, total, baseline, { expectRows = total, stateEvery = 10_000 } = {}) {
  const result = await runTarget(input, config, `${caseName}-${label}`);
  const rows = rowCount(shapes);
  check(rows === expectRows, `${label}: ${rows} rows in the target tables, expected ${expectRows}`);
  const expectedStates = Math.ceil(total / stateEvery);
  check(result.states.length >= 1 && result.states.length <= expectedStates, `${label}: ${result.states.length} STATE lines emitted (at most ${expectedStates} expected)`);
  check(JSON.parse(result.states.at(-1)).value.records === total, `${label}: last STATE emitted is not the last one sent`);
  report(caseName, label, total, result, baseline);
  const changes = typeChanges(shapes);
  if (changes.length > 0) {
    const note = `${caseName} / ${label}: the run changed column types: ${changes.slice(0, 6).join('; ')}${changes.length > 6 ? `; ... (${changes.length} in all)` : ''}`;
    warnings.push(note);
    console.log(`WARNING ${note}`);
  }
  return result;
}

/**
 * "Empty table" runs start with no table at all: the target creates it, as on a first load. (An
 * existing table would do too, but a rerun against an existing table is also where a target
 * may alter column types; `typeChanges` reports that separately.)
 */
const dropTables = (shapes) => sql(shapes.map((s) => `DROP TABLE IF EXISTS ${q(s.table)};`).join(' '));

/** Columns whose type in the target's table is not the type the first load created (kept in `<table>_psql`). */
function typeChanges(shapes) {
  const changes = [];
  for (const s of shapes) {
    const types = (name) => new Map(sql(`SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ${literal(q(name))}::regclass AND attnum > 0 AND NOT attisdropped`).map((line) => line.split('|')));
    const before = types(`${s.table}_psql`);
    for (const [column, type] of types(s.table)) if (before.get(column) !== type) changes.push(`${s.table}.${column}: ${before.get(column) ?? '(new)'} -> ${type}`);
  }
  return changes;
}

const cases = {
  async main() {
    const [shape] = await learnShapes([{ stream: 'opportunity', schema: OPPORTUNITY_SCHEMA, keyProperties: ['Id'], row: opportunity }]);
    const shapes = [shape];
    const { singerPath, copyPaths } = generate(shapes, records, 'main');
    console.log(HEADER);
    const psql = await runPsql(['-c', copyCommand(shape, copyPaths[0])]);
    check(rowCount(shapes, '_psql') === records, 'psql baseline row count');
    report('main', 'baseline: psql \\copy into a table with a primary key', records, psql);

    // The statements of the target's upsert path, run by psql on the whole file in one batch:
    // what the staging-table design costs in Postgres alone, without any JavaScript.
    const upsertTable = `${shape.table}_psql_upsert`;
    sql(`CREATE TABLE ${q(upsertTable)} (LIKE ${q(`${shape.table}_psql`)} INCLUDING ALL)`);
    const list = shape.copyColumns.map(quote).join(', ');
    const keys = shape.key.map(quote).join(', ');
    const updates = shape.copyColumns.filter((c) => !shape.key.includes(c)).map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`);
    const script = join(dir, 'upsert.sql');
    writeFileSync(
      script,
      [
        'BEGIN;',
        `CREATE TEMP TABLE _staging (LIKE ${q(upsertTable)} INCLUDING DEFAULTS) ON COMMIT DROP;`,
        'ALTER TABLE _staging ADD COLUMN __row bigserial;',
        `\\copy _staging (${list}) FROM ${literal(copyPaths[0])}`,
        `INSERT INTO ${q(upsertTable)} (${list}) SELECT DISTINCT ON (${keys}) ${list} FROM _staging ORDER BY ${keys}, __row DESC ON CONFLICT (${keys}) DO UPDATE SET ${updates.join(', ')};`,
        'COMMIT;',
      ].join('\n'),
    );
    report('main', 'reference: psql, COPY to a temp table + INSERT ... ON CONFLICT, one batch', records, await runPsql(['-f', script]), psql);
    sql(`DROP TABLE ${q(upsertTable)}`);

    await targetRun('main', 'target upsert, empty table', singerPath, {}, shapes, records, psql);
    const diff = differences(shape, `${shape.table}_psql`);
    check(diff === 0, `${diff} rows differ between the target's table and psql's`);
    await targetRun('main', 'target upsert, same rows again (all conflict: update path)', singerPath, {}, shapes, records, psql);
    dropTables(shapes);
    await targetRun('main', 'target append, empty table', singerPath, { load_method: 'append' }, shapes, records, psql);
    if (variations) {
      for (const [label, config] of [
        ['target upsert, empty table, batch_size_rows 10000', { batch_size_rows: 10_000 }],
        ['target upsert, empty table, batch_size_rows 1000000, batch_size_bytes 1 GiB', { batch_size_rows: 1_000_000, batch_size_bytes: 1 << 30 }],
      ]) {
        dropTables(shapes);
        await targetRun('main', label, singerPath, config, shapes, records, psql);
      }
    }
  },

  async wide() {
    const [shape] = await learnShapes([{ stream: 'wide_100', schema: WIDE_SCHEMA, keyProperties: ['id'], row: wideRow }]);
    const shapes = [shape];
    const { singerPath, copyPaths } = generate(shapes, wideRecords, 'wide');
    console.log(HEADER);
    const psql = await runPsql(['-c', copyCommand(shape, copyPaths[0])]);
    check(rowCount(shapes, '_psql') === wideRecords, 'psql baseline row count');
    report('wide', 'baseline: psql \\copy into a table with a primary key', wideRecords, psql);
    await targetRun('wide', 'target upsert, empty table', singerPath, {}, shapes, wideRecords, psql);
    const diff = differences(shape, `${shape.table}_psql`);
    check(diff === 0, `${diff} rows differ between the target's table and psql's`);
    await targetRun('wide', 'target upsert, same rows again (update path)', singerPath, {}, shapes, wideRecords, psql);
    dropTables(shapes);
    await targetRun('wide', 'target append, empty table', singerPath, { load_method: 'append' }, shapes, wideRecords, psql);
  },

  async interleaved() {
    const streams = Array.from({ length: 20 }, (_, i) => ({ stream: `opportunity_${String(i).padStart(2, '0')}`, schema: OPPORTUNITY_SCHEMA, keyProperties: ['Id'], row: opportunity }));
    const shapes = await learnShapes(streams);
    const { singerPath, copyPaths } = generate(shapes, interleavedRecords, 'interleaved');
    console.log(HEADER);
    const psql = await runPsql(shapes.flatMap((shape, i) => ['-c', copyCommand(shape, copyPaths[i])]));
    check(rowCount(shapes, '_psql') === interleavedRecords, 'psql baseline row count');
    report('interleaved', 'baseline: psql \\copy of the 20 files in turn, tables with primary keys', interleavedRecords, psql);
    await targetRun('interleaved', 'target upsert, empty tables (max_parallelism 4, default)', singerPath, {}, shapes, interleavedRecords, psql);
    for (const shape of shapes) {
      const diff = differences(shape, `${shape.table}_psql`);
      check(diff === 0, `${shape.table}: ${diff} rows differ between the target's table and psql's`);
    }
    if (variations) {
      for (const parallelism of [1, 2]) {
        dropTables(shapes);
        await targetRun('interleaved', `target upsert, empty tables, max_parallelism ${parallelism}`, singerPath, { max_parallelism: parallelism }, shapes, interleavedRecords, psql);
      }
    }
    dropTables(shapes);
    await targetRun('interleaved', 'target append, empty tables', singerPath, { load_method: 'append' }, shapes, interleavedRecords, psql);
  },
};

const started = performance.now();
try {
  const [version] = sql('SHOW server_version');
  console.log(
    `target-postgres benchmark; node ${process.version}; PostgreSQL ${version} at ${process.env.PGHOST}:${process.env.PGPORT}/${process.env.PGDATABASE}; ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}; files in ${dir}`,
  );
  for (const name of only ? [only] : Object.keys(cases)) {
    if (!cases[name]) throw new Error(`unknown case ${name} (main, wide, interleaved)`);
    sql(`DROP SCHEMA IF EXISTS ${quote(SCHEMA)} CASCADE; CREATE SCHEMA ${quote(SCHEMA)}`);
    await cases[name]();
  }
  console.log(`\nAll results:\n${HEADER}\n${table.map(formatRow).join('\n')}`);
  if (warnings.length > 0) console.log(`\nWarnings:\n${warnings.map((w) => `- ${w}`).join('\n')}`);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; load average now ${loadavg()[0].toFixed(2)} (other processes on the machine skew every figure alike, but not every ratio)`);
} finally {
  if (!flag('keep')) {
    rmSync(dir, { recursive: true, force: true });
    sql(`DROP SCHEMA IF EXISTS ${quote(SCHEMA)} CASCADE`);
  }
}
