/**
 * The .singer corpus (test/corpus): each case runs through the real CLI into its own fresh
 * schema, and the tables (all of them, nothing extra but `_sdc_identifiers`), the printed
 * states and the exit code must be exactly what `<case>.expected.json` says.
 *
 * `<case>.expected.json`:
 *   config?    extra target config (default: add_metadata_columns false)
 *   runs?      input files run one after another into the same schema (default: [`<case>.singer`])
 *   exitCode   of the last run (earlier runs must exit 0)
 *   stderr?    a regex the last run's stderr must match (multiline)
 *   states     STATE values printed, all runs concatenated, in order
 *   tables     { "<table>" | "{{schema}}_<suffix>.<table>": { columns: {name: format_type}, rows } }
 *              a row value "*" means "any non-null value" (metadata timestamps, sequences)
 * `{{schema}}` in an input file is replaced by the case's schema name (to route a stream to a
 * schema of its own). Cases without a .singer file have their input generated here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { connect, freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { listTables, readTable, runTarget, tableColumns } from './helpers/run-target.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');

interface Expected {
  config?: Record<string, unknown>;
  runs?: string[];
  exitCode: number;
  stderr?: string;
  states: unknown[];
  tables: Record<string, { columns: Record<string, string>; rows: Array<Record<string, string | null>> }>;
}

/** Inputs made at test time: the BATCH case needs files at absolute paths. */
const GENERATED: Record<string, (dir: string) => string> = {
  batch_messages(dir) {
    const plain = path.join(dir, 'part-1.jsonl');
    const gz = path.join(dir, 'part-2.jsonl.gz');
    writeFileSync(
      plain,
      [
        '{"id":1,"name":"one","amount":1.10,"tags":["a"]}',
        '{"id":2,"name":"two","amount":2}',
        '',
        '{"id":3,"name":"tab\\there \\"q\\" \\\\","amount":null,"tags":[]}',
      ].join('\n') + '\n',
    );
    writeFileSync(
      gz,
      gzipSync(['{"id":2,"name":"two updated in gzip","amount":123456789012345678901234567890.5,"tags":null}', '{"id":5,"name":"gzip only","amount":5,"tags":{"k":"v"}}'].join('\n') + '\n'),
    );
    const schema = {
      type: 'SCHEMA',
      stream: 'test_batch',
      key_properties: ['id'],
      schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, amount: { type: ['number', 'null'] }, tags: { type: ['array', 'object', 'null'] } } },
    };
    return (
      [
        schema,
        { type: 'BATCH', stream: 'test_batch', encoding: { format: 'jsonl', compression: 'none' }, manifest: [pathToFileURL(plain).href] },
        { type: 'STATE', value: { batch: 1 } },
        { type: 'RECORD', stream: 'test_batch', record: { id: 4, name: 'from a record', amount: 4 } },
        { type: 'BATCH', stream: 'test_batch', encoding: { format: 'jsonl', compression: 'gzip' }, manifest: [gz] },
        { type: 'STATE', value: { batch: 2 } },
      ]
        .map((m) => JSON.stringify(m))
        .join('\n') + '\n'
    );
  },
};

/** PG's ORDER BY on text columns under the C collation: bytewise, NULLs last. */
function compareRows(columns: string[]) {
  return (a: Record<string, string | null>, b: Record<string, string | null>): number => {
    for (const column of columns) {
      const x = a[column] ?? null;
      const y = b[column] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const order = Buffer.compare(Buffer.from(x), Buffer.from(y));
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** Replaces "*" in expected rows by the actual value when that value is non-null. */
function applyWildcards(expected: Array<Record<string, string | null>>, actual: Array<Record<string, string | null>>): Array<Record<string, string | null>> {
  return expected.map((row, i) =>
    Object.fromEntries(Object.entries(row).map(([column, value]) => [column, value === '*' && actual[i]?.[column] != null ? actual[i]![column]! : value])),
  );
}

const caseNames = readdirSync(CORPUS)
  .filter((file) => file.endsWith('.expected.json'))
  .map((file) => file.slice(0, -'.expected.json'.length))
  .sort();

t.test('the corpus has the cases it promises', async (t) => {
  const required = [
    'array_data', 'camelcase', 'duplicate_records', 'encoded_string_data', 'invalid_schema', 'multiple_state_messages', 'no_primary_keys',
    'no_primary_keys_append', 'optional_attributes', 'pk_updates', 'record_before_schema', 'record_missing_key_property',
    'record_missing_required_property', 'schema_no_properties', 'schema_updates', 'special_chars_in_attributes', 'record_missing_fields',
    'user_location_data', 'user_location_upsert_data', 'activate_version', 'activate_version_hard_delete', 'batch_messages', 'bigint_overflow',
    'decimals', 'special_strings', 'sql_names', 'long_names', 'schema_table_routing', 'schema_evolution', 'multi_type', 'dates_times',
  ];
  t.strictSame(required.filter((name) => !caseNames.includes(name)), []);
});

for (const name of caseNames) {
  t.test(name, async (t) => {
    const expected = JSON.parse(readFileSync(path.join(CORPUS, `${name}.expected.json`), 'utf8')) as Expected;
    const db = await getTestPostgres();
    const schema = await freshSchema(t);
    const client = await connect(t);
    // Schemas a case routes streams to (`{{schema}}_routed-items`) are this case's too.
    t.teardown(async () => {
      const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, [`${schema}_`]);
      for (const row of rows) await client.query(`DROP SCHEMA "${row.nspname}" CASCADE`);
    });

    let inputs: string[];
    if (GENERATED[name]) {
      const dir = mkdtempSync(path.join(os.tmpdir(), `corpus-${name}-`));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      inputs = [GENERATED[name](dir)];
    } else {
      inputs = (expected.runs ?? [`${name}.singer`]).map((file) => readFileSync(path.join(CORPUS, file), 'utf8'));
    }

    const config = { connection_string: db.connectionString, default_target_schema: schema, ssl_mode: 'disable', add_metadata_columns: false, ...expected.config };
    const states: unknown[] = [];
    for (const [i, input] of inputs.entries()) {
      const result = await runTarget({ config, input: input.replaceAll('{{schema}}', schema) });
      const last = i === inputs.length - 1;
      t.equal(result.code, last ? expected.exitCode : 0, `run ${i + 1}: exit code`, { stderr: result.stderr });
      if (last && expected.stderr !== undefined) t.match(result.stderr, new RegExp(expected.stderr, 'm'), 'stderr');
      if (result.code !== 0) t.equal(result.stderr.split('\n').filter((line) => line.startsWith('ERROR')).length, 1, 'one ERROR line');
      states.push(...result.states);
    }
    t.strictSame(states, expected.states, 'states printed');

    const schemas = [schema, ...(await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) ORDER BY 1`, [`${schema}_`])).rows.map((r) => r.nspname)];
    const actualTables: string[] = [];
    for (const s of schemas) {
      for (const table of await listTables(client, s)) {
        if (table === '_sdc_identifiers') continue;
        actualTables.push(s === schema ? table : `${s}.${table}`);
      }
    }
    const expectedTables = Object.keys(expected.tables).map((key) => key.replaceAll('{{schema}}', schema));
    t.strictSame([...actualTables].sort(), [...expectedTables].sort(), 'tables');

    for (const [key, want] of Object.entries(expected.tables)) {
      const resolved = key.replaceAll('{{schema}}', schema);
      const [tableSchema, table] = key.startsWith('{{schema}}') ? [resolved.slice(0, resolved.indexOf('.')), resolved.slice(resolved.indexOf('.') + 1)] : [schema, key];
      const columns = await tableColumns(client, tableSchema, table);
      t.strictSame(Object.fromEntries(columns.map((c) => [c.name, c.type])), want.columns, `${key}: columns`);
      // Expected columns in table order, so the same row order as ORDER BY 1, 2, ...
      const rows = await readTable(client, tableSchema, table);
      const order = Object.keys(want.columns);
      const wanted = [...want.rows].sort(compareRows(order));
      t.strictSame(rows, applyWildcards(wanted, rows), `${key}: rows`);
    }
  });
}
