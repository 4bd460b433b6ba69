export { HttpError, RetriableHttpError, type HttpErrorDetails } from './http-errors.js';
export { TRANSIENT_NETWORK_ERROR_CODES, REQUEST_NOT_SENT_ERROR_CODES, isTransientNetworkError, transientNetworkErrorCode, requestWasNotSent } from './network-errors.js';
export { QuotaBudget, quotaBudgetFromPercentages, parseUsageHeader, type QuotaBudgetOptions, type QuotaPercentConfig } from './quota.js';
export { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export {
  requestWithRetry,
  DEFAULT_RETRY_STATUSES,
  IDEMPOTENT_METHODS,
  type RequestOptions,
  type RequestContext,
  type ResponseClassifier,
} from './request.js';
export { parseRetryAfter, rateLimitResetHint, type RetryHintParser, type ResetHeaderUnit } from './retry-after.js';
export { withRetry, backoffDelayMs, sleepFor, RetriesExhaustedError, type RetryOptions, type RetryInfo, type RetryStopReason } from './retry.js';
export { redactUrl, endpointName } from './url.js';
