import type { MetadataValues, ReplicationMethod } from './catalog.js';
import type { Config } from './config.js';
import type { Logger } from './logging.js';
import type { JsonSchema } from './protocol/messages.js';
import type { StreamBookmark } from './state.js';

export type TapRecord = Record<string, unknown>;

export interface StreamContext<C extends Config = Config> {
  config: C;
  logger: Logger;
  /** The stream's name. */
  stream: string;
  /** Top-level properties the catalog selected (automatic ones included). Fetch only these where the API allows. */
  selectedProperties: ReadonlySet<string>;
  /** The replication key in force (the catalog may choose another valid key), if incremental. */
  replicationKey: string | undefined;
  /**
   * Where to start: the bookmark from `--state` if there is one for this replication key, else
   * `start_date` from the config. Sources must return records with key `>=` this value.
   */
  startingValue: unknown;
  /** This stream's bookmark as read from `--state` (for taps that keep more than the key value). */
  bookmark: Readonly<StreamBookmark>;
  /**
   * Saves extra resume information (a job id, a page locator) in the stream's bookmark; it is
   * written with the next STATE message.
   */
  saveBookmark(values: Omit<StreamBookmark, 'replication_key' | 'replication_key_value'>): void;
  /** Aborted when the run is stopping (quota reached, SIGTERM): stop fetching. */
  signal: AbortSignal;
}

/**
 * A stream, declared: a short object with a name, keys, replication, a schema and one generator.
 * The SDK does the rest: SCHEMA/RECORD/STATE messages, bookmarks, selection, resume, metrics.
 */
export interface StreamDefinition<C extends Config = Config> {
  name: string;
  keyProperties: string[];
  schema: JsonSchema;
  /** Defaults to INCREMENTAL when a replication key is set, FULL_TABLE otherwise. */
  replicationMethod?: ReplicationMethod;
  replicationKey?: string;
  /** Other keys the catalog may choose instead (listed in `valid-replication-keys`). */
  validReplicationKeys?: string[];
  /**
   * True when the source returns records in ascending replication-key order: the bookmark then
   * advances as records go out, so an interrupted sync resumes mid-stream. When false, the
   * bookmark moves only once the stream has finished.
   */
  isSorted?: boolean;
  /** Defaults to true. */
  selectedByDefault?: boolean;
  /** Emit ACTIVATE_VERSION for this full-table stream (defaults to the tap's setting). */
  activateVersion?: boolean;
  /** Extra stream-level catalog metadata, e.g. `{ inclusion: 'unsupported', 'unsupported-description': '…' }`. */
  metadata?: MetadataValues;
  /** Per-property catalog metadata: labels, unsupported fields with a reason. */
  propertyMetadata?: Record<string, MetadataValues>;
  records(context: StreamContext<C>): AsyncIterable<TapRecord>;
}

export function replicationMethodOf(stream: Pick<StreamDefinition, 'replicationMethod' | 'replicationKey'>): ReplicationMethod {
  return stream.replicationMethod ?? (stream.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE');
}
