#!/usr/bin/env node
// Issue 7: records/s of ~1M activities from the simulator through the real tap-marketo command
// (Bulk Extract: 31-day export windows, two jobs enqueued at a time, CSV files streamed), with the
// tap's CPU time per record, against the cost of serialising the same records alone (SingerWriter,
// no HTTP, no CSV), measured in the same run. Every party is a process of its own: the simulator
// CLI (its CPU and peak RSS from /proc), the tap bin (its CPU and peak RSS from
// bench/lib/max-rss.mjs, preloaded with --import), the serialise-alone baseline (a child of this
// script); this process is only the sink that counts RECORD lines on the tap's stdout. The
// machinery is bench/lib/tap-bench.mjs.
// Usage: node bench/tap-marketo.mjs [--records N] [--max-export-days 31] [--pool 50000]
//        (build first: `npx tsc -p packages/tap-marketo`; the scale is chosen so that the
//        activities table has at least N rows)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCompany, discoverSelecting, fmt, load, measureTap, option, prebuild, runBench, withSimulator, writeBaseline } from './lib/tap-bench.mjs';

const here = fileURLToPath(import.meta.url);
const tapBin = fileURLToPath(new URL('../packages/tap-marketo/bin/tap-marketo.js', import.meta.url));

const recordsWanted = Number(option('records', 1_000_000));
const maxExportDays = Number(option('max-export-days', 31));
const poolSize = Number(option('pool', 50_000));
// ~72,651 activities per unit of scale; a little over, so the table has >= N.
const scale = Number(option('scale', Math.ceil((recordsWanted / 72_000) * 10) / 10));

// The baseline child: the same activities, shaped as the tap emits them, written by SingerWriter alone.
async function serialiseChild(count) {
  const company = await createCompany(scale);
  const names = new Map([...company.table('marketo', 'activity_types').scan({ asOf: company.initialAsOf })].map((t) => [Number(t.id), t.primaryAttribute?.name ?? null]));
  const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const toRecord = (row) => ({
    marketoGUID: row.marketoGUID,
    leadId: row.leadId,
    activityDate: iso(row.activityDate),
    activity_type_id: row.activityTypeId,
    campaignId: row.campaignId ?? null,
    primary_attribute_value_id: row.primaryAttributeValueId ?? null,
    primary_attribute_value: row.primaryAttributeValue ?? null,
    primary_attribute_name: names.get(Number(row.activityTypeId)) ?? null,
    attributes: Array.isArray(row.attributes) && row.attributes.length ? Object.fromEntries(row.attributes.map((a) => [a.name, a.value ?? null])) : null,
  });
  const { rows, buildSeconds } = prebuild(company.table('marketo', 'activities').scan({ asOf: company.initialAsOf }), toRecord, Math.min(count, poolSize));
  await writeBaseline({ stream: 'activities', keyProperties: ['marketoGUID'], bookmarkProperties: ['activityDate'], rows, buildSeconds, count });
}

function tapCase(dir) {
  // Status every 20 ms instead of Marketo's ~60 s: the bench measures the tap, not Marketo's queue.
  return withSimulator(['--marketo', '--scale', String(scale), '--set', 'marketo.bulkStatusCadenceMs=20'], async (sim) => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ ...sim.configs['tap-marketo'], max_export_days: maxExportDays, export_poll_interval_ms: 20, export_poll_max_ms: 200 }));
    const catalogFile = join(dir, 'catalog.json');
    await discoverSelecting(tapBin, config, 'activities', catalogFile);
    const run = await measureTap(sim, [tapBin, '--config', config, '--catalog', catalogFile]);
    return { ...run, windows: [...run.stderr.matchAll(/activities \[[^\]]+\]: \d+ rows/g)].length };
  });
}

if (option('child') === 'serialise') {
  await serialiseChild(recordsWanted);
} else {
  await runBench({
    name: 'tap-marketo',
    script: here,
    scale,
    poolSize,
    heading: `node ${process.version}; scale ${scale} (>= ${fmt(recordsWanted)} activities wanted); max_export_days ${maxExportDays}; load average at start ${load()}`,
    cases: [{ key: 'tap', label: 'tap-marketo, activities through Bulk Extract (status cadence 20 ms)', run: tapCase }],
    progress: false,
    caption: (count, results) => `${fmt(count)} activities (the whole table at scale ${scale}) in ${results.tap.windows} export windows`,
    baselineLabel: (b) => `baseline: SingerWriter.writeRecord alone, the first ${fmt(b.pool)} activities prebuilt as the tap's records, cycled (building them ${fmt(b.buildSeconds, 1)} s not counted)`,
  });
}
