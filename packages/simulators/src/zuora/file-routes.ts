import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { sendStream, type RequestContext, type Route } from '../core/server.js';
import type { ZuoraContext } from './context.js';
import { v1Error } from './errors.js';
import { csvChunks } from './files.js';

/**
 * `GET /v1/file/{id}` (AQuA, plus the legacy `/apps/api/file/{id}`) and
 * `GET /v1/files/{id}` (generic Files API, used for exports). Either path
 * serves any result file; both answer 404 once the file has expired.
 */
async function download(zuora: ZuoraContext, ctx: RequestContext): Promise<void> {
  const id = ctx.params.id ?? '';
  const file = zuora.state.file(id);
  if (!file) return v1Error(ctx, 50000040, `Cannot find file by id '${id}'; it may have expired or been deleted`, 404);
  if (file.format === 'gzip') {
    ctx.res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-disposition': `attachment; filename="${id}.csv.gz"` });
    await pipeline(Readable.from(csvChunks(file)), createGzip(), ctx.res);
    return;
  }
  await sendStream(ctx, 200, csvChunks(file), {
    'content-type': 'text/csv;charset=UTF-8',
    'content-disposition': `attachment; filename="${id}.csv"`,
  });
}

export function fileRoutes(zuora: ZuoraContext): Route[] {
  return [
    { name: 'aqua.file', method: 'GET', path: /^(?:\/v1|\/apps\/api)\/file\/(?<id>[^/]+)\/?$/, handle: (ctx) => download(zuora, ctx) },
    { name: 'files.get', method: 'GET', path: /^\/v1\/files\/(?<id>[^/]+)\/?$/, handle: (ctx) => download(zuora, ctx) },
  ];
}
