import { createSimulation, type Simulation, type SimulationOptions } from './core/simulation.js';
import { startMarketo } from './marketo/index.js';
import { startSalesforce } from './salesforce/index.js';
import { startZuora } from './zuora/index.js';

type Started<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

export interface SimulatorsOptions extends SimulationOptions {
  host?: string;
  /** A port per server (0 = any free port); a server left out is not started. Default: all three on free ports. */
  salesforce?: number;
  zuora?: number;
  marketo?: number;
}

export interface RunningSimulators {
  simulation: Simulation;
  salesforce?: Started<typeof startSalesforce>;
  zuora?: Started<typeof startZuora>;
  marketo?: Started<typeof startMarketo>;
  /** Tap configs keyed by tap name (`tap-salesforce`, `tap-zuora`, `tap-marketo`). */
  tapConfigs(): Record<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts the servers on one shared company and clock, so that their data agrees. */
export async function startSimulators(options: SimulatorsOptions = {}): Promise<RunningSimulators> {
  const none = options.salesforce === undefined && options.zuora === undefined && options.marketo === undefined;
  const simulation = createSimulation(options);
  const common = { simulation, ...(options.host ? { host: options.host } : {}) };
  const [salesforce, zuora, marketo] = await Promise.all([
    none || options.salesforce !== undefined ? startSalesforce({ ...common, port: options.salesforce ?? 0 }) : undefined,
    none || options.zuora !== undefined ? startZuora({ ...common, port: options.zuora ?? 0 }) : undefined,
    none || options.marketo !== undefined ? startMarketo({ ...common, port: options.marketo ?? 0 }) : undefined,
  ]);
  const running = [salesforce, zuora, marketo].filter((handle) => handle !== undefined);
  return {
    simulation,
    ...(salesforce ? { salesforce } : {}),
    ...(zuora ? { zuora } : {}),
    ...(marketo ? { marketo } : {}),
    tapConfigs: () => Object.fromEntries(running.map((handle) => [`tap-${handle.name}`, handle.tapConfig])),
    close: async () => {
      await Promise.all(running.map((handle) => handle.close()));
    },
  };
}
