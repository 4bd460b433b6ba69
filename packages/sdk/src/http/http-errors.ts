import { FatalError, RetriableError } from '../errors.js';
import type { Redactor } from '../secrets.js';

/** What an HTTP error tells about its request, with the URL already redacted. */
export interface HttpErrorDetails {
  method: string;
  url: string;
  status: number;
  bodyExcerpt: string;
}

/** A response that trying again will not fix (most 4xx). */
export class HttpError extends FatalError implements HttpErrorDetails {
  constructor(details: HttpErrorDetails, message: string = describeResponse(details)) {
    super(message);
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.bodyExcerpt = details.bodyExcerpt;
  }
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly bodyExcerpt: string;
}

/** A response worth another try (429, 503, ...), with the server's wait hint if it sent one. */
export class RetriableHttpError extends RetriableError implements HttpErrorDetails {
  constructor(details: HttpErrorDetails & { retryAfterMs?: number }, message: string = describeResponse(details)) {
    super(message, { status: details.status, retryAfterMs: details.retryAfterMs });
    this.method = details.method;
    this.url = details.url;
    this.bodyExcerpt = details.bodyExcerpt;
  }
  readonly method: string;
  readonly url: string;
  declare readonly status: number;
  readonly bodyExcerpt: string;
}

export function describeResponse({ method, url, status, bodyExcerpt }: HttpErrorDetails): string {
  return `${method} ${url} responded HTTP ${status}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}`;
}

export const BODY_EXCERPT_CHARS = 300;
const BODY_EXCERPT_BYTES = 4 * 1024;

/**
 * The start of an error response's body, whitespace collapsed, secrets masked, for messages.
 * Reads at most a few KiB and cancels the rest so the connection can be reused.
 */
export async function readBodyExcerpt(response: Response, redactor?: Redactor, maxChars = BODY_EXCERPT_CHARS): Promise<string> {
  const body = response.body;
  if (!body || response.bodyUsed) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < BODY_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut short still gives what was read; the status alone is worth reporting.
  } finally {
    reader.cancel().catch(() => {});
  }
  const collapsed = text.replace(/\s+/g, ' ').trim();
  const masked = redactor ? redactor.redactText(collapsed) : collapsed;
  return masked.length > maxChars ? `${masked.slice(0, maxChars)}…` : masked;
}
