import { sendJson, type RequestContext, type Route } from '../core/server.js';
import { planContext, windowDays, type ZuoraContext } from './context.js';
import { concurrencyLimited, crudError } from './errors.js';
import { countRows, estimateSize } from './files.js';
import { planQuery } from './plan.js';
import { newLifecycle, progress, type ExportJob } from './state.js';
import { formatTenantMillis } from './time.js';
import { parseZoql, ZoqlSyntaxError } from './zoql.js';

/**
 * REST "CRUD" data-source export: `POST /v1/object/export`, status at
 * `GET /v1/object/export/{id}` (Pending → Processing → Completed | Failed |
 * Cancelled), file at `/v1/files/{FileId}`. Errors use the CRUD envelope.
 */

const KNOWN_FIELDS = new Set(['Format', 'Query', 'Name', 'Zip', 'Encrypted', 'Encoding', 'ConvertToCurrencies']);
const USER_ID = '2c92c0f84a8f3e2e014a9b3c4d5e6f70';

function advance(zuora: ZuoraContext, job: ExportJob, poll: boolean): void {
  if (job.status !== 'Pending' && job.status !== 'Processing') return;
  const phase = progress(job.life, poll);
  if (phase === 'waiting') return;
  job.updatedAt = zuora.simulation.clock.now();
  if (phase === 'running') {
    job.status = job.life.polls <= 1 ? 'Pending' : 'Processing';
    return;
  }
  const { outcome, failureMessage } = job.life;
  if (outcome !== 'completed') {
    job.status = outcome === 'cancelled' ? 'Cancelled' : 'Failed';
    job.statusReason = failureMessage;
    return;
  }
  const rows = countRows(job.selection);
  const file = zuora.state.addFile({
    kind: 'export',
    format: 'csv',
    selection: job.selection,
    deleted: undefined,
    useQueryLabels: false,
    dateTimeUtc: false,
    timeZone: job.timeZone,
    resume: undefined,
    rows,
    truncated: job.truncate,
    nulEvery: job.nulEvery,
  });
  job.status = 'Completed';
  job.fileId = file.id;
  job.size = estimateSize(file);
}

function exportJson(job: ExportJob): Record<string, unknown> {
  return {
    Id: job.id,
    ...(job.name !== undefined ? { Name: job.name } : {}),
    Status: job.status,
    Format: job.format,
    Query: job.query,
    Zip: false,
    Encrypted: false,
    ...(job.fileId !== undefined ? { FileId: job.fileId, Size: job.size ?? 0 } : {}),
    CreatedDate: formatTenantMillis(job.createdAt, job.timeZone),
    UpdatedDate: formatTenantMillis(job.updatedAt, job.timeZone),
    CreatedById: USER_ID,
    UpdatedById: USER_ID,
    StatusReason: job.statusReason,
  };
}

async function create(zuora: ZuoraContext, ctx: RequestContext): Promise<void> {
  const { scenario, state, simulation } = zuora;
  let body: Record<string, unknown>;
  try {
    body = await ctx.json<Record<string, unknown>>();
  } catch {
    return crudError(ctx, 'INVALID_VALUE', 'The request body is not valid JSON');
  }
  if (ctx.url.searchParams.get('rejectUnknownFields') === 'true' && Object.keys(body).some((key) => !KNOWN_FIELDS.has(key))) {
    return sendJson(ctx, 400, { message: 'Error - unrecognised fields' });
  }
  const format = typeof body.Format === 'string' ? body.Format.toLowerCase() : '';
  if (format !== 'csv') return crudError(ctx, 'INVALID_VALUE', `Invalid value for Format: '${String(body.Format ?? '')}'; the simulator exports csv`);
  if (body.Zip === true || body.Zip === 'true') return crudError(ctx, 'INVALID_VALUE', 'Zip=true is not supported by the simulator; omit Zip or send false');
  const query = typeof body.Query === 'string' ? body.Query : '';
  let parsed;
  try {
    parsed = parseZoql(query);
  } catch (error) {
    if (error instanceof ZoqlSyntaxError) return crudError(ctx, 'INVALID_VALUE', `You have an error in your ZOQL syntax: ${error.message}`);
    throw error;
  }
  const planned = planQuery(parsed, planContext(zuora, ctx));
  if (!planned.ok) return crudError(ctx, 'INVALID_VALUE', planned.message);
  if (state.activeJobs() >= scenario.maxConcurrentJobs) return concurrencyLimited(ctx, scenario.maxConcurrentJobs, scenario.concurrencyRetryAfterSeconds);

  const asOf = simulation.clock.now();
  const job: ExportJob = {
    id: state.newId(),
    name: typeof body.Name === 'string' ? body.Name : undefined,
    query,
    format: 'csv',
    selection: { plan: planned.plan, asOf, sinceMs: undefined, includeDeleted: false },
    timeZone: scenario.timeZone,
    status: 'Pending',
    statusReason: null,
    fileId: undefined,
    size: undefined,
    // Job timestamps live on the simulated clock, like the data they export.
    createdAt: asOf,
    updatedAt: asOf,
    life: newLifecycle(scenario, windowDays(zuora, planned.plan, undefined, asOf)),
    truncate: scenario.truncateFiles,
    nulEvery: scenario.nulEvery,
  };
  state.exports.set(job.id, job);
  sendJson(ctx, 200, { Success: true, Id: job.id });
}

export function exportRoutes(zuora: ZuoraContext): Route[] {
  return [
    { name: 'export.create', method: 'POST', path: /^\/v1\/object\/export\/?$/, handle: (ctx) => create(zuora, ctx) },
    {
      name: 'export.status',
      method: 'GET',
      path: /^\/v1\/object\/export\/(?<id>[^/]+)\/?$/,
      handle: (ctx) => {
        const job = zuora.state.exports.get(ctx.params.id ?? '');
        if (!job) return crudError(ctx, 'INVALID_VALUE', `invalid export id: ${ctx.params.id ?? ''}`, 404);
        advance(zuora, job, true);
        sendJson(ctx, 200, exportJson(job));
      },
    },
  ];
}
