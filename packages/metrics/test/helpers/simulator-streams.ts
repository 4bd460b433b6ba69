/**
 * Turns the simulators' tables into the raw streams the taps emit, under the naming contract:
 * Salesforce and Zuora streams named like their objects, Marketo's like its REST resources with
 * the activity columns the tap renames (activity_type_id, primary_attribute_value_id,
 * primary_attribute_value), datetimes as ISO strings, deleted Salesforce rows with IsDeleted
 * (queryAll) and deleted Marketo leads both as the lead row they were and in deleted_leads.
 */
import { DELETED, type Company, type FieldDef, type SystemName } from '@singer-io-ts/simulators';
import type { JsonType, RawStream } from './load-raw.js';

export const SOURCE_TABLES: Record<SystemName, string[]> = {
  salesforce: ['Account', 'Contact', 'Lead', 'Opportunity', 'OpportunityContactRole', 'Campaign', 'CampaignMember'],
  zuora: ['Account', 'Subscription', 'RatePlan', 'RatePlanCharge'],
  marketo: ['leads', 'activities', 'activity_types', 'programs', 'program_members', 'campaigns', 'emails', 'landing_pages'],
};

const MARKETO_RENAMES: Record<string, string> = {
  activityTypeId: 'activity_type_id',
  primaryAttributeValueId: 'primary_attribute_value_id',
  primaryAttributeValue: 'primary_attribute_value',
};

function jsonType(system: SystemName, field: FieldDef): JsonType | undefined {
  const t = field.type;
  if (system === 'salesforce' && (t === 'address' || t === 'location')) return undefined; // compounds: their components are fields
  if (t === 'boolean') return 'boolean';
  if (t === 'int' || t === 'integer') return 'integer';
  if (['double', 'currency', 'percent', 'decimal', 'float', 'score'].includes(t)) return 'number';
  if (t === 'date') return 'date';
  if (t === 'datetime' || t === 'timestamp') return 'date-time';
  if (t === 'object') return 'object';
  if (t === 'array') return 'array';
  return 'string';
}

export function simulatorStreams(company: Company, system: SystemName, asOf: number): RawStream[] {
  const streams: RawStream[] = [];
  for (const name of SOURCE_TABLES[system]) {
    const table = company.table(system, name);
    if (!table) throw new Error(`the simulator has no ${system} table ${name}`);
    const rename = (field: string): string => (system === 'marketo' ? (MARKETO_RENAMES[field] ?? field) : field);
    const fields = table.fields.filter((f) => f.restName !== null).map((f) => ({ field: f, type: jsonType(system, f) }));
    const typeOf = new Map(fields.filter((f) => f.type !== undefined).map((f) => [f.field.name, f.type!]));
    const properties = Object.fromEntries([...typeOf].map(([field, type]) => [rename(field), type]));
    const deleted: Record<string, unknown>[] = [];
    const rows: Record<string, unknown>[] = [];
    for (const row of table.scan({ asOf, includeDeleted: system === 'salesforce' || name === 'leads' })) {
      const record: Record<string, unknown> = {};
      for (const [field, type] of typeOf) {
        const value = row[field];
        record[rename(field)] = type === 'date-time' && typeof value === 'number' ? new Date(value).toISOString() : value;
      }
      rows.push(record);
      if (system === 'marketo' && row[DELETED]) deleted.push({ id: row.id, deletedAt: new Date(Number(row.updatedAt ?? asOf)).toISOString() });
    }
    streams.push({ name, key: [rename(table.key)], properties, rows });
    if (system === 'marketo' && name === 'leads') streams.push({ name: 'deleted_leads', key: ['id'], properties: { id: 'integer', deletedAt: 'date-time' }, rows: deleted });
  }
  return streams;
}
