/**
 * Faults a test injects into a running server. Generic actions (raw status,
 * delay, dropped connection, truncated body) are applied by the core; `error`
 * asks the server for its own native error for a code (a Salesforce errorCode,
 * a Marketo code, a Zuora code), so tests speak the service's language.
 */
export type FaultAction =
  | { type: 'status'; status: number; body?: string | object; headers?: Record<string, string> }
  | { type: 'error'; code: string; message?: string }
  | { type: 'delay'; ms: number }
  | { type: 'drop'; afterBytes?: number }
  | { type: 'truncate'; fraction?: number };

export interface FaultSpec {
  /** Route name as the server names it (see its README table), or a regex on the path; default: every route. */
  route?: string | RegExp;
  method?: string;
  /** Let this many matching requests through first. */
  after?: number;
  /** How many matching requests it hits (default 1; Infinity for all). */
  times?: number;
  action: FaultAction;
}

export interface Fault extends Required<Pick<FaultSpec, 'after' | 'times' | 'action'>> {
  readonly spec: FaultSpec;
  /** How many requests it has hit. */
  fired: number;
  /** Matching requests seen, hit or not. */
  seen: number;
}

export class FaultRegistry {
  readonly #faults: Fault[] = [];

  inject(spec: FaultSpec): Fault {
    const fault: Fault = { spec, after: spec.after ?? 0, times: spec.times ?? 1, action: spec.action, fired: 0, seen: 0 };
    this.#faults.push(fault);
    return fault;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The fault that hits this request, if any; counts it. */
  take(method: string, route: string, path: string): Fault | undefined {
    for (const fault of this.#faults) {
      const { spec } = fault;
      if (spec.method && spec.method.toUpperCase() !== method) continue;
      if (spec.route !== undefined) {
        const hit = typeof spec.route === 'string' ? spec.route === route : spec.route.test(path);
        if (!hit) continue;
      }
      fault.seen += 1;
      if (fault.seen <= fault.after || fault.fired >= fault.times) continue;
      fault.fired += 1;
      return fault;
    }
    return undefined;
  }
}
