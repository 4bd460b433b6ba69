/** Shared setup for the Salesforce simulator tests. */
import type { Connection as ConnectionType } from 'jsforce';
import type { Test } from 'tap';
import { startSalesforce, type SalesforceScenario, type SalesforceSimulator } from '../../src/salesforce/index.js';
import { fixtureSimulation, type FixtureOptions } from './salesforce-fixture.js';
import jsforce from 'jsforce';
import { parseCsv } from './csv.js';

export { parseCsv };

export { jsforce };
export const VERSION = '58.0';

export async function startFixture(t: Test, scenario: Partial<SalesforceScenario> = {}, fixture: FixtureOptions = {}): Promise<SalesforceSimulator> {
  const sf = await startSalesforce({ simulation: fixtureSimulation(fixture), scenario });
  t.teardown(() => sf.close());
  return sf;
}

export interface Config {
  login_url: string;
  instance_url: string;
  client_id: string;
  client_secret: string;
  refresh_token: string;
  username: string;
  password: string;
  security_token: string;
}

export function config(sf: SalesforceSimulator): Config {
  return sf.tapConfig as unknown as Config;
}

/** A jsforce connection logged in with the OAuth username-password flow. */
export async function login(sf: SalesforceSimulator, version = VERSION): Promise<ConnectionType> {
  const c = config(sf);
  const conn = new jsforce.Connection({ loginUrl: c.login_url, version, oauth2: { clientId: c.client_id, clientSecret: c.client_secret, loginUrl: c.login_url } });
  await conn.login(c.username, c.password + c.security_token);
  return conn;
}

/** Plain fetch against the simulator with a bearer token. */
export function api(sf: SalesforceSimulator, path: string, token: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${sf.url}${path}`, { ...init, headers });
}
