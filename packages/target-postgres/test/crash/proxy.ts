/**
 * A TCP proxy between the target and Postgres that can drop the connection in the middle of a
 * COPY: it follows the frontend messages (startup, then type byte + length) and, once the
 * `dropOnCopy`-th COPY statement has sent some CopyData, resets the target's side and closes the
 * server's side. Only this proxy's connections are affected; the shared server is not touched.
 */
import net from 'node:net';

export interface DropProxy {
  port: number;
  /** Resolves when the connection was dropped. */
  dropped: Promise<{ at: number }>;
  /** COPY statements seen so far (all connections). */
  copies(): number;
  close(): Promise<void>;
}

export async function startDropProxy(upstream: { host: string; port: number }, options: { dropOnCopy: number }): Promise<DropProxy> {
  let copies = 0;
  let done = false;
  let resolveDropped!: (value: { at: number }) => void;
  const dropped = new Promise<{ at: number }>((resolve) => (resolveDropped = resolve));
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const backend = net.connect(upstream.port, upstream.host);
    sockets.add(client).add(backend);
    client.on('close', () => sockets.delete(client));
    backend.on('close', () => sockets.delete(backend));
    client.on('error', () => backend.destroy());
    backend.on('error', () => client.destroy());
    backend.on('data', (chunk) => client.write(chunk));
    backend.on('end', () => client.end());
    client.on('end', () => backend.end());

    let buffered = Buffer.alloc(0);
    let skip = 0; // bytes of a message already judged, still to come
    let started = false;
    let myCopy = 0; // the COPY number this connection is in, when in one
    client.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (skip > 0) {
        const n = Math.min(skip, data.length);
        skip -= n;
        data = data.subarray(n);
      }
      buffered = Buffer.concat([buffered, data]);
      // Judge every message whose header (and first bytes) arrived, then forward the chunk or drop.
      let drop = false;
      let offset = 0;
      for (;;) {
        const available = buffered.length - offset;
        let size: number;
        if (!started) {
          if (available < 4) break;
          size = buffered.readInt32BE(offset);
          started = true;
        } else {
          if (available < 5) break;
          const type = String.fromCharCode(buffered[offset]!);
          size = 1 + buffered.readInt32BE(offset + 1);
          const head = Math.min(size - 5, 16);
          if (available < 5 + head) break;
          if (type === 'Q') {
            if (/^\s*COPY\b/i.test(buffered.subarray(offset + 5, offset + 5 + head).toString('latin1'))) myCopy = ++copies;
          } else if (type === 'd' && !done && myCopy === options.dropOnCopy) {
            drop = true;
          }
        }
        if (available < size) {
          skip = size - available;
          offset = buffered.length;
          break;
        }
        offset += size;
      }
      buffered = buffered.subarray(offset);
      if (drop) {
        done = true;
        client.resetAndDestroy();
        backend.destroy();
        resolveDropped({ at: Date.now() });
        return;
      }
      backend.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    dropped,
    copies: () => copies,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
