/**
 * The tenant-wide bound on export jobs this run has in flight (submitted, not yet finished), shared
 * by the streams syncing in parallel and the windows each reads ahead. Zuora counts running jobs
 * against a limit shared with every other client: `max_concurrent_jobs` is this run's share.
 */
export class JobSlots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = Math.max(1, size);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      // A waiting job takes the slot over; otherwise it is free again.
      if (next) next();
      else this.#free += 1;
    }
  }
}
