import { DELETED, type Millis, type ScanOptions, type ScannedRow } from '../dataset/types.js';
import { csvLine } from '../core/csv.js';
import { Lookup, type QueryPlan } from './plan.js';
import { formatTenant, formatTenantDate, formatUtc } from './time.js';

/**
 * Result files. A file is a recipe, not data: the plan, the window and the
 * simulated present it was produced at. Each download regenerates its rows
 * from `Table.scan`, so a file of millions of rows costs constant memory.
 */

export interface DeletedSpec {
  column: string;
  format: 'Boolean' | 'Numeric';
}

/** The last row before a segment, in scan order: (replication key, key), or the key alone in key order. */
export interface Resume {
  replicationKey: Millis | undefined;
  key: string | number;
}

/** What rows a batch or export selects: the plan plus the session window. */
export interface Selection {
  plan: QueryPlan;
  asOf: Millis;
  /** Lower bound on the replication key from the stateful session (inclusive). */
  sinceMs: Millis | undefined;
  includeDeleted: boolean;
}

export interface FileSpec {
  id: string;
  kind: 'aqua' | 'export';
  /** AQuA `format`: csv, or gzip (the same CSV compressed). */
  format: 'csv' | 'gzip';
  selection: Selection;
  deleted: DeletedSpec | undefined;
  useQueryLabels: boolean;
  dateTimeUtc: boolean;
  timeZone: string;
  /** Where a segment starts: just after this row of the selection (undefined: at the start). */
  resume: Resume | undefined;
  /** Rows in this file. */
  rows: number;
  truncated: boolean;
  nulEvery: number;
  createdAt: number;
  expiresAt: number;
  expired: boolean;
}

export function scanOptions(selection: Selection): ScanOptions | undefined {
  const { plan, asOf, sinceMs, includeDeleted } = selection;
  let from = plan.from;
  if (sinceMs !== undefined) from = from === undefined ? sinceMs : Math.max(from, sinceMs);
  const to = plan.to;
  if (from !== undefined && to !== undefined && from >= to) return undefined;
  return {
    asOf,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    includeDeleted,
    order: plan.order,
  };
}

const after = (a: string | number, b: string | number): boolean => (typeof a === 'number' && typeof b === 'number' ? a > b : String(a) > String(b));

/**
 * The selected rows in order, lazily; the where filter and `limit` applied.
 * From `resume` on, the scan restarts at the segment's first row instead of
 * skipping the rows of the segments before it (limit is then the file's `rows`).
 */
export function* selectRows(selection: Selection, lookup: Lookup, resume?: Resume): Generator<ScannedRow> {
  let options = scanOptions(selection);
  if (!options) return;
  const { plan } = selection;
  const { table } = plan;
  const limit = resume ? Infinity : (plan.limit ?? Infinity);
  if (limit <= 0) return;
  let skipping = false;
  if (resume) {
    const byKey = plan.order === 'key' || table.replicationKey === null || resume.replicationKey === undefined;
    if (byKey) options = { ...options, afterKey: resume.key };
    else {
      const rk = resume.replicationKey as Millis;
      options = { ...options, from: Math.max(options.from ?? -Infinity, rk), after: { replicationKey: rk, key: resume.key } };
      skipping = true;
    }
  }
  let n = 0;
  for (const row of table.scan(options)) {
    if (skipping) {
      // Rows sharing the resume row's replication key up to and including its key belong to the previous segment.
      if (row[table.replicationKey as string] === resume?.replicationKey && !after(row[table.key] as string | number, resume?.key as string | number)) continue;
      skipping = false;
    }
    if (plan.filter && !plan.filter(row, lookup)) continue;
    yield row;
    n += 1;
    if (n >= limit) return;
  }
}

/** Counts the selection and notes where each segment of `segmentRows` starts. */
export function segmentSelection(selection: Selection, segmentRows: number): { total: number; starts: (Resume | undefined)[] } {
  const { table } = selection.plan;
  const starts: (Resume | undefined)[] = [undefined];
  let total = 0;
  for (const row of selectRows(selection, new Lookup(selection.asOf))) {
    total += 1;
    if (total % segmentRows === 0) {
      const rk = table.replicationKey === null || selection.plan.order === 'key' ? undefined : (row[table.replicationKey] as Millis);
      starts.push({ replicationKey: rk, key: row[table.key] as string | number });
    }
  }
  if (total > 0 && total % segmentRows === 0) starts.pop();
  return { total, starts };
}

export function countRows(selection: Selection): number {
  const options = scanOptions(selection);
  if (!options) return 0;
  const { plan } = selection;
  if (!plan.filter) return Math.min(plan.table.count(options), plan.limit ?? Infinity);
  let n = 0;
  for (const _ of selectRows(selection, new Lookup(selection.asOf))) n += 1;
  return n;
}

function formatValue(value: unknown, type: string, spec: Pick<FileSpec, 'dateTimeUtc' | 'timeZone'>): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'datetime':
    case 'timestamp':
      return typeof value === 'number' ? (spec.dateTimeUtc ? formatUtc(value) : formatTenant(value, spec.timeZone)) : value;
    case 'date':
      return typeof value === 'number' ? formatTenantDate(value, spec.timeZone) : value;
    default:
      return typeof value === 'boolean' ? (value ? 'true' : 'false') : value;
  }
}

/** Header then rows, one CSV line per chunk, for `sendStream`. */
export function* csvChunks(spec: FileSpec): Generator<string> {
  const { selection, deleted } = spec;
  const columns = selection.plan.columns;
  const header = columns.map((column) => (spec.useQueryLabels ? column.label : column.header));
  if (deleted) header.push(deleted.column);
  yield csvLine(header);
  const lookup = new Lookup(selection.asOf);
  const truncateAt = spec.truncated && spec.rows > 0 ? Math.floor(spec.rows / 2) : -1;
  // NULs go into free text, not into keys or lookup ids a reader needs intact.
  const key = `${selection.plan.table.name}.${selection.plan.table.key}`;
  const firstText = columns.findIndex((column) => (column.type === 'text' || column.type === 'picklist') && column.header !== key && !column.header.endsWith('.Id') && !column.header.endsWith('Id'));
  let index = 0;
  for (const row of selectRows(selection, lookup, spec.resume)) {
    index += 1;
    const position = index - 1;
    if (position >= spec.rows) return;
    const values = columns.map((column) => formatValue(column.value(row, lookup), column.type, spec));
    if (deleted) {
      const gone = row[DELETED] === true;
      values.push(deleted.format === 'Numeric' ? (gone ? 1 : 0) : gone ? 'true' : 'false');
    }
    if (spec.nulEvery > 0 && firstText >= 0 && (index % spec.nulEvery === 0) && typeof values[firstText] === 'string') {
      values[firstText] = `${values[firstText] as string}\u0000`;
    }
    if (position === truncateAt) {
      // What a cut-off file looks like to a reader: the last row has fewer columns than the header.
      yield csvLine(values.slice(0, Math.max(1, Math.floor(values.length / 2))));
      return;
    }
    yield csvLine(values);
  }
}

/** Rough byte size for export `Size` (exact would mean generating the file twice). */
export function estimateSize(spec: FileSpec): number {
  let sample = 0;
  let sampled = 0;
  let headerBytes = 0;
  for (const chunk of csvChunks({ ...spec, rows: Math.min(spec.rows, 100), truncated: false })) {
    if (headerBytes === 0) headerBytes = Buffer.byteLength(chunk);
    else {
      sample += Buffer.byteLength(chunk);
      sampled += 1;
    }
  }
  return headerBytes + (sampled === 0 ? 0 : Math.round((sample / sampled) * spec.rows));
}
