/**
 * Credentials generated per start, the OAuth token endpoint (password,
 * refresh_token, client_credentials), SOAP login and session checks. Access
 * tokens are opaque and carry no `expires_in`: like the real org, the server
 * decides when one stops working and says so with 401 INVALID_SESSION_ID.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { oauthError, soapFault, xmlEscape, xmlUnescape, type ApiResult } from './errors.js';
import { randomToken } from './format.js';
import type { SalesforceScenario } from './scenario.js';

export interface SalesforceCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  securityToken: string;
  refreshToken: string;
}

interface Session {
  issuedAt: number;
  calls: number;
  dead: boolean;
}

export interface Org {
  orgId: string;
  userId: string;
  /** My Domain URL: instance and login host. */
  url: () => string;
}

export function generateCredentials(domain: string): SalesforceCredentials {
  return {
    clientId: `3MVG9${randomToken(60).replace(/[-_]/g, 'x').slice(0, 80)}`,
    clientSecret: randomBytes(32).toString('hex').toUpperCase(),
    username: `integration@${domain}`,
    password: `Sim-${randomToken(9)}`,
    securityToken: randomToken(18).replace(/[-_]/g, 'Z').slice(0, 24),
    refreshToken: `5Aep861${randomToken(48).replace(/[-_]/g, '.')}`,
  };
}

export class AuthService {
  readonly #sessions = new Map<string, Session>();
  readonly #refreshTokens = new Set<string>();

  constructor(
    readonly credentials: SalesforceCredentials,
    readonly org: Org,
    readonly scenario: SalesforceScenario,
  ) {
    this.#refreshTokens.add(credentials.refreshToken);
  }

  issueToken(): string {
    const token = `${this.org.orgId.slice(0, 15)}!AQ${randomToken(72).replace(/[-_]/g, '.')}`;
    this.#sessions.set(token, { issuedAt: Date.now(), calls: 0, dead: false });
    return token;
  }

  /** Counts one API call on the token; false when the token is unknown, revoked or has expired (it then stays dead). */
  use(token: string | undefined): boolean {
    const session = token ? this.#sessions.get(token) : undefined;
    if (!session || session.dead) return false;
    const { tokenLifetimeCalls, tokenLifetimeMs } = this.scenario;
    if ((tokenLifetimeCalls !== undefined && session.calls >= tokenLifetimeCalls) || (tokenLifetimeMs !== undefined && Date.now() - session.issuedAt >= tokenLifetimeMs)) {
      session.dead = true;
      return false;
    }
    session.calls += 1;
    return true;
  }

  /** Ends every session issued so far (an admin revoking them, or the org's session timeout). */
  expireAll(): void {
    for (const session of this.#sessions.values()) session.dead = true;
  }

  revoke(token: string): void {
    const session = this.#sessions.get(token);
    if (session) session.dead = true;
    this.#refreshTokens.delete(token);
  }

  /** `POST /services/oauth2/token`; `generic` when it arrived at login.salesforce.com rather than the My Domain host. */
  token(form: URLSearchParams, generic: boolean, loginUrl: string): ApiResult {
    const { credentials, scenario } = this;
    const grant = form.get('grant_type');
    const clientOk = (): ApiResult | undefined => {
      if (form.get('client_id') !== credentials.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
      const secret = form.get('client_secret');
      if (secret !== null && secret !== credentials.clientSecret) return oauthError('invalid_client', 'invalid client credentials');
      return undefined;
    };
    switch (grant) {
      case 'password': {
        const bad = clientOk();
        if (bad) return bad;
        if (form.get('client_secret') === null) return oauthError('invalid_client', 'invalid client credentials');
        if (!this.passwordOk(form.get('username'), form.get('password'))) return oauthError('invalid_grant', 'authentication failure');
        return this.#success(loginUrl, {});
      }
      case 'refresh_token': {
        const bad = clientOk();
        if (bad) return bad;
        const refreshToken = form.get('refresh_token') ?? '';
        if (scenario.refreshFails || !this.#refreshTokens.has(refreshToken)) return oauthError('invalid_grant', 'expired access/refresh token');
        const extra: Record<string, string> = { scope: 'api refresh_token' };
        if (scenario.rotateRefreshToken) {
          this.#refreshTokens.delete(refreshToken);
          const rotated = `5Aep861${randomToken(48).replace(/[-_]/g, '.')}`;
          this.#refreshTokens.add(rotated);
          extra.refresh_token = rotated;
        }
        return this.#success(loginUrl, extra);
      }
      case 'client_credentials': {
        if (generic) return oauthError('invalid_grant', 'request not supported on this domain');
        const bad = clientOk();
        if (bad) return bad;
        if (form.get('client_secret') === null) return oauthError('invalid_client', 'invalid client credentials');
        return this.#success(loginUrl, { scope: 'api' });
      }
      default:
        return oauthError('unsupported_grant_type', 'grant type not supported');
    }
  }

  passwordOk(username: string | null, password: string | null): boolean {
    const { credentials, scenario } = this;
    if (username?.toLowerCase() !== credentials.username.toLowerCase()) return false;
    if (password === credentials.password + credentials.securityToken) return true;
    return !scenario.requireSecurityToken && password === credentials.password;
  }

  #success(loginUrl: string, extra: Record<string, string>): ApiResult {
    const id = `${loginUrl}/id/${this.org.orgId}/${this.org.userId}`;
    const issuedAt = String(Date.now());
    const signature = createHmac('sha256', this.credentials.clientSecret).update(id + issuedAt).digest('base64');
    const accessToken = this.issueToken();
    const { refresh_token: refreshToken, ...rest } = extra;
    return {
      status: 200,
      body: {
        access_token: accessToken,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
        signature,
        ...rest,
        instance_url: this.org.url(),
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
      },
    };
  }

  /** SOAP `login` of the partner API (jsforce's path when no client secret is configured). */
  soapLogin(body: string, version: string): { status: number; xml: string } {
    const username = xmlUnescape(/<(?:\w+:)?username>([^<]*)<\//.exec(body)?.[1] ?? '');
    const password = xmlUnescape(/<(?:\w+:)?password>([^<]*)<\//.exec(body)?.[1] ?? '');
    if (!this.passwordOk(username, password)) {
      return { status: 500, xml: soapFault('INVALID_LOGIN', 'Invalid username, password, security token; or user locked out.') };
    }
    const sessionId = this.issueToken();
    const url = this.org.url();
    const org15 = this.org.orgId.slice(0, 15);
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<soapenv:Body><loginResponse><result>' +
      `<metadataServerUrl>${url}/services/Soap/m/${version}/${org15}</metadataServerUrl>` +
      `<passwordExpired>${this.scenario.passwordExpired}</passwordExpired><sandbox>false</sandbox>` +
      `<serverUrl>${url}/services/Soap/u/${version}/${org15}</serverUrl>` +
      `<sessionId>${xmlEscape(sessionId)}</sessionId><userId>${this.org.userId}</userId>` +
      '<userInfo><accessibilityMode>false</accessibilityMode><chatterExternal>false</chatterExternal><currencySymbol>$</currencySymbol>' +
      `<orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit><orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode><orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments><orgHasPersonAccounts>false</orgHasPersonAccounts><organizationId>${this.org.orgId}</organizationId>` +
      `<organizationMultiCurrency>false</organizationMultiCurrency><organizationName>Simulated Company</organizationName><profileId>00e000000000001AAA</profileId><roleId xsi:nil="true"/><sessionSecondsValid>7200</sessionSecondsValid>` +
      `<userDefaultCurrencyIsoCode xsi:nil="true"/><userEmail>${xmlEscape(this.credentials.username)}</userEmail><userFullName>Integration User</userFullName><userId>${this.org.userId}</userId>` +
      `<userLanguage>en_US</userLanguage><userLocale>en_US</userLocale><userName>${xmlEscape(this.credentials.username)}</userName><userTimeZone>America/Los_Angeles</userTimeZone><userType>Standard</userType><userUiSkin>Theme3</userUiSkin></userInfo>` +
      '</result></loginResponse></soapenv:Body></soapenv:Envelope>';
    return { status: 200, xml };
  }
}

/** The token from `Authorization: Bearer|OAuth <t>` or Bulk 1.0's `X-SFDC-Session`. */
export function bearer(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1];
  }
  const session = headers['x-sfdc-session'];
  return typeof session === 'string' && session !== '' ? session : undefined;
}
