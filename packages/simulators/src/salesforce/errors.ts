import { sendJson, type RequestContext } from '../core/server.js';

/** A REST/Bulk 2.0 answer before it is put on the wire (composite batch reuses it without HTTP). */
export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string | number>;
}

/** Salesforce REST errors are arrays of `{message, errorCode}`; jsforce unwraps a single element. */
export function apiError(status: number, errorCode: string, message: string): ApiResult {
  return { status, body: [{ message, errorCode }] };
}

/** Thrown inside request handling; the route wrapper turns it into the error array. */
export class SalesforceError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  toResult(): ApiResult {
    return apiError(this.status, this.errorCode, this.message);
  }
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export function notFound(): SalesforceError {
  return new SalesforceError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
}

export const QUERY_TIMEOUT_MESSAGE = 'Your query request was running for too long.';

/** Status and default message of the errorCodes a test can ask for with `inject({action:{type:'error', code}})`. */
const NATIVE: Record<string, [number, string]> = {
  INVALID_SESSION_ID: [401, 'Session expired or invalid'],
  REQUEST_LIMIT_EXCEEDED: [403, 'TotalRequests Limit exceeded.'],
  API_DISABLED_FOR_ORG: [403, 'API is not enabled for this Organization or Partner'],
  INSUFFICIENT_ACCESS: [403, 'insufficient access rights on object id'],
  QUERY_TIMEOUT: [400, QUERY_TIMEOUT_MESSAGE],
  INVALID_QUERY_LOCATOR: [400, 'invalid query locator'],
  MALFORMED_QUERY: [400, 'unexpected token'],
  INVALID_FIELD: [400, 'No such column'],
  INVALID_TYPE: [400, 'sObject type is not supported.'],
  NOT_FOUND: [404, NOT_FOUND_MESSAGE],
  METHOD_NOT_ALLOWED: [405, 'HTTP Method not allowed'],
  UNKNOWN_EXCEPTION: [500, 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)'],
  SERVER_UNAVAILABLE: [503, 'Server temporarily unavailable'],
  REQUEST_RUNNING_TOO_LONG: [400, 'Your request was running for too long, and has been stopped.'],
};

export function nativeErrorResult(code: string, message: string | undefined): ApiResult {
  const [status, fallback] = NATIVE[code] ?? [400, code];
  return apiError(status, code, message ?? fallback);
}

export function sendResult(ctx: RequestContext, result: ApiResult): void {
  if (result.status === 204) {
    ctx.res.writeHead(204, result.headers ?? {});
    ctx.res.end();
    return;
  }
  sendJson(ctx, result.status, result.body, result.headers);
}

/** OAuth token endpoint errors are `{error, error_description}` objects, not arrays. */
export function oauthError(error: string, description: string): ApiResult {
  return { status: 400, body: { error, error_description: description } };
}

export function xmlEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

export function xmlUnescape(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');
}

/** SOAP fault as the partner API sends it (HTTP 500); jsforce regex-extracts `<faultstring>`. */
export function soapFault(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>' +
    `<faultcode>sf:${code}</faultcode><faultstring>${xmlEscape(`${code}: ${message}`)}</faultstring>` +
    `<detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>${code}</sf:exceptionCode>` +
    `<sf:exceptionMessage>${xmlEscape(message)}</sf:exceptionMessage></sf:LoginFault></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}
