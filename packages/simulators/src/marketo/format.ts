import type { FieldDef, Millis, Row, Table } from '../dataset/types.js';

/** Lead-database REST and bulk datetimes: `2024-04-12T12:01:02Z` (no milliseconds). */
export function restDate(ms: Millis): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Asset-API datetimes have Marketo's odd form `2015-05-21T22:45:13Z+0000`. */
export function assetDate(ms: Millis): string {
  return `${restDate(ms)}+0000`;
}

export function dateOnly(ms: Millis): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const fieldMaps = new WeakMap<Table, Map<string, FieldDef>>();

export function fieldMap(table: Table): Map<string, FieldDef> {
  let map = fieldMaps.get(table);
  if (!map) {
    map = new Map(table.fields.map((field) => [field.name, field]));
    fieldMaps.set(table, map);
  }
  return map;
}

/** The name a field goes by over REST and bulk; null when it has only a SOAP name. */
export function restName(field: FieldDef): string | null {
  return field.restName === undefined ? field.name : field.restName;
}

export type DateStyle = 'rest' | 'asset';

/** One value as JSON puts it on the wire: datetimes formatted, nested cost dates as dates. */
export function wireValue(field: FieldDef | undefined, value: unknown, style: DateStyle): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && field) {
    if (field.type === 'datetime') return style === 'asset' ? assetDate(value) : restDate(value);
    if (field.type === 'date') return dateOnly(value);
  }
  if (Array.isArray(value)) return value.map((item: unknown) => (item && typeof item === 'object' ? nestedObject(item as Row, style) : item));
  return value;
}

function nestedObject(item: Row, style: DateStyle): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(item)) {
    // Nested dates (program costs' startDate) are day values; other nested instants keep the style.
    if (typeof value === 'number' && key === 'startDate') out[key] = dateOnly(value);
    else if (typeof value === 'number' && /(?:At|Date)$/.test(key)) out[key] = style === 'asset' ? assetDate(value) : restDate(value);
    else out[key] = value;
  }
  return out;
}

/**
 * A row as a JSON result item: fields in the table's order under their REST
 * names (SOAP-only fields left out), then any extra keys the row carries.
 */
export function wireRow(table: Table, row: Row, style: DateStyle): Row {
  const out: Row = {};
  const fields = fieldMap(table);
  for (const field of table.fields) {
    const name = restName(field);
    if (name === null || !(field.name in row)) continue;
    out[name] = wireValue(field, row[field.name], style);
  }
  for (const [key, value] of Object.entries(row)) {
    if (!fields.has(key) && !(key in out)) out[key] = wireValue(undefined, value, style);
  }
  return out;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `leads/describe.json` items: a `rest` block unless the field is SOAP-only, a `soap` block for every field. */
export function describeLeadField(table: Table, field: FieldDef, index: number): Row {
  const readOnly = field.name === table.key || field.name === table.createdKey || field.name === table.replicationKey;
  const item: Row = { id: index + 1, displayName: field.label, dataType: field.type };
  if (field.length !== undefined) item.length = field.length;
  const rest = restName(field);
  if (rest !== null) item.rest = { name: rest, readOnly };
  item.soap = { name: field.soapName ?? pascal(field.name), readOnly };
  return item;
}

export type AttributeTypes = ReadonlyMap<number, ReadonlyMap<string, string>>;

/** Declared dataType of every activity attribute, by activity type id (from activities/types). */
export function attributeTypes(types: Table | undefined, asOf: Millis): AttributeTypes {
  const out = new Map<number, Map<string, string>>();
  if (!types) return out;
  for (const row of types.scan({ asOf, order: 'key' })) {
    const byName = new Map<string, string>();
    for (const attribute of (Array.isArray(row.attributes) ? row.attributes : []) as { name?: unknown; dataType?: unknown }[]) {
      if (typeof attribute?.name === 'string' && typeof attribute.dataType === 'string') byName.set(attribute.name, attribute.dataType);
    }
    out.set(Number(row.id), byName);
  }
  return out;
}

/** Activity attributes with datetime/date values (epoch ms in the data) written as the wire writes them. */
export function formatAttributes(value: unknown, declared: ReadonlyMap<string, string> | undefined): unknown {
  if (!Array.isArray(value) || !declared) return value;
  return (value as { name?: unknown; value?: unknown }[]).map((attribute) => {
    const type = typeof attribute?.name === 'string' ? declared.get(attribute.name) : undefined;
    if (typeof attribute?.value !== 'number' || (type !== 'datetime' && type !== 'date')) return attribute;
    return { ...attribute, value: type === 'datetime' ? restDate(attribute.value) : dateOnly(attribute.value) };
  });
}
