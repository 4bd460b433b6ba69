/**
 * What describe says about replicating an object: whether it can be extracted at all (from its
 * flags, not from a hand-kept list of names) and which replication keys it offers.
 */
import type { FieldDescribe, ObjectDescribe } from './describe.js';

/** In order of preference: SystemModstamp moves on every change, system ones included. */
export const REPLICATION_KEYS = ['SystemModstamp', 'LastModifiedDate', 'CreatedDate'] as const;

/** Undefined when the object can be extracted, else why not. */
export function unsupportedReason(object: ObjectDescribe): string | undefined {
  if (object.queryable === false) return 'not queryable (describe: queryable=false)';
  if (object.associateEntityType === 'ChangeEvent') return 'change event: delivered by the Streaming/Pub-Sub API, not by queries';
  // ActivityHistory, OpenActivity and their like answer only as a sub-query of their parent.
  if (object.retrieveable === false) return 'queryable only as a sub-query of its parent object (describe: retrieveable=false)';
  if (!object.fields.some((field) => field.name === 'Id')) return 'has no Id field to key its rows';
  return undefined;
}

function usableKey(field: FieldDescribe | undefined): boolean {
  return field !== undefined && field.type === 'datetime' && field.filterable !== false && field.sortable !== false;
}

/** Every datetime key present that can be filtered and sorted on, best first. */
export function validReplicationKeys(object: ObjectDescribe): string[] {
  const byName = new Map(object.fields.map((field) => [field.name, field]));
  return REPLICATION_KEYS.filter((name) => usableKey(byName.get(name)));
}
