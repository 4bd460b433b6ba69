import { readPackageVersion, runTapCli, Tap, type Logger, type StreamDefinition, type StreamsOptions } from '@singer-io-ts/sdk';
import { BulkExtract } from './bulk.js';
import { MarketoClient, type ClientOptions } from './client.js';
import { loadConfigSchema, maxDailyExportBytes, maxExportDays, pollSettings, type MarketoConfig } from './config.js';
import { activitiesStream } from './streams/activities.js';
import { activityTypesStream, listActivityTypes } from './streams/activity-types.js';
import { campaignsStream } from './streams/campaigns.js';
import { deletedLeadsStream } from './streams/deleted-leads.js';
import { emailsStream } from './streams/emails.js';
import { landingPagesStream } from './streams/landing-pages.js';
import { listsStream } from './streams/lists.js';
import { programsStream } from './streams/programs.js';
import { describeLeads, leadsStream } from './streams/leads.js';
import { programMembersStream } from './streams/program-members.js';
import type { StreamDeps } from './streams/support.js';

export type { MarketoConfig } from './config.js';
export { MarketoClient } from './client.js';
export { BulkExtract } from './bulk.js';

export interface TapMarketoOptions {
  client?: ClientOptions;
}

export class TapMarketo extends Tap<MarketoConfig> {
  readonly name = 'tap-marketo';
  readonly version = readPackageVersion(import.meta.url);
  override readonly description = 'Extracts Marketo leads, activities, programs with their costs, members, campaigns and collateral through the REST and Bulk Extract APIs, within the subscription\'s limits';
  readonly configSchema = loadConfigSchema();
  readonly #options: TapMarketoOptions;

  constructor(options: TapMarketoOptions = {}) {
    super();
    this.#options = options;
  }

  /** A client with a token and its own budget: each run (discovery, sync) counts its own calls. */
  async deps(config: MarketoConfig, logger: Logger): Promise<StreamDeps> {
    maxExportDays(config);
    const client = await MarketoClient.connect(config, logger, this.#options.client);
    const bulk = new BulkExtract(client, { poll: pollSettings(config), logger, maxDailyBytes: maxDailyExportBytes(config) });
    return { client, bulk };
  }

  async streams(config: MarketoConfig, { logger }: StreamsOptions): Promise<StreamDefinition<MarketoConfig>[]> {
    const deps = await this.deps(config, logger);
    const leadFields = await describeLeads(deps.client);
    const streams = [
      leadsStream(leadFields, deps),
      activitiesStream(deps),
      activityTypesStream(deps),
      programsStream(deps),
      programMembersStream(deps),
      campaignsStream(deps),
      listsStream(deps),
      emailsStream(deps),
      landingPagesStream(deps),
      deletedLeadsStream(deps),
    ];
    if (config.activities_per_type) {
      for (const type of await listActivityTypes(deps.client)) streams.push(activitiesStream(deps, type));
    }
    return streams;
  }

  override async testConnection(config: MarketoConfig, { logger }: StreamsOptions): Promise<string> {
    const { client } = await this.deps(config, logger);
    const fields = await describeLeads(client);
    return `${client.restUrl}: ${fields.length} lead fields, ${client.quota.used} API calls used today`;
  }
}

export async function main(): Promise<void> {
  await runTapCli(new TapMarketo());
}
