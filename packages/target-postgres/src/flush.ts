import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { batchFileRows } from './batch-files.js';
import { qualified, quoteIdentifier } from './identifiers.js';
import { BATCHED_AT } from './metadata.js';
import type { StreamBatch } from './stream-batch.js';
import type { ColumnPlan, TablePlan } from './table.js';

export type LoadMethod = 'upsert' | 'append' | 'overwrite';

export interface FlushOptions {
  loadMethod: LoadMethod;
  hardDelete: boolean;
  /** True for the stream's first flush of this run in overwrite mode: the table is emptied first. */
  truncateFirst: boolean;
  /** Upsert: first try COPY straight into the table, which is all a load of new keys needs. */
  tryDirectCopy: boolean;
  encodeFileRecord: (record: Record<string, unknown>) => string;
}

export interface FlushResult {
  rows: number;
  /** False when an upsert batch met an existing key (or could not try), so it went through staging. */
  directCopied: boolean;
}

/** Row order within a batch, so that the last record per key wins. */
export const ROW_COLUMN = '__sdc_row';
const STAGING = '_sdc_staging';

/** The columns a COPY sends: all but those the database fills in itself. */
export function copyColumns(plan: TablePlan): ColumnPlan[] {
  return plan.columns.filter((c) => !(plan.hasMetadata && c.column === BATCHED_AT));
}

/**
 * Loads one stream's batch in one transaction: COPY into a staging table, then one
 * `INSERT ... ON CONFLICT DO UPDATE` keeping the last record per key (upsert), or COPY straight
 * into the table (append, overwrite); then deletes what the batch says is deleted. Either all of
 * it is committed or none of it.
 */
export async function flushStreamBatch(client: pg.ClientBase, batch: StreamBatch, options: FlushOptions): Promise<FlushResult> {
  const plan = batch.plan;
  const target = qualified(plan.schema, plan.table);
  let upsert = options.loadMethod === 'upsert' && plan.keyColumns.length > 0;
  const columns = copyColumns(plan);
  const columnList = columns.map((c) => quoteIdentifier(c.column)).join(', ');
  const chunks = batch.takeChunks();
  let loaded = 0;
  let directCopied = false;
  await client.query('BEGIN');
  try {
    if (options.truncateFirst) await client.query(`TRUNCATE ${target}`);
    if (batch.rows > 0 || batch.files.length > 0) {
      if (upsert && options.tryDirectCopy && batch.files.length === 0) {
        // New keys only (a first load, an append-like stream): the table's own key index checks
        // them, at append speed. One existing or repeated key undoes it and the merge takes over.
        directCopied = await copyDirect(client, `COPY ${target} (${columnList}) FROM STDIN`, chunks, batch);
        if (directCopied) {
          loaded += batch.rows;
          upsert = false;
        }
      }
      if (!directCopied) {
        const into = upsert ? STAGING : target;
        if (upsert) {
          await client.query(`CREATE TEMP TABLE ${STAGING} (LIKE ${target} INCLUDING DEFAULTS) ON COMMIT DROP`);
          // Filled in COPY order, so the last record per key wins the merge.
          await client.query(`ALTER TABLE ${STAGING} ADD COLUMN ${ROW_COLUMN} bigint GENERATED ALWAYS AS IDENTITY`);
        }
        loaded += await copyRows(client, `COPY ${into} (${columnList}) FROM STDIN`, Readable.from(chunks), batch, 0);
        for (const files of batch.files) {
          loaded += await copyRows(client, `COPY ${into} (${columnList}) FROM STDIN`, Readable.from(batchFileRows(files, options.encodeFileRecord)), batch, files.line);
        }
        if (upsert) await mergeStaging(client, plan, target, columns);
      }
      if (options.hardDelete && plan.columns.some((c) => c.column === '_sdc_deleted_at')) {
        // Records that arrive flagged deleted (log-based taps) are removed rather than kept.
        const matchKeys = plan.keyColumns.map((k) => `t.${quoteIdentifier(k)} = s.${quoteIdentifier(k)}`).join(' AND ');
        await client.query(
          upsert
            ? `DELETE FROM ${target} t USING ${STAGING} s WHERE ${matchKeys} AND t._sdc_deleted_at IS NOT NULL`
            : `DELETE FROM ${target} WHERE _sdc_deleted_at IS NOT NULL`,
        );
      }
    }
    for (const version of batch.activateVersions) await activateVersion(client, plan, target, version, options.hardDelete);
    await client.query('COMMIT');
    return { rows: loaded, directCopied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const UNIQUE_VIOLATION = '23505';

async function copyDirect(client: pg.ClientBase, sql: string, chunks: Buffer[], batch: StreamBatch): Promise<boolean> {
  await client.query('SAVEPOINT direct_copy');
  try {
    await copyRows(client, sql, Readable.from(chunks), batch, 0);
    await client.query('RELEASE SAVEPOINT direct_copy');
    return true;
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code ?? (error as { code?: string }).code;
    if (code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT direct_copy');
    return false;
  }
}

async function copyRows(client: pg.ClientBase, sql: string, source: Readable, batch: StreamBatch, fileLine: number): Promise<number> {
  const copy = client.query(copyFrom(sql));
  try {
    await pipeline(source, copy);
  } catch (error) {
    throw describeCopyError(error, batch, fileLine);
  }
  return Number(copy.rowCount ?? 0);
}

/** "COPY _sdc_staging, line 3, column amount" → the input line of that row and the column. */
function describeCopyError(error: unknown, batch: StreamBatch, fileLine: number): Error {
  const where = (error as { where?: string }).where ?? '';
  const match = /line (\d+)(?:, column ([^:]+))?/.exec(where);
  const message = (error as Error).message;
  if (!match) return error as Error;
  const row = Number(match[1]);
  const input = fileLine > 0 ? `row ${row} of the BATCH files at input line ${fileLine}` : `input line ${batch.inputLines[row - 1] ?? '?'}`;
  const column = match[2] ? `, column ${match[2]}` : '';
  return new Error(`${input}: stream "${batch.plan.stream}"${column}: ${message}`, { cause: error });
}

async function mergeStaging(client: pg.ClientBase, plan: TablePlan, target: string, columns: ColumnPlan[]): Promise<void> {
  const list = columns.map((c) => quoteIdentifier(c.column)).join(', ');
  const keys = plan.keyColumns.map(quoteIdentifier).join(', ');
  const updates = columns.filter((c) => !plan.keyColumns.includes(c.column)).map((c) => `${quoteIdentifier(c.column)} = EXCLUDED.${quoteIdentifier(c.column)}`);
  if (plan.hasMetadata) updates.push(`${quoteIdentifier(BATCHED_AT)} = now()`);
  const onConflict = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
  await client.query(
    `INSERT INTO ${target} (${list}) SELECT DISTINCT ON (${keys}) ${list} FROM ${STAGING} ORDER BY ${keys}, ${ROW_COLUMN} DESC ON CONFLICT (${keys}) ${onConflict}`,
  );
}

/** Rows of older versions are gone (`hard_delete`) or marked deleted; `<` not `<=`, so the new version stays. */
async function activateVersion(client: pg.ClientBase, plan: TablePlan, target: string, version: number, hardDelete: boolean): Promise<void> {
  if (!plan.columns.some((c) => c.column === '_sdc_table_version')) return;
  const older = `(_sdc_table_version IS NULL OR _sdc_table_version < $1)`;
  if (hardDelete) await client.query(`DELETE FROM ${target} WHERE ${older}`, [version]);
  else if (plan.columns.some((c) => c.column === '_sdc_deleted_at')) {
    await client.query(`UPDATE ${target} SET _sdc_deleted_at = now() WHERE ${older} AND _sdc_deleted_at IS NULL`, [version]);
  }
}
