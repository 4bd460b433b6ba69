/**
 * Smart campaigns as the Asset API (`smartCampaigns.json`, `smartCampaign/{id}.json`) describes
 * them, derived from the `campaigns` table (the lead database's view: type, program, active) and
 * the parent program. A campaign of an Engagement program is a drip cast: a trigger campaign the
 * engagement stream requests ("Campaign is Requested", source Engagement Program Cast), hence
 * requestable; the API has no "drip" type of its own.
 */
import type { Millis, Row, Table } from '../dataset/types.js';
import { assetDate } from './format.js';

/** Where a campaign outside any program lives (Marketing Activities > Operational). */
const OPERATIONAL_FOLDER = { id: 19, type: 'Folder' };
const DEFAULT_INSTANCE = 'https://app-sj01.marketo.com';

export interface ProgramInfo {
  id: number;
  type: string;
  url?: string;
}

/** The programs a page of campaigns may point to, by id. */
export function programsById(programs: Table | undefined, asOf: Millis): Map<number, ProgramInfo> {
  const out = new Map<number, ProgramInfo>();
  if (!programs) return out;
  for (const row of programs.scan({ asOf, order: 'key' })) out.set(Number(row.id), { id: Number(row.id), type: String(row.type ?? ''), ...(typeof row.url === 'string' ? { url: row.url } : {}) });
  return out;
}

const ms = (value: unknown): Millis | null => (typeof value === 'number' ? value : null);

export function smartCampaignItem(row: Row, programs: ReadonlyMap<number, ProgramInfo>): Row {
  const id = Number(row.id);
  const program = row.programId === null || row.programId === undefined ? undefined : programs.get(Number(row.programId));
  const trigger = row.type === 'trigger';
  const drip = program?.type === 'Engagement';
  // The lead database's `active` (campaigns.json) and the asset's isActive are one flag.
  const active = row.active === true;
  const createdAt = ms(row.createdAt);
  const updatedAt = ms(row.updatedAt);
  const instance = program?.url ? new URL(program.url).origin : DEFAULT_INSTANCE;
  // An operational batch outside programs runs nightly; a program's batch send runs once.
  const recurring = !trigger && !program;
  return {
    id,
    name: row.name ?? null,
    description: row.description ?? '',
    createdAt: createdAt === null ? null : assetDate(createdAt),
    updatedAt: updatedAt === null ? null : assetDate(updatedAt),
    folder: program ? { id: program.id, type: 'Program' } : OPERATIONAL_FOLDER,
    status: trigger ? (active ? 'Active' : 'Inactive') : recurring ? 'Recurring Run' : 'Single Run',
    type: row.type,
    isSystem: false,
    isActive: active,
    isRequestable: drip,
    isCommunicationLimitEnabled: drip || !trigger,
    recurrence: recurring && createdAt !== null ? { startAt: assetDate(createdAt), intervalType: 'Daily', interval: 1, weekdayOnly: false } : { weekdayOnly: false },
    qualificationRuleType: drip ? 'any' : 'once',
    workspace: row.workspaceName ?? 'Default',
    smartListId: 5000 + id,
    flowId: 7000 + id,
    ...(program ? { parentProgramId: program.id } : {}),
    computedUrl: `${instance}/#SC${id}A1`,
  };
}
