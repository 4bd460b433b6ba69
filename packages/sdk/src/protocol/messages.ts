/** A JSON Schema as Singer uses it (draft 4-7 keywords; `$ref` already resolved). */
export interface JsonSchema {
  type?: JsonSchemaType | JsonSchemaType[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  maxLength?: number;
  description?: string;
  title?: string;
  [keyword: string]: unknown;
}

export type JsonSchemaType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'object' | 'array';

export type Record_ = Record<string, unknown>;

export interface SchemaMessage {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  bookmark_properties?: string[];
}

export interface RecordMessage {
  type: 'RECORD';
  stream: string;
  record: Record_;
  /** RFC 3339 time the record was read from the source. */
  time_extracted?: string;
  /** Table version, for streams that use ACTIVATE_VERSION. */
  version?: number;
}

export interface StateMessage {
  type: 'STATE';
  value: unknown;
}

export interface ActivateVersionMessage {
  type: 'ACTIVATE_VERSION';
  stream: string;
  version: number;
}

/** Meltano's BATCH extension: records live in the files of the manifest, one JSON object a line. */
export interface BatchMessage {
  type: 'BATCH';
  stream: string;
  encoding: { format: 'jsonl'; compression?: 'gzip' | 'none' };
  manifest: string[];
}

export type SingerMessage = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage | BatchMessage;
export type MessageType = SingerMessage['type'];

export const MESSAGE_TYPES: readonly MessageType[] = ['SCHEMA', 'RECORD', 'STATE', 'ACTIVATE_VERSION', 'BATCH'];

/** The spec says `type` is case-insensitive; `undefined` when the type is unknown. */
export function normalizeMessageType(raw: unknown): MessageType | undefined {
  if (typeof raw !== 'string') return undefined;
  const upper = raw.toUpperCase();
  return (MESSAGE_TYPES as readonly string[]).includes(upper) ? (upper as MessageType) : undefined;
}
