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

// CRUD exports come unsorted, so the bookmark cannot move with their rows: the state records the
// end of the last window read instead, and both APIs start the rerun there.
for (const apiType of ['AQUA', 'REST'] as const) {
  t.test(`${apiType}: a run stopped after five windows: the rerun exports nothing before the end of the windows already read`, async (t) => {
    const zuora = await startTenant(t, { scale: 0.2, scenario: { maxWindowDays: 90 } });
    const config = configFor(zuora, 'oauth', { api_type: apiType });
    const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: ['Invoice'] }), ['Invoice']);
    // Files are read one window at a time, in order: five windows are read, the sixth file stays out of reach.
    const fileRoute = apiType === 'AQUA' ? 'aqua.file' : 'files.get';
    zuora.server.inject({ route: fileRoute, after: 5, times: Infinity, action: { type: 'error', code: '503' } });
    const first = await runTap(fastTap(), { config, catalog });
    t.match(first.summary.stoppedEarly, new RegExp(`Zuora kept failing the ${fileRoute.replace('.', '\\.')} call`));
    const doneUntil = (first.finalState as { bookmarks: { Invoice: { zuora_done_until?: string } } }).bookmarks.Invoice.zuora_done_until;
    t.match(doneUntil, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, `the state says every row before ${doneUntil} was read`);
    t.ok(first.records('Invoice').length > 0, `${first.records('Invoice').length} rows read before the stop`);

    zuora.server.faults.clear();
    const jobsBefore = zuora.submittedJobs().length;
    const rerun = await runTap(fastTap(), { config, catalog, state: first.finalState });
    const lowerBounds = zuora.submittedJobs().slice(jobsBefore).flatMap((job) => job.queries.map((q) => /UpdatedDate >= '([^']+)'/.exec(q.query)?.[1]));
    t.ok(lowerBounds.length > 0 && lowerBounds.every((from) => from !== undefined && Date.parse(from) >= Date.parse(String(doneUntil))), `no export of the rerun starts before it (${lowerBounds.join(', ')})`);
    const expected = simIds(zuora, 'Invoice', apiType === 'AQUA');
    t.same(ids([...first.records('Invoice'), ...rerun.records('Invoice')]), expected, 'both runs together: every row');
    t.equal(first.records('Invoice').length + rerun.records('Invoice').length, expected.length, 'none read twice');
    t.equal((rerun.finalState as { bookmarks: { Invoice: { zuora_done_until?: string | null } } }).bookmarks.Invoice.zuora_done_until, null, 'cleared once the object is read to the end');
  });
}
