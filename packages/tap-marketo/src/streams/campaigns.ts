/**
 * Smart campaigns from the Asset API (`smartCampaigns.json`): batch and trigger campaigns with
 * their status, activity, requestability and parent program. The API has no drip type: a drip
 * (nurture) cast is a campaign of an Engagement program, so the parent program's type is read
 * from `programs.json` and `is_drip` says it. The lead database's `campaigns.json` gave only
 * type, active and program: those columns (`active`, `programId`, `programName`,
 * `workspaceName`) keep their names and meaning.
 */
import type { StreamDefinition } from '@singer-io-ts/sdk';
import type { MarketoConfig } from '../config.js';
import { recordConverter } from './convert.js';
import { assetPages } from './paging.js';
import { BOOLEAN, DATETIME, INTEGER, OBJECT, TEXT, objectSchema, type StreamDeps } from './support.js';

const CAMPAIGN = objectSchema({
  id: { type: 'integer' },
  name: TEXT,
  description: TEXT,
  type: TEXT,
  status: TEXT,
  isSystem: BOOLEAN,
  isActive: BOOLEAN,
  isRequestable: BOOLEAN,
  isCommunicationLimitEnabled: BOOLEAN,
  recurrence: OBJECT,
  qualificationRuleType: TEXT,
  folder: OBJECT,
  parentProgramId: INTEGER,
  smartListId: INTEGER,
  flowId: INTEGER,
  workspace: TEXT,
  computedUrl: TEXT,
  createdAt: DATETIME,
  updatedAt: DATETIME,
  programType: TEXT,
  is_drip: BOOLEAN,
  active: BOOLEAN,
  programId: INTEGER,
  programName: TEXT,
  workspaceName: TEXT,
});

interface Program {
  name: string | null;
  type: string | null;
}

/** `parentProgramId`, else the program the campaign's folder is (a campaign at a program's top level). */
function parentProgramId(item: Record<string, unknown>): number | null {
  const folder = item.folder as { id?: unknown; type?: unknown } | null | undefined;
  const id = item.parentProgramId ?? (folder?.type === 'Program' ? folder.id : undefined);
  return id === undefined || id === null || !Number.isFinite(Number(id)) ? null : Number(id);
}

export function campaignsStream(deps: StreamDeps): StreamDefinition<MarketoConfig> {
  return {
    name: 'campaigns',
    keyProperties: ['id'],
    schema: CAMPAIGN,
    metadata: { label: 'Smart campaigns: batch, trigger and drip (a campaign of an Engagement program)' },
    async *records(context) {
      const convert = recordConverter(CAMPAIGN, context.selectedProperties, context.logger);
      const programs = new Map<number, Program>();
      for await (const program of assetPages(deps.client, 'programs.json', context.signal)) {
        programs.set(Number(program.id), { name: typeof program.name === 'string' ? program.name : null, type: typeof program.type === 'string' ? program.type : null });
      }
      for await (const item of assetPages(deps.client, 'smartCampaigns.json', context.signal)) {
        const parentId = parentProgramId(item);
        const parent = parentId === null ? undefined : programs.get(parentId);
        yield convert({
          ...item,
          programType: parent?.type ?? null,
          // Unknown (null) when the parent program is not among those the API user may read.
          is_drip: parentId === null ? false : parent ? parent.type === 'Engagement' : null,
          active: item.isActive,
          programId: parentId,
          programName: parent?.name ?? null,
          workspaceName: item.workspace,
        });
      }
    },
  };
}
