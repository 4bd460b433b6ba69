/** Compact builders for field definitions in each system's vocabulary. */
import type { FieldDef } from './types.js';

type Extra = Partial<Omit<FieldDef, 'name' | 'type'>>;

const labelOf = (name: string): string =>
  name
    .replace(/__c$|__s$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/\bId$/, 'ID')
    .trim();

/** Salesforce field; `__c`/`__s` names are custom. */
export function sf(name: string, type: string, extra: Extra = {}): FieldDef {
  const custom = /__(c|s)$/.test(name);
  const def: FieldDef = { name, type, label: extra.label ?? labelOf(name), nillable: name !== 'Id', custom, ...extra };
  if (type === 'string' && def.length === undefined) def.length = 255;
  if (type === 'textarea' && def.length === undefined) def.length = 32000;
  if ((type === 'currency' || type === 'double' || type === 'percent') && def.precision === undefined) {
    def.precision = 18;
    def.scale = 2;
  }
  return def;
}

export const sfRef = (name: string, to: string | readonly string[], rel: string | null, extra: Extra = {}): FieldDef =>
  sf(name, 'reference', { length: 18, referenceTo: typeof to === 'string' ? [to] : to, ...(rel ? { relationshipName: rel } : {}), ...extra });

/** Id, IsDeleted and the audit fields every Salesforce object has. */
export function sfSystem(history = false): FieldDef[] {
  if (history)
    return [sf('Id', 'id', { length: 18 }), sf('IsDeleted', 'boolean', { nillable: false }), sfRef('CreatedById', 'User', 'CreatedBy'), sf('CreatedDate', 'datetime', { nillable: false })];
  return [
    sf('Id', 'id', { length: 18 }),
    sf('IsDeleted', 'boolean', { nillable: false }),
    sf('CreatedDate', 'datetime', { nillable: false }),
    sfRef('CreatedById', 'User', 'CreatedBy'),
    sf('LastModifiedDate', 'datetime', { nillable: false }),
    sfRef('LastModifiedById', 'User', 'LastModifiedBy'),
    sf('SystemModstamp', 'datetime', { nillable: false }),
  ];
}

/** Address compound: components (with compoundFieldName) and the compound itself (type address, no stored value). */
export function sfAddress(prefix: string, compound: string): FieldDef[] {
  const c = { compoundFieldName: compound };
  return [
    sf(`${prefix}Street`, 'textarea', { length: 255, ...c }),
    sf(`${prefix}City`, 'string', { length: 40, ...c }),
    sf(`${prefix}State`, 'string', { length: 80, ...c }),
    sf(`${prefix}PostalCode`, 'string', { length: 20, ...c }),
    sf(`${prefix}Country`, 'string', { length: 80, ...c }),
    sf(`${prefix}Latitude`, 'double', { precision: 18, scale: 15, ...c }),
    sf(`${prefix}Longitude`, 'double', { precision: 18, scale: 15, ...c }),
    sf(`${prefix}GeocodeAccuracy`, 'picklist', { picklistValues: ['Address', 'NearAddress', 'Block', 'Street', 'ExtendedZip', 'Zip', 'Neighborhood', 'City', 'County', 'State', 'Unknown'], ...c }),
    sf(compound, 'address', { length: 0 }),
  ];
}

/** Zuora field; default contexts export + soap. */
export function zu(name: string, type: string, extra: Extra = {}): FieldDef {
  return { name, type, label: extra.label ?? labelOf(name), contexts: ['export', 'soap'], ...extra };
}

export const zuRef = (name: string, to: string, extra: Extra = {}): FieldDef => zu(name, 'text', { referenceTo: [to], ...extra });

/** Zuora Id, audit fields. */
export function zuSystem(): FieldDef[] {
  return [zu('Id', 'text'), zu('CreatedById', 'text'), zu('CreatedDate', 'datetime'), zu('UpdatedById', 'text'), zu('UpdatedDate', 'datetime')];
}

/** Marketo field; restName defaults to the name, soapName to its capitalised form. */
export function mk(name: string, dataType: string, extra: Extra = {}): FieldDef {
  return { name, type: dataType, label: extra.label ?? labelOf(name.charAt(0).toUpperCase() + name.slice(1)), restName: name, soapName: name.charAt(0).toUpperCase() + name.slice(1), ...extra };
}
