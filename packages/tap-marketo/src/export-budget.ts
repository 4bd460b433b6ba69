/**
 * The day's export bytes against `max_daily_export_mb` (below Marketo's 500 MB a day, counted in
 * US Central days over every client of the subscription). A job's size is known only once it
 * completes, so a job starts only if today's finished files, the expected size of the jobs under
 * way and its own expected size stay within the ceiling: the stop comes before the ceiling is
 * passed, not after.
 */
import { QuotaExhaustedError } from '@singer-io-ts/sdk';
import type { ExportType } from './bulk.js';

/**
 * Consecutive windows of a growing instance grow: a job is expected to be up to this much larger
 * than the largest file of its type so far.
 */
const GROWTH_MARGIN = 1.5;

/** Small budgets (tests, cautious settings) would all read "0.05 MB": below 1 MB, KB. */
const size = (bytes: number): string => (bytes < 1_048_576 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1_048_576).toFixed(2)} MB`);

/** A completed export file as the job lists report it. */
export interface ListedFile {
  exportId: string;
  type: ExportType;
  fileSize: number;
  /** The US Central day it finished. */
  day: string;
}

export class ExportBudget {
  readonly #maxBytes: number;
  #day: string | undefined;
  #exported = 0;
  /** Jobs whose bytes are in #exported (from the day's listing or seen completing). */
  readonly #counted = new Set<string>();
  readonly #underWay = new Map<string, ExportType>();
  readonly #largest = new Map<ExportType, number>();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Whether the day's finished files must be listed first: never yet, or the day turned. */
  needsListing(day: string): boolean {
    return this.#day !== day;
  }

  /**
   * The finished files of every client that the job lists still hold (7 days): today's are
   * counted, and all of them tell how large a job of their type can be, so that the first job of
   * a type in a run is estimated too (a rerun on the same day would otherwise start one blind).
   */
  setListing(day: string, files: ListedFile[]): void {
    this.#day = day;
    this.#counted.clear();
    this.#exported = 0;
    for (const file of files) {
      this.#largest.set(file.type, Math.max(this.#largest.get(file.type) ?? 0, file.fileSize));
      if (file.day !== day) continue;
      this.#counted.add(file.exportId);
      this.#exported += file.fileSize;
    }
  }

  /** Whether a file of this type is known (listed or seen), so that the next job of the type can be estimated. */
  knowsSize(type: ExportType): boolean {
    return this.#largest.has(type);
  }

  underWay(exportId: string, type: ExportType): void {
    this.#underWay.set(exportId, type);
  }

  /** Failed, cancelled or given up: it exports nothing. */
  ended(exportId: string): void {
    this.#underWay.delete(exportId);
  }

  /**
   * A file is counted on the day it finished (a job of an earlier run may have finished on an
   * earlier day). Before the day's listing nothing is counted: the listing will include it.
   */
  completed(exportId: string, type: ExportType, fileSize: number, finishedDay: string | undefined): void {
    this.#underWay.delete(exportId);
    this.#largest.set(type, Math.max(this.#largest.get(type) ?? 0, fileSize));
    if (this.#day === undefined || this.#counted.has(exportId) || (finishedDay !== undefined && finishedDay !== this.#day)) return;
    this.#counted.add(exportId);
    this.#exported += fileSize;
  }

  #expected(type: ExportType): number {
    return Math.ceil((this.#largest.get(type) ?? 0) * GROWTH_MARGIN);
  }

  /** Throws QuotaExhaustedError when one more job of this type could pass the ceiling. */
  check(type: ExportType): void {
    let ahead = this.#expected(type);
    for (const other of this.#underWay.values()) ahead += this.#expected(other);
    if (this.#exported < this.#maxBytes && this.#exported + ahead <= this.#maxBytes) return;
    throw new QuotaExhaustedError(
      `Marketo exports today reached ${size(this.#exported)}, and the jobs under way and the next ${type} export may add ${size(ahead)}: more than the ${size(this.#maxBytes)} allowed (max_daily_export_mb)`,
    );
  }
}
