import { SimServer, sendJson } from '../core/server.js';
import type { Simulation, SimulatorHandle, SimulatorOptions } from '../core/simulation.js';
import { aquaRoutes } from './aqua.js';
import { ZuoraAuth } from './auth.js';
import type { ZuoraContext } from './context.js';
import { describeRoutes } from './describe.js';
import { authError, nativeError, oauthError } from './errors.js';
import { exportRoutes } from './export.js';
import { fileRoutes } from './file-routes.js';
import { restRoutes } from './rest.js';
import { defaultScenario, type ZuoraScenario } from './scenario.js';
import { ZuoraState, type SubmittedJob } from './state.js';

export type { ZuoraScenario } from './scenario.js';
export type { SubmittedJob } from './state.js';

/**
 * Data centres a tap may probe, in tap-zuora's probing order for US production
 * (rest.na first, then rest.zuora.com) followed by the others. Every one but
 * the tenant's own answers 401 to everything, which is how the real service
 * tells a client it is talking to the wrong data centre.
 */
export const ZUORA_DATA_CENTERS = ['US-DC1', 'US-DC2', 'EU', 'APAC'] as const;
export type ZuoraDataCenter = (typeof ZUORA_DATA_CENTERS)[number];

export interface ZuoraOptions extends SimulatorOptions<ZuoraScenario> {
  /** The tenant's data centre (default 'US-DC2', so a tap probing US-DC1 first meets a 401). */
  dataCenter?: ZuoraDataCenter;
  /** Start the other data centres on extra ports (default true). */
  extraDataCenters?: boolean;
}

export interface ZuoraSimulator extends SimulatorHandle<ZuoraScenario> {
  name: 'zuora';
  /** Base URL per data centre; `dataCenters[dataCenter] === url`, the rest answer 401. */
  dataCenters: Partial<Record<ZuoraDataCenter, string>>;
  dataCenter: ZuoraDataCenter;
  /** Servers of the wrong data centres (counters, request log). */
  wrongDataCenterServers: SimServer[];
  /** Makes a result file answer 404 from now on; false when there is no such file. */
  expireFile(id: string): boolean;
  expireAllFiles(): void;
  /** Every issued OAuth token answers 401 from now on. */
  expireTokens(): void;
  /** AQuA jobs and exports that are not finished (what the concurrency limit counts). */
  activeJobs(): number;
  /** AQuA jobs and exports submitted so far, oldest first, with what each asked for. */
  submittedJobs(): SubmittedJob[];
  /** Forgets the stateful AQuA session of a partner/project pair (its next run is full again). */
  resetSession(partner: string, project: string): boolean;
}

function wrongDataCenter(host: string | undefined, name: string): SimServer {
  return new SimServer({
    name: `zuora-${name}`,
    host,
    routes: [],
    nativeError,
    // Not this tenant's data centre: its credentials and tokens mean nothing here.
    before: (ctx) => {
      if (/^\/oauth\/token\/?$/.test(ctx.url.pathname)) oauthError(ctx, 401, 'invalid_client', 'Bad client credentials');
      else authError(ctx, 'gateway');
      return true;
    },
    notFound: (ctx) => authError(ctx, 'gateway'),
  });
}

export async function startZuora(options: ZuoraOptions = {}): Promise<ZuoraSimulator> {
  let simulation: Simulation;
  if (options.simulation) simulation = options.simulation;
  else {
    // Loaded lazily: a test that brings its own (fixture) simulation never builds the dataset.
    const { createSimulation } = await import('../core/simulation.js');
    simulation = createSimulation(options);
  }
  const scenario: ZuoraScenario = { ...defaultScenario(), ...options.scenario };
  const state = new ZuoraState(scenario);
  const auth = new ZuoraAuth(scenario);
  let baseUrl = '';
  const zuora: ZuoraContext = { scenario, simulation, state, baseUrl: () => baseUrl };
  const server = new SimServer({
    name: 'zuora',
    host: options.host,
    port: options.port,
    routes: [auth.route(), ...describeRoutes(zuora), ...aquaRoutes(zuora), ...fileRoutes(zuora), ...exportRoutes(zuora), ...restRoutes(zuora)],
    nativeError: (ctx, code, message) => nativeError(ctx, code, message, scenario),
    before: (ctx) => auth.before(ctx),
    notFound: (ctx) => sendJson(ctx, 404, { message: 'no Route matched with those values' }),
  });
  await server.listen();
  baseUrl = server.url;

  const dataCenter = options.dataCenter ?? 'US-DC2';
  const dataCenters: Partial<Record<ZuoraDataCenter, string>> = {};
  const wrong: SimServer[] = [];
  for (const name of ZUORA_DATA_CENTERS) {
    if (name === dataCenter) dataCenters[name] = server.url;
    else if (options.extraDataCenters !== false) {
      const other = await wrongDataCenter(options.host, name).listen();
      wrong.push(other);
      dataCenters[name] = other.url;
    }
  }

  return {
    name: 'zuora',
    url: server.url,
    port: server.port,
    tapConfig: {
      base_url: server.url,
      client_id: scenario.clientId,
      client_secret: scenario.clientSecret,
      username: scenario.username,
      password: scenario.password,
      start_date: new Date(simulation.company.start).toISOString(),
      partner_id: 'salesforce',
      data_center_urls: { ...dataCenters },
    },
    simulation,
    server,
    scenario,
    dataCenters,
    dataCenter,
    wrongDataCenterServers: wrong,
    expireFile: (id) => state.expireFile(id),
    expireAllFiles: () => state.expireAllFiles(),
    expireTokens: () => auth.expireTokens(),
    activeJobs: () => state.activeJobs(),
    submittedJobs: () => state.submitted(),
    resetSession: (partner, project) => state.sessions.delete(`${partner}\u0000${project}`),
    close: async () => {
      await Promise.all([server.close(), ...wrong.map((other) => other.close())]);
    },
  };
}
