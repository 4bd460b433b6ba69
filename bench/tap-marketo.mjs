#!/usr/bin/env node
// Issue 7: records/s of ~1M activities from the simulator through the real tap-marketo command
// (Bulk Extract: 31-day export windows, two jobs enqueued at a time, CSV files streamed), with the
// tap's CPU time per record, against the cost of serialising the same records alone (SingerWriter,
// no HTTP, no CSV), measured in the same run. Every party is a process of its own: the simulator
// CLI (its CPU and peak RSS from /proc), the tap bin (its CPU and peak RSS from
// bench/lib/max-rss.mjs, preloaded with --import), the serialise-alone baseline (a child of this
// script); this process is only the sink that counts RECORD lines on the tap's stdout.
// Usage: node bench/tap-marketo.mjs [--records N] [--max-export-days 31] [--pool 50000]
//        (build first: `npx tsc -p packages/tap-marketo`; the scale is chosen so that the
//        activities table has at least N rows)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const simCli = fileURLToPath(new URL('../packages/simulators/bin/bizops-simulators.js', import.meta.url));
const tapBin = fileURLToPath(new URL('../packages/tap-marketo/bin/tap-marketo.js', import.meta.url));
const simulators = new URL('../packages/simulators/dist/index.js', import.meta.url).href;
const sdk = new URL('../packages/sdk/dist/index.js', import.meta.url).href;
const maxRssPreload = pathToFileURL(fileURLToPath(new URL('./lib/max-rss.mjs', import.meta.url))).href;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const recordsWanted = Number(option('records', 1_000_000));
const maxExportDays = Number(option('max-export-days', 31));
const poolSize = Number(option('pool', 50_000));
// ~72,651 activities per unit of scale; a little over, so the table has >= N.
const scale = Number(option('scale', Math.ceil((recordsWanted / 72_000) * 10) / 10));

/** user + system CPU seconds and VmHWM (MB) of a live process, from /proc. */
function procStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, peakRssMb: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)[1]) / 1024 };
}

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

const MARKER = Buffer.from('{"type":"RECORD"');

/** Spawns `node --import max-rss <argv>`, counting RECORD lines and bytes of its stdout. */
function runCounted(argv, env = {}) {
  const statsFile = join(tmpdir(), `bench-tap-marketo-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
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

// The baseline child: the same activities, shaped as the tap emits them, written by SingerWriter alone.
async function serialiseChild(count) {
  const { createCompany } = await import(simulators);
  const { SingerWriter } = await import(sdk);
  const company = createCompany({ scale });
  const names = new Map([...company.table('marketo', 'activity_types').scan({ asOf: company.initialAsOf })].map((t) => [Number(t.id), t.primaryAttribute?.name ?? null]));
  const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const buildStarted = performance.now();
  const rows = [];
  for (const row of company.table('marketo', 'activities').scan({ asOf: company.initialAsOf })) {
    const attributes = Array.isArray(row.attributes) && row.attributes.length ? Object.fromEntries(row.attributes.map((a) => [a.name, a.value ?? null])) : null;
    rows.push({
      marketoGUID: row.marketoGUID,
      leadId: row.leadId,
      activityDate: iso(row.activityDate),
      activity_type_id: row.activityTypeId,
      campaignId: row.campaignId ?? null,
      primary_attribute_value_id: row.primaryAttributeValueId ?? null,
      primary_attribute_value: row.primaryAttributeValue ?? null,
      primary_attribute_name: names.get(Number(row.activityTypeId)) ?? null,
      attributes,
    });
    if (rows.length >= Math.min(count, poolSize)) break;
  }
  const buildSeconds = (performance.now() - buildStarted) / 1000;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const writer = new SingerWriter(process.stdout);
  await writer.writeSchema('activities', { type: 'object' }, ['marketoGUID'], ['activityDate']);
  const timeExtracted = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const wait = writer.writeRecord('activities', rows[i % rows.length], { timeExtracted });
    if (wait) await wait;
  }
  await writer.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.stderr.write(`${JSON.stringify({ rows: count, pool: rows.length, buildSeconds, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}

const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function tapCase(dir) {
  // Status every 20 ms instead of Marketo's ~60 s: the bench measures the tap, not Marketo's queue.
  const sim = await startSimulator(['--marketo', '--scale', String(scale), '--set', 'marketo.bulkStatusCadenceMs=20']);
  try {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ ...sim.configs['tap-marketo'], max_export_days: maxExportDays, export_poll_interval_ms: 20, export_poll_max_ms: 200 }));
    const catalogRun = await new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, [tapBin, '--config', config, '--discover'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (chunk) => (out += chunk));
      proc.stderr.on('data', (chunk) => (err += chunk));
      proc.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`--discover failed (${code}): ${err}`))));
    });
    const catalog = JSON.parse(catalogRun);
    for (const entry of catalog.streams) for (const m of entry.metadata) if (m.breadcrumb.length === 0) m.metadata.selected = entry.tap_stream_id === 'activities';
    const catalogFile = join(dir, 'catalog.json');
    writeFileSync(catalogFile, JSON.stringify(catalog));
    const loadBefore = load();
    const simBefore = procStats(sim.proc.pid);
    const run = await runCounted([tapBin, '--config', config, '--catalog', catalogFile]);
    const simAfter = procStats(sim.proc.pid);
    const reported = Number(/sync finished: (\d+) records/.exec(run.stderr)?.[1]);
    if (reported !== run.records) throw new Error(`${run.records} RECORD lines counted, the tap says ${reported}`);
    const windows = [...run.stderr.matchAll(/activities \[[^\]]+\]: \d+ rows/g)].length;
    return { ...run, windows, simCpuSeconds: simAfter.cpuSeconds - simBefore.cpuSeconds, simPeakRssMb: simAfter.peakRssMb, loadBefore, loadAfter: load() };
  } finally {
    await stopSimulator(sim);
  }
}

async function serialiseCase(count) {
  const loadBefore = load();
  const run = await runCounted([here, '--child', 'serialise', '--records', String(count), '--scale', String(scale), '--pool', String(poolSize)]);
  const own = JSON.parse(run.stderr.trim().split('\n').at(-1));
  if (own.rows !== count || run.records !== count) throw new Error(`serialise: ${own.rows} rows built, ${run.records} RECORD lines counted, ${count} wanted`);
  return { ...run, own, loadBefore, loadAfter: load() };
}

if (option('child') === 'serialise') {
  await serialiseChild(recordsWanted);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tap-marketo-'));
  const started = performance.now();
  console.log(`node ${process.version}; scale ${scale} (>= ${fmt(recordsWanted)} activities wanted); max_export_days ${maxExportDays}; load average at start ${load()}`);
  let tap;
  try {
    tap = await tapCase(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const count = tap.records;
  const base = await serialiseCase(count);
  const b = base.own;
  console.log(`\n${fmt(count)} activities (the whole table at scale ${scale}) in ${tap.windows} export windows\n`);
  console.log('| case | seconds | records/s | MB on stdout | first RECORD after s | CPU s | µs CPU / record | peak RSS MB | simulator CPU s | simulator peak RSS MB | load average before → after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  console.log(`| tap-marketo, activities through Bulk Extract (status cadence 20 ms) | ${fmt(tap.seconds, 2)} | ${fmt(count / tap.seconds)} | ${fmt(tap.bytes / 1e6)} | ${fmt(tap.firstRecord, 2)} | ${fmt(tap.cpuSeconds, 1)} | ${fmt((tap.cpuSeconds / count) * 1e6, 1)} | ${fmt(tap.peakRssMb)} | ${fmt(tap.simCpuSeconds, 1)} | ${fmt(tap.simPeakRssMb)} | ${tap.loadBefore} → ${tap.loadAfter} |`);
  console.log(`| baseline: SingerWriter.writeRecord alone, the first ${fmt(b.pool)} activities prebuilt as the tap's records, cycled (building them ${fmt(b.buildSeconds, 1)} s not counted) | ${fmt(b.seconds, 2)} | ${fmt(count / b.seconds)} | ${fmt(base.bytes / 1e6)} | - | ${fmt(b.cpuSeconds, 1)} | ${fmt((b.cpuSeconds / count) * 1e6, 1)} | ${fmt(base.peakRssMb)} | - | - | ${base.loadBefore} → ${base.loadAfter} |`);
  console.log('');
  console.log(`tap: ${fmt(b.seconds > 0 ? tap.seconds / b.seconds : NaN, 1)}x the baseline's wall time, ${fmt((tap.cpuSeconds / count) / (b.cpuSeconds / count), 1)}x its CPU per record; tap + simulator CPU ${fmt(((tap.cpuSeconds + tap.simCpuSeconds) / count) * 1e6, 1)} µs/record`);
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000)} s; load average at end ${load()}`);
}
