/**
 * Bulk API 2.0 query reader for tap-salesforce.
 *
 * ```ts
 * const transport = fetchTransport({ instanceUrl, getToken: () => session.accessToken, refreshToken: () => session.refresh() });
 * for await (const record of bulkQuery(transport, {
 *   apiVersion: '62.0',
 *   soql: 'SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2024-01-01T00:00:00Z',
 *   includeDeleted: true,                       // queryAll
 *   fields: fieldSpecsFromSchema(catalogEntry.schema),
 * })) { ... }
 * ```
 *
 * ## The seam: `BulkTransport`
 * `request(method, path, {json?, headers?, signal?}) → Promise<Response>`, body unread. `path` is
 * absolute on the instance (`/services/data/v62.0/jobs/query/...`). The transport owns the session:
 * it adds the bearer token, re-authenticates once on a 401 whose body contains INVALID_SESSION_ID,
 * retries transient failures of GET/DELETE (5xx, 429, dropped connections) and of POST/PATCH only
 * when they cannot have taken effect (429, connection refused), and otherwise resolves with whatever
 * status came back. `fetchTransport({instanceUrl, getToken, refreshToken})` implements it over global
 * fetch with the SDK's `withRetry`; the tap's client can implement it over its own connection.
 *
 * ## What `bulkQuery` does on the wire (api-wire-behaviour.md §1.10)
 * 1. `POST /jobs/query` `{operation: query|queryAll, query, contentType: CSV, columnDelimiter: COMMA,
 *    lineEnding: LF}`. A refusal (400 INVALIDENTITY, API_ERROR "compound data", LIMIT_EXCEEDED, 403
 *    REQUEST_LIMIT_EXCEEDED, ...) throws `Bulk2ApiError` with its `errorCode`.
 * 2. `GET /jobs/query/{id}` at once, then after `initial`, doubling up to `max` (default 1 s → 30 s),
 *    until `JobComplete`; `Failed` throws `Bulk2JobFailedError` with the job's `errorMessage`
 *    (`Bulk2QueryTimeoutError`, `.queryTimeout === true`, when it names QUERY_TIMEOUT: split the date
 *    window; `isQueryTimeout(e)` also recognises errorCode QUERY_TIMEOUT); `Aborted` throws
 *    `Bulk2JobAbortedError`; still running after `jobTimeoutMs` (6 h) throws `Bulk2JobTimeoutError`.
 * 3. `GET /jobs/query/{id}/results[?locator=L][&maxRecords=N]` (`Accept: text/csv`), one page at a time,
 *    each requested only when the consumer has pulled every row of the previous one; stops when
 *    `Sforce-Locator` is the literal `null`. A page without the header throws `Bulk2ResultError`
 *    instead of looping (jsforce's bug); so does a page whose parsed row count differs from
 *    `Sforce-NumberOfRecords`, naming the job and the locator. Every page starts with its own header
 *    row; an empty body is an empty page.
 * 4. Each page body is parsed while it streams in (csv.ts: quoted newlines, doubled quotes, CRLF, NUL
 *    characters removed), never buffered whole. A body that breaks off (dropped connection, cut
 *    short) is requested again with the same locator, skipping the rows already yielded, up to
 *    `pageAttempts` (3) times per page.
 * 5. Values converted per `fields` (convert.ts): empty → null for non-strings, and for strings too by
 *    default (Bulk cannot tell null from empty and Salesforce stores no empty text; `emptyString:
 *    'empty'` keeps ''); `true`/`false`; integers incl. `0.0` → 0; decimals; datetimes (`…000Z`), dates
 *    and times kept as the ISO text Bulk writes. Keys are the CSV headers as written, dotted relationship
 *    columns (`Owner.Name`) included.
 * 6. Always, at the end (all read, an error, the consumer's `break`/`return()`, `signal` aborted): a
 *    job still queued or running is aborted (`PATCH {state: Aborted}`) and the job is deleted
 *    (`DELETE`, unless `deleteJob: false`), best effort within 30 s, failures only logged. With
 *    `keepUnfinished`, a complete job whose reading stopped for a reason other than the job or its
 *    results (the consumer's return(), the signal, a quota stop, an outage) is kept instead.
 * 7. Resuming in another run: `onResumePoint` reports `{jobId, locator}` when the results start and
 *    after each fully pulled page; `resume` with such a point reads on from it after
 *    `GET /jobs/query/{id}` answers JobComplete, else (gone, another state, the page unreadable)
 *    deletes that job and creates a new one, with a warning.
 *
 * The generator returns a `BulkQuerySummary` (job id, records, pages) to callers that drive it with
 * `next()`. Nothing is sent before the first `next()`.
 *
 * A POST whose response is lost (connection reset after sending, or a body that cannot be read) is
 * not retried and throws `UncertainRequestError`; the job it may have created cannot be known, so
 * it cannot be deleted.
 */
export { bulkQuery, deleteBulkJob, normaliseVersion, type BulkResumePoint, type BulkQueryOptions, type BulkQuerySummary, type BulkRecord, type BulkJobInfo, type BulkJobState } from './query.js';
export {
  fetchTransport,
  UncertainRequestError,
  IDEMPOTENT_RETRY_STATUSES,
  UNSENT_RETRY_STATUSES,
  type BulkTransport,
  type BulkHttpMethod,
  type BulkRequestInit,
  type FetchTransportOptions,
} from './transport.js';
export { converterFor, convertersFor, fieldSpecsFromSchema, valueTypeFromSchema, type BulkValueType, type FieldSpec, type EmptyStringPolicy, type Converter } from './convert.js';
export {
  Bulk2Error,
  Bulk2ApiError,
  Bulk2JobFailedError,
  Bulk2QueryTimeoutError,
  Bulk2JobAbortedError,
  Bulk2JobTimeoutError,
  Bulk2ResultError,
  isQueryTimeout,
  isQueryTimeoutMessage,
} from './errors.js';
