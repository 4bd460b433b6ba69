/**
 * The read-only REST resources (describe, limits, query, records) as plain
 * functions of (version, path, query) → ApiResult, so that the HTTP routes and
 * the composite batch resource share one implementation.
 */
import type { Catalog } from './catalog.js';
import { describeGlobal, describeSObject, sobjectBasicInfo } from './describe.js';
import { apiError, notFound, SalesforceError, type ApiResult } from './errors.js';
import { newEnv } from './engine.js';
import type { Limits } from './limits.js';
import { planQuery } from './plan.js';
import { renderRecord, type QueryService } from './query.js';

export interface RestDeps {
  catalog: Catalog;
  limits: Limits;
  queries: QueryService;
  now(): number;
}

const ok = (body: unknown): ApiResult => ({ status: 200, body });

function object(deps: RestDeps, name: string) {
  const found = deps.catalog.get(name);
  if (!found) throw notFound();
  return found;
}

export function resources(version: string): ApiResult {
  const base = `/services/data/v${version}`;
  const names = ['tooling', 'metadata', 'eclair', 'folders', 'prechatForms', 'jobs', 'query', 'queryAll', 'serviceTemplates', 'recent', 'search', 'quickActions', 'analytics', 'sobjects', 'composite', 'limits', 'theme', 'tabs', 'appMenu', 'support', 'identity'];
  return ok(Object.fromEntries(names.map((name) => [name, `${base}/${name}`])));
}

export function limitsResource(deps: RestDeps): ApiResult {
  return ok(deps.limits.body());
}

export function describeGlobalResource(deps: RestDeps, version: string): ApiResult {
  return ok(describeGlobal(deps.catalog, version));
}

export function describeResource(deps: RestDeps, version: string, name: string): ApiResult {
  return ok(describeSObject(deps.catalog, object(deps, name), version));
}

export function sobjectResource(deps: RestDeps, version: string, name: string): ApiResult {
  return ok(sobjectBasicInfo(deps.catalog, object(deps, name), version));
}

/** `GET /sobjects/{Object}/{id}[?fields=…]`: one record with every (or the listed) field. */
export function recordResource(deps: RestDeps, version: string, name: string, id: string, fields: string | null): ApiResult {
  const target = object(deps, name);
  if (!target.table || !target.flags.retrieveable) throw notFound();
  const list = fields ? fields.split(',').map((field) => field.trim()).filter(Boolean) : target.fields.map((field) => field.name);
  let plan;
  try {
    plan = planQuery(deps.catalog, `SELECT ${list.join(', ')} FROM ${target.name}`);
  } catch (error) {
    if (error instanceof SalesforceError) throw new SalesforceError(400, 'INVALID_FIELD', error.message.split('\n').pop() ?? error.message);
    throw error;
  }
  const asOf = deps.now();
  const row = target.table.get(id, { asOf });
  if (!row) throw notFound();
  return ok(renderRecord(plan, row, newEnv({ catalog: deps.catalog, asOf }), version, new Map()));
}

export function queryResource(deps: RestDeps, version: string, soql: string | null, all: boolean, queryOptions: string | undefined): ApiResult {
  return ok(deps.queries.query(version, soql ?? '', all, queryOptions));
}

export function queryMoreResource(deps: RestDeps, version: string, locator: string): ApiResult {
  return ok(deps.queries.more(version, locator));
}

const V = String.raw`^v(?<version>\d+\.\d)`;
const INTERNAL: Array<[RegExp, (deps: RestDeps, groups: Record<string, string>, search: URLSearchParams) => ApiResult]> = [
  [new RegExp(`${V}/?$`), (_deps, g) => resources(g.version as string)],
  [new RegExp(`${V}/limits/?$`), (deps) => limitsResource(deps)],
  [new RegExp(`${V}/sobjects/?$`), (deps, g) => describeGlobalResource(deps, g.version as string)],
  [new RegExp(`${V}/sobjects/(?<object>\\w+)/describe/?$`), (deps, g) => describeResource(deps, g.version as string, g.object as string)],
  [new RegExp(`${V}/sobjects/(?<object>\\w+)/?$`), (deps, g) => sobjectResource(deps, g.version as string, g.object as string)],
  [new RegExp(`${V}/sobjects/(?<object>\\w+)/(?<id>[A-Za-z0-9]{15,18})/?$`), (deps, g, q) => recordResource(deps, g.version as string, g.object as string, g.id as string, q.get('fields'))],
  [new RegExp(`${V}/(?<kind>query|queryAll)/?$`), (deps, g, q) => queryResource(deps, g.version as string, q.get('q'), g.kind === 'queryAll', undefined)],
  [new RegExp(`${V}/(?:query|queryAll)/(?<locator>[^/?]+)/?$`), (deps, g) => queryMoreResource(deps, g.version as string, g.locator as string)],
];

function subrequest(deps: RestDeps, maxVersion: number, method: string, url: string): ApiResult {
  if (method.toUpperCase() !== 'GET') return apiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET`);
  const parsed = new URL(url.startsWith('/') ? url : `/${url}`, 'http://composite');
  const path = parsed.pathname.replace(/^\/services\/data\//, '').replace(/^\//, '');
  for (const [pattern, handler] of INTERNAL) {
    const match = pattern.exec(path);
    if (!match) continue;
    const version = Number(match.groups?.version);
    if (version < 31 || version > maxVersion) return apiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    try {
      return handler(deps, { ...match.groups }, parsed.searchParams);
    } catch (error) {
      if (error instanceof SalesforceError) return error.toResult();
      throw error;
    }
  }
  return apiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** `POST /composite/batch`: up to 25 GET sub-requests, one API call. */
export function compositeBatch(deps: RestDeps, maxVersion: number, body: unknown): ApiResult {
  const request = body as { batchRequests?: unknown; haltOnError?: unknown };
  if (!Array.isArray(request.batchRequests)) throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'batchRequests is required');
  if (request.batchRequests.length > 25) throw new SalesforceError(400, 'INVALID_BATCH_REQUEST', 'A batch cannot contain more than 25 requests');
  const results: Array<{ statusCode: number; result: unknown }> = [];
  let halted = false;
  for (const item of request.batchRequests as Array<{ method?: string; url?: string }>) {
    if (halted) {
      results.push({ statusCode: 412, result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }] });
      continue;
    }
    const result = subrequest(deps, maxVersion, item.method ?? 'GET', item.url ?? '');
    results.push({ statusCode: result.status, result: result.body ?? null });
    if (result.status >= 400 && request.haltOnError === true) halted = true;
  }
  return ok({ hasErrors: results.some((result) => result.statusCode >= 400), results });
}
