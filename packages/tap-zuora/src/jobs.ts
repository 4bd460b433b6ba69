/**
 * Export jobs, AQuA and CRUD: submit, poll with backoff until done, hand back the result files.
 * AQuA files live at `/v1/file/{id}`, CRUD export files at `/v1/files/{id}`.
 */
import { csvRows, sleepFor } from '@singer-io-ts/sdk';
import type { ZuoraClient } from './client.js';

export interface PollOptions {
  /** First wait between status polls, doubling up to `max`. */
  pollIntervalMs: { initial: number; max: number };
  timeoutMs: number;
  /** Abandons the job: polling stops, and an AQuA job is cancelled. */
  signal?: AbortSignal;
  /** The wait between polls (tests record the intervals instead of waiting). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface JobResult {
  jobId: string;
  /** Result files in order (AQuA File Segmentation gives several). */
  fileIds: string[];
  /** Rows the service says the files hold, when it says. */
  recordCount: number | undefined;
  /** Where the service serves them. */
  fileKind: 'aqua' | 'export';
  /** Upper bound of the service's clock at the job (to split open-ended windows). */
  serverNowAtMost: number;
}

/** The job ended without result (failed, aborted, cancelled, or ran past the timeout). */
export class JobFailedError extends Error {
  constructor(
    message: string,
    readonly serverNowAtMost: number,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export interface AquaQuery {
  name: string;
  query: string;
  deleted: boolean;
}

export interface AquaSession {
  partner: string;
  project: string;
  /** `yyyy-MM-dd HH:mm:ss`, read by Zuora in the tenant's zone. */
  incrementalTime: string;
}

interface AquaJobJson {
  id: string;
  status: string;
  message?: string;
  startTime?: string;
  batches?: Array<{ status?: string; message?: string; fileId?: string; segments?: string[]; recordCount?: number }>;
}

const DAY = 86_400_000;

/** AQuA `startTime` is tenant wall time without zone: a day later is surely past the tenant's now. */
function serverNowFromPlain(text: string | undefined): number {
  const parsed = text ? Date.parse(`${text.replace(' ', 'T')}Z`) : NaN;
  return Math.max(Date.now(), Number.isNaN(parsed) ? 0 : parsed + DAY);
}

async function pollUntil<T>(options: PollOptions, poll: () => Promise<T | undefined>, onTimeout: () => Promise<never>): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const sleep = options.sleep ?? sleepFor;
  let wait = options.pollIntervalMs.initial;
  for (;;) {
    const done = await poll();
    if (done !== undefined) return done;
    if (Date.now() + wait > deadline) return onTimeout();
    await sleep(wait, options.signal);
    wait = Math.min(options.pollIntervalMs.max, wait * 2);
  }
}

/**
 * Cancels a running AQuA job (deletes a finished one), so that it stops counting against the
 * tenant's concurrent jobs. Best effort: a failure here must not hide why the job was given up.
 */
export async function cancelAquaJob(client: ZuoraClient, id: string): Promise<void> {
  await client.request(`/v1/batch-query/jobs/${id}`, { method: 'DELETE' }, { endpoint: 'aqua.delete' }).then(
    (response) => response.body?.cancel(),
    () => undefined,
  );
}

export async function runAquaJob(client: ZuoraClient, queries: AquaQuery[], session: AquaSession, options: PollOptions): Promise<JobResult> {
  const body = {
    name: session.project,
    partner: session.partner,
    project: session.project,
    format: 'csv',
    version: '1.2',
    encrypted: 'none',
    useQueryLabels: 'false',
    dateTimeUtc: 'true',
    incrementalTime: session.incrementalTime,
    queries: queries.map((q) => ({ name: q.name, query: q.query, type: 'zoqlexport', ...(q.deleted ? { deleted: { column: 'Deleted', format: 'Boolean' } } : {}) })),
  };
  options.signal?.throwIfAborted();
  // A duplicate submit only wastes a job: safe to retry after a 429 or 5xx. Not abortable: a
  // submit cut short may still have created a job, and only its id lets it be cancelled.
  const submitted = await client.json<AquaJobJson>('/v1/batch-query/', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, { idempotent: true, endpoint: 'aqua.submit' });
  const id = submitted.id;
  try {
    options.signal?.throwIfAborted();
    return await pollAquaJob(client, id, options);
  } catch (error) {
    // Given up (abandoned, or its status unreadable): cancelled, unless it ended by itself.
    if (!(error instanceof JobFailedError)) await cancelAquaJob(client, id);
    throw error;
  }
}

function pollAquaJob(client: ZuoraClient, id: string, options: PollOptions): Promise<JobResult> {
  let startTime: string | undefined;
  return pollUntil(
    options,
    async () => {
      const job = await client.json<AquaJobJson>(`/v1/batch-query/jobs/${id}`, {}, { endpoint: 'aqua.status', ...(options.signal ? { signal: options.signal } : {}) });
      startTime = job.startTime;
      const status = job.status.toLowerCase();
      if (status === 'completed') {
        const batches = job.batches ?? [];
        return {
          jobId: id,
          fileIds: batches.flatMap((b) => (b.segments && b.segments.length > 0 ? b.segments : b.fileId ? [b.fileId] : [])),
          recordCount: batches.reduce((sum, b) => sum + (b.recordCount ?? 0), 0),
          fileKind: 'aqua' as const,
          serverNowAtMost: serverNowFromPlain(startTime),
        };
      }
      if (['error', 'aborted', 'cancelled', 'failed'].includes(status)) {
        const reason = job.message ?? job.batches?.find((b) => b.message)?.message ?? 'no reason given';
        throw new JobFailedError(`AQuA job ${id} ${status}: ${reason}`, serverNowFromPlain(startTime));
      }
      return undefined;
    },
    async () => {
      await cancelAquaJob(client, id);
      throw new JobFailedError(`AQuA job ${id} not finished after ${Math.round(options.timeoutMs / 1000)} s: cancelled`, serverNowFromPlain(startTime), true);
    },
  );
}

interface ExportJson {
  Id: string;
  Status: string;
  FileId?: string;
  StatusReason?: string | null;
  CreatedDate?: string;
}

/** A CRUD export; the API has no call to cancel one, so an abandoned export runs on until Zuora ends it. */
export async function runExportJob(client: ZuoraClient, query: string, name: string, options: PollOptions): Promise<JobResult> {
  options.signal?.throwIfAborted();
  const created = await client.json<{ Id: string }>('/v1/object/export', { method: 'POST', body: JSON.stringify({ Format: 'csv', Query: query, Name: name }), headers: { 'content-type': 'application/json' } }, { idempotent: true, endpoint: 'export.create', ...(options.signal ? { signal: options.signal } : {}) });
  const id = created.Id;
  let serverNow = Date.now();
  return pollUntil(
    options,
    async () => {
      const job = await client.json<ExportJson>(`/v1/object/export/${id}`, {}, { endpoint: 'export.status', ...(options.signal ? { signal: options.signal } : {}) });
      const created = job.CreatedDate ? Date.parse(job.CreatedDate) : NaN;
      serverNow = Math.max(Date.now(), Number.isNaN(created) ? 0 : created + 60_000);
      if (job.Status === 'Completed') return { jobId: id, fileIds: job.FileId ? [job.FileId] : [], recordCount: undefined, fileKind: 'export' as const, serverNowAtMost: serverNow };
      if (job.Status === 'Failed' || job.Status === 'Cancelled') throw new JobFailedError(`export ${id} ${job.Status}: ${job.StatusReason ?? 'no reason given'}`, serverNow);
      return undefined;
    },
    async () => {
      throw new JobFailedError(`export ${id} not finished after ${Math.round(options.timeoutMs / 1000)} s`, serverNow, true);
    },
  );
}

/** A result file's CSV rows, read as the consumer pulls. */
export async function* fileRows(client: ZuoraClient, kind: JobResult['fileKind'], fileId: string, signal?: AbortSignal): AsyncGenerator<string[]> {
  const path = kind === 'aqua' ? `/v1/file/${fileId}` : `/v1/files/${fileId}`;
  const response = await client.request(path, { headers: { accept: 'text/csv, */*' } }, { endpoint: kind === 'aqua' ? 'aqua.file' : 'files.get', ...(signal ? { signal } : {}) });
  if (!response.body) return;
  yield* csvRows(response.body);
}
