export interface StreamBookmark {
  replication_key?: string;
  replication_key_value?: unknown;
  version?: number;
  initial_full_table_complete?: boolean;
  /** Highest key seen in an unsorted stream that has not finished: promoted only at stream end. */
  progress_markers?: { replication_key: string; replication_key_value: unknown };
  [key: string]: unknown;
}

export interface TapState {
  bookmarks: Record<string, StreamBookmark>;
  currently_syncing?: string | null;
  [key: string]: unknown;
}

/** Accepts `{bookmarks: ...}` as well as the `{"value": {...}}` a raw STATE message line holds. */
export function normalizeState(raw: unknown): TapState {
  let value = raw;
  if (value && typeof value === 'object' && 'type' in value && 'value' in value) value = (value as { value: unknown }).value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { bookmarks: {} };
  const state = structuredClone(value) as TapState;
  if (!state.bookmarks || typeof state.bookmarks !== 'object') state.bookmarks = {};
  return state;
}

/**
 * Orders replication key values: numbers numerically, ISO timestamps by instant (so `+00:00`
 * and `Z` forms compare right), anything else as strings.
 */
export function compareReplicationValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = timestamp(a);
    const tb = timestamp(b);
    if (ta !== undefined && tb !== undefined && ta !== tb) return ta - tb;
    if (ta !== undefined && tb !== undefined) return 0;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

const ISO_PREFIX = /^\d{4}-\d{2}-\d{2}/;
function timestamp(value: string): number | undefined {
  if (!ISO_PREFIX.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
