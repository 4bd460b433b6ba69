/** Org limits: the daily API counter behind `Sforce-Limit-Info` and `/limits`, concurrency, bulk quotas. */
import type { SalesforceScenario } from './scenario.js';

export class Limits {
  inFlight = 0;
  bulkV2QueryJobs = 0;
  bulkApiBatches = 0;

  constructor(readonly scenario: SalesforceScenario) {}

  /** `api-usage=<used>/<limit>` exactly (singer tap-salesforce anchors its regex on it). */
  header(): string {
    return `api-usage=${this.scenario.apiRequestsUsed}/${this.scenario.dailyApiLimit}`;
  }

  exhausted(): boolean {
    return this.scenario.apiRequestsUsed >= this.scenario.dailyApiLimit;
  }

  count(): void {
    this.scenario.apiRequestsUsed += 1;
  }

  body(): Record<string, { Max: number; Remaining: number }> {
    const { scenario } = this;
    const entry = (max: number, used = 0): { Max: number; Remaining: number } => ({ Max: max, Remaining: Math.max(0, max - used) });
    return {
      ActiveScratchOrgs: entry(3),
      AnalyticsExternalDataSizeMB: entry(40960),
      ConcurrentAsyncGetReportInstances: entry(200),
      ConcurrentEinsteinDataInsightsStoryCreation: entry(5),
      ConcurrentSyncReportRuns: entry(20),
      DailyAnalyticsDataflowJobExecutions: entry(60),
      DailyApiRequests: entry(scenario.dailyApiLimit, scenario.apiRequestsUsed),
      DailyAsyncApexExecutions: entry(250000),
      DailyAsyncApexTests: entry(500),
      DailyBulkApiBatches: entry(scenario.dailyBulkApiBatches, this.bulkApiBatches),
      DailyBulkApiRequests: entry(scenario.dailyBulkApiBatches, this.bulkApiBatches),
      DailyBulkV2QueryFileStorageMB: entry(976562),
      DailyBulkV2QueryJobs: entry(scenario.dailyBulkV2QueryJobs, this.bulkV2QueryJobs),
      DailyDurableGenericStreamingApiEvents: entry(10000),
      DailyDurableStreamingApiEvents: entry(10000),
      DailyGenericStreamingApiEvents: entry(10000),
      DailyStandardVolumePlatformEvents: entry(10000),
      DailyStreamingApiEvents: entry(10000),
      DailyWorkflowEmails: entry(2000),
      DataStorageMB: entry(1024, 120),
      FileStorageMB: entry(4096, 310),
      HourlyAsyncReportRuns: entry(1200),
      HourlyDashboardRefreshes: entry(200),
      HourlyDashboardResults: entry(5000),
      HourlyDashboardStatuses: entry(999999999),
      HourlyODataCallout: entry(10000),
      HourlyPublishedPlatformEvents: entry(50000),
      HourlyPublishedStandardVolumePlatformEvents: entry(50000),
      HourlySyncReportRuns: entry(500),
      HourlyTimeBasedWorkflow: entry(1000),
      MassEmail: entry(5000),
      MonthlyPlatformEventsUsageEntitlement: entry(0),
      Package2VersionCreates: entry(6),
      PermissionSets: entry(1500),
      SingleEmail: entry(5000),
      StreamingApiConcurrentClients: entry(2000),
    };
  }
}
