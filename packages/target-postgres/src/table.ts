import type { JsonSchema } from '@singer-io-ts/sdk';
import type pg from 'pg';
import { flattenSchema } from './flatten.js';
import { disambiguate, pgIdentifier, qualified, quoteIdentifier, type IdentifierCase } from './identifiers.js';
import { METADATA_COLUMNS } from './metadata.js';
import { alterUsing, mergeTypes, pgTypeFor, widensInPlace, type PgType } from './type-map.js';

export interface ColumnPlan {
  /** Property name in the (flattened) record. */
  property: string;
  /** Column name in Postgres. */
  column: string;
  /** The column's type as it is in the database, which decides how values are encoded. */
  type: PgType;
}

/** Where and how one stream lands: the table as it is after the DDL its latest SCHEMA needed. */
export interface TablePlan {
  stream: string;
  schema: string;
  table: string;
  /** Data columns, then metadata columns when enabled. */
  columns: ColumnPlan[];
  keyColumns: string[];
  keyProperties: string[];
  hasMetadata: boolean;
}

export interface TableOptions {
  identifierCase: IdentifierCase;
  flatteningMaxDepth: number;
  addMetadataColumns: boolean;
}

const NAME_MAP = '_sdc_identifiers';

/** Types the loader does not create but may find (tables made by other tools), as the nearest of ours. */
const FOREIGN_TYPES: Array<[RegExp, PgType]> = [
  [/^(smallint|integer|bigint)$/, 'bigint'],
  [/^(numeric|double precision|real)/, 'numeric'],
  [/^boolean$/, 'boolean'],
  [/^date$/, 'date'],
  // `timestamp` first: the time pattern would otherwise claim "timestamp with time zone".
  [/^timestamp/, 'timestamptz'],
  [/^time(\(\d+\))?( without time zone)?$/, 'time'],
  [/^jsonb?$/, 'jsonb'],
];

function pgTypeOf(formatted: string): PgType {
  return FOREIGN_TYPES.find(([pattern]) => pattern.test(formatted))?.[1] ?? 'text';
}

/**
 * Creates or evolves the table of a stream so it can hold records of `jsonSchema`, in one
 * transaction. Evolution never loses data: new properties add columns; a type change widens the
 * column in place when that is lossless (bigint→numeric, date→timestamptz, anything→text or
 * jsonb); when Postgres refuses (a view depends on the column, say), the old column stays and
 * the property moves to a new `<column>__<type>` column. Name choices are recorded in
 * `<schema>._sdc_identifiers`, so later runs land in the same columns.
 */
export async function ensureTable(
  client: pg.ClientBase,
  target: { stream: string; schema: string; table: string },
  jsonSchema: JsonSchema,
  keyProperties: string[],
  options: TableOptions,
): Promise<TablePlan> {
  const { schema } = target;
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, NAME_MAP)} (stream text NOT NULL, property text NOT NULL, pg_name text NOT NULL, PRIMARY KEY (stream, property))`,
    );
    // One loader at a time changes this stream's table; others wait here rather than race.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.${target.stream}`]);
    const names = await readNameMap(client, schema, target.stream);
    const table = names.get('') ?? (await chooseTableName(client, schema, target.table, options.identifierCase));
    await remember(client, schema, target.stream, '', table);

    const properties = flattenSchema(jsonSchema, options.flatteningMaxDepth);
    for (const key of keyProperties) {
      if (!(key in properties)) throw new Error(`stream "${target.stream}": key property "${key}" is not in its schema`);
    }
    const existing = await readColumns(client, schema, table);
    const columns: ColumnPlan[] = [];
    const taken = new Set(existing.keys());
    const plannedNames = new Set<string>();
    for (const [property, propertySchema] of Object.entries(properties)) {
      const wanted = pgTypeFor(propertySchema);
      let column = names.get(property) ?? disambiguate(pgIdentifier(property, options.identifierCase), property, plannedNames);
      plannedNames.add(column);
      const current = existing.get(column);
      let type = wanted;
      if (current === undefined) {
        if (existing.size > 0) await client.query(`ALTER TABLE ${qualified(schema, table)} ADD COLUMN ${quoteIdentifier(column)} ${wanted}`);
      } else {
        type = mergeTypes(current, wanted);
        if (type !== current) {
          const widened = widensInPlace(current, type) && (await tryAlterType(client, schema, table, column, current, type));
          if (!widened) {
            column = disambiguate(`${column}__${type.replace(/\s+/g, '_')}`, `${property}:${type}`, taken);
            if (!existing.has(column)) await client.query(`ALTER TABLE ${qualified(schema, table)} ADD COLUMN ${quoteIdentifier(column)} ${type}`);
            else type = existing.get(column)!;
          }
        }
      }
      taken.add(column);
      await remember(client, schema, target.stream, property, column);
      columns.push({ property, column, type });
    }
    const keyColumns = keyProperties.map((key) => columns.find((c) => c.property === key)!.column);

    // A tap may send a metadata column itself (`_sdc_deleted_at` from log-based sources): its schema wins.
    const metadata = (options.addMetadataColumns ? METADATA_COLUMNS : []).filter((m) => !columns.some((c) => c.column === m.column));
    if (existing.size === 0) {
      const definitions = [
        ...columns.map((c) => `${quoteIdentifier(c.column)} ${c.type}${keyColumns.includes(c.column) ? ' NOT NULL' : ''}`),
        ...metadata.map((m) => `${quoteIdentifier(m.column)} ${m.type}${m.default ? ` DEFAULT ${m.default}` : ''}`),
        ...(keyColumns.length > 0 ? [`PRIMARY KEY (${keyColumns.map(quoteIdentifier).join(', ')})`] : []),
      ];
      await client.query(`CREATE TABLE ${qualified(schema, table)} (${definitions.join(', ')})`);
    } else {
      for (const m of metadata) {
        if (!taken.has(m.column)) await client.query(`ALTER TABLE ${qualified(schema, table)} ADD COLUMN ${quoteIdentifier(m.column)} ${m.type}${m.default ? ` DEFAULT ${m.default}` : ''}`);
      }
      if (keyColumns.length > 0) await ensureUniqueKey(client, schema, table, keyColumns);
    }
    for (const m of metadata) columns.push({ property: m.column, column: m.column, type: existing.get(m.column) ?? m.type });
    await client.query('COMMIT');
    return { stream: target.stream, schema, table, columns, keyColumns, keyProperties, hasMetadata: options.addMetadataColumns };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Widens one column (an integer beyond bigint, say) outside any SCHEMA change. */
export async function widenColumn(client: pg.ClientBase, plan: TablePlan, column: string, to: PgType): Promise<void> {
  const current = plan.columns.find((c) => c.column === column);
  if (!current || current.type === to) return;
  await client.query('BEGIN');
  try {
    if (!(await tryAlterType(client, plan.schema, plan.table, column, current.type, to))) {
      throw new Error(`cannot widen column ${column} of ${plan.schema}.${plan.table} from ${current.type} to ${to}`);
    }
    await client.query('COMMIT');
    current.type = to;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function tryAlterType(client: pg.ClientBase, schema: string, table: string, column: string, from: PgType, to: PgType): Promise<boolean> {
  await client.query('SAVEPOINT widen');
  try {
    await client.query(`ALTER TABLE ${qualified(schema, table)} ALTER COLUMN ${quoteIdentifier(column)} TYPE ${to} USING ${alterUsing(quoteIdentifier(column), from, to)}`);
    await client.query('RELEASE SAVEPOINT widen');
    return true;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT widen');
    return false;
  }
}

async function ensureUniqueKey(client: pg.ClientBase, schema: string, table: string, keyColumns: string[]): Promise<void> {
  const { rows } = await client.query<{ columns: string[] }>(
    `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = to_regclass($1) AND i.indisunique
      GROUP BY i.indexrelid`,
    [qualified(schema, table)],
  );
  const wanted = [...keyColumns].sort().join('\0');
  if (rows.some((row) => [...row.columns].sort().join('\0') === wanted)) return;
  const index = pgIdentifier(`${table}_sdc_key_${keyColumns.join('_')}`);
  await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdentifier(index)} ON ${qualified(schema, table)} (${keyColumns.map(quoteIdentifier).join(', ')})`);
}

async function readColumns(client: pg.ClientBase, schema: string, table: string): Promise<Map<string, PgType>> {
  const { rows } = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
       FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [qualified(schema, table)],
  );
  return new Map(rows.map((row) => [row.name, pgTypeOf(row.type)]));
}

async function readNameMap(client: pg.ClientBase, schema: string, stream: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ property: string; pg_name: string }>(`SELECT property, pg_name FROM ${qualified(schema, NAME_MAP)} WHERE stream = $1`, [stream]);
  return new Map(rows.map((row) => [row.property, row.pg_name]));
}

async function remember(client: pg.ClientBase, schema: string, stream: string, property: string, pgName: string): Promise<void> {
  await client.query(
    `INSERT INTO ${qualified(schema, NAME_MAP)} (stream, property, pg_name) VALUES ($1, $2, $3) ON CONFLICT (stream, property) DO UPDATE SET pg_name = EXCLUDED.pg_name`,
    [stream, property, pgName],
  );
}

/** A table name no other stream has claimed in this schema. */
async function chooseTableName(client: pg.ClientBase, schema: string, source: string, identifierCase: IdentifierCase): Promise<string> {
  const { rows } = await client.query<{ pg_name: string }>(`SELECT pg_name FROM ${qualified(schema, NAME_MAP)} WHERE property = ''`);
  return disambiguate(pgIdentifier(source, identifierCase), source, new Set(rows.map((row) => row.pg_name)));
}
