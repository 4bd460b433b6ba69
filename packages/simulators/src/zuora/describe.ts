import { send, type RequestContext, type Route } from '../core/server.js';
import type { FieldDef, Table } from '../dataset/types.js';
import { planContext, type ZuoraContext } from './context.js';
import { v1Error } from './errors.js';
import { relationships, visibleFields } from './plan.js';

/**
 * `GET /v1/describe` and `GET /v1/describe/{Object}`: XML built from the
 * dataset's FieldDefs. Objects in `unavailableObjects` are listed (as the
 * real tenant lists modules it has no licence for) with a minimal field set.
 */

const XML_TYPE = 'text/xml;charset=UTF-8';

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

const PLACEHOLDER_FIELDS: readonly FieldDef[] = [
  { name: 'Id', type: 'text', label: 'Id', nillable: false },
  { name: 'CreatedDate', type: 'datetime', label: 'Created Date' },
  { name: 'UpdatedDate', type: 'datetime', label: 'Updated Date' },
];

function fieldXml(field: FieldDef): string {
  const contexts = field.contexts ?? ['export', 'soap'];
  const readOnly = ['Id', 'CreatedDate', 'UpdatedDate', 'CreatedById', 'UpdatedById'].includes(field.name);
  const parts = [
    `<name>${escapeXml(field.name)}</name>`,
    `<label>${escapeXml(field.label)}</label>`,
    '<selectable>true</selectable>',
    `<createable>${!readOnly}</createable>`,
    `<updateable>${!readOnly}</updateable>`,
    '<filterable>true</filterable>',
    `<custom>${field.name.endsWith('__c')}</custom>`,
    ...(field.length !== undefined ? [`<maxlength>${field.length}</maxlength>`] : []),
    ...(field.precision !== undefined ? [`<precision>${field.precision}</precision>`] : []),
    ...(field.scale !== undefined ? [`<scale>${field.scale}</scale>`] : []),
    `<required>${field.nillable === false}</required>`,
    `<type>${escapeXml(field.type)}</type>`,
    ...(field.picklistValues && field.picklistValues.length > 0
      ? [`<options>${field.picklistValues.map((option) => `<option>${escapeXml(option)}</option>`).join('')}</options>`]
      : []),
    `<contexts>${contexts.map((context) => `<context>${escapeXml(context)}</context>`).join('')}</contexts>`,
  ];
  return `<field>${parts.join('')}</field>`;
}

function objectXml(base: string, name: string, label: string, fields: readonly FieldDef[], related: { name: string; target: string; label: string }[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<object href="${escapeXml(`${base}/v1/describe/${name}`)}">`,
    `<name>${escapeXml(name)}</name><label>${escapeXml(label)}</label>`,
    `<fields>${fields.map(fieldXml).join('\n')}</fields>`,
    '<related-objects>',
    ...related.map((rel) => `<object href="${escapeXml(`${base}/v1/describe/${rel.target}`)}"><name>${escapeXml(rel.name)}</name><label>${escapeXml(rel.label)}</label></object>`),
    '</related-objects>',
    '</object>\n',
  ].join('');
}

function splitWords(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}

function describeObject(zuora: ZuoraContext, ctx: RequestContext): void {
  const name = decodeURIComponent(ctx.params.object ?? '');
  const base = zuora.baseUrl();
  const pctx = planContext(zuora, ctx);
  const table: Table | undefined = zuora.simulation.company.table('zuora', name);
  if (table) {
    const related = relationships(table).map((rel) => ({ name: rel.name, target: rel.target, label: splitWords(rel.name) }));
    send(ctx, 200, objectXml(base, table.name, table.label, visibleFields(table, pctx), related), { 'content-type': XML_TYPE });
    return;
  }
  if (zuora.scenario.unavailableObjects.includes(name)) {
    send(ctx, 200, objectXml(base, name, splitWords(name), PLACEHOLDER_FIELDS, []), { 'content-type': XML_TYPE });
    return;
  }
  v1Error(ctx, 50000040, `The object '${name}' does not exist`, 404);
}

export function describeRoutes(zuora: ZuoraContext): Route[] {
  return [
    {
      name: 'describe.list',
      method: 'GET',
      path: /^\/v1\/describe\/?$/,
      handle: (ctx) => {
        const base = zuora.baseUrl();
        const objects = [
          ...zuora.simulation.company.tables('zuora').map((table) => ({ name: table.name, label: table.label })),
          ...zuora.scenario.unavailableObjects.map((name) => ({ name, label: splitWords(name) })),
        ];
        const body = [
          '<?xml version="1.0" encoding="UTF-8"?>\n<objects>',
          ...objects.map((o) => `<object href="${escapeXml(`${base}/v1/describe/${o.name}`)}"><name>${escapeXml(o.name)}</name><label>${escapeXml(o.label)}</label></object>`),
          '</objects>\n',
        ].join('\n');
        send(ctx, 200, body, { 'content-type': XML_TYPE });
      },
    },
    { name: 'describe.object', method: 'GET', path: /^\/v1\/describe\/(?<object>[^/]+)\/?$/, handle: (ctx) => describeObject(zuora, ctx) },
  ];
}
