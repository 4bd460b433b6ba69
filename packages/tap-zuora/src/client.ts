/**
 * The one way the tap talks to Zuora: finds the tenant's data centre, logs in (OAuth client
 * credentials or the legacy header credentials), renews an expired token and replays the call,
 * and sends every request through the SDK's `requestWithRetry` (429/5xx backoff honouring
 * `Retry-After`/`RateLimit-Reset`, timeouts, metrics), with Zuora's error dialects classified.
 */
import { ConfigError, errorMessage, FatalError, isTransientNetworkError, rateLimitResetHint, Redactor, requestWithRetry, RetriesExhaustedError, type Logger, type RetryOptions } from '@singer-io-ts/sdk';
import { candidateUrls, loadConfigSchema, wsdlVersion, type ZuoraConfig } from './config.js';
import { classifyZuoraResponse, UnauthorizedError, ZuoraUnavailableError } from './errors.js';

export interface ClientOptions {
  /** Overrides of the retry policy (tests shorten the backoff, or record the waits). */
  retry?: Partial<Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'deadlineMs' | 'sleep' | 'random'>>;
}

/**
 * Zuora's guidance for 429 and 5xx (followed by singer tap-zuora): 5 tries, backoff factor 30 s.
 * The SDK's jittered waits then stay under 30, 60, 120 and 240 s: an outage of a few minutes is
 * ridden out, well within the SDK's 10-minute deadline.
 */
export const ZUORA_RETRY = { baseDelayMs: 30_000, maxDelayMs: 240_000 } as const;

export interface RequestOptions {
  idempotent?: boolean;
  signal?: AbortSignal;
  endpoint?: string;
}

type Login = { kind: 'oauth'; clientId: string; clientSecret: string } | { kind: 'basic'; username: string; password: string };

/** A second 401 right after a fresh token is not an expiry. */
const MAX_REAUTH = 2;

function loginOf(config: ZuoraConfig): Login {
  if (config.client_id && config.client_secret) return { kind: 'oauth', clientId: config.client_id, clientSecret: config.client_secret };
  if (config.username && config.password) return { kind: 'basic', username: config.username, password: config.password };
  throw new ConfigError('no login configured: set client_id and client_secret (OAuth), or username and password');
}

export class ZuoraClient {
  readonly #config: ZuoraConfig;
  readonly #logger: Logger;
  readonly #options: ClientOptions;
  readonly #redactor: Redactor;
  readonly #login: Login;
  #baseUrl = '';
  #token: { value: string; issuedAt: number } | undefined;
  /** A data centre has answered the probe (connect): from then on, Zuora's patient retry policy. */
  #connected = false;
  #renewal: Promise<void> | undefined;

  private constructor(config: ZuoraConfig, logger: Logger, options: ClientOptions) {
    this.#config = config;
    this.#logger = logger;
    this.#options = options;
    this.#redactor = Redactor.fromConfig(loadConfigSchema(), config);
    this.#login = loginOf(config);
  }

  /** A client logged in at the tenant's data centre, probed in order when `base_url` is unset. */
  static async connect(config: ZuoraConfig, logger: Logger, options: ClientOptions = {}): Promise<ZuoraClient> {
    const client = new ZuoraClient(config, logger, options);
    const candidates = candidateUrls(config);
    const refused: string[] = [];
    for (const url of candidates) {
      client.#baseUrl = url;
      client.#token = undefined;
      try {
        // The probe is a real call: a token alone does not prove the data centre (basic logins have none).
        await client.request('/v1/describe/Account', {}, { endpoint: 'probe' }, false);
        client.#connected = true;
        if (candidates.length > 1) logger.info(`tenant found at ${url}`);
        return client;
      } catch (error) {
        if (!(error instanceof UnauthorizedError)) throw error;
        refused.push(url);
      }
    }
    const how = client.#login.kind === 'oauth' ? 'client_id/client_secret' : 'username/password';
    throw new ConfigError(`Zuora refused the ${how} login at ${refused.join(', ')} (HTTP 401): wrong credentials, or set base_url/environment to the tenant's data centre`);
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  get authKind(): Login['kind'] {
    return this.#login.kind;
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.#baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  /**
   * A successful Response, body unread. A 401 renews the token (OAuth) and replays the call; an
   * outage that outlasts the retries becomes a ZuoraUnavailableError naming the call.
   */
  async request(path: string, init: RequestInit = {}, options: RequestOptions = {}, renew = true): Promise<Response> {
    try {
      return await this.#request(path, init, options, renew);
    } catch (error) {
      if (!(error instanceof RetriesExhaustedError || isTransientNetworkError(error))) throw error;
      throw new ZuoraUnavailableError(`Zuora kept failing the ${options.endpoint ?? 'call'} call ${init.method ?? 'GET'} ${path.split('?')[0]}: ${errorMessage(error)}`, { cause: error });
    }
  }

  async #request(path: string, init: RequestInit, options: RequestOptions, renew: boolean): Promise<Response> {
    for (let reauth = 0; ; reauth++) {
      const sentAt = Date.now();
      const headers = new Headers(init.headers);
      await this.#authorize(headers);
      headers.set('x-zuora-wsdl-version', wsdlVersion(this.#config));
      if (!headers.has('accept')) headers.set('accept', 'application/json');
      try {
        return await this.#send(this.url(path), { ...init, headers }, options);
      } catch (error) {
        if (!(error instanceof UnauthorizedError) || !renew) throw error;
        if (this.#login.kind !== 'oauth' || reauth >= MAX_REAUTH) throw new FatalError(`Zuora refused the credentials at ${this.#baseUrl}: ${error.message}`);
        this.#logger.info('Zuora access token expired (HTTP 401): requesting a new one');
        await this.#renew(sentAt);
      }
    }
  }

  async json<T>(path: string, init: RequestInit = {}, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(path, init, options);
    return (await response.json()) as T;
  }

  async text(path: string, options: RequestOptions = {}): Promise<string> {
    const response = await this.request(path, { headers: { accept: 'text/xml, application/xml, */*' } }, options);
    return response.text();
  }

  #send(url: string, init: RequestInit, options: RequestOptions): Promise<Response> {
    return requestWithRetry(url, init, {
      // Until a data centre has answered, the SDK's short default backoff: a wrong or unreachable
      // host fails in seconds, not in Zuora's minutes.
      ...(this.#connected ? ZUORA_RETRY : {}),
      ...this.#options.retry,
      logger: this.#logger,
      redactor: this.#redactor,
      classify: classifyZuoraResponse,
      retryHint: rateLimitResetHint('RateLimit-Reset', 'delta-seconds'),
      ...(options.idempotent !== undefined ? { idempotent: options.idempotent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  }

  async #authorize(headers: Headers): Promise<void> {
    if (this.#login.kind === 'basic') {
      headers.set('apiAccessKeyId', this.#login.username);
      headers.set('apiSecretAccessKey', this.#login.password);
      return;
    }
    if (!this.#token) await this.#renew(Date.now());
    headers.set('authorization', `Bearer ${this.#token?.value ?? ''}`);
  }

  /** One renewal at a time; a token issued after the failed call was sent is already a new one. */
  async #renew(sentAt: number): Promise<void> {
    if (this.#token && this.#token.issuedAt > sentAt) return;
    this.#renewal ??= this.#fetchToken().finally(() => {
      this.#renewal = undefined;
    });
    await this.#renewal;
  }

  async #fetchToken(): Promise<void> {
    if (this.#login.kind !== 'oauth') return;
    const body = new URLSearchParams({ client_id: this.#login.clientId, client_secret: this.#login.clientSecret, grant_type: 'client_credentials' });
    const issuedAt = Date.now();
    // The token endpoint takes no auth header; its 429s are retried like any other.
    const response = await this.#send(this.url('/oauth/token'), { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } }, { idempotent: true, endpoint: 'oauth.token' });
    const token = (await response.json()) as { access_token?: string };
    if (!token.access_token) throw new FatalError(`Zuora token endpoint at ${this.#baseUrl} returned no access_token`);
    this.#redactor.addSecret(token.access_token);
    this.#token = { value: token.access_token, issuedAt };
  }
}
