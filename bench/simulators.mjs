#!/usr/bin/env node
// The simulators' two claims (packages/simulators): at scale 1 the servers start in under a
// second, and at large scale they stream (the server's memory does not grow with the dataset).
// Every measurement runs in its own process, and every simulator is the real CLI in a process of
// its own, so the server's peak RSS (VmHWM) is the server's alone.
// Usage: node bench/simulators.mjs [--case startup|streaming] [--rows N] [--scales 100,300] [--runs N]
//                                  [--reads rest,bulk2,aqua]
//        (needs `npm run build` first)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const cliPath = fileURLToPath(new URL('../packages/simulators/bin/bizops-simulators.js', import.meta.url));
const simulators = new URL('../packages/simulators/dist/index.js', import.meta.url).href;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const rowsWanted = Number(option('rows', 100_000));
const scales = String(option('scales', '100,300')).split(',').map(Number);
const runs = Number(option('runs', 3));
const reads = String(option('reads', 'rest,bulk2,aqua')).split(',');
const only = option('case');
if (only !== undefined && only !== 'startup' && only !== 'streaming') throw new Error(`--case: startup or streaming, got ${only}`);

const STARTUP_SOQL = 'SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id';
const TASK_SOQL = 'SELECT Id, Subject, Status, ActivityDate, Description, WhoId, WhatId, SystemModstamp FROM Task';
const INVOICE_ITEM_ZOQL = 'select Id, ChargeAmount, ServiceStartDate, ServiceEndDate, UpdatedDate from InvoiceItem';
const STARTUP_BASELINE_SCALE = 0.01;
const STARTUP_SCALE = 1;

// ---------------------------------------------------------------------------------------------
// The server: the real CLI, its tap configs read from stdout, its memory from /proc.

/** Spawns the CLI; resolves once the JSON document of tap configs is complete on stdout. */
function startServer(cliArgs) {
  const started = performance.now();
  const proc = spawn(process.execPath, [cliPath, ...cliArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('exit', (code) => reject(new Error(`simulators exited (${code}) before printing their configs: ${stderr}`)));
    proc.stdout.on('data', (chunk) => {
      stdout += chunk;
      let configs;
      try {
        configs = JSON.parse(stdout);
      } catch {
        return; // not all of it yet
      }
      proc.removeAllListeners('exit');
      resolve({ proc, configs, msToConfig: performance.now() - started, stderr: () => stderr });
    });
  });
}

/** VmHWM (peak RSS) and VmRSS in MB, and user + system CPU seconds, of a live process. */
function processStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024, cpuSeconds: ticks / 100 };
}

/** SIGTERM, then wait for a clean exit (the CLI's documented way to stop). */
function stopServer(server) {
  return new Promise((resolve, reject) => {
    const { proc } = server;
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`simulators stopped with ${code ?? signal}: ${server.stderr()}`));
      else resolve();
    });
    proc.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------
// Clients: plain fetch, as a tap would do it (minus retries).

async function salesforceLogin(config) {
  const res = await fetch(`${config.login_url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: config.client_id, client_secret: config.client_secret, username: config.username, password: config.password + config.security_token }),
  });
  if (res.status !== 200) throw new Error(`Salesforce token: HTTP ${res.status} ${await res.text()}`);
  const body = await res.json();
  const version = String(config.api_version).replace(/^v/, '');
  return { base: `${body.instance_url}/services/data/v${version}`, instance: body.instance_url, headers: { authorization: `Bearer ${body.access_token}` } };
}

async function zuoraLogin(config) {
  const res = await fetch(`${config.base_url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.client_id, client_secret: config.client_secret, grant_type: 'client_credentials' }),
  });
  if (res.status !== 200) throw new Error(`Zuora token: HTTP ${res.status} ${await res.text()}`);
  return { base: config.base_url, headers: { authorization: `Bearer ${(await res.json()).access_token}` } };
}

async function getJson(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/**
 * Reads a CSV response body as it arrives, without keeping it, and returns the number of lines
 * (line endings outside quotes: quoted fields may hold newlines) and of bytes.
 */
async function countCsvLines(res) {
  let lines = 0;
  let bytes = 0;
  let quoted = false;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 34) quoted = !quoted;
      else if (c === 10 && !quoted) lines += 1;
    }
  }
  return { lines, bytes };
}

/** REST query, `nextRecordsUrl` followed, 2,000 records a page, until `limit` rows or the end. */
async function readRest(sf, limit, started) {
  let url = `${sf.base}/query?q=${encodeURIComponent(TASK_SOQL)}`;
  const headers = { ...sf.headers, 'Sforce-Query-Options': 'batchSize=2000' };
  let rows = 0;
  let tableRows;
  let firstPage;
  let pages = 0;
  for (;;) {
    const page = await getJson(url, { headers });
    pages += 1;
    firstPage ??= performance.now() - started;
    tableRows ??= page.totalSize;
    if (pages === 1 && page.records.length > 0 && !('Description' in page.records[0] && 'SystemModstamp' in page.records[0])) throw new Error(`unexpected record: ${JSON.stringify(page.records[0])}`);
    rows += page.records.length;
    if (page.done || rows >= limit) break;
    url = `${sf.instance}${page.nextRecordsUrl}`;
  }
  return { rows, tableRows, requests: pages, firstPage };
}

/** Bulk 2.0 query job: create, poll to JobComplete, results pages of 50,000 until `limit` rows or locator `null`. */
async function readBulk2(sf, limit, started) {
  const json = { ...sf.headers, 'content-type': 'application/json' };
  const job = await getJson(`${sf.base}/jobs/query`, { method: 'POST', headers: json, body: JSON.stringify({ operation: 'query', query: TASK_SOQL }) });
  let info = job;
  let requests = 1;
  for (let polls = 0; info.state !== 'JobComplete'; polls++) {
    if (info.state === 'Failed' || info.state === 'Aborted' || polls > 100) throw new Error(`Bulk 2.0 job ${job.id}: ${JSON.stringify(info)}`);
    info = await getJson(`${sf.base}/jobs/query/${job.id}`, { headers: sf.headers });
    requests += 1;
  }
  let rows = 0;
  let bytes = 0;
  let locator = '';
  let firstPage;
  while (rows < limit && locator !== 'null') {
    const res = await fetch(`${sf.base}/jobs/query/${job.id}/results?maxRecords=50000${locator ? `&locator=${locator}` : ''}`, { headers: { ...sf.headers, accept: 'text/csv' } });
    requests += 1;
    firstPage ??= performance.now() - started;
    if (res.status !== 200) throw new Error(`Bulk 2.0 results: HTTP ${res.status} ${await res.text()}`);
    locator = res.headers.get('sforce-locator');
    const count = Number(res.headers.get('sforce-numberofrecords'));
    const page = await countCsvLines(res);
    // every page repeats the header row
    if (page.lines - 1 !== count) throw new Error(`Bulk 2.0 page: ${page.lines - 1} CSV rows, Sforce-NumberOfRecords ${count}`);
    rows += count;
    bytes += page.bytes;
  }
  return { rows, tableRows: info.numberRecordsProcessed, requests, bytes, firstPage };
}

/** One stateless AQuA job (no partner, no project) over the whole table, its one file downloaded. */
async function readAqua(zuora, started) {
  const json = { ...zuora.headers, 'content-type': 'application/json' };
  const payload = { name: 'bench', format: 'csv', version: '1.2', encrypted: 'none', useQueryLabels: 'true', dateTimeUtc: 'true', partner: null, project: null, queries: [{ name: 'InvoiceItem', query: INVOICE_ITEM_ZOQL, type: 'zoqlexport' }] };
  const submitted = await getJson(`${zuora.base}/v1/batch-query/`, { method: 'POST', headers: json, body: JSON.stringify(payload) });
  if (!submitted.id) throw new Error(`AQuA submit: ${JSON.stringify(submitted)}`);
  let job = submitted;
  let requests = 1;
  for (let polls = 0; job.status !== 'completed'; polls++) {
    if (['error', 'aborted', 'cancelled'].includes(job.status) || polls > 100) throw new Error(`AQuA job ${submitted.id}: ${JSON.stringify(job)}`);
    job = await getJson(`${zuora.base}/v1/batch-query/jobs/${submitted.id}`, { headers: zuora.headers });
    requests += 1;
  }
  const batch = job.batches[0];
  if (!batch.fileId) throw new Error(`AQuA: expected one file, got ${JSON.stringify(batch)}`);
  const res = await fetch(`${zuora.base}/v1/file/${batch.fileId}`, { headers: zuora.headers });
  const firstPage = performance.now() - started;
  requests += 1;
  if (res.status !== 200) throw new Error(`AQuA file: HTTP ${res.status} ${await res.text()}`);
  const file = await countCsvLines(res);
  if (file.lines - 1 !== batch.recordCount) throw new Error(`AQuA file: ${file.lines - 1} CSV rows, recordCount ${batch.recordCount}`);
  return { rows: file.lines - 1, tableRows: batch.recordCount, requests, bytes: file.bytes, firstPage };
}

// ---------------------------------------------------------------------------------------------
// Children: each prints one JSON line on stdout.

const READS = {
  rest: { label: 'Salesforce REST query, nextRecordsUrl, batchSize=2000 (Task)', server: '--salesforce' },
  bulk2: { label: 'Salesforce Bulk 2.0 job, results maxRecords=50000 (Task)', server: '--salesforce' },
  aqua: { label: 'Zuora AQuA stateless job, one file (whole InvoiceItem table)', server: '--zuora' },
};

const children = {
  /** Spawn to tap configs on stdout, then to the first page of an authenticated REST query. */
  async startup(scale) {
    const server = await startServer(['--salesforce', '--zuora', '--marketo', '--scale', String(scale)]);
    const spawnToConfig = server.msToConfig;
    const t0 = performance.now();
    const sf = await salesforceLogin(server.configs['tap-salesforce']);
    const page = await getJson(`${sf.base}/query?q=${encodeURIComponent(STARTUP_SOQL)}`, { headers: sf.headers });
    const configToPage = performance.now() - t0;
    if (!Array.isArray(page.records) || page.records.length === 0) throw new Error(`no Account rows: ${JSON.stringify(page).slice(0, 300)}`);
    const stats = processStats(server.proc.pid);
    await stopServer(server);
    return { spawnToConfig, configToPage, spawnToPage: spawnToConfig + configToPage, pageRows: page.records.length, tableRows: page.totalSize, ...stats };
  },
  /** Node's own start, for reference: spawn to exit of `node -e 0`. */
  async 'node-start'() {
    const started = performance.now();
    await new Promise((resolve, reject) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`node -e 0: ${code}`)))));
    return { spawnToConfig: performance.now() - started };
  },
  /** One read through HTTP against a fresh server at `scale`. */
  async streaming(scale, read) {
    const server = await startServer([READS[read].server, '--scale', String(scale)]);
    const atStart = processStats(server.proc.pid);
    let result;
    let started;
    if (read === 'aqua') {
      const zuora = await zuoraLogin(server.configs['tap-zuora']);
      started = performance.now();
      result = await readAqua(zuora, started);
    } else {
      const sf = await salesforceLogin(server.configs['tap-salesforce']);
      started = performance.now();
      result = read === 'rest' ? await readRest(sf, rowsWanted, started) : await readBulk2(sf, rowsWanted, started);
    }
    const seconds = (performance.now() - started) / 1000;
    const stats = processStats(server.proc.pid);
    await stopServer(server);
    return { ...result, seconds, startRssMb: atStart.rssMb, ...stats, cpuSeconds: stats.cpuSeconds - atStart.cpuSeconds, clientPeakRssMb: process.resourceUsage().maxRSS / 1024 };
  },
  /** The generation cost alone: `Table.scan` in this process, no server, no HTTP, no formatting. */
  async scan(scale, table) {
    const { createCompany } = await import(simulators);
    const [system, name, limit] = table === 'Task' ? ['salesforce', 'Task', rowsWanted] : ['zuora', 'InvoiceItem', Infinity];
    const company = createCompany({ scale });
    const started = performance.now();
    let rows = 0;
    for (const row of company.table(system, name).scan({ asOf: company.initialAsOf })) {
      if (row.Id === undefined) throw new Error('row without Id');
      if (++rows >= limit) break;
    }
    return { rows, seconds: (performance.now() - started) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  },
};

function runChild(kind, ...childArgs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [here, '--child', kind, ...childArgs.flatMap((value, i) => [`--arg${i}`, String(value)]), '--rows', String(rowsWanted)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${kind} ${childArgs.join(' ')} failed (${code}): ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
    });
  });
}

// ---------------------------------------------------------------------------------------------

const fmt = (n, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function startupCase() {
  console.log(`\n### startup: spawn of the CLI (all three servers) to tap configs on stdout, then to the first REST query page\n`);
  console.log(`Median of ${runs} runs (min-max in brackets), runs of the two scales alternating. Query: \`${STARTUP_SOQL}\`.\n`);
  const samples = { node: [], [STARTUP_BASELINE_SCALE]: [], [STARTUP_SCALE]: [] };
  for (let i = 0; i < runs; i++) {
    samples.node.push(await runChild('node-start'));
    samples[STARTUP_BASELINE_SCALE].push(await runChild('startup', STARTUP_BASELINE_SCALE));
    samples[STARTUP_SCALE].push(await runChild('startup', STARTUP_SCALE));
  }
  const cell = (list, key) => (list[0][key] === undefined ? '-' : `${fmt(median(list.map((s) => s[key])))} (${fmt(Math.min(...list.map((s) => s[key])))}-${fmt(Math.max(...list.map((s) => s[key])))})`);
  console.log('| run | Accounts | spawn → configs printed, ms | configs → first query page (token + query), ms | spawn → first page, ms | server peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(`| reference: \`node -e 0\` (Node's own start and exit) | - | ${cell(samples.node, 'spawnToConfig')} | - | - | - |`);
  for (const [label, scale] of [[`baseline: scale ${STARTUP_BASELINE_SCALE}`, STARTUP_BASELINE_SCALE], [`scale ${STARTUP_SCALE}`, STARTUP_SCALE]]) {
    const list = samples[scale];
    console.log(`| ${label} | ${fmt(list[0].tableRows)} | ${cell(list, 'spawnToConfig')} | ${cell(list, 'configToPage')} | ${cell(list, 'spawnToPage')} | ${fmt(median(list.map((s) => s.peakRssMb)))} |`);
  }
  const base = median(samples[STARTUP_BASELINE_SCALE].map((s) => s.spawnToPage));
  const one = median(samples[STARTUP_SCALE].map((s) => s.spawnToPage));
  const config = median(samples[STARTUP_SCALE].map((s) => s.spawnToConfig));
  console.log(`\nscale ${STARTUP_SCALE}: configs after ${fmt(config)} ms, first page after ${fmt(one)} ms (${one < 1000 ? 'under' : 'NOT under'} a second); cost of the dataset size vs scale ${STARTUP_BASELINE_SCALE}: ${fmt(one - base)} ms`);
}

async function streamingCase() {
  console.log(`\n### streaming: up to ${fmt(rowsWanted)} rows through HTTP per read, a fresh server per read; scales ${scales.join(', ')}\n`);
  console.log('| scale | read | rows in the table | rows read | seconds to the first page | seconds | rows/s | server peak RSS MB | server RSS after start MB | server CPU s |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const results = {};
  for (const read of reads) {
    if (!READS[read]) throw new Error(`--reads: one of ${Object.keys(READS).join(', ')}, got ${read}`);
    for (const scale of scales) {
      const r = await runChild('streaming', scale, read);
      (results[read] ??= {})[scale] = r;
      console.log(`| ${scale} | ${READS[read].label} | ${fmt(r.tableRows)} | ${fmt(r.rows)} | ${fmt(r.firstPage / 1000, 2)} | ${fmt(r.seconds, 2)} | ${fmt(r.rows / r.seconds)} | ${fmt(r.peakRssMb)} | ${fmt(r.startRssMb)} | ${fmt(r.cpuSeconds, 1)} |`);
    }
  }
  const scans = [];
  if (reads.includes('rest') || reads.includes('bulk2')) scans.push(['Task', `in-process Table.scan of Task (first ${fmt(rowsWanted)} rows), no server`]);
  if (reads.includes('aqua')) scans.push(['InvoiceItem', 'in-process Table.scan of InvoiceItem (whole table), no server']);
  for (const [table, label] of scans) {
    for (const scale of scales) {
      const r = await runChild('scan', scale, table);
      console.log(`| ${scale} | ${label} | - | ${fmt(r.rows)} | - | ${fmt(r.seconds, 2)} | ${fmt(r.rows / r.seconds)} | ${fmt(r.peakRssMb)} (this process) | - | - |`);
    }
  }
  if (scales.length >= 2) {
    const [low, high] = [scales[0], scales.at(-1)];
    console.log(`\nServer peak RSS, scale ${high} against scale ${low} (the claim: within ~1.3x while the table is ${fmt(high / low)}x bigger):`);
    for (const read of reads) {
      const a = results[read][low];
      const b = results[read][high];
      const ratio = b.peakRssMb / a.peakRssMb;
      console.log(`- ${read}: ${fmt(a.peakRssMb)} → ${fmt(b.peakRssMb)} MB, ${fmt(ratio, 2)}x, table ${fmt(a.tableRows)} → ${fmt(b.tableRows)} rows: ${ratio <= 1.3 ? 'holds' : 'DOES NOT HOLD'}`);
    }
  }
}

if (option('child')) {
  const kind = option('child');
  const childArgs = [option('arg0'), option('arg1')].filter((value) => value !== undefined);
  const result = await children[kind](...childArgs.map((value, i) => (i === 0 ? Number(value) : value)));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log(`node ${process.version}; ${fmt(rowsWanted)} rows per Task read`);
  if (only === undefined || only === 'startup') await startupCase();
  if (only === undefined || only === 'streaming') await streamingCase();
}
