/**
 * Live switches of the Marketo simulator. Every field can be changed on
 * `handle.scenario` while the server runs; defaults are the real service's
 * documented limits, so a test only sets what it wants to provoke.
 */
export interface MarketoScenario {
  /** Credentials the identity endpoint accepts. */
  clientId: string;
  clientSecret: string;
  /** Lifetime of a new access token (real: 3600 s). `expires_in` counts down from it. */
  tokenLifetimeMs: number;
  /** A token expires (602) after this many authenticated calls; Infinity: never by count. */
  tokenLifetimeCalls: number;
  /** Reject the `access_token` query parameter (Marketo is removing it): such calls get 600 as if no token was sent. */
  rejectQueryToken: boolean;

  /** Calls admitted per rate window before 606 (real: 100). */
  rateLimitCalls: number;
  /** Rate window length (real: 20 s); shorten it so a test can wait it out. */
  rateWindowMs: number;
  /** Calls per day (US Central) before 607 (real default: 50,000). */
  dailyQuota: number;
  /** Concurrent calls before 615 (real: 10). */
  maxConcurrent: number;
  /** Server-side latency added to every admitted API call (makes concurrency observable). */
  latencyMs: number;
  /** Request-URI length above which the front end answers 414 (real: 8 KB). */
  maxUriBytes: number;
  /** Request body size above which the front end answers 413 (real: 1 MB). */
  maxBodyBytes: number;

  /** Rows an `activities.json`/`deletedleads.json` page examines; a slice without matches is a page without `result` (moreResult true). */
  activityScanWindow: number;
  /** Every Nth activities page comes back without `result` while moreResult stays true (0: only when a slice is empty). */
  emptyActivityPageEvery: number;
  /** Position tokens of campaigns.json/lists.json expire this long after they were issued (unverified: ~1 h). */
  positionTokenTtlMs: number;
  /** Error code for an expired or malformed nextPageToken (unverified). */
  expiredTokenCode: string;
  /** Asset API end of data: `result` key absent (real) or `[]` (tap-marketo's fixture). */
  noAssetsResult: 'absent' | 'empty';

  /** Bulk job status only changes on ticks of this cadence (real: about 60 s). */
  bulkStatusCadenceMs: number;
  /** Ticks a job spends in Processing before it can complete (the file pass must also be done). */
  bulkProcessingTicks: number;
  /** Jobs processing at once (real: 2). */
  maxProcessingJobs: number;
  /** Jobs queued, processing included, before enqueue answers 1029 (real: 10). */
  maxQueuedJobs: number;
  /** Bytes of export files per day (US Central) before create/enqueue answer 1029 (real: 500 MB). */
  exportDailyQuotaBytes: number;
  /** Days a completed file stays downloadable; after that the file endpoint answers 404 (real: 7). */
  exportRetentionDays: number;
  /** Widest createdAt/updatedAt filter range in days (real: 31). */
  maxFilterDays: number;
  /** Code for a filter range that is too wide (unverified). */
  wideRangeCode: string;
  /** Reject filter datetimes with milliseconds (docs say "without milliseconds"; server behaviour unverified). */
  rejectMilliseconds: boolean;
  /** Subscription has "Corona": the leads `updatedAt` filter works; false → create answers 1035. */
  corona: boolean;
  /** The next N creates answer success with a bogus job (exportId "null", status `badCreateStatus`) that is not stored. */
  badCreates: number;
  badCreateStatus: string;
  /** The next N jobs to finish processing end Failed with `errorMsg`. */
  failJobs: number;
  /** Prefix of `fileChecksum` before the hex sha-256 (unverified format). */
  checksumPrefix: string;

  /** Share of null cells written as the literal text `null` instead of nothing (deterministic per cell). */
  csvNullLiteralRatio: number;
  /** Share of non-empty text cells that carry a NUL byte (tap-marketo strips `\0`). */
  csvNulRatio: number;
  /** Line ending of bulk files. Embedded line breaks inside values are kept as the data has them. */
  csvLineEnding: '\n' | '\r\n';
}

export const DEFAULT_SCENARIO: MarketoScenario = {
  clientId: 'sim-marketo-client-id',
  clientSecret: 'sim-marketo-client-secret',
  tokenLifetimeMs: 3_600_000,
  tokenLifetimeCalls: Infinity,
  rejectQueryToken: false,
  rateLimitCalls: 100,
  rateWindowMs: 20_000,
  dailyQuota: 50_000,
  maxConcurrent: 10,
  latencyMs: 0,
  maxUriBytes: 8_192,
  maxBodyBytes: 1_048_576,
  activityScanWindow: 3_000,
  emptyActivityPageEvery: 0,
  positionTokenTtlMs: 3_600_000,
  expiredTokenCode: '1003',
  noAssetsResult: 'absent',
  bulkStatusCadenceMs: 60_000,
  bulkProcessingTicks: 1,
  maxProcessingJobs: 2,
  maxQueuedJobs: 10,
  exportDailyQuotaBytes: 500 * 1_048_576,
  exportRetentionDays: 7,
  maxFilterDays: 31,
  wideRangeCode: '1003',
  rejectMilliseconds: false,
  corona: true,
  badCreates: 0,
  badCreateStatus: 'Failed',
  failJobs: 0,
  checksumPrefix: 'sha256:',
  csvNullLiteralRatio: 0.2,
  csvNulRatio: 0.002,
  csvLineEnding: '\n',
};
