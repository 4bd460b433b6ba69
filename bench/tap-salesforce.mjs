#!/usr/bin/env node
// Issue 5: records/s of a ~1M-row object (Task) from the simulator through the real tap-salesforce
// command, REST and Bulk API 2.0, with the tap's CPU time per record, against the cost of
// serialising the same records alone (SingerWriter, no HTTP, no parsing), measured in the same run.
// Every party is a process of its own: the simulator CLI (its CPU and peak RSS from /proc), the
// tap bin (its CPU and peak RSS from bench/lib/max-rss.mjs, preloaded with --import), the
// serialise-alone baseline (a child of this script); this process is only the sink that counts
// RECORD lines on the tap's stdout. The machinery is bench/lib/tap-bench.mjs.
// Usage: node bench/tap-salesforce.mjs [--records N] [--api rest,bulk] [--bulk-page-size 50000] [--pool 50000]
//        (needs `npm run build` first; the tap reads the whole Task table, the scale is chosen so
//        that it has at least N rows)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCompany, discoverSelecting, fmt, load, measureTap, option, prebuild, runBench, withSimulator, writeBaseline } from './lib/tap-bench.mjs';

const here = fileURLToPath(import.meta.url);
const tapBin = fileURLToPath(new URL('../packages/tap-salesforce/bin/tap-salesforce.js', import.meta.url));

const recordsWanted = Number(option('records', 1_000_000));
const apis = String(option('api', 'rest,bulk')).split(',');
const bulkPageSize = Number(option('bulk-page-size', 50_000));
// ~12,376 Task rows per unit of scale (1,237,682 at scale 100); a little over, so the table has >= N.
// The baseline writes N records cycling through the first `--pool` rows, prebuilt: holding all
// 1M rows (2.7 GB of objects) would make the writer's figure mostly garbage-collector work.
const poolSize = Number(option('pool', 50_000));
const scale = Number(option('scale', Math.ceil((recordsWanted / 12_300) * 10) / 10));

const API = {
  rest: { label: 'tap, api_type REST (queryAll, nextRecordsUrl, 2,000 a page)', apiType: 'REST', set: [] },
  bulk: { label: `tap, api_type BULK (Bulk 2.0 job, CSV pages of ${bulkPageSize.toLocaleString('en')})`, apiType: 'BULK', set: ['--set', `salesforce.bulkPageSize=${bulkPageSize}`] },
};
for (const api of apis) if (!API[api]) throw new Error(`--api: rest and/or bulk, got ${api}`);

/** The baseline child: the same Task rows, as the tap emits them, written by SingerWriter alone. */
async function serialiseChild(count) {
  const company = await createCompany(scale);
  // The tap's record shape: its schema's field order, date-times as ISO strings, _sdc_deleted_at.
  const dateTimes = ['CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'CompletedDateTime'];
  const order = ['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'WhoId', 'WhatId', 'Subject', 'ActivityDate', 'Status', 'Priority', 'IsHighPriority', 'OwnerId', 'Description', 'Type', 'AccountId', 'IsClosed', 'CallDurationInSeconds', 'CallType', 'CallDisposition', 'TaskSubtype', 'CompletedDateTime', 'Call_Outcome__c'];
  const toRecord = (row) => {
    const record = {};
    for (const key of order) {
      const value = row[key] ?? null;
      record[key] = value !== null && dateTimes.includes(key) ? new Date(value).toISOString() : value;
    }
    record._sdc_deleted_at = row.IsDeleted ? record.SystemModstamp : null;
    return record;
  };
  const { rows, buildSeconds } = prebuild(company.table('salesforce', 'Task').scan({ asOf: company.initialAsOf, includeDeleted: true }), toRecord, Math.min(count, poolSize));
  await writeBaseline({ stream: 'Task', keyProperties: ['Id'], bookmarkProperties: ['SystemModstamp'], rows, buildSeconds, count });
}

/** One tap run against a fresh simulator: discover, select Task alone, sync; the sink counts. */
function tapCase(api, dir) {
  return withSimulator(['--salesforce', '--scale', String(scale), ...API[api].set], async (sim) => {
    const config = join(dir, `config-${api}.json`);
    writeFileSync(config, JSON.stringify({ ...sim.configs['tap-salesforce'], api_type: API[api].apiType }));
    // Discovery (not timed), then the SDK catalog with Task alone selected, as the CLI test does.
    const catalogFile = join(dir, `catalog-${api}.json`);
    await discoverSelecting(tapBin, config, 'Task', catalogFile);
    return measureTap(sim, [tapBin, '--config', config, '--catalog', catalogFile], `${api}: `);
  });
}

if (option('child') === 'serialise') {
  await serialiseChild(recordsWanted);
} else {
  await runBench({
    name: 'tap-salesforce',
    script: here,
    scale,
    poolSize,
    heading: `node ${process.version}; scale ${scale} (>= ${fmt(recordsWanted)} Task rows wanted); load average at start ${load()}`,
    cases: apis.map((api) => ({ key: api, label: API[api].label, run: (dir) => tapCase(api, dir) })),
    disagree: 'REST and BULK disagree',
    caption: (count) => `${fmt(count)} Task records (the whole table at scale ${scale}, deleted rows included)`,
    baselineLabel: (b) => `baseline: SingerWriter.writeRecord alone, the first ${fmt(b.pool)} rows prebuilt as the tap's records, cycled (writing timed; building them ${fmt(b.buildSeconds, 1)} s not counted)`,
  });
}
