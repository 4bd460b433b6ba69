import { randomBytes } from 'node:crypto';
import { sendJson, type RequestContext, type Route } from '../core/server.js';
import { authError, oauthError, rateLimitHeaders, rateLimited, type RateLimitInfo } from './errors.js';
import type { ZuoraScenario } from './scenario.js';

/**
 * OAuth client-credentials tokens, legacy header credentials and the
 * tenant's request-rate windows. Token lifetimes are wall-clock (a token is
 * about the client's session, not the simulated company).
 */

interface Token {
  expiresAt: number;
  callsLeft: number;
}

class FixedWindow {
  #start = 0;
  #count = 0;

  /** Counts one request; says whether it is admitted and what the RateLimit headers should read. */
  take(limit: number, windowMs: number, now = Date.now()): { admitted: boolean; info: RateLimitInfo } {
    if (now - this.#start >= windowMs) {
      this.#start = now;
      this.#count = 0;
    }
    this.#count += 1;
    const resetSeconds = Math.ceil((this.#start + windowMs - now) / 1000);
    return { admitted: this.#count <= limit, info: { limit, remaining: limit - this.#count, resetSeconds } };
  }
}

export class ZuoraAuth {
  readonly #tokens = new Map<string, Token>();
  readonly #oauthWindow = new FixedWindow();
  readonly #apiWindow = new FixedWindow();
  constructor(readonly scenario: ZuoraScenario) {}

  /** Every issued token stops working (as after a long pause). */
  expireTokens(): void {
    for (const token of this.#tokens.values()) token.expiresAt = 0;
  }

  get tokenCount(): number {
    return this.#tokens.size;
  }

  route(): Route {
    return {
      name: 'oauth.token',
      method: 'POST',
      path: /^\/oauth\/token\/?$/,
      handle: async (ctx) => {
        const s = this.scenario;
        const { admitted, info } = this.#oauthWindow.take(s.oauthRateLimit, s.oauthWindowMs);
        if (!admitted) return rateLimited(ctx, info);
        const form = await ctx.form();
        if (form.get('grant_type') !== 'client_credentials') {
          return oauthError(ctx, 400, 'unsupported_grant_type', `Unsupported grant type: ${form.get('grant_type') ?? ''}`);
        }
        if (form.get('client_id') !== s.clientId || form.get('client_secret') !== s.clientSecret) {
          return oauthError(ctx, 401, 'invalid_client', 'Bad client credentials');
        }
        const accessToken = randomBytes(16).toString('hex');
        const lifetime = Math.max(0, s.tokenLifetimeMs);
        this.#tokens.set(accessToken, { expiresAt: Date.now() + lifetime, callsLeft: s.tokenLifetimeCalls });
        this.#prune();
        sendJson(
          ctx,
          200,
          {
            access_token: accessToken,
            token_type: 'bearer',
            expires_in: Math.floor(lifetime / 1000),
            scope: 'user.7c4d2a1b5e6f40a1b2c3d4e5f6a7b8c9 entity.1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d service.echo.read tenant.19',
            jti: randomBytes(16).toString('hex'),
          },
          { 'cache-control': 'no-store', ...rateLimitHeaders(info) },
        );
      },
    };
  }

  /** `before` hook: authenticate, then count the call against the API rate window. True when it answered. */
  before(ctx: RequestContext): boolean {
    if (ctx.route === 'oauth.token') return false;
    const s = this.scenario;
    const authorization = ctx.req.headers.authorization;
    if (authorization !== undefined) {
      const match = /^bearer\s+(\S+)$/i.exec(authorization);
      const token = match ? this.#tokens.get(match[1] as string) : undefined;
      if (!token || token.expiresAt <= Date.now() || token.callsLeft <= 0) {
        authError(ctx, s.authErrorBody);
        return true;
      }
      token.callsLeft -= 1;
    } else {
      const user = ctx.req.headers.apiaccesskeyid;
      const secret = ctx.req.headers.apisecretaccesskey;
      if (!s.basicAuth || user !== s.username || secret !== s.password) {
        authError(ctx, 'v1');
        return true;
      }
    }
    const { admitted, info } = this.#apiWindow.take(s.rateLimit, s.rateLimitWindowMs);
    if (!admitted) {
      rateLimited(ctx, info);
      return true;
    }
    for (const [name, value] of Object.entries(rateLimitHeaders(info))) ctx.res.setHeader(name, value);
    return false;
  }

  #prune(): void {
    if (this.#tokens.size < 10_000) return;
    const now = Date.now();
    for (const [key, token] of this.#tokens) if (token.expiresAt <= now || token.callsLeft <= 0) this.#tokens.delete(key);
  }
}
