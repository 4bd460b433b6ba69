/**
 * Leads through Bulk Extract, every field of `leads/describe.json` (custom fields included; fields
 * with only a SOAP name cannot be exported and are left out). Incremental on `updatedAt` when the
 * subscription can filter on it ("Corona"), else on `createdAt`, which misses updates to leads
 * created before the window: the run says so.
 */
import { ConfigError, type JsonSchema, type StreamDefinition } from '@singer-io-ts/sdk';
import { startDate, useCorona, maxExportDays, type MarketoConfig } from '../config.js';
import { CoronaUnavailableError } from '../errors.js';
import type { MarketoClient } from '../client.js';
import type { StartExport } from '../bulk.js';
import { recordConverter } from './convert.js';
import { nullable, objectSchema, type StreamDeps } from './support.js';
import { filterDatetime, resumeFrom, windowedRows } from './windowed.js';

export interface LeadField {
  id?: number;
  displayName?: string;
  dataType: string;
  length?: number;
  rest?: { name: string; readOnly?: boolean };
  soap?: { name: string };
}

export async function describeLeads(client: MarketoClient): Promise<LeadField[]> {
  const body = await client.get<LeadField>(`${client.restUrl}/v1/leads/describe.json`, {}, { endpoint: 'leads/describe' });
  return body.result ?? [];
}

/** JSON Schema of a lead field from its describe `dataType`. */
export function leadFieldSchema(field: LeadField): JsonSchema {
  switch (field.dataType) {
    case 'integer':
    case 'score':
      return field.rest?.name === 'id' ? { type: 'integer' } : nullable('integer');
    case 'float':
    case 'currency':
    case 'percent':
      return nullable('number');
    case 'boolean':
      return nullable('boolean');
    case 'datetime':
      return nullable('string', { format: 'date-time' });
    case 'date':
      return nullable('string', { format: 'date' });
    default:
      // string, text, email, phone, url, textarea, reference and types a later API adds: text keeps the value.
      return nullable('string');
  }
}

export function leadsStream(fields: LeadField[], deps: StreamDeps): StreamDefinition<MarketoConfig> {
  const exportable = fields.filter((field): field is LeadField & { rest: { name: string } } => typeof field.rest?.name === 'string');
  const properties: Record<string, JsonSchema> = {};
  for (const field of exportable) properties[field.rest.name] = leadFieldSchema(field);
  const skipped = fields.filter((field) => !field.rest).map((field) => field.soap?.name ?? field.displayName ?? String(field.id));
  const keys = ['updatedAt', 'createdAt'].filter((key) => key in properties);
  return {
    name: 'leads',
    keyProperties: ['id'],
    schema: objectSchema(properties),
    ...(keys[0] ? { replicationKey: keys[0], validReplicationKeys: keys } : {}),
    isSorted: false,
    metadata: { label: 'Leads (Bulk Extract)', ...(skipped.length ? { 'fields-without-rest-name': skipped } : {}) },
    propertyMetadata: Object.fromEntries(exportable.map((field) => [field.rest.name, { label: field.displayName ?? field.rest.name, 'marketo-data-type': field.dataType }])),
    async *records(context) {
      const { config, logger } = context;
      const selected = exportable.map((field) => field.rest.name).filter((name) => context.selectedProperties.has(name));
      const convert = recordConverter(objectSchema(properties), context.selectedProperties, logger);
      const wanted = context.replicationKey ?? 'updatedAt';
      let filterOn: 'updatedAt' | 'createdAt' = wanted === 'createdAt' ? 'createdAt' : useCorona(config) === false ? 'createdAt' : 'updatedAt';
      const warnNoCorona = () =>
        logger.warn('leads are exported on createdAt: this subscription cannot filter exports on updatedAt (no "Corona"), so changes to leads created before each window are missed; a full resync (no state) picks them up');
      if (filterOn === 'createdAt' && wanted !== 'createdAt') warnNoCorona();
      const start: StartExport = async (unit) => {
        try {
          return await deps.bulk.start({ ...unit, body: { ...unit.body, filter: { [filterOn]: unit.body.filter[filterOn] ?? unit.body.filter.updatedAt } } }, context.signal);
        } catch (error) {
          if (!(error instanceof CoronaUnavailableError) || filterOn !== 'updatedAt') throw error;
          if (useCorona(config) === true) throw new ConfigError(`use_corona is true, but this subscription cannot filter lead exports on updatedAt (${error.message}); set use_corona to "auto" or false`, { cause: error });
          filterOn = 'createdAt';
          warnNoCorona();
          return deps.bulk.start({ ...unit, body: { ...unit.body, filter: { createdAt: unit.body.filter.updatedAt } } }, context.signal);
        }
      };
      const from = resumeFrom(context, startDate(config, 'leads'));
      const rows = windowedRows(
        {
          bulk: deps.bulk,
          type: 'leads',
          stream: 'leads',
          days: maxExportDays(config),
          logger,
          start,
          body: (window) => {
            const range = { startAt: filterDatetime(window.start), endAt: filterDatetime(window.end) };
            return { fields: selected, filter: { [filterOn]: range } };
          },
        },
        context,
        from,
      );
      for await (const row of rows) yield convert(row);
    },
  };
}
