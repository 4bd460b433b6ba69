/** Deleted leads, from the "Delete Lead" activities. */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import { startDate, type MarketoConfig } from '../config.js';
import { recordConverter, toIsoDatetime } from './convert.js';
import { activityPages } from './paging.js';
import { DATETIME, INTEGER, OBJECT, TEXT, objectSchema, type StreamDeps } from './support.js';

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
