/**
 * The one way the tap talks to Marketo. Requests go through the SDK's `requestWithRetry` (retries
 * with backoff, metrics, the quota budget) and two SDK `RateLimiter`s: one for Marketo's 100 calls
 * per 20 s, one for its 10 calls in flight. The second is held until a body is read to its end,
 * because Marketo counts a call in flight until its response closes, and an export file streamed
 * at the consumer's pace stays open long after its headers arrived.
 */
import {
  FatalError,
  QuotaBudget,
  RateLimiter,
  Redactor,
  csvRows,
  errorMessage,
  requestWithRetry,
  sleepFor,
  type Logger,
  type RetryOptions,
} from '@singer-io-ts/sdk';
import { bulkBase, callLimits, identityBase, loadConfigSchema, maxDailyCalls, requestTimeoutMs, restBase, type MarketoConfig } from './config.js';
import { classifyMarketoResponse, TokenExpiredError, type Envelope } from './errors.js';
import { idleLimited } from './idle-body.js';

export interface ClientOptions {
  /** Overrides of the SDK's retry policy (tests shorten the backoff). */
  retry?: Partial<Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'deadlineMs'>>;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Metric tag; the path with ids replaced by default. */
  endpoint?: string;
  /** Read-only or harmless-to-repeat POSTs (export enqueue, cancel) may be retried like GETs. */
  idempotent?: boolean;
}

/** Re-authentications allowed for one request: a second 601/602 right after a fresh token is not an expiry. */
const MAX_REAUTH = 2;
/** singer-io/tap-marketo re-reads the server's count this often, so other clients' calls are seen. */
const USAGE_REFRESH_CALLS = 250;
/** Tokens closer than this to expiry are waited out: Marketo hands back the same token until it expires. */
const TOKEN_MARGIN_S = 2;

type TokenResponse = { access_token?: string; expires_in?: number; error?: string; error_description?: string };

export class MarketoClient {
  readonly restUrl: string;
  readonly bulkUrl: string;
  readonly quota: QuotaBudget;
  readonly #config: MarketoConfig;
  readonly #logger: Logger;
  readonly #redactor: Redactor;
  readonly #options: ClientOptions;
  readonly #window: RateLimiter;
  readonly #slots: RateLimiter;
  readonly #rateWindowMs: number;
  readonly #timeoutMs: number;
  #token = '';
  #generation = 0;
  #renewal: Promise<void> | undefined;
  #callsSinceUsage = 0;

  private constructor(config: MarketoConfig, logger: Logger, options: ClientOptions) {
    this.#config = config;
    this.#logger = logger;
    this.#options = options;
    this.restUrl = restBase(config);
    this.bulkUrl = bulkBase(config);
    // The SDK does not hand its redactor to taps: ours knows the config's secrets and every token.
    this.#redactor = Redactor.fromConfig(loadConfigSchema(), config);
    const limits = callLimits(config);
    this.#rateWindowMs = limits.windowMs;
    this.#timeoutMs = requestTimeoutMs(config);
    // A little slack on the window: the server admits a call when it arrives, a moment after it left here.
    this.#window = new RateLimiter({ maxCalls: limits.maxCalls, windowMs: Math.ceil(limits.windowMs * 1.05) + 100 });
    this.#slots = new RateLimiter({ maxConcurrent: limits.maxConcurrent });
    this.quota = new QuotaBudget({ name: 'Marketo', limit: maxDailyCalls(config), logger });
  }

  /** A client holding a token, its call budget started from the subscription's usage today. */
  static async connect(config: MarketoConfig, logger: Logger, options: ClientOptions = {}): Promise<MarketoClient> {
    const client = new MarketoClient(config, logger, options);
    await client.#login();
    await client.refreshUsage();
    return client;
  }

  /** `stats/usage.json`: today's calls by every API user of the subscription. */
  async refreshUsage(): Promise<void> {
    this.#callsSinceUsage = 0;
    const body = await this.get<{ total?: number }>(`${this.restUrl}/v1/stats/usage.json`, {}, { endpoint: 'stats/usage' });
    const total = Number(body.result?.[0]?.total ?? 0);
    this.quota.update(Number.isFinite(total) ? total : 0);
    this.#logger.info(`Marketo API calls today: ${this.quota.used} (this tap stops before ${this.quota.limit})`);
  }

  /** A successful envelope of a GET (params in the query string). */
  async get<T = Record<string, unknown>>(url: string, params: Record<string, string | number | undefined> = {}, options: CallOptions = {}): Promise<Envelope<T>> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
    const full = query.size > 0 ? `${url}?${query}` : url;
    return this.#json<T>(full, { method: 'GET' }, options);
  }

  /** A successful envelope of a JSON POST. */
  async post<T = Record<string, unknown>>(url: string, body: unknown, options: CallOptions = {}): Promise<Envelope<T>> {
    const init: RequestInit = { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    return this.#json<T>(url, init, options);
  }

  /**
   * The rows of a CSV file, as the consumer pulls them. The call holds a concurrency slot until
   * the body is read or abandoned. Transport failures and silences mid-body surface as the body's errors.
   */
  async *csv(url: string, options: CallOptions = {}): AsyncGenerator<string[]> {
    const release = await this.#acquire(options.signal);
    try {
      const response = await this.#send(url, { method: 'GET', headers: { accept: 'text/csv' } }, options);
      if (!response.body) return;
      yield* csvRows(idleLimited(response.body, this.#timeoutMs, `GET ${url}`));
    } finally {
      release();
    }
  }

  async #json<T>(url: string, init: RequestInit, options: CallOptions): Promise<Envelope<T>> {
    const release = await this.#acquire(options.signal);
    try {
      const response = await this.#send(url, init, options);
      return (await response.json()) as Envelope<T>;
    } finally {
      release();
    }
  }

  /** One concurrency slot, held until `release` (a RateLimiter call that settles when released). */
  #acquire(signal: AbortSignal | undefined): Promise<() => void> {
    return new Promise((resolve, reject) => {
      this.#slots.schedule(() => new Promise<void>((release) => resolve(release)), signal).catch(reject);
    });
  }

  async #send(url: string, init: RequestInit, options: CallOptions): Promise<Response> {
    await this.#maybeRefreshUsage(url);
    for (let reauth = 0; ; reauth++) {
      const generation = this.#generation;
      const headers = new Headers(init.headers);
      // Header only: Marketo is retiring the access_token query parameter.
      headers.set('authorization', `Bearer ${this.#token}`);
      if (!headers.has('accept')) headers.set('accept', 'application/json');
      try {
        return await requestWithRetry(
          url,
          { ...init, headers },
          {
            ...this.#options.retry,
            timeoutMs: this.#timeoutMs,
            logger: this.#logger,
            redactor: this.#redactor,
            rateLimiter: this.#window,
            quota: this.quota,
            classify: (response, context) => classifyMarketoResponse(response, context, { rateWindowMs: this.#rateWindowMs }),
            ...(options.idempotent !== undefined ? { idempotent: options.idempotent } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          },
        );
      } catch (error) {
        if (!(error instanceof TokenExpiredError) || reauth >= MAX_REAUTH) throw error;
        this.#logger.info(`${error.message}: asking the identity service for a new token`);
        await this.#renew(generation, options.signal);
      }
    }
  }

  async #maybeRefreshUsage(url: string): Promise<void> {
    if (url.includes('/stats/usage.json')) return;
    this.#callsSinceUsage += 1;
    if (this.#callsSinceUsage >= USAGE_REFRESH_CALLS) await this.refreshUsage();
  }

  /** Requests that failed with the same token share one renewal (and the first one's signal: the run's). */
  async #renew(generation: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#generation !== generation) return;
    this.#renewal ??= this.#login(signal).finally(() => (this.#renewal = undefined));
    await this.#renewal;
  }

  /** A stop (SIGTERM) ends the wait for a token to expire, which may last a minute. */
  async #login(signal?: AbortSignal): Promise<void> {
    const previous = this.#token;
    for (let attempt = 0; ; attempt++) {
      const token = await this.#requestToken(signal);
      const expiresIn = Number(token.expires_in ?? 3600);
      // A 601/602 answered with the very token that failed: it is about to expire; wait it out once.
      if (token.access_token === previous && expiresIn <= TOKEN_MARGIN_S + 60 && attempt === 0) {
        this.#logger.info(`the identity service returned the same token, ${expiresIn} s from expiry: waiting for it to expire`);
        await sleepFor((expiresIn + 1) * 1000, signal);
        continue;
      }
      this.#token = token.access_token!;
      this.#redactor.addSecret(this.#token);
      this.#generation += 1;
      return;
    }
  }

  async #requestToken(signal: AbortSignal | undefined): Promise<TokenResponse> {
    const url = `${identityBase(this.#config)}/oauth/token`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.#config.client_id ?? '', client_secret: this.#config.client_secret ?? '' });
    let response: Response;
    try {
      response = await requestWithRetry(
        url,
        { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } },
        { ...this.#options.retry, timeoutMs: this.#timeoutMs, logger: this.#logger, redactor: this.#redactor, idempotent: true, endpoint: 'identity', ...(signal ? { signal } : {}), classify: (r) => (r.status === 401 || r.status === 400 ? new FatalError(`HTTP ${r.status}`) : undefined) },
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new FatalError(`Marketo authentication at ${url} failed: ${this.#redactor.redactText(errorMessage(error))}${/HTTP 40[01]/.test(errorMessage(error)) ? ' (check client_id and client_secret)' : ''}`, { cause: error });
    }
    const body = (await response.json()) as TokenResponse;
    if (!body.access_token) throw new FatalError(`Marketo authentication at ${url} returned no access token (${body.error ?? 'no error'}: ${body.error_description ?? ''})`);
    return body;
  }
}
