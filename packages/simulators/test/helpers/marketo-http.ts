/** Plain-fetch helpers for the Marketo server tests: what any HTTP client would send. */
import type { Test } from 'tap';
import { startMarketo, type MarketoOptions, type MarketoScenario, type MarketoSimulator } from '../../src/marketo/index.js';
import { fixtureSimulation } from './marketo-fixture.js';

export interface Envelope {
  requestId?: string;
  success?: boolean;
  errors?: { code: string; message: string }[];
  warnings?: string[];
  result?: Record<string, unknown>[];
  moreResult?: boolean;
  nextPageToken?: string;
  [key: string]: unknown;
}

/** A server on the hand-made fixture company, closed when the test ends. */
export async function fixtureMarketo(t: Test, scenario: Partial<MarketoScenario> = {}, options: MarketoOptions = {}): Promise<MarketoSimulator> {
  const handle = await startMarketo({ simulation: fixtureSimulation(), scenario, urlStyle: 'path', ...options });
  t.teardown(() => handle.close());
  return handle;
}

export class MarketoClient {
  token = '';
  constructor(readonly handle: MarketoSimulator) {}

  url(path: string, params: Record<string, string | number> = {}): string {
    const url = new URL(this.handle.baseUrl + path);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
    return url.toString();
  }

  async identity(method: 'GET' | 'POST' = 'GET', credentials?: { id: string; secret: string }): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(
      this.url('/identity/oauth/token', {
        grant_type: 'client_credentials',
        client_id: credentials?.id ?? this.handle.scenario.clientId,
        client_secret: credentials?.secret ?? this.handle.scenario.clientSecret,
      }),
      { method },
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async login(): Promise<string> {
    const { body } = await this.identity();
    this.token = String(body.access_token);
    return this.token;
  }

  async raw(path: string, init: RequestInit & { params?: Record<string, string | number> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token && !headers.has('authorization')) headers.set('authorization', `Bearer ${this.token}`);
    return fetch(this.url(path, init.params), { ...init, headers });
  }

  async get(path: string, params: Record<string, string | number> = {}, init: RequestInit = {}): Promise<Envelope> {
    const response = await this.raw(path, { ...init, params });
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as Envelope;
  }

  async post(path: string, body?: unknown): Promise<Envelope> {
    const response = await this.raw(path, {
      method: 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (response.status !== 200) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as Envelope;
  }
}

export function code(envelope: Envelope): string | undefined {
  return envelope.errors?.[0]?.code;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
