import type { JsonSchema } from './protocol/messages.js';

const REDACTED = '***';
/** Values this short are not redacted inside free text: masking every "1" or "a" would garble logs. */
const MIN_SECRET_LENGTH = 4;

/**
 * Knows the secret values of one run's config (from the `secret: true` marks of the config
 * schema, plus anything whose key looks like a credential) and masks them wherever they would
 * otherwise leave the process: logs, error messages, `--about`, state.
 */
export class Redactor {
  #secrets: string[] = [];
  #secretKeys: Set<string>;

  constructor(secretKeys: Iterable<string> = []) {
    this.#secretKeys = new Set(secretKeys);
  }

  static fromConfig(schema: JsonSchema | undefined, config: Record<string, unknown>): Redactor {
    const redactor = new Redactor(secretKeysOf(schema));
    redactor.collect(config);
    return redactor;
  }

  isSecretKey(key: string): boolean {
    return this.#secretKeys.has(key) || looksSecret(key);
  }

  /** Remembers the secret values found in an object (nested objects included). */
  collect(value: unknown, key?: string): void {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) this.collect(v, k);
      return;
    }
    if (key !== undefined && this.isSecretKey(key)) this.addSecret(String(value));
  }

  addSecret(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.#secrets.includes(value)) return;
    this.#secrets.push(value);
    // Longest first, so a secret that contains another is masked whole.
    this.#secrets.sort((a, b) => b.length - a.length);
  }

  redactText(text: string): string {
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
    }
    return out;
  }

  /** A deep copy with secret keys masked, for display. */
  redactObject<T>(value: T): T {
    return JSON.parse(this.redactText(JSON.stringify(value, (key, v) => (key && this.isSecretKey(key) && v !== null && typeof v !== 'object' ? REDACTED : v)))) as T;
  }
}

export function secretKeysOf(schema: JsonSchema | undefined): string[] {
  const keys: string[] = [];
  const walk = (node: JsonSchema | undefined) => {
    if (!node?.properties) return;
    for (const [name, property] of Object.entries(node.properties)) {
      if (property.secret === true || property.writeOnly === true) keys.push(name);
      walk(property);
    }
  };
  walk(schema);
  return keys;
}

const SECRET_KEY_PATTERN = /(password|passwd|secret|token|private_key|api_key|apikey|access_key|client_key|credential|salt)/i;

function looksSecret(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}
