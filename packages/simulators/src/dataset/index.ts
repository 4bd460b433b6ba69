/**
 * The synthetic company: a B2B software vendor whose marketing (Marketo),
 * sales (Salesforce) and billing (Zuora) data agree with each other. See
 * world.ts for the life story every record derives from and engine.ts for how
 * tables are streamed without holding records in memory.
 */
import { INITIAL_AS_OF, START } from './calendar.js';
import { marketoTables } from './marketo.js';
import { salesforceTables } from './salesforce.js';
import { groundTruth } from './truth.js';
import type { Company, CompanyOptions, SystemName, Table } from './types.js';
import { World } from './world.js';
import { zuoraTables } from './zuora.js';

export * from './types.js';

export function createCompany(options: CompanyOptions = {}): Company {
  const seed = (options.seed ?? 1) >>> 0;
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, got ${scale}`);
  const world = new World(seed, scale);
  const made = new Map<SystemName, Table[]>();
  const tables = (system: SystemName): Table[] => {
    let t = made.get(system);
    if (t === undefined) {
      t = system === 'salesforce' ? salesforceTables(world) : system === 'zuora' ? zuoraTables(world) : marketoTables(world);
      made.set(system, t);
    }
    return t as Table[];
  };
  return {
    seed,
    scale,
    start: START,
    initialAsOf: INITIAL_AS_OF,
    tables,
    table: (system, name) => tables(system).find((t) => t.name === name),
    groundTruth: (o) => groundTruth(world, o),
  };
}
