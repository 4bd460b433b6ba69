import type { Company, Millis, SystemName, Table } from '../../src/dataset/types.js';

/** A hand-made company of one system's tables, for tests that need exact, small data. */
export function companyOf(system: SystemName, tables: readonly Table[], time: { start: Millis; asOf: Millis; seed?: number }): Company {
  return {
    seed: time.seed ?? 1,
    scale: 0,
    start: time.start,
    initialAsOf: time.asOf,
    tables: (name) => (name === system ? tables : []),
    table: (name, table) => (name === system ? tables.find((candidate) => candidate.name === table) : undefined),
    groundTruth: () => {
      throw new Error(`the ${system} fixture has no ground truth`);
    },
  };
}
