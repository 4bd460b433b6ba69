import { send, sendJson, type RequestContext } from '../core/server.js';

/** Marketo's own messages for its codes; the ones marked * in the docs are not counted against limits. */
export const MESSAGES: Record<string, string> = {
  '600': 'Access token empty',
  '601': 'Access token invalid',
  '602': 'Access token expired',
  '603': 'Access denied',
  '604': 'Request timed out',
  '605': 'HTTP Method not supported',
  '606': "Max rate limit '100' exceeded with in '20' secs",
  '607': 'Daily quota reached',
  '608': 'API Temporarily Unavailable',
  '609': 'Invalid JSON',
  '610': 'Requested resource not found',
  '611': 'System error',
  '612': 'Invalid Content Type',
  '614': 'Invalid Subscription',
  '615': 'Concurrent access limit reached',
  '701': 'Invalid value',
  '702': 'No data found for given search scenario',
  '703': 'The feature is not enabled for the subscription',
  '709': 'Business Rule Violation',
  '1001': 'Invalid value',
  '1003': 'Invalid data',
  '1006': 'Field not found',
  '1029': 'Too many jobs in queue',
  '1035': 'Unsupported filter type for target subscription',
};

let sequence = Math.floor(Math.random() * 0x10000);

/** `e42b#14272d07d78`: a short hex counter, `#`, the hex epoch ms. */
export function requestId(): string {
  sequence = (sequence + 1) & 0xffff;
  return `${sequence.toString(16)}#${Date.now().toString(16)}`;
}

export interface OkBody {
  /** Omitted from the body when undefined (Marketo leaves the key out when there is nothing to return). */
  result?: unknown[] | undefined;
  warnings?: string[];
  moreResult?: boolean;
  nextPageToken?: string;
}

/** A success envelope. Key order follows Marketo's. */
export function ok(ctx: RequestContext, body: OkBody = {}): void {
  const out: Record<string, unknown> = { requestId: requestId() };
  if (body.result !== undefined) out.result = body.result;
  out.success = true;
  out.errors = [];
  out.warnings = body.warnings ?? [];
  if (body.nextPageToken !== undefined) out.nextPageToken = body.nextPageToken;
  if (body.moreResult !== undefined) out.moreResult = body.moreResult;
  sendJson(ctx, 200, out);
}

/** A failure: HTTP 200, `success:false`, one error with a string code, no `result`. */
export function fail(ctx: RequestContext, code: string, message?: string): void {
  sendJson(ctx, 200, { requestId: requestId(), success: false, errors: [{ code, message: message ?? MESSAGES[code] ?? 'Error' }] });
}

/** An HTTP-level error from the front end (413, 414, 502...): an HTML page, not an envelope. */
export function httpError(ctx: RequestContext, status: number): void {
  const reason: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    413: 'Request Entity Too Large',
    414: 'Request-URI Too Large',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Time-out',
  };
  const text = `${status} ${reason[status] ?? 'Error'}`;
  send(ctx, status, `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n</body>\r\n</html>\r\n`, {
    'content-type': 'text/html',
  });
}

/** The identity endpoint's OAuth-style error (the one place Marketo uses a 401). */
export function identityError(ctx: RequestContext, status: number, error: string, description: string): void {
  sendJson(ctx, status, { error, error_description: description }, { 'cache-control': 'no-store' });
}
