/**
 * A Zuora object as a stream: JSON Schema from the describe types, joined related ids as
 * `<Related>Id` columns, the replication key, and the CSV column of each property.
 */
import type { JsonSchema } from '@singer-io-ts/sdk';
import type { ZuoraField, ZuoraObject } from '../describe.js';

/** Replication keys Zuora objects have, in order of preference (singer tap-zuora's list). */
const REPLICATION_KEYS = ['UpdatedDate', 'TransactionDate', 'UpdatedOn'];

export const DELETED_AT = '_sdc_deleted_at';

/** One property of the stream and where it comes from in the export. */
export interface Column {
  property: string;
  /** As selected in ZOQL: `Name`, `Account.Id`. */
  select: string;
  /** Zuora type (joined ids are text). */
  type: string;
}

export interface ObjectPlan {
  object: string;
  columns: Column[];
  replicationKey: string | undefined;
  schema: JsonSchema;
  /** Fields describe lists that no export can select, with why. */
  unsupported: Record<string, string>;
  labels: Record<string, string>;
}

export function propertySchema(type: string): JsonSchema {
  switch (type) {
    case 'boolean':
      return { type: ['null', 'boolean'] };
    case 'integer':
      return { type: ['null', 'integer'] };
    case 'decimal':
      return { type: ['null', 'number'] };
    case 'date':
      return { type: ['null', 'string'], format: 'date' };
    case 'datetime':
    case 'timestamp':
      return { type: ['null', 'string'], format: 'date-time' };
    default:
      return { type: ['null', 'string'] };
  }
}

export function planObject(object: ZuoraObject, rejected: Record<string, string> = {}): ObjectPlan {
  const columns: Column[] = [];
  const unsupported: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const usable = (field: ZuoraField): boolean => {
    if (!field.exportable) unsupported[field.name] = 'not in the export context of describe (SOAP/REST only)';
    else if (rejected[field.name]) unsupported[field.name] = rejected[field.name] as string;
    else return true;
    return false;
  };
  for (const field of object.fields) {
    if (!usable(field)) continue;
    columns.push({ property: field.name, select: field.name, type: field.type });
    labels[field.name] = field.label;
  }
  const own = new Set(object.fields.map((field) => field.name));
  for (const related of object.related) {
    const property = `${related}Id`;
    // `Account.Id` is the object's own `AccountId`: one column is enough.
    if (own.has(property) || columns.some((c) => c.property === property)) continue;
    if (rejected[property]) {
      unsupported[property] = rejected[property] as string;
      continue;
    }
    columns.push({ property, select: `${related}.Id`, type: 'text' });
    labels[property] = `${related} Id`;
  }
  const replicationKey = REPLICATION_KEYS.find((key) => columns.some((c) => c.property === key && (c.type === 'datetime' || c.type === 'timestamp')));
  const properties: Record<string, JsonSchema> = {};
  for (const column of columns) properties[column.property] = propertySchema(column.type);
  // Listed, flagged unsupported in the catalog, never selected.
  for (const field of object.fields) if (unsupported[field.name] && !properties[field.name]) properties[field.name] = propertySchema(field.type);
  properties[DELETED_AT] = { type: ['null', 'string'], format: 'date-time' };
  const hasId = columns.some((c) => c.property === 'Id');
  if (!hasId) throw new Error(`Zuora object ${object.name} has no exportable Id field`);
  return {
    object: object.name,
    columns,
    replicationKey,
    schema: { type: 'object', properties, required: ['Id'] },
    unsupported,
    labels,
  };
}
