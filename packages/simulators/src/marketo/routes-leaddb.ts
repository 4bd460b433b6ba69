import type { RequestContext, Route } from '../core/server.js';
import type { Row, ScannedRow, Table } from '../dataset/types.js';
import { centralDayIso } from './clock.js';
import { intParam, parseDatetime, path, readParams, type Marketo } from './context.js';
import { fail, ok } from './envelope.js';
import { attributeTypes, describeLeadField, formatAttributes, restName, wireRow } from './format.js';
import type { CallLimits } from './limits.js';
import { decodeToken, encodeToken } from './tokens.js';

const READ = ['GET', 'POST'] as const;
/** Marketo's activity type id for "Delete Lead". */
const DELETE_LEAD = 37;

/** A position in a (replicationKey, key)-ordered scan: the instant and how many rows at that instant were already read. */
interface TimePosition {
  at: number;
  seen: number;
  page: number;
}

function timeToken(position: TimePosition): string {
  return encodeToken(['A', position.at, position.seen, position.page]);
}

function readTimeToken(token: string): TimePosition | undefined {
  const parts = decodeToken(token, 'A');
  if (!parts || parts.length !== 4) return undefined;
  const [, at, seen, page] = parts.map(Number);
  if (!Number.isFinite(at) || !Number.isInteger(seen) || !Number.isInteger(page)) return undefined;
  return { at: at ?? 0, seen: seen ?? 0, page: page ?? 0 };
}

interface SlicePage {
  items: Row[];
  position: TimePosition;
  more: boolean;
}

/**
 * One page of a time-ordered slice: examines at most `window` rows after the
 * position, keeps the ones `pick` turns into items, and stops at `limit`
 * items. A slice whose rows all fail the filter is a page with no items that
 * still says there is more, as Marketo's activity paging does.
 */
function slicePage(table: Table, rows: Iterable<ScannedRow>, start: TimePosition, limit: number, window: number, pick: (row: ScannedRow) => Row | undefined): SlicePage {
  const replicationKey = table.replicationKey ?? table.key;
  const position = { ...start, page: start.page + 1 };
  const items: Row[] = [];
  let examined = 0;
  let skipped = 0;
  const iterator = rows[Symbol.iterator]();
  try {
    for (;;) {
      if (items.length >= limit || examined >= window) {
        return { items, position, more: !iterator.next().done };
      }
      const next = iterator.next();
      if (next.done) return { items, position, more: false };
      const row = next.value;
      const at = Number(row[replicationKey]);
      if (at === start.at && skipped < start.seen) {
        skipped += 1;
        continue;
      }
      examined += 1;
      if (at === position.at) position.seen += 1;
      else {
        position.at = at;
        position.seen = 1;
      }
      const item = pick(row);
      if (item) items.push(item);
    }
  } finally {
    iterator.return?.();
  }
}

interface PositionToken {
  key: string | number | undefined;
  issuedAt: number;
}

function positionToken(table: Table, key: unknown, issuedAt: number): string {
  return encodeToken(['P', table.name, typeof key === 'number' ? `n${key}` : `s${String(key)}`, issuedAt]);
}

function readPositionToken(table: Table, token: string): PositionToken | undefined {
  const parts = decodeToken(token, 'P');
  if (!parts || parts.length !== 4 || parts[1] !== table.name) return undefined;
  const raw = parts[2] ?? '';
  const key = raw.startsWith('n') ? Number(raw.slice(1)) : raw.slice(1);
  const issuedAt = Number(parts[3]);
  if ((typeof key === 'number' && !Number.isFinite(key)) || !Number.isFinite(issuedAt)) return undefined;
  return { key, issuedAt };
}

export function leadDbRoutes(mk: Marketo, limits: CallLimits): Route[] {
  let activityPages = 0;

  const activityPage = async (ctx: RequestContext, deleted: boolean): Promise<void> => {
    const params = await readParams(ctx);
    if (!params) return;
    const tokenText = params.get('nextPageToken');
    if (!tokenText) {
      fail(ctx, '1003', 'nextPageToken cannot be blank');
      return;
    }
    const start = readTimeToken(tokenText);
    if (!start) {
      fail(ctx, mk.scenario.expiredTokenCode, `Invalid next page token '${tokenText}'`);
      return;
    }
    const batchSize = intParam(ctx, params, 'batchSize', 300, 1, 300);
    if (batchSize === undefined) return;
    const leadIds = new Set((params.get('leadIds') ?? '').split(',').filter((id) => id.trim() !== '').map((id) => Number(id)));
    if (leadIds.size > 30) {
      fail(ctx, '1003', 'Too many lead ids (max 30)');
      return;
    }
    let types: Set<number>;
    if (deleted) {
      // Deleted people are the "Delete Lead" activities, whatever types the caller names.
      types = new Set([DELETE_LEAD]);
    } else {
      const typeIds = (params.get('activityTypeIds') ?? '').split(',').filter((id) => id.trim() !== '');
      if (typeIds.length === 0) {
        fail(ctx, '1003', 'activityTypeIds cannot be blank');
        return;
      }
      if (typeIds.length > 10) {
        fail(ctx, '1003', `Too many activity type ids (${typeIds.length}), max 10`);
        return;
      }
      types = new Set(typeIds.map(Number));
    }
    activityPages += 1;
    const every = mk.scenario.emptyActivityPageEvery;
    if (every > 0 && activityPages % every === 0) {
      // A slice that came back empty: no `result`, the same position under a new token, and more to come.
      ok(ctx, { nextPageToken: timeToken({ ...start, page: start.page + 1 }), moreResult: true });
      return;
    }
    const activities = mk.table('activities');
    const declared = attributeTypes(mk.simulation.company.table('marketo', 'activity_types'), mk.asOf());
    const rows = activities.scan({ asOf: mk.asOf(), from: start.at });
    const page = slicePage(activities, rows, start, batchSize, mk.scenario.activityScanWindow, (row) => {
      if (!types.has(Number(row.activityTypeId)) || (leadIds.size > 0 && !leadIds.has(Number(row.leadId)))) return undefined;
      const item = wireRow(activities, row, 'rest');
      item.attributes = formatAttributes(item.attributes, declared.get(Number(row.activityTypeId)));
      return item;
    });
    ok(ctx, { result: page.items.length > 0 ? page.items : undefined, nextPageToken: timeToken(page.position), moreResult: page.more });
  };

  const positionPage = async (ctx: RequestContext, tableName: string): Promise<void> => {
    const params = await readParams(ctx);
    if (!params) return;
    const table = mk.table(tableName);
    const batchSize = intParam(ctx, params, 'batchSize', 300, 1, 300);
    if (batchSize === undefined) return;
    const tokenText = params.get('nextPageToken');
    let after: PositionToken | undefined;
    if (tokenText) {
      after = readPositionToken(table, tokenText);
      if (!after || mk.clock.now() - after.issuedAt > mk.scenario.positionTokenTtlMs) {
        fail(ctx, mk.scenario.expiredTokenCode, `Invalid next page token '${tokenText}'`);
        return;
      }
    }
    const ids = new Set((params.get('id') ?? '').split(',').filter((id) => id.trim() !== ''));
    const names = new Set(params.getAll('name').flatMap((name) => name.split(',')).filter((name) => name !== ''));
    const rows = table.scan({ asOf: mk.asOf(), order: 'key', ...(after?.key !== undefined ? { afterKey: after.key } : {}) });
    const items: Row[] = [];
    let lastKey: unknown;
    let more = false;
    for (const row of rows) {
      if (ids.size > 0 && !ids.has(String(row[table.key]))) continue;
      if (names.size > 0 && !names.has(String(row.name))) continue;
      if (items.length >= batchSize) {
        more = true;
        break;
      }
      items.push(wireRow(table, row, 'rest'));
      lastKey = row[table.key];
    }
    ok(ctx, {
      result: items.length > 0 ? items : undefined,
      ...(more ? { nextPageToken: positionToken(table, lastKey, mk.clock.now()) } : {}),
    });
  };

  return [
    {
      name: 'leads.describe',
      method: READ,
      path: path('/rest/v1/leads/describe\\.json'),
      async handle(ctx) {
        if (!(await readParams(ctx))) return;
        const leads = mk.table('leads');
        ok(ctx, { result: leads.fields.map((field, index) => describeLeadField(leads, field, index)) });
      },
    },
    {
      name: 'leads',
      method: READ,
      path: path('/rest/v1/leads\\.json'),
      async handle(ctx) {
        const params = await readParams(ctx);
        if (!params) return;
        const leads = mk.table('leads');
        // Only the primary-key lookup (filterType=id), the one a sync needs; other filter types are not simulated.
        if (params.get('filterType') !== 'id') {
          fail(ctx, '1003', `filterType '${params.get('filterType') ?? ''}' is not supported by the simulator (use id)`);
          return;
        }
        const values = (params.get('filterValues') ?? '').split(',').filter((value) => value.trim() !== '');
        if (values.length === 0 || values.length > 300) {
          fail(ctx, '1003', 'filterValues must name 1 to 300 ids');
          return;
        }
        const byRest = new Map(leads.fields.map((field) => [restName(field), field]));
        const fields = (params.get('fields') ?? 'id,email,firstName,lastName,updatedAt,createdAt').split(',').map((name) => name.trim());
        const unknown = fields.filter((name) => !byRest.has(name));
        if (unknown.length > 0) {
          fail(ctx, '1006', `Field '${unknown[0]}' not found`);
          return;
        }
        const result: Row[] = [];
        for (const value of values) {
          const row = leads.get(Number(value), { asOf: mk.asOf() });
          if (!row) continue;
          const full = wireRow(leads, row, 'rest');
          const item: Row = {};
          for (const name of fields) item[name] = full[name] ?? null;
          result.push(item);
        }
        ok(ctx, { result });
      },
    },
    {
      name: 'activities.types',
      method: READ,
      path: path('/rest/v1/activities/types\\.json'),
      async handle(ctx) {
        if (!(await readParams(ctx))) return;
        const types = mk.table('activity_types');
        const result: Row[] = [];
        for (const row of types.scan({ asOf: mk.asOf(), order: 'key' })) {
          const item = wireRow(types, row, 'rest');
          // primaryAttribute is optional: types without one leave the key out.
          if (item.primaryAttribute === null || item.primaryAttribute === undefined) delete item.primaryAttribute;
          result.push(item);
        }
        ok(ctx, { result });
      },
    },
    {
      name: 'activities.pagingtoken',
      method: READ,
      path: path('/rest/v1/activities/pagingtoken\\.json'),
      async handle(ctx) {
        const params = await readParams(ctx);
        if (!params) return;
        const since = params.get('sinceDatetime');
        if (!since) {
          fail(ctx, '1003', 'sinceDatetime cannot be blank');
          return;
        }
        const parsed = parseDatetime(since);
        if (!parsed) {
          fail(ctx, '1001', `Invalid value '${since}'. Required of type 'Datetime'`);
          return;
        }
        ok(ctx, { nextPageToken: timeToken({ at: parsed.ms, seen: 0, page: 0 }) });
      },
    },
    { name: 'activities', method: READ, path: path('/rest/v1/activities\\.json'), handle: (ctx) => activityPage(ctx, false) },
    { name: 'activities.deletedleads', method: READ, path: path('/rest/v1/activities/deletedleads\\.json'), handle: (ctx) => activityPage(ctx, true) },
    { name: 'campaigns', method: READ, path: path('/rest/v1/campaigns\\.json'), handle: (ctx) => positionPage(ctx, 'campaigns') },
    { name: 'lists', method: READ, path: path('/rest/v1/lists\\.json'), handle: (ctx) => positionPage(ctx, 'lists') },
    {
      name: 'stats.usage',
      method: READ,
      path: path('/rest/v1/stats/usage\\.json'),
      async handle(ctx) {
        if (!(await readParams(ctx))) return;
        const total = limits.usedToday();
        ok(ctx, { result: [{ date: centralDayIso(mk.clock.now()), total, users: [{ userId: 'api-user@simulated.mktorest.com', count: total }] }] });
      },
    },
  ];
}
