/**
 * Ground truth for first-touch marketing attribution, computed from the
 * generator's own functions (no SQL, no scan of the tables).
 *
 * Definitions, for a period [from, to) seen at `asOf`:
 * - spend: the sum of the program's Marketo period costs whose startDate lies
 *   in [from, to) and that have been entered by `asOf` (a cost is entered two
 *   days after its period starts; the program row shows the same entries).
 * - leads: Marketo leads (people) whose acquisitionProgramId is the program,
 *   whose createdAt lies in [from, to) and <= asOf, and that are not deleted at
 *   asOf (converted people are never deleted).
 * - customers: of those leads, the ones whose Salesforce Account (created when
 *   the lead converted; `sfdcAccountId` on the Marketo lead) has a closed-won
 *   new-business Opportunity whose close is <= asOf.
 * - iacv: the sum of IACV__c over the closed-won Opportunities (new business
 *   and upsell; renewals carry 0) of those customers' accounts, closed <= asOf.
 * Every program created by asOf appears, with zeros where nothing happened.
 */
import { programsUpTo } from './catalog.js';
import type { Program } from './catalog.js';
import { START, dayOf } from './calendar.js';
import { campaignId } from './salesforce.js';
import type { CampaignTruth, GroundTruth, Millis } from './types.js';
import { UPSELL_CLOSE } from './world.js';
import type { World } from './world.js';

export function groundTruth(w: World, o: { asOf: Millis; from: Millis; to: Millis }): GroundTruth {
  const { asOf, from, to } = o;
  const progs = programsUpTo(w.seed, w.scale, Math.max(0, dayOf(asOf))).filter((p) => p.createdAt <= asOf);
  const byId = new Map<number, CampaignTruth>();
  const truth = (p: Program): CampaignTruth => {
    let c = byId.get(p.id);
    if (!c) {
      c = { programId: p.id, campaignId: campaignId(p), name: p.name, channel: p.channel, spend: 0, leads: 0, customers: 0, iacv: 0 };
      byId.set(p.id, c);
    }
    return c;
  };
  for (const p of progs) {
    const c = truth(p);
    for (const cost of p.costs) {
      const start = Date.parse(cost.startDate + 'T00:00:00Z');
      if (start >= from && start < to && cost.enteredAt <= asOf) c.spend += cost.cost;
    }
  }
  const lo = Math.max(from, START);
  const hi = Math.min(to, asOf + 1);
  if (lo < hi) {
    for (let d = dayOf(lo); d <= dayOf(hi - 1); d++) {
      const n = w.count(d);
      for (let i = 0; i < n; i++) {
        const created = w.created(d, i);
        if (created < lo || created >= hi) continue;
        const del = w.deletedAt(d, i);
        if (del !== null && del <= asOf) continue;
        const c = truth(w.program(d, i));
        c.leads++;
        if (w.conv(d, i) < 0) continue;
        const deal = w.deal(d, i);
        if (!deal.won || deal.closeTime > asOf) continue;
        c.customers++;
        c.iacv += deal.iacv;
        if (deal.upsellWon) {
          const upsellClose = w.eventTime(deal, { code: 1, off: UPSELL_CLOSE, kind: 'UpdateProduct' }) - 60_000;
          if (upsellClose <= asOf) c.iacv += deal.upsellIacv;
        }
      }
    }
  }
  const campaigns = [...byId.values()].sort((a, b) => a.programId - b.programId);
  const totals = campaigns.reduce((s, c) => ({ spend: s.spend + c.spend, leads: s.leads + c.leads, customers: s.customers + c.customers, iacv: s.iacv + c.iacv }), { spend: 0, leads: 0, customers: 0, iacv: 0 });
  return { from, to, asOf, attribution: 'first-touch', campaigns, totals };
}
