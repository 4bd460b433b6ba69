/**
 * A simulated org with one very wide object: the simulator's own company, with hundreds of custom
 * text fields added to one of its Salesforce tables (the simulator serves describe, REST and Bulk
 * from whatever tables its company has). Real orgs reach this with hundreds of custom fields.
 */
import { createSimulation, type Company, type FieldDef, type Row, type Simulation, type Table } from '@singer-io-ts/simulators';

/** `Wide_Attribute_000__c`…: a value on every tenth field, so that a shifted column shows. */
export function wideFields(count: number): FieldDef[] {
  return Array.from({ length: count }, (_, i) => ({ name: `Wide_Attribute_${String(i).padStart(3, '0')}__c`, type: 'string', label: `Wide attribute ${i}`, length: 80, nillable: true, custom: true }));
}

function widen(table: Table, extra: FieldDef[]): Table {
  // Object spread keeps the DELETED symbol the simulator marks deleted rows with.
  const add = <R extends Row>(row: R): R => {
    const out: Row = { ...row };
    extra.forEach((field, i) => (out[field.name] = i % 10 === 0 ? `${String(row[table.key])}-${i}` : null));
    return out as R;
  };
  return {
    system: table.system,
    name: table.name,
    label: table.label,
    fields: [...table.fields, ...extra],
    key: table.key,
    replicationKey: table.replicationKey,
    createdKey: table.createdKey,
    deletes: table.deletes,
    *scan(options) {
      for (const row of table.scan(options)) yield add(row);
    },
    count: (options) => table.count(options),
    get(key, options) {
      const row = table.get(key, options);
      return row && add(row);
    },
  };
}

/** The default simulation with `fields` extra fields on `object`. */
export function wideSimulation(object: string, fields: number, scale = 0.1): Simulation {
  const simulation = createSimulation({ scale });
  const base = simulation.company;
  const extra = wideFields(fields);
  let salesforce: Table[] | undefined;
  const tables = (system: Parameters<Company['tables']>[0]): readonly Table[] => {
    if (system !== 'salesforce') return base.tables(system);
    salesforce ??= base.tables(system).map((table) => (table.name === object ? widen(table, extra) : table));
    return salesforce;
  };
  const company: Company = { ...base, tables, table: (system, name) => tables(system).find((table) => table.name === name) };
  return { ...simulation, company };
}
