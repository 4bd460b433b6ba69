import { createCompany } from '../dataset/index.js';
import type { Company, CompanyOptions, Millis } from '../dataset/types.js';
import { SimClock } from './clock.js';
import type { SimServer } from './server.js';

/** One company and one clock, shared by the servers started on it so that their data agrees. */
export interface Simulation {
  company: Company;
  clock: SimClock;
}

export interface SimulationOptions extends CompanyOptions {
  /** Simulated present; default: the company's initialAsOf. */
  asOf?: Millis;
}

export function createSimulation(options: SimulationOptions = {}): Simulation {
  const company = createCompany(options);
  return { company, clock: new SimClock(options.asOf ?? company.initialAsOf) };
}

export interface SimulatorOptions<Scenario> extends SimulationOptions {
  port?: number;
  host?: string;
  /** Share one company and clock between servers; default: a new simulation from seed/scale/asOf. */
  simulation?: Simulation;
  /** Initial scenario switches; the handle's `scenario` object can be changed while the server runs. */
  scenario?: Partial<Scenario>;
}

export interface SimulatorHandle<Scenario> {
  name: 'salesforce' | 'zuora' | 'marketo';
  url: string;
  port: number;
  /** The tap config that points at this server (credentials the server accepts included). */
  tapConfig: Record<string, unknown>;
  simulation: Simulation;
  /** Counters, request log and fault injection. */
  server: SimServer;
  /** Live scenario switches (faults that are states rather than one-off responses). */
  scenario: Scenario;
  close(): Promise<void>;
}
