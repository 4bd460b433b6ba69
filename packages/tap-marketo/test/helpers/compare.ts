/**
 * The simulator's rows as the tap should deliver them, and a field-by-field comparison with what
 * was delivered: records of an in-process run, or rows read back from Postgres as text.
 */
import type { FieldDef, MarketoSimulator } from '@singer-io-ts/simulators';

type Row = Record<string, unknown>;
export type Kind = 'datetime' | 'date' | 'integer' | 'number' | 'boolean' | 'json' | 'string';

export interface Expected {
  key: string;
  values: Record<string, [Kind, unknown]>;
}

const KIND: Record<string, Kind> = {
  datetime: 'datetime',
  date: 'date',
  integer: 'integer',
  score: 'integer',
  float: 'number',
  currency: 'number',
  percent: 'number',
  boolean: 'boolean',
  object: 'json',
  array: 'json',
};

function kindOf(field: FieldDef): Kind {
  return KIND[field.type] ?? 'string';
}

const restDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function rows(mk: MarketoSimulator, table: string): Row[] {
  return [...mk.simulation.company.table('marketo', table)!.scan({ asOf: mk.simulation.clock.now() })];
}

function fields(mk: MarketoSimulator, table: string): FieldDef[] {
  return mk.simulation.company.table('marketo', table)!.fields.filter((field) => (field as FieldDef & { restName?: string | null }).restName !== null);
}

/** Nested program costs carry their start as a day, as the wire writes it. */
function nested(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((item: unknown) => (item && typeof item === 'object' ? Object.fromEntries(Object.entries(item).map(([k, v]) => [k, typeof v === 'number' && k === 'startDate' ? dateOnly(v) : v])) : item));
}

/** Activity attributes: one object keyed by name, dates as the export writes them. */
function attributesOf(value: unknown, declared: Map<string, string> | undefined): unknown {
  if (!Array.isArray(value) || value.length === 0) return null;
  const out: Row = {};
  for (const item of value as Array<{ name: string; value: unknown }>) {
    const type = declared?.get(item.name);
    out[item.name] = typeof item.value === 'number' && type === 'datetime' ? restDate(item.value) : typeof item.value === 'number' && type === 'date' ? dateOnly(item.value) : (item.value ?? null);
  }
  return out;
}

function plain(mk: MarketoSimulator, table: string, key: (row: Row) => string): Expected[] {
  const defs = fields(mk, table);
  return rows(mk, table).map((row) => ({ key: key(row), values: Object.fromEntries(defs.map((field) => [field.name, [kindOf(field), nested(row[field.name])]])) }));
}

export function expectedRecords(mk: MarketoSimulator, stream: string): Expected[] {
  switch (stream) {
    case 'activities':
    case 'deleted_leads': {
      const types = rows(mk, 'activity_types');
      const declared = new Map(types.map((type) => [Number(type.id), new Map(((type.attributes as Array<{ name: string; dataType: string }>) ?? []).map((a) => [a.name, a.dataType]))]));
      const primary = new Map(types.map((type) => [Number(type.id), (type.primaryAttribute as { name?: string } | null)?.name ?? null]));
      const activities = rows(mk, 'activities');
      if (stream === 'deleted_leads') {
        return activities.filter((row) => row.activityTypeId === 37).map((row) => ({ key: String(row.leadId), values: { id: ['integer', row.leadId], deletedAt: ['datetime', row.activityDate] } }));
      }
      return activities.map((row) => ({
        key: String(row.marketoGUID),
        values: {
          marketoGUID: ['string', row.marketoGUID],
          leadId: ['integer', row.leadId],
          activityDate: ['datetime', row.activityDate],
          activity_type_id: ['integer', row.activityTypeId],
          campaignId: ['integer', row.campaignId],
          primary_attribute_value_id: ['integer', row.primaryAttributeValueId],
          primary_attribute_value: ['string', row.primaryAttributeValue],
          primary_attribute_name: ['string', primary.get(Number(row.activityTypeId)) ?? null],
          attributes: ['json', attributesOf(row.attributes, declared.get(Number(row.activityTypeId)))],
        },
      }));
    }
    case 'program_members': {
      // The simulator may hold two memberships of one lead in one program; the key keeps one: the last
      // updated, as the export (ordered by updatedAt) delivers it last.
      const all = plain(mk, 'program_members', (row) => `${String(row.leadId)}|${String(row.programId)}`);
      const latest = new Map<string, Expected>();
      const at = (row: Expected) => Number(row.values.updatedAt?.[1] ?? 0);
      for (const row of all) {
        const seen = latest.get(row.key);
        if (!seen || at(row) > at(seen) || (at(row) === at(seen) && Number(row.values.id?.[1]) > Number(seen.values.id?.[1]))) latest.set(row.key, row);
      }
      return [...latest.values()];
    }
    case 'campaigns': {
      // The lead database's columns, and what the asset view adds: the parent program and its type
      // (a campaign of an Engagement program is a drip cast, requested by the program's streams).
      const programs = new Map(rows(mk, 'programs').map((row) => [Number(row.id), String(row.type)]));
      return plain(mk, 'campaigns', (row) => String(row.id)).map((row) => {
        const programId = row.values.programId![1];
        const programType = programId === null ? null : (programs.get(Number(programId)) ?? null);
        const drip = programType === 'Engagement';
        return {
          key: row.key,
          values: {
            ...row.values,
            isActive: ['boolean', row.values.active![1]],
            parentProgramId: ['integer', programId],
            workspace: ['string', row.values.workspaceName![1]],
            programType: ['string', programType],
            is_drip: ['boolean', drip],
            isRequestable: ['boolean', drip],
          },
        };
      });
    }
    default:
      return plain(mk, stream, (row) => String(row.id));
  }
}

export function keyOf(stream: string, record: Row, lower = false): string {
  const get = (name: string) => record[lower ? name.toLowerCase() : name];
  if (stream === 'activities') return String(get('marketoGUID'));
  if (stream === 'program_members') return `${String(get('leadId'))}|${String(get('programId'))}`;
  return String(get('id'));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Row)[key])]));
  return value;
}

/** One comparable text per value, whatever side it comes from (JS values or Postgres text). */
export function normalize(kind: Kind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'datetime': {
      // Marketo's wire datetimes have whole seconds.
      const ms = typeof value === 'number' ? value : Date.parse(String(value).replace(' ', 'T').replace(/Z\+0000$/, 'Z').replace(/\+00$/, 'Z'));
      return new Date(Math.floor(ms / 1000) * 1000).toISOString();
    }
    case 'date':
      return typeof value === 'number' ? dateOnly(value) : String(value).slice(0, 10);
    case 'integer':
    case 'number':
      return String(Number(value));
    case 'boolean':
      return String(value === true || value === 'true');
    case 'json':
      return JSON.stringify(canonical(typeof value === 'string' ? JSON.parse(value) : value));
    default:
      // NULs are dropped on the way (CSV parser, Postgres text).
      return String(value).replace(/\u0000/g, '');
  }
}

export interface Diff {
  missing: string[];
  extra: string[];
  mismatches: string[];
  rows: number;
}

/** Every expected row against the delivered one of the same key, field by field. */
export function diffRecords(stream: string, expected: Expected[], got: Row[], options: { lower?: boolean } = {}): Diff {
  const lower = options.lower ?? false;
  const byKey = new Map(got.map((record) => [keyOf(stream, record, lower), record]));
  const keys = new Set(expected.map((row) => row.key));
  const diff: Diff = { missing: [], extra: [...byKey.keys()].filter((key) => !keys.has(key)).sort(), mismatches: [], rows: byKey.size };
  for (const row of expected) {
    const record = byKey.get(row.key);
    if (!record) {
      diff.missing.push(row.key);
      continue;
    }
    for (const [name, [kind, want]] of Object.entries(row.values)) {
      const column = lower ? name.toLowerCase() : name;
      if (!(column in record)) {
        if (diff.mismatches.length < 20) diff.mismatches.push(`${stream} ${row.key} ${name}: no such property`);
        continue;
      }
      const a = normalize(kind, want);
      const b = normalize(kind, record[column]);
      if (a !== b && diff.mismatches.length < 20) diff.mismatches.push(`${stream} ${row.key} ${name}: expected ${a}, got ${b}`);
    }
  }
  return diff;
}
