/**
 * A small hand-made Marketo company for the Marketo server tests: every table
 * the server reads, with the awkward values the wire formats must carry
 * (SOAP-only fields, nulls, commas, quotes, newlines, percent decimals,
 * deleted leads), small enough to reason about row by row.
 */
import { SimClock } from '../../src/core/clock.js';
import type { Simulation } from '../../src/core/simulation.js';
import { companyOf } from './fixture-company.js';
import { DELETED, type Company, type FieldDef, type Millis, type Row, type ScanOptions, type ScannedRow, type Table } from '../../src/dataset/types.js';

export const ASOF = Date.UTC(2024, 5, 30, 12, 0, 0);
export const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

interface Spec {
  name: string;
  fields: FieldDef[];
  key: string;
  replicationKey: string | null;
  createdKey: string | null;
  rows: Row[];
  /** key → deletion instant */
  deletedAt?: Map<unknown, Millis>;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function arrayTable(spec: Spec): Table {
  const visibleAt = (row: Row): Millis => Number(row[spec.createdKey ?? spec.replicationKey ?? ''] ?? 0);
  const version = (row: Row, asOf: Millis, includeDeleted: boolean): ScannedRow | undefined => {
    if (visibleAt(row) > asOf) return undefined;
    const deletedAt = spec.deletedAt?.get(row[spec.key]);
    if (deletedAt !== undefined && deletedAt <= asOf) {
      if (!includeDeleted) return undefined;
      const out: ScannedRow = { ...row, [DELETED]: true };
      if (spec.replicationKey) out[spec.replicationKey] = deletedAt;
      return out;
    }
    return row;
  };
  function* scan(options: ScanOptions): Generator<ScannedRow> {
    const rows: ScannedRow[] = [];
    for (const row of spec.rows) {
      const v = version(row, options.asOf, options.includeDeleted ?? false);
      if (!v) continue;
      if (spec.replicationKey) {
        const at = Number(v[spec.replicationKey]);
        if (options.from !== undefined && at < options.from) continue;
        if (options.to !== undefined && at >= options.to) continue;
      }
      if (options.order === 'key' && options.afterKey !== undefined && compareKeys(v[spec.key], options.afterKey) <= 0) continue;
      rows.push(v);
    }
    const rk = spec.replicationKey;
    rows.sort((a, b) =>
      options.order === 'key' || !rk ? compareKeys(a[spec.key], b[spec.key]) : Number(a[rk]) - Number(b[rk]) || compareKeys(a[spec.key], b[spec.key]),
    );
    yield* rows;
  }
  return {
    system: 'marketo',
    name: spec.name,
    label: spec.name,
    fields: spec.fields,
    key: spec.key,
    replicationKey: spec.replicationKey,
    createdKey: spec.createdKey,
    deletes: spec.deletedAt !== undefined,
    scan,
    count: (options) => [...scan(options)].length,
    get(key, options) {
      const row = spec.rows.find((r) => r[spec.key] === key);
      return row ? version(row, options.asOf, options.includeDeleted ?? false) : undefined;
    },
  };
}

const f = (name: string, type: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, label, ...extra });

export const LEAD_COUNT = 60;
export const DELETED_LEADS = [5, 10, 15];
/** Activities per type and per lead: leads × types × 3. */
export const ACTIVITY_TYPES = [6, 7, 10, 11, 12];

export function fixtureCompany(): Company {
  const leadFields = [
    f('id', 'integer', 'Id'),
    f('email', 'email', 'Email Address', { length: 255 }),
    f('firstName', 'string', 'First Name', { length: 255 }),
    f('lastName', 'string', 'Last Name', { length: 255 }),
    f('company', 'string', 'Company Name', { length: 255 }),
    f('notes', 'textarea', 'Notes'),
    f('leadScore', 'score', 'Lead Score'),
    f('pctEngaged', 'percent', 'Percent Engaged'),
    f('isCustomer', 'boolean', 'Is Customer'),
    f('sfdcLeadId', 'string', 'SFDC Lead Id', { length: 18 }),
    f('acquisitionProgramId', 'reference', 'Acquisition Program Id'),
    f('legacyScore', 'integer', 'Legacy SOAP-only score', { restName: null, soapName: 'LegacyScore' }),
    f('createdAt', 'datetime', 'Created At'),
    f('updatedAt', 'datetime', 'Updated At'),
  ];
  const leads: Row[] = [];
  for (let id = 1; id <= LEAD_COUNT; id += 1) {
    const createdAt = START + id * 2 * DAY + id * 1_000;
    leads.push({
      id,
      email: id % 7 === 0 ? null : `person${id}@example.com`,
      firstName: `First${id}`,
      lastName: id % 9 === 0 ? "O'Brien, Jr." : `Last${id}`,
      company: id % 4 === 0 ? 'Acme, "The" Company' : `Company ${id}`,
      notes: id % 3 === 0 ? `line one\nline two for ${id}` : id % 5 === 0 ? '' : null,
      leadScore: id * 3,
      pctEngaged: id % 2 === 0 ? id + 0.5 : id,
      isCustomer: id % 6 === 0,
      sfdcLeadId: `00Q000000000${String(id).padStart(3, '0')}AAA`,
      acquisitionProgramId: 1000 + (id % 10),
      legacyScore: id,
      createdAt,
      updatedAt: createdAt + 3 * DAY,
    });
  }
  // Two leads are created after the present: they appear when the simulation clock moves on.
  for (const row of leads.slice(-2)) {
    row.createdAt = ASOF + DAY;
    row.updatedAt = ASOF + DAY;
  }
  const deletedAt = new Map<unknown, Millis>(DELETED_LEADS.map((id) => [id, ASOF - (20 - id) * DAY]));


  const activityFields = [
    f('id', 'integer', 'Id'),
    f('marketoGUID', 'string', 'Marketo GUID'),
    f('leadId', 'integer', 'Lead Id'),
    f('activityDate', 'datetime', 'Activity Date'),
    f('activityTypeId', 'integer', 'Activity Type Id'),
    f('campaignId', 'integer', 'Campaign Id'),
    f('primaryAttributeValueId', 'integer', 'Primary Attribute Value Id'),
    f('primaryAttributeValue', 'string', 'Primary Attribute Value'),
    f('attributes', 'array', 'Attributes'),
  ];
  const activities: Row[] = [];
  let activityId = 0;
  for (let lead = 1; lead <= 50; lead += 1) {
    for (const type of ACTIVITY_TYPES) {
      for (let n = 0; n < 3; n += 1) {
        activityId += 1;
        activities.push({
          id: activityId,
          marketoGUID: String(activityId),
          leadId: lead,
          activityDate: START + 60 * DAY + activityId * 3_600_000 + (activityId % 4 === 0 ? 0 : 1),
          activityTypeId: type,
          campaignId: type === 12 ? null : 2000 + (activityId % 5),
          primaryAttributeValueId: 3000 + (activityId % 7),
          primaryAttributeValue: `Email ${activityId % 7}`,
          attributes: type === 12 ? [] : [{ name: 'Client IP Address', value: '10.0.0.1' }, { name: 'Query Parameters', value: null }, { name: 'User Agent', value: 'Mozilla/5.0 (X11, Linux)' }],
        });
      }
    }
  }
  // A run of activities sharing one instant, so paging must resume inside it.
  for (const row of activities.slice(100, 130)) row.activityDate = START + 62 * DAY;
  // Interesting moments carry a datetime attribute (epoch ms in the data).
  for (let lead = 1; lead <= 5; lead += 1) {
    activityId += 1;
    const at = START + 61 * DAY + lead * 60_000;
    activities.push({ id: activityId, marketoGUID: String(activityId), leadId: lead, activityDate: at, activityTypeId: 46, campaignId: null, primaryAttributeValueId: null, primaryAttributeValue: null, attributes: [{ name: 'Date', value: at }, { name: 'Description', value: 'Downloaded a whitepaper' }] });
  }
  // Deleting a person is a "Delete Lead" activity at the deletion time.
  for (const lead of DELETED_LEADS) {
    activityId += 1;
    activities.push({ id: activityId, marketoGUID: String(activityId), leadId: lead, activityDate: ASOF - (20 - lead) * DAY, activityTypeId: 37, campaignId: 1003, primaryAttributeValueId: lead, primaryAttributeValue: `First${lead} Last${lead}`, attributes: [{ name: 'Remove from CRM', value: true }] });
  }

  const activityTypes: Row[] = [
    { id: 6, name: 'Send Email', description: 'Send Marketo Email to a person', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Campaign Run ID', dataType: 'integer' }, { name: 'Has Predictive', dataType: 'boolean' }] },
    { id: 7, name: 'Email Delivered', description: 'Email is delivered', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Choice Number', dataType: 'integer' }] },
    { id: 10, name: 'Open Email', description: 'User opens Marketo Email', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Is Mobile Device', dataType: 'boolean' }, { name: 'User Agent', dataType: 'string' }] },
    { id: 11, name: 'Click Email', description: 'User clicks a link', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Link', dataType: 'string' }] },
    { id: 12, name: 'New Lead', description: 'New person', primaryAttribute: null, attributes: [{ name: 'Source Type', dataType: 'string' }, { name: 'Form Name', dataType: 'string' }] },
    { id: 37, name: 'Delete Lead', description: 'Person is deleted', primaryAttribute: { name: 'Lead ID', dataType: 'integer' }, attributes: [{ name: 'Remove from CRM', dataType: 'boolean' }] },
    { id: 46, name: 'Interesting Moment', description: 'Interesting moment for a person', primaryAttribute: null, attributes: [{ name: 'Date', dataType: 'datetime' }, { name: 'Description', dataType: 'string' }] },
  ];

  const programs: Row[] = [];
  for (let i = 0; i < 45; i += 1) {
    const id = 1000 + i;
    const createdAt = START + i * DAY;
    programs.push({
      id,
      name: `Program ${i}`,
      description: i % 5 === 0 ? null : `Description ${i}`,
      createdAt,
      updatedAt: createdAt + (i % 3) * DAY,
      url: `https://app-sj01.marketo.com/#PG${id}A1`,
      type: i % 4 === 0 ? 'Event' : 'Default',
      channel: i % 2 === 0 ? 'Online Advertising' : 'Webinar',
      folder: { type: 'Folder', value: 50 + (i % 2), folderName: 'Programs' },
      status: '',
      workspace: 'Default',
      tags: [{ tagType: 'Campaign Type', tagValue: i % 2 === 0 ? 'Paid' : 'Owned' }],
      costs: i % 3 === 0 ? null : [{ startDate: '2024-01-01', cost: 100 + i, note: 'banner' }],
      sfdcId: i % 2 === 0 ? `701000000000${String(i).padStart(3, '0')}AAA` : null,
      sfdcName: i % 2 === 0 ? `Program ${i}` : null,
    });
  }
  const programFields = ['id', 'name', 'description', 'createdAt', 'updatedAt', 'url', 'type', 'channel', 'folder', 'status', 'workspace', 'tags', 'costs', 'sfdcId', 'sfdcName'].map((name) =>
    f(name, name === 'createdAt' || name === 'updatedAt' ? 'datetime' : name === 'id' ? 'integer' : 'string', name),
  );

  const members: Row[] = [];
  for (let lead = 1; lead <= 40; lead += 1) {
    members.push({ id: lead, leadId: lead, programId: 1000 + (lead % 3), progressionStatus: lead % 2 ? 'Member' : 'Attended', membershipDate: START + lead * DAY, updatedAt: START + lead * DAY + 1_000, reachedSuccess: lead % 4 === 0 });
  }
  const memberFields = [
    f('id', 'integer', 'Id', { restName: null }),
    f('leadId', 'integer', 'Lead Id'),
    f('programId', 'integer', 'Program Id'),
    f('progressionStatus', 'string', 'Status'),
    f('membershipDate', 'datetime', 'Membership Date'),
    f('updatedAt', 'datetime', 'Updated At'),
    f('reachedSuccess', 'boolean', 'Reached Success'),
  ];

  const campaigns: Row[] = [];
  for (let i = 1; i <= 650; i += 1) {
    campaigns.push({ id: i, name: `Campaign ${i}`, description: null, type: i % 2 ? 'batch' : 'trigger', programId: 1000 + (i % 45), programName: `Program ${i % 45}`, workspaceName: 'Default', active: i % 3 === 0, createdAt: START + i * 3_600_000, updatedAt: START + i * 3_600_000 + 5_000 });
  }
  const campaignFields = ['id', 'name', 'description', 'type', 'programId', 'programName', 'workspaceName', 'active', 'createdAt', 'updatedAt'].map((name) =>
    f(name, name.endsWith('At') ? 'datetime' : 'string', name),
  );
  const lists: Row[] = [];
  for (let i = 1; i <= 12; i += 1) lists.push({ id: i, name: `List ${i}`, description: '', programName: `Program ${i}`, workspaceName: 'Default', createdAt: START + i * DAY, updatedAt: START + i * DAY });
  const listFields = ['id', 'name', 'description', 'programName', 'workspaceName', 'createdAt', 'updatedAt'].map((name) => f(name, name.endsWith('At') ? 'datetime' : 'string', name));

  const assetRows = (count: number, prefix: string): Row[] =>
    Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `${prefix} ${i + 1}`, status: i % 3 === 0 ? 'draft' : 'approved', createdAt: START + i * DAY, updatedAt: START + i * DAY + 60_000, folder: { type: 'Folder', value: 7, folderName: 'Assets' }, workspace: 'Default' }));
  const assetFields = ['id', 'name', 'status', 'createdAt', 'updatedAt', 'folder', 'workspace'].map((name) => f(name, name.endsWith('At') ? 'datetime' : 'string', name));

  const tables = [
    arrayTable({ name: 'leads', fields: leadFields, key: 'id', replicationKey: 'updatedAt', createdKey: 'createdAt', rows: leads, deletedAt }),
    arrayTable({ name: 'activities', fields: activityFields, key: 'marketoGUID', replicationKey: 'activityDate', createdKey: 'activityDate', rows: activities }),
    arrayTable({ name: 'activity_types', fields: ['id', 'name', 'description', 'primaryAttribute', 'attributes'].map((n) => f(n, 'string', n)), key: 'id', replicationKey: null, createdKey: null, rows: activityTypes }),
    arrayTable({ name: 'programs', fields: programFields, key: 'id', replicationKey: 'updatedAt', createdKey: 'createdAt', rows: programs }),
    arrayTable({ name: 'program_members', fields: memberFields, key: 'id', replicationKey: 'updatedAt', createdKey: 'membershipDate', rows: members }),
    arrayTable({ name: 'campaigns', fields: campaignFields, key: 'id', replicationKey: 'updatedAt', createdKey: 'createdAt', rows: campaigns }),
    arrayTable({ name: 'lists', fields: listFields, key: 'id', replicationKey: 'updatedAt', createdKey: 'createdAt', rows: lists }),
    arrayTable({ name: 'emails', fields: assetFields, key: 'id', replicationKey: 'updatedAt', createdKey: 'createdAt', rows: assetRows(30, 'Email') }),
    arrayTable({ name: 'landing_pages', fields: assetFields, key: 'id', replicationKey: 'updatedAt', createdKey: 'createdAt', rows: assetRows(25, 'Landing Page') }),
  ];
  return companyOf('marketo', tables, { start: START, asOf: ASOF, seed: 1 });
}

export function fixtureSimulation(): Simulation {
  return { company: fixtureCompany(), clock: new SimClock(ASOF) };
}
