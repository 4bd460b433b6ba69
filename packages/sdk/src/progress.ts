const INTERVAL_MS = 1000;

/**
 * Records/s on one rewritten stderr line, only when a person is watching (stderr is a TTY);
 * runners that parse stderr get nothing extra.
 */
export class ProgressReporter {
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #lastPrint = performance.now();

  constructor(
    private readonly stream: string,
    enabled = process.stderr.isTTY === true,
  ) {
    this.#enabled = enabled;
  }

  tick(count: number): void {
    if (!this.#enabled || (count & 1023) !== 0) return;
    const now = performance.now();
    if (now - this.#lastPrint < INTERVAL_MS) return;
    this.#lastPrint = now;
    process.stderr.write(`\r${this.stream}: ${count} records, ${this.#rate(count, now)} records/s   `);
  }

  done(count: number): void {
    if (this.#enabled && count >= 1024) process.stderr.write(`\r${this.stream}: ${count} records, ${this.#rate(count, performance.now())} records/s\n`);
  }

  #rate(count: number, now: number): number {
    return Math.round(count / Math.max((now - this.#started) / 1000, 0.001));
  }
}
