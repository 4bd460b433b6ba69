#!/usr/bin/env node
// Throughput of the SDK's Singer writer and reader on 1M small records, each case in its own
// process (so peak RSS is the case's own), against naive baselines measured in the same run.
// Usage: node bench/protocol.mjs [--records N]   (needs `npm run build` first)
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const sdk = new URL('../packages/sdk/dist/index.js', import.meta.url).href;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const records = Number(option('records', 1_000_000));

function record(i) {
  return { id: i, name: `Opportunity ${i}`, amount: i * 1.5, stage: 'Closed Won', closed: i % 2 === 0, updated_at: '2024-05-01T10:00:00.000Z' };
}

/** Each case writes to stdout (a pipe to the parent, drained to nowhere) or reads a file. */
const cases = {
  async 'writer: SingerWriter.writeRecord'() {
    const { SingerWriter } = await import(sdk);
    const writer = new SingerWriter(process.stdout);
    await writer.writeSchema('opportunities', { type: 'object' }, ['id']);
    for (let i = 0; i < records; i++) {
      const wait = writer.writeRecord('opportunities', record(i), { timeExtracted: '2024-05-01T10:00:00.000Z' });
      if (wait) await wait;
    }
    await writer.flush();
  },
  async 'writer baseline: one stdout.write per message, awaiting drain'() {
    for (let i = 0; i < records; i++) {
      const line = JSON.stringify({ type: 'RECORD', stream: 'opportunities', record: record(i), time_extracted: '2024-05-01T10:00:00.000Z' }) + '\n';
      if (!process.stdout.write(line)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  },
  async 'reader: readMessages (validated)'(file) {
    const { readMessageBatches } = await import(sdk);
    let count = 0;
    for await (const batch of readMessageBatches(createReadStream(file, { highWaterMark: 1 << 20 }))) count += batch.length;
    if (count !== records + 1) throw new Error(`read ${count}`);
  },
  async 'reader baseline: readline + JSON.parse (no checks)'(file) {
    let count = 0;
    for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
      JSON.parse(line);
      count += 1;
    }
    if (count !== records + 1) throw new Error(`read ${count}`);
  },
};

async function child(name, file) {
  const started = performance.now();
  await cases[name](file);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function runCase(name, file) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--case', name, '--file', file, '--records', String(records)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    proc.stdout.on('data', (chunk) => (bytes += chunk.length));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} failed: ${stderr}`));
      resolve({ ...JSON.parse(stderr.trim().split('\n').at(-1)), bytes });
    });
  });
}

async function writeInput(file) {
  const { SingerWriter } = await import(sdk);
  const out = createWriteStream(file);
  const writer = new SingerWriter(out);
  await writer.writeSchema('opportunities', { type: 'object', properties: { id: { type: 'integer' } } }, ['id']);
  for (let i = 0; i < records; i++) {
    const wait = writer.writeRecord('opportunities', record(i), { timeExtracted: '2024-05-01T10:00:00.000Z' });
    if (wait) await wait;
  }
  await writer.flush();
  await new Promise((resolve) => out.end(resolve));
}

if (option('case')) {
  await child(option('case'), option('file'));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'bench-protocol-'));
  const file = join(dir, 'input.singer');
  await writeInput(file);
  console.log(`${records.toLocaleString('en')} RECORD messages; input file ${(statSync(file).size / 1e6).toFixed(0)} MB; node ${process.version}`);
  console.log('| case | seconds | records/s | peak RSS MB |');
  console.log('|---|---:|---:|---:|');
  const results = {};
  for (const name of Object.keys(cases)) {
    const result = await runCase(name, file);
    results[name] = result;
    console.log(`| ${name} | ${result.seconds.toFixed(2)} | ${Math.round(records / result.seconds).toLocaleString('en')} | ${result.maxRssMb.toFixed(0)} |`);
  }
  const ratio = (a, b) => (results[b].seconds / results[a].seconds).toFixed(2);
  console.log(`\nwriter speed vs baseline: ${ratio('writer: SingerWriter.writeRecord', 'writer baseline: one stdout.write per message, awaiting drain')}x; reader speed vs baseline: ${ratio('reader: readMessages (validated)', 'reader baseline: readline + JSON.parse (no checks)')}x`);
  rmSync(dir, { recursive: true, force: true });
}
