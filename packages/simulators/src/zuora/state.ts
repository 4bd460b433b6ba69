import type { Millis } from '../dataset/types.js';
import { countRows, segmentSelection, type DeletedSpec, type FileSpec, type Selection } from './files.js';
import type { ZuoraScenario } from './scenario.js';

/**
 * Jobs, result files and stateful AQuA sessions of one tenant. Job progress
 * is lazy: it moves when a status poll arrives (`jobPolls`) or when enough
 * wall-clock time has passed (`jobDurationMs`), so a test controls it exactly.
 */

export type Outcome = ZuoraScenario['jobOutcome'];

export interface Lifecycle {
  submittedAt: number;
  polls: number;
  jobPolls: number;
  durationMs: number;
  hang: boolean;
  outcome: Outcome;
  failureMessage: string;
  done: boolean;
}

export type Phase = 'waiting' | 'running' | 'done';

export function newLifecycle(scenario: ZuoraScenario, windowDays: number): Lifecycle {
  const tooWide = windowDays > scenario.maxWindowDays;
  return {
    submittedAt: Date.now(),
    polls: 0,
    jobPolls: Math.max(0, scenario.jobPolls),
    durationMs: scenario.jobDurationMs,
    hang: scenario.jobsNeverComplete || (tooWide && scenario.windowLimitAction === 'hang'),
    outcome: tooWide ? 'error' : scenario.jobOutcome,
    failureMessage: tooWide
      ? `Export timed out: the query window of ${Math.ceil(windowDays)} days exceeds the time limit; narrow the UpdatedDate range (limit ${scenario.maxWindowDays} days)`
      : scenario.jobFailureMessage,
    done: false,
  };
}

/** Moves a job along; `poll` counts a status request. */
export function progress(life: Lifecycle, poll: boolean): Phase {
  if (life.done) return 'done';
  if (poll) life.polls += 1;
  if (!life.hang) {
    const byPolls = life.polls > life.jobPolls;
    const byTime = life.durationMs > 0 && Date.now() - life.submittedAt >= life.durationMs;
    if (byPolls || byTime) {
      life.done = true;
      return 'done';
    }
  }
  return life.polls >= 1 ? 'running' : 'waiting';
}

export interface AquaBatch {
  batchId: string;
  name: string;
  query: string;
  batchType: string;
  selection: Selection;
  deleted: DeletedSpec | undefined;
  full: boolean | undefined;
  status: 'pending' | 'executing' | 'completed' | 'aborted' | 'cancelled';
  recordCount: number;
  fileId?: string;
  segments?: string[];
  message?: string;
}

export interface AquaJob {
  id: string;
  name: string;
  version: string;
  format: string;
  encrypted: string;
  partner: string | undefined;
  project: string | undefined;
  sessionKey: string | undefined;
  incrementalTime: string | undefined;
  useQueryLabels: boolean;
  dateTimeUtc: boolean;
  timeZone: string;
  asOf: Millis;
  startTime: string;
  status: 'submitted' | 'executing' | 'completed' | 'error' | 'aborted' | 'cancelled';
  message: string | undefined;
  batches: AquaBatch[];
  life: Lifecycle;
  /** Scenario switches captured at submit. */
  segmentRows: number;
  truncate: boolean;
  nulEvery: number;
}

export interface ExportJob {
  id: string;
  name: string | undefined;
  query: string;
  format: string;
  selection: Selection;
  timeZone: string;
  status: 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';
  statusReason: string | null;
  fileId: string | undefined;
  size: number | undefined;
  createdAt: number;
  updatedAt: number;
  life: Lifecycle;
  truncate: boolean;
  nulEvery: number;
}

/** What a client asked a job for, as a test reads it back. */
export interface SubmittedJob {
  kind: 'aqua' | 'export';
  id: string;
  status: string;
  partner?: string;
  project?: string;
  incrementalTime?: string;
  queries: Array<{ query: string; deleted: boolean }>;
}

export interface Session {
  /** Simulated present of the last completed run: the next run returns rows changed after it. */
  lastAsOf: Millis;
  lastJobId: string;
}

export class ZuoraState {
  readonly aquaJobs = new Map<string, AquaJob>();
  readonly exports = new Map<string, ExportJob>();
  readonly files = new Map<string, FileSpec>();
  readonly sessions = new Map<string, Session>();
  #counter = 0;

  constructor(readonly scenario: ZuoraScenario) {}

  /** 32 hex characters, like Zuora ids; the prefix keeps them apart from the dataset's ids. */
  newId(): string {
    this.#counter += 1;
    return `402881824835bb2a${this.#counter.toString(16).padStart(16, '0')}`;
  }

  activeJobs(): number {
    let active = 0;
    for (const job of this.aquaJobs.values()) if (job.status === 'submitted' || job.status === 'executing') if (progress(job.life, false) !== 'done') active += 1;
    for (const job of this.exports.values()) if (job.status === 'Pending' || job.status === 'Processing') if (progress(job.life, false) !== 'done') active += 1;
    return active;
  }

  /** AQuA jobs and exports, oldest first (a finished AQuA job that was DELETEd is gone). */
  submitted(): SubmittedJob[] {
    const aqua = [...this.aquaJobs.values()].map((job): SubmittedJob => ({
      kind: 'aqua',
      id: job.id,
      status: job.status,
      ...(job.partner !== undefined ? { partner: job.partner } : {}),
      ...(job.project !== undefined ? { project: job.project } : {}),
      ...(job.incrementalTime !== undefined ? { incrementalTime: job.incrementalTime } : {}),
      queries: job.batches.map((batch) => ({ query: batch.query, deleted: batch.deleted !== undefined })),
    }));
    const exports = [...this.exports.values()].map((job): SubmittedJob => ({ kind: 'export', id: job.id, status: job.status, queries: [{ query: job.query, deleted: false }] }));
    // Ids come from one counter, fixed width: their order is the order of submission.
    return [...aqua, ...exports].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  addFile(spec: Omit<FileSpec, 'id' | 'createdAt' | 'expiresAt' | 'expired'>): FileSpec {
    const now = Date.now();
    const file: FileSpec = { ...spec, id: this.newId(), createdAt: now, expiresAt: now + this.scenario.fileTtlMs, expired: false };
    this.files.set(file.id, file);
    return file;
  }

  /** A downloadable file, or undefined once expired or deleted. */
  file(id: string): FileSpec | undefined {
    const file = this.files.get(id);
    if (!file || file.expired || Date.now() >= file.expiresAt) return undefined;
    return file;
  }

  expireFile(id: string): boolean {
    const file = this.files.get(id);
    if (!file) return false;
    file.expired = true;
    return true;
  }

  expireAllFiles(): void {
    for (const file of this.files.values()) file.expired = true;
  }

  /** Brings an AQuA job up to date; on completion counts rows, creates files and advances the session. */
  advanceAqua(job: AquaJob, poll: boolean): void {
    if (job.status !== 'submitted' && job.status !== 'executing') return;
    const phase = progress(job.life, poll);
    if (phase === 'waiting') return;
    if (phase === 'running') {
      job.status = 'executing';
      for (const batch of job.batches) batch.status = 'executing';
      return;
    }
    const { outcome, failureMessage } = job.life;
    if (outcome === 'completed') {
      for (const batch of job.batches) this.#completeBatch(job, batch);
      job.status = 'completed';
      if (job.sessionKey) this.sessions.set(job.sessionKey, { lastAsOf: job.asOf, lastJobId: job.id });
      return;
    }
    job.status = outcome;
    job.message = failureMessage;
    for (const batch of job.batches) {
      batch.status = outcome === 'cancelled' ? 'cancelled' : 'aborted';
      batch.message = failureMessage;
    }
  }

  #completeBatch(job: AquaJob, batch: AquaBatch): void {
    const segmented = job.segmentRows > 0 ? segmentSelection(batch.selection, job.segmentRows) : undefined;
    const total = segmented ? segmented.total : countRows(batch.selection);
    batch.recordCount = total;
    batch.status = 'completed';
    batch.message = '';
    const common = {
      kind: 'aqua' as const,
      format: job.format === 'gzip' ? ('gzip' as const) : ('csv' as const),
      selection: batch.selection,
      deleted: batch.deleted,
      useQueryLabels: job.useQueryLabels,
      dateTimeUtc: job.dateTimeUtc,
      timeZone: job.timeZone,
      truncated: job.truncate,
      nulEvery: job.nulEvery,
    };
    if (segmented && total > job.segmentRows) {
      batch.segments = segmented.starts.map((resume, i) => this.addFile({ ...common, resume, rows: Math.min(job.segmentRows, total - i * job.segmentRows) }).id);
    } else {
      batch.fileId = this.addFile({ ...common, resume: undefined, rows: total }).id;
    }
  }

  /** Cancels a running AQuA job; a finished one is deleted. */
  deleteAqua(job: AquaJob): void {
    if (job.status === 'submitted' || job.status === 'executing') {
      job.life.done = true;
      job.status = 'cancelled';
      for (const batch of job.batches) batch.status = 'cancelled';
    } else {
      this.aquaJobs.delete(job.id);
    }
  }
}
