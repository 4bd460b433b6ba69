#!/usr/bin/env node
// Issue 6: records/s of a large Zuora export (InvoiceItem, ~1M rows at the default scale) from the
// simulator through the real tap-zuora command (AQuA: one stateful job, CSV file streamed and
// parsed), with the tap's CPU time per record, against the cost of serialising the same records
// alone (SingerWriter, no HTTP, no CSV), measured in the same run. Every party is a process of its
// own: the simulator CLI (its CPU and peak RSS from /proc), the tap bin (its CPU and peak RSS from
// bench/lib/max-rss.mjs, preloaded with --import), the serialise-alone baseline (a child of this
// script); this process is only the sink that counts RECORD lines on the tap's stdout. The
// machinery is bench/lib/tap-bench.mjs.
// Usage: node bench/tap-zuora.mjs [--records N] [--api aqua,rest] [--pool 50000] [--scale X]
//        (needs `npx tsc -p packages/tap-zuora` first; the tap reads the whole InvoiceItem table,
//        the scale is chosen so that it has at least N rows. The simulator generates Zuora rows
//        slowly at large scales: its CPU is reported apart from the tap's.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCompany, fmt, load, measureTap, option, prebuild, runBench, withSimulator, writeBaseline } from './lib/tap-bench.mjs';

const here = fileURLToPath(import.meta.url);
const tapBin = fileURLToPath(new URL('../packages/tap-zuora/bin/tap-zuora.js', import.meta.url));

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

// The baseline child: InvoiceItem rows shaped as the tap emits them, written by SingerWriter alone.
async function serialiseChild(count) {
  const company = await createCompany(scale);
  const table = company.table('zuora', OBJECT);
  const fields = table.fields.filter((f) => (f.contexts ?? ['export']).includes('export'));
  const toRecord = (row) => {
    const record = {};
    for (const field of fields) {
      const value = row[field.name] ?? null;
      // Exports write whole seconds; the tap emits UTC ISO-8601.
      record[field.name] = value !== null && field.type === 'datetime' ? new Date(Math.floor(value / 1000) * 1000).toISOString() : value;
    }
    record._sdc_deleted_at = null;
    return record;
  };
  const { rows, buildSeconds } = prebuild(table.scan({ asOf: company.initialAsOf, includeDeleted: true }), toRecord, Math.min(count, poolSize));
  await writeBaseline({ stream: OBJECT, keyProperties: ['Id'], bookmarkProperties: ['UpdatedDate'], rows, buildSeconds, count });
}

/** One tap run against a fresh simulator: InvoiceItem alone (streams_to_discover), sync; the sink counts. */
function tapCase(api, dir) {
  return withSimulator(['--zuora', '--scale', String(scale), '--set', 'zuora.jobPolls=0'], (sim) => {
    const config = join(dir, `config-${api}.json`);
    writeFileSync(config, JSON.stringify({ ...sim.configs['tap-zuora'], api_type: API[api].apiType, streams_to_discover: [OBJECT] }));
    return measureTap(sim, [tapBin, '--config', config], `${api}: `);
  });
}

if (option('child') === 'serialise') {
  await serialiseChild(recordsWanted);
} else {
  await runBench({
    name: 'tap-zuora',
    script: here,
    scale,
    poolSize,
    heading: `node ${process.version}; scale ${scale} (>= ${fmt(recordsWanted)} ${OBJECT} rows wanted); load average at start ${load()}`,
    cases: apis.map((api) => ({ key: api, label: API[api].label, run: (dir) => tapCase(api, dir) })),
    disagree: 'the APIs disagree',
    caption: (count) => `${fmt(count)} ${OBJECT} records (the whole table at scale ${scale})`,
    baselineLabel: (b) => `baseline: SingerWriter.writeRecord alone, the first ${fmt(b.pool)} rows prebuilt as the tap's records, cycled (writing timed; building them ${fmt(b.buildSeconds, 1)} s not counted)`,
  });
}
