/**
 * describeGlobal and sObject describe built from the dataset's FieldDefs, with
 * the ~50 keys per field that real describes carry (taps read type, soapType,
 * compoundFieldName, calculated, referenceTo, nillable, picklistValues, …).
 */
import type { FieldDef } from '../dataset/types.js';
import type { Catalog, SObject } from './catalog.js';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  long: 'xsd:long',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  time: 'xsd:time',
  base64: 'xsd:base64Binary',
  address: 'urn:address',
  location: 'urn:location',
  anyType: 'xsd:anyType',
  complexvalue: 'tns:ChangeEventHeader',
  json: 'urn:JsonNode',
};

const STRINGISH = new Set(['string', 'picklist', 'multipicklist', 'textarea', 'phone', 'url', 'email', 'combobox', 'encryptedstring']);
const SYSTEM = new Set(['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'LastActivityDate', 'LastViewedDate', 'LastReferencedDate']);
const DEFAULT_LENGTH: Record<string, number> = { id: 18, reference: 18, email: 80, phone: 40, picklist: 255, multipicklist: 4099, textarea: 32000, url: 255, string: 255, combobox: 255, encryptedstring: 175 };

function fieldLength(field: FieldDef): number {
  if (field.type === 'id' || field.type === 'reference') return 18;
  if (!STRINGISH.has(field.type) && field.type !== 'anyType') return 0;
  return field.length ?? DEFAULT_LENGTH[field.type] ?? 255;
}

function describeField(object: SObject, field: FieldDef): Record<string, unknown> {
  const type = field.type;
  const length = fieldLength(field);
  const compound = type === 'address' || type === 'location';
  const longText = type === 'textarea' && length > 255;
  const readOnly = SYSTEM.has(field.name) || field.calculated === true || compound || !object.flags.createable || type === 'id';
  const filterable = !['base64', 'address', 'location', 'complexvalue', 'json', 'anyType'].includes(type) && !longText;
  const sortable = filterable && type !== 'multipicklist';
  const groupable = sortable && !['double', 'currency', 'percent', 'datetime', 'time'].includes(type);
  const numeric = ['double', 'currency', 'percent'].includes(type);
  const references = field.referenceTo ?? [];
  const nillable = field.nillable ?? !(SYSTEM.has(field.name) || type === 'boolean' || field.name === 'OwnerId' || field.name === 'Name');
  return {
    aggregatable: groupable || numeric,
    aiPredictionField: false,
    autoNumber: false,
    byteLength: type === 'id' || type === 'reference' ? 18 : length * 3,
    calculated: field.calculated ?? false,
    calculatedFormula: field.calculatedFormula ?? null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: field.compoundFieldName ?? null,
    controllerName: null,
    createable: !readOnly,
    custom: field.custom ?? field.name.endsWith('__c'),
    defaultValue: type === 'boolean' ? false : null,
    defaultValueFormula: null,
    defaultedOnCreate: type === 'boolean' || SYSTEM.has(field.name) || field.name === 'OwnerId',
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: type === 'int' ? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: false,
    extraTypeInfo: longText ? 'plaintextarea' : null,
    filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable,
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: field.name === 'Id' || field.name === 'Email' || (field.name === 'Name' && !field.calculated),
    inlineHelpText: null,
    label: field.label,
    length,
    mask: null,
    maskType: null,
    name: field.name,
    nameField: field.name === 'Name',
    namePointing: references.length > 1,
    nillable,
    permissionable: nillable && !SYSTEM.has(field.name) && !compound,
    picklistValues: (field.picklistValues ?? []).map((value, index) => ({ active: true, defaultValue: index === 0 && type === 'picklist' && !nillable, label: value, validFor: null, value })),
    polymorphicForeignKey: references.length > 1,
    precision: numeric ? (field.precision ?? 18) : 0,
    queryByDistance: type === 'location',
    referenceTargetField: null,
    referenceTo: [...references],
    relationshipName: field.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: false,
    scale: numeric ? (field.scale ?? 2) : 0,
    searchPrefilterable: type === 'reference',
    soapType: SOAP_TYPES[type] ?? 'xsd:string',
    sortable,
    type,
    unique: false,
    updateable: !readOnly,
    writeRequiresMasterRead: false,
  };
}

function urls(version: string, object: SObject): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  return { rowTemplate: `${base}/{ID}`, defaultValues: `${base}/defaultValues?recordTypeId&fields`, describe: `${base}/describe`, sobject: base };
}

function globalEntry(catalog: Catalog, object: SObject, version: string): Record<string, unknown> {
  const { flags } = object;
  return {
    activateable: false,
    associateEntityType: object.name.endsWith('ChangeEvent') ? 'ChangeEvent' : object.name.endsWith('History') ? 'History' : null,
    associateParentEntity: object.name.endsWith('ChangeEvent') ? object.name.replace(/ChangeEvent$/, '') : object.name.endsWith('FieldHistory') ? object.name.replace(/FieldHistory$/, '') : null,
    createable: flags.createable,
    custom: object.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: flags.deletable,
    deprecatedAndHidden: false,
    feedEnabled: flags.feedEnabled,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: catalog.keyPrefix(object),
    label: object.label,
    labelPlural: object.label.endsWith('y') ? `${object.label.slice(0, -1)}ies` : `${object.label}s`,
    layoutable: flags.layoutable,
    mergeable: flags.mergeable,
    mruEnabled: flags.mruEnabled,
    name: object.name,
    queryable: flags.queryable,
    replicateable: flags.replicateable,
    retrieveable: flags.retrieveable,
    searchable: flags.searchable,
    triggerable: flags.triggerable,
    undeletable: flags.undeletable,
    updateable: flags.updateable,
    urls: urls(version, object),
  };
}

export function describeGlobal(catalog: Catalog, version: string): Record<string, unknown> {
  const sobjects = [...catalog.objects].sort((a, b) => (a.name < b.name ? -1 : 1)).map((object) => globalEntry(catalog, object, version));
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects };
}

export function describeSObject(catalog: Catalog, object: SObject, version: string): Record<string, unknown> {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  const childRelationships = [
    ...object.children.map((rel) => ({ child: rel.child, field: rel.field, name: rel.name as string | null })),
    ...object.unnamedChildren.map((rel) => ({ ...rel, name: null })),
  ].map(({ child, field, name }) => ({
    cascadeDelete: false,
    childSObject: child.name,
    deprecatedAndHidden: false,
    field: field.name,
    junctionIdListNames: [],
    junctionReferenceTo: [],
    relationshipName: name,
    restrictedDelete: false,
  }));
  return {
    actionOverrides: [],
    ...globalEntry(catalog, object, version),
    childRelationships,
    compactLayoutable: object.flags.layoutable,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: object.fields.map((field) => describeField(object, field)),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: object.flags.layoutable
      ? [{ active: true, available: true, defaultRecordTypeMapping: true, developerName: 'Master', master: true, name: 'Master', recordTypeId: '012000000000000AAA', urls: { layout: `${base}/describe/layouts/012000000000000AAA` } }]
      : [],
    searchLayoutable: object.flags.searchable,
    sobjectDescribeOption: 'FULL',
    supportedScopes: object.fields.some((field) => field.name === 'OwnerId')
      ? [
          { label: 'All', name: 'everything' },
          { label: 'My', name: 'mine' },
        ]
      : [{ label: 'All', name: 'everything' }],
    urls: {
      ...urls(version, object),
      compactLayouts: `${base}/describe/compactLayouts`,
      approvalLayouts: `${base}/describe/approvalLayouts`,
      listviews: `${base}/listviews`,
      quickActions: `${base}/quickActions`,
      layouts: `${base}/describe/layouts`,
    },
  };
}

/** `GET /sobjects/{Object}`: basic info plus recent items. */
export function sobjectBasicInfo(catalog: Catalog, object: SObject, version: string): Record<string, unknown> {
  return { objectDescribe: globalEntry(catalog, object, version), recentItems: [] };
}
