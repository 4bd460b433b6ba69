/**
 * From Bulk CSV text to typed values. Bulk CSV has only strings, and an empty field stands for both
 * null and the empty string (Salesforce writes null as `""` or as nothing, and never says which).
 *
 * - empty → null for every non-string type.
 * - strings: empty → null by default (`emptyString: 'null'`). Salesforce does not store empty text
 *   (a blank text field is null, and REST returns null for it), so null is what the record holds;
 *   `emptyString: 'empty'` keeps `''` for callers that want the raw CSV meaning.
 * - boolean: `true`/`false` (any case).
 * - integer: `12`, and `12.0`/`0.0` as some orgs write integer columns → 12 / 0; beyond
 *   Number.MAX_SAFE_INTEGER, a JsonNumber with every digit. A value with a real fraction is passed
 *   through as its string.
 * - number: a plain decimal (`250000.0`, `-1.5`, `1E+3`) → number, or a JsonNumber when a double
 *   cannot hold it (an 18-digit currency amount), which the Singer writer prints digit for digit.
 * - date-time, date, time: kept as written (`2024-01-02T03:04:05.000Z`, `2024-01-02`, `10:30:00.000Z`);
 *   Bulk already writes ISO 8601 in UTC.
 * - a value that does not parse as its type is passed through unchanged, so that schema validation
 *   downstream reports it rather than this reader silently dropping it.
 *
 * Columns not listed in `fields` (and dotted relationship columns such as `Owner.Name`, unless listed
 * under that name) are treated as strings. Record keys are the CSV header names, as they are.
 */
import { exactNumber, type JsonSchema, type JsonSchemaType } from '@singer-io-ts/sdk';

export type BulkValueType = 'string' | 'boolean' | 'integer' | 'number' | 'date-time' | 'date' | 'time';

export interface FieldSpec {
  /** Column name as the CSV header writes it: `Name`, `Custom__c`, `Owner.Name`. */
  name: string;
  type: BulkValueType;
}

export type EmptyStringPolicy = 'null' | 'empty';

export type Converter = (text: string) => unknown;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGRAL = /^([+-]?\d+)(?:\.0*)?$/;

/** Strings (emptyString 'null'), datetimes, dates and times: the text as written, empty → null. */
const asText: Converter = (text) => (text === '' ? null : text);
const asRawString: Converter = (text) => text;

const asBoolean: Converter = (text) => {
  if (text === '') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : text;
};

const asInteger: Converter = (text) => {
  if (text === '') return null;
  const match = INTEGRAL.exec(text);
  if (match) {
    const value = exactNumber((match[1] as string).replace(/^\+/, ''));
    if (typeof value !== 'number') return value;
    return Number.isInteger(value) ? (Object.is(value, -0) ? 0 : value) : text;
  }
  return text;
};

const asNumber: Converter = (text) => {
  if (text === '') return null;
  if (!NUMBER.test(text)) return text;
  const value = exactNumber(text);
  return typeof value !== 'number' || Number.isFinite(value) ? value : text;
};

export function converterFor(type: BulkValueType | undefined, emptyString: EmptyStringPolicy = 'null'): Converter {
  switch (type) {
    case 'boolean':
      return asBoolean;
    case 'integer':
      return asInteger;
    case 'number':
      return asNumber;
    case 'date-time':
    case 'date':
    case 'time':
      return asText;
    case 'string':
    case undefined:
      return emptyString === 'empty' ? asRawString : asText;
  }
}

/** One converter per header column. */
export function convertersFor(header: readonly string[], fields: ReadonlyMap<string, FieldSpec>, emptyString: EmptyStringPolicy): Converter[] {
  return header.map((name) => converterFor(fields.get(name)?.type, emptyString));
}

/**
 * The value type a Singer JSON Schema property asks for: the first non-null `type` (also inside
 * `anyOf`/`oneOf`), refined by `format` (`date-time`, `date`, `time`). Objects, arrays and anything
 * ambiguous convert as strings.
 */
export function valueTypeFromSchema(schema: JsonSchema | undefined): BulkValueType {
  if (!schema) return 'string';
  const types = typeList(schema.type);
  const type = types.find((t) => t !== 'null');
  if (type === undefined) {
    for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
      const inner = valueTypeFromSchema(branch);
      if (inner !== 'string' || typeList(branch.type).includes('string')) return inner;
    }
    return 'string';
  }
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'string':
      return schema.format === 'date-time' || schema.format === 'date' || schema.format === 'time' ? schema.format : 'string';
    default:
      return 'string';
  }
}

/** FieldSpecs for every property of an object schema (a catalog entry's `schema`). */
export function fieldSpecsFromSchema(schema: JsonSchema): FieldSpec[] {
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({ name, type: valueTypeFromSchema(property) }));
}

function typeList(type: JsonSchemaType | JsonSchemaType[] | undefined): JsonSchemaType[] {
  return type === undefined ? [] : Array.isArray(type) ? type : [type];
}
