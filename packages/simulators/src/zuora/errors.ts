import { randomBytes } from 'node:crypto';
import { send, sendJson, type RequestContext } from '../core/server.js';

/** Zuora's four error dialects: AQuA (HTTP 200 errorCode), CRUD (`Errors`), v1 REST (`reasons`) and the gateway. */

export const AQUA_MESSAGES: Record<string, string> = {
  '90001': 'Invalid Batch Id',
  '90002': 'Invalid Job Id',
  '90003': 'Invalid Job Id for cancellation',
  '90004': 'The number of queries in the AQuA input exceeds the limit of 50',
  '90005': 'There is a syntax error in one of the queries in the AQuA input',
  '90006': 'Storage error: the result file could not be written',
  '90007': 'Execution aborted',
  '90008': 'Database connection error',
  '90009': 'Not authorized to use the AQuA API',
  '90010': 'Internal error',
  '90012': 'Stateless AQuA export does not support exporting deleted records',
  '90014': 'The notifyURL is too long',
  '90015': 'Invalid incremental time: use the format yyyy-MM-dd HH:mm:ss',
  '90016': 'There are no queries in the AQuA input',
  '90017':
    'Objects included in the queries do not support the querying of deleted records. Remove Deleted section in the JSON request and retry the request',
};

export function processId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** AQuA request errors come back with HTTP 200. */
export function aquaError(ctx: RequestContext, code: string, message?: string): void {
  sendJson(ctx, 200, { errorCode: code, message: message ?? AQUA_MESSAGES[code] ?? 'AQuA error' });
}

/** CRUD (`/v1/object/...`) errors: HTTP 400 with `Success:false`. */
export function crudError(ctx: RequestContext, code: string, message: string, status = 400): void {
  sendJson(ctx, status, { Success: false, Errors: [{ Code: code, Message: message }] });
}

/** v1 REST errors: often HTTP 200 with `success:false`; the 8-digit code is resource + category. */
export function v1Error(ctx: RequestContext, code: number, message: string, status = 200): void {
  sendJson(ctx, status, { success: false, processId: processId(), reasons: [{ code, message }] });
}

export function authError(ctx: RequestContext, variant: 'gateway' | 'v1'): void {
  if (variant === 'gateway') sendJson(ctx, 401, { message: 'Authentication error' });
  else v1Error(ctx, 90000011, 'this resource is protected, please sign in first', 401);
}

export function oauthError(ctx: RequestContext, status: number, error: string, description: string): void {
  sendJson(ctx, status, { error, error_description: description }, { 'cache-control': 'no-store' });
}

export interface RateLimitInfo {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export function rateLimitHeaders(info: RateLimitInfo): Record<string, string> {
  return {
    'RateLimit-Limit': String(info.limit),
    'RateLimit-Remaining': String(Math.max(0, info.remaining)),
    'RateLimit-Reset': String(Math.max(0, info.resetSeconds)),
  };
}

export function rateLimited(ctx: RequestContext, info: RateLimitInfo): void {
  sendJson(ctx, 429, { message: 'You have exceeded the limit on the number of requests; retry after RateLimit-Reset seconds' }, {
    ...rateLimitHeaders(info),
    'Retry-After': String(Math.max(1, info.resetSeconds)),
  });
}

export function concurrencyLimited(ctx: RequestContext, limit: number, retryAfterSeconds: number): void {
  // Header names are unverified (see the reference); Retry-After is Zuora's documented 120 s.
  sendJson(ctx, 429, { message: `The number of concurrent export jobs has reached the limit of ${limit}; retry later` }, {
    'Concurrency-Limit-Type': 'Big Data Request',
    'Concurrency-Limit-Limit': String(limit),
    'Concurrency-Limit-Remaining': '0',
    'Retry-After': String(retryAfterSeconds),
  });
}

const HTTP_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * `inject({action:{type:'error', code}})`: '9000x' AQuA codes (HTTP 200), 8-digit v1 codes (HTTP 200 envelope),
 * 'RATE_LIMIT' / '429', 'CONCURRENCY_LIMIT', '401' / 'AUTH' (gateway body) / 'AUTH_V1', 'invalid_client',
 * CRUD codes such as 'INVALID_VALUE' / 'noSuchDataSource' (HTTP 400), any other 3-digit HTTP status.
 */
export function nativeError(ctx: RequestContext, code: string, message: string | undefined, limits: { rateLimit: number; maxConcurrentJobs: number } = { rateLimit: 50_000, maxConcurrentJobs: 50 }): void {
  if (/^900\d\d$/.test(code)) return aquaError(ctx, code, message);
  if (/^\d{8}$/.test(code)) return v1Error(ctx, Number(code), message ?? 'Error');
  switch (code) {
    case 'RATE_LIMIT':
    case '429':
      return rateLimited(ctx, { limit: limits.rateLimit, remaining: 0, resetSeconds: 1 });
    case 'CONCURRENCY_LIMIT':
      return concurrencyLimited(ctx, limits.maxConcurrentJobs, 1);
    case '401':
    case 'AUTH':
      return authError(ctx, 'gateway');
    case 'AUTH_V1':
      return authError(ctx, 'v1');
    case 'invalid_client':
      return oauthError(ctx, 401, 'invalid_client', message ?? 'Bad client credentials');
    case 'noSuchDataSource':
      return crudError(ctx, 'INVALID_VALUE', message ?? 'noSuchDataSource');
  }
  if (/^\d{3}$/.test(code)) {
    const status = Number(code);
    const text = HTTP_TEXT[status] ?? 'Error';
    if (status >= 502) {
      // Gateway errors come from the load balancer, as HTML rather than JSON.
      return send(ctx, status, `<html><head><title>${status} ${text}</title></head><body><h1>${status} ${text}</h1></body></html>`, { 'content-type': 'text/html' });
    }
    return sendJson(ctx, status, { message: message ?? text });
  }
  return crudError(ctx, code, message ?? `${code}`);
}
