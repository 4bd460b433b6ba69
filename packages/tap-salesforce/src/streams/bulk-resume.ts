/**
 * A Bulk API 2.0 read that resumes mid-object in the next run, as singer-io/tap-salesforce
 * resumes its bulk jobs from state. Bulk rows come in no order, so the bookmark's key cannot move
 * while an object is read; the job can be kept instead. `bulk_job` in the stream's bookmark names
 * the job, a digest of its SOQL (a wide object's SOQL runs to tens of kilobytes: not for every STATE), the locator of the first results page not yet fully emitted (null: the first
 * page) and the highest replication key value (with the highest Id at it) among the rows emitted
 * so far. It is saved when the results start and after each fully emitted page; `saveBookmark`
 * reaches STATE only after the records yielded before it are written, so after a stop (quota,
 * SIGTERM, outage) the state names a page whose rows may not all be loaded, never a later one.
 *
 * The next run starts from the same bookmark (it did not move), so its first Bulk job would send
 * the same SOQL: it reads on from the saved page instead of creating a job (bulk2/query.ts checks
 * the job is still complete, else creates one). The saved page's rows are emitted again: at least
 * once, which the target's upsert by Id absorbs. The highest key must cover both runs' rows, and
 * `last_id` may only accompany a key value some row read actually has: the saved maximum is merged
 * in when the job is resumed, and only then (a new job reads the whole window again).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@singer-io-ts/sdk';
import { deleteBulkJob, type BulkResumePoint } from '../bulk2/index.js';
import type { SalesforceClient } from '../client.js';

/** `bulk_job` in a stream's bookmark. */
export interface SavedBulkJob {
  id: string;
  /** sha256 of the job's SOQL (queryDigest). */
  query_sha256: string;
  locator: string | null;
  max_value?: string;
  max_value_id?: string;
}

/** What `bulk_job` keeps of a SOQL query, to tell whether the next run would send the same one. */
export function queryDigest(soql: string): string {
  return createHash('sha256').update(soql).digest('hex');
}

/** The highest replication key value among rows read, with the highest Id among its rows. */
export class KeyMax {
  value: string | undefined;
  id: string | undefined;

  add(value: string, id: string): void {
    if (this.value === undefined || value > this.value) [this.value, this.id] = [value, id];
    else if (value === this.value && (this.id === undefined || id > this.id)) this.id = id;
  }
}

function parseSaved(value: unknown): SavedBulkJob | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const job = value as Partial<SavedBulkJob>;
  if (typeof job.id !== 'string' || typeof job.query_sha256 !== 'string' || !(job.locator === null || typeof job.locator === 'string')) return undefined;
  return job as SavedBulkJob;
}

export class BulkResume {
  readonly #max: KeyMax;
  readonly #save: (job: SavedBulkJob | undefined) => void;
  #saved: SavedBulkJob | undefined;
  #taken = false;
  /** Whether the bookmark holds a `bulk_job` to clear at the end. */
  #inBookmark: boolean;

  /** `saved`: the bookmark's `bulk_job`; `save` stores a new one (undefined: none). */
  constructor(saved: unknown, max: KeyMax, save: (job: SavedBulkJob | undefined) => void) {
    this.#saved = parseSaved(saved);
    this.#inBookmark = saved !== undefined;
    this.#max = max;
    this.#save = save;
  }

  /**
   * The saved job, for the run's first Bulk job only: later ones (halves of a window) query
   * something else. Whoever takes it resumes it or deletes it.
   */
  take(): SavedBulkJob | undefined {
    if (this.#taken) return undefined;
    this.#taken = true;
    return this.#saved;
  }

  /** A point `query`'s job can be resumed from (bulkQuery's onResumePoint). */
  point(query: string, { jobId, locator }: BulkResumePoint): void {
    const saved = this.#saved;
    if (saved && jobId === saved.id) {
      // The job is resumed: the rows of its pages the earlier run emitted count as read.
      if (saved.max_value !== undefined && saved.max_value_id !== undefined) this.#max.add(saved.max_value, saved.max_value_id);
      this.#saved = undefined;
    }
    const { value, id } = this.#max;
    this.#inBookmark = true;
    this.#save({ id: jobId, query_sha256: queryDigest(query), locator, ...(value !== undefined && id !== undefined ? { max_value: value, max_value_id: id } : {}) });
  }

  /** The object is read whole: nothing left to resume. A saved job no Bulk read took (AUTO chose REST) is deleted. */
  async finish(client: SalesforceClient, logger: Logger): Promise<void> {
    const unused = this.#taken ? undefined : this.#saved;
    this.#saved = undefined;
    if (this.#inBookmark) this.#save(undefined);
    if (unused) await deleteBulkJob(client.bulkTransport, client.version, unused.id, logger);
  }
}
