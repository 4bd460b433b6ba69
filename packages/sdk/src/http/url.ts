import { Redactor } from '../secrets.js';

const MASK = '***';

/** Query parameters that carry credentials in URLs but that Redactor's key pattern does not catch. */
const SECRET_QUERY_PARAMETER = /^(key|sig|signature|auth|sid|session|session_id|code)$/i;

const defaultRedactor = new Redactor();

/**
 * The URL as it may appear in logs and error messages: no user-info, no fragment, values of
 * credential-like query parameters masked, and every secret the redactor knows masked anywhere.
 */
export function redactUrl(url: string | URL, redactor?: Redactor): string {
  const keys = redactor ?? defaultRedactor;
  const mask = (text: string) => (redactor ? redactor.redactText(text) : text);
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return mask(String(url).replace(/[?#].*$/s, ''));
  }
  if (parsed.username) parsed.username = MASK;
  parsed.password = '';
  parsed.hash = '';
  const query = parsed.search.slice(1);
  parsed.search = '';
  if (!query) return mask(parsed.href);
  const maskedQuery = query
    .split('&')
    .map((pair) => {
      const separator = pair.indexOf('=');
      if (separator < 0) return pair;
      const key = safeDecode(pair.slice(0, separator));
      return keys.isSecretKey(key) || SECRET_QUERY_PARAMETER.test(key) ? `${pair.slice(0, separator)}=${MASK}` : pair;
    })
    .join('&');
  return mask(`${parsed.href}?${maskedQuery}`);
}

/**
 * A low-cardinality name for a URL, for metric tags: the path with id-like segments replaced
 * by `{id}` and no query string, so that one endpoint is one time series.
 */
export function endpointName(url: string | URL): string {
  let path: string;
  try {
    path = new URL(String(url)).pathname;
  } catch {
    path = String(url).replace(/[?#].*$/s, '');
  }
  return path
    .split('/')
    .map((segment) => replaceId(segment))
    .join('/');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALPHANUMERIC_ID = /^[A-Za-z0-9_-]{12,}$/;
const FILE_EXTENSION = /^(.+)(\.[A-Za-z]{2,5})$/;

function replaceId(segment: string): string {
  const [, base = segment, extension = ''] = FILE_EXTENSION.exec(segment) ?? [];
  return looksLikeId(safeDecode(base)) ? `{id}${extension}` : segment;
}

/** Numbers, UUIDs, and long tokens mixing letters and digits (Salesforce and Zuora ids). */
function looksLikeId(segment: string): boolean {
  if (/^\d+$/.test(segment) || UUID.test(segment)) return true;
  return ALPHANUMERIC_ID.test(segment) && /\d/.test(segment) && /[A-Za-z]/.test(segment);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
