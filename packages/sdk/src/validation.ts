import { readFileSync } from 'node:fs';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Ajv as AjvInstance } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema, MessageType } from './protocol/messages.js';

// ajv and ajv-formats are CommonJS with a `default` property; NodeNext types see the namespace.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const SCHEMA_DIR = new URL('../schemas/singer/', import.meta.url);

export type SingerSchemaName =
  | 'schema-message'
  | 'record-message'
  | 'state-message'
  | 'activate-version-message'
  | 'batch-message'
  | 'catalog'
  | 'state';

export const MESSAGE_SCHEMA: Record<MessageType, SingerSchemaName> = {
  SCHEMA: 'schema-message',
  RECORD: 'record-message',
  STATE: 'state-message',
  ACTIVATE_VERSION: 'activate-version-message',
  BATCH: 'batch-message',
};

/**
 * One ajv instance for the process. `strict: false` because Singer schemas in the wild carry
 * keywords ajv does not know (`secret`, `inclusion`, `x-sql-datatype`) and must still compile.
 */
export function createAjv(options: { useDefaults?: boolean } = {}): AjvInstance {
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true, useDefaults: options.useDefaults ?? false });
  addFormats(ajv);
    return ajv;
}

let sharedAjv: AjvInstance | undefined;
export function ajv(): AjvInstance {
  sharedAjv ??= createAjv();
  return sharedAjv;
}

const singerValidators = new Map<SingerSchemaName, ValidateFunction>();

export function loadSingerSchema(name: SingerSchemaName): JsonSchema {
  return JSON.parse(readFileSync(new URL(`${name}.json`, SCHEMA_DIR), 'utf8')) as JsonSchema;
}

export function singerValidator(name: SingerSchemaName): ValidateFunction {
  let validate = singerValidators.get(name);
  if (!validate) {
    validate = ajv().compile(loadSingerSchema(name));
    singerValidators.set(name, validate);
  }
  return validate;
}

/** Compiles a stream's schema; the error says which stream's schema is broken. */
export function compileRecordSchema(stream: string, schema: JsonSchema): ValidateFunction {
  try {
    return ajv().compile({ ...schema, $id: undefined, $schema: undefined });
  } catch (error) {
    throw new Error(`schema of stream "${stream}" does not compile: ${(error as Error).message}`);
  }
}

/** "record.Amount: must be number" — the first error, in words a person can act on. */
export function describeValidationError(errors: ErrorObject[] | null | undefined, root = ''): string {
  const error = errors?.[0];
  if (!error) return 'invalid';
  const path = (root + error.instancePath.replace(/\//g, '.')).replace(/^\./, '');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `missing required field "${path ? path + '.' : ''}${missing}"`;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `unexpected field "${path ? path + '.' : ''}${extra}"`;
  }
  return `${path || 'value'} ${error.message ?? 'is invalid'}`;
}
