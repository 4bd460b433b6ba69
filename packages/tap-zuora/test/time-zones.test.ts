/**
 * The tenant's time zone: AQuA reads `incrementalTime` in it, CRUD exports write datetimes with
 * its offset. At both ends of the offsets (UTC+14, UTC−11) a full sync reads every row, and an
 * incremental one exactly the rows changed since its bookmark, their UpdatedDate in UTC.
 */
import { runTap, selectStreams } from '@singer-io-ts/sdk/testing';
import t, { type Test } from 'tap';
import type { ApiType } from '../src/config.js';
import { configFor, discoverCatalog, fastTap, ids, simRows, startTenant } from './helpers/zuora.js';

const STREAMS = ['Account', 'Contact', 'Subscription'];

type Run = Awaited<ReturnType<typeof runTap>>;
type Tenant = Awaited<ReturnType<typeof startTenant>>;
type State = { bookmarks: Record<string, Record<string, unknown>> };

/** Exports write whole seconds. */
const utcSecond = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();

const updatedDates = (zuora: Tenant, stream: string, apiType: ApiType): number[] => simRows(zuora, stream, apiType === 'AQUA').map((row) => row.UpdatedDate as number);

/** The run read the rows changed at or after `since` (all when undefined), each with its UpdatedDate. */
function readRows(t: Test, zuora: Tenant, run: Run, stream: string, apiType: ApiType, since: string | undefined): void {
  const rows = simRows(zuora, stream, apiType === 'AQUA').filter((row) => since === undefined || utcSecond(row.UpdatedDate as number) >= since);
  t.same(ids(run.records(stream)), ids(rows), `${stream}: the ${rows.length} rows${since ? ` changed since ${since}` : ''}`);
  const updated = new Map(rows.map((row) => [String(row.Id), utcSecond(row.UpdatedDate as number)]));
  t.ok(run.records(stream).every((record) => record.UpdatedDate === updated.get(String(record.Id))), `${stream}: UpdatedDate in UTC`);
}

for (const timeZone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
  for (const apiType of ['AQUA', 'REST'] as const) {
    t.test(`${apiType}: a tenant in ${timeZone}: a full sync, then an incremental one from a bookmark an hour before a change`, async (t) => {
      const zuora = await startTenant(t, { scale: 0.1, scenario: { timeZone, jobPolls: 0 } });
      const config = configFor(zuora, 'oauth', { api_type: apiType });
      const catalog = selectStreams(await discoverCatalog({ ...config, streams_to_discover: STREAMS }), STREAMS);
      const full = await runTap(fastTap(), { config, catalog });
      for (const stream of STREAMS) readRows(t, zuora, full, stream, apiType, undefined);

      // Half the tenant's history later, and less than a day of offsets before a change: a job that
      // took the bookmark for the tenant's local time would miss that change west of UTC.
      const state = structuredClone(full.finalState) as State;
      const since: Record<string, string> = {};
      for (const stream of STREAMS) {
        const dates = updatedDates(zuora, stream, apiType).sort((a, b) => a - b);
        since[stream] = utcSecond((dates[Math.floor(dates.length / 2)] as number) - 3_600_000);
        state.bookmarks[stream]!.replication_key_value = since[stream];
      }
      const incremental = await runTap(fastTap(), { config, catalog, state });
      for (const stream of STREAMS) readRows(t, zuora, incremental, stream, apiType, since[stream]);
    });
  }
}
