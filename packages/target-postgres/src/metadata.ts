import type { PgType } from './type-map.js';

export interface MetadataColumn {
  column: string;
  type: PgType;
  /** Set by the database rather than sent with the rows. */
  default?: string;
}

/** Meltano's record metadata columns, typed for Postgres. */
export const METADATA_COLUMNS: MetadataColumn[] = [
  { column: '_sdc_extracted_at', type: 'timestamptz' },
  { column: '_sdc_received_at', type: 'timestamptz' },
  { column: '_sdc_batched_at', type: 'timestamptz', default: 'now()' },
  { column: '_sdc_deleted_at', type: 'timestamptz' },
  { column: '_sdc_sequence', type: 'bigint' },
  { column: '_sdc_table_version', type: 'bigint' },
];

export const BATCHED_AT = '_sdc_batched_at';
