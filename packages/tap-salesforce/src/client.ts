/**
 * The one way the tap talks to Salesforce. jsforce logs in and renews sessions (auth.ts); the
 * requests themselves go through the SDK's `requestWithRetry`, which gives retries with backoff
 * for 5xx/429, timeouts, metrics, the quota budget, and the raw Response, so that headers
 * (`Sforce-Limit-Info`) can be read and bodies streamed (the Bulk reader needs CSV streams). A
 * call that still fails when the retries run out, REST or Bulk, is a SalesforceUnavailableError
 * naming it, which a stream turns into a resumable stop (factory.ts).
 */
import {
  ConfigError,
  FatalError,
  parseUsageHeader,
  quotaBudgetFromPercentages,
  Redactor,
  requestWithRetry,
  RetriableError,
  type Logger,
  type QuotaBudget,
  type RequestContext,
  type RetryOptions,
} from '@singer-io-ts/sdk';
import { login, type Session } from './auth.js';
import { fetchTransport, type BulkTransport } from './bulk2/index.js';
import { apiVersion, loadConfigSchema, quotaPercents, type SalesforceConfig } from './config.js';
import { classifySalesforceResponse, limitError, parseApiError, SessionExpiredError, unavailable, unreadableBody } from './errors.js';

export interface RequestOptions {
  /** Count this call against the quota budget, stopping cleanly before it would be overrun (sync calls). */
  quota?: boolean;
  /** Read-only POSTs (composite describe) may be retried like GETs. */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Metric tag; the path with ids replaced by default. */
  endpoint?: string;
}

export interface ClientOptions {
  /** Overrides of the SDK's retry policy (tests shorten the backoff). */
  retry?: Partial<Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'deadlineMs'>>;
}

/** Re-authentications allowed for one request: a second 401 right after a fresh login is not an expiry. */
const MAX_REAUTH = 2;

export class SalesforceClient {
  readonly version: string;
  /** Created from the first `Sforce-Limit-Info` seen (every REST response carries it). */
  quota: QuotaBudget | undefined;
  readonly #config: SalesforceConfig;
  readonly #logger: Logger;
  readonly #redactor: Redactor;
  readonly #options: ClientOptions;
  #session: Session | undefined;
  #bulk: BulkTransport | undefined;

  private constructor(config: SalesforceConfig, logger: Logger, options: ClientOptions) {
    this.#config = config;
    this.#logger = logger;
    this.#options = options;
    this.version = apiVersion(config);
    // The SDK does not hand its redactor to taps: ours knows the config's secrets and every session token.
    this.#redactor = Redactor.fromConfig(loadConfigSchema(), config);
  }

  static async connect(config: SalesforceConfig, logger: Logger, options: ClientOptions = {}): Promise<SalesforceClient> {
    const client = new SalesforceClient(config, logger, options);
    client.#session = await login(config, logger, (token) => client.#redactor.addSecret(token));
    await client.#checkVersion();
    return client;
  }

  /** An api_version the org does not offer answers 404 on every call: say so once, clearly. */
  async #checkVersion(): Promise<void> {
    const offered = await this.json<Array<{ version: string }>>('/services/data', {}, { endpoint: 'versions' });
    if (offered.some((entry) => entry.version === this.version)) return;
    const newest = offered.map((entry) => entry.version).sort((a, b) => Number(a) - Number(b)).at(-1);
    throw new ConfigError(`api_version ${this.version} is not offered by ${this.instanceUrl} (newest: ${newest ?? 'none listed'}); set api_version to one it offers`);
  }

  get session(): Session {
    if (!this.#session) throw new FatalError('not logged in');
    return this.#session;
  }

  get instanceUrl(): string {
    return this.session.instanceUrl();
  }

  /**
   * Bulk API 2.0 requests over this client's session: the same access token and instance, and a
   * 401 INVALID_SESSION_ID renews the session through the same login the REST requests use (a
   * renewal in progress is shared).
   */
  get bulkTransport(): BulkTransport {
    if (this.#bulk) return this.#bulk;
    const transport = fetchTransport({
      instanceUrl: () => this.instanceUrl,
      getToken: () => this.session.accessToken(),
      refreshToken: () => this.session.reauthenticate(Date.now()),
      ...(this.#options.retry ? { retry: this.#options.retry } : {}),
      logger: this.#logger,
      // Bulk calls count against the same daily limit as REST ones; deleting a finished or
      // abandoned job is cleanup the quota guard must not stop.
      beforeRequest: (method) => {
        if (method !== 'DELETE') this.quota?.consume();
      },
      onResponse: (response) => this.#followUsage(response),
      // Limits mean on Bulk what they mean on REST (a retry, or a clean stop); other errors are
      // the Bulk reader's to read (INVALIDENTITY → REST, a failed job → halves).
      classify: async (response, { method, path }) => {
        const error = parseApiError(await response.text().catch(() => ''));
        return error?.errorCode === 'REQUEST_LIMIT_EXCEEDED' ? limitError(error, `${method} ${path}`, response.status) : undefined;
      },
    });
    this.#bulk = {
      request: (method, path, init) =>
        transport.request(method, path, init).catch((error: unknown) => {
          throw unavailable(error, method, this.url(path), 'Bulk API 2.0');
        }),
    };
    return this.#bulk;
  }

  /** `https://host/services/data/vNN.N/<path>` for a relative path, the instance plus a `/services/...` path, or a full URL. */
  url(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    if (path.startsWith('/services/')) return `${this.instanceUrl}${path}`;
    return `${this.instanceUrl}/services/data/v${this.version}/${path.replace(/^\/+/, '')}`;
  }

  /**
   * A successful Response, body unread. 5xx/429 are retried by the SDK; a 401 renews the session
   * and replays the request; Salesforce's error codes become the errors of errors.ts.
   */
  async request(path: string, init: RequestInit = {}, options: RequestOptions = {}): Promise<Response> {
    return this.#send(path, init, options);
  }

  /**
   * The JSON body, read inside the request's retries: one that breaks off or ends short is asked
   * for again like a 503 (GETs and idempotent POSTs), and the error after the last try names the
   * call, never the body's text.
   */
  async json<T>(path: string, init: RequestInit = {}, options: RequestOptions = {}): Promise<T> {
    let body: unknown;
    const response = await this.#send(path, init, options, async (copy, method) => {
      try {
        body = JSON.parse(await copy.text());
        return undefined;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        return new RetriableError(`${method} ${new URL(this.url(path)).pathname}: the response body could not be read (${unreadableBody(error)})`, { cause: error });
      }
    });
    await response.body?.cancel().catch(() => {});
    return body as T;
  }

  /** `read`: reads a successful response's body (a copy), returning the error to retry it with. */
  async #send(path: string, init: RequestInit, options: RequestOptions, read?: (copy: Response, method: string) => Promise<Error | undefined>): Promise<Response> {
    const method = init.method ?? 'GET';
    for (let reauth = 0; ; reauth++) {
      const sentAt = Date.now();
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${this.session.accessToken()}`);
      if (!headers.has('accept')) headers.set('accept', 'application/json');
      try {
        return await requestWithRetry(
          this.url(path),
          { ...init, headers },
          {
            ...this.#options.retry,
            logger: this.#logger,
            redactor: this.#redactor,
            classify: async (response, context) => (await this.#classify(response, context)) ?? (read && response.ok ? read(response, method) : undefined),
            ...(options.quota && this.quota ? { quota: this.quota } : {}),
            ...(options.idempotent !== undefined ? { idempotent: options.idempotent } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          },
        );
      } catch (error) {
        if (!(error instanceof SessionExpiredError) || reauth >= MAX_REAUTH) throw unavailable(error, method, this.url(path), options.endpoint);
        this.#logger.info(`${error.message}: logging in again`);
        await this.session.reauthenticate(sentAt);
      }
    }
  }

  /** Every response, failed ones included, reports the org's API usage: the budget follows it. */
  async #classify(response: Response, context: RequestContext): Promise<Error | undefined> {
    this.#followUsage(response);
    return classifySalesforceResponse(response, context);
  }

  #followUsage(response: Response): void {
    const usage = parseUsageHeader(response.headers.get('sforce-limit-info'));
    if (!usage) return;
    if (this.quota) this.quota.update(usage.used, usage.limit);
    else this.quota = quotaBudgetFromPercentages({ name: 'Salesforce', limit: usage.limit, used: usage.used, config: quotaPercents(this.#config), logger: this.#logger });
  }
}
