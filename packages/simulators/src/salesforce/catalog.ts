/**
 * The org's schema as the server sees it: the dataset's Salesforce tables plus
 * describe-only objects the dataset does not hold (AggregateResult, a change
 * event, ActivityHistory, OpenActivity), with the parent and child
 * relationships SOQL navigates.
 */
import type { Company, FieldDef, Table } from '../dataset/types.js';

export interface ParentRel {
  /** Relationship name as Salesforce spells it (`Account`, `Owner`, `What`). */
  name: string;
  field: FieldDef;
  targets: readonly string[];
}

export interface ChildRel {
  name: string;
  child: SObject;
  field: FieldDef;
}

export interface ObjectFlags {
  queryable: boolean;
  retrieveable: boolean;
  replicateable: boolean;
  searchable: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  undeletable: boolean;
  layoutable: boolean;
  triggerable: boolean;
  mergeable: boolean;
  feedEnabled: boolean;
  mruEnabled: boolean;
}

export interface SObject {
  name: string;
  label: string;
  custom: boolean;
  table: Table | undefined;
  fields: readonly FieldDef[];
  flags: ObjectFlags;
  /** Whether the Bulk APIs serve it (describe-only objects do not). */
  bulk: boolean;
  field(name: string): FieldDef | undefined;
  parent(name: string): ParentRel | undefined;
  child(name: string): ChildRel | undefined;
  parents: ParentRel[];
  children: ChildRel[];
  /** Child relationships whose name lost to an earlier one (describe lists them with relationshipName null). */
  unnamedChildren: Array<{ child: SObject; field: FieldDef }>;
}

const STANDARD_PREFIXES: Record<string, string> = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  OpportunityFieldHistory: '008',
  Lead: '00Q',
  Task: '00T',
  OpportunityContactRole: '00K',
  CampaignMember: '00v',
  Document: '015',
  Campaign: '701',
  AggregateResult: '',
  ActivityHistory: '',
  OpenActivity: '',
  AccountChangeEvent: '1CE',
};

function plural(name: string): string {
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(name)) return `${name}es`;
  return `${name}s`;
}

function childRelationshipName(child: string, field: FieldDef): string | null {
  // merge bookkeeping and audit lookups have no child relationship on the real service
  if (['MasterRecordId', 'CreatedById', 'LastModifiedById'].includes(field.name)) return null;
  if (field.name === 'ParentId') return `Child${plural(child)}`;
  if (/FieldHistory$|History$/.test(child)) return 'Histories';
  if (child.endsWith('__c')) return `${plural(child.slice(0, -3))}__r`;
  if (field.custom) return `${plural(field.name.replace(/__c$/, '').replace(/Id$/, ''))}__r`;
  return plural(child);
}

const READ_ONLY: ObjectFlags = {
  queryable: true,
  retrieveable: true,
  replicateable: true,
  searchable: false,
  createable: false,
  updateable: false,
  deletable: false,
  undeletable: false,
  layoutable: false,
  triggerable: false,
  mergeable: false,
  feedEnabled: false,
  mruEnabled: false,
};

const FULL: ObjectFlags = { ...READ_ONLY, searchable: true, createable: true, updateable: true, deletable: true, undeletable: true, layoutable: true, triggerable: true, feedEnabled: true, mruEnabled: true };

function f(name: string, type: string, extra: Partial<FieldDef> = {}): FieldDef {
  return { name, type, label: name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/Id$/, 'ID'), ...extra };
}

const ACTIVITY_FIELDS: FieldDef[] = [
  f('Id', 'id', { nillable: false }),
  f('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
  f('WhoId', 'reference', { referenceTo: ['Contact', 'Lead'], relationshipName: 'Who' }),
  f('WhatId', 'reference', { referenceTo: ['Account', 'Opportunity', 'Campaign'], relationshipName: 'What' }),
  f('Subject', 'combobox'),
  f('IsTask', 'boolean'),
  f('ActivityDate', 'date'),
  f('Status', 'picklist', { picklistValues: ['Not Started', 'In Progress', 'Completed'] }),
  f('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner' }),
  f('IsDeleted', 'boolean'),
  f('CreatedDate', 'datetime'),
  f('LastModifiedDate', 'datetime'),
  f('SystemModstamp', 'datetime'),
];

/** Objects a real org describes but a tap must not (or cannot) replicate. */
function describeOnlyObjects(): Array<Omit<SObject, 'field' | 'parent' | 'child' | 'parents' | 'children' | 'unnamedChildren'>> {
  return [
    {
      name: 'AggregateResult',
      label: 'Aggregate Result',
      custom: false,
      table: undefined,
      bulk: false,
      fields: [f('Id', 'id', { nillable: false })],
      flags: { ...READ_ONLY, queryable: false, retrieveable: false, replicateable: false },
    },
    {
      name: 'AccountChangeEvent',
      label: 'Account Change Event',
      custom: false,
      table: undefined,
      bulk: false,
      fields: [
        f('Id', 'id', { nillable: false }),
        f('ReplayId', 'string', { length: 255 }),
        f('ChangeEventHeader', 'complexvalue', { nillable: false }),
        f('Name', 'string', { length: 255 }),
        f('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner' }),
        f('CreatedDate', 'datetime'),
        f('LastModifiedDate', 'datetime'),
      ],
      flags: { ...READ_ONLY, queryable: false, retrieveable: false, replicateable: false, triggerable: true },
    },
    {
      name: 'ActivityHistory',
      label: 'Activity History',
      custom: false,
      table: undefined,
      bulk: false,
      fields: ACTIVITY_FIELDS,
      flags: { ...READ_ONLY, retrieveable: false, replicateable: false },
    },
    {
      name: 'OpenActivity',
      label: 'Open Activity',
      custom: false,
      table: undefined,
      bulk: false,
      fields: ACTIVITY_FIELDS,
      flags: { ...READ_ONLY, retrieveable: false, replicateable: false },
    },
  ];
}

/** Adds the compound field itself when the dataset only lists its components. */
function withCompounds(fields: readonly FieldDef[]): FieldDef[] {
  const names = new Set(fields.map((field) => field.name));
  const out: FieldDef[] = [];
  const added = new Set<string>();
  for (const field of fields) {
    const compound = field.compoundFieldName;
    if (compound && !names.has(compound) && !added.has(compound)) {
      added.add(compound);
      const components = fields.filter((other) => other.compoundFieldName === compound);
      const address = components.some((component) => /(Street|City|PostalCode)(__s)?$/.test(component.name));
      out.push({ name: compound, type: address ? 'address' : 'location', label: compound.replace(/__c$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'), custom: compound.endsWith('__c') });
    }
    out.push(field);
  }
  return out;
}

export class Catalog {
  readonly objects: SObject[] = [];
  readonly #byName = new Map<string, SObject>();
  readonly #prefixes = new Map<string, string>();

  constructor(
    readonly company: Company,
    readonly asOf: () => number,
  ) {
    const childMaps = new Map<string, Map<string, ChildRel>>();
    const base = [
      ...company.tables('salesforce').map((table) => ({
        name: table.name,
        label: table.label,
        custom: table.name.endsWith('__c'),
        table,
        bulk: true,
        fields: withCompounds(table.fields),
        flags: /History$/.test(table.name) ? READ_ONLY : FULL,
      })),
      ...describeOnlyObjects(),
    ];
    for (const object of base) {
      const fieldsByName = new Map(object.fields.map((field) => [field.name.toLowerCase(), field]));
      const parents: ParentRel[] = object.fields
        .filter((field) => field.type === 'reference' && field.relationshipName && field.referenceTo?.length)
        .map((field) => ({ name: field.relationshipName as string, field, targets: field.referenceTo as readonly string[] }));
      const parentsByName = new Map(parents.map((rel) => [rel.name.toLowerCase(), rel]));
      const children: ChildRel[] = [];
      const childrenByName = new Map<string, ChildRel>();
      const sobject: SObject = {
        ...object,
        field: (name) => fieldsByName.get(name.toLowerCase()),
        parent: (name) => parentsByName.get(name.toLowerCase()),
        child: (name) => childrenByName.get(name.toLowerCase()),
        parents,
        children,
        unnamedChildren: [],
      };
      this.objects.push(sobject);
      this.#byName.set(object.name.toLowerCase(), sobject);
      childMaps.set(object.name, childrenByName);
    }
    for (const child of this.objects) {
      if (!child.table) continue;
      for (const rel of child.parents) {
        for (const target of rel.targets) {
          const parent = this.#byName.get(target.toLowerCase());
          if (!parent?.table) continue;
          const name = childRelationshipName(child.name, rel.field);
          if (name === null || parent.child(name)) {
            parent.unnamedChildren.push({ child, field: rel.field });
          } else {
            const childRel = { name, child, field: rel.field };
            parent.children.push(childRel);
            childMaps.get(parent.name)?.set(name.toLowerCase(), childRel);
          }
        }
      }
    }
  }

  get(name: string): SObject | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  /** Three-character key prefix: a standard one, else the one the data's own ids carry. */
  keyPrefix(object: SObject): string | null {
    const cached = this.#prefixes.get(object.name);
    if (cached !== undefined) return cached || null;
    let prefix = STANDARD_PREFIXES[object.name];
    if (prefix === undefined && object.table) {
      for (const row of object.table.scan({ asOf: this.asOf(), order: 'key' })) {
        const id = row[object.table.key];
        if (typeof id === 'string') prefix = id.slice(0, 3);
        break;
      }
    }
    prefix ??= object.custom ? `a0${String.fromCharCode(65 + (this.objects.indexOf(object) % 26))}` : '';
    this.#prefixes.set(object.name, prefix);
    return prefix || null;
  }

  /** The object an id belongs to among candidate target names (polymorphic lookups). */
  objectForId(id: string, targets: readonly string[]): SObject | undefined {
    const candidates = targets.map((name) => this.get(name)).filter((object): object is SObject => object?.table !== undefined);
    return candidates.find((object) => this.keyPrefix(object) === id.slice(0, 3)) ?? (candidates.length === 1 ? candidates[0] : undefined);
  }
}
