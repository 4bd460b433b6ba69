/**
 * The Salesforce simulator: one HTTP server that is both the org's My Domain
 * login host and its instance (REST, Bulk 2.0, Bulk 1.0, SOAP login), plus a
 * stand-in for the generic login host under the path prefix
 * `/login.salesforce.com` (see `genericLoginUrl`).
 *
 * Route names (for `server.calls(name)` and `server.inject({route})`):
 * `versions`, `resources`, `limits`, `describeGlobal`, `describe`, `sobject`,
 * `record`, `blob`, `query`, `queryAll`, `queryMore`, `composite.batch`,
 * `bulk2.create`, `bulk2.list`, `bulk2.poll`, `bulk2.abort`, `bulk2.delete`,
 * `bulk2.results`, `bulk.createJob`, `bulk.job`, `bulk.closeJob`,
 * `bulk.addBatch`, `bulk.batches`, `bulk.batch`, `bulk.resultList`,
 * `bulk.result`, `oauth.token`, `oauth.revoke`, `soap.login`, `identity`.
 * `inject({action:{type:'error', code}})` answers with Salesforce's own error
 * for the code: the REST error array (e.g. REQUEST_LIMIT_EXCEEDED → 403,
 * SERVER_UNAVAILABLE → 503), an OAuth `{error, error_description}` on the
 * token endpoint, a SOAP fault on SOAP login, an `<error>` document on Bulk 1.0.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { send, sendJson, SimServer, type RequestContext, type Route } from '../core/server.js';
import type { Simulation, SimulatorHandle, SimulatorOptions } from '../core/simulation.js';
import { AuthService, bearer, generateCredentials, type SalesforceCredentials } from './auth.js';
import { Bulk1Service, BulkV1Error, sendBulkV1Error } from './bulk1.js';
import { Bulk2Service } from './bulk2.js';
import { Catalog } from './catalog.js';
import { apiError, nativeErrorResult, NOT_FOUND_MESSAGE, oauthError, SalesforceError, sendResult, soapFault, type ApiResult } from './errors.js';
import { IdFactory } from './format.js';
import { Limits } from './limits.js';
import { QueryService } from './query.js';
import * as rest from './rest.js';
import { defaultScenario, MIN_API_VERSION, releaseLabel, type SalesforceScenario } from './scenario.js';

export type { SalesforceScenario } from './scenario.js';
export type { SalesforceCredentials } from './auth.js';

export interface SalesforceSimulator extends SimulatorHandle<SalesforceScenario> {
  name: 'salesforce';
  /**
   * Plays `https://login.salesforce.com`: `<url>/login.salesforce.com`. Use it
   * as a tap's login URL to exercise the generic host, where client_credentials
   * is refused (400 invalid_grant "request not supported on this domain") while
   * password, refresh_token and SOAP login work. Requests whose Host header is
   * login.salesforce.com or test.salesforce.com are treated the same way.
   */
  genericLoginUrl: string;
  credentials: SalesforceCredentials;
  orgId: string;
  userId: string;
  /** Ends every session issued so far: the next call with any of them gets 401 INVALID_SESSION_ID. */
  expireTokens(): void;
  /** A fresh access token, as if a login had happened (tests that need no OAuth round trip). */
  issueToken(): string;
  /** REST query cursors not yet read to the end. */
  openCursors(): number;
}

const GENERIC = String.raw`(?<generic>/(?:login|test)\.salesforce\.com)?`;
const V = String.raw`^/services/data/v(?<version>\d+\.\d)`;
const A = String.raw`^/services/async/(?<version>\d+\.\d)`;

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Starts the simulator. `tapConfig` holds `login_url` and `instance_url` (both
 * the My Domain URL of this server), `api_version`, and the credentials
 * generated for this start: `client_id`, `client_secret`, `refresh_token`,
 * `username`, `password`, `security_token` (the password grant and SOAP login
 * want password + security_token), plus `start_date` (the company's first day).
 */
export async function startSalesforce(options: SimulatorOptions<SalesforceScenario> = {}): Promise<SalesforceSimulator> {
  let simulation: Simulation;
  if (options.simulation) {
    simulation = options.simulation;
  } else {
    // loaded lazily so that a caller handing in its own simulation does not build the default company
    const { createSimulation } = await import('../core/simulation.js');
    simulation = createSimulation(options);
  }
  const { company, clock } = simulation;
  const scenario: SalesforceScenario = Object.assign(defaultScenario(), options.scenario ?? {});
  const ids = new IdFactory(company.seed);
  const catalog = new Catalog(company, () => clock.now());
  const users = company.table('salesforce', 'User');
  let userId = ids.next('005');
  for (const row of users?.scan({ asOf: clock.now(), order: 'key' }) ?? []) {
    if (typeof row[users?.key ?? 'Id'] === 'string') userId = row[users?.key ?? 'Id'] as string;
    break;
  }
  const orgId = ids.next('00D');
  let baseUrl = '';
  const credentials = generateCredentials(`bizops-sim-${company.seed}.example.com`);
  const auth = new AuthService(credentials, { orgId, userId, url: () => baseUrl }, scenario);
  const limits = new Limits(scenario);
  const now = (): number => clock.now();
  const queries = new QueryService({ catalog, scenario, ids, now, historyStart: company.start });
  const restDeps: rest.RestDeps = { catalog, limits, queries, now };
  const bulkDeps = { catalog, scenario, ids, limits, now, historyStart: company.start, userId };
  const bulk2 = new Bulk2Service(bulkDeps);
  const bulk1 = new Bulk1Service(bulkDeps);

  const isGeneric = (ctx: RequestContext): boolean => Boolean(ctx.params.generic) || /^(login|test)\.salesforce\.com(:\d+)?$/i.test(ctx.req.headers.host ?? '');
  const loginUrl = (ctx: RequestContext): string => (ctx.params.generic ? `${baseUrl}${ctx.params.generic}` : baseUrl);
  const version = (ctx: RequestContext): string => ctx.params.version as string;

  const json = async <T>(ctx: RequestContext): Promise<T> => {
    try {
      return await ctx.json<T>();
    } catch {
      throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
    }
  };
  const api = (name: string, method: string, path: string, fn: (ctx: RequestContext) => ApiResult | void | Promise<ApiResult | void>): Route => ({
    name,
    method,
    path: new RegExp(path),
    handle: async (ctx) => {
      try {
        const result = await fn(ctx);
        if (result) sendResult(ctx, result);
      } catch (error) {
        if (!(error instanceof SalesforceError)) throw error;
        sendResult(ctx, error.toResult());
      }
    },
  });
  const async = (name: string, method: string, path: string, fn: (ctx: RequestContext) => void | Promise<void>): Route => ({
    name,
    method,
    path: new RegExp(path),
    handle: async (ctx) => {
      try {
        await fn(ctx);
      } catch (error) {
        if (!(error instanceof BulkV1Error)) throw error;
        sendBulkV1Error(ctx, error.exceptionCode, error.message, error.status);
      }
    },
  });

  const routes: Route[] = [
    {
      name: 'versions',
      method: 'GET',
      path: /^\/services\/data\/?$/,
      handle: (ctx) => {
        const list = [];
        for (let v = MIN_API_VERSION; v <= scenario.maxApiVersion; v += 1) list.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
        sendJson(ctx, 200, list);
      },
    },
    api('oauth.token', 'POST', `^${GENERIC}/services/oauth2/token/?$`, async (ctx) => auth.token(await ctx.form(), isGeneric(ctx), loginUrl(ctx))),
    api('oauth.revoke', 'POST', `^${GENERIC}/services/oauth2/revoke/?$`, async (ctx) => {
      auth.revoke((await ctx.form()).get('token') ?? '');
      return { status: 200, body: {} };
    }),
    {
      name: 'soap.login',
      method: 'POST',
      path: new RegExp(`^${GENERIC}/services/Soap/u/(?<version>\\d+\\.\\d)(?:/.*)?$`),
      handle: async (ctx) => {
        const body = await ctx.text();
        if (/<(?:\w+:)?logout\b/.test(body)) {
          auth.revoke(/<(?:\w+:)?sessionId>([^<]*)</.exec(body)?.[1] ?? '');
          send(ctx, 200, '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com"><soapenv:Body><logoutResponse/></soapenv:Body></soapenv:Envelope>', { 'content-type': 'text/xml;charset=UTF-8' });
          return;
        }
        const { status, xml } = auth.soapLogin(body, version(ctx));
        send(ctx, status, xml, { 'content-type': 'text/xml;charset=UTF-8' });
      },
    },
    api('identity', 'GET', `^${GENERIC}/id/(?<org>\\w+)/(?<user>\\w+)/?$`, (ctx) => {
      const token = bearer(ctx.req.headers);
      if (!auth.use(token)) return { status: 403, body: 'Bad_OAuth_Token' };
      if (ctx.params.org !== orgId || ctx.params.user !== userId) return apiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
      return {
        status: 200,
        body: {
          id: `${loginUrl(ctx)}/id/${orgId}/${userId}`,
          asserted_user: true,
          user_id: userId,
          organization_id: orgId,
          username: credentials.username,
          nick_name: 'integration',
          display_name: 'Integration User',
          email: credentials.username,
          active: true,
          user_type: 'STANDARD',
          language: 'en_US',
          locale: 'en_US',
          utcOffset: 0,
          urls: { rest: `${baseUrl}/services/data/v{version}/`, query: `${baseUrl}/services/data/v{version}/query/`, sobjects: `${baseUrl}/services/data/v{version}/sobjects/` },
        },
      };
    }),

    api('resources', 'GET', `${V}/?$`, (ctx) => rest.resources(version(ctx))),
    api('limits', 'GET', `${V}/limits/?$`, () => rest.limitsResource(restDeps)),
    api('describeGlobal', 'GET', `${V}/sobjects/?$`, (ctx) => rest.describeGlobalResource(restDeps, version(ctx))),
    api('describe', 'GET', `${V}/sobjects/(?<object>\\w+)/describe/?$`, (ctx) => rest.describeResource(restDeps, version(ctx), ctx.params.object as string)),
    api('sobject', 'GET', `${V}/sobjects/(?<object>\\w+)/?$`, (ctx) => rest.sobjectResource(restDeps, version(ctx), ctx.params.object as string)),
    api('record', 'GET', `${V}/sobjects/(?<object>\\w+)/(?<id>[A-Za-z0-9]{15,18})/?$`, (ctx) =>
      rest.recordResource(restDeps, version(ctx), ctx.params.object as string, ctx.params.id as string, ctx.url.searchParams.get('fields')),
    ),
    api('blob', 'GET', `${V}/sobjects/(?<object>\\w+)/(?<id>[A-Za-z0-9]{15,18})/(?<field>\\w+)/?$`, async (ctx) => {
      const object = catalog.get(ctx.params.object as string);
      const field = object?.field(ctx.params.field as string);
      const row = object?.table?.get(ctx.params.id as string, { asOf: clock.now() });
      const value = field?.type === 'base64' ? row?.[field.name] : undefined;
      if (typeof value !== 'string') return apiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
      send(ctx, 200, Buffer.from(value, 'base64'), { 'content-type': 'application/octetstream' });
    }),
    api('query', 'GET', `${V}/query/?$`, (ctx) => rest.queryResource(restDeps, version(ctx), ctx.url.searchParams.get('q'), false, ctx.req.headers['sforce-query-options'] as string | undefined)),
    api('queryAll', 'GET', `${V}/queryAll/?$`, (ctx) => rest.queryResource(restDeps, version(ctx), ctx.url.searchParams.get('q'), true, ctx.req.headers['sforce-query-options'] as string | undefined)),
    api('queryMore', 'GET', `${V}/(?:query|queryAll)/(?<locator>[^/]+)/?$`, (ctx) => rest.queryMoreResource(restDeps, version(ctx), ctx.params.locator as string)),
    api('composite.batch', 'POST', `${V}/composite/batch/?$`, async (ctx) => rest.compositeBatch(restDeps, scenario.maxApiVersion, await json(ctx))),

    api('bulk2.create', 'POST', `${V}/jobs/query/?$`, async (ctx) => bulk2.create(version(ctx), await json(ctx))),
    api('bulk2.list', 'GET', `${V}/jobs/query/?$`, () => bulk2.list()),
    api('bulk2.poll', 'GET', `${V}/jobs/query/(?<id>\\w+)/?$`, (ctx) => bulk2.poll(ctx.params.id as string)),
    api('bulk2.abort', 'PATCH', `${V}/jobs/query/(?<id>\\w+)/?$`, async (ctx) => bulk2.abort(ctx.params.id as string, await json(ctx))),
    api('bulk2.delete', 'DELETE', `${V}/jobs/query/(?<id>\\w+)/?$`, (ctx) => bulk2.delete(ctx.params.id as string)),
    api('bulk2.results', 'GET', `${V}/jobs/query/(?<id>\\w+)/results/?$`, (ctx) => bulk2.results(ctx, version(ctx), ctx.params.id as string)),

    async('bulk.createJob', 'POST', `${A}/job/?$`, (ctx) => bulk1.createJob(ctx, version(ctx))),
    async('bulk.job', 'GET', `${A}/job/(?<job>\\w+)/?$`, (ctx) => bulk1.getJob(ctx, ctx.params.job as string)),
    async('bulk.closeJob', 'POST', `${A}/job/(?<job>\\w+)/?$`, (ctx) => bulk1.closeJob(ctx, ctx.params.job as string)),
    async('bulk.addBatch', 'POST', `${A}/job/(?<job>\\w+)/batch/?$`, (ctx) => bulk1.addBatch(ctx, ctx.params.job as string)),
    async('bulk.batches', 'GET', `${A}/job/(?<job>\\w+)/batch/?$`, (ctx) => bulk1.listBatches(ctx, ctx.params.job as string)),
    async('bulk.batch', 'GET', `${A}/job/(?<job>\\w+)/batch/(?<batch>\\w+)/?$`, (ctx) => bulk1.getBatch(ctx, ctx.params.job as string, ctx.params.batch as string)),
    async('bulk.resultList', 'GET', `${A}/job/(?<job>\\w+)/batch/(?<batch>\\w+)/result/?$`, (ctx) => bulk1.resultList(ctx, ctx.params.job as string, ctx.params.batch as string)),
    async('bulk.result', 'GET', `${A}/job/(?<job>\\w+)/batch/(?<batch>\\w+)/result/(?<result>\\w+)/?$`, (ctx) =>
      bulk1.result(ctx, ctx.params.job as string, ctx.params.batch as string, ctx.params.result as string),
    ),
  ];

  const server = new SimServer({
    name: 'salesforce',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    routes,
    notFound: (ctx) => sendResult(ctx, apiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE)),
    nativeError: (ctx, code, message) => {
      if (ctx.route.startsWith('oauth.')) sendResult(ctx, oauthError(code, message ?? code));
      else if (ctx.route === 'soap.login') send(ctx, 500, soapFault(code, message ?? code), { 'content-type': 'text/xml;charset=UTF-8' });
      else if (ctx.route.startsWith('bulk.')) sendBulkV1Error(ctx, code, message ?? code);
      else sendResult(ctx, nativeErrorResult(code, message));
    },
    before: async (ctx) => {
      const path = ctx.url.pathname;
      const match = /^\/services\/(data\/v|async\/)(\d+)\.(\d)(\/|$)/.exec(path);
      if (!match) return false;
      const bulkV1 = match[1] === 'async/';
      // read what the client is still sending before refusing, or it may see EPIPE instead of the answer
      const drain = (): Promise<unknown> => ctx.body().catch(() => undefined);
      const v = Number(match[2]);
      if (v < MIN_API_VERSION || v > scenario.maxApiVersion || match[3] !== '0') {
        await drain();
        sendResult(ctx, apiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE));
        return true;
      }
      if (!auth.use(bearer(ctx.req.headers))) {
        await drain();
        if (bulkV1) sendBulkV1Error(ctx, 'InvalidSessionId', 'Invalid session id');
        else sendResult(ctx, apiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'));
        return true;
      }
      if (!bulkV1) ctx.res.setHeader('Sforce-Limit-Info', limits.header());
      if (limits.exhausted()) {
        await drain();
        if (bulkV1) sendBulkV1Error(ctx, 'ExceededQuota', 'TotalRequests Limit exceeded.', 403);
        else sendResult(ctx, apiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
        return true;
      }
      if (scenario.maxConcurrentRequests !== undefined && limits.inFlight >= scenario.maxConcurrentRequests) {
        await drain();
        sendResult(ctx, apiError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'));
        return true;
      }
      limits.count();
      if (!bulkV1) ctx.res.setHeader('Sforce-Limit-Info', limits.header());
      limits.inFlight += 1;
      ctx.res.once('close', () => {
        limits.inFlight -= 1;
      });
      if (scenario.latencyMs > 0) await sleep(scenario.latencyMs);
      return false;
    },
  });
  await server.listen();
  baseUrl = server.url;

  const tapConfig: Record<string, unknown> = {
    login_url: baseUrl,
    instance_url: baseUrl,
    api_version: `${scenario.maxApiVersion}.0`,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    refresh_token: credentials.refreshToken,
    username: credentials.username,
    password: credentials.password,
    security_token: credentials.securityToken,
    start_date: isoSeconds(company.start),
  };

  return {
    name: 'salesforce',
    url: baseUrl,
    port: server.port,
    genericLoginUrl: `${baseUrl}/login.salesforce.com`,
    tapConfig,
    simulation,
    server,
    scenario,
    credentials,
    orgId,
    userId,
    expireTokens: () => auth.expireAll(),
    issueToken: () => auth.issueToken(),
    openCursors: () => queries.openCursors(),
    close: () => server.close(),
  };
}
