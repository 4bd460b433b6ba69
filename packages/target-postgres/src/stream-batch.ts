import type { TablePlan } from './table.js';

const CHUNK_BYTES = 64 * 1024;

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
 * Rows are written into a preallocated chunk as they come: concatenating them into a long string
 * and encoding that at the end cost more than the rows' own encoding.
 */
export class StreamBatch {
  readonly chunks: Buffer[] = [];
  readonly inputLines: number[] = [];
  readonly files: BatchFiles[] = [];
  readonly activateVersions: number[] = [];
  rows = 0;
  #chunk: Buffer | undefined;
  #used = 0;
  #bytes = 0;

  constructor(readonly plan: TablePlan) {}

  /** A row as text (`\n` included). */
  append(copyLine: string, inputLine: number): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const chunk = this.#room(copyLine.length * 3);
    this.#used += chunk.write(copyLine, this.#used, 'utf8');
    this.#added(inputLine);
  }

  /** A row as UTF-8 bytes (`\n` included): bytes[0, length). */
  appendBytes(bytes: Buffer, length: number, inputLine: number): void {
    const chunk = this.#room(length);
    // (copy, not set(subarray()): no view object per row)
    bytes.copy(chunk, this.#used, 0, length);
    this.#used += length;
    this.#added(inputLine);
  }

  /**
   * For rows encoded in place: the current chunk, with at least `bytes` free from `freeFrom`. A
   * row written there is added by commitInPlace; one that did not fit, by appendBytes.
   */
  chunkWithRoom(bytes: number): Buffer {
    return this.#room(bytes);
  }

  get freeFrom(): number {
    return this.#used;
  }

  /** The row written in place into the current chunk, from freeFrom to `end`. */
  commitInPlace(end: number, inputLine: number): void {
    this.#used = end;
    this.#added(inputLine);
  }

  get bytes(): number {
    return this.#bytes + this.#used;
  }

  get isEmpty(): boolean {
    return this.rows === 0 && this.files.length === 0 && this.activateVersions.length === 0;
  }

  /** The COPY data; call once, when the batch is flushed. */
  takeChunks(): Buffer[] {
    this.#seal();
    return this.chunks.splice(0);
  }

  #added(inputLine: number): void {
    this.inputLines.push(inputLine);
    this.rows += 1;
  }

  /** The current chunk, with at least `bytes` free after #used. */
  #room(bytes: number): Buffer {
    if (this.#chunk !== undefined && this.#used + bytes <= this.#chunk.length) return this.#chunk;
    this.#seal();
    this.#chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    return this.#chunk;
  }

  #seal(): void {
    if (this.#chunk === undefined || this.#used === 0) return;
    this.chunks.push(this.#chunk.subarray(0, this.#used));
    this.#bytes += this.#used;
    this.#chunk = undefined;
    this.#used = 0;
  }
}
