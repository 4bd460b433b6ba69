import type { JsonSchema } from '@singer-io-ts/sdk';
import type { BulkExtract } from '../bulk.js';
import type { MarketoClient } from '../client.js';

/** What every stream reads through: one client (one budget, one rate limiter) and one export queue. */
export interface StreamDeps {
  client: MarketoClient;
  bulk: BulkExtract;
}

type Scalar = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

/** A nullable property: Marketo leaves out or nulls nearly any field. */
export function nullable(type: Scalar, extra: JsonSchema = {}): JsonSchema {
  return { type: [type, 'null'], ...extra };
}

export const DATETIME: JsonSchema = nullable('string', { format: 'date-time' });
export const DATE: JsonSchema = nullable('string', { format: 'date' });
export const TEXT: JsonSchema = nullable('string');
export const INTEGER: JsonSchema = nullable('integer');
export const NUMBER: JsonSchema = nullable('number');
export const BOOLEAN: JsonSchema = nullable('boolean');
export const OBJECT: JsonSchema = nullable('object');
export const ARRAY: JsonSchema = nullable('array');

export function objectSchema(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties };
}
