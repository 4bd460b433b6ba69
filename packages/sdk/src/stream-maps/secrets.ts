import type { StreamMapsConfig } from './config.js';
import { FUNCTIONS } from './functions.js';
import { isPlainRecord } from './values.js';

/** Names of the functions expressions may call, e.g. for `--about`. */
export const STREAM_MAP_FUNCTIONS: readonly string[] = [...FUNCTIONS.keys()];

/**
 * Every scalar value of `stream_map_config`, as text. Those values are there to be secrets
 * (hash salts, HMAC keys) whatever their key is called, so a runtime should pass them to
 * `Redactor.addSecret` rather than rely on key names.
 */
export function streamMapSecrets(config: StreamMapsConfig): string[] {
  const secrets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') secrets.push(value);
    else if (typeof value === 'number' || typeof value === 'bigint') secrets.push(String(value));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (isPlainRecord(value)) Object.values(value).forEach(collect);
  };
  collect(config.stream_map_config ?? {});
  return secrets;
}
