/**
 * Paging tokens. Marketo's look like `GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ`
 * (base32 of a position); ours are base32 of `|`-joined parts, so a token is a
 * resumable position and the server keeps no per-cursor state.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer | undefined {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/=+$/, '')) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return undefined;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function encodeToken(parts: readonly (string | number)[]): string {
  return base32(Buffer.from(parts.map(String).join('|'), 'utf8'));
}

export function decodeToken(token: string, kind: string): string[] | undefined {
  const bytes = unbase32(token);
  if (!bytes) return undefined;
  const parts = bytes.toString('utf8').split('|');
  return parts[0] === kind ? parts : undefined;
}
