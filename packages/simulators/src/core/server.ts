import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultRegistry, type Fault, type FaultAction, type FaultSpec } from './faults.js';

export type Params = Record<string, string>;

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Named captures of the route pattern. */
  params: Params;
  route: string;
  /** The fault that hit this request when its action is `truncate` or `drop` (applied by `sendStream`/`send`). */
  fault: Fault | undefined;
  body(): Promise<Buffer>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  /** `application/x-www-form-urlencoded` body (or the query string when the body is empty). */
  form(): Promise<URLSearchParams>;
}

export interface Route {
  /** Stable name used by counters and fault specs (`query`, `bulk2.results`, `aqua.submit`). */
  name: string;
  method: string | readonly string[];
  /** Regex on the path with named groups. */
  path: RegExp;
  handle(ctx: RequestContext): Promise<void> | void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  route: string;
  status: number;
  /** When the request arrived (epoch ms, real time): rate windows can be checked from the log. */
  at: number;
  fault?: FaultAction['type'];
}

export interface ServerOptions {
  name: string;
  port?: number;
  host?: string;
  routes: readonly Route[];
  /** Native error for a fault `{type:'error', code}`. */
  nativeError(ctx: RequestContext, code: string, message: string | undefined): Promise<void> | void;
  /** Unknown path. */
  notFound(ctx: RequestContext): Promise<void> | void;
  /** Called before routing; return true when it answered (auth checks, rate limits). */
  before?(ctx: RequestContext): Promise<boolean> | boolean;
}

const REQUEST_LOG_LIMIT = 10_000;

/** One HTTP server with routing, counters, a request log and fault injection. */
export class SimServer {
  readonly faults = new FaultRegistry();
  readonly requests: RequestLogEntry[] = [];
  readonly #counts = new Map<string, number>();
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #options: ServerOptions;
  #total = 0;
  url = '';
  port = 0;

  constructor(options: ServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      this.#dispatch(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator error: ${error instanceof Error ? error.message : String(error)}`);
        } else {
          res.destroy();
        }
      });
    });
    this.#server.keepAliveTimeout = 5_000;
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  async listen(): Promise<this> {
    const host = this.#options.host ?? '127.0.0.1';
    this.#server.listen(this.#options.port ?? 0, host);
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  inject(spec: FaultSpec): Fault {
    return this.faults.inject(spec);
  }

  /** Requests served, all of them or those of one route. */
  calls(route?: string): number {
    return route === undefined ? this.#total : (this.#counts.get(route) ?? 0);
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  resetCounters(): void {
    this.#counts.clear();
    this.#total = 0;
    this.requests.length = 0;
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator');
    let route: Route | undefined;
    let params: Params = {};
    for (const candidate of this.#options.routes) {
      const methods = typeof candidate.method === 'string' ? [candidate.method] : candidate.method;
      if (!methods.includes(method)) continue;
      const match = candidate.path.exec(url.pathname);
      if (match) {
        route = candidate;
        params = { ...match.groups };
        break;
      }
    }
    const routeName = route?.name ?? 'unknown';
    this.#total += 1;
    this.#counts.set(routeName, (this.#counts.get(routeName) ?? 0) + 1);
    const ctx = makeContext(req, res, method, url, params, routeName);
    const entry: RequestLogEntry = { method, path: url.pathname, route: routeName, status: 0, at: Date.now() };
    if (this.requests.length >= REQUEST_LOG_LIMIT) this.requests.shift();
    this.requests.push(entry);
    res.once('finish', () => {
      entry.status = res.statusCode;
    });
    res.once('close', () => {
      entry.status ||= res.statusCode;
    });

    const fault = this.faults.take(method, routeName, url.pathname);
    if (fault) {
      entry.fault = fault.action.type;
      const action = fault.action;
      if (action.type === 'delay') {
        await sleep(action.ms);
      } else if (action.type === 'status') {
        await ctx.body().catch(() => undefined);
        const body = typeof action.body === 'string' || action.body === undefined ? (action.body ?? '') : JSON.stringify(action.body);
        const type = typeof action.body === 'object' ? 'application/json;charset=UTF-8' : 'text/plain;charset=UTF-8';
        res.writeHead(action.status, { 'content-type': type, ...action.headers });
        res.end(body);
        return;
      } else if (action.type === 'error') {
        await ctx.body().catch(() => undefined);
        await this.#options.nativeError(ctx, action.code, action.message);
        return;
      } else {
        ctx.fault = fault;
      }
    }

    if (this.#options.before && (await this.#options.before(ctx))) return;
    if (!route) {
      await this.#options.notFound(ctx);
      return;
    }
    await route.handle(ctx);
  }
}

function makeContext(req: IncomingMessage, res: ServerResponse, method: string, url: URL, params: Params, route: string): RequestContext {
  let body: Promise<Buffer> | undefined;
  const readBody = (): Promise<Buffer> => {
    body ??= (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    })();
    return body;
  };
  return {
    req,
    res,
    method,
    url,
    params,
    route,
    fault: undefined,
    body: readBody,
    text: async () => (await readBody()).toString('utf8'),
    json: async <T>() => {
      const text = (await readBody()).toString('utf8');
      return (text === '' ? {} : JSON.parse(text)) as T;
    },
    form: async () => {
      const text = (await readBody()).toString('utf8');
      return new URLSearchParams(text === '' ? url.search : text);
    },
  };
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function sendJson(ctx: RequestContext, status: number, value: unknown, headers: Record<string, string | number> = {}): void {
  send(ctx, status, JSON.stringify(value), { 'content-type': JSON_TYPE, ...headers });
}

/** Sends a whole body, honouring a `drop`/`truncate` fault on this request. */
export function send(ctx: RequestContext, status: number, body: string | Buffer, headers: Record<string, string | number> = {}): void {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const action = ctx.fault?.action;
  if (action?.type === 'drop') {
    ctx.res.writeHead(status, { ...headers, 'content-length': buffer.length });
    ctx.res.write(buffer.subarray(0, action.afterBytes ?? Math.floor(buffer.length / 2)), () => ctx.res.destroy());
    return;
  }
  const cut = action?.type === 'truncate' ? buffer.subarray(0, Math.floor(buffer.length * (action.fraction ?? 0.5))) : buffer;
  ctx.res.writeHead(status, { ...headers, 'content-length': cut.length });
  ctx.res.end(cut);
}

/**
 * Streams a body made of chunks, waiting for `drain` so that a large export
 * costs constant memory. A `drop` fault destroys the socket after `afterBytes`
 * (default 64 KiB); a `truncate` fault ends the response cleanly after that many bytes.
 */
export async function sendStream(ctx: RequestContext, status: number, chunks: Iterable<string> | AsyncIterable<string>, headers: Record<string, string | number> = {}): Promise<void> {
  const { res } = ctx;
  const action = ctx.fault?.action;
  const limit = action?.type === 'drop' || action?.type === 'truncate' ? ('afterBytes' in action ? (action.afterBytes ?? 65_536) : 65_536) : Infinity;
  res.writeHead(status, headers);
  let written = 0;
  let buffered: string[] = [];
  let bufferedLength = 0;
  const flush = async (): Promise<void> => {
    if (bufferedLength === 0) return;
    const text = buffered.join('');
    buffered = [];
    bufferedLength = 0;
    if (!res.write(text)) await once(res, 'drain');
  };
  for await (const chunk of chunks) {
    if (res.destroyed) return;
    if (written + chunk.length > limit) {
      buffered.push(chunk.slice(0, Math.max(0, limit - written)));
      bufferedLength += 1;
      await flush();
      if (action?.type === 'drop') res.destroy();
      else res.end();
      return;
    }
    written += chunk.length;
    buffered.push(chunk);
    bufferedLength += chunk.length;
    if (bufferedLength >= 65_536) await flush();
  }
  await flush();
  res.end();
}
