import { createHash } from 'node:crypto';

/** Postgres truncates identifiers to NAMEDATALEN - 1 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

export type IdentifierCase = 'lower' | 'preserve';

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

/**
 * The Postgres name for a source name: case folded as configured, NUL removed (an identifier
 * cannot hold it), and, when longer than 63 bytes, cut on a character boundary and suffixed
 * with a hash of the whole name, so that two long names sharing a prefix never collide and the
 * same source name always lands in the same column.
 */
export function pgIdentifier(source: string, identifierCase: IdentifierCase = 'lower'): string {
  let name = (identifierCase === 'lower' ? source.toLowerCase() : source).replace(/\0/g, '');
  if (name === '') name = '_';
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const suffix = `_${createHash('sha256').update(source).digest('hex').slice(0, 10)}`;
  return truncateBytes(name, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
}

function truncateBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** Names that differ from the source (shortened, folded into a collision) get a hash suffix too. */
export function disambiguate(name: string, source: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  const suffix = `_${createHash('sha256').update(source).digest('hex').slice(0, 10)}`;
  return truncateBytes(name, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
}
