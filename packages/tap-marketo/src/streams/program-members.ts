/**
 * Program members through Bulk Extract. Marketo exports members by program (up to 10 programs a
 * job), so the program ids come first from the Asset API. The first run exports every member;
 * later runs export the members updated since, in `updatedAt` windows, program chunk by chunk.
 */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import { maxExportDays, type MarketoConfig } from '../config.js';
import { runExports, type DateWindow, type ExportUnit } from '../bulk.js';
import { recordConverter } from './convert.js';
import { assetPages } from './paging.js';
import { BOOLEAN, DATETIME, INTEGER, TEXT, objectSchema, type StreamDeps } from './support.js';
import { filterDatetime } from './windowed.js';

const SCHEMA = objectSchema({
  leadId: { type: 'integer' },
  programId: { type: 'integer' },
  id: INTEGER,
  statusName: TEXT,
  statusReason: TEXT,
  reachedSuccess: BOOLEAN,
  reachedSuccessDate: DATETIME,
  membershipDate: DATETIME,
  acquiredBy: BOOLEAN,
  isExhausted: BOOLEAN,
  nurtureCadence: TEXT,
  trackName: TEXT,
  attendanceLikelihood: INTEGER,
  registrationLikelihood: INTEGER,
  webinarUrl: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
});

const PROGRAMS_PER_JOB = 10;
const DAY_MS = 86_400_000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function programMembersStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name: 'program_members',
    keyProperties: ['leadId', 'programId'],
    schema: SCHEMA,
    replicationKey: 'updatedAt',
    isSorted: false,
    metadata: { label: 'Program members (Bulk Extract)' },
    async *records(context) {
      const { config, logger, bookmark } = context;
      const convert = recordConverter(SCHEMA, context.selectedProperties, logger);
      const fields = Object.keys(SCHEMA.properties as object).filter((name) => context.selectedProperties.has(name));
      const ids: number[] = [];
      for await (const program of assetPages(deps.client, 'programs.json', context.signal)) ids.push(Number(program.id));
      const groups = chunks(ids, PROGRAMS_PER_JOB);
      if (groups.length === 0) return;
      const resume = typeof bookmark.window_start === 'string' ? Date.parse(bookmark.window_start) : typeof context.startingValue === 'string' && bookmark.replication_key_value !== undefined ? Date.parse(context.startingValue) : undefined;
      const span = maxExportDays(config) * DAY_MS;
      // Units in order: every chunk of a window, then the next window while it starts before the server's present.
      let window: DateWindow | undefined = resume === undefined ? undefined : { start: Math.floor(resume / 1000) * 1000, end: Math.floor(resume / 1000) * 1000 + span };
      let chunk = 0;
      const next = (): ExportUnit | undefined => {
        if (chunk >= groups.length) {
          if (!window) return undefined;
          const start: number = window.end;
          if (deps.bulk.serverNow === undefined || start >= deps.bulk.serverNow) return undefined;
          window = { start, end: start + span };
          chunk = 0;
        }
        const programIds = groups[chunk]!;
        chunk += 1;
        const filter = { programIds, ...(window ? { updatedAt: { startAt: filterDatetime(window.start), endAt: filterDatetime(window.end) } } : {}) };
        const where = window ? ` [${filterDatetime(window.start)}, ${filterDatetime(window.end)}]` : '';
        return { type: 'program/members', label: `program_members of programs ${programIds[0]}..${programIds.at(-1)}${where}`, body: { fields, filter }, ...(window ? { window } : {}) };
      };
      let firstCreatedAt: number | undefined;
      let index = 0;
      for await (const exported of runExports(deps.bulk, next, { signal: context.signal, logger })) {
        const createdAt = exported.job.createdAt ? Date.parse(exported.job.createdAt) : Date.now();
        firstCreatedAt ??= createdAt;
        for await (const row of exported.rows) yield convert(row);
        index += 1;
        // A window (or the full export) is done once its last chunk is read.
        if (index % groups.length === 0) {
          const done = exported.unit.window ? Math.min(exported.unit.window.end, firstCreatedAt) : firstCreatedAt;
          context.saveBookmark({ window_start: filterDatetime(done) });
          firstCreatedAt = undefined;
        }
      }
    },
  };
}
