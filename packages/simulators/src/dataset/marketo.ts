/** Marketo objects: leads, activities, programs and their members, smart campaigns, lists, emails, landing pages. */
import { ACTIVITY_TYPES, ACTIVITY_TYPES_CREATED, costsAt, programStatusAt, programsUpTo } from './catalog.js';
import type { ActivityType, Program } from './catalog.js';
import { DAY, HOUR, MAX_DAY, MONTH_NAMES, dayDate, dayOf, dayStart, isoDate } from './calendar.js';
import { derived, rec } from './derive.js';
import { makeTable } from './engine.js';
import type { Rec, Spec } from './engine.js';
import { mk } from './fields.js';
import { pack, unpack } from './ids.js';
import { persona } from './persona.js';
import { hash, tag, unit } from './rng.js';
import { MEM_STEPS, memberState, membershipAt, membershipsOn } from './schedules.js';
import type { Membership } from './schedules.js';
import { PREFIX, accountId, campaignId, contactId, documentId, leadId, userId } from './salesforce.js';
import { freeText } from './text.js';
import { ownerOf } from './catalog.js';
import { sfId } from './ids.js';
import type { FieldDef, Millis, Row, Table } from './types.js';
import { CONV, DEL } from './world.js';
import type { World } from './world.js';

/** Days after creation at which a person may get a nurture e-mail (and react to it). */
export const ACT_LAGS = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89] as const;
const T = { act: tag('activity'), mk: tag('mkto'), lv: tag('lead-v') };
const WORKSPACE = 'Default';
const INSTANCE = 'https://app-ab12.marketo.com';
/** Programs run their e-mail sends at 15:00:00.000 UTC, so thousands of activities share that instant. */
const SEND_HOUR = 15;

function mspec<X>(name: string, label: string, fields: FieldDef[], s: Pick<Spec<X>, 'offsets' | 'build'> & { recAt?: (c: number) => Rec<X> | undefined; key?: string; replicationKey?: string | null; createdKey?: string | null; list?: (day: number) => Rec<X>[]; all?: () => Rec<X>[]; deletes?: boolean; sorted?: boolean; keyOf?: (c: number) => string | number; counterOf?: (k: string | number) => number | undefined; dayOfCounter?: (c: number) => number }): Table {
  const base = {
    system: 'marketo' as const, name, label, fields, key: s.key ?? 'id', replicationKey: s.replicationKey === undefined ? 'updatedAt' : s.replicationKey, createdKey: s.createdKey === undefined ? 'createdAt' : s.createdKey,
    deletes: s.deletes ?? false, offsets: s.offsets, build: s.build,
    keyOf: s.keyOf ?? ((c: number) => c),
    counterOf: s.counterOf ?? ((k: string | number) => { const n = typeof k === 'number' ? k : Number(k); return Number.isSafeInteger(n) && n >= 0 ? n : undefined; }),
    ...(s.dayOfCounter ? { dayOfCounter: s.dayOfCounter } : {}),
  };
  if (s.all) {
    const all = s.all;
    let memo: Rec<X>[] | undefined;
    const allMemo = (): Rec<X>[] => (memo ??= all());
    return makeTable<X>({ ...base, all: allMemo, createdOn: (d) => allMemo().filter((r) => dayOf(r.created) === d), byCounter: (c) => allMemo().find((r) => r.c === c) });
  }
  return makeTable<X>(derived<X>({ ...base, list: s.list!, sorted: s.sorted ?? false, ...(s.recAt ? { recAt: s.recAt } : {}) }));
}

const folder = (id: number, name: string): Row => ({ type: 'Folder', value: id, folderName: name });

export function emailsOf(p: Program): string[] {
  switch (p.channel) {
    case 'Webinar':
      return ['Invitation', 'Reminder', 'Recording Follow-up'];
    case 'Tradeshow':
      return ['Meet us at the booth', 'Post-show Follow-up'];
    case 'Content Syndication':
      return ['Asset Delivery'];
    case 'Email Nurture':
      return ['Step 1 – Welcome', 'Step 2 – Use Cases', 'Step 3 – Customer Story', 'Step 4 – ROI', 'Step 5 – Demo Invite', 'Step 6 – Last Call'];
    case 'Website':
      return ['Thank You Autoresponder'];
    default:
      return [];
  }
}
export const emailId = (p: Program, k: number): number => 10000 + (p.id - 1000) * 8 + k;
export const landingPageId = (p: Program): number => 20000 + (p.id - 1000);
export const hasLandingPage = (p: Program): boolean => p.channel !== 'Online Advertising' && p.channel !== 'Email Nurture';
export const smartCampaignId = (p: Program, k: number): number => 2000 + (p.id - 1000) * 3 + k;

export function marketoTables(w: World): Table[] {
  let allPrograms: Program[] | undefined;
  const programsAll = (): Program[] => (allPrograms ??= programsUpTo(w.seed, w.scale, MAX_DAY));
  let nurtureProgram: Program | undefined;
  const nurture = (): Program => (nurtureProgram ??= programsAll().find((p) => p.id === 1006)!);
  const syndicated = (): Program[] => (syndicatedPrograms ??= programsAll().filter((q) => q.j === 2));
  let syndicatedPrograms: Program[] | undefined;

  // ---- leads --------------------------------------------------------------
  interface LeadX {
    d: number;
    i: number;
    conv: Millis | null;
  }
  const leadFields: FieldDef[] = [
    mk('id', 'integer', { label: 'Id' }), mk('email', 'email', { length: 255 }), mk('firstName', 'string', { length: 255 }), mk('lastName', 'string', { length: 255 }), mk('company', 'string', { length: 255, label: 'Company Name' }),
    mk('title', 'string', { length: 255, label: 'Job Title' }), mk('phone', 'phone', { length: 255, label: 'Phone Number' }), mk('mobilePhone', 'phone', { length: 255 }), mk('website', 'url', { length: 255 }),
    mk('address', 'text', { label: 'Address' }), mk('city', 'string', { length: 255 }), mk('state', 'string', { length: 255 }), mk('postalCode', 'string', { length: 255 }), mk('country', 'string', { length: 255 }),
    mk('industry', 'string', { length: 255 }), mk('numberOfEmployees', 'integer'), mk('annualRevenue', 'currency'), mk('leadScore', 'integer', { label: 'Lead Score' }), mk('behaviorScore', 'score'),
    mk('demographicScore', 'score'), mk('engagementRate', 'percent', { label: 'Engagement Rate' }), mk('leadStatus', 'string', { length: 255 }), mk('leadSource', 'string', { length: 255 }),
    mk('originalSourceType', 'string', { length: 255 }), mk('originalSourceInfo', 'string', { length: 255 }), mk('acquisitionProgramId', 'reference', { label: 'Acquisition Program Id' }),
    mk('acquisitionDate', 'datetime'), mk('sfdcLeadId', 'string', { length: 18, label: 'SFDC Lead ID' }), mk('sfdcContactId', 'string', { length: 18, label: 'SFDC Contact ID' }),
    mk('sfdcAccountId', 'string', { length: 18, label: 'SFDC Account ID' }), mk('sfdcType', 'string', { length: 255, label: 'SFDC Type' }), mk('sfdcLeadOwnerId', 'string', { length: 18, label: 'Lead Owner ID' }),
    mk('unsubscribed', 'boolean'), mk('emailInvalid', 'boolean'), mk('doNotCall', 'boolean'), mk('dateOfBirth', 'date'), mk('lastInterestingMomentDate', 'datetime'),
    mk('leadPartitionId', 'integer', { label: 'Lead Partition ID' }), mk('leadRole', 'string', { length: 255 }), mk('createdAt', 'datetime', { label: 'Created At' }), mk('updatedAt', 'datetime', { label: 'Updated At' }),
    mk('productInterest', 'string', { length: 255 }), mk('seatsRequested', 'integer'), mk('expectedBudget', 'currency'), mk('gdprConsent', 'boolean', { label: 'GDPR Consent' }), mk('trialStartDate', 'date'),
    mk('lifecycleStage', 'string', { length: 255 }), mk('leadRating', 'float'), mk('mktoPersonNotes', 'textarea', { label: 'Person Notes' }),
    mk('LegacyLeadRank', 'string', { label: 'Legacy Lead Rank', restName: null, soapName: 'LegacyLeadRank' }),
    mk('MktoCompanyNotes', 'textarea', { label: 'Company Notes (legacy)', restName: null, soapName: 'MktoCompanyNotes' }),
  ];
  const leadRec = (day: number, i: number): Rec<LeadX> => {
    const u = unit(w.seed, T.lv, day, i);
    const conv = w.convTime(day, i);
    const convSync = conv === null ? null : conv + 5 * 60_000;
    return rec(w.leadId(day, i), w.created(day, i), [u < 0.5 ? w.at(day + 1, 50, day, i, 0) : null, u > 0.7 ? w.at(day + 14, 51, day, i, 0) : null, convSync], w.deletedAt(day, i), { d: day, i, conv: convSync });
  };
  const leads = mspec<LeadX>('leads', 'Lead', leadFields, {
    offsets: [0, 1, 14, ...CONV, ...DEL],
    deletes: true,
    dayOfCounter: (c) => w.personOf(c)?.d ?? 0,
    list(day) {
      const out: Rec<LeadX>[] = [];
      const n = w.count(day);
      for (let i = 0; i < n; i++) out.push(leadRec(day, i));
      return out;
    },
    recAt(c) {
      const p = w.personOf(c);
      return p ? leadRec(p.d, p.i) : undefined;
    },
    sorted: true,
    build(r, t) {
      const { d, i } = r.x;
      const p = persona(w, d, i);
      const prog = w.program(d, i);
      const sf = w.sf(d, i);
      const converted = r.x.conv !== null && r.x.conv <= t;
      const deal = converted ? w.deal(d, i) : null;
      const nv = r.v.filter((v) => v <= t).length;
      const h = hash(w.seed, T.mk, d, i);
      const behavior = Math.min(100, (h % 20) + nv * 15);
      const demo = 10 + ((h >>> 5) % 40);
      const owner = sf ? ownerOf(hash(w.seed, tag('sf-misc') + 1, d, i), d) : null;
      return {
        id: r.c, email: p.email, firstName: p.first, lastName: p.last, company: p.company.name, title: p.title, phone: p.phone, mobilePhone: p.mobile, website: `www.${p.company.domain}`,
        address: p.place.street, city: p.place.city, state: p.place.state, postalCode: p.place.postalCode, country: p.place.country, industry: p.industry, numberOfEmployees: p.employees, annualRevenue: p.revenue,
        leadScore: behavior + demo, behaviorScore: behavior, demographicScore: demo, engagementRate: (h >>> 9) % 4 === 0 ? Math.round(((h >>> 11) % 10000) / 8) / 10 : (h >>> 11) % 100,
        leadStatus: converted ? 'Converted' : nv > 1 ? 'MQL' : 'New', leadSource: w.leadSource(d, i), originalSourceType: prog.channel === 'Website' ? 'Web form fillout' : prog.channel === 'Tradeshow' ? 'List import' : 'Web form fillout',
        originalSourceInfo: prog.channel === 'Tradeshow' ? `${prog.name}.csv` : `https://www.bizops-demo.example.com/lp/${prog.id}?utm_source=${encodeURIComponent(prog.channel.toLowerCase())}`,
        acquisitionProgramId: prog.id, acquisitionDate: r.created, sfdcLeadId: sf ? leadId(d, i) : null, sfdcContactId: deal ? contactId(deal) : null, sfdcAccountId: deal ? accountId(deal) : null,
        sfdcType: deal ? 'Contact' : sf ? 'Lead' : null, sfdcLeadOwnerId: owner ? userId(owner) : null, unsubscribed: h % 31 === 0, emailInvalid: h % 97 === 0, doNotCall: h % 43 === 0,
        dateOfBirth: h % 9 === 0 ? `19${70 + (h % 30)}-${String(1 + (h % 12)).padStart(2, '0')}-${String(1 + (h % 28)).padStart(2, '0')}` : null, lastInterestingMomentDate: nv > 1 ? r.v[Math.min(nv, r.v.length) - 1]! : null,
        leadPartitionId: 1, leadRole: deal ? 'Champion' : null, createdAt: r.created, updatedAt: t,
        productInterest: ['Premium', 'Ultimate', 'Starter', null][h % 4], seatsRequested: h % 3 === 0 ? 10 + (h % 300) : null, expectedBudget: h % 3 === 0 ? ((h >>> 3) % 200) * 500 : null,
        gdprConsent: p.place.region === 'EMEA' ? h % 5 !== 0 : null, trialStartDate: h % 6 === 0 ? isoDate(r.created + DAY) : null, lifecycleStage: converted ? 'SQL' : nv > 1 ? 'MQL' : 'Lead',
        leadRating: Math.round(((h >>> 7) % 1000) / 10) / 10, mktoPersonNotes: h % 8 === 0 ? freeText(h, 0.05) : null, LegacyLeadRank: ['A', 'B', 'C', 'D'][h % 4], MktoCompanyNotes: null,
      };
    },
  });

  // ---- activities ---------------------------------------------------------
  interface ActX {
    d: number;
    i: number;
    l: number;
    j: number;
    type: ActivityType;
    at: Millis;
  }
  const types = new Map(ACTIVITY_TYPES.map((a) => [a.id, a]));
  const ty = (id: number): ActivityType => types.get(id)!;
  const dayEnd = (t: Millis): Millis => dayStart(dayOf(t) + 1) - 1;
  const clip = (t: Millis, ref: Millis): Millis => Math.min(t, dayEnd(ref));
  /** Activity lanes: 0..10 nurture lags, 16+a conversion, 32+k deletion. */
  const laneLag = (l: number): number => (l < 16 ? ACT_LAGS[l]! : l < 32 ? CONV[l - 16]! : DEL[l - 32]!);
  const LANES = [...ACT_LAGS.map((_, l) => l), ...CONV.map((_, a) => 16 + a), ...DEL.map((_, k) => 32 + k)];
  function activitiesOf(d: number, i: number, l: number): ActX[] {
    const out: ActX[] = [];
    const push = (j: number, typeId: number, at: Millis): void => {
      out.push({ d, i, l, j, type: ty(typeId), at });
    };
    const del = w.deletedAt(d, i);
    if (l === 0) {
      const c = w.created(d, i);
      const ch = w.program(d, i).channel;
      push(0, 12, c);
      push(1, ch === 'Tradeshow' || ch === 'Email Nurture' ? 24 : 2, clip(c + 1000, c));
      push(2, 104, clip(c + 2000, c));
      if (w.sf(d, i)) push(3, 19, clip(c + 3000, c));
      if (ch !== 'Tradeshow') push(4, 1, clip(c + 4000, c));
      return out;
    }
    if (l >= 32) {
      if (w.del(d, i) === l - 32 && del !== null) push(0, 37, del);
      return out;
    }
    if (l >= 16) {
      const conv = w.convTime(d, i);
      if (conv !== null && w.conv(d, i) === l - 16) {
        push(0, 13, conv + 5 * 60_000);
        push(1, 34, conv + 5 * 60_000 + 1000);
      }
      return out;
    }
    if (unit(w.seed, T.act, d, i, l) >= 0.14) return out;
    const day = d + ACT_LAGS[l]!;
    const send = dayStart(day) + SEND_HOUR * HOUR;
    if (del !== null && del <= send + 3 * HOUR) return out;
    const h = hash(w.seed, T.act + 1, d, i, l);
    push(0, 6, send);
    if (h % 50 === 0) {
      push(1, 8, send + 2000);
      return out;
    }
    push(1, 7, send + 1000 + (h % 4000));
    if ((h >>> 6) % 100 < 55) {
      const open = send + 60_000 + ((h >>> 3) % (3 * HOUR));
      push(2, 10, open);
      if ((h >>> 12) % 100 < 35) {
        const click = open + 5000 + ((h >>> 5) % 600_000);
        push(3, 11, click);
        push(4, 1, click + 1500);
        if ((h >>> 18) % 100 < 30) {
          push(5, 100001, click + 30_000);
          push(6, 46, click + 30_001);
        }
      }
      if ((h >>> 22) % 100 < 30) push(7, 22, open + 2000);
      if ((h >>> 25) % 100 === 0) push(8, 9, open + 90_000);
    }
    return out;
  }
  const actFields: FieldDef[] = [
    mk('marketoGUID', 'string', { label: 'Marketo GUID' }), mk('id', 'integer'), mk('leadId', 'integer'), mk('activityDate', 'datetime'), mk('activityTypeId', 'integer'), mk('campaignId', 'integer'),
    mk('primaryAttributeValueId', 'integer'), mk('primaryAttributeValue', 'string'), mk('attributes', 'array'),
  ];
  const guid = (c: number): string => String(c).padStart(16, '0');
  const activities = mspec<ActX>('activities', 'Activity', actFields, {
    key: 'marketoGUID',
    replicationKey: 'activityDate',
    createdKey: 'activityDate',
    offsets: [0],
    keyOf: guid,
    counterOf: (k) => { const n = Number(k); return Number.isSafeInteger(n) && n >= 0 ? n : undefined; },
    list(day) {
      const out: Rec<ActX>[] = [];
      for (const l of LANES) {
        const d = day - laneLag(l);
        if (d < 0) continue;
        const n = w.count(d);
        for (let i = 0; i < n; i++) for (const a of activitiesOf(d, i, l)) if (dayOf(a.at) === day) out.push(rec(pack(day, l, i, a.j), a.at, [], null, a));
      }
      return out;
    },
    recAt(c) {
      const u = unpack(c);
      if (!LANES.includes(u.a)) return undefined;
      const d = u.day - laneLag(u.a);
      if (d < 0 || u.seq >= w.count(d)) return undefined;
      const a = activitiesOf(d, u.seq, u.a).find((x) => x.j === u.j);
      return a && dayOf(a.at) === u.day ? rec(c, a.at, [], null, a) : undefined;
    },
    sorted: true,
    build(r) {
      const a = r.x;
      const leadIdN = w.leadId(a.d, a.i);
      const prog = w.program(a.d, a.i);
      const nur = nurture();
      const step = Math.min(5, a.l - 1);
      const email = emailId(nur, Math.max(0, step));
      const p = persona(w, a.d, a.i);
      const ip = `${10 + (hash(w.seed, T.act + 2, a.d, a.i) % 200)}.${a.i % 256}.${a.l}.${(a.j * 37) % 256}`;
      const ua = a.j % 2 ? 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0';
      let campaign: number | null = smartCampaignId(nur, 0);
      let pavId: number | null = null;
      let pav: string | null = null;
      let attrs: { name: string; value: unknown }[] = [];
      const run = 7000 + dayOf(r.created);
      switch (a.type.id) {
        case 12:
          campaign = smartCampaignId(prog, 1);
          attrs = [{ name: 'Created Date', value: isoDate(r.created) }, { name: 'Form Name', value: hasLandingPage(prog) ? `${prog.name} – Form` : null }, { name: 'Lead Source', value: w.leadSource(a.d, a.i) }, { name: 'List Name', value: null }, { name: 'SFDC Type', value: null }, { name: 'Source Type', value: 'New lead' }];
          break;
        case 2:
          campaign = smartCampaignId(prog, 1);
          pavId = landingPageId(prog) + 50000;
          pav = `${prog.name} – Form`;
          attrs = [{ name: 'Client IP Address', value: ip }, { name: 'Form Fields', value: JSON.stringify({ Email: p.email, FirstName: p.first, LastName: p.last, Company: p.company.name, Comments: 'Interested, "asap", thanks' }) }, { name: 'Query Parameters', value: `utm_campaign=${prog.id}` }, { name: 'Referrer URL', value: 'https://www.google.com/' }, { name: 'User Agent', value: ua }, { name: 'Webpage ID', value: landingPageId(prog) }];
          break;
        case 24:
          campaign = null;
          pavId = 4000 + (prog.id - 1000);
          pav = `${prog.name} – Badge Scans`;
          attrs = [{ name: 'Source', value: 'List import' }];
          break;
        case 104:
          campaign = smartCampaignId(prog, 1);
          pavId = prog.id;
          pav = prog.name;
          attrs = [{ name: 'Acquired By', value: true }, { name: 'New Status ID', value: 41 }, { name: 'Old Status ID', value: 40 }, { name: 'Program Member ID', value: pack(a.d, 0, a.i, 0) }, { name: 'Reason', value: 'Filled out form' }, { name: 'Success', value: false }, { name: 'Success Date', value: null }];
          break;
        case 19:
          campaign = 1002;
          attrs = [{ name: 'Assign To', value: 'Lead Assignment Rules' }];
          break;
        case 1:
          campaign = null;
          pavId = 300 + (a.l % 40);
          pav = `www.bizops-demo.example.com/${['pricing', 'product/overview', 'customers', 'blog/observability-at-scale', 'de/preise'][a.l % 5]}`;
          attrs = [{ name: 'Client IP Address', value: ip }, { name: 'Query Parameters', value: null }, { name: 'Referrer URL', value: a.l === 0 ? 'https://www.linkedin.com/' : null }, { name: 'User Agent', value: ua }, { name: 'Webpage URL', value: `/${pav.split('/').slice(1).join('/')}` }];
          break;
        case 6:
        case 7:
        case 8:
        case 9:
        case 10:
        case 11:
          pavId = email;
          pav = `${nur.name}.${emailsOf(nur)[Math.max(0, step)]}`;
          if (a.type.id === 6 || a.type.id === 7) attrs = [{ name: 'Campaign Run ID', value: run }, { name: 'Choice Number', value: 0 }, { name: 'Has Predictive', value: false }, { name: 'Step ID', value: step + 1 }, { name: 'Test Variant', value: 0 }];
          else if (a.type.id === 8) attrs = [{ name: 'Category', value: '1' }, { name: 'Details', value: '550 5.1.1 "mailbox unavailable"' }, { name: 'Email', value: p.email }, { name: 'Subcategory', value: '1003' }];
          else if (a.type.id === 9) attrs = [{ name: 'Client IP Address', value: ip }, { name: 'Form Fields', value: '{"Unsubscribed":"true"}' }, { name: 'User Agent', value: ua }];
          else if (a.type.id === 10) attrs = [{ name: 'Device', value: a.j % 2 ? 'iPhone' : 'Desktop' }, { name: 'Is Mobile Device', value: a.j % 2 === 1 }, { name: 'Platform', value: a.j % 2 ? 'iOS' : 'Windows' }, { name: 'User Agent', value: ua }, { name: 'Is Bot Activity', value: false }];
          else attrs = [{ name: 'Device', value: 'Desktop' }, { name: 'Is Mobile Device', value: false }, { name: 'Link', value: `https://www.bizops-demo.example.com/demo?mkt_tok=${r.c.toString(36)}` }, { name: 'Platform', value: 'Windows' }, { name: 'User Agent', value: ua }];
          break;
        case 100001: {
          const cs = syndicated().filter((q) => q.createdAt <= r.created);
          const doc = cs[cs.length - 1 - (a.i % Math.min(3, cs.length))] ?? cs[0]!;
          pav = doc.topic;
          attrs = [{ name: 'Asset Type', value: 'PDF' }, { name: 'Document ID', value: documentId(doc) }, { name: 'File Size (KB)', value: 120 + (doc.id % 900) }];
          break;
        }
        case 46:
          attrs = [{ name: 'Date', value: r.created }, { name: 'Description', value: 'Downloaded gated asset — high intent' }, { name: 'Source', value: 'Web' }];
          break;
        case 22:
          pavId = 1;
          pav = 'Behavior Score';
          attrs = [{ name: 'Change Value', value: '+10' }, { name: 'New Value', value: 30 + a.l }, { name: 'Old Value', value: 20 + a.l }, { name: 'Reason', value: 'Clicked email' }];
          break;
        case 13:
          campaign = 1002;
          pavId = 57;
          pav = 'Lead Status';
          attrs = [{ name: 'New Value', value: 'Converted' }, { name: 'Old Value', value: 'MQL' }, { name: 'Reason', value: 'Lead converted in Salesforce' }, { name: 'Source', value: 'SFDC' }];
          break;
        case 34: {
          const deal = w.deal(a.d, a.i);
          pav = sfId(PREFIX.Opportunity, pack(deal.convDay, deal.a, deal.i, 0));
          attrs = [{ name: 'Is Primary', value: true }, { name: 'Role', value: 'Decision Maker' }];
          break;
        }
        case 37:
          campaign = 1003;
          pavId = leadIdN;
          attrs = [{ name: 'Remove from CRM', value: w.sf(a.d, a.i) }];
          break;
      }
      return { marketoGUID: guid(r.c), id: r.c, leadId: leadIdN, activityDate: r.created, activityTypeId: a.type.id, campaignId: campaign, primaryAttributeValueId: pavId, primaryAttributeValue: pav, attributes: attrs };
    },
  });

  // ---- activity_types -----------------------------------------------------
  const activity_types = mspec<ActivityType>('activity_types', 'Activity Type', [
    mk('id', 'integer'), mk('name', 'string'), mk('description', 'string'), mk('primaryAttribute', 'object'), mk('attributes', 'array'),
  ], {
    replicationKey: null,
    createdKey: null,
    offsets: [],
    all: () => ACTIVITY_TYPES.map((a) => rec(a.id, ACTIVITY_TYPES_CREATED, [], null, a)),
    build: (r) => ({ id: r.x.id, name: r.x.name, description: r.x.description, primaryAttribute: r.x.primaryAttribute, attributes: r.x.attributes }),
  });

  // ---- programs -------------------------------------------------------------
  const programs = mspec<Program>('programs', 'Program', [
    mk('id', 'integer'), mk('name', 'string'), mk('description', 'string'), mk('createdAt', 'datetime'), mk('updatedAt', 'datetime'), mk('url', 'string'), mk('type', 'string'), mk('channel', 'string'),
    mk('folder', 'object'), mk('status', 'string'), mk('workspace', 'string'), mk('tags', 'array'), mk('costs', 'array'), mk('sfdcId', 'string'), mk('sfdcName', 'string'), mk('startDate', 'date'), mk('endDate', 'date'),
  ], {
    offsets: [],
    all: () => programsAll().map((p) => rec(p.id, p.createdAt, p.versions.slice(1), null, p)),
    build(r, t) {
      const p = r.x;
      const costs = costsAt(p, t).map((c) => ({ startDate: c.startDate, cost: c.cost, note: c.note }));
      const st = programStatusAt(p, t);
      const event = p.type === 'Event' || p.type === 'Event with Webinar';
      return {
        id: p.id, name: p.name, description: p.description, createdAt: p.createdAt, updatedAt: t, url: `${INSTANCE}/#PG${p.id}A1`, type: p.type, channel: p.channel,
        folder: folder(1000 + (p.month % 12), `${MONTH_NAMES[(11 + p.month) % 12]} Programs`), status: p.type === 'Engagement' ? 'on' : p.type === 'Default' ? '' : st === 'Completed' ? 'off' : 'on', workspace: WORKSPACE,
        tags: [{ tagType: 'Campaign Type', tagValue: p.channel }, { tagType: 'Region', tagValue: 'Global' }], costs: costs.length ? costs : null, sfdcId: campaignId(p), sfdcName: p.name.slice(0, 80),
        startDate: event ? dayDate(p.activeFrom) : null, endDate: event ? dayDate(p.activeTo) : null,
      };
    },
  });

  // ---- program_members -------------------------------------------------------
  const program_members = mspec<Membership>('program_members', 'Program Member', [
    mk('id', 'integer', { label: 'Program Member ID' }), mk('programId', 'integer'), mk('leadId', 'integer'), mk('statusName', 'string'), mk('statusReason', 'string'), mk('reachedSuccess', 'boolean'),
    mk('reachedSuccessDate', 'datetime'), mk('membershipDate', 'datetime'), mk('acquiredBy', 'boolean'), mk('isExhausted', 'boolean'), mk('nurtureCadence', 'string'), mk('trackName', 'string'),
    mk('attendanceLikelihood', 'integer'), mk('registrationLikelihood', 'integer'), mk('webinarUrl', 'url'), mk('createdAt', 'datetime'), mk('updatedAt', 'datetime'),
  ], {
    offsets: [0, ...MEM_STEPS],
    deletes: true,
    list: (day) => membershipsOn(w, day),
    recAt: (c) => membershipAt(w, c),
    sorted: true,
    build(r, t) {
      const m = r.x;
      const s = memberState(m, t);
      const nurture = m.program.type === 'Engagement';
      const web = m.program.channel === 'Webinar';
      return {
        id: r.c, programId: m.program.id, leadId: w.leadId(m.d, m.i), statusName: s.status, statusReason: s.success ? 'Reached success step' : m.l === 0 ? 'Filled out form' : 'Added by smart campaign',
        reachedSuccess: s.success, reachedSuccessDate: s.success ? m.successAt : null, membershipDate: m.created, acquiredBy: m.l === 0, isExhausted: nurture ? m.successAt !== null && m.successAt <= t : null,
        nurtureCadence: nurture ? 'norm' : null, trackName: nurture ? 'Main Track' : null, attendanceLikelihood: web ? (r.c % 4) + 1 : null, registrationLikelihood: web ? (r.c % 3) + 2 : null,
        webinarUrl: web ? `https://events.example.com/w/${m.program.id}?u=${w.leadId(m.d, m.i)}` : null, createdAt: m.created, updatedAt: t,
      };
    },
  });

  // ---- campaigns (smart campaigns) -----------------------------------------
  interface ScX {
    id: number;
    name: string;
    description: string;
    type: 'batch' | 'trigger';
    program: Program | null;
    active: boolean;
    deactivatedAt: Millis | null;
  }
  const globalCampaigns: ScX[] = [
    { id: 1001, name: 'Lead Scoring – Behavior', description: 'Adds behaviour score for e-mail clicks, visits, downloads', type: 'trigger', program: null, active: true, deactivatedAt: null },
    { id: 1002, name: 'Sync to SFDC – MQL', description: 'Syncs MQLs to Salesforce, runs lead assignment', type: 'trigger', program: null, active: true, deactivatedAt: null },
    { id: 1003, name: 'Data Hygiene – Nightly', description: 'Deletes bounced/duplicate people, "merge" candidates', type: 'batch', program: null, active: false, deactivatedAt: null },
  ];
  const campaigns = mspec<ScX>('campaigns', 'Smart Campaign', [
    mk('id', 'integer'), mk('name', 'string'), mk('description', 'string'), mk('type', 'string'), mk('programId', 'integer'), mk('programName', 'string'), mk('workspaceName', 'string'), mk('active', 'boolean'),
    mk('createdAt', 'datetime'), mk('updatedAt', 'datetime'),
  ], {
    offsets: [],
    all() {
      const out: Rec<ScX>[] = globalCampaigns.map((g, k) => rec(g.id, dayStart(0) + (10 + k) * 60_000, [], null, g));
      for (const p of programsAll()) {
        const scs: ScX[] =
          p.type === 'Engagement'
            ? [{ id: smartCampaignId(p, 0), name: `${p.name} – Drip`, description: 'Nurture cast, every 2 weeks', type: 'trigger', program: p, active: true, deactivatedAt: null }]
            : [
                { id: smartCampaignId(p, 0), name: `${p.name} – Send Invite`, description: 'Batch send to target list', type: 'batch', program: p, active: false, deactivatedAt: null },
                { id: smartCampaignId(p, 1), name: `${p.name} – Responded`, description: 'Fills out form / clicks ad → status change', type: 'trigger', program: p, active: true, deactivatedAt: p.activeTo < MAX_DAY ? dayStart(p.activeTo + 1) + 8 * HOUR + 5 * 60_000 : null },
              ];
        scs.forEach((s, k) => out.push(rec(s.id, p.createdAt + (k + 1) * 5 * 60_000, [s.deactivatedAt], null, s)));
      }
      return out;
    },
    build(r, t) {
      const s = r.x;
      return {
        id: s.id, name: s.name, description: s.description, type: s.type, programId: s.program?.id ?? null, programName: s.program?.name ?? null, workspaceName: WORKSPACE,
        active: s.active && (s.deactivatedAt === null || t < s.deactivatedAt), createdAt: r.created, updatedAt: t,
      };
    },
  });

  // ---- lists -----------------------------------------------------------------
  interface ListX {
    id: number;
    name: string;
    description: string | null;
    program: Program | null;
  }
  const lists = mspec<ListX>('lists', 'Static List', [
    mk('id', 'integer'), mk('name', 'string'), mk('description', 'string'), mk('programName', 'string'), mk('workspaceName', 'string'), mk('createdAt', 'datetime'), mk('updatedAt', 'datetime'),
  ], {
    offsets: [],
    all() {
      const out: Rec<ListX>[] = [
        rec(3001, dayStart(0) + 20 * 60_000, [], null, { id: 3001, name: 'Do Not Email', description: 'Global suppression list', program: null }),
        rec(3002, dayStart(0) + 21 * 60_000, [], null, { id: 3002, name: 'All Customers', description: 'Synced nightly from Salesforce, "Customer - Direct"', program: null }),
        rec(3003, dayStart(0) + 22 * 60_000, [], null, { id: 3003, name: 'Competitor Domains', description: null, program: null }),
      ];
      for (const p of programsAll()) {
        if (p.channel === 'Tradeshow') out.push(rec(4000 + (p.id - 1000), p.createdAt + 20 * 60_000, [dayStart(p.activeTo + 2) + 10 * HOUR], null, { id: 4000 + (p.id - 1000), name: `${p.name} – Badge Scans`, description: 'Uploaded from the lead retrieval app', program: p }));
        if (p.channel === 'Webinar') out.push(rec(4000 + (p.id - 1000), p.createdAt + 20 * 60_000, [], null, { id: 4000 + (p.id - 1000), name: `${p.name} – Registrants`, description: null, program: p }));
      }
      return out;
    },
    build: (r, t) => ({ id: r.x.id, name: r.x.name, description: r.x.description, programName: r.x.program?.name ?? null, workspaceName: WORKSPACE, createdAt: r.created, updatedAt: t }),
  });

  // ---- emails --------------------------------------------------------------
  interface EmailX {
    p: Program;
    k: number;
    name: string;
    approvedAt: Millis;
  }
  const emails = mspec<EmailX>('emails', 'Email', [
    mk('id', 'integer'), mk('name', 'string'), mk('description', 'string'), mk('createdAt', 'datetime'), mk('updatedAt', 'datetime'), mk('url', 'string'), mk('subject', 'object'), mk('fromName', 'object'),
    mk('fromEmail', 'object'), mk('replyEmail', 'object'), mk('folder', 'object'), mk('operational', 'boolean'), mk('textOnly', 'boolean'), mk('publishToMSI', 'boolean'), mk('webView', 'boolean'),
    mk('status', 'string'), mk('template', 'integer'), mk('workspace', 'string'), mk('version', 'integer'), mk('preHeader', 'string'), mk('autoCopyToText', 'boolean'), mk('isOpenTrackingDisabled', 'boolean'),
  ], {
    offsets: [],
    all() {
      const out: Rec<EmailX>[] = [];
      for (const p of programsAll())
        emailsOf(p).forEach((name, k) => {
          const created = p.createdAt + (30 + k) * 60_000;
          const approvedAt = dayStart(dayOf(p.createdAt) + 2) + 9 * HOUR + k * 60_000;
          out.push(rec(emailId(p, k), created, [approvedAt], null, { p, k, name, approvedAt }));
        });
      return out;
    },
    build(r, t) {
      const { p, k, name, approvedAt } = r.x;
      const approved = t >= approvedAt;
      const subject = p.channel === 'Email Nurture' ? ['Welcome aboard 👋', 'How teams use us', 'Wie Müller GmbH 40 % spart', 'Your ROI, in numbers', 'See it live — book a demo', 'Last call: "free" workshop'][k] : `${p.topic}: ${name}`;
      return {
        id: r.c, name, description: null, createdAt: r.created, updatedAt: t, url: `${INSTANCE}/#EM${r.c}A1`, subject: { type: 'Text', value: subject }, fromName: { type: 'Text', value: 'BizOps Demo Team' },
        fromEmail: { type: 'Text', value: 'hello@bizops-demo.example.com' }, replyEmail: { type: 'Text', value: 'hello@bizops-demo.example.com' }, folder: { type: 'Program', value: p.id, folderName: p.name },
        operational: false, textOnly: false, publishToMSI: false, webView: false, status: approved ? 'approved' : 'draft', template: 1001 + (k % 3), workspace: WORKSPACE, version: approved ? 2 : 1,
        preHeader: null, autoCopyToText: true, isOpenTrackingDisabled: false,
      };
    },
  });

  // ---- landing_pages -------------------------------------------------------
  const landing_pages = mspec<Program>('landing_pages', 'Landing Page', [
    mk('id', 'integer'), mk('name', 'string'), mk('description', 'string'), mk('createdAt', 'datetime'), mk('updatedAt', 'datetime'), mk('folder', 'object'), mk('status', 'string'), mk('template', 'integer'),
    mk('title', 'string'), mk('url', 'string'), mk('computedUrl', 'string'), mk('workspace', 'string'), mk('formPrefill', 'boolean'), mk('mobileEnabled', 'boolean'), mk('robots', 'string'), mk('keywords', 'string'),
    mk('customHeadHTML', 'string'),
  ], {
    offsets: [],
    all: () => programsAll().filter(hasLandingPage).map((p) => rec(landingPageId(p), p.createdAt + 40 * 60_000, [dayStart(dayOf(p.createdAt) + 1) + 11 * HOUR], null, p)),
    build(r, t) {
      const p = r.x;
      const approved = r.v.length > 1 && t >= r.v[1]!;
      return {
        id: r.c, name: `${p.name} – LP`, description: null, createdAt: r.created, updatedAt: t, folder: { type: 'Program', value: p.id, folderName: p.name }, status: approved ? 'approved' : 'draft', template: 2001,
        title: p.topic, url: `${INSTANCE}/#LP${r.c}A1`, computedUrl: `https://go.bizops-demo.example.com/lp/${p.id}.html`, workspace: WORKSPACE, formPrefill: true, mobileEnabled: true, robots: 'index, nofollow',
        keywords: `${p.channel.toLowerCase()}, ${p.topic}`, customHeadHTML: '<meta name="x" content="a, \\"b\\"">',
      };
    },
  });

  return [leads, activities, activity_types, programs, program_members, campaigns, lists, emails, landing_pages];
}

export { userId };
