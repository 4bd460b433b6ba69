/**
 * Zuora's error dialects turned into errors: AQuA answers HTTP 200 with `errorCode`, CRUD export
 * HTTP 400 with `Errors[]`, v1 REST HTTP 200 with `success:false`, the gateway 401 for a dead
 * token. 429 and 5xx are left to the SDK's status check, which retries them.
 */
import { FatalError, RetriableError, type RequestContext } from '@singer-io-ts/sdk';

/** 401: the token expired (or, at a wrong data centre, was never valid there). */
export class UnauthorizedError extends FatalError {}

/** An AQuA request refused with HTTP 200 + `errorCode`. */
export class AquaError extends FatalError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`AQuA error ${code}: ${message}`);
  }
}

/** A CRUD export request refused (`{"Success":false,"Errors":[…]}`). */
export class CrudError extends FatalError {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(`Zuora export error ${code}: ${detail}`);
  }
}

/** A result file that is gone (404 after expiry or deletion). */
export class FileGoneError extends FatalError {}

/**
 * A call Zuora kept failing (5xx, 429, dropped connections) after the SDK's retries. Fatal for
 * discovery; the reader turns it into a resumable stop, since the next run can pick up again.
 */
export class ZuoraUnavailableError extends FatalError {}

/** AQuA codes that say "the service had a problem", worth another try. */
const TRANSIENT_AQUA_CODES = new Set(['90006', '90007', '90008', '90010']);

export async function classifyZuoraResponse(response: Response, context: RequestContext): Promise<Error | undefined> {
  if (response.status === 401) return new UnauthorizedError(`${context.method} ${context.url}: HTTP 401 ${(await response.text()).slice(0, 200)}`);
  const type = response.headers.get('content-type') ?? '';
  // Only JSON bodies can carry an error envelope; files (CSV) are never read here.
  if (!type.includes('json') || response.status === 429 || response.status >= 500) return undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object') return undefined;
  const envelope = body as { errorCode?: unknown; message?: unknown; Success?: unknown; Errors?: Array<{ Code?: string; Message?: string }>; success?: unknown; reasons?: Array<{ code?: number; message?: string }> };
  if (envelope.errorCode !== undefined) {
    const code = String(envelope.errorCode);
    const message = typeof envelope.message === 'string' ? envelope.message : 'AQuA error';
    return TRANSIENT_AQUA_CODES.has(code) ? new RetriableError(`AQuA error ${code}: ${message}`) : new AquaError(code, message);
  }
  if (envelope.Success === false) {
    const first = envelope.Errors?.[0];
    return new CrudError(first?.Code ?? String(response.status), first?.Message ?? 'export refused');
  }
  if (envelope.success === false) {
    const first = envelope.reasons?.[0];
    if (response.status === 404) return new FileGoneError(`${context.method} ${context.url}: ${first?.message ?? 'not found'}`);
    return new FatalError(`${context.method} ${context.url}: Zuora error ${first?.code ?? ''}: ${first?.message ?? 'request failed'}`);
  }
  if (response.status === 404) return new FileGoneError(`${context.method} ${context.url}: HTTP 404`);
  return undefined;
}
