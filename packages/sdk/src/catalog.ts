import type { JsonSchema } from './protocol/messages.js';

export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';
export type Inclusion = 'available' | 'automatic' | 'unsupported';
export type Breadcrumb = [] | ['properties', string];

export interface MetadataValues {
  selected?: boolean;
  inclusion?: Inclusion;
  'selected-by-default'?: boolean;
  'valid-replication-keys'?: string[];
  'forced-replication-method'?: ReplicationMethod;
  'table-key-properties'?: string[];
  'replication-method'?: ReplicationMethod;
  'replication-key'?: string;
  'unsupported-description'?: string;
  label?: string;
  [key: string]: unknown;
}

export interface MetadataEntry {
  breadcrumb: string[];
  metadata: MetadataValues;
}

export interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  replication_key?: string;
  replication_method?: ReplicationMethod;
  metadata: MetadataEntry[];
}

export interface Catalog {
  streams: CatalogEntry[];
}

export function streamMetadata(entry: CatalogEntry): MetadataValues {
  return entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
}

export function propertyMetadata(entry: CatalogEntry, property: string): MetadataValues {
  return entry.metadata.find((m) => m.breadcrumb.length === 2 && m.breadcrumb[1] === property)?.metadata ?? {};
}

/**
 * Stream selection as Meltano's SDK reads it: `selected` wins, else `selected-by-default`; the
 * legacy `schema.selected` of old catalogs (`--properties`) is honoured too.
 */
export function isStreamSelected(entry: CatalogEntry): boolean {
  const metadata = streamMetadata(entry);
  if (metadata.inclusion === 'unsupported') return false;
  return metadata.selected ?? (entry.schema.selected as boolean | undefined) ?? metadata['selected-by-default'] ?? false;
}

/** Top-level properties to emit: selected ones, plus `automatic` ones always, never `unsupported` ones. */
export function selectedProperties(entry: CatalogEntry): Set<string> {
  const selected = new Set<string>();
  for (const name of Object.keys(entry.schema.properties ?? {})) {
    const metadata = propertyMetadata(entry, name);
    const propertySchema = entry.schema.properties?.[name];
    if (metadata.inclusion === 'unsupported') continue;
    if (metadata.inclusion === 'automatic' || (metadata.selected ?? (propertySchema?.selected as boolean | undefined) ?? metadata['selected-by-default'] ?? true)) {
      selected.add(name);
    }
  }
  return selected;
}

/** The schema with only the given top-level properties. */
export function projectSchema(schema: JsonSchema, properties: Set<string>): JsonSchema {
  const all = schema.properties ?? {};
  if (Object.keys(all).every((name) => properties.has(name))) return schema;
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(all).filter(([name]) => properties.has(name))),
    ...(schema.required ? { required: schema.required.filter((name) => properties.has(name)) } : {}),
  };
}

export interface StreamCatalogInput {
  name: string;
  schema: JsonSchema;
  keyProperties: string[];
  replicationMethod: ReplicationMethod;
  replicationKey?: string;
  validReplicationKeys?: string[];
  forcedReplicationMethod?: ReplicationMethod;
  selectedByDefault?: boolean;
  /** Extra stream-level metadata (e.g. `unsupported-description`). */
  metadata?: MetadataValues;
  /** Per-property metadata (e.g. labels, `inclusion: unsupported` with a reason). */
  propertyMetadata?: Record<string, MetadataValues>;
}

/** The catalog entry `--discover` prints for a stream, with the standard Singer metadata. */
export function catalogEntry(stream: StreamCatalogInput): CatalogEntry {
  const automatic = new Set([...stream.keyProperties, ...(stream.replicationKey ? [stream.replicationKey] : [])]);
  const selectedByDefault = stream.selectedByDefault ?? true;
  const metadata: MetadataEntry[] = [
    {
      breadcrumb: [],
      metadata: {
        inclusion: 'available',
        'selected-by-default': selectedByDefault,
        'table-key-properties': stream.keyProperties,
        'forced-replication-method': stream.forcedReplicationMethod,
        'valid-replication-keys': stream.validReplicationKeys ?? (stream.replicationKey ? [stream.replicationKey] : undefined),
        'replication-method': stream.replicationMethod,
        'replication-key': stream.replicationKey,
        ...stream.metadata,
      },
    },
  ];
  for (const name of Object.keys(stream.schema.properties ?? {})) {
    const extra = stream.propertyMetadata?.[name] ?? {};
    metadata.push({
      breadcrumb: ['properties', name],
      metadata: {
        inclusion: automatic.has(name) ? 'automatic' : 'available',
        'selected-by-default': !automatic.has(name) && extra.inclusion !== 'unsupported' ? true : undefined,
        ...extra,
      },
    });
  }
  return {
    tap_stream_id: stream.name,
    stream: stream.name,
    schema: stream.schema,
    key_properties: stream.keyProperties,
    ...(stream.replicationKey ? { replication_key: stream.replicationKey } : {}),
    replication_method: stream.replicationMethod,
    metadata: metadata.map((m) => ({ breadcrumb: m.breadcrumb, metadata: dropUndefined(m.metadata) })),
  };
}

function dropUndefined(values: MetadataValues): MetadataValues {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as MetadataValues;
}
