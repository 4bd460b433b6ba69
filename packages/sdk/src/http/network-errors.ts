/**
 * Socket and connection failures that are worth another try. ENOTFOUND is deliberately absent:
 * it is the DNS answer "no such host", so a typo'd host would otherwise be retried until the
 * deadline; EAI_AGAIN is the resolver saying "try again later" and is transient.
 */
export const TRANSIENT_NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Failures that happen before a single byte of the request reached the server, so even a
 * non-idempotent request (POST) can safely be sent again.
 */
export const REQUEST_NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const MAX_CAUSE_DEPTH = 8;

/**
 * Every `code` found on an error, its `cause` chain and, for AggregateError (Node's
 * happy-eyeballs connect), its `errors`. undici's fetch throws `TypeError: fetch failed` with
 * the socket error as `cause`, so the code is never on the top-level error.
 */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (depth > MAX_CAUSE_DEPTH || typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    visit(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

export function transientNetworkErrorCode(error: unknown): string | undefined {
  return errorCodes(error).find((code) => TRANSIENT_NETWORK_ERROR_CODES.has(code));
}

export function isTransientNetworkError(error: unknown): boolean {
  return transientNetworkErrorCode(error) !== undefined;
}

export function requestWasNotSent(error: unknown): boolean {
  return errorCodes(error).some((code) => REQUEST_NOT_SENT_ERROR_CODES.has(code));
}
