import { setTimeout as sleep } from 'node:timers/promises';
import { SimServer, type RequestContext, type Route } from '../core/server.js';
import { createSimulation, type Simulation, type SimulatorHandle, type SimulatorOptions } from '../core/simulation.js';
import type { Millis, Table } from '../dataset/types.js';
import { presentedToken, TokenStore } from './auth.js';
import { BulkJobs } from './bulk-jobs.js';
import { LimitsClock } from './clock.js';
import { path, type Marketo } from './context.js';
import { fail, httpError, identityError } from './envelope.js';
import { restDate } from './format.js';
import { CallLimits } from './limits.js';
import { assetRoutes } from './routes-assets.js';
import { bulkRoutes } from './routes-bulk.js';
import { leadDbRoutes } from './routes-leaddb.js';
import { DEFAULT_SCENARIO, type MarketoScenario } from './scenario.js';

export { DEFAULT_SCENARIO as MARKETO_DEFAULT_SCENARIO, type MarketoScenario } from './scenario.js';

export interface MarketoOptions extends SimulatorOptions<MarketoScenario> {
  /** Munchkin id the base URL carries (pattern `\d{3}-\w{3}-\d{3}`). Default `123-ABC-456`. */
  munchkinId?: string;
  /**
   * Where the munchkin id goes in the base URL:
   * - `subdomain`: `http://123-abc-456.localhost:PORT` (needs `*.localhost` to resolve, as systemd-resolved does);
   * - `path`: `http://127.0.0.1:PORT/123-ABC-456` (the server accepts the id as a path prefix);
   * - `auto` (default): `subdomain` when a probe shows this machine resolves it, else `path`.
   */
  urlStyle?: 'auto' | 'subdomain' | 'path';
  /** Override the base URL put in `tapConfig` (e.g. behind a proxy or a custom hosts entry); no trailing slash. */
  baseUrl?: string;
}

export interface MarketoSimulator extends SimulatorHandle<MarketoScenario> {
  name: 'marketo';
  munchkinId: string;
  /** Base URL with the munchkin id; REST is `${baseUrl}/rest`, identity `${baseUrl}/identity`, bulk `${baseUrl}/bulk`. */
  baseUrl: string;
  /** The clock limits, tokens and bulk jobs run on (simulation clock + real time elapsed + test offset). */
  limitsClock: LimitsClock;
  tokens: TokenStore;
  limits: CallLimits;
  jobs: BulkJobs;
  /** Moves the limits clock forward (expires tokens, rate windows, job ticks, retention, page tokens). */
  advanceTime(ms: number): Millis;
  /** Moves the limits clock just past the next US Central midnight: the daily call and export quotas reset. */
  advancePastMidnight(): Millis;
  /** The live token answers 602 from now on. */
  expireToken(): void;
  /** The live token answers 601 from now on. */
  revokeToken(): void;
}

const MUNCHKIN = /^\d{3}-\w{3}-\d{3}$/;

export async function startMarketo(options: MarketoOptions = {}): Promise<MarketoSimulator> {
  const munchkinId = options.munchkinId ?? '123-ABC-456';
  if (!MUNCHKIN.test(munchkinId)) throw new RangeError(`munchkinId must look like 123-ABC-456, got '${munchkinId}'`);
  const simulation: Simulation = options.simulation ?? createSimulation(options);
  const scenario: MarketoScenario = { ...DEFAULT_SCENARIO, ...options.scenario };
  const clock = new LimitsClock(simulation.clock);
  const mk: Marketo = {
    simulation,
    clock,
    scenario,
    asOf: () => simulation.clock.now(),
    table(name: string): Table {
      const table = simulation.company.table('marketo', name);
      if (!table) throw new Error(`the company has no marketo table '${name}'`);
      return table;
    },
  };
  const tokens = new TokenStore(clock, scenario, 'sj');
  const limits = new CallLimits(clock, scenario);
  const jobs = new BulkJobs(clock, scenario, mk.asOf);
  const scope = `apis@${munchkinId.toLowerCase()}.mktorest.com`;

  const identity: Route = {
    name: 'identity',
    method: ['GET', 'POST'],
    path: path('/identity/oauth/token'),
    handle: (ctx) => tokens.handleIdentity(ctx, scope),
  };
  const routes: Route[] = [identity, ...leadDbRoutes(mk, limits), ...assetRoutes(mk), ...bulkRoutes(mk, jobs)];

  const before = async (ctx: RequestContext): Promise<boolean> => {
    // The front end refuses oversized requests before anything else looks at them.
    if (Buffer.byteLength(ctx.req.url ?? '') > scenario.maxUriBytes) {
      httpError(ctx, 414);
      return true;
    }
    if (Number(ctx.req.headers['content-length'] ?? 0) > scenario.maxBodyBytes) {
      ctx.req.resume();
      httpError(ctx, 413);
      return true;
    }
    if (ctx.route === 'identity') return false;
    const check = tokens.check(presentedToken(ctx, scenario));
    if (!check.ok) {
      await ctx.body().catch(() => undefined);
      fail(ctx, check.code);
      return true;
    }
    const refused = limits.admit(ctx);
    if (refused) {
      await ctx.body().catch(() => undefined);
      fail(ctx, refused.code, refused.message);
      return true;
    }
    if (scenario.latencyMs > 0) await sleep(scenario.latencyMs);
    return false;
  };

  const server = new SimServer({
    name: 'marketo',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    routes,
    before,
    nativeError(ctx, code, message) {
      if (ctx.route === 'identity' && (code === '401' || code === 'unauthorized')) {
        identityError(ctx, 401, 'unauthorized', message ?? 'Bad client credentials');
      } else if (/^[45]\d\d$/.test(code)) {
        // 4xx/5xx are the front end's HTTP errors (413, 414, 502...), not envelope codes.
        httpError(ctx, Number(code));
      } else {
        fail(ctx, code, message);
      }
    },
    notFound(ctx) {
      if (/^(?:\/[^/]+)?\/(?:rest|bulk)\//.test(ctx.url.pathname)) fail(ctx, '610');
      else httpError(ctx, 404);
    },
  });
  await server.listen();

  const baseUrl = options.baseUrl ?? (await chooseBaseUrl(server, munchkinId, options.urlStyle ?? 'auto'));
  const handle: MarketoSimulator = {
    name: 'marketo',
    url: server.url,
    port: server.port,
    munchkinId,
    baseUrl,
    tapConfig: {
      endpoint: `${baseUrl}/rest`,
      identity: `${baseUrl}/identity`,
      client_id: scenario.clientId,
      client_secret: scenario.clientSecret,
      munchkin_id: munchkinId,
      start_date: restDate(simulation.company.start),
    },
    simulation,
    server,
    scenario,
    limitsClock: clock,
    tokens,
    limits,
    jobs,
    advanceTime: (ms) => clock.advance(ms),
    advancePastMidnight: () => clock.advancePastMidnight(),
    expireToken: () => tokens.expireCurrent(),
    revokeToken: () => tokens.revokeCurrent(),
    close: () => server.close(),
  };
  return handle;
}

/** `http://<munchkin>.localhost:PORT` when this machine resolves it to the server, else the id as a path prefix. */
async function chooseBaseUrl(server: SimServer, munchkinId: string, style: 'auto' | 'subdomain' | 'path'): Promise<string> {
  const plain = server.url;
  const subdomain = plain.replace(/^http:\/\/[^/:]+/, `http://${munchkinId.toLowerCase()}.localhost`);
  if (style === 'subdomain') return subdomain;
  if (style === 'path' || !/^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):/.test(plain)) return `${plain}/${munchkinId}`;
  try {
    const response = await fetch(`${subdomain}/identity/oauth/token`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return subdomain;
  } catch {
    return `${plain}/${munchkinId}`;
  } finally {
    // The probe is not a client call.
    server.resetCounters();
  }
}
