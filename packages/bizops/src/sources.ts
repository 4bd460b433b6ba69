/**
 * The sources bizops knows how to extract, as data: adding a source is adding an entry here.
 * Each is a published tap package whose bin is piped into target-postgres.
 */
export interface SourceDefinition {
  /** Pipeline name, also the default Postgres schema. */
  name: string;
  tapPackage: string;
  tapBin: string;
  /** Environment variables (the origin document's CI variables and friends) → tap config key. */
  envAliases: Record<string, string>;
  /** Config keys whose presence means "credentials configured" for this source. */
  credentialKeys: string[];
  /** Config every run of this source gets unless the user's config says otherwise. */
  defaults: Record<string, unknown>;
  /** Scenario switches the demo sets on this source's simulator so a demo run is quick. */
  demoScenario?: Record<string, unknown>;
  /** Tap settings of the demo run, matching `demoScenario`. */
  demoConfig?: Record<string, unknown>;
}

/** The Salesforce objects the metrics read; discovering only these keeps a run short. */
export const SALESFORCE_OBJECTS = ['Account', 'Contact', 'Lead', 'Opportunity', 'OpportunityContactRole', 'Campaign', 'CampaignMember', 'User'];

export const SOURCES: readonly SourceDefinition[] = [
  {
    name: 'salesforce',
    tapPackage: '@singer-io-ts/tap-salesforce',
    tapBin: 'tap-salesforce',
    envAliases: { SFDC_URL: 'login_url', SFDC_USERNAME: 'username', SFDC_PASSWORD: 'password', SFDC_SECURITY_TOKEN: 'security_token', SFDC_CLIENT_ID: 'client_id', SFDC_CLIENT_SECRET: 'client_secret', SFDC_REFRESH_TOKEN: 'refresh_token' },
    credentialKeys: ['username', 'refresh_token', 'client_id', 'private_key'],
    defaults: { streams_to_discover: SALESFORCE_OBJECTS },
  },
  {
    name: 'zuora',
    tapPackage: '@singer-io-ts/tap-zuora',
    tapBin: 'tap-zuora',
    envAliases: { ZUORA_URL: 'base_url', ZUORA_USERNAME: 'username', ZUORA_PASSWORD: 'password', ZUORA_CLIENT_ID: 'client_id', ZUORA_CLIENT_SECRET: 'client_secret' },
    credentialKeys: ['username', 'client_id'],
    defaults: {},
  },
  {
    name: 'marketo',
    tapPackage: '@singer-io-ts/tap-marketo',
    tapBin: 'tap-marketo',
    envAliases: { MARKETO_ENDPOINT: 'endpoint', MARKETO_IDENTITY: 'identity', MARKETO_CLIENT_ID: 'client_id', MARKETO_CLIENT_SECRET: 'client_secret', MARKETO_MUNCHKIN_ID: 'munchkin_id' },
    credentialKeys: ['client_id'],
    defaults: {},
    // The real bulk export advances every 60 s and allows 100 calls per 20 s; a local demo
    // cannot wait minutes per export window, so its simulator is faster and the tap polls to match.
    demoScenario: { bulkStatusCadenceMs: 200, rateLimitCalls: 1000 },
    demoConfig: { export_poll_interval_ms: 100, export_poll_max_ms: 400, rate_limit_calls: 1000 },
  },
];

export function sourceNamed(name: string): SourceDefinition | undefined {
  return SOURCES.find((source) => source.name === name);
}
