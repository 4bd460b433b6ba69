/**
 * `request_timeout_seconds` bounds the wait for a response's headers; an export file's body then
 * streams for minutes, and a server (or a connection) that goes silent in the middle would hold
 * the call's concurrency slot until the run ends. Each wait for the next part of a body is bounded
 * too, so that the download is tried again. Only the wait on the network is timed, never the
 * consumer's pace.
 */
import { RetriableError } from '@singer-io-ts/sdk';

export async function* idleLimited(body: ReadableStream<Uint8Array>, idleMs: number, what: string): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RetriableError(`${what}: no data for ${idleMs / 1000} s in the middle of the body`)), idleMs);
      });
      const next = await Promise.race([reader.read(), silent]).finally(() => clearTimeout(timer));
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Cancelling closes the connection (and ends a read still waiting).
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
