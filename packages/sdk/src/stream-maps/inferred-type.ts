import type { JsonSchema, JsonSchemaType } from '../protocol/messages.js';

/**
 * What the type checker knows about an expression's value: the set of JSON types it can take
 * (`undefined` when it could be anything) and, for values passed through unchanged from a known
 * schema, that exact schema (so `format`, `items`, `properties`... survive the mapping).
 */
export interface InferredType {
  readonly types: ReadonlySet<JsonSchemaType> | undefined;
  readonly schema?: JsonSchema;
}

export const ANY: InferredType = { types: undefined };

const TYPE_ORDER: readonly JsonSchemaType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

export function typeOf(...types: JsonSchemaType[]): InferredType {
  return { types: new Set(types) };
}

export function typeOfValue(value: unknown): InferredType {
  if (value === null || value === undefined) return typeOf('null');
  if (typeof value === 'string') return typeOf('string');
  if (typeof value === 'boolean') return typeOf('boolean');
  if (typeof value === 'number') return typeOf(Number.isInteger(value) ? 'integer' : 'number');
  return typeOf(Array.isArray(value) ? 'array' : 'object');
}

export function fromSchema(schema: JsonSchema | undefined): InferredType {
  if (schema === undefined) return ANY;
  return { types: typesOfSchema(schema), schema };
}

function typesOfSchema(schema: JsonSchema): ReadonlySet<JsonSchemaType> | undefined {
  if (typeof schema.type === 'string') return new Set([schema.type]);
  if (Array.isArray(schema.type)) return new Set(schema.type);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives === undefined || alternatives.length === 0) return undefined;
  const types = new Set<JsonSchemaType>();
  for (const alternative of alternatives) {
    const inner = typesOfSchema(alternative);
    if (inner === undefined) return undefined;
    for (const type of inner) types.add(type);
  }
  return types;
}

export function mayBeNull(type: InferredType): boolean {
  return type.types === undefined || type.types.has('null');
}

/** True when every non-null value of the type is one of `allowed`. */
export function isOnly(type: InferredType, ...allowed: JsonSchemaType[]): boolean {
  if (type.types === undefined) return false;
  for (const member of type.types) if (member !== 'null' && !allowed.includes(member)) return false;
  return true;
}

export function union(...types: InferredType[]): InferredType {
  const first = types[0];
  if (first === undefined) return ANY;
  if (first.schema !== undefined && types.every((type) => type.schema !== undefined && JSON.stringify(type.schema) === JSON.stringify(first.schema))) {
    return first;
  }
  const merged = new Set<JsonSchemaType>();
  for (const type of types) {
    if (type.types === undefined) return ANY;
    for (const member of type.types) merged.add(member);
  }
  return { types: merged };
}

export function withNull(type: InferredType): InferredType {
  if (type.types === undefined || type.types.has('null')) return type;
  const types = new Set(type.types).add('null');
  if (type.schema === undefined || type.schema.type === undefined) return { types };
  return { types, schema: { ...type.schema, type: orderedTypes(types) } };
}

export function withoutNull(type: InferredType): InferredType {
  if (type.types === undefined || !type.types.has('null') || type.types.size === 1) return type;
  const types = new Set(type.types);
  types.delete('null');
  return { types };
}

/** `result` widened with `null` when any argument may be null: the rule for null-propagating operations. */
export function nullableLike(result: InferredType, ...inputs: InferredType[]): InferredType {
  return inputs.some(mayBeNull) ? withNull(result) : result;
}

/** A JSON Schema for the type; a fresh object, never shared with the source schema. */
export function toSchema(type: InferredType): JsonSchema {
  if (type.schema !== undefined) return structuredClone(type.schema);
  if (type.types === undefined) return {};
  const types = orderedTypes(type.types);
  return { type: types.length === 1 ? (types[0] as JsonSchemaType) : types };
}

function orderedTypes(types: ReadonlySet<JsonSchemaType>): JsonSchemaType[] {
  // "number" already admits integers; listing both would only confuse targets.
  return TYPE_ORDER.filter((type) => types.has(type) && !(type === 'integer' && types.has('number')));
}
