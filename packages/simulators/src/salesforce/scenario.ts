/**
 * Switches that put the Salesforce simulator into states the real service
 * gets into (expired sessions, exhausted limits, slow queries, odd CSV). The
 * handle's `scenario` object is live: change a field and the next request sees it.
 */
export interface SalesforceScenario {
  /** An access token stops working after this many API calls (401 INVALID_SESSION_ID). Unset: never. */
  tokenLifetimeCalls: number | undefined;
  /** An access token stops working this many wall-clock ms after issue. Unset: never. */
  tokenLifetimeMs: number | undefined;
  /** The refresh_token grant fails with 400 invalid_grant "expired access/refresh token". */
  refreshFails: boolean;
  /** The refresh_token grant returns a new refresh_token and revokes the old one (connected-app rotation). */
  rotateRefreshToken: boolean;
  /** The password grant and SOAP login require password + security token (default true). */
  requireSecurityToken: boolean;
  /** SOAP login answers `<passwordExpired>true</passwordExpired>` (jsforce refuses such a session). */
  passwordExpired: boolean;

  /** Daily API request allowance reported in `Sforce-Limit-Info` and `/limits` (default 100,000). */
  dailyApiLimit: number;
  /** API requests used so far today; counts up with every authenticated REST/Bulk call. Set it to near the limit to test 403s. */
  apiRequestsUsed: number;
  /** More than this many API requests in flight at once → 403 REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit exceeded.". Unset: no limit. */
  maxConcurrentRequests: number | undefined;
  /** Wall-clock delay added to every API request after the limit checks (makes concurrency observable). */
  latencyMs: number;

  /** QUERY_TIMEOUT when the WHERE window on the replication key is wider than this many days (REST 400, Bulk 2.0 job Failed, Bulk 1.0 batch Failed). Unset: never. */
  queryTimeoutDays: number | undefined;
  /** Query locators expire after this much idle wall-clock time (400 INVALID_QUERY_LOCATOR). Default 15 minutes. */
  locatorIdleMs: number;
  /** Open (unfinished) query cursors per org; opening one more releases the oldest. Default 10. */
  maxOpenCursors: number;
  /** Upper bound on REST query page size below the 2,000 Salesforce allows ("may return fewer"). Default 2000. */
  maxQueryBatchSize: number;
  /** Child sub-query rows inlined per parent before a nested nextRecordsUrl appears. Default 200. */
  childBatchSize: number;
  /** ORDER BY that cannot be served from an ordered scan is sorted in memory up to this many rows; beyond → QUERY_TIMEOUT. Default 2000. */
  inMemorySortLimit: number;

  /** Bulk 2.0 rows per results page when the client sends no maxRecords. Default 2000 (small, so paging is exercised). */
  bulkPageSize: number;
  /** Polls that report InProgress before a Bulk job or batch reaches its final state. Default 1. */
  jobPolls: number;
  /** Final state of Bulk 2.0 query jobs (and Bulk 1.0 batches: Failed / NotProcessed for Aborted). Default JobComplete. */
  bulkJobOutcome: 'JobComplete' | 'Failed' | 'Aborted';
  /** errorMessage / stateMessage of jobs made to fail by `bulkJobOutcome`. */
  bulkJobErrorMessage: string;
  /** How Bulk CSV writes null: `""` (quoted) or nothing between delimiters (empty). Default quoted. */
  csvNull: 'quoted' | 'empty';
  /** Integer columns written as `12.0`. */
  csvIntAsDecimal: boolean;
  /** Objects the Bulk APIs reject with INVALIDENTITY / InvalidEntity (describe-only objects always are). */
  bulkUnsupportedObjects: string[];
  /** Bulk 2.0 query jobs allowed per day (400 LIMIT_EXCEEDED beyond). Default 10,000. */
  dailyBulkV2QueryJobs: number;
  /** Bulk 1.0 batches allowed per day. Default 15,000. */
  dailyBulkApiBatches: number;
  /** Bulk 1.0 rows per result file; a batch with more rows lists several result ids. Default 100,000. */
  bulkResultFileRows: number;

  /** Highest API version served (`/services/data/` lists 31.0 up to it). Default 62.0. */
  maxApiVersion: number;
}

export function defaultScenario(): SalesforceScenario {
  return {
    tokenLifetimeCalls: undefined,
    tokenLifetimeMs: undefined,
    refreshFails: false,
    rotateRefreshToken: false,
    requireSecurityToken: true,
    passwordExpired: false,
    dailyApiLimit: 100_000,
    apiRequestsUsed: 0,
    maxConcurrentRequests: undefined,
    latencyMs: 0,
    queryTimeoutDays: undefined,
    locatorIdleMs: 15 * 60_000,
    maxOpenCursors: 10,
    maxQueryBatchSize: 2000,
    childBatchSize: 200,
    inMemorySortLimit: 2000,
    bulkPageSize: 2000,
    jobPolls: 1,
    bulkJobOutcome: 'JobComplete',
    bulkJobErrorMessage: 'InternalServerError : An unexpected error occurred while processing the query.',
    csvNull: 'quoted',
    csvIntAsDecimal: false,
    bulkUnsupportedObjects: [],
    dailyBulkV2QueryJobs: 10_000,
    dailyBulkApiBatches: 15_000,
    bulkResultFileRows: 100_000,
    maxApiVersion: 62,
  };
}

export const MIN_API_VERSION = 31;

const SEASONS = ['Summer', 'Winter', 'Spring'];

/** `Summer '24` style label of an API version (v31.0 was Summer '14, three releases a year). */
export function releaseLabel(version: number): string {
  const i = version - 31;
  return `${SEASONS[i % 3] as string} '${14 + Math.floor((i + 2) / 3)}`;
}
