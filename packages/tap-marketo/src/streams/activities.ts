/**
 * Activities through Bulk Extract, in `createdAt` (activity date) windows: one stream with the
 * type id, its primary attribute (named from activity_types) and the attributes as one JSON object,
 * optionally restricted to `activity_types`; or, with `activities_per_type`, one stream per type.
 */
import { ConfigError, type StreamDefinition, type TapRecord } from '@singer-io-ts/sdk';
import { maxExportDays, startDate, type MarketoConfig } from '../config.js';
import type { FileRow } from '../bulk.js';
import { listActivityTypes, type ActivityType } from './activity-types.js';
import { converterFor, toIsoDatetime } from './convert.js';
import { DATETIME, INTEGER, OBJECT, TEXT, objectSchema, type StreamDeps } from './support.js';
import { filterDatetime, resumeFrom, windowedRows } from './windowed.js';

const schema = objectSchema({
  marketoGUID: { type: 'string' },
  leadId: INTEGER,
  activityDate: DATETIME,
  activity_type_id: INTEGER,
  campaignId: INTEGER,
  primary_attribute_value_id: INTEGER,
  primary_attribute_value: TEXT,
  primary_attribute_name: TEXT,
  attributes: OBJECT,
});

/** Type ids named by `activity_types` (ids or names); undefined for every type. */
export function chosenTypeIds(config: MarketoConfig, types: ActivityType[]): number[] | undefined {
  const wanted = config.activity_types;
  if (!wanted || wanted.length === 0) return undefined;
  return wanted.map((item) => {
    const found = types.find((type) => type.id === Number(item) || type.name.toLowerCase() === String(item).toLowerCase());
    if (!found) throw new ConfigError(`activity_types: no activity type ${JSON.stringify(item)} in activities/types.json (known: ${types.map((type) => `${type.id} ${type.name}`).join(', ')})`);
    return found.id;
  });
}

/** `activities_<name>`: lower case, words joined by `_`. */
export function perTypeStreamName(type: ActivityType): string {
  return `activities_${type.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}

function toRecord(row: FileRow, names: ReadonlyMap<number, string>, integer: (value: unknown) => unknown): TapRecord {
  const typeId = integer(row.activityTypeId) as number | null;
  let attributes: unknown = null;
  if (row.attributes) {
    try {
      attributes = JSON.parse(row.attributes) as unknown;
    } catch {
      attributes = { value: row.attributes };
    }
  }
  return {
    marketoGUID: row.marketoGUID,
    leadId: integer(row.leadId),
    activityDate: toIsoDatetime(row.activityDate),
    activity_type_id: typeId,
    campaignId: integer(row.campaignId),
    primary_attribute_value_id: integer(row.primaryAttributeValueId),
    primary_attribute_value: row.primaryAttributeValue,
    primary_attribute_name: typeId === null ? null : (names.get(typeId) ?? null),
    attributes,
  };
}

export function activitiesStream(deps: StreamDeps, only?: ActivityType): StreamDefinition<MarketoConfig> {
  const name = only ? perTypeStreamName(only) : 'activities';
  return {
    name,
    keyProperties: ['marketoGUID'],
    schema,
    replicationKey: 'activityDate',
    isSorted: false,
    metadata: { label: only ? `Activities: ${only.name}` : 'Activities (Bulk Extract)', ...(only ? { 'activity-type-id': only.id } : {}) },
    async *records(context) {
      const { config, logger } = context;
      const types = await listActivityTypes(deps.client);
      const names = new Map(types.map((type) => [type.id, type.primaryAttribute?.name ?? '']));
      for (const [id, value] of names) if (value === '') names.delete(id);
      const ids = only ? [only.id] : chosenTypeIds(config, types);
      const integer = converterFor('activities', INTEGER, logger);
      const rows = windowedRows(
        {
          bulk: deps.bulk,
          type: 'activities',
          stream: name,
          days: maxExportDays(config),
          logger,
          body: (window) => ({
            fields: ['marketoGUID', 'leadId', 'activityDate', 'activityTypeId', 'campaignId', 'primaryAttributeValueId', 'primaryAttributeValue', 'attributes'],
            filter: { createdAt: { startAt: filterDatetime(window.start), endAt: filterDatetime(window.end) }, ...(ids ? { activityTypeIds: ids } : {}) },
          }),
        },
        context,
        resumeFrom(context, startDate(config, name)),
      );
      for await (const row of rows) yield toRecord(row, names, integer);
    },
  };
}
