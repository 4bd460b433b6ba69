#!/usr/bin/env node
// Issue 6: records/s of a large Zuora export (InvoiceItem, ~1M rows at the default scale) from the
// simulator through the real tap-zuora command (AQuA: one stateful job, CSV file streamed and
// parsed), with the tap's CPU time per record, against the cost of serialising the same records
// alone (SingerWriter, no HTTP, no CSV), measured in the same run. Every party is a process of its
// own: the simulator CLI (its CPU and peak RSS from /proc), the tap bin (its CPU and peak RSS from
// bench/lib/max-rss.mjs, preloaded with --import), the serialise-alone baseline (a child of this
// script); this process is only the sink that counts RECORD lines on the tap's stdout.
// Usage: node bench/tap-zuora.mjs [--records N] [--api aqua,rest] [--pool 50000] [--scale X]
//        (needs `npx tsc -p packages/tap-zuora` first; the tap reads the whole InvoiceItem table,
//        the scale is chosen so that it has at least N rows. The simulator generates Zuora rows
//        slowly at large scales: its CPU is reported apart from the tap's.)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const simCli = fileURLToPath(new URL('../packages/simulators/bin/bizops-simulators.js', import.meta.url));
const tapBin = fileURLToPath(new URL('../packages/tap-zuora/bin/tap-zuora.js', import.meta.url));
const simulators = new URL('../packages/simulators/dist/index.js', import.meta.url).href;
const sdk = new URL('../packages/sdk/dist/index.js', import.meta.url).href;
const maxRssPreload = pathToFileURL(fileURLToPath(new URL('./lib/max-rss.mjs', import.meta.url))).href;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const OBJECT = 'InvoiceItem';
const recordsWanted = Number(option('records', 1_000_000));
const apis = String(option('api', 'aqua')).split(',');
const poolSize = Number(option('pool', 50_000));
// ~1,341 InvoiceItem rows per unit of scale (134,077 at scale 100); a little over, so the table has >= N.
const scale = Number(option('scale', Math.ceil((recordsWanted / 1_330) * 10) / 10));

const API = {
  aqua: { label: 'tap, api_type AQUA (stateful AQuA job, deleted rows asked for, CSV file streamed)', apiType: 'AQUA' },
  rest: { label: 'tap, api_type REST (CRUD export job, CSV file streamed)', apiType: 'REST' },
};
for (const api of apis) if (!API[api]) throw new Error(`--api: aqua and/or rest, got ${api}`);

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

const MARKER = Buffer.from('{"type":"RECORD"');

/** Spawns `node --import max-rss <argv>`, counting RECORD lines and bytes on its stdout. */
function runCounted(argv, env = {}) {
  const statsFile = join(tmpdir(), `bench-tap-zuora-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
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

// The baseline child: InvoiceItem rows shaped as the tap emits them, written by SingerWriter alone.
async function serialiseChild(count) {
  const { createCompany } = await import(simulators);
  const { SingerWriter } = await import(sdk);
  const company = createCompany({ scale });
  const table = company.table('zuora', OBJECT);
  const fields = table.fields.filter((f) => (f.contexts ?? ['export']).includes('export'));
  const buildStarted = performance.now();
  const rows = [];
  for (const row of table.scan({ asOf: company.initialAsOf, includeDeleted: true })) {
    const record = {};
    for (const field of fields) {
      const value = row[field.name] ?? null;
      // Exports write whole seconds; the tap emits UTC ISO-8601.
      record[field.name] = value !== null && field.type === 'datetime' ? new Date(Math.floor(value / 1000) * 1000).toISOString() : value;
    }
    record._sdc_deleted_at = null;
    rows.push(record);
    if (rows.length >= Math.min(count, poolSize)) break;
  }
  const buildSeconds = (performance.now() - buildStarted) / 1000;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const writer = new SingerWriter(process.stdout);
  await writer.writeSchema(OBJECT, { type: 'object' }, ['Id'], ['UpdatedDate']);
  const timeExtracted = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const wait = writer.writeRecord(OBJECT, rows[i % rows.length], { timeExtracted });
    if (wait) await wait;
  }
  await writer.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.stderr.write(`${JSON.stringify({ rows: count, pool: rows.length, buildSeconds, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}

const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** One tap run against a fresh simulator: InvoiceItem alone (streams_to_discover), sync; the sink counts. */
async function tapCase(api, dir) {
  const sim = await startSimulator(['--zuora', '--scale', String(scale), '--set', 'zuora.jobPolls=0']);
  try {
    const config = join(dir, `config-${api}.json`);
    writeFileSync(config, JSON.stringify({ ...sim.configs['tap-zuora'], api_type: API[api].apiType, streams_to_discover: [OBJECT] }));
    const loadBefore = load();
    const simBefore = procStats(sim.proc.pid);
    const run = await runCounted([tapBin, '--config', config]);
    const simAfter = procStats(sim.proc.pid);
    const reported = Number(/sync finished: (\d+) records/.exec(run.stderr)?.[1]);
    if (reported !== run.records) throw new Error(`${api}: ${run.records} RECORD lines counted, the tap says ${reported}`);
    return { ...run, simCpuSeconds: simAfter.cpuSeconds - simBefore.cpuSeconds, simPeakRssMb: simAfter.peakRssMb, loadBefore, loadAfter: load() };
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
  const dir = mkdtempSync(join(tmpdir(), 'bench-tap-zuora-'));
  const started = performance.now();
  console.log(`node ${process.version}; scale ${scale} (>= ${fmt(recordsWanted)} ${OBJECT} rows wanted); load average at start ${load()}`);
  const results = {};
  try {
    for (const api of apis) {
      results[api] = await tapCase(api, dir);
      console.error(`${api}: ${fmt(results[api].records)} records in ${fmt(results[api].seconds, 2)} s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const count = results[apis[0]].records;
  for (const api of apis) if (results[api].records !== count) throw new Error(`the APIs disagree: ${apis.map((a) => `${a} ${results[a].records}`).join(', ')}`);
  const base = await serialiseCase(count);

  console.log(`\n${fmt(count)} ${OBJECT} records (the whole table at scale ${scale})\n`);
  console.log('| case | seconds | records/s | MB on stdout | first RECORD after s | CPU s | µs CPU / record | peak RSS MB | simulator CPU s | simulator peak RSS MB | load average before → after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const api of apis) {
    const r = results[api];
    console.log(`| ${API[api].label} | ${fmt(r.seconds, 2)} | ${fmt(r.records / r.seconds)} | ${fmt(r.bytes / 1e6)} | ${fmt(r.firstRecord, 2)} | ${fmt(r.cpuSeconds, 1)} | ${fmt((r.cpuSeconds / r.records) * 1e6, 1)} | ${fmt(r.peakRssMb)} | ${fmt(r.simCpuSeconds, 1)} | ${fmt(r.simPeakRssMb)} | ${r.loadBefore} → ${r.loadAfter} |`);
  }
  const b = base.own;
  console.log(`| baseline: SingerWriter.writeRecord alone, the first ${fmt(b.pool)} rows prebuilt as the tap's records, cycled (writing timed; building them ${fmt(b.buildSeconds, 1)} s not counted) | ${fmt(b.seconds, 2)} | ${fmt(count / b.seconds)} | ${fmt(base.bytes / 1e6)} | - | ${fmt(b.cpuSeconds, 1)} | ${fmt((b.cpuSeconds / count) * 1e6, 1)} | ${fmt(base.peakRssMb)} | - | - | ${base.loadBefore} → ${base.loadAfter} |`);
  console.log('');
  for (const api of apis) {
    const r = results[api];
    console.log(`${api}: ${fmt(b.seconds > 0 ? r.seconds / b.seconds : NaN, 1)}x the baseline's wall time, ${fmt((r.cpuSeconds / r.records) / (b.cpuSeconds / count), 1)}x its CPU per record; tap + simulator CPU ${fmt(((r.cpuSeconds + r.simCpuSeconds) / r.records) * 1e6, 1)} µs/record`);
  }
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000)} s; load average at end ${load()}`);
}
