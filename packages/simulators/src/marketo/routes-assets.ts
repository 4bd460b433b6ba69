import type { RequestContext, Route } from '../core/server.js';
import type { Row, ScanOptions, Table } from '../dataset/types.js';
import { intParam, parseDatetime, path, readParams, type Marketo } from './context.js';
import { fail, ok } from './envelope.js';
import { wireRow } from './format.js';
import { programsById, smartCampaignItem } from './smart-campaigns.js';

export const NO_ASSETS = 'No assets found for the given search criteria.';

/** One table row as its asset's JSON item. */
type ItemOf = (table: Table, row: Row) => Row;

const plainItem: ItemOf = (table, row) => wireRow(table, row, 'asset');

/**
 * Asset API lists (`programs.json`, `emails.json`, `landingPages.json`,
 * `smartCampaigns.json`): offset/maxReturn paging in id order, optional
 * updatedAt window, and the end of data told by a warning rather than an empty page.
 */
export function assetRoutes(mk: Marketo): Route[] {
  /** Smart campaigns carry facts of their parent program (its type makes a drip cast). */
  const campaignItem = (): ItemOf => {
    const programs = programsById(mk.simulation.company.table('marketo', 'programs'), mk.asOf());
    return (_table, row) => smartCampaignItem(row, programs);
  };

  const list = async (ctx: RequestContext, tableName: string, itemOf: ItemOf = plainItem): Promise<void> => {
    const params = await readParams(ctx);
    if (!params) return;
    const table = mk.table(tableName);
    const maxReturn = intParam(ctx, params, 'maxReturn', 20, 1, 200, '701');
    if (maxReturn === undefined) return;
    const offset = intParam(ctx, params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER, '701');
    if (offset === undefined) return;
    const bounds: { from?: number; to?: number } = {};
    for (const [name, bound] of [
      ['earliestUpdatedAt', 'from'],
      ['latestUpdatedAt', 'to'],
    ] as const) {
      const raw = params.get(name);
      if (raw === null || raw === '') continue;
      const parsed = parseDatetime(raw);
      if (!parsed) {
        fail(ctx, '701', `Invalid value '${raw}' for ${name}`);
        return;
      }
      // latestUpdatedAt is inclusive; the scan's upper bound is exclusive.
      bounds[bound] = bound === 'to' ? parsed.ms + 1 : parsed.ms;
    }
    const status = params.get('status');
    const folderParam = params.get('folder');
    let folderId: number | undefined;
    if (folderParam) {
      try {
        folderId = Number((JSON.parse(folderParam) as { id?: unknown }).id);
      } catch {
        fail(ctx, '701', `Invalid value '${folderParam}' for folder`);
        return;
      }
    }
    const onKey = table.replicationKey === 'updatedAt';
    const scan: ScanOptions = { asOf: mk.asOf(), order: 'key', ...(onKey ? bounds : {}) };
    const accept = (row: Row): boolean => {
      if (!onKey) {
        const updated = Number(row.updatedAt);
        if (bounds.from !== undefined && !(updated >= bounds.from)) return false;
        if (bounds.to !== undefined && !(updated < bounds.to)) return false;
      }
      if (status && row.status !== undefined && String(row.status).toLowerCase() !== status.toLowerCase()) return false;
      return true;
    };
    // Folders are read from the item: some assets (smart campaigns) get theirs from the parent program.
    const inFolder = (item: Row): boolean => {
      if (folderId === undefined) return true;
      const folder = item.folder as { value?: unknown; id?: unknown } | null | undefined;
      return (folder?.value ?? folder?.id) === folderId;
    };
    const items: Row[] = [];
    let skipped = 0;
    for (const row of table.scan(scan)) {
      if (!accept(row)) continue;
      const item = itemOf(table, row);
      if (!inFolder(item)) continue;
      if (skipped < offset) {
        skipped += 1;
        continue;
      }
      items.push(item);
      if (items.length >= maxReturn) break;
    }
    if (items.length === 0) {
      ok(ctx, { ...(mk.scenario.noAssetsResult === 'empty' ? { result: [] } : {}), warnings: [NO_ASSETS] });
      return;
    }
    ok(ctx, { result: items });
  };

  const byId = async (ctx: RequestContext, tableName: string, itemOf: ItemOf = plainItem): Promise<void> => {
    if (!(await readParams(ctx))) return;
    const table = mk.table(tableName);
    const row = table.get(Number(ctx.params.id), { asOf: mk.asOf() });
    if (!row) {
      ok(ctx, { warnings: [NO_ASSETS] });
      return;
    }
    ok(ctx, { result: [itemOf(table, row)] });
  };

  const READ = ['GET', 'POST'] as const;
  return [
    { name: 'programs', method: READ, path: path('/rest/asset/v1/programs\\.json'), handle: (ctx) => list(ctx, 'programs') },
    { name: 'program', method: READ, path: path('/rest/asset/v1/program/(?<id>\\d+)\\.json'), handle: (ctx) => byId(ctx, 'programs') },
    { name: 'emails', method: READ, path: path('/rest/asset/v1/emails\\.json'), handle: (ctx) => list(ctx, 'emails') },
    { name: 'email', method: READ, path: path('/rest/asset/v1/email/(?<id>\\d+)\\.json'), handle: (ctx) => byId(ctx, 'emails') },
    { name: 'landingPages', method: READ, path: path('/rest/asset/v1/landingPages\\.json'), handle: (ctx) => list(ctx, 'landing_pages') },
    { name: 'landingPage', method: READ, path: path('/rest/asset/v1/landingPage/(?<id>\\d+)\\.json'), handle: (ctx) => byId(ctx, 'landing_pages') },
    { name: 'smartCampaigns', method: READ, path: path('/rest/asset/v1/smartCampaigns\\.json'), handle: (ctx) => list(ctx, 'campaigns', campaignItem()) },
    { name: 'smartCampaign', method: READ, path: path('/rest/asset/v1/smartCampaign/(?<id>\\d+)\\.json'), handle: (ctx) => byId(ctx, 'campaigns', campaignItem()) },
  ];
}
