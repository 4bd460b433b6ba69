import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Millis } from '../dataset/types.js';
import { fileChunks, type FilePlan } from './bulk-csv.js';
import { delimiterOf, type BulkType, type JobSpec, type Rejected } from './bulk-plan.js';
import { centralDay, type LimitsClock } from './clock.js';
import { restDate } from './format.js';
import type { MarketoScenario } from './scenario.js';

export type JobStatus = 'Created' | 'Queued' | 'Processing' | 'Completed' | 'Cancelled' | 'Failed';

export interface Job {
  exportId: string;
  type: BulkType;
  spec: JobSpec;
  status: JobStatus;
  createdAt: Millis;
  queuedAt?: Millis;
  startedAt?: Millis;
  finishedAt?: Millis;
  queuedTick?: number;
  startedTick?: number;
  /** Frozen when processing starts. */
  plan?: FilePlan;
  /** The measuring pass over the file: bytes, rows and sha-256, computed before the job may complete. */
  pass?: { done: boolean; fileSize: number; numberOfRecords: number; checksum: string; error?: string };
  errorMsg?: string;
}

/**
 * The bulk extract queue shared by all export types. Status only changes on
 * ticks of `bulkStatusCadenceMs` (Marketo refreshes job status about once a
 * minute), evaluated lazily whenever a job is looked at.
 */
export class BulkJobs {
  readonly #jobs = new Map<string, Job>();
  readonly #clock: LimitsClock;
  readonly #scenario: MarketoScenario;
  readonly #asOf: () => Millis;

  constructor(clock: LimitsClock, scenario: MarketoScenario, asOf: () => Millis) {
    this.#clock = clock;
    this.#scenario = scenario;
    this.#asOf = asOf;
  }

  #tick(at: Millis): number {
    return Math.floor((at - this.#clock.simStart) / Math.max(1, this.#scenario.bulkStatusCadenceMs));
  }

  get(exportId: string): Job | undefined {
    this.refresh();
    return this.#jobs.get(exportId);
  }

  all(): Job[] {
    this.refresh();
    return [...this.#jobs.values()];
  }

  /** Bytes of export files finished today (US Central), as the 500 MB daily quota counts them. */
  exportedToday(): number {
    const today = centralDay(this.#clock.now());
    let bytes = 0;
    for (const job of this.#jobs.values()) {
      if (job.status === 'Completed' && job.finishedAt !== undefined && centralDay(job.finishedAt) === today) bytes += job.pass?.fileSize ?? 0;
    }
    return bytes;
  }

  #quotaExceeded(): Rejected | undefined {
    const quota = this.#scenario.exportDailyQuotaBytes;
    if (this.exportedToday() < quota) return undefined;
    return { code: '1029', message: `Export daily quota ${Math.round(quota / 1_048_576)}MB exceeded` };
  }

  create(type: BulkType, spec: JobSpec): Job | Rejected {
    this.refresh();
    const over = this.#quotaExceeded();
    if (over) return over;
    const job: Job = { exportId: randomUUID(), type, spec, status: 'Created', createdAt: this.#clock.now() };
    this.#jobs.set(job.exportId, job);
    return job;
  }

  enqueue(job: Job): Rejected | undefined {
    this.refresh();
    if (job.status !== 'Created') return { code: '1029', message: `Export job ${job.exportId} already ${job.status.toLowerCase()}` };
    const over = this.#quotaExceeded();
    if (over) return over;
    const inQueue = [...this.#jobs.values()].filter((other) => other.status === 'Queued' || other.status === 'Processing').length;
    if (inQueue >= this.#scenario.maxQueuedJobs) return { code: '1029', message: 'Too many jobs in queue' };
    job.status = 'Queued';
    job.queuedAt = this.#clock.now();
    job.queuedTick = this.#tick(job.queuedAt);
    return undefined;
  }

  cancel(job: Job): void {
    this.refresh();
    if (job.status === 'Created' || job.status === 'Queued' || job.status === 'Processing') {
      job.status = 'Cancelled';
      job.finishedAt = this.#clock.now();
    }
  }

  /** Moves jobs along: queued jobs start on a later tick when a processing slot is free; processing jobs finish once their pass is done. */
  refresh(): void {
    const now = this.#clock.now();
    const tick = this.#tick(now);
    const scenario = this.#scenario;
    let changed = true;
    while (changed) {
      changed = false;
      let processing = 0;
      for (const job of this.#jobs.values()) {
        if (job.status !== 'Processing') continue;
        if (job.pass?.done && tick >= (job.startedTick ?? tick) + scenario.bulkProcessingTicks) {
          this.#finish(job, now);
          changed = true;
        } else {
          processing += 1;
        }
      }
      const queued = [...this.#jobs.values()].filter((job) => job.status === 'Queued').sort((a, b) => (a.queuedAt ?? 0) - (b.queuedAt ?? 0));
      for (const job of queued) {
        if (processing >= scenario.maxProcessingJobs) break;
        if (tick <= (job.queuedTick ?? tick)) continue;
        this.#start(job, now, tick);
        processing += 1;
        changed = true;
      }
    }
  }

  #start(job: Job, now: Millis, tick: number): void {
    job.status = 'Processing';
    job.startedAt = now;
    job.startedTick = tick;
    const { spec } = job;
    job.plan = {
      table: spec.table,
      columns: spec.columns,
      scan: { ...spec.scan, asOf: this.#asOf() },
      accept: spec.accept,
      delimiter: delimiterOf(spec.format),
      lineEnding: this.#scenario.csvLineEnding,
      nullLiteralRatio: this.#scenario.csvNullLiteralRatio,
      nulRatio: this.#scenario.csvNulRatio,
      ...(spec.attributeTypes ? { attributeTypes: spec.attributeTypes } : {}),
    };
    void this.#measure(job, job.plan);
  }

  /** One streaming pass over the file (yielding to the event loop as it goes) for fileSize, numberOfRecords and the checksum. */
  async #measure(job: Job, plan: FilePlan): Promise<void> {
    const pass: NonNullable<Job['pass']> = { done: false, fileSize: 0, numberOfRecords: 0, checksum: '' };
    job.pass = pass;
    const hash = createHash('sha256');
    const counter = { rows: 0 };
    try {
      let sinceYield = 0;
      for (const chunk of fileChunks(plan, counter)) {
        if (job.status !== 'Processing') return;
        const bytes = Buffer.from(chunk, 'utf8');
        hash.update(bytes);
        pass.fileSize += bytes.length;
        sinceYield += bytes.length;
        if (sinceYield >= 1_048_576) {
          sinceYield = 0;
          await yieldToLoop();
        }
      }
      pass.numberOfRecords = counter.rows;
      pass.checksum = hash.digest('hex');
    } catch (error) {
      pass.error = error instanceof Error ? error.message : String(error);
    }
    pass.done = true;
  }

  #finish(job: Job, now: Millis): void {
    job.finishedAt = now;
    if (job.pass?.error !== undefined || this.#scenario.failJobs > 0) {
      if (job.pass?.error === undefined) this.#scenario.failJobs -= 1;
      job.status = 'Failed';
      job.errorMsg = job.pass?.error ?? 'Failed to export: an internal error occurred while writing the file';
      return;
    }
    job.status = 'Completed';
  }

  /** Whether a completed job's file is past the retention period. */
  expired(job: Job): boolean {
    return job.finishedAt !== undefined && this.#clock.now() > job.finishedAt + this.#scenario.exportRetentionDays * 86_400_000;
  }

  /** A job as status.json, enqueue.json, cancel.json and export.json report it. */
  describe(job: Job): Record<string, unknown> {
    const out: Record<string, unknown> = { exportId: job.exportId, format: job.spec.format, status: job.status, createdAt: restDate(job.createdAt) };
    if (job.queuedAt !== undefined) out.queuedAt = restDate(job.queuedAt);
    if (job.startedAt !== undefined) out.startedAt = restDate(job.startedAt);
    if (job.status === 'Completed' && job.finishedAt !== undefined && job.pass) {
      out.finishedAt = restDate(job.finishedAt);
      out.numberOfRecords = job.pass.numberOfRecords;
      out.fileSize = job.pass.fileSize;
      out.fileChecksum = `${this.#scenario.checksumPrefix}${job.pass.checksum}`;
    } else if (job.finishedAt !== undefined) {
      out.finishedAt = restDate(job.finishedAt);
    }
    if (job.errorMsg !== undefined) out.errorMsg = job.errorMsg;
    return out;
  }
}
