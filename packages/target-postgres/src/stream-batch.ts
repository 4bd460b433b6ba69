import type { TablePlan } from './table.js';

const CHUNK_CHARS = 64 * 1024;

/** Files of a BATCH message, streamed into COPY at flush time rather than read into memory. */
export interface BatchFiles {
  urls: string[];
  compression: 'gzip' | 'none';
  /** Input line of the BATCH message, for errors. */
  line: number;
}

/**
 * One stream's part of a batch: COPY text lines, kept as UTF-8 chunks (half the memory of
 * JS strings for non-Latin text), and the input line of each row so a COPY error can name it.
 */
export class StreamBatch {
  readonly chunks: Buffer[] = [];
  readonly inputLines: number[] = [];
  readonly files: BatchFiles[] = [];
  readonly activateVersions: number[] = [];
  rows = 0;
  #pending = '';
  #bytes = 0;

  constructor(readonly plan: TablePlan) {}

  append(copyLine: string, inputLine: number): void {
    this.#pending += copyLine;
    this.inputLines.push(inputLine);
    this.rows += 1;
    if (this.#pending.length >= CHUNK_CHARS) this.#seal();
  }

  get bytes(): number {
    return this.#bytes + this.#pending.length;
  }

  get isEmpty(): boolean {
    return this.rows === 0 && this.files.length === 0 && this.activateVersions.length === 0;
  }

  /** The COPY data; call once, when the batch is flushed. */
  takeChunks(): Buffer[] {
    this.#seal();
    return this.chunks.splice(0);
  }

  #seal(): void {
    if (this.#pending === '') return;
    const chunk = Buffer.from(this.#pending, 'utf8');
    this.chunks.push(chunk);
    this.#bytes += chunk.length;
    this.#pending = '';
  }
}
