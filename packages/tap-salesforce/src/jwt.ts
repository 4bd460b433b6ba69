/**
 * The JWT bearer assertion of Salesforce's OAuth 2.0 JWT flow (RFC 7523), signed RS256 with
 * node:crypto: jsforce has no JWT helper, and one function is not worth a dependency.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '@singer-io-ts/sdk';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Salesforce accepts assertions that expire within 3 minutes. */
const LIFETIME_SECONDS = 180;

export interface JwtClaims {
  /** Consumer key of the connected app. */
  clientId: string;
  /** The user the token is for. */
  username: string;
  /** login.salesforce.com, test.salesforce.com or the My Domain URL (where the token is asked for). */
  audience: string;
  /** Seconds since the epoch; now by default. */
  now?: number;
}

/**
 * `private_key` is PEM text or the path of a PEM file. Errors name the file when it was a path
 * (the user needs to know which one), never the key's text.
 */
export function readPrivateKey(value: string): KeyObject {
  let pem = value;
  const path = value.includes('-----BEGIN') ? undefined : value;
  if (path !== undefined) {
    if (!existsSync(path)) throw new ConfigError('private_key is neither PEM text (-----BEGIN ...) nor the path of a readable file');
    pem = readFileSync(path, 'utf8');
  }
  try {
    // Keys pasted into JSON or environment variables often carry literal "\n" for newlines.
    return createPrivateKey(pem.includes('\\n') && !pem.includes('\n') ? pem.replace(/\\n/g, '\n') : pem);
  } catch {
    throw new ConfigError(`private_key${path !== undefined ? ` (the file ${path})` : ''} could not be read as a PEM private key`);
  }
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** `header.claims.signature`, as the token endpoint wants it in `assertion`. */
export function buildJwtAssertion(claims: JwtClaims, key: KeyObject): string {
  const now = claims.now ?? Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iss: claims.clientId, sub: claims.username, aud: claims.audience, exp: now + LIFETIME_SECONDS }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}
