import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { parseJsonLine } from '@singer-io-ts/sdk';
import type { BatchFiles } from './stream-batch.js';

/** Local paths of a BATCH manifest; only `file://` URLs and plain paths are readable here. */
export function localPath(url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`BATCH manifest entry ${url}: only local files (file://) are supported`);
  return url;
}

/**
 * The COPY lines of a BATCH message's files, produced as COPY pulls them: the files are never
 * read whole into memory.
 */
export async function* batchFileRows(files: BatchFiles, encode: (record: Record<string, unknown>) => string): AsyncGenerator<string> {
  for (const url of files.urls) {
    const path = localPath(url);
    const raw = createReadStream(path);
    const input = files.compression === 'gzip' ? raw.pipe(createGunzip()) : raw;
    raw.on('error', (error) => input.destroy(error));
    let lineNumber = 0;
    let chunk = '';
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = parseJsonLine(line);
      } catch (error) {
        throw new Error(`BATCH file ${path} line ${lineNumber}: malformed JSON (${(error as Error).message})`);
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error(`BATCH file ${path} line ${lineNumber}: expected a JSON object`);
      chunk += encode(record as Record<string, unknown>);
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
    chunk = '';
  }
}
