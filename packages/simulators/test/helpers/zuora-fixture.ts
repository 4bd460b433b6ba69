/**
 * A small hand-made Company for the Zuora server tests: every describe type,
 * lookups with and without relationship names, a non-export field, nulls, a
 * NUL byte, quoting, deletions before and after the initial present, and
 * updates that only appear once the clock moves. Rows are materialised here
 * (it is a fixture); the server must not rely on that.
 */
import { SimClock } from '../../src/core/clock.js';
import type { Simulation } from '../../src/core/simulation.js';
import { companyOf } from './fixture-company.js';
import { DELETED, type Company, type FieldDef, type Millis, type Row, type ScanOptions, type ScannedRow, type Table } from '../../src/dataset/types.js';

const DAY = 86_400_000;
export const FIXTURE_START = Date.UTC(2024, 0, 1);
export const FIXTURE_AS_OF = Date.UTC(2025, 0, 1);

interface Rec {
  id: string;
  created: Millis;
  versions: { at: Millis; values: Row }[];
  deletedAt: Millis | null;
}

function id(kind: number, i: number): string {
  return `2c92c0f8${kind.toString(16).padStart(2, '0')}${(i + 1).toString(16).padStart(22, '0')}`;
}

function makeTable(name: string, label: string, fields: FieldDef[], deletes: boolean, recs: Rec[]): Table {
  const byId = new Map(recs.map((rec) => [rec.id, rec]));
  const visible = (rec: Rec, asOf: Millis): { row: ScannedRow; t: Millis } | undefined => {
    if (rec.created > asOf) return undefined;
    let current = rec.versions[0] as Rec['versions'][number];
    for (const version of rec.versions) if (version.at <= asOf) current = version;
    const deleted = rec.deletedAt !== null && rec.deletedAt <= asOf;
    const t = deleted ? (rec.deletedAt as Millis) : current.at;
    const row: ScannedRow = { Id: rec.id, ...current.values, CreatedDate: rec.created, UpdatedDate: t };
    if (deleted) row[DELETED] = true;
    return { row, t };
  };
  const select = (o: ScanOptions): ScannedRow[] => {
    const hits: { row: ScannedRow; t: Millis }[] = [];
    for (const rec of recs) {
      const hit = visible(rec, o.asOf);
      if (!hit || (hit.row[DELETED] && !o.includeDeleted)) continue;
      if (o.from !== undefined && hit.t < o.from) continue;
      if (o.to !== undefined && hit.t >= o.to) continue;
      if (o.order === 'key' && o.afterKey !== undefined && !(String(hit.row.Id) > String(o.afterKey))) continue;
      hits.push(hit);
    }
    hits.sort((a, b) => (o.order === 'key' ? 0 : a.t - b.t) || (String(a.row.Id) < String(b.row.Id) ? -1 : String(a.row.Id) > String(b.row.Id) ? 1 : 0));
    return hits.map((hit) => hit.row);
  };
  return {
    system: 'zuora',
    name,
    label,
    fields,
    key: 'Id',
    replicationKey: 'UpdatedDate',
    createdKey: 'CreatedDate',
    deletes,
    scan: (o) => select(o),
    count: (o) => select(o).length,
    get: (key, o) => {
      const rec = byId.get(String(key));
      const hit = rec ? visible(rec, o.asOf) : undefined;
      if (!hit || (hit.row[DELETED] && !o.includeDeleted)) return undefined;
      return hit.row;
    },
  };
}

const common: FieldDef[] = [
  { name: 'Id', type: 'text', label: 'Id', nillable: false, length: 32 },
  { name: 'CreatedDate', type: 'datetime', label: 'Created Date', nillable: false },
  { name: 'UpdatedDate', type: 'datetime', label: 'Updated Date', nillable: false },
];

export const ACCOUNT_FIELDS: FieldDef[] = [
  ...common,
  { name: 'Name', type: 'text', label: 'Name', length: 255 },
  { name: 'AccountNumber', type: 'text', label: 'Account Number', length: 70 },
  { name: 'Status', type: 'picklist', label: 'Status', picklistValues: ['Active', 'Canceled', 'Draft'] },
  { name: 'CrmId', type: 'text', label: 'CRM Account ID', length: 100 },
  { name: 'Balance', type: 'decimal', label: 'Account Balance', precision: 16, scale: 2 },
  { name: 'AutoPay', type: 'boolean', label: 'Auto Pay' },
  { name: 'BillCycleDay', type: 'integer', label: 'Bill Cycle Day' },
  { name: 'LastInvoiceDate', type: 'date', label: 'Last Invoice Date' },
  { name: 'LastMetricsUpdate', type: 'timestamp', label: 'Last Metrics Update' },
  { name: 'Notes', type: 'text', label: 'Notes', contexts: ['soap'] },
  { name: 'BillToId', type: 'text', label: 'Bill To', referenceTo: ['Contact'], relationshipName: 'BillToContact' },
  { name: 'ParentId', type: 'text', label: 'Parent Account', referenceTo: ['Account'], relationshipName: 'ParentAccount' },
];

const CONTACT_FIELDS: FieldDef[] = [
  ...common,
  { name: 'AccountId', type: 'text', label: 'Account ID', referenceTo: ['Account'] },
  { name: 'FirstName', type: 'text', label: 'First Name' },
  { name: 'LastName', type: 'text', label: 'Last Name' },
  { name: 'WorkEmail', type: 'text', label: 'Work Email' },
];

const SUBSCRIPTION_FIELDS: FieldDef[] = [
  ...common,
  { name: 'Name', type: 'text', label: 'Name' },
  { name: 'AccountId', type: 'text', label: 'Account ID', referenceTo: ['Account'] },
  { name: 'Version', type: 'integer', label: 'Version' },
  { name: 'OriginalId', type: 'text', label: 'Original ID' },
  { name: 'Status', type: 'picklist', label: 'Status', picklistValues: ['Active', 'Cancelled', 'Expired', 'Draft'] },
  { name: 'TermStartDate', type: 'date', label: 'Term Start Date' },
];

export interface FixtureInfo {
  accounts: number;
  /** Account indexes deleted before the initial present, and the one deleted two days after it. */
  deletedBefore: number[];
  deletedAfter: number;
  /** Accounts updated 10 days after the initial present. */
  updatedAfter: number[];
  accountId(i: number): string;
}

export function zuoraFixtureCompany(accounts = 40): { company: Company; info: FixtureInfo } {
  const accountRecs: Rec[] = [];
  const contactRecs: Rec[] = [];
  const subscriptionRecs: Rec[] = [];
  const deletedBefore: number[] = [];
  const updatedAfter: number[] = [];
  const deletedAfter = 7;
  for (let i = 0; i < accounts; i++) {
    const created = FIXTURE_START + (i + 1) * 7 * DAY + i * 3_600_000;
    const name = i === 2 ? 'Acme, "Quoted" Inc\u0000' : `Account ${i}`;
    const base: Row = {
      Name: name,
      AccountNumber: `A${String(i).padStart(8, '0')}`,
      Status: i % 4 === 0 ? 'Draft' : 'Active',
      CrmId: i % 2 === 0 ? `001${String(i).padStart(15, '0')}` : null,
      Balance: i * 100.5,
      AutoPay: i % 3 === 0,
      BillCycleDay: (i % 28) + 1,
      LastInvoiceDate: i % 3 === 0 ? null : '2024-06-01',
      LastMetricsUpdate: created + 3_600_000,
      Notes: 'soap only',
      BillToId: id(2, i),
      ParentId: i > 0 && i % 5 === 0 ? id(1, 0) : null,
    };
    const versions = [{ at: created, values: base }, { at: created + 20 * DAY, values: { ...base, Status: 'Active', Balance: i * 100.5 + 1 } }];
    if (i % 5 === 1) {
      versions.push({ at: FIXTURE_AS_OF + 10 * DAY + i * 60_000, values: { ...base, Name: `${String(base.Name)} (renamed)` } });
      updatedAfter.push(i);
    }
    let deletedAt: Millis | null = null;
    if (i % 10 === 3) {
      deletedAt = created + 30 * DAY;
      deletedBefore.push(i);
    } else if (i === deletedAfter) deletedAt = FIXTURE_AS_OF + 2 * DAY;
    accountRecs.push({ id: id(1, i), created, versions, deletedAt });
    contactRecs.push({
      id: id(2, i),
      created: created + 60_000,
      versions: [{ at: created + 60_000, values: { AccountId: id(1, i), FirstName: `First${i}`, LastName: `Last${i}`, WorkEmail: `person${i}@example.com` } }],
      deletedAt: null,
    });
    subscriptionRecs.push({
      id: id(3, i),
      created: created + 120_000,
      versions: [
        {
          at: created + 120_000,
          values: { Name: `A-S${String(i).padStart(8, '0')}`, AccountId: id(1, i), Version: 1, OriginalId: id(3, i), Status: 'Active', TermStartDate: '2024-02-01' },
        },
      ],
      deletedAt: null,
    });
  }
  const tables = [
    makeTable('Account', 'Account', ACCOUNT_FIELDS, true, accountRecs),
    makeTable('Contact', 'Contact', CONTACT_FIELDS, true, contactRecs),
    makeTable('Subscription', 'Subscription', SUBSCRIPTION_FIELDS, false, subscriptionRecs),
  ];
  const company: Company = companyOf('zuora', tables, { start: FIXTURE_START, asOf: FIXTURE_AS_OF, seed: 1 });

  return { company, info: { accounts, deletedBefore, deletedAfter, updatedAfter, accountId: (i) => id(1, i) } };
}

export function zuoraFixtureSimulation(accounts?: number): { simulation: Simulation; info: FixtureInfo } {
  const { company, info } = zuoraFixtureCompany(accounts);
  return { simulation: { company, clock: new SimClock(company.initialAsOf) }, info };
}
