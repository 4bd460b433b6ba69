import { FatalError, errorMessage, type Logger } from '@singer-io-ts/sdk';
import { connectClient, resolveConnection } from '@singer-io-ts/target-postgres';
import type pg from 'pg';
import { settingsOf, type MetricsConfig, type MetricsSettings } from './config.js';
import { LAYER_NAMES, SQL_DIR, buildFiles, lineAt, type SqlStatement } from './sql-files.js';

export interface BuildOptions {
  logger?: Logger;
  /** Another directory of numbered .sql files (tests). */
  sqlDir?: string;
}

export interface BuildReport {
  targetSchema: string;
  files: { name: string; layer: number; ms: number }[];
  layers: { layer: number; name: string; ms: number }[];
  totalMs: number;
}

/** A statement of a SQL file failed: names the file and the line. */
export class SqlFileError extends FatalError {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}:${line}: ${message}`, options);
    this.name = 'SqlFileError';
  }
}

/** Creates or replaces everything in the target schema, in one transaction. */
export async function buildMetrics(config: MetricsConfig, options: BuildOptions = {}): Promise<BuildReport> {
  return withTransaction(config, async (client) => {
    const report = await runBuild(client, settingsOf(config), options);
    await client.query('commit');
    return report;
  });
}

/** Connects as target-postgres would, opens a transaction and always closes the connection. */
export async function withTransaction<T>(config: MetricsConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const { client } = await connectClient(resolveConnection(config));
  // dates stay YYYY-MM-DD text: a JS Date would move them to the local time zone
  client.setTypeParser(1082, (text: string) => text);
  try {
    await client.query('begin');
    // UTC so that a timestamptz's date is its UTC date, whatever the server's zone.
    await client.query(`set local timezone = 'UTC'`);
    await client.query(`set local work_mem = '256MB'`);
    const result = await fn(client);
    await client.query('rollback'); // a no-op after fn committed; undoes a dry run
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs the build's statements on an open transaction (the caller commits or rolls back). */
export async function runBuild(client: pg.Client, settings: MetricsSettings, options: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const files = buildFiles(settings, options.sqlDir ?? SQL_DIR);
  const schema = `"${settings.targetSchema.replace(/"/g, '""')}"`;
  // Replacing the whole schema makes the build idempotent; in one transaction readers see the old one until commit.
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.query(`create schema ${schema}`);
  // Staging views have no statistics, so row estimates can be off by orders of magnitude; a
  // nested loop chosen on such an estimate turns a seconds-long build into an hour-long one.
  // Likewise a merge join sorts a million rows to join a table of five hundred: hash joins only.
  await client.query('set local enable_nestloop = off');
  await client.query('set local enable_mergejoin = off');
  // Each statement runs once: compiling its expressions (JIT) took up to 2 s a statement on a
  // million touches (path_credit) and saved less than that.
  await client.query('set local jit = off');
  const timings: BuildReport['files'] = [];
  for (const file of files) {
    const fileStarted = performance.now();
    for (const statement of file.statements) await execute(client, statement);
    const ms = performance.now() - fileStarted;
    timings.push({ name: file.name, layer: file.layer, ms });
    options.logger?.debug(`${file.name}: ${ms.toFixed(0)} ms`);
  }
  const layers = [...new Set(timings.map((f) => f.layer))].map((layer) => ({
    layer,
    name: LAYER_NAMES[layer] ?? `layer ${layer}`,
    ms: timings.filter((f) => f.layer === layer).reduce((sum, f) => sum + f.ms, 0),
  }));
  const report = { targetSchema: settings.targetSchema, files: timings, layers, totalMs: performance.now() - started };
  options.logger?.info(`built ${settings.targetSchema} from ${files.length} SQL files in ${(report.totalMs / 1000).toFixed(1)} s`);
  return report;
}

async function execute(client: pg.Client, statement: SqlStatement): Promise<pg.QueryResult> {
  try {
    return await client.query(statement.text);
  } catch (error) {
    const db = error as pg.DatabaseError;
    const position = Number(db.position);
    const line = Number.isFinite(position) && position > 0 ? statement.line + lineAt(statement.text, position - 1) - 1 : statement.line;
    const where = db.where ? ` (${db.where.split('\n')[0]})` : '';
    throw new SqlFileError(statement.file, line, `${errorMessage(error)}${where}`, { cause: error });
  }
}
