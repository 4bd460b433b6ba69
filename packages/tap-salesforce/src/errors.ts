/**
 * Salesforce's REST errors (`[{"errorCode": ..., "message": ...}]`) turned into the SDK's error
 * classes, so that the retry helper, the sync loop and the quota stop each see what they handle.
 */
import { errorMessage, FatalError, QuotaExhaustedError, ResumableStopError, RetriableError, RetriesExhaustedError, type RequestContext } from '@singer-io-ts/sdk';

/** The access token is no longer valid: log in again and replay the request. */
export class SessionExpiredError extends FatalError {}

/** The query ran too long for its date window: split the window and try the halves. */
export class QueryTimeoutError extends FatalError {}

/**
 * The rest of a query's results cannot be read: query again from the last row read (the
 * (key, Id) order makes that exact). Fatal if it reaches the sync: windows.ts recovers it.
 */
export class RequeryError extends FatalError {}

/** A `nextRecordsUrl` locator expired or was released. */
export class InvalidLocatorError extends RequeryError {}

/** A query page whose body broke off or was cut short (a dropped connection, a proxy): its rows never arrived. */
export class PageReadError extends RequeryError {}

/**
 * A call Salesforce kept failing (5xx, 429, bodies that broke off, dropped connections) after the
 * retries. Fatal for discovery; a stream turns it into a resumable stop (`outageStop`), since what
 * it emitted is covered by the state and the next run goes on from there.
 */
export class SalesforceUnavailableError extends FatalError {}

/** `error` as a SalesforceUnavailableError naming the call (path without its query) when the retries ran out on it. */
export function unavailable(error: unknown, method: string, url: string, endpoint: string | undefined): unknown {
  if (!(error instanceof RetriesExhaustedError)) return error;
  const call = `${endpoint ? `the ${endpoint} call ` : ''}${method} ${new URL(url).pathname}`;
  return new SalesforceUnavailableError(`Salesforce kept failing ${call}: ${error.message}`, { cause: error });
}

/** An outage that outlasted the retries, in a stream: the state so far is emitted and the run ends cleanly. */
export function outageStop(object: string, error: SalesforceUnavailableError): ResumableStopError {
  return new ResumableStopError(`${object}: ${error.message}; stopping, the next run resumes from the state`, { cause: error });
}

/** Why a body could not be read, never quoting it: a JSON parse message quotes record data. */
export function unreadableBody(error: unknown): string {
  return error instanceof SyntaxError ? 'the JSON ends short or is malformed' : errorMessage(error);
}

export interface SalesforceApiError {
  errorCode: string;
  message: string;
}

/** The first error of a Salesforce error body, if the body is one. */
export function parseApiError(body: string): SalesforceApiError | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (first && typeof first === 'object' && typeof (first as SalesforceApiError).errorCode === 'string') {
      return { errorCode: (first as SalesforceApiError).errorCode, message: String((first as SalesforceApiError).message ?? '') };
    }
  } catch {
    // Not JSON (an HTML error page from a proxy): the status alone decides.
  }
  return undefined;
}

const MAX_BODY = 4096;

/**
 * Reads the error code of a failed response and returns the error the SDK should act on, or
 * undefined to let the status decide (5xx and 429 retried, other 4xx fatal).
 */
export async function classifySalesforceResponse(response: Response, context: RequestContext): Promise<Error | undefined> {
  if (response.status < 400) return undefined;
  const text = (await response.text().catch(() => '')).slice(0, MAX_BODY);
  const error = parseApiError(text);
  const where = `${context.method} ${context.url}`;
  const detail = error ? `${error.errorCode}: ${error.message.trim().split('\n').pop()}` : `HTTP ${response.status}`;
  if (response.status === 401) return new SessionExpiredError(`${where}: ${detail}`);
  if (!error) return undefined;
  switch (error.errorCode) {
    case 'QUERY_TIMEOUT':
      return new QueryTimeoutError(`${where}: ${detail}`);
    case 'INVALID_QUERY_LOCATOR':
      return new InvalidLocatorError(`${where}: ${detail}`);
    case 'REQUEST_LIMIT_EXCEEDED':
      return limitError(error, where, response.status);
    case 'SERVER_UNAVAILABLE':
    case 'UNABLE_TO_LOCK_ROW':
      return new RetriableError(`${where}: ${detail}`, { status: response.status });
    default:
      return response.status >= 500 || response.status === 429 ? undefined : new FatalError(`${where} responded HTTP ${response.status}: ${detail}`);
  }
}

/**
 * 403 REQUEST_LIMIT_EXCEEDED, on REST and Bulk alike. Too many requests at once clears in
 * seconds and the server did not process the request, so it is retried (a POST too); the daily
 * allowance clears only tomorrow: a clean stop with resumable state.
 */
export function limitError(error: SalesforceApiError, where: string, status: number): RetriableError | QuotaExhaustedError {
  if (/concurren/i.test(error.message)) return new RetriableError(`${where}: ${error.errorCode}: ${error.message.trim()}`, { status });
  return new QuotaExhaustedError(`Salesforce daily API limit reached (${error.message.trim()})`);
}
