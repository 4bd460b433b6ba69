#!/usr/bin/env node
// bizops-metrics build on a warehouse the size of a large company: raw tables shaped like
// `tap-X | target-postgres` output (lower-cased names, the target's column types and metadata
// columns), generated with generate_series in scratch schemas, then one full build. Prints the
// time of every layer and SQL file, and the size of what was built.
//
// Usage: node bench/metrics.mjs [--touches N] [--opportunities N] [--keep] [--reuse] [--sql-dir DIR]
//   --touches        campaign memberships + interest activities, about 1,000,000 by default
//   --opportunities  100,000 by default (one account each; 40 % won; 40 % of those in Zuora)
//   --keep           leave the schemas for EXPLAIN by hand (psql) and for --reuse
//   --reuse          build on the raw schemas a --keep run left (same sizes), without generating them
//   --sql-dir        build from another directory of numbered .sql files (e.g. a copy of the old
//                    packages/metrics/sql, for an A/B comparison in the same time window)
// Connection: the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), defaulting
// to 127.0.0.1:5432, user postgres, database test. Schemas bench_metrics_{salesforce,zuora,marketo,analytics},
// dropped at start (and at the end unless --keep). Needs packages/metrics built (npx tsc -p packages/metrics).
import pg from 'pg';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const touches = Number(option('touches', 1_000_000));
const opportunities = Number(option('opportunities', 100_000));
const keep = args.includes('--keep');
const reuse = args.includes('--reuse');
const sqlDir = option('sql-dir', undefined);

process.env.PGHOST ??= '127.0.0.1';
process.env.PGPORT ??= '5432';
process.env.PGUSER ??= 'postgres';
process.env.PGDATABASE ??= 'test';

const { buildMetrics } = await import('../packages/metrics/dist/index.js');

const S = { salesforce: 'bench_metrics_salesforce', zuora: 'bench_metrics_zuora', marketo: 'bench_metrics_marketo', analytics: 'bench_metrics_analytics' };
// Half of the touches are memberships (each recorded in Marketo and, for synced people, again in
// Salesforce), half are activities; people get 4 touches each on average.
const people = Math.round(touches / 4);
const memberships = Math.round(touches / 2);
const activities = touches - memberships;
const campaigns = 500;
const accounts = opportunities;

const META = `_sdc_extracted_at timestamptz, _sdc_received_at timestamptz, _sdc_batched_at timestamptz, _sdc_deleted_at timestamptz, _sdc_sequence bigint, _sdc_table_version bigint`;

const generate = [
  `create schema ${S.salesforce}`,
  `create schema ${S.zuora}`,
  `create schema ${S.marketo}`,
  // ---- Salesforce
  `create table ${S.salesforce}.campaign (id text primary key, name text, type text, channel__c text, status text, startdate date, enddate date, actualcost numeric, budgetedcost numeric, createddate timestamptz, isdeleted boolean, ${META})`,
  `insert into ${S.salesforce}.campaign select 'CMP' || g, 'Campaign ' || g, (array['Webinar','Tradeshow','Advertisement','Email'])[1 + g % 4], (array['Webinar','Tradeshow','Online Advertising','Email Nurture'])[1 + g % 4],
     'Completed', date '2024-12-01' + (g % 700), date '2024-12-31' + (g % 700), 10000 + g * 10, 12000, timestamptz '2024-12-01' + (g % 700) * interval '1 day', false, now(), now(), now(), null, 0, null
   from generate_series(1, ${campaigns}) g`,
  `create table ${S.salesforce}.account (id text primary key, name text, type text, createddate timestamptz, isdeleted boolean, ${META})`,
  `insert into ${S.salesforce}.account select 'ACC' || g, 'Company ' || g, 'Prospect', timestamptz '2024-12-01' + (g % 700) * interval '1 day', false, now(), now(), now(), null, 0, null from generate_series(1, ${accounts}) g`,
  `create table ${S.salesforce}.contact (id text primary key, accountid text, email text, createddate timestamptz, isdeleted boolean, ${META})`,
  `insert into ${S.salesforce}.contact select 'CON' || g, 'ACC' || g, 'person' || g || '@example.com', timestamptz '2024-12-01' + (g % 700) * interval '1 day' + interval '30 days', false, now(), now(), now(), null, 0, null from generate_series(1, ${accounts}) g`,
  `create table ${S.salesforce}.lead (id text primary key, email text, createddate timestamptz, isconverted boolean, converteddate date, convertedcontactid text, convertedaccountid text, isdeleted boolean, ${META})`,
  `insert into ${S.salesforce}.lead select 'LEA' || g, 'person' || g || '@example.com', timestamptz '2024-12-01' + (g % 700) * interval '1 day', g <= ${accounts}, case when g <= ${accounts} then date '2024-12-31' + (g % 700) end,
     case when g <= ${accounts} then 'CON' || g end, case when g <= ${accounts} then 'ACC' || g end, false, now(), now(), now(), null, 0, null
   from generate_series(1, ${Math.round(people * 0.72)}) g`,
  `create table ${S.salesforce}.opportunity (id text primary key, accountid text, contactid text, name text, type text, stagename text, isclosed boolean, iswon boolean, closedate date, createddate timestamptz, amount numeric, iacv__c numeric, isdeleted boolean, ${META})`,
  `insert into ${S.salesforce}.opportunity select 'OPP' || g, 'ACC' || g, 'CON' || g, 'Deal ' || g, 'New Business', case when g % 5 < 2 then 'Closed Won' else 'Closed Lost' end, true, g % 5 < 2,
     date '2024-12-01' + (g % 700) + 60 + (g % 90), timestamptz '2024-12-01' + (g % 700) * interval '1 day' + interval '30 days', 12000 + (g % 50) * 1000, case when g % 5 < 2 then 12000 + (g % 50) * 1000 end, false, now(), now(), now(), null, 0, null
   from generate_series(1, ${opportunities}) g`,
  `create table ${S.salesforce}.opportunitycontactrole (id text primary key, opportunityid text, contactid text, isprimary boolean, isdeleted boolean, ${META})`,
  `insert into ${S.salesforce}.opportunitycontactrole select 'OCR' || g, 'OPP' || g, 'CON' || g, true, false, now(), now(), now(), null, 0, null from generate_series(1, ${opportunities}) g`,
  // memberships: person p's k-th membership; Salesforce keeps those of synced people (ids below 72 %)
  `create table ${S.salesforce}.campaignmember (id text primary key, campaignid text, leadid text, contactid text, status text, hasresponded boolean, firstrespondeddate date, createddate timestamptz, isdeleted boolean, ${META})`,
  `insert into ${S.salesforce}.campaignmember select 'CM' || g, 'CMP' || (1 + ((g % ${people})::bigint * 7919 + g / ${people}) % ${campaigns}), 'LEA' || (1 + g % ${people}), case when 1 + g % ${people} <= ${accounts} then 'CON' || (1 + g % ${people}) end,
     'Responded', true, date '2024-12-01' + ((1 + g % ${people}) % 700) + g / ${people} * 5, timestamptz '2024-12-01' + ((1 + g % ${people}) % 700) * interval '1 day' + (g / ${people}) * interval '5 days', false, now(), now(), now(), null, 0, null
   from generate_series(0, ${memberships - 1}) g where 1 + g % ${people} <= ${Math.round(people * 0.72)}`,
  // ---- Marketo
  `create table ${S.marketo}.programs (id bigint primary key, name text, type text, channel text, costs jsonb, sfdcid text, createdat timestamptz, ${META})`,
  `insert into ${S.marketo}.programs select g, 'Program ' || g, 'Default', (array['Webinar','Tradeshow','Online Advertising','Email Nurture'])[1 + g % 4],
     (select jsonb_agg(jsonb_build_object('startDate', to_char(date '2024-12-01' + (g % 700) + m * 30, 'YYYY-MM-DD'), 'cost', 1000 + m * 100, 'note', 'month ' || m)) from generate_series(0, 5) m),
     'CMP' || g, timestamptz '2024-12-01' + (g % 700) * interval '1 day', now(), now(), now(), null, 0, null
   from generate_series(1, ${campaigns}) g`,
  `create table ${S.marketo}.leads (id bigint primary key, email text, createdat timestamptz, sfdcleadid text, sfdccontactid text, sfdcaccountid text, acquisitionprogramid bigint, ${META})`,
  `insert into ${S.marketo}.leads select g, 'person' || g || '@example.com', timestamptz '2024-12-01' + (g % 700) * interval '1 day', case when g <= ${Math.round(people * 0.72)} then 'LEA' || g end,
     case when g <= ${accounts} then 'CON' || g end, case when g <= ${accounts} then 'ACC' || g end, 1 + (g::bigint * 7919) % ${campaigns}, now(), now(), now(), null, 0, null
   from generate_series(1, ${people}) g`,
  `create table ${S.marketo}.deleted_leads (id bigint primary key, deletedat timestamptz, ${META})`,
  `create table ${S.marketo}.program_members (id bigint primary key, programid bigint, leadid bigint, statusname text, reachedsuccess boolean, membershipdate timestamptz, createdat timestamptz, ${META})`,
  `insert into ${S.marketo}.program_members select g, 1 + ((g % ${people})::bigint * 7919 + g / ${people}) % ${campaigns}, 1 + g % ${people}, 'Member', g % 3 = 0,
     timestamptz '2024-12-01' + ((1 + g % ${people}) % 700) * interval '1 day' + (g / ${people}) * interval '5 days', timestamptz '2024-12-01' + ((1 + g % ${people}) % 700) * interval '1 day' + (g / ${people}) * interval '5 days', now(), now(), now(), null, 0, null
   from generate_series(0, ${memberships - 1}) g`,
  `create table ${S.marketo}.activity_types (id bigint primary key, name text, ${META})`,
  `insert into ${S.marketo}.activity_types values (1, 'Visit Webpage', now(), now(), now(), null, 0, null), (2, 'Fill Out Form', now(), now(), now(), null, 0, null), (6, 'Send Email', now(), now(), now(), null, 0, null), (11, 'Click Email', now(), now(), now(), null, 0, null), (100001, 'Download Collateral', now(), now(), now(), null, 0, null)`,
  `create table ${S.marketo}.emails (id bigint primary key, name text, folder jsonb, ${META})`,
  `insert into ${S.marketo}.emails select g, 'Email ' || g, jsonb_build_object('type', 'Program', 'value', 1 + g % ${campaigns}), now(), now(), now(), null, 0, null from generate_series(1, 2000) g`,
  `create table ${S.marketo}.landing_pages (id bigint primary key, name text, folder jsonb, ${META})`,
  `insert into ${S.marketo}.landing_pages select g, 'Page ' || g, jsonb_build_object('type', 'Program', 'value', g), now(), now(), now(), null, 0, null from generate_series(1, ${campaigns}) g`,
  `create table ${S.marketo}.campaigns (id bigint primary key, name text, programid bigint, ${META})`,
  `insert into ${S.marketo}.campaigns select g, 'Smart campaign ' || g, g, now(), now(), now(), null, 0, null from generate_series(1, ${campaigns}) g`,
  `create table ${S.marketo}.activities (marketoguid text primary key, leadid bigint, activitydate timestamptz, activity_type_id bigint, campaignid bigint, primary_attribute_value_id bigint, primary_attribute_value text, primary_attribute_name text, attributes jsonb, ${META})`,
  `insert into ${S.marketo}.activities select lpad(g::text, 16, '0'), 1 + g % ${people}, timestamptz '2024-12-01' + ((1 + g % ${people}) % 700) * interval '1 day' + (g / ${people}) * interval '3 days' + interval '1 hour',
     (array[1, 2, 11, 100001])[1 + g % 4], 1 + g % ${campaigns}, 1 + g % 2000, 'asset ' || (g % 2000), null,
     case when g % 4 = 1 then jsonb_build_array(jsonb_build_object('name', 'Webpage ID', 'value', 1 + g % ${campaigns})) else '[]'::jsonb end, now(), now(), now(), null, 0, null
   from generate_series(0, ${activities - 1}) g`,
  // ---- Zuora: the won accounts that are billed, one subscription with two versions each
  `create table ${S.zuora}.account (id text primary key, crmid text, name text, status text, createddate timestamptz, ${META})`,
  `insert into ${S.zuora}.account select 'ZA' || g, 'ACC' || g, 'Company ' || g, 'Active', now(), now(), now(), now(), null, 0, null from generate_series(1, ${opportunities}) g where g % 5 < 2`,
  `create table ${S.zuora}.subscription (id text primary key, accountid text, originalid text, version bigint, status text, subscriptionstartdate date, subscriptionenddate date, termstartdate date, termenddate date, cancelleddate date, createddate timestamptz, updateddate timestamptz, ${META})`,
  `insert into ${S.zuora}.subscription select 'ZS' || g || '-' || v, 'ZA' || g, 'ZS' || g || '-1', v, case when v = 2 then (case when g % 7 = 0 then 'Cancelled' else 'Active' end) else 'Expired' end,
     date '2025-01-01' + (g % 600), case when v = 2 and g % 7 = 0 then date '2026-01-01' + (g % 300) end, date '2025-01-01' + (g % 600), date '2026-01-01' + (g % 600),
     case when v = 2 and g % 7 = 0 then date '2026-01-01' + (g % 300) end, now(), now(), now(), now(), now(), null, 0, null
   from generate_series(1, ${opportunities}) g cross join generate_series(1, 2) v where g % 5 < 2`,
  `create table ${S.zuora}.rateplan (id text primary key, subscriptionid text, ${META})`,
  `insert into ${S.zuora}.rateplan select 'RP' || id, id, now(), now(), now(), null, 0, null from ${S.zuora}.subscription`,
  `create table ${S.zuora}.rateplancharge (id text primary key, rateplanid text, chargetype text, mrr numeric, tcv numeric, ${META})`,
  `insert into ${S.zuora}.rateplancharge select 'RPC' || id, id, 'Recurring', 1000 + length(id) * 10, 12000, now(), now(), now(), null, 0, null from ${S.zuora}.rateplan`,
];

const client = new pg.Client();
await client.connect();
const dropAll = () => client.query(Object.values(S).map((s) => `drop schema if exists ${s} cascade`).join('; '));
let started = performance.now();
if (reuse) {
  await client.query(`drop schema if exists ${S.analytics} cascade`);
} else {
  await dropAll();
  for (const statement of generate) await client.query(statement);
  // As autovacuum leaves freshly loaded tables: statistics, hint bits and visibility map set, so
  // the build is not charged for the first reading of rows just written.
  for (const schema of [S.salesforce, S.zuora, S.marketo]) {
    const tables = await client.query('select tablename from pg_tables where schemaname = $1', [schema]);
    for (const { tablename } of tables.rows) await client.query(`vacuum (analyze) ${schema}.${tablename}`);
  }
}
const generatedSeconds = (performance.now() - started) / 1000;

const config = { source_schemas: { salesforce: S.salesforce, zuora: S.zuora, marketo: S.marketo }, target_schema: S.analytics, as_of: '2026-12-01' };
started = performance.now();
// progress on stderr, one line per SQL file as it finishes
const progress = (message) => process.stderr.write(`${message}\n`);
const logger = { debug: progress, info: progress, warn: progress, error: progress, metric() {}, child() { return logger; } };
const report = await buildMetrics(config, { logger, sqlDir });
const buildSeconds = (performance.now() - started) / 1000;

const count = async (table) => Number((await client.query(`select count(*) from ${S.analytics}.${table}`)).rows[0].count);
const sizes = {};
for (const table of ['person', 'organization', 'campaign', 'touchpoint', 'opportunity', 'subscription', 'path_credit', 'metrics_by_key']) sizes[table] = await count(table);
if (!keep) await dropAll();
await client.end();

console.log(`raw rows ${reuse ? 'reused' : `generated in ${generatedSeconds.toFixed(1)} s`} (${people.toLocaleString()} people, ${memberships.toLocaleString()} memberships, ${activities.toLocaleString()} activities, ${opportunities.toLocaleString()} opportunities)`);
console.log(`built rows: ${Object.entries(sizes).map(([t, n]) => `${t} ${n.toLocaleString()}`).join(', ')}`);
console.log('\nlayer                      seconds');
for (const layer of report.layers) console.log(`${String(layer.layer).padEnd(2)} ${layer.name.padEnd(24)}${(layer.ms / 1000).toFixed(2).padStart(8)}`);
console.log(`   ${'total build'.padEnd(24)}${buildSeconds.toFixed(2).padStart(8)}`);
console.log('\nfile                                  seconds');
for (const file of report.files) console.log(`${file.name.padEnd(38)}${(file.ms / 1000).toFixed(2).padStart(8)}`);
console.log(buildSeconds < 60 ? '\nbuild under one minute' : '\nbuild took a minute or more');
