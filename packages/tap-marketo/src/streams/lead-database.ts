/** Smart campaigns (batch, trigger and drip types), static lists, deleted leads. */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import { startDate, type MarketoConfig } from '../config.js';
import { recordConverter, toIsoDatetime } from './convert.js';
import { activityPages, tokenPages } from './paging.js';
import { BOOLEAN, DATETIME, INTEGER, OBJECT, TEXT, objectSchema, type StreamDeps } from './support.js';

const CAMPAIGN = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  type: TEXT,
  isTrigger: BOOLEAN,
  isRequestable: BOOLEAN,
  isActive: BOOLEAN,
  active: BOOLEAN,
  programId: INTEGER,
  programName: TEXT,
  workspaceName: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
});

const LIST = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  programName: TEXT,
  workspaceName: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
});

const DELETED_LEAD = objectSchema({
  id: { type: 'integer' },
  deletedAt: DATETIME,
  marketoGUID: TEXT,
  activityTypeId: INTEGER,
  campaignId: INTEGER,
  primaryAttributeValueId: INTEGER,
  primaryAttributeValue: TEXT,
  attributes: OBJECT,
});

export function campaignsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name: 'campaigns',
    keyProperties: ['id'],
    schema: CAMPAIGN,
    metadata: { label: 'Smart campaigns' },
    async *records(context) {
      const convert = recordConverter(CAMPAIGN, context.selectedProperties, context.logger);
      for await (const item of tokenPages(deps.client, 'campaigns.json', context.signal)) yield convert(item);
    },
  };
}

export function listsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name: 'lists',
    keyProperties: ['id'],
    schema: LIST,
    metadata: { label: 'Static lists' },
    async *records(context) {
      const convert = recordConverter(LIST, context.selectedProperties, context.logger);
      for await (const item of tokenPages(deps.client, 'lists.json', context.signal)) yield convert(item);
    },
  };
}

/** Activity attributes over REST are `[{name, value}]`: one object keyed by name, as the export has them. */
function attributesObject(value: unknown): Record<string, unknown> | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  return Object.fromEntries((value as Array<{ name?: unknown; value?: unknown }>).filter((item) => typeof item?.name === 'string').map((item) => [item.name as string, item.value ?? null]));
}

/** `activities/deletedleads.json`: the "Delete Lead" activities since the bookmark, one per deleted lead. */
export function deletedLeadsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name: 'deleted_leads',
    keyProperties: ['id'],
    schema: DELETED_LEAD,
    replicationKey: 'deletedAt',
    // Pages come in time order, but nothing documents that ties or late writes keep it: the
    // bookmark moves when the (small) stream is read whole rather than fail a run on disorder.
    isSorted: false,
    metadata: { label: 'Deleted leads' },
    async *records(context) {
      const convert = recordConverter(DELETED_LEAD, context.selectedProperties, context.logger);
      const since = typeof context.startingValue === 'string' ? context.startingValue : startDate(context.config, 'deleted_leads');
      for await (const item of activityPages(deps.client, 'activities/deletedleads.json', since, context.signal)) {
        yield convert({ ...item, id: item.leadId, deletedAt: toIsoDatetime(item.activityDate), attributes: attributesObject(item.attributes) });
      }
    },
  };
}
