/**
 * Bulk API 1.0 (`/services/async/NN.N`) query jobs: XML or JSON jobInfo,
 * batches whose SOQL arrives as the body, batch states through Queued /
 * InProgress to Completed / Failed / NotProcessed, PK chunking that turns one
 * batch into one per id range, result lists with several result ids, and
 * errors as `<error><exceptionCode>` with HTTP 400 (expired sessions too).
 */
import { send, sendStream, type RequestContext } from '../core/server.js';
import type { ScannedRow } from '../dataset/types.js';
import { bulkPlan, csvPage, entityProblem, isProblem, type CsvFormat } from './bulk-csv.js';
import { QUERY_TIMEOUT_MESSAGE, SalesforceError, xmlEscape } from './errors.js';
import { countResult, newEnv, windowDays, type Position, type RunOptions } from './engine.js';
import { bulkDatetime } from './format.js';
import type { QueryPlan } from './plan.js';
import type { Bulk2Deps } from './bulk2.js';

const NS = 'http://www.force.com/2009/06/asyncapi/dataload';

type BatchState = 'Queued' | 'InProgress' | 'Completed' | 'Failed' | 'NotProcessed';

interface Batch {
  id: string;
  jobId: string;
  created: number;
  modstamp: number;
  state: BatchState;
  polls: number;
  final: 'Completed' | 'Failed' | 'NotProcessed';
  stateMessage: string | undefined;
  plan: QueryPlan | undefined;
  /** PK chunk: ids after `afterKey` up to and including `lastKey`. */
  chunk: { afterKey?: string | number; lastKey?: string | number } | undefined;
  total: number;
  resultIds: string[];
  positions: Map<number, Position>;
}

interface Job {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  contentType: string;
  state: 'Open' | 'Closed' | 'Aborted' | 'Failed';
  created: number;
  modstamp: number;
  version: string;
  pkChunkSize: number | undefined;
  asOf: number;
  batches: Batch[];
}

/** The same services as Bulk 2.0's. */
export type Bulk1Deps = Bulk2Deps;

export class BulkV1Error extends Error {
  constructor(
    readonly exceptionCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function xml(root: string, fields: Record<string, unknown>): string {
  const body = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` <${key}>${xmlEscape(String(value))}</${key}>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><${root}\n   xmlns="${NS}">\n${body}</${root}>`;
}

function wantsJson(ctx: RequestContext): boolean {
  return /json/i.test(String(ctx.req.headers['content-type'] ?? '')) || /^application\/json/i.test(String(ctx.req.headers.accept ?? ''));
}

/** An `<error>` document (or its JSON twin), always HTTP 400 unless told otherwise. */
export function sendBulkV1Error(ctx: RequestContext, code: string, message: string, status = 400): void {
  if (wantsJson(ctx)) {
    send(ctx, status, JSON.stringify({ exceptionCode: code, exceptionMessage: message }), { 'content-type': 'application/json' });
  } else {
    send(ctx, status, `<?xml version="1.0" encoding="UTF-8"?><error\n   xmlns="${NS}">\n <exceptionCode>${code}</exceptionCode>\n <exceptionMessage>${xmlEscape(message)}</exceptionMessage>\n</error>`, { 'content-type': 'application/xml' });
  }
}

function tag(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(body)?.[1];
}

export class Bulk1Service {
  readonly #jobs = new Map<string, Job>();

  constructor(readonly deps: Bulk1Deps) {}

  #reply(ctx: RequestContext, json: boolean, root: string, fields: Record<string, unknown>): void {
    if (json) send(ctx, 200, JSON.stringify(fields), { 'content-type': 'application/json' });
    else send(ctx, 200, xml(root, fields), { 'content-type': 'application/xml' });
  }

  async createJob(ctx: RequestContext, version: string): Promise<void> {
    const text = await ctx.text();
    const json = wantsJson(ctx);
    let spec: Record<string, unknown>;
    try {
      spec = json ? (JSON.parse(text) as Record<string, unknown>) : { operation: tag(text, 'operation'), object: tag(text, 'object'), contentType: tag(text, 'contentType') };
    } catch {
      throw new BulkV1Error('InvalidJob', 'Unable to parse job');
    }
    const operation = spec.operation;
    if (operation !== 'query' && operation !== 'queryAll') throw new BulkV1Error('InvalidJob', `Operation not supported by this org for query jobs: ${String(operation)}`);
    const objectName = String(spec.object ?? '');
    const object = this.deps.catalog.get(objectName);
    const problem = entityProblem(this.deps.catalog, this.deps.scenario, objectName);
    if (!object || problem) throw new BulkV1Error('InvalidEntity', problem?.message ?? `Entity '${objectName}' is not supported by the Bulk API.`);
    const now = this.deps.now();
    const job: Job = {
      id: this.deps.ids.next('750'),
      operation,
      object: object.name,
      contentType: String(spec.contentType ?? 'CSV'),
      state: 'Open',
      created: now,
      modstamp: now,
      version,
      pkChunkSize: pkChunkSize(ctx.req.headers['sforce-enable-pkchunking']),
      asOf: now,
      batches: [],
    };
    this.#jobs.set(job.id, job);
    this.#reply(ctx, json, 'jobInfo', this.#jobInfo(job, json));
  }

  #job(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new BulkV1Error('InvalidJob', `Unable to find object: ${id}`);
    return job;
  }

  getJob(ctx: RequestContext, id: string): void {
    const job = this.#job(id);
    const json = wantsJson(ctx);
    this.#reply(ctx, json, 'jobInfo', this.#jobInfo(job, json));
  }

  async closeJob(ctx: RequestContext, id: string): Promise<void> {
    const job = this.#job(id);
    const text = await ctx.text();
    const json = wantsJson(ctx);
    const state = json ? (JSON.parse(text || '{}') as { state?: string }).state : tag(text, 'state');
    if (state !== 'Closed' && state !== 'Aborted') throw new BulkV1Error('InvalidJobState', `Invalid state: ${String(state)}`);
    job.state = state;
    job.modstamp = this.deps.now();
    if (state === 'Aborted') {
      for (const batch of job.batches) {
        if (batch.state === 'Queued' || batch.state === 'InProgress') {
          batch.state = 'NotProcessed';
          batch.final = 'NotProcessed';
        }
      }
    }
    this.#reply(ctx, json, 'jobInfo', this.#jobInfo(job, json));
  }

  async addBatch(ctx: RequestContext, id: string): Promise<void> {
    const job = this.#job(id);
    const soql = (await ctx.text()).trim();
    if (job.state !== 'Open') throw new BulkV1Error('InvalidJobState', `Job ${job.id} is not open`);
    const { scenario, limits } = this.deps;
    if (limits.bulkApiBatches >= scenario.dailyBulkApiBatches) throw new BulkV1Error('ExceededQuota', `Max number of batches (${scenario.dailyBulkApiBatches}) per 24 hrs exceeded`);
    const now = this.deps.now();
    const batch: Batch = { id: this.deps.ids.next('751'), jobId: job.id, created: now, modstamp: now, state: 'Queued', polls: 0, final: 'Completed', stateMessage: undefined, plan: undefined, chunk: undefined, total: 0, resultIds: [], positions: new Map() };
    job.batches.push(batch);
    limits.bulkApiBatches += 1;
    let planned: ReturnType<typeof bulkPlan> | undefined;
    try {
      planned = bulkPlan(this.deps.catalog, scenario, soql);
    } catch (error) {
      if (!(error instanceof SalesforceError)) throw error;
      this.#fail(batch, `InvalidBatch : Failed to process query: ${error.errorCode}: ${error.message}`);
    }
    if (planned && isProblem(planned)) {
      this.#fail(batch, planned.kind === 'binary' ? `FeatureNotEnabled : ${planned.message}` : `InvalidBatch : Failed to process query: FUNCTIONALITY_NOT_ENABLED: ${planned.message}`);
    } else if (planned) {
      batch.plan = planned;
      if (scenario.bulkJobOutcome === 'Failed') this.#fail(batch, scenario.bulkJobErrorMessage);
      else if (scenario.bulkJobOutcome === 'Aborted') batch.final = 'NotProcessed';
      else if (job.pkChunkSize !== undefined) this.#chunk(job, batch, planned, job.pkChunkSize);
      else if (scenario.queryTimeoutDays !== undefined && windowDays(planned, this.deps.historyStart, job.asOf) > scenario.queryTimeoutDays) {
        this.#fail(batch, `InvalidBatch : Failed to process query: QUERY_TIMEOUT: ${QUERY_TIMEOUT_MESSAGE}`);
      }
    }
    this.#reply(ctx, job.contentType === 'JSON', 'batchInfo', this.#batchInfo(batch, job.contentType === 'JSON'));
  }

  #fail(batch: Batch, message: string): void {
    batch.final = 'Failed';
    batch.stateMessage = message;
  }

  /** PK chunking: the original batch ends NotProcessed; one batch per id range does the work. */
  #chunk(job: Job, original: Batch, plan: QueryPlan, size: number): void {
    original.final = 'NotProcessed';
    const bounds: Array<string | number> = [];
    let n = 0;
    let last: ScannedRow | undefined;
    for (const row of plan.table.scan({ asOf: job.asOf, order: 'key', includeDeleted: job.operation === 'queryAll' })) {
      n += 1;
      last = row;
      if (n % size === 0) bounds.push(row[plan.table.key] as string | number);
    }
    if (last && n % size !== 0) bounds.push(last[plan.table.key] as string | number);
    if (bounds.length === 0) bounds.push('');
    let afterKey: string | number | undefined;
    for (const lastKey of bounds) {
      const now = this.deps.now();
      const chunkPlan: QueryPlan = { ...plan, order: 'key', compare: undefined, afterKey: afterKey ?? plan.afterKey };
      job.batches.push({ id: this.deps.ids.next('751'), jobId: job.id, created: now, modstamp: now, state: 'Queued', polls: 0, final: 'Completed', stateMessage: undefined, plan: chunkPlan, chunk: { ...(afterKey !== undefined ? { afterKey } : {}), lastKey }, total: 0, resultIds: [], positions: new Map() });
      this.deps.limits.bulkApiBatches += 1;
      afterKey = lastKey;
    }
  }

  #run(job: Job, batch: Batch): RunOptions {
    const run: RunOptions = { catalog: this.deps.catalog, asOf: job.asOf, includeDeleted: job.operation === 'queryAll', inMemorySortLimit: this.deps.scenario.inMemorySortLimit };
    if (batch.chunk?.lastKey !== undefined && batch.chunk.lastKey !== '') run.lastKey = batch.chunk.lastKey;
    return run;
  }

  /** A status read moves a batch on: `jobPolls` reads see InProgress, the next sees its final state. */
  #advance(job: Job, batch: Batch): void {
    if (batch.state !== 'Queued' && batch.state !== 'InProgress') return;
    batch.polls += 1;
    batch.modstamp = this.deps.now();
    if (batch.polls <= this.deps.scenario.jobPolls) {
      batch.state = 'InProgress';
      return;
    }
    batch.state = batch.final;
    if (batch.state === 'Completed' && batch.plan) {
      const run = this.#run(job, batch);
      batch.total = batch.chunk?.lastKey === '' ? 0 : countResult(batch.plan, run, newEnv(run));
      const files = Math.max(1, Math.ceil(batch.total / this.deps.scenario.bulkResultFileRows));
      batch.resultIds = Array.from({ length: files }, () => this.deps.ids.next('752'));
    }
  }

  #batch(job: Job, id: string): Batch {
    const batch = job.batches.find((candidate) => candidate.id === id);
    if (!batch) throw new BulkV1Error('InvalidBatch', `Unable to find object: ${id}`);
    return batch;
  }

  getBatch(ctx: RequestContext, jobId: string, batchId: string): void {
    const job = this.#job(jobId);
    const batch = this.#batch(job, batchId);
    this.#advance(job, batch);
    const json = job.contentType === 'JSON';
    this.#reply(ctx, json, 'batchInfo', this.#batchInfo(batch, json));
  }

  listBatches(ctx: RequestContext, jobId: string): void {
    const job = this.#job(jobId);
    for (const batch of job.batches) this.#advance(job, batch);
    if (job.contentType === 'JSON') {
      send(ctx, 200, JSON.stringify({ batchInfo: job.batches.map((batch) => this.#batchInfo(batch, true)) }), { 'content-type': 'application/json' });
      return;
    }
    const items = job.batches.map((batch) => xml('batchInfo', this.#batchInfo(batch, false)).replace(/^<\?xml[^>]*\?>/, '').replace(`\n   xmlns="${NS}"`, ''));
    send(ctx, 200, `<?xml version="1.0" encoding="UTF-8"?><batchInfoList\n   xmlns="${NS}">\n${items.join('\n')}\n</batchInfoList>`, { 'content-type': 'application/xml' });
  }

  resultList(ctx: RequestContext, jobId: string, batchId: string): void {
    const job = this.#job(jobId);
    const batch = this.#batch(job, batchId);
    if (batch.state !== 'Completed') throw new BulkV1Error('InvalidBatch', `Batch not completed: ${batch.id}`);
    if (job.contentType === 'JSON') {
      send(ctx, 200, JSON.stringify(batch.resultIds), { 'content-type': 'application/json' });
      return;
    }
    const results = batch.resultIds.map((id) => `<result>${id}</result>`).join('');
    send(ctx, 200, `<?xml version="1.0" encoding="UTF-8"?><result-list xmlns="${NS}">${results}</result-list>`, { 'content-type': 'application/xml' });
  }

  async result(ctx: RequestContext, jobId: string, batchId: string, resultId: string): Promise<void> {
    const job = this.#job(jobId);
    const batch = this.#batch(job, batchId);
    const index = batch.resultIds.indexOf(resultId);
    if (index < 0 || !batch.plan) throw new BulkV1Error('InvalidBatch', `Unable to find object: ${resultId}`);
    const size = this.deps.scenario.bulkResultFileRows;
    const offset = index * size;
    const count = Math.max(0, Math.min(size, batch.total - offset));
    if (count === 0) {
      // the Bulk 1.0 quirk: an empty result is a sentence, not an empty CSV
      send(ctx, 200, 'Records not found for this query', { 'content-type': 'text/csv' });
      return;
    }
    const format: CsvFormat = { delimiter: ',', lineEnding: '\n', nullQuoted: this.deps.scenario.csvNull === 'quoted', intAsDecimal: this.deps.scenario.csvIntAsDecimal };
    const start = batch.positions.get(offset) ?? { offset };
    await sendStream(ctx, 200, csvPage(batch.plan, this.#run(job, batch), start, count, format, (position) => batch.positions.set(position.offset, position)), { 'content-type': 'text/csv' });
  }

  #jobInfo(job: Job, json: boolean): Record<string, unknown> {
    const count = (state: BatchState): number => job.batches.filter((batch) => batch.state === state).length;
    const processed = job.batches.reduce((sum, batch) => sum + (batch.state === 'Completed' ? batch.total : 0), 0);
    const n = (value: number): number | string => (json ? value : String(value));
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: this.deps.userId,
      createdDate: bulkDatetime(job.created),
      systemModstamp: bulkDatetime(job.modstamp),
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: job.contentType,
      numberBatchesQueued: n(count('Queued')),
      numberBatchesInProgress: n(count('InProgress')),
      numberBatchesCompleted: n(count('Completed')),
      numberBatchesFailed: n(count('Failed')),
      numberBatchesTotal: n(job.batches.length),
      numberRecordsProcessed: n(processed),
      numberRetries: n(0),
      apiVersion: json ? Number(job.version) : job.version,
      numberRecordsFailed: n(0),
      totalProcessingTime: n(0),
      apiActiveProcessingTime: n(0),
      apexProcessingTime: n(0),
    };
  }

  #batchInfo(batch: Batch, json: boolean): Record<string, unknown> {
    const n = (value: number): number | string => (json ? value : String(value));
    return {
      id: batch.id,
      jobId: batch.jobId,
      state: batch.state,
      stateMessage: batch.state === 'Failed' || (batch.state === 'NotProcessed' && batch.stateMessage) ? batch.stateMessage : undefined,
      createdDate: bulkDatetime(batch.created),
      systemModstamp: bulkDatetime(batch.modstamp),
      numberRecordsProcessed: n(batch.state === 'Completed' ? batch.total : 0),
      numberRecordsFailed: n(0),
      totalProcessingTime: n(0),
      apiActiveProcessingTime: n(0),
      apexProcessingTime: n(0),
    };
  }
}

/** `Sforce-Enable-PKChunking: true` / `chunkSize=100000; parent=Account; startRow=…`. */
function pkChunkSize(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || header.trim() === '' || /^false$/i.test(header.trim())) return undefined;
  const size = /chunkSize\s*=\s*(\d+)/i.exec(header)?.[1];
  const chunk = size ? Number(size) : 100_000;
  if (chunk < 1 || chunk > 250_000) throw new BulkV1Error('InvalidJob', `Invalid chunk size: ${chunk}. Chunk size must be between 1 and 250000`);
  return chunk;
}
