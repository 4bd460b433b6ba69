/** An export file whose server goes silent after the headers: `request_timeout_seconds` bounds each wait inside the body too. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { RetriableError, memoryLogger } from '@singer-io-ts/sdk';
import { MarketoClient } from '../src/client.js';
import { configFor, startInstance } from './helpers/marketo.js';

t.test('a file that stalls mid-body fails as retriable after the timeout of silence, and frees its call slot', async (t) => {
  const mk = await startInstance(t, { scale: 0.01 });
  let served = 0;
  // Its first answer sends the headers and a row, then nothing; later answers send the whole file.
  const server = createServer((_request, response) => {
    served += 1;
    response.writeHead(200, { 'content-type': 'text/csv' });
    response.write('id,name\n1,a\n');
    if (served > 1) response.end('2,b\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file.json`;
  // One call at a time: a slot kept by the stalled read would block the next read for good.
  const client = await MarketoClient.connect(configFor(mk, { request_timeout_seconds: 0.5, max_concurrent_calls: 1 }), memoryLogger());
  const rows: string[][] = [];
  const read = async () => {
    for await (const row of client.csv(url)) rows.push(row);
  };

  const stalled = await read().then(
    () => 'read to the end',
    (error: unknown) => error,
  );
  t.type(stalled, RetriableError, 'a retriable failure, which the export reader answers by downloading again');
  t.match(String(stalled), /file\.json: no data for 0\.5 s in the middle of the body/);
  t.same(rows, [['id', 'name'], ['1', 'a']], 'the rows before the silence were given');

  rows.length = 0;
  await read();
  t.same(rows, [['id', 'name'], ['1', 'a'], ['2', 'b']], 'the next read gets the slot and the whole file');
});
