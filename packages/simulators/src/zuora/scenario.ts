/**
 * Live switches of the Zuora simulator. Every field can be changed on
 * `handle.scenario` while the server runs; defaults are the real service's
 * documented limits, so a test only sets what it wants to provoke. Job
 * switches (`jobPolls`, `jobOutcome`, `jobsNeverComplete`, `maxWindowDays`,
 * `segmentRows`, `truncateFiles`, ...) are read when a job is submitted, so a
 * change affects the next job, not the ones already running.
 */
export interface ZuoraScenario {
  /** OAuth client the token endpoint accepts. */
  clientId: string;
  clientSecret: string;
  /** Legacy `apiAccessKeyId`/`apiSecretAccessKey` header credentials. */
  username: string;
  password: string;
  /** Accept the legacy headers at all (tap-zuora BASIC mode). */
  basicAuth: boolean;
  /** Wall-clock lifetime of a token; `expires_in` reports it in seconds (real: 3599 s). */
  tokenLifetimeMs: number;
  /** Authenticated calls a token serves before it expires; Infinity: never by count. */
  tokenLifetimeCalls: number;
  /**
   * Body of the 401 for an expired or unknown bearer token (exact real body unverified):
   * 'gateway' → `{"message":"Authentication error"}`; 'v1' → the v1 envelope with code 90000011.
   */
  authErrorBody: 'gateway' | 'v1';
  /** `/oauth/token` calls admitted per `oauthWindowMs` before 429 (real: 100 per IP per minute). */
  oauthRateLimit: number;
  oauthWindowMs: number;

  /** API calls admitted per `rateLimitWindowMs` before 429 with RateLimit-* headers (real: 50,000 per minute). */
  rateLimit: number;
  rateLimitWindowMs: number;
  /** Active jobs (AQuA submitted/executing plus exports Pending/Processing) at which a new submit gets 429 (real: 50 exports). */
  maxConcurrentJobs: number;
  /** Seconds advertised in `Retry-After` on a concurrency 429 (real: 120). */
  concurrencyRetryAfterSeconds: number;

  /** Status polls a job answers as not finished before it completes (0: the first poll sees it done). */
  jobPolls: number;
  /** Wall-clock ms after which a job is done even without polls (0: only polls move it). */
  jobDurationMs: number;
  /** How jobs end: AQuA job status (exports map error/aborted → Failed, cancelled → Cancelled). */
  jobOutcome: 'completed' | 'error' | 'aborted' | 'cancelled';
  /** Failure text in batch/job `message` (AQuA) and `StatusReason` (export) when a job does not complete. */
  jobFailureMessage: string;
  /** Jobs never leave executing/Processing: the tap's own timeout must fire. */
  jobsNeverComplete: boolean;
  /**
   * Export time limit: a job whose UpdatedDate window (where bounds, session start and asOf; the company's
   * start when unbounded) is wider than this many days fails (or hangs, see `windowLimitAction`).
   */
  maxWindowDays: number;
  windowLimitAction: 'fail' | 'hang';
  /** AQuA File Segmentation: a batch with more rows than this returns `segments` instead of `fileId` (0: off). */
  segmentRows: number;
  /** Wall-clock ms a result file stays downloadable; then 404 (real: 7 days for exports). */
  fileTtlMs: number;
  /** Files produced from now on stop after half their rows with a short (non-rectangular) row. */
  truncateFiles: boolean;
  /** Put a NUL byte into the first text value of every Nth data row (0: only the NULs the data has). */
  nulEvery: number;
  /**
   * Objects whose AQuA export cannot include deleted rows (90017). Default none: the real service supports
   * deleted-record export for every object the dataset has (tap-zuora's exceptions are objects like
   * AccountingPeriod or ProcessedUsage); a table that never deletes just reports no deleted rows.
   */
  noDeletedSupport: string[];
  /** Objects describe lists but no export can read (AQuA 90005, export 400 noSuchDataSource). */
  unavailableObjects: string[];
  /**
   * `Object.Field` → WSDL version that introduced it. When a request sends a lower
   * `X-Zuora-WSDL-Version`, describe omits the field and queries naming it fail as unknown.
   */
  fieldWsdlVersions: Record<string, number>;
  /** Tenant time zone: AQuA/export datetimes carry its offset, `incrementalTime` and zone-less ZOQL literals are read in it. */
  timeZone: string;
}

export function defaultScenario(): ZuoraScenario {
  return {
    clientId: 'sim-zuora-client',
    clientSecret: 'sim-zuora-secret',
    username: 'sim-zuora@example.com',
    password: 'sim-zuora-password',
    basicAuth: true,
    tokenLifetimeMs: 3_599_000,
    tokenLifetimeCalls: Infinity,
    authErrorBody: 'gateway',
    oauthRateLimit: 100,
    oauthWindowMs: 60_000,
    rateLimit: 50_000,
    rateLimitWindowMs: 60_000,
    maxConcurrentJobs: 50,
    concurrencyRetryAfterSeconds: 120,
    jobPolls: 1,
    jobDurationMs: 0,
    jobOutcome: 'completed',
    jobFailureMessage: 'Execution aborted: an internal error occurred while running the query',
    jobsNeverComplete: false,
    maxWindowDays: Infinity,
    windowLimitAction: 'fail',
    segmentRows: 0,
    fileTtlMs: 7 * 86_400_000,
    truncateFiles: false,
    nulEvery: 0,
    noDeletedSupport: [],
    // Modules a tenant without Zuora Finance/Revenue sees in describe but cannot export.
    unavailableObjects: ['JournalEntry', 'RevenueSchedule'],
    fieldWsdlVersions: {},
    timeZone: 'America/Los_Angeles',
  };
}
