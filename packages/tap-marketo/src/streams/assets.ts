/** The collateral and the spend: programs (costs, channel, tags, workspace, Salesforce campaign), emails, landing pages. */
import type { JsonSchema, StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { recordConverter } from './convert.js';
import { assetPages } from './paging.js';
import { ARRAY, BOOLEAN, DATE, DATETIME, INTEGER, OBJECT, TEXT, nullable, objectSchema, type StreamDeps } from './support.js';

const COSTS: JsonSchema = nullable('array', {
  items: { type: 'object', properties: { startDate: DATE, cost: nullable('number'), note: TEXT } },
});

const PROGRAM = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
  url: TEXT,
  type: TEXT,
  channel: TEXT,
  folder: OBJECT,
  status: TEXT,
  workspace: TEXT,
  tags: ARRAY,
  costs: COSTS,
  sfdcId: TEXT,
  sfdcName: TEXT,
  startDate: DATE,
  endDate: DATE,
});

const EMAIL = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
  url: TEXT,
  subject: OBJECT,
  fromName: OBJECT,
  fromEmail: OBJECT,
  replyEmail: OBJECT,
  folder: OBJECT,
  operational: BOOLEAN,
  textOnly: BOOLEAN,
  publishToMSI: BOOLEAN,
  webView: BOOLEAN,
  status: TEXT,
  template: INTEGER,
  workspace: TEXT,
  version: INTEGER,
  preHeader: TEXT,
  autoCopyToText: BOOLEAN,
  isOpenTrackingDisabled: BOOLEAN,
});

const LANDING_PAGE = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
  folder: OBJECT,
  status: TEXT,
  template: INTEGER,
  title: TEXT,
  url: TEXT,
  computedUrl: TEXT,
  workspace: TEXT,
  formPrefill: BOOLEAN,
  mobileEnabled: BOOLEAN,
  robots: TEXT,
  keywords: TEXT,
  customHeadHTML: TEXT,
});

/** A whole Asset API list each run: these lists are small, and a full read also sees deletions. */
function assetStream(name: string, path: string, label: string, schema: JsonSchema, deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name,
    keyProperties: ['id'],
    schema,
    metadata: { label },
    async *records(context) {
      const convert = recordConverter(schema, context.selectedProperties, context.logger);
      for await (const item of assetPages(deps.client, path, context.signal)) yield convert(item);
    },
  };
}

export function programsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return assetStream('programs', 'programs.json', 'Programs, with period costs and the synced Salesforce campaign (sfdcId)', PROGRAM, deps);
}

export function emailsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return assetStream('emails', 'emails.json', 'Emails', EMAIL, deps);
}

export function landingPagesStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return assetStream('landing_pages', 'landingPages.json', 'Landing pages', LANDING_PAGE, deps);
}
