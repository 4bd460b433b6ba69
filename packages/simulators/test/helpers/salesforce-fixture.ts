/**
 * A small hand-made Salesforce org for tests that need exact values (quirky
 * text, compound fields, deleted rows, a > 10,000-row table) independent of
 * the synthetic company. Tables implement the dataset `Table` contract with
 * in-memory arrays, which is fine for a fixture and nothing else.
 */
import { SimClock } from '../../src/core/clock.js';
import type { Simulation } from '../../src/core/simulation.js';
import { companyOf } from './fixture-company.js';
import { DELETED, type Company, type FieldDef, type Row, type ScanOptions, type ScannedRow, type Table } from '../../src/dataset/types.js';

export const DAY = 86_400_000;
export const START = Date.UTC(2023, 0, 1);
export const AS_OF = Date.UTC(2025, 0, 1);

const f = (name: string, type: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, label: name, nillable: name !== 'Id', custom: name.endsWith('__c') || name.endsWith('__s'), ...extra });
const ref = (name: string, to: string[], rel: string): FieldDef => f(name, 'reference', { referenceTo: to, relationshipName: rel });
const system = (): FieldDef[] => [f('Id', 'id'), f('IsDeleted', 'boolean'), f('CreatedDate', 'datetime'), f('LastModifiedDate', 'datetime'), f('SystemModstamp', 'datetime')];

/** 18-character ids ascending with the counter. */
export function fixtureId(prefix: string, n: number): string {
  return `${prefix}8c00000${String(n).padStart(5, '0')}AAA`;
}

interface Stored {
  row: Row;
  created: number;
  modstamp: number;
  deletedAt?: number;
}

class FixtureTable implements Table {
  readonly system = 'salesforce' as const;
  readonly key = 'Id';
  readonly deletes = true;

  constructor(
    readonly name: string,
    readonly label: string,
    readonly fields: FieldDef[],
    readonly rows: Stored[],
    readonly replicationKey: string | null = 'SystemModstamp',
    readonly createdKey: string | null = 'CreatedDate',
  ) {
    rows.sort((a, b) => (a.row.Id as string).localeCompare(b.row.Id as string));
  }

  #visible(stored: Stored, asOf: number, includeDeleted: boolean): ScannedRow | undefined {
    if (stored.created > asOf) return undefined;
    const deleted = stored.deletedAt !== undefined && stored.deletedAt <= asOf;
    if (deleted && !includeDeleted) return undefined;
    const row: ScannedRow = { ...stored.row, IsDeleted: deleted };
    if ('SystemModstamp' in row || this.replicationKey === 'SystemModstamp') row.SystemModstamp = deleted ? stored.deletedAt : stored.modstamp;
    if ('LastModifiedDate' in row) row.LastModifiedDate = row.SystemModstamp;
    if (deleted) row[DELETED] = true;
    return row;
  }

  *scan(options: ScanOptions): Iterable<ScannedRow> {
    const rk = this.replicationKey;
    const visible: ScannedRow[] = [];
    for (const stored of this.rows) {
      const row = this.#visible(stored, options.asOf, options.includeDeleted ?? false);
      if (!row) continue;
      const t = rk ? (row[rk] as number) : 0;
      if (rk && options.from !== undefined && t < options.from) continue;
      if (rk && options.to !== undefined && t >= options.to) continue;
      if (options.order === 'key' && options.afterKey !== undefined && (row.Id as string) <= String(options.afterKey)) continue;
      visible.push(row);
    }
    if (options.order !== 'key' && rk) visible.sort((a, b) => (a[rk] as number) - (b[rk] as number) || (a.Id as string).localeCompare(b.Id as string));
    yield* visible;
  }

  count(options: ScanOptions): number {
    let n = 0;
    for (const row of this.scan(options)) {
      void row;
      n += 1;
    }
    return n;
  }

  get(key: string | number, options: { asOf: number; includeDeleted?: boolean }): ScannedRow | undefined {
    const stored = this.rows.find((candidate) => candidate.row.Id === key);
    return stored ? this.#visible(stored, options.asOf, options.includeDeleted ?? false) : undefined;
  }
}

export interface FixtureOptions {
  /** Rows of the big Task table (default 10,500: more than jsforce's default maxFetch). */
  tasks?: number;
}

export function fixtureCompany(options: FixtureOptions = {}): Company {
  const userFields = [...system(), f('Name', 'string'), f('Email', 'email'), f('IsActive', 'boolean')];
  const users: Stored[] = [1, 2, 3].map((n) => ({
    created: START + n * 1000,
    modstamp: START + n * 1000,
    row: { Id: fixtureId('005', n), Name: `User ${n}`, Email: `user${n}@example.com`, IsActive: n !== 3, CreatedDate: START + n * 1000 },
  }));

  const billing = (name: string): FieldDef => f(`Billing${name}`, name === 'Latitude' || name === 'Longitude' ? 'double' : name === 'Street' ? 'textarea' : 'string', { compoundFieldName: 'BillingAddress', length: 255 });
  const accountFields: FieldDef[] = [
    ...system(),
    f('Name', 'string', { nillable: false }),
    f('Type', 'picklist', { picklistValues: ['Prospect', 'Customer', 'Partner'] }),
    f('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
    f('NumberOfEmployees', 'int'),
    f('Description', 'textarea', { length: 32000 }),
    ...['Street', 'City', 'State', 'PostalCode', 'Country', 'Latitude', 'Longitude'].map(billing),
    f('BillingAddress', 'address'),
    f('ShippingCity', 'string', { compoundFieldName: 'ShippingAddress' }),
    f('ShippingCountry', 'string', { compoundFieldName: 'ShippingAddress' }),
    f('HQ__Latitude__s', 'double', { compoundFieldName: 'HQ__c', precision: 18, scale: 15 }),
    f('HQ__Longitude__s', 'double', { compoundFieldName: 'HQ__c', precision: 18, scale: 15 }),
    f('Tier__c', 'string', { calculated: true, calculatedFormula: 'IF(AnnualRevenue > 1000000, "Gold", "Silver")' }),
    f('Logo__c', 'base64'),
    ref('OwnerId', ['User'], 'Owner'),
  ];
  const accounts: Stored[] = [];
  for (let n = 1; n <= 30; n += 1) {
    const created = START + n * DAY;
    accounts.push({
      created,
      modstamp: created + (n % 5) * DAY,
      ...(n === 7 || n === 8 ? { deletedAt: created + 40 * DAY } : {}),
      row: {
        Id: fixtureId('001', n),
        Name: n === 2 ? 'Acme, "Rockets" Inc.' : `Account ${n}`,
        Type: n % 3 === 0 ? 'Customer' : 'Prospect',
        AnnualRevenue: n * 250_000,
        NumberOfEmployees: n === 4 ? null : n * 10,
        Description: n === 1 ? 'line one\nline two with "quotes"' : n === 3 ? 'nul\u0000byte' : n === 5 ? '' : null,
        BillingStreet: `${n} Main St`,
        BillingCity: n === 6 ? null : 'Springfield',
        BillingState: 'IL',
        BillingPostalCode: '62701',
        BillingCountry: 'US',
        BillingLatitude: 39.78,
        BillingLongitude: -89.65,
        ShippingCity: null,
        ShippingCountry: null,
        HQ__Latitude__s: n === 1 ? 48.85 : null,
        HQ__Longitude__s: n === 1 ? 2.35 : null,
        Tier__c: n * 250_000 > 1_000_000 ? 'Gold' : 'Silver',
        Logo__c: n === 1 ? Buffer.from('PNGDATA').toString('base64') : null,
        OwnerId: fixtureId('005', (n % 2) + 1),
        CreatedDate: created,
      },
    });
  }

  const contactFields = [...system(), f('FirstName', 'string'), f('LastName', 'string', { nillable: false }), f('Email', 'email'), f('Birthdate', 'date'), ref('AccountId', ['Account'], 'Account'), ref('OwnerId', ['User'], 'Owner')];
  const contacts: Stored[] = [];
  let c = 0;
  for (let a = 1; a <= 30; a += 1) {
    // account 1 has many contacts so that its sub-query pages
    const count = a === 1 ? 5 : a % 4 === 0 ? 0 : 2;
    for (let k = 0; k < count; k += 1) {
      c += 1;
      const created = START + a * DAY + (k + 1) * 3_600_000;
      contacts.push({
        created,
        modstamp: created,
        ...(c === 3 ? { deletedAt: created + DAY } : {}),
        row: { Id: fixtureId('003', c), FirstName: `First${c}`, LastName: `Last${c}`, Email: `c${c}@example.com`, Birthdate: '1990-05-17', AccountId: fixtureId('001', a), OwnerId: fixtureId('005', 1), CreatedDate: created },
      });
    }
  }
  contacts.push({ created: START + 90 * DAY, modstamp: START + 90 * DAY, row: { Id: fixtureId('003', 999), FirstName: 'Orphan', LastName: 'NoAccount', Email: null, Birthdate: null, AccountId: null, OwnerId: fixtureId('005', 2), CreatedDate: START + 90 * DAY } });

  const taskFields = [...system(), f('Subject', 'string'), f('Priority__c', 'int'), ref('WhatId', ['Account', 'Opportunity'], 'What'), ref('WhoId', ['Contact', 'Lead'], 'Who')];
  const tasks: Stored[] = [];
  const taskCount = options.tasks ?? 10_500;
  for (let n = 1; n <= taskCount; n += 1) {
    const created = START + Math.floor((n * 700 * DAY) / taskCount);
    tasks.push({ created, modstamp: created + ((n * 7919) % 3) * DAY, row: { Id: fixtureId('00T', n), Subject: `Call ${n}`, Priority__c: n % 3, WhatId: fixtureId('001', (n % 30) + 1), WhoId: null, CreatedDate: created } });
  }

  const historyFields = [f('Id', 'id'), f('IsDeleted', 'boolean'), f('CreatedDate', 'datetime'), ref('AccountId', ['Account'], 'Account'), f('Field', 'picklist', { picklistValues: ['Name', 'Type'] }), f('OldValue', 'anyType'), f('NewValue', 'anyType')];
  const history: Stored[] = [1, 2, 3, 4].map((n) => ({
    created: START + n * 10 * DAY,
    modstamp: START + n * 10 * DAY,
    row: { Id: fixtureId('017', n), AccountId: fixtureId('001', n), Field: 'Type', OldValue: n === 1 ? null : 'Prospect', NewValue: n === 4 ? 12 : 'Customer', CreatedDate: START + n * 10 * DAY },
  }));

  const tables: Table[] = [
    new FixtureTable('User', 'User', userFields, users),
    new FixtureTable('Account', 'Account', accountFields, accounts),
    new FixtureTable('Contact', 'Contact', contactFields, contacts),
    new FixtureTable('Task', 'Task', taskFields, tasks),
    new FixtureTable('AccountHistory', 'Account History', historyFields, history, 'CreatedDate', 'CreatedDate'),
  ];
  return companyOf('salesforce', tables, { start: START, asOf: AS_OF, seed: 7 });
}

export function fixtureSimulation(options: FixtureOptions = {}): Simulation {
  return { company: fixtureCompany(options), clock: new SimClock(AS_OF) };
}
