import { sendJson, type RequestContext, type Route } from '../core/server.js';
import type { Row, Table } from '../dataset/types.js';
import type { ZuoraContext } from './context.js';
import { v1Error } from './errors.js';
import { formatTenantMillis } from './time.js';

/**
 * Two v1 REST reads, there for their error dialect: a missing key answers
 * HTTP 200 with `{"success":false,"processId":…,"reasons":[…]}`, so a client
 * has to look at `success`, not only at the status code.
 */

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function jsonRow(table: Table, row: Row, timeZone: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of table.fields) {
    const value = row[field.name];
    out[camel(field.name)] = (field.type === 'datetime' || field.type === 'timestamp') && typeof value === 'number' ? formatTenantMillis(value, timeZone) : (value ?? null);
  }
  return out;
}

/** By Id without scanning; by a number/name field with a lazy scan (keeps the highest Version for subscriptions). */
function find(zuora: ZuoraContext, table: Table, key: string, numberField: string): Row | undefined {
  const asOf = zuora.simulation.clock.now();
  if (/^[0-9a-f]{32}$/i.test(key)) {
    const row = table.get(key, { asOf });
    if (row) return row;
  }
  if (!table.fields.some((field) => field.name === numberField)) return undefined;
  let best: Row | undefined;
  for (const row of table.scan({ asOf, order: 'key' })) {
    if (row[numberField] !== key) continue;
    if (!best || Number(row.Version ?? 0) > Number(best.Version ?? 0)) best = row;
    if (row.Version === undefined) break;
  }
  return best;
}

function lookupRoute(zuora: ZuoraContext, name: string, path: RegExp, object: string, numberField: string, shape: (table: Table, row: Row) => Record<string, unknown>): Route {
  return {
    name,
    method: 'GET',
    path,
    handle: (ctx: RequestContext) => {
      const key = decodeURIComponent(ctx.params.key ?? '');
      const table = zuora.simulation.company.table('zuora', object);
      const row = table ? find(zuora, table, key, numberField) : undefined;
      if (!table || !row) return v1Error(ctx, 50000040, `Cannot find entity by key: '${key}'.`);
      sendJson(ctx, 200, { ...shape(table, row), success: true });
    },
  };
}

export function restRoutes(zuora: ZuoraContext): Route[] {
  const tz = (): string => zuora.scenario.timeZone;
  return [
    lookupRoute(zuora, 'rest.account', /^\/v1\/accounts\/(?<key>[^/]+)\/?$/, 'Account', 'AccountNumber', (table, row) => ({
      basicInfo: jsonRow(table, row, tz()),
    })),
    lookupRoute(zuora, 'rest.subscription', /^\/v1\/subscriptions\/(?<key>[^/]+)\/?$/, 'Subscription', 'Name', (table, row) =>
      jsonRow(table, row, tz()),
    ),
  ];
}
