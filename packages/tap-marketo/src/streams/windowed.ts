/**
 * A Bulk Extract over date windows of at most `max_export_days` (Marketo refuses more than 31),
 * from the stream's resume point to the server's present. Rows within a window come in no
 * guaranteed order, so the resume point moves a window at a time: `window_start` in the bookmark
 * is where the next run (or the rerun after a stop) starts.
 */
import { createHash } from 'node:crypto';
import { ConfigError, FatalError, type Logger, type StreamContext } from '@singer-io-ts/sdk';
import { runExports, type BulkExtract, type DateWindow, type ExportBody, type ExportType, type ExportUnit, type FileRow, type StartExport } from '../bulk.js';
import type { MarketoConfig } from '../config.js';

const DAY_MS = 86_400_000;

/** Marketo's filter datetimes: whole seconds (the docs say "without milliseconds"). */
export function filterDatetime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface WindowedExport {
  bulk: BulkExtract;
  type: ExportType;
  stream: string;
  days: number;
  /** The request body of one window (fields, filter). */
  body: (window: DateWindow) => ExportBody;
  start?: StartExport;
  logger: Logger;
}

/** Where this run starts: the bookmark's window, else the SDK's starting value (bookmark or start_date). */
export function resumeFrom(context: Pick<StreamContext<MarketoConfig>, 'stream' | 'bookmark' | 'replicationKey' | 'startingValue'>, fallback: string): number {
  const { bookmark } = context;
  const own = bookmark.replication_key === undefined || bookmark.replication_key === context.replicationKey;
  const fromState = own && typeof bookmark.window_start === 'string';
  const from = fromState ? (bookmark.window_start as string) : typeof context.startingValue === 'string' ? context.startingValue : fallback;
  const ms = Date.parse(from);
  if (Number.isFinite(ms)) return Math.floor(ms / 1000) * 1000;
  // Which file to correct: the state (a bookmark) or the config (start_date).
  if (fromState) throw new FatalError(`${context.stream}: the bookmark's window_start ${JSON.stringify(from)} in the state is not a date; correct it, or remove it to resume from the bookmark's ${context.replicationKey ?? 'replication key'} or start_date`);
  if (bookmark.replication_key === context.replicationKey && bookmark.replication_key_value === from) throw new FatalError(`${context.stream}: the bookmark's replication_key_value ${JSON.stringify(from)} in the state is not a date`);
  throw new ConfigError(`${context.stream}: start_date ${JSON.stringify(from)} is not a date`);
}

/** What a job exported, so that a later run reuses only a job that asked for the same thing. */
function exportKey(unit: ExportUnit): string {
  return createHash('sha256').update(`${unit.type}\n${JSON.stringify(unit.body)}`).digest('hex').slice(0, 16);
}

export async function* windowedRows(spec: WindowedExport, context: StreamContext<MarketoConfig>, from: number): AsyncGenerator<FileRow> {
  const span = spec.days * DAY_MS;
  const { bookmark } = context;
  const create: StartExport = spec.start ?? ((unit) => spec.bulk.start(unit, context.signal));
  // A run stopped in the middle of a window left its job's id: reuse the job if it asked for the same.
  let reusable = typeof bookmark.export_id === 'string' && typeof bookmark.export_key === 'string' ? { id: bookmark.export_id, key: bookmark.export_key } : undefined;
  const start: StartExport = async (unit) => {
    const candidate = reusable;
    reusable = undefined;
    if (candidate && candidate.key === exportKey(unit)) {
      const reused = await spec.bulk.reuse(unit, candidate.id, context.signal);
      if (reused) return reused;
    }
    return create(unit);
  };
  let cursor = from;
  let produced = 0;
  const next = (): ExportUnit | undefined => {
    // The first window always runs; later ones while they start before the server's present.
    const now = spec.bulk.serverNow;
    if (produced > 0 && (now === undefined || cursor >= now)) return undefined;
    const window = { start: cursor, end: cursor + span };
    cursor = window.end;
    produced += 1;
    return { type: spec.type, label: `${spec.stream} [${filterDatetime(window.start)}, ${filterDatetime(window.end)}]`, body: spec.body(window), window };
  };
  const onHead = (unit: ExportUnit, job: { exportId: string }) => context.saveBookmark({ export_id: job.exportId, export_key: exportKey(unit) });
  for await (const exported of runExports(spec.bulk, next, { start, onHead, signal: context.signal, logger: spec.logger })) {
    let rows = 0;
    for await (const row of exported.rows) {
      rows += 1;
      yield row;
    }
    const window = exported.unit.window!;
    // Rows after the job's creation may be missing from its file: the next run starts there.
    const createdAt = exported.job.createdAt ? Date.parse(exported.job.createdAt) : window.end;
    const done = Math.min(window.end, Number.isFinite(createdAt) ? createdAt : window.end);
    context.saveBookmark({ window_start: filterDatetime(done), export_id: undefined, export_key: undefined });
    spec.logger.info(`${exported.unit.label}: ${rows} rows`);
  }
}
