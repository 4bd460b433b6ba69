/**
 * Resuming: a file cut mid-transfer is read on from the last row emitted; a run stopped mid-window
 * leaves the job's file ids in the state, and the rerun reads those files instead of exporting again.
 */
import { runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import t from 'tap';
import { configFor, discoverCatalog, fastTap, ids, simIds, startTenant } from './helpers/zuora.js';

t.test('a connection cut in the middle of every file: each new job starts after the last row emitted, the data is complete', async (t) => {
  const zuora = await startTenant(t, { scale: 0.5, scenario: { jobPolls: 0 } });
  const config = configFor(zuora);
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['InvoiceItem'] }), ['InvoiceItem']);
  zuora.server.inject({ route: 'aqua.file', times: 3, action: { type: 'drop', afterBytes: 100_000 } });
  const run = await runTap(fastTap(), { config, catalog });
  t.same(ids(run.records('InvoiceItem')), simIds(zuora, 'InvoiceItem'));
  const restarts = run.logLines.filter((line) => /exporting the window again from \d{4}-/.test(line));
  t.equal(restarts.length, 3, 'three restarts, each after the last row emitted');
  t.ok(run.records('InvoiceItem').length < 2 * simIds(zuora, 'InvoiceItem').length, 'rows are not read over and over');
});

t.test('a run stopped mid-window: the rerun reads the saved files, no new export', async (t) => {
  const zuora = await startTenant(t, { scale: 0.5, scenario: { jobPolls: 0 } });
  const config = configFor(zuora);
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['InvoiceItem'] }), ['InvoiceItem']);
  // The file is cut, and the job that would read on fails: a clean stop with the first job's files saved.
  zuora.server.inject({ route: 'aqua.file', times: 1, action: { type: 'drop', afterBytes: 100_000 } });
  zuora.server.inject({ route: 'aqua.status', after: 1, times: Infinity, action: { type: 'status', status: 200, body: { id: 'x', status: 'aborted', message: 'Execution aborted' }, headers: { 'content-type': 'application/json' } } });
  const first = await runTap(fastTap({ maxJobFailures: 1 }), { config, catalog });
  t.ok(first.summary.stoppedEarly, 'a clean stop');
  const state = first.finalState as { bookmarks: { InvoiceItem: { zuora_window?: { fileIds: string[] }; replication_key_value?: string } } };
  t.equal(state.bookmarks.InvoiceItem.zuora_window?.fileIds.length, 1, 'the job\'s file id is in the state');
  t.ok(first.records('InvoiceItem').length > 0, `${first.records('InvoiceItem').length} rows before the stop`);

  zuora.server.faults.clear();
  const submits = zuora.server.calls('aqua.submit');
  const rerun = await runTap(fastTap(), { config, catalog, state: first.finalState });
  t.equal(zuora.server.calls('aqua.submit'), submits, 'no new job');
  t.same(ids([...first.records('InvoiceItem'), ...rerun.records('InvoiceItem')]), simIds(zuora, 'InvoiceItem'), 'both runs together: every row');
  t.ok(rerun.records('InvoiceItem').length < simIds(zuora, 'InvoiceItem').length, 'rows before the bookmark are skipped');
  t.equal((rerun.finalState as typeof state).bookmarks.InvoiceItem.zuora_window, null, 'the finished window is cleared from the state');
});

t.test('saved files that expired in between: exported again from the bookmark', async (t) => {
  const zuora = await startTenant(t, { scale: 0.5, scenario: { jobPolls: 0 } });
  const config = configFor(zuora);
  const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['InvoiceItem'] }), ['InvoiceItem']);
  zuora.server.inject({ route: 'aqua.file', times: 1, action: { type: 'drop', afterBytes: 100_000 } });
  zuora.server.inject({ route: 'aqua.status', after: 1, times: Infinity, action: { type: 'status', status: 200, body: { id: 'x', status: 'aborted', message: 'Execution aborted' }, headers: { 'content-type': 'application/json' } } });
  const first = await runTap(fastTap({ maxJobFailures: 1 }), { config, catalog });
  zuora.server.faults.clear();
  zuora.expireAllFiles();
  const rerun = await runTap(fastTap(), { config, catalog, state: first.finalState });
  t.ok(rerun.logLines.some((line) => /Cannot find file by id.*exporting the window again from \d{4}-/.test(line)), 'the expiry is logged, and the export starts at the bookmark');
  t.same(ids([...first.records('InvoiceItem'), ...rerun.records('InvoiceItem')]), simIds(zuora, 'InvoiceItem'));
});
