/**
 * JSON Schema of a field from its describe `type`. Every field but Id is nullable: describe's
 * `nillable` is not trustworthy (formula fields, field-level security hiding values).
 */
import type { JsonSchema, MetadataValues } from '@singer-io-ts/sdk';
import type { FieldDescribe } from './describe.js';

const STRING_TYPES = new Set(['id', 'reference', 'string', 'picklist', 'multipicklist', 'textarea', 'email', 'phone', 'url', 'combobox', 'encryptedstring', 'masterrecord', 'datacategorygroupreference']);

const ADDRESS: JsonSchema = {
  type: ['object', 'null'],
  properties: {
    street: { type: ['string', 'null'] },
    city: { type: ['string', 'null'] },
    state: { type: ['string', 'null'] },
    stateCode: { type: ['string', 'null'] },
    postalCode: { type: ['string', 'null'] },
    country: { type: ['string', 'null'] },
    countryCode: { type: ['string', 'null'] },
    latitude: { type: ['number', 'null'] },
    longitude: { type: ['number', 'null'] },
    geocodeAccuracy: { type: ['string', 'null'] },
  },
};

const LOCATION: JsonSchema = {
  type: ['object', 'null'],
  properties: { latitude: { type: ['number', 'null'] }, longitude: { type: ['number', 'null'] } },
};

/** Why a field type cannot be extracted, by type. */
const UNSUPPORTED: Record<string, string> = {
  base64: 'binary content: query results carry only a URL to it and Bulk API queries cannot select it; fetch blobs through the sObject Blob Retrieve resource',
  complexvalue: 'structured value of change events and metadata, not selectable in a SOQL query',
  json: 'JSON-typed field, not selectable in a SOQL query of an sObject',
};

export interface FieldShape {
  schema: JsonSchema;
  /** Set when the field cannot be extracted: the reason, for `unsupported-description`. */
  unsupported?: string;
}

export function fieldShape(field: FieldDescribe): FieldShape {
  const nullable = field.name !== 'Id';
  const of = (type: 'string' | 'boolean' | 'integer' | 'number', extra: JsonSchema = {}): JsonSchema => ({ type: nullable ? [type, 'null'] : type, ...extra });
  const unsupported = UNSUPPORTED[field.type];
  if (unsupported) return { schema: of('string'), unsupported };
  switch (field.type) {
    case 'boolean':
      return { schema: of('boolean') };
    case 'int':
    case 'long':
      return { schema: of('integer') };
    case 'double':
    case 'currency':
    case 'percent':
      return { schema: of('number') };
    case 'date':
      return { schema: of('string', { format: 'date' }) };
    case 'datetime':
      return { schema: of('string', { format: 'date-time' }) };
    case 'time':
      return { schema: of('string', { format: 'time' }) };
    case 'address':
      return { schema: ADDRESS };
    case 'location':
      return { schema: LOCATION };
    // anyType holds a string, number, boolean or date depending on the row (field history
    // OldValue/NewValue): its text form is the one type every value has.
    case 'anyType':
      return { schema: of('string') };
    default:
      // Known string types, and any type a later API version adds: text keeps the value.
      if (!STRING_TYPES.has(field.type)) return { schema: of('string', { description: `Salesforce type ${field.type}` }) };
      return { schema: of('string') };
  }
}

/** Catalog metadata of a field: its label, formula fields flagged, unsupported ones explained. */
export function fieldMetadata(field: FieldDescribe, shape: FieldShape): MetadataValues {
  return {
    label: field.label,
    ...(field.calculated ? { calculated: true } : {}),
    ...(field.custom ? { custom: true } : {}),
    ...(field.compoundFieldName ? { 'compound-field': field.compoundFieldName } : {}),
    ...(shape.unsupported ? { inclusion: 'unsupported', 'unsupported-description': shape.unsupported } : {}),
  };
}
