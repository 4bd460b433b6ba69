/**
 * Every login goes through jsforce, which also owns re-authentication: each flow leaves a
 * jsforce session-refresh delegate on the connection (jsforce's own for the refresh-token and
 * password logins, ours for client credentials and JWT, which have no refresh token), and a
 * 401 INVALID_SESSION_ID anywhere in the tap runs that delegate once for all requests in flight.
 */
import { ConfigError, FatalError, errorMessage, type Logger } from '@singer-io-ts/sdk';
import jsforce, { type Connection } from 'jsforce';
import { apiVersion, loginUrl, type SalesforceConfig } from './config.js';
import { buildJwtAssertion, JWT_BEARER_GRANT, readPrivateKey } from './jwt.js';

export type LoginFlow = 'refresh_token' | 'jwt_bearer' | 'oauth_password' | 'soap_password' | 'client_credentials';

/** The login the config's keys call for, in the documented order of precedence. */
export function loginFlow(config: SalesforceConfig): LoginFlow {
  const { client_id: id, client_secret: secret } = config;
  if (config.refresh_token) {
    if (!id) throw new ConfigError('refresh_token needs client_id (and client_secret, unless the connected app has none)');
    return 'refresh_token';
  }
  if (config.private_key) {
    if (!id || !config.username) throw new ConfigError('the JWT bearer login (private_key) needs client_id and username');
    return 'jwt_bearer';
  }
  if (config.username || config.password) {
    if (!config.username || !config.password) throw new ConfigError('the password login needs both username and password');
    return id && secret ? 'oauth_password' : 'soap_password';
  }
  if (id && secret) return 'client_credentials';
  throw new ConfigError(
    'no login configured: set client_id, client_secret and refresh_token; or client_id, username and private_key (JWT); or username, password and security_token; or client_id and client_secret (client credentials, with login_url the My Domain URL)',
  );
}

/** A logged-in jsforce connection and the means to log in again. */
export interface Session {
  readonly flow: LoginFlow;
  readonly connection: Connection;
  accessToken(): string;
  instanceUrl(): string;
  /**
   * Called after a 401 on a request sent at `sentAt` (epoch ms): a refresh that already happened
   * since then is reused, one in progress is awaited, otherwise a new one is made.
   */
  reauthenticate(sentAt: number): Promise<void>;
}

type TokenResponse = { access_token: string; instance_url: string; id: string; refresh_token?: string };
type RefreshFn = NonNullable<ConstructorParameters<typeof jsforce.Connection>[0]>['refreshFn'];

/** A refreshFn that asks for a new token with the same grant (jsforce's own needs a refresh token). */
function regrant(params: () => Record<string, string>): RefreshFn {
  return (conn, callback) => {
    conn.oauth2
      .requestToken(params() as { grant_type: string })
      .then((res: TokenResponse) => {
        conn._establish({ instanceUrl: res.instance_url, accessToken: res.access_token });
        callback(null, res.access_token, res as never);
      })
      .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
  };
}

/** The audience of a JWT assertion, chosen as the Salesforce CLI chooses it. */
export function jwtAudience(url: string): string {
  return /test\.salesforce\.com|\.sandbox\.my\.salesforce\.com/i.test(url) ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
}

export async function login(config: SalesforceConfig, logger: Logger, onNewToken: (token: string) => void = () => {}): Promise<Session> {
  const flow = loginFlow(config);
  const url = loginUrl(config);
  const version = apiVersion(config);
  const oauth2 = { loginUrl: url, clientId: config.client_id, clientSecret: config.client_secret };
  const base = { loginUrl: url, version, ...(config.instance_url ? { instanceUrl: config.instance_url } : {}) };
  let connection: Connection;

  if (flow === 'refresh_token') {
    connection = new jsforce.Connection({ ...base, oauth2, refreshToken: config.refresh_token });
    // A connected app with rotation revokes the old refresh token: keep the new one for this run.
    connection.on('refresh', (_token: string, res?: TokenResponse) => {
      if (res?.refresh_token && res.refresh_token !== connection.refreshToken) {
        connection.refreshToken = res.refresh_token;
        logger.warn('Salesforce rotated the refresh token: the one in the config no longer works; update refresh_token from the connected app');
      }
    });
  } else if (flow === 'jwt_bearer') {
    const key = readPrivateKey(config.private_key!);
    const params = () => ({ grant_type: JWT_BEARER_GRANT, assertion: buildJwtAssertion({ clientId: config.client_id!, username: config.username!, audience: jwtAudience(url) }, key) });
    // No client_id/secret on the OAuth2 object: the assertion carries the client, and a secret sent along is refused by some orgs.
    connection = new jsforce.Connection({ ...base, oauth2: { loginUrl: url }, refreshFn: regrant(params) });
  } else if (flow === 'client_credentials') {
    connection = new jsforce.Connection({ ...base, oauth2, refreshFn: regrant(() => ({ grant_type: 'client_credentials' })) });
  } else {
    // jsforce's login() installs a delegate that logs in again with the same credentials.
    connection = new jsforce.Connection({ ...base, oauth2: flow === 'oauth_password' ? oauth2 : { loginUrl: url } });
  }

  const delegate = () => {
    const found = connection._refreshDelegate;
    if (!found) throw new FatalError(`the ${flow} login left no way to re-authenticate`);
    return found;
  };
  try {
    if (flow === 'oauth_password' || flow === 'soap_password') {
      await connection.login(config.username!, config.password! + (config.security_token ?? ''));
    } else {
      await delegate().refresh(Date.now());
    }
  } catch (error) {
    throw new FatalError(`Salesforce login (${flow}) at ${url} failed: ${cleanLoginError(error)}`, { cause: error });
  }
  if (!connection.accessToken || !connection.instanceUrl) throw new FatalError(`Salesforce login (${flow}) returned no session`);
  onNewToken(connection.accessToken);
  logger.info(`logged in to ${connection.instanceUrl} (${flow.replace('_', ' ')}), API v${version}`);
  // Every login answers with the org's instance, and jsforce uses that one: a different
  // configured instance_url is stale (the org moved, a sandbox was refreshed). Say so.
  const configured = config.instance_url?.replace(/\/+$/, '');
  if (configured && configured !== connection.instanceUrl.replace(/\/+$/, '')) {
    logger.warn(`instance_url ${configured} is not the instance the login returned (${connection.instanceUrl}): using the login's; update or remove instance_url`);
  }

  // Our own single flight: a password re-login replaces jsforce's delegate, whose memory of
  // the last refresh is then lost, so requests that failed together must share one renewal here.
  let renewedAt = 0;
  let renewal: Promise<void> | undefined;
  const renew = async () => {
    try {
      await delegate().refresh(Date.now());
    } catch (error) {
      throw new FatalError(`Salesforce session expired and logging in again (${flow}) failed: ${cleanLoginError(error)}`, { cause: error });
    }
    renewedAt = Date.now();
    if (connection.accessToken) onNewToken(connection.accessToken);
    logger.info(`session renewed (${flow.replace('_', ' ')})`);
  };
  return {
    flow,
    connection,
    accessToken: () => connection.accessToken!,
    instanceUrl: () => connection.instanceUrl.replace(/\/+$/, ''),
    async reauthenticate(sentAt: number) {
      if (renewedAt >= sentAt) return;
      renewal ??= renew().finally(() => (renewal = undefined));
      await renewal;
    },
  };
}

/** jsforce prefixes refresh failures with its own words; keep Salesforce's reason. */
function cleanLoginError(error: unknown): string {
  return errorMessage(error).replace(/^Unable to refresh session due to: /, '');
}
