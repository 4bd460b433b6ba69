import { sendJson, type RequestContext, type Route } from '../core/server.js';
import type { Millis } from '../dataset/types.js';
import { planContext, windowDays, type ZuoraContext } from './context.js';
import { aquaError, concurrencyLimited } from './errors.js';
import type { DeletedSpec } from './files.js';
import { planQuery } from './plan.js';
import { newLifecycle, type AquaBatch, type AquaJob } from './state.js';
import { formatTenantPlain, parseIncrementalTime } from './time.js';
import { parseZoql, ZoqlSyntaxError } from './zoql.js';

/**
 * AQuA (Aggregate Query API): submit, status, cancel/delete and "last job of
 * a session". Request errors come back with HTTP 200 and `errorCode`/`message`.
 */

interface AquaQuery {
  name?: unknown;
  query?: unknown;
  type?: unknown;
  deleted?: { column?: unknown; format?: unknown } | null;
}

interface AquaRequest {
  name?: unknown;
  partner?: unknown;
  project?: unknown;
  format?: unknown;
  version?: unknown;
  encrypted?: unknown;
  useQueryLabels?: unknown;
  dateTimeUtc?: unknown;
  incrementalTime?: unknown;
  notifyUrl?: unknown;
  queries?: unknown;
}

const PREFIX = '(?:/v1|/apps/api)/batch-query';
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const flag = (value: unknown): boolean => value === true || value === 'true';

export function jobJson(job: AquaJob): Record<string, unknown> {
  return {
    id: job.id,
    name: job.name,
    version: job.version,
    format: job.format.toUpperCase(),
    encrypted: job.encrypted,
    ...(job.partner !== undefined ? { partner: job.partner } : {}),
    ...(job.project !== undefined ? { project: job.project } : {}),
    ...(job.incrementalTime !== undefined ? { incrementalTime: job.incrementalTime } : {}),
    useQueryLabels: String(job.useQueryLabels),
    dateTimeUtc: String(job.dateTimeUtc),
    status: job.status,
    startTime: job.startTime,
    ...(job.message !== undefined ? { message: job.message } : {}),
    batches: job.batches.map((batch) => ({
      name: batch.name,
      query: batch.query,
      status: batch.status,
      batchType: batch.batchType,
      batchId: batch.batchId,
      recordCount: batch.recordCount,
      apiVersion: '60.0',
      ...(batch.full !== undefined ? { full: batch.full } : {}),
      ...(batch.deleted ? { deleted: batch.deleted } : {}),
      ...(batch.message !== undefined ? { message: batch.message } : {}),
      ...(batch.fileId !== undefined ? { fileId: batch.fileId } : {}),
      ...(batch.segments !== undefined ? { segments: batch.segments } : {}),
    })),
  };
}

async function submit(zuora: ZuoraContext, ctx: RequestContext): Promise<void> {
  const { scenario, state, simulation } = zuora;
  let body: AquaRequest;
  try {
    body = await ctx.json<AquaRequest>();
  } catch {
    return aquaError(ctx, '90005');
  }
  const queries = Array.isArray(body.queries) ? (body.queries as AquaQuery[]) : [];
  if (queries.length === 0) return aquaError(ctx, '90016');
  if (queries.length > 50) return aquaError(ctx, '90004');
  if (typeof body.notifyUrl === 'string' && body.notifyUrl.length > 1024) return aquaError(ctx, '90014');
  const format = (text(body.format) ?? 'csv').toLowerCase();
  if (format !== 'csv' && format !== 'gzip') return aquaError(ctx, '90005', `Unsupported format '${format}': the simulator writes csv or gzip`);

  const version = String(body.version ?? '1.0');
  const partner = text(body.partner);
  const project = text(body.project);
  // Version 1.0 is stateless only; 1.1+ is stateful when both partner and project are given.
  const stateful = version !== '1.0' && partner !== undefined && project !== undefined;
  const timeZone = scenario.timeZone;
  const incrementalTime = text(body.incrementalTime);
  let incremental: Millis | undefined;
  if (incrementalTime !== undefined) {
    incremental = parseIncrementalTime(incrementalTime, timeZone);
    if (incremental === undefined) return aquaError(ctx, '90015');
  }
  const asOf = simulation.clock.now();
  const sessionKey = stateful ? `${partner}\u0000${project}` : undefined;
  const session = sessionKey ? state.sessions.get(sessionKey) : undefined;
  // A stateful run starts at incrementalTime, else after the previous run of the pair; neither: a full load.
  const since = stateful ? (incremental ?? (session ? session.lastAsOf + 1 : undefined)) : undefined;
  const full = stateful ? since === undefined : undefined;

  const pctx = planContext(zuora, ctx);
  const batches: AquaBatch[] = [];
  let widest = 0;
  for (const query of queries) {
    const queryText = typeof query?.query === 'string' ? query.query : '';
    let parsed;
    try {
      parsed = parseZoql(queryText);
    } catch (error) {
      if (error instanceof ZoqlSyntaxError) return aquaError(ctx, '90005');
      throw error;
    }
    const planned = planQuery(parsed, pctx);
    if (!planned.ok) return aquaError(ctx, '90005');
    let deleted: DeletedSpec | undefined;
    if (query.deleted) {
      if (!stateful) return aquaError(ctx, '90012');
      if (scenario.noDeletedSupport.includes(planned.plan.table.name)) return aquaError(ctx, '90017');
      deleted = {
        column: text(query.deleted.column) ?? 'Deleted',
        format: String(query.deleted.format).toLowerCase() === 'numeric' ? 'Numeric' : 'Boolean',
      };
    }
    widest = Math.max(widest, windowDays(zuora, planned.plan, since, asOf));
    batches.push({
      batchId: state.newId(),
      name: text(query.name) ?? planned.plan.table.name,
      query: queryText,
      batchType: text(query.type) ?? 'zoqlexport',
      // A full load has no deletions to report; deleted rows appear in incremental runs only.
      selection: { plan: planned.plan, asOf, sinceMs: since, includeDeleted: deleted !== undefined && full !== true },
      deleted,
      full,
      status: 'pending',
      recordCount: 0,
    });
  }

  if (state.activeJobs() >= scenario.maxConcurrentJobs) return concurrencyLimited(ctx, scenario.maxConcurrentJobs, scenario.concurrencyRetryAfterSeconds);

  const job: AquaJob = {
    id: state.newId(),
    name: text(body.name) ?? 'AQuA job',
    version,
    format,
    encrypted: text(body.encrypted) ?? 'none',
    partner,
    project,
    sessionKey,
    incrementalTime,
    useQueryLabels: flag(body.useQueryLabels),
    dateTimeUtc: flag(body.dateTimeUtc),
    timeZone,
    asOf,
    startTime: formatTenantPlain(asOf, timeZone),
    status: 'submitted',
    message: undefined,
    batches,
    life: newLifecycle(scenario, widest),
    segmentRows: scenario.segmentRows,
    truncate: scenario.truncateFiles,
    nulEvery: scenario.nulEvery,
  };
  state.aquaJobs.set(job.id, job);
  state.advanceAqua(job, false);
  sendJson(ctx, 200, jobJson(job));
}

export function aquaRoutes(zuora: ZuoraContext): Route[] {
  const { state } = zuora;
  return [
    { name: 'aqua.submit', method: 'POST', path: new RegExp(`^${PREFIX}/?$`), handle: (ctx) => submit(zuora, ctx) },
    {
      name: 'aqua.last',
      method: 'GET',
      path: new RegExp(`^${PREFIX}/jobs/partner/(?<partner>[^/]+)/project/(?<project>[^/]+)/?$`),
      handle: (ctx) => {
        const partner = decodeURIComponent(ctx.params.partner ?? '');
        const project = decodeURIComponent(ctx.params.project ?? '');
        const session = state.sessions.get(`${partner}\u0000${project}`);
        const job = session ? state.aquaJobs.get(session.lastJobId) : undefined;
        if (!job) return aquaError(ctx, '90002', `No completed job found for partner ${partner} and project ${project}`);
        sendJson(ctx, 200, jobJson(job));
      },
    },
    {
      name: 'aqua.status',
      method: 'GET',
      path: new RegExp(`^${PREFIX}/jobs/(?<id>[^/]+)/?$`),
      handle: (ctx) => {
        const job = state.aquaJobs.get(ctx.params.id ?? '');
        if (!job) return aquaError(ctx, '90002');
        state.advanceAqua(job, true);
        sendJson(ctx, 200, jobJson(job));
      },
    },
    {
      name: 'aqua.delete',
      method: 'DELETE',
      path: new RegExp(`^${PREFIX}/jobs/(?<id>[^/]+)/?$`),
      handle: (ctx) => {
        const job = state.aquaJobs.get(ctx.params.id ?? '');
        if (!job) return aquaError(ctx, '90003');
        state.advanceAqua(job, false);
        state.deleteAqua(job);
        sendJson(ctx, 200, jobJson(job));
      },
    },
  ];
}
