import { once } from 'node:events';
import { sendStream, type RequestContext, type Route } from '../core/server.js';
import { fileChunks, type FilePlan } from './bulk-csv.js';
import type { BulkJobs, Job } from './bulk-jobs.js';
import { isRejected, planExport, type BulkType, type CreateRequest } from './bulk-plan.js';
import { path, type Marketo } from './context.js';
import { fail, httpError, ok } from './envelope.js';
import { restDate } from './format.js';

const TYPE = '/bulk/v1/(?<type>leads|activities|program/members)/export';
const ID = '(?<id>[^/]+)';

function typeOf(ctx: RequestContext): BulkType {
  return ctx.params.type as BulkType;
}

/** Bulk extract for leads, activities and program members. */
export function bulkRoutes(mk: Marketo, jobs: BulkJobs): Route[] {
  const find = (ctx: RequestContext): Job | undefined => {
    const job = jobs.get(ctx.params.id ?? '');
    if (!job || job.type !== typeOf(ctx)) {
      fail(ctx, '1003', `Export id ${ctx.params.id ?? ''} not found`);
      return undefined;
    }
    return job;
  };

  return [
    {
      name: 'bulk.create',
      method: 'POST',
      path: path(`${TYPE}/create\\.json`),
      async handle(ctx) {
        let body: CreateRequest;
        try {
          body = await ctx.json<CreateRequest>();
        } catch {
          fail(ctx, '609');
          return;
        }
        const spec = planExport(mk, typeOf(ctx), body);
        if (isRejected(spec)) {
          fail(ctx, spec.code, spec.message);
          return;
        }
        if (mk.scenario.badCreates > 0) {
          // Marketo sometimes answers a create with a job that is not Created (and an id that is not one); clients retry.
          mk.scenario.badCreates -= 1;
          ok(ctx, { result: [{ exportId: 'null', format: spec.format, status: mk.scenario.badCreateStatus, createdAt: restDate(mk.clock.now()) }] });
          return;
        }
        const job = jobs.create(typeOf(ctx), spec);
        if (isRejected(job)) {
          fail(ctx, job.code, job.message);
          return;
        }
        ok(ctx, { result: [jobs.describe(job)] });
      },
    },
    {
      name: 'bulk.enqueue',
      method: 'POST',
      path: path(`${TYPE}/${ID}/enqueue\\.json`),
      handle(ctx) {
        const job = find(ctx);
        if (!job) return;
        const refused = jobs.enqueue(job);
        if (refused) fail(ctx, refused.code, refused.message);
        else ok(ctx, { result: [jobs.describe(job)] });
      },
    },
    {
      name: 'bulk.status',
      method: 'GET',
      path: path(`${TYPE}/${ID}/status\\.json`),
      handle(ctx) {
        const job = find(ctx);
        if (job) ok(ctx, { result: [jobs.describe(job)] });
      },
    },
    {
      name: 'bulk.cancel',
      method: 'POST',
      path: path(`${TYPE}/${ID}/cancel\\.json`),
      handle(ctx) {
        const job = find(ctx);
        if (!job) return;
        jobs.cancel(job);
        ok(ctx, { result: [jobs.describe(job)] });
      },
    },
    {
      name: 'bulk.list',
      method: 'GET',
      path: path(`${TYPE}\\.json`),
      handle(ctx) {
        const statuses = new Set(ctx.url.searchParams.getAll('status').flatMap((status) => status.split(',')).filter((status) => status !== ''));
        const since = mk.clock.now() - 7 * 86_400_000;
        const result = jobs
          .all()
          .filter((job) => job.type === typeOf(ctx) && job.createdAt >= since && (statuses.size === 0 || statuses.has(job.status)))
          .map((job) => jobs.describe(job));
        ok(ctx, { result: result.length > 0 ? result : undefined });
      },
    },
    {
      name: 'bulk.file',
      method: 'GET',
      path: path(`${TYPE}/${ID}/file\\.json`),
      async handle(ctx) {
        const job = jobs.get(ctx.params.id ?? '');
        if (!job || job.type !== typeOf(ctx) || (job.status === 'Completed' && jobs.expired(job))) {
          // Unknown or past retention: the file is gone.
          httpError(ctx, 404);
          return;
        }
        if (job.status !== 'Completed' || !job.plan || !job.pass) {
          fail(ctx, '1003', `Export ${job.exportId} is not completed (status ${job.status})`);
          return;
        }
        const size = job.pass.fileSize;
        const type = job.spec.format === 'CSV' ? 'text/csv;charset=UTF-8' : 'text/plain;charset=UTF-8';
        const range = ctx.req.headers.range;
        if (range === undefined) {
          await sendStream(ctx, 200, fileChunks(job.plan), { 'content-type': type, 'accept-ranges': 'bytes' });
          return;
        }
        const bounds = parseRange(range, size);
        if (!bounds) {
          ctx.res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': 0 });
          ctx.res.end();
          return;
        }
        await sendRange(ctx, job.plan, bounds, size, type);
      },
    },
  ];
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive byte bounds, or undefined when unsatisfiable. */
function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || end < start) return undefined;
  return { start, end };
}

/** A byte range of the file: 206 with Content-Range, bytes cut exactly (a range may split a UTF-8 character). */
async function sendRange(ctx: RequestContext, plan: FilePlan, bounds: { start: number; end: number }, size: number, type: string): Promise<void> {
  const { res } = ctx;
  const length = bounds.end - bounds.start + 1;
  res.writeHead(206, { 'content-type': type, 'content-range': `bytes ${bounds.start}-${bounds.end}/${size}`, 'content-length': length, 'accept-ranges': 'bytes' });
  let offset = 0;
  for (const chunk of fileChunks(plan)) {
    if (res.destroyed) return;
    const bytes = Buffer.from(chunk, 'utf8');
    const from = Math.max(bounds.start - offset, 0);
    const to = Math.min(bounds.end + 1 - offset, bytes.length);
    offset += bytes.length;
    if (to > from && !res.write(bytes.subarray(from, to))) await once(res, 'drain');
    if (offset > bounds.end) break;
  }
  res.end();
}
