/** Shared setup for the Salesforce simulator tests. */
import type { Connection as ConnectionType } from 'jsforce';
import type { Test } from 'tap';
import { startSalesforce, type SalesforceScenario, type SalesforceSimulator } from '../../src/salesforce/index.js';
import { fixtureSimulation, type FixtureOptions } from './salesforce-fixture.js';
import jsforce from 'jsforce';

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

/** Parses one Bulk CSV page (all fields quoted, `""` doubling, newlines inside quotes). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i += 1;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
