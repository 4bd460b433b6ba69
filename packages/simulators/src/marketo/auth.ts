import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../core/server.js';
import { sendJson } from '../core/server.js';
import type { LimitsClock } from './clock.js';
import { identityError } from './envelope.js';
import type { MarketoScenario } from './scenario.js';

interface Token {
  value: string;
  expiresAt: number;
  calls: number;
  revoked: boolean;
}

export type TokenCheck = { ok: true } | { ok: false; code: '600' | '601' | '602' };

/**
 * Marketo's identity service keeps one live token per API user: asking again
 * before it expires returns the same token with the remaining lifetime, and
 * only an expired (or revoked) token is replaced.
 */
export class TokenStore {
  readonly #clock: LimitsClock;
  readonly #scenario: MarketoScenario;
  readonly #pod: string;
  readonly #tokens = new Map<string, Token>();
  #current: Token | undefined;
  /** Tokens issued so far (a test can tell a reuse from a new token). */
  issued = 0;

  constructor(clock: LimitsClock, scenario: MarketoScenario, pod: string) {
    this.#clock = clock;
    this.#scenario = scenario;
    this.#pod = pod;
  }

  #expired(token: Token): boolean {
    return this.#clock.now() >= token.expiresAt || token.calls >= this.#scenario.tokenLifetimeCalls;
  }

  /** The live token, or a new one. */
  token(): Token {
    const current = this.#current;
    if (current && !current.revoked && !this.#expired(current)) return current;
    const token: Token = { value: `${randomUUID()}:${this.#pod}`, expiresAt: this.#clock.now() + this.#scenario.tokenLifetimeMs, calls: 0, revoked: false };
    this.#tokens.set(token.value, token);
    this.#current = token;
    this.issued += 1;
    return token;
  }

  /** Checks one API call's token and counts the call against it. */
  check(value: string | undefined): TokenCheck {
    if (value === undefined || value === '') return { ok: false, code: '600' };
    const token = this.#tokens.get(value);
    if (!token || token.revoked) return { ok: false, code: '601' };
    if (this.#expired(token)) return { ok: false, code: '602' };
    token.calls += 1;
    return { ok: true };
  }

  /** Ends the current token's life now: its next use answers 602. */
  expireCurrent(): void {
    if (this.#current) this.#current.expiresAt = this.#clock.now();
  }

  /** Invalidates the current token: its next use answers 601 (as after a credential reset). */
  revokeCurrent(): void {
    if (this.#current) this.#current.revoked = true;
  }

  /** `GET|POST /identity/oauth/token` with credentials in the query string (or a form body). */
  async handleIdentity(ctx: RequestContext, scope: string): Promise<void> {
    const params = new URLSearchParams(ctx.url.search);
    if (ctx.method === 'POST') {
      const type = String(ctx.req.headers['content-type'] ?? '');
      const body = await ctx.text();
      if (body !== '' && type.includes('application/x-www-form-urlencoded')) {
        for (const [key, value] of new URLSearchParams(body)) if (!params.has(key)) params.set(key, value);
      }
    }
    const grant = params.get('grant_type');
    if (grant === null || grant === '') {
      identityError(ctx, 400, 'invalid_request', 'Missing grant type');
      return;
    }
    if (grant !== 'client_credentials') {
      identityError(ctx, 400, 'unsupported_grant_type', `Unsupported grant type: ${grant}`);
      return;
    }
    if (params.get('client_id') !== this.#scenario.clientId || params.get('client_secret') !== this.#scenario.clientSecret) {
      identityError(ctx, 401, 'unauthorized', 'Bad client credentials');
      return;
    }
    const token = this.token();
    // Remaining whole seconds, one less than the lifetime for a fresh token (3599 for 3600 s), as Marketo reports it.
    const remaining = Math.max(0, Math.ceil((token.expiresAt - this.#clock.now()) / 1000) - 1);
    sendJson(ctx, 200, { access_token: token.value, token_type: 'bearer', expires_in: remaining, scope }, { 'cache-control': 'no-store' });
  }
}

/** The token a call carries: the `Authorization: Bearer` header, else (when allowed) the `access_token` query parameter. */
export function presentedToken(ctx: RequestContext, scenario: MarketoScenario): string | undefined {
  const header = ctx.req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1]) return match[1].trim();
  }
  if (scenario.rejectQueryToken) return undefined;
  return ctx.url.searchParams.get('access_token') ?? undefined;
}
