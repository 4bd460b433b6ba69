import type { RequestContext } from '../core/server.js';
import type { Simulation } from '../core/simulation.js';
import type { Millis } from '../dataset/types.js';
import type { PlanContext, QueryPlan } from './plan.js';
import type { ZuoraScenario } from './scenario.js';
import type { ZuoraState } from './state.js';

/** What the route modules share. */
export interface ZuoraContext {
  scenario: ZuoraScenario;
  simulation: Simulation;
  state: ZuoraState;
  /** Base URL of the tenant's own data centre (describe `href`s). */
  baseUrl(): string;
}

/** `X-Zuora-WSDL-Version` of the request, when it sent a usable one. */
export function wsdlVersion(ctx: RequestContext): number | undefined {
  const header = ctx.req.headers['x-zuora-wsdl-version'];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return header === undefined || !Number.isFinite(value) ? undefined : value;
}

export function planContext(zuora: ZuoraContext, ctx: RequestContext): PlanContext {
  const version = wsdlVersion(ctx);
  const { scenario } = zuora;
  return {
    company: zuora.simulation.company,
    timeZone: scenario.timeZone,
    unavailableObjects: scenario.unavailableObjects,
    hidden: (object, field) => {
      if (version === undefined) return false;
      const since = scenario.fieldWsdlVersions[`${object}.${field}`];
      return since !== undefined && version < since;
    },
  };
}

/** Days between the lower and upper replication-key bounds a job reads (the export time-limit measure). */
export function windowDays(zuora: ZuoraContext, plan: QueryPlan, sinceMs: Millis | undefined, asOf: Millis): number {
  let from = plan.from ?? zuora.simulation.company.start;
  if (sinceMs !== undefined) from = Math.max(from, sinceMs);
  const to = Math.min(plan.to ?? asOf, asOf);
  return Math.max(0, to - from) / 86_400_000;
}
