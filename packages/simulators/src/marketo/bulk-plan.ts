import type { FieldDef, Row, ScanOptions, Table } from '../dataset/types.js';
import type { FilePlan } from './bulk-csv.js';
import { parseDatetime, type Marketo } from './context.js';
import { attributeTypes, restName, type AttributeTypes } from './format.js';

export type BulkType = 'leads' | 'activities' | 'program/members';

export const BULK_TABLES: Record<BulkType, string> = { leads: 'leads', activities: 'activities', 'program/members': 'program_members' };

const ACTIVITY_FIELDS = ['marketoGUID', 'leadId', 'activityDate', 'activityTypeId', 'campaignId', 'primaryAttributeValueId', 'primaryAttributeValue', 'attributes'];

export interface CreateRequest {
  format?: unknown;
  fields?: unknown;
  columnHeaderNames?: unknown;
  filter?: unknown;
}

export type Rejected = { code: string; message: string };

/** A validated create request: everything but the data's `asOf`, which is fixed when the job starts processing. */
export interface JobSpec {
  format: 'CSV' | 'TSV' | 'SSV';
  table: Table;
  columns: FilePlan['columns'];
  scan: Omit<ScanOptions, 'asOf'>;
  accept: (row: Row) => boolean;
  attributeTypes?: AttributeTypes;
}

const DELIMITERS = { CSV: ',', TSV: '\t', SSV: ' ' } as const;

export function delimiterOf(format: JobSpec['format']): string {
  return DELIMITERS[format];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `{startAt, endAt}` filter checked the way the bulk API checks it. Both ends inclusive. */
function dateRange(mk: Marketo, name: string, value: unknown): { from: number; to: number } | Rejected {
  if (!isObject(value) || typeof value.startAt !== 'string' || typeof value.endAt !== 'string') {
    return { code: '1003', message: `${name} filter requires startAt and endAt` };
  }
  const start = parseDatetime(value.startAt);
  const end = parseDatetime(value.endAt);
  if (!start || !end) return { code: '1003', message: `Invalid ${name} datetime, expected ISO-8601 without milliseconds` };
  if (mk.scenario.rejectMilliseconds && (start.millis || end.millis)) {
    return { code: '1003', message: `Invalid ${name} datetime '${start.millis ? value.startAt : value.endAt}': milliseconds are not allowed` };
  }
  if (end.ms < start.ms) return { code: '1003', message: `${name}.endAt must not be before ${name}.startAt` };
  if (end.ms - start.ms > mk.scenario.maxFilterDays * 86_400_000) {
    return { code: mk.scenario.wideRangeCode, message: `${name} date range exceeds ${mk.scenario.maxFilterDays} days` };
  }
  return { from: start.ms, to: end.ms + 1 };
}

function rejected(value: unknown): value is Rejected {
  return isObject(value) && typeof value.code === 'string';
}

/** Maps requested REST field names to columns; unknown and SOAP-only names are rejected together. */
function columnsFor(table: Table, requested: readonly string[], headerNames: unknown): FilePlan['columns'] | Rejected {
  const byRest = new Map<string, FieldDef>();
  for (const field of table.fields) {
    const name = restName(field);
    if (name !== null) byRest.set(name, field);
  }
  const unknown = requested.filter((name) => !byRest.has(name) && !(name === 'attributes' && table.name === 'activities'));
  if (unknown.length > 0) return { code: '1003', message: `Invalid fields: ${unknown.join(',')}` };
  const headers = isObject(headerNames) ? headerNames : {};
  return requested.map((name) => {
    const field = byRest.get(name);
    const header = headers[name];
    return { field, key: field?.name ?? name, header: typeof header === 'string' ? header : name };
  });
}

/** Validates a create body for one export type and turns it into a job spec. */
export function planExport(mk: Marketo, type: BulkType, body: CreateRequest): JobSpec | Rejected {
  const format = body.format === undefined ? 'CSV' : body.format;
  if (format !== 'CSV' && format !== 'TSV' && format !== 'SSV') return { code: '1003', message: `Invalid format: ${String(format)}` };
  const table = mk.table(BULK_TABLES[type]);
  const filter = body.filter;
  if (!isObject(filter)) return { code: '1003', message: 'filter is required' };

  let requested: string[];
  if (body.fields === undefined) {
    if (type === 'leads') return { code: '1003', message: 'fields is required' };
    const available = new Set(table.fields.map((field) => restName(field)).filter((name): name is string => name !== null));
    requested = type === 'activities' ? ACTIVITY_FIELDS.filter((name) => available.has(name) || name === 'attributes') : [...available];
  } else if (Array.isArray(body.fields) && body.fields.length > 0 && body.fields.every((name) => typeof name === 'string')) {
    requested = body.fields as string[];
  } else {
    return { code: '1003', message: 'fields must be a non-empty array of field names' };
  }
  const columns = columnsFor(table, requested, body.columnHeaderNames);
  if (rejected(columns)) return columns;

  if (type === 'leads') {
    const kinds = Object.keys(filter);
    if (kinds.length !== 1) return { code: '1003', message: 'Exactly one filter type is required' };
    const kind = kinds[0] ?? '';
    if ((kind === 'updatedAt' || kind === 'smartListId' || kind === 'smartListName') && !mk.scenario.corona) {
      return { code: '1035', message: `Unsupported filter type for target subscription: ${kind}` };
    }
    if (kind === 'createdAt') {
      const range = dateRange(mk, kind, filter.createdAt);
      if (rejected(range)) return range;
      const created = table.createdKey ?? 'createdAt';
      return { format, table, columns, scan: { order: 'key' }, accept: (row) => inRange(row[created], range) };
    }
    if (kind === 'updatedAt') {
      const range = dateRange(mk, kind, filter.updatedAt);
      if (rejected(range)) return range;
      return { format, table, columns, scan: { from: range.from, to: range.to }, accept: () => true };
    }
    return { code: '1003', message: `Filter type not supported by the simulator: ${kind}` };
  }

  if (type === 'activities') {
    if (filter.createdAt === undefined) return { code: '1003', message: 'createdAt filter is required' };
    const range = dateRange(mk, 'createdAt', filter.createdAt);
    if (rejected(range)) return range;
    let types: Set<number> | undefined;
    if (filter.activityTypeIds !== undefined) {
      if (!Array.isArray(filter.activityTypeIds) || filter.activityTypeIds.length === 0) return { code: '1003', message: 'activityTypeIds must be a non-empty array' };
      types = new Set(filter.activityTypeIds.map(Number));
    }
    const accept = types ? (row: Row): boolean => types.has(Number(row.activityTypeId)) : (): boolean => true;
    const declared = attributeTypes(mk.simulation.company.table('marketo', 'activity_types'), mk.asOf());
    return { format, table, columns, scan: { from: range.from, to: range.to }, accept, attributeTypes: declared };
  }

  // Program members: one program (or a list of them) and an optional updatedAt window.
  const ids = filter.programId !== undefined ? [filter.programId] : filter.programIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => !Number.isInteger(Number(id)))) {
    return { code: '1003', message: 'programId filter is required' };
  }
  const programs = new Set(ids.map(Number));
  let range: { from: number; to: number } | undefined;
  if (filter.updatedAt !== undefined) {
    const parsed = dateRange(mk, 'updatedAt', filter.updatedAt);
    if (rejected(parsed)) return parsed;
    range = parsed;
  }
  const scan: JobSpec['scan'] = range && table.replicationKey === 'updatedAt' ? { from: range.from, to: range.to } : {};
  return { format, table, columns, scan, accept: (row) => programs.has(Number(row.programId)) && (!range || inRange(row.updatedAt, range)) };
}

function inRange(value: unknown, range: { from: number; to: number }): boolean {
  const at = Number(value);
  return at >= range.from && at < range.to;
}

export function isRejected<T extends object>(value: T | Rejected): value is Rejected {
  return rejected(value);
}
