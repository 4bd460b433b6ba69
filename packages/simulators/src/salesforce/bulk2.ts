/**
 * Bulk API 2.0 query jobs: create → UploadComplete → InProgress (for
 * `jobPolls` polls) → JobComplete | Failed | Aborted, and paged CSV results
 * with `Sforce-Locator` on every page (`null` on the last) and the header row
 * repeated per page. A job keeps its compiled query and one resume position
 * per page, never the result.
 */
import { sendStream, type RequestContext } from '../core/server.js';
import type { Catalog } from './catalog.js';
import { bulk2Error, bulkPlan, DELIMITERS, isProblem, LINE_ENDINGS, csvPage, type CsvFormat } from './bulk-csv.js';
import { apiError, notFound, QUERY_TIMEOUT_MESSAGE, SalesforceError, sendResult, type ApiResult } from './errors.js';
import { countResult, newEnv, windowDays, type Position, type RunOptions } from './engine.js';
import { restDatetime, type IdFactory } from './format.js';
import type { Limits } from './limits.js';
import type { QueryPlan } from './plan.js';
import type { SalesforceScenario } from './scenario.js';

type State = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface Job {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  plan: QueryPlan;
  version: string;
  createdDate: number;
  systemModstamp: number;
  state: State;
  polls: number;
  /** State the job reaches after its InProgress polls, decided at creation. */
  outcome: 'JobComplete' | 'Failed' | 'Aborted';
  errorMessage: string | undefined;
  columnDelimiter: string;
  lineEnding: string;
  asOf: number;
  total: number;
  positions: Map<number, Position>;
}

export interface Bulk2Deps {
  catalog: Catalog;
  scenario: SalesforceScenario;
  ids: IdFactory;
  limits: Limits;
  now(): number;
  historyStart: number;
  userId: string;
}

/** Locators are opaque to clients; these encode the row offset of the page they start. */
export function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}

function decodeLocator(locator: string): number | undefined {
  const offset = Number(Buffer.from(locator, 'base64url').toString('utf8'));
  return Number.isInteger(offset) && offset >= 0 && encodeLocator(offset) === locator ? offset : undefined;
}

export class Bulk2Service {
  readonly #jobs = new Map<string, Job>();

  constructor(readonly deps: Bulk2Deps) {}

  create(version: string, body: Record<string, unknown>): ApiResult {
    const { scenario, catalog, limits } = this.deps;
    if (Number(version) < 47) throw notFound();
    const operation = body.operation;
    if (operation !== 'query' && operation !== 'queryAll') throw new SalesforceError(400, 'INVALIDJOB', `Invalid operation: ${String(operation)}`);
    if (typeof body.query !== 'string' || body.query.trim() === '') throw new SalesforceError(400, 'INVALIDJOB', 'Query is required for a query job');
    const columnDelimiter = (body.columnDelimiter as string | undefined) ?? 'COMMA';
    const lineEnding = (body.lineEnding as string | undefined) ?? 'LF';
    if (!(columnDelimiter in DELIMITERS)) throw new SalesforceError(400, 'INVALIDJOB', `Invalid column delimiter: ${columnDelimiter}`);
    if (!(lineEnding in LINE_ENDINGS)) throw new SalesforceError(400, 'INVALIDJOB', `Invalid line ending: ${lineEnding}`);
    if (body.contentType !== undefined && body.contentType !== 'CSV') throw new SalesforceError(400, 'INVALIDJOB', `Invalid content type: ${String(body.contentType)}`);
    if (limits.bulkV2QueryJobs >= scenario.dailyBulkV2QueryJobs) {
      throw new SalesforceError(400, 'LIMIT_EXCEEDED', `Max bulk v2 query jobs (${scenario.dailyBulkV2QueryJobs}) per 24 hrs has been reached`);
    }
    const plan = bulkPlan(catalog, scenario, body.query);
    if (isProblem(plan)) throw bulk2Error(plan);
    limits.bulkV2QueryJobs += 1;
    const now = this.deps.now();
    let outcome = scenario.bulkJobOutcome;
    let errorMessage = outcome === 'Failed' ? scenario.bulkJobErrorMessage : undefined;
    if (scenario.queryTimeoutDays !== undefined && windowDays(plan, this.deps.historyStart, now) > scenario.queryTimeoutDays) {
      outcome = 'Failed';
      errorMessage = `QUERY_TIMEOUT: ${QUERY_TIMEOUT_MESSAGE}`;
    }
    const job: Job = {
      id: this.deps.ids.next('750'),
      operation,
      object: plan.object.name,
      plan,
      version,
      createdDate: now,
      systemModstamp: now,
      state: 'UploadComplete',
      polls: 0,
      outcome,
      errorMessage,
      columnDelimiter,
      lineEnding,
      asOf: now,
      total: 0,
      positions: new Map(),
    };
    this.#jobs.set(job.id, job);
    return { status: 200, body: this.#info(job, false) };
  }

  list(): ApiResult {
    return { status: 200, body: { done: true, records: [...this.#jobs.values()].map((job) => this.#info(job, true)), nextRecordsUrl: null } };
  }

  #job(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw notFound();
    return job;
  }

  poll(id: string): ApiResult {
    const job = this.#job(id);
    if (job.state === 'UploadComplete' || job.state === 'InProgress') {
      job.polls += 1;
      if (job.polls <= this.deps.scenario.jobPolls) {
        job.state = 'InProgress';
      } else {
        job.state = job.outcome;
        if (job.state === 'JobComplete') job.total = countResult(job.plan, this.#run(job), newEnv(this.#run(job)));
      }
      job.systemModstamp = this.deps.now();
    }
    return { status: 200, body: this.#info(job, true) };
  }

  abort(id: string, body: Record<string, unknown>): ApiResult {
    const job = this.#job(id);
    if (body.state !== 'Aborted') throw new SalesforceError(400, 'INVALIDJOB', `Invalid state: ${String(body.state)}`);
    if (job.state !== 'UploadComplete' && job.state !== 'InProgress') throw new SalesforceError(400, 'INVALIDJOB', `Job ${job.id} is already in state ${job.state} and cannot be aborted`);
    job.state = 'Aborted';
    job.systemModstamp = this.deps.now();
    return { status: 200, body: this.#info(job, false) };
  }

  delete(id: string): ApiResult {
    const job = this.#job(id);
    if (job.state === 'InProgress') throw new SalesforceError(400, 'INVALIDJOB', 'Cannot delete a job that is in progress; abort it first');
    this.#jobs.delete(id);
    return { status: 204, body: undefined };
  }

  async results(ctx: RequestContext, version: string, id: string): Promise<void> {
    const job = this.#job(id);
    if (version !== job.version) {
      sendResult(ctx, apiError(409, 'INVALIDJOB', `Job ${job.id} was created with API version ${job.version}; request its results with the same version`));
      return;
    }
    if (job.state !== 'JobComplete') {
      sendResult(ctx, apiError(400, 'INVALIDJOB', `Job ${job.id} is in state ${job.state}; results are available once it is JobComplete`));
      return;
    }
    const locator = ctx.url.searchParams.get('locator');
    const offset = locator ? decodeLocator(locator) : 0;
    if (offset === undefined) throw new SalesforceError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator ?? ''}`);
    const maxParam = ctx.url.searchParams.get('maxRecords');
    const maxRecords = maxParam === null ? this.deps.scenario.bulkPageSize : Number(maxParam);
    if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new SalesforceError(400, 'INVALIDPARAMETER', `Invalid maxRecords: ${maxParam ?? ''}`);
    const count = Math.max(0, Math.min(maxRecords, job.total - offset));
    const next = offset + count < job.total ? encodeLocator(offset + count) : 'null';
    const headers = {
      'content-type': 'text/csv',
      'sforce-locator': next,
      'sforce-numberofrecords': count,
    };
    if (count === 0) {
      ctx.res.writeHead(200, headers);
      ctx.res.end();
      return;
    }
    const format: CsvFormat = {
      delimiter: DELIMITERS[job.columnDelimiter] ?? ',',
      lineEnding: LINE_ENDINGS[job.lineEnding] ?? '\n',
      nullQuoted: this.deps.scenario.csvNull === 'quoted',
      intAsDecimal: this.deps.scenario.csvIntAsDecimal,
    };
    const start = job.positions.get(offset) ?? { offset };
    await sendStream(ctx, 200, csvPage(job.plan, this.#run(job), start, count, format, (position) => job.positions.set(position.offset, position)), headers);
  }

  #run(job: Job): RunOptions {
    return { catalog: this.deps.catalog, asOf: job.asOf, includeDeleted: job.operation === 'queryAll', inMemorySortLimit: this.deps.scenario.inMemorySortLimit };
  }

  #info(job: Job, full: boolean): Record<string, unknown> {
    const info: Record<string, unknown> = {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: this.deps.userId,
      createdDate: restDatetime(job.createdDate),
      systemModstamp: restDatetime(job.systemModstamp),
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.version),
    };
    if (full) info.jobType = 'V2Query';
    info.lineEnding = job.lineEnding;
    info.columnDelimiter = job.columnDelimiter;
    if (full) {
      info.numberRecordsProcessed = job.state === 'JobComplete' ? job.total : 0;
      info.retries = 0;
      info.totalProcessingTime = job.state === 'JobComplete' ? 334 : 0;
      info.isPkChunkingSupported = job.plan.object.table !== undefined;
      if (job.state === 'Failed' && job.errorMessage) info.errorMessage = job.errorMessage;
    }
    return info;
  }
}
