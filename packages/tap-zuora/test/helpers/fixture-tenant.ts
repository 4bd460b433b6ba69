/**
 * A hand-made tenant for objects the generated one lacks: one keyed by `TransactionDate` instead
 * of `UpdatedDate` (Zuora's PaymentTransactionLog, which also cannot export deleted rows), and one
 * with no replication key at all (a fixture object: full table). Served by the real Zuora
 * simulator, so describe, ZOQL bounds, jobs and files are the simulator's own.
 */
import { SimClock, type Company, type FieldDef, type Row, type ScanOptions, type ScannedRow, type Simulation, type Table } from '@singer-io-ts/simulators';

const DAY = 86_400_000;
export const FIXTURE_START = Date.UTC(2025, 0, 1);
export const FIXTURE_AS_OF = Date.UTC(2025, 6, 1);

function fixtureTable(name: string, fields: FieldDef[], replicationKey: string | null, rows: Row[]): Table {
  const sortKey = replicationKey ?? 'Id';
  const scan = (o: ScanOptions): ScannedRow[] =>
    rows
      .filter((row) => (row.CreatedDate as number) <= o.asOf)
      .filter((row) => replicationKey === null || ((o.from === undefined || (row[replicationKey] as number) >= o.from) && (o.to === undefined || (row[replicationKey] as number) < o.to)))
      .filter((row) => o.order !== 'key' || o.afterKey === undefined || String(row.Id) > String(o.afterKey))
      .sort((a, b) => (o.order === 'key' ? 0 : Number(a[sortKey] ?? 0) - Number(b[sortKey] ?? 0)) || String(a.Id).localeCompare(String(b.Id)));
  return { system: 'zuora', name, label: name, fields, key: 'Id', replicationKey, createdKey: 'CreatedDate', deletes: false, scan, count: (o) => scan(o).length, get: (id, o) => scan({ asOf: o.asOf }).find((row) => row.Id === id) };
}

const id = (kind: number, i: number): string => `2c92c0f9${kind.toString(16).padStart(2, '0')}${(i + 1).toString(16).padStart(22, '0')}`;

/** Rows every 5 days (PaymentTransactionLog) and 20 days (the keyless object); the last ones come after the initial present. */
export function fixtureTenant(): Simulation {
  const logs: Row[] = Array.from({ length: 40 }, (_, i) => {
    const at = FIXTURE_START + i * 5 * DAY + i * 60_000;
    return { Id: id(1, i), CreatedDate: at, TransactionDate: at, GatewayState: i % 7 === 0 ? 'NotSubmitted' : 'Submitted', Amount: 10 + i };
  });
  const rates: Row[] = Array.from({ length: 12 }, (_, i) => ({ Id: id(2, i), CreatedDate: FIXTURE_START + i * 20 * DAY, Currency: ['EUR', 'GBP', 'JPY'][i % 3], Rate: 1 + i / 100 }));
  const tables = [
    // Every tenant has accounts: the tap's login probe describes Account.
    fixtureTable('Account', [{ name: 'Id', type: 'text', label: 'Id' }, { name: 'UpdatedDate', type: 'datetime', label: 'Updated Date' }], 'UpdatedDate', []),
    fixtureTable(
      'PaymentTransactionLog',
      [
        { name: 'Id', type: 'text', label: 'Id' },
        { name: 'CreatedDate', type: 'datetime', label: 'Created Date' },
        { name: 'TransactionDate', type: 'datetime', label: 'Transaction Date' },
        { name: 'GatewayState', type: 'picklist', label: 'Gateway State', picklistValues: ['NotSubmitted', 'Submitted'] },
        { name: 'Amount', type: 'decimal', label: 'Amount' },
      ],
      'TransactionDate',
      logs,
    ),
    fixtureTable(
      'KeylessFixture',
      [
        { name: 'Id', type: 'text', label: 'Id' },
        { name: 'CreatedDate', type: 'date', label: 'Created Date' },
        { name: 'Currency', type: 'text', label: 'Currency' },
        { name: 'Rate', type: 'decimal', label: 'Rate' },
      ],
      null,
      rates,
    ),
  ];
  const company: Company = {
    seed: 1,
    scale: 0,
    start: FIXTURE_START,
    initialAsOf: FIXTURE_AS_OF,
    tables: (system) => (system === 'zuora' ? tables : []),
    table: (system, name) => (system === 'zuora' ? tables.find((table) => table.name === name) : undefined),
    groundTruth: () => {
      throw new Error('the fixture tenant has no ground truth');
    },
  };
  return { company, clock: new SimClock(FIXTURE_AS_OF) };
}
