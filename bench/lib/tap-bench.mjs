// The machinery of the tap benchmarks (tap-salesforce.mjs, tap-zuora.mjs, tap-marketo.mjs): every
// party is a process of its own, so each one's CPU and memory are its own. The simulator CLI (its
// CPU and peak RSS read from /proc while it lives), the tap bin and the serialise-alone baseline
// child (their CPU and peak RSS written at exit by max-rss.mjs, preloaded with --import); the
// bench process is only the sink that counts RECORD lines. Each script keeps what is its own: the
// simulator flags, scale, tap config and catalog, the baseline's record shape, its labels.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const simCli = fileURLToPath(new URL('../../packages/simulators/bin/bizops-simulators.js', import.meta.url));
const simulatorsModule = new URL('../../packages/simulators/dist/index.js', import.meta.url).href;
const sdkModule = new URL('../../packages/sdk/dist/index.js', import.meta.url).href;
const maxRssPreload = new URL('./max-rss.mjs', import.meta.url).href;

/** `--name value` of this process's arguments, or `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
}

export const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
/** The load average, printed with every figure: the machine may be busy with more than the bench. */
export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** user + system CPU seconds and VmHWM (MB) of a live process, from /proc. */
function procStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, peakRssMb: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)[1]) / 1024 };
}

/** The simulator CLI; resolves once its JSON of tap configs is complete on stdout. */
function startSimulator(cliArgs) {
  const proc = spawn(process.execPath, [simCli, ...cliArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('exit', (code) => reject(new Error(`simulator exited (${code}) before printing its configs: ${stderr}`)));
    proc.stdout.on('data', (chunk) => {
      stdout += chunk;
      try {
        const configs = JSON.parse(stdout);
        proc.removeAllListeners('exit');
        resolve({ proc, configs, stderr: () => stderr });
      } catch {
        // not all of it yet
      }
    });
  });
}

function stopSimulator(sim) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => sim.proc.kill('SIGKILL'), 10_000);
    sim.proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`simulator stopped with ${code ?? signal}: ${sim.stderr()}`));
      else resolve();
    });
    sim.proc.kill('SIGTERM');
  });
}

/** A fresh simulator CLI for `fn(sim)` (sim.configs: its tap configs), stopped afterwards. */
export async function withSimulator(cliArgs, fn) {
  const sim = await startSimulator(cliArgs);
  try {
    return await fn(sim);
  } finally {
    await stopSimulator(sim);
  }
}

const MARKER = Buffer.from('{"type":"RECORD"');

/**
 * Spawns `node --import max-rss <argv>` with stdout piped here, where it is counted and dropped:
 * RECORD lines (a JSON string cannot hold an unescaped `{"type":"RECORD"`), bytes, and the time of
 * the first RECORD. Resolves with those, the wall time from spawn to exit, and the child's own
 * CPU time and peak RSS (written by the preload when it exits).
 */
function runCounted(argv, env = {}) {
  const statsFile = join(tmpdir(), `bench-tap-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const started = performance.now();
  const proc = spawn(process.execPath, ['--import', maxRssPreload, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, BENCH_MAX_RSS_FILE: statsFile } });
  let records = 0;
  let bytes = 0;
  let firstRecord;
  let tail = Buffer.alloc(0);
  let stderr = '';
  proc.stdout.on('data', (chunk) => {
    bytes += chunk.length;
    const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    for (let at = buf.indexOf(MARKER); at !== -1; at = buf.indexOf(MARKER, at + MARKER.length)) records += 1;
    if (records > 0) firstRecord ??= performance.now() - started;
    // A marker may straddle two chunks: keep its possible beginning for the next one.
    tail = buf.subarray(Math.max(0, buf.length - (MARKER.length - 1)));
  });
  proc.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > 1e6) stderr = stderr.slice(-500_000);
  });
  return new Promise((resolve, reject) => {
    proc.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      let own;
      try {
        own = JSON.parse(readFileSync(statsFile, 'utf8'));
        rmSync(statsFile);
      } catch {
        own = {};
      }
      if (code !== 0) return reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr.slice(-3000)}`));
      resolve({ seconds, records, bytes, firstRecord: firstRecord / 1000, cpuSeconds: own.cpuSeconds, peakRssMb: own.maxRssKb / 1024, stderr });
    });
  });
}

/** `tap --discover` (not timed), then the catalog with `stream` alone selected, written to `catalogFile`. */
export async function discoverSelecting(tapBin, configFile, stream, catalogFile) {
  const out = await new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [tapBin, '--config', configFile, '--discover'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`--discover failed (${code}): ${stderr}`))));
  });
  const catalog = JSON.parse(out);
  for (const entry of catalog.streams) {
    for (const m of entry.metadata) if (m.breadcrumb.length === 0) m.metadata.selected = entry.tap_stream_id === stream;
  }
  if (!catalog.streams.some((entry) => entry.tap_stream_id === stream)) throw new Error(`no ${stream} in the catalog`);
  writeFileSync(catalogFile, JSON.stringify(catalog));
}

/**
 * One timed tap run against `sim`: the sink counts, the tap's own "sync finished: N records" must
 * agree (`prefix` starts that error), the simulator's CPU is what it spent during the run.
 */
export async function measureTap(sim, argv, prefix = '') {
  const loadBefore = load();
  const simBefore = procStats(sim.proc.pid);
  const run = await runCounted(argv);
  const simAfter = procStats(sim.proc.pid);
  const reported = Number(/sync finished: (\d+) records/.exec(run.stderr)?.[1]);
  if (reported !== run.records) throw new Error(`${prefix}${run.records} RECORD lines counted, the tap says ${reported}`);
  return { ...run, simCpuSeconds: simAfter.cpuSeconds - simBefore.cpuSeconds, simPeakRssMb: simAfter.peakRssMb, loadBefore, loadAfter: load() };
}

// ---------------------------------------------------------------------------------------------
// The baseline child (`<script> --child serialise`): the records as the tap emits them, written
// by SingerWriter alone.

/** The simulated company at `scale`, from the built simulators package. */
export async function createCompany(scale) {
  const { createCompany: create } = await import(simulatorsModule);
  return create({ scale });
}

/**
 * The first `limit` rows of `scan` as records (not timed): holding all 1M rows (GBs of objects)
 * would make the writer's figure mostly garbage-collector work, so the baseline cycles these.
 */
export function prebuild(scan, toRecord, limit) {
  const started = performance.now();
  const rows = [];
  for (const row of scan) {
    rows.push(toRecord(row));
    if (rows.length >= limit) break;
  }
  return { rows, buildSeconds: (performance.now() - started) / 1000 };
}

/** Writes `count` RECORDs of `stream` cycling `rows`, timing the writing alone; its figures go to stderr. */
export async function writeBaseline({ stream, keyProperties, bookmarkProperties, rows, buildSeconds, count }) {
  const { SingerWriter } = await import(sdkModule);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const writer = new SingerWriter(process.stdout);
  await writer.writeSchema(stream, { type: 'object' }, keyProperties, bookmarkProperties);
  const timeExtracted = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const wait = writer.writeRecord(stream, rows[i % rows.length], { timeExtracted });
    if (wait) await wait;
  }
  await writer.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.stderr.write(`${JSON.stringify({ rows: count, pool: rows.length, buildSeconds, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}

async function serialiseCase(script, count, scale, poolSize) {
  const loadBefore = load();
  const run = await runCounted([script, '--child', 'serialise', '--records', String(count), '--scale', String(scale), '--pool', String(poolSize)]);
  const own = JSON.parse(run.stderr.trim().split('\n').at(-1));
  if (own.rows !== count || run.records !== count) throw new Error(`serialise: ${own.rows} rows built, ${run.records} RECORD lines counted, ${count} wanted`);
  return { ...run, own, loadBefore, loadAfter: load() };
}

// ---------------------------------------------------------------------------------------------

/**
 * The parent's run: each case (`{ key, label, run(dir) }`, in a temp dir) in turn, then the
 * baseline child on the same count, then the table. `heading`, `caption(count, results)` and
 * `baselineLabel(own)` are each script's words; `disagree` starts the error when cases count
 * different records; `progress` prints each case's count on stderr as it ends.
 */
export async function runBench({ name, script, scale, poolSize, heading, cases, caption, baselineLabel, disagree = 'the cases disagree', progress = true }) {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const started = performance.now();
  console.log(heading);
  const results = {};
  try {
    for (const c of cases) {
      results[c.key] = await c.run(dir);
      if (progress) console.error(`${c.key}: ${fmt(results[c.key].records)} records in ${fmt(results[c.key].seconds, 2)} s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const count = results[cases[0].key].records;
  for (const c of cases) if (results[c.key].records !== count) throw new Error(`${disagree}: ${cases.map((k) => `${k.key} ${results[k.key].records}`).join(', ')}`);
  const base = await serialiseCase(script, count, scale, poolSize);

  console.log(`\n${caption(count, results)}\n`);
  console.log('| case | seconds | records/s | MB on stdout | first RECORD after s | CPU s | µs CPU / record | peak RSS MB | simulator CPU s | simulator peak RSS MB | load average before → after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of cases) {
    const r = results[c.key];
    console.log(`| ${c.label} | ${fmt(r.seconds, 2)} | ${fmt(r.records / r.seconds)} | ${fmt(r.bytes / 1e6)} | ${fmt(r.firstRecord, 2)} | ${fmt(r.cpuSeconds, 1)} | ${fmt((r.cpuSeconds / r.records) * 1e6, 1)} | ${fmt(r.peakRssMb)} | ${fmt(r.simCpuSeconds, 1)} | ${fmt(r.simPeakRssMb)} | ${r.loadBefore} → ${r.loadAfter} |`);
  }
  const b = base.own;
  console.log(`| ${baselineLabel(b)} | ${fmt(b.seconds, 2)} | ${fmt(count / b.seconds)} | ${fmt(base.bytes / 1e6)} | - | ${fmt(b.cpuSeconds, 1)} | ${fmt((b.cpuSeconds / count) * 1e6, 1)} | ${fmt(base.peakRssMb)} | - | - | ${base.loadBefore} → ${base.loadAfter} |`);
  console.log('');
  for (const c of cases) {
    const r = results[c.key];
    console.log(`${c.key}: ${fmt(b.seconds > 0 ? r.seconds / b.seconds : NaN, 1)}x the baseline's wall time, ${fmt((r.cpuSeconds / r.records) / (b.cpuSeconds / count), 1)}x its CPU per record; tap + simulator CPU ${fmt(((r.cpuSeconds + r.simCpuSeconds) / r.records) * 1e6, 1)} µs/record`);
  }
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000)} s; load average at end ${load()}`);
}
