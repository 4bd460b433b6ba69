/** Salesforce objects of the company. */
import {
  CAMPAIGN_TYPE_VALUES, INTEGRATION_USER, LEAD_SOURCE_BY_CHANNEL, costsAt, ownerOf, programStatusAt, programsUpTo, user, usersUpTo,
} from './catalog.js';
import type { Program, User } from './catalog.js';
import { DAY, HOUR, MAX_DAY, dayDate, dayOf, dayStart, isoDate, timeOfDay } from './calendar.js';
import { derived, rec } from './derive.js';
import { makeTable, periodicMass } from './engine.js';
import type { MassSpec, Rec, Spec } from './engine.js';
import { sf, sfAddress, sfRef, sfSystem } from './fields.js';
import { counterDay, pack, sfCounter, sfId, unpack } from './ids.js';
import { persona } from './persona.js';
import { hash, tag, unit } from './rng.js';
import { MEM_STEPS, MEMBER_STATUSES, TASK_LAGS, memberState, membershipAt, membershipsOn, task } from './schedules.js';
import type { Membership, TaskPlan } from './schedules.js';
import { freeText } from './text.js';
import type { FieldDef, Millis, Row, Table } from './types.js';
import { CLOSE, CONV, DEL, MAX_YEARS, RENEWAL_LEAD, STAGES, UPSELL_CLOSE, UPSELL_CREATE } from './world.js';
import type { Deal, World } from './world.js';

export const PREFIX = {
  User: '005',
  Account: '001',
  Contact: '003',
  Lead: '00Q',
  Campaign: '701',
  CampaignMember: '00v',
  Opportunity: '006',
  OpportunityContactRole: '00K',
  OpportunityFieldHistory: '017',
  Task: '00T',
  Document: '015',
  Folder: '00l',
  Partner_Referral__c: 'a0X',
} as const;

const T = { dq: tag('dq'), misc: tag('sf-misc'), pr: tag('partner'), extra: tag('extra-contacts') };

export const userId = (u: User): string => sfId(PREFIX.User, pack(u.day, 0, u.k, 0));
export const leadId = (d: number, i: number): string => sfId(PREFIX.Lead, pack(d, 0, i, 0));
export const accountId = (deal: Deal): string => sfId(PREFIX.Account, pack(deal.convDay, deal.a, deal.i, 0));
export const contactId = (deal: Deal, j = 0): string => sfId(PREFIX.Contact, pack(deal.convDay, deal.a, deal.i, j));
export const nbOpportunityId = (deal: Deal): string => sfId(PREFIX.Opportunity, pack(deal.convDay, deal.a, deal.i, 0));
export function campaignId(p: Program): string {
  const day = p.month === 0 ? 0 : dayOf(p.createdAt);
  return sfId(PREFIX.Campaign, pack(day, 0, p.j, 0));
}
export const documentId = (p: Program): string => sfId(PREFIX.Document, pack(dayOf(p.createdAt) + 1, 0, p.j, 0));

/** Extra contacts (besides the converted lead) at the account of a deal. */
export function extraContacts(w: World, deal: Deal): number {
  const h = hash(w.seed, T.extra, deal.d, deal.i);
  return [0, 1, 1, 2, 2, 3][h % 6]!;
}

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other', 'Webinar', 'Paid Search', 'Content Syndication', 'Trade Show', 'Email'];
const INDUSTRY_VALUES = ['Technology', 'Finance', 'Healthcare', 'Manufacturing', 'Retail', 'Education', 'Media', 'Energy', 'Government', 'Telecommunications'];

/** Data-quality jobs: yearly at 02:00:00.000 on Leads, every 180 days on Accounts (03:00) and Contacts (04:00). */
function dqMass<X>(firstDay: number, every: number, hour: number, share: number, eligible: (rec: Rec<X>, t: Millis) => boolean): MassSpec<X> {
  return periodicMass<X>(firstDay, every, hour, (r, t) => eligible(r, t) && (hash(0xd0, r.c, t / 1000) >>> 0) / 4294967296 < share);
}

function dqFields(): FieldDef[] {
  return [sf('Data_Quality_Score__c', 'double', { precision: 5, scale: 1 }), sf('Last_DQ_Check__c', 'datetime')];
}

function dqValues<X>(mass: MassSpec<X> | undefined, r: Rec<X>, t: Millis): { score: number | null; at: Millis | null } {
  if (!mass) return { score: null, at: null };
  for (let mt = mass.atOrBefore(t); mt !== null && mt > r.created; mt = mass.before(mt)) if (mass.touches(r, mt)) return { score: 50 + (hash(0xd1, r.c, mt / 1000) % 500) / 10, at: mt };
  return { score: null, at: null };
}

function audit(r: Rec<unknown>, t: Millis, deleted: boolean, created: User, modified: User): Row {
  return {
    IsDeleted: deleted,
    CreatedDate: r.created,
    CreatedById: userId(created),
    LastModifiedDate: t,
    LastModifiedById: userId(modified),
    SystemModstamp: t,
  };
}

function spec<X>(name: string, label: string, fields: FieldDef[], s: Partial<Spec<X>> & Pick<Spec<X>, 'offsets' | 'build'> & { list?: (day: number) => Rec<X>[]; all?: () => Rec<X>[]; deletes?: boolean; replicationKey?: string; sorted?: boolean; recAt?: (c: number) => Rec<X> | undefined }): Table {
  const prefix = PREFIX[name as keyof typeof PREFIX];
  const base = {
    system: 'salesforce' as const,
    name,
    label,
    fields,
    key: 'Id',
    replicationKey: s.replicationKey ?? 'SystemModstamp',
    createdKey: 'CreatedDate',
    deletes: s.deletes ?? true,
    offsets: s.offsets,
    ...(s.mass ? { mass: s.mass } : {}),
    ...(s.candidates ? { candidates: s.candidates } : {}),
    keyOf: (c: number) => sfId(prefix, c),
    counterOf: (k: string | number) => sfCounter(prefix, k),
    build: s.build,
  };
  if (s.all) {
    const all = s.all;
    let memo: Rec<X>[] | undefined;
    const allMemo = (): Rec<X>[] => (memo ??= all());
    return makeTable<X>({ ...base, all: allMemo, createdOn: (d) => allMemo().filter((r) => counterDay(r.c) === d), byCounter: (c) => allMemo().find((r) => r.c === c) });
  }
  return makeTable<X>(derived<X>({ ...base, list: s.list!, sorted: s.sorted ?? false, ...(s.recAt ? { recAt: s.recAt } : {}) }));
}

// ---------------------------------------------------------------------------

export function salesforceTables(w: World): Table[] {
  const integration = INTEGRATION_USER();
  const deals = new Map<number, Deal>();
  const dealOf = (d: number, i: number, a?: number): Deal => {
    const k = d * 16777216 + i;
    let deal = deals.get(k);
    if (!deal) {
      deal = a === undefined ? w.deal(d, i) : w.deal(d, i, a);
      if (deals.size > 4096) deals.clear();
      deals.set(k, deal);
    }
    return deal;
  };

  // ---- User --------------------------------------------------------------
  const User = spec<User>('User', 'User', [
    ...sfSystem(), sf('Username', 'string', { length: 80 }), sf('LastName', 'string', { length: 80 }), sf('FirstName', 'string', { length: 40 }), sf('Name', 'string', { length: 121 }),
    sf('CompanyName', 'string', { length: 80 }), sf('Division', 'string', { length: 80 }), sf('Department', 'string', { length: 80 }), sf('Title', 'string', { length: 80 }),
    sf('Email', 'email', { length: 128 }), sf('Phone', 'phone', { length: 40 }), sf('Alias', 'string', { length: 8 }), sf('IsActive', 'boolean'), sf('TimeZoneSidKey', 'picklist', { picklistValues: ['America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo'] }),
    sf('LocaleSidKey', 'picklist', { picklistValues: ['en_US', 'de_DE', 'ja_JP'] }), sf('EmailEncodingKey', 'picklist', { picklistValues: ['UTF-8', 'ISO-8859-1'] }), sf('LanguageLocaleKey', 'picklist', { picklistValues: ['en_US', 'de', 'ja'] }),
    sf('UserType', 'picklist', { picklistValues: ['Standard', 'PowerPartner', 'CsnOnly'] }), sf('EmployeeNumber', 'string', { length: 20 }), sfRef('ManagerId', 'User', 'Manager'), sf('Quota__c', 'currency'),
  ], {
    all: () => usersUpTo(MAX_DAY).map((u) => rec(pack(u.day, 0, u.k, 0), u.createdAt, [u.deactivatedAt], null, u)),
    offsets: [],
    deletes: false,
    build(r, t, deleted) {
      const u = r.x;
      const active = u.deactivatedAt === null || t < u.deactivatedAt;
      return Object.assign({
        Id: userId(u),
        Username: `${u.first}.${u.last}@bizops-demo.example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''), LastName: u.last, FirstName: u.first, Name: `${u.first} ${u.last}`,
        CompanyName: 'BizOps Demo Inc.', Division: u.department === 'Sales' ? 'Global Sales' : null, Department: u.department, Title: u.title,
        Email: `${u.first}.${u.last}@bizops-demo.example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''), Phone: `+1 415 555 ${String(1000 + u.k * 37 + u.day).slice(-4)}`,
        Alias: (u.first.slice(0, 1) + u.last.slice(0, 4)).toLowerCase(), IsActive: active, TimeZoneSidKey: u.k % 3 === 1 ? 'Europe/Berlin' : 'America/Los_Angeles',
        LocaleSidKey: 'en_US', EmailEncodingKey: 'UTF-8', LanguageLocaleKey: 'en_US', UserType: 'Standard', EmployeeNumber: `E-${1000 + u.k + u.day}`,
        ManagerId: u.day === 0 && u.k === 1 ? null : u.isRep ? userId(user(0, 1)!) : null, Quota__c: u.isRep ? 600000 : null,
      }, audit(r, t, deleted, integration, integration));
    },
  });

  // ---- Lead --------------------------------------------------------------
  interface LeadX {
    d: number;
    i: number;
    worked: Millis | null;
    closedNC: Millis | null;
    conv: Millis | null;
  }
  const leadMass = dqMass<LeadX>(354, 365, 2, 0.85, (r, t) => r.x.conv === null || r.x.conv > t);
  const leadRec = (day: number, i: number): Rec<LeadX> => {
    const created = w.created(day, i);
    const u = unit(w.seed, T.misc, day, i);
    const conv = w.convTime(day, i);
    const worked = u < 0.6 ? w.at(day + 1, 14, day, i, 0) : null;
    const closedNC = conv === null && u > 0.7 ? w.at(day + 45, 15, day, i, 0) : null;
    const x = { d: day, i, worked, closedNC, conv: conv === null ? null : conv + 4000 };
    return rec(pack(day, 0, i, 0), created, [worked, closedNC, x.conv], w.deletedAt(day, i), x);
  };
  const Lead = spec<LeadX>('Lead', 'Lead', [
    ...sfSystem(), sfRef('MasterRecordId', 'Lead', 'MasterRecord'), sf('LastName', 'string', { length: 80 }), sf('FirstName', 'string', { length: 40 }), sf('Salutation', 'picklist', { picklistValues: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }),
    sf('Name', 'string', { length: 121 }), sf('Title', 'string', { length: 128 }), sf('Company', 'string', { length: 255 }), ...sfAddress('', 'Address'),
    sf('Phone', 'phone', { length: 40 }), sf('MobilePhone', 'phone', { length: 40 }), sf('Email', 'email', { length: 80 }), sf('Website', 'url'), sf('Description', 'textarea'),
    sf('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }), sf('Status', 'picklist', { picklistValues: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'] }),
    sf('Industry', 'picklist', { picklistValues: INDUSTRY_VALUES }), sf('Rating', 'picklist', { picklistValues: ['Hot', 'Warm', 'Cold'] }), sf('AnnualRevenue', 'currency'), sf('NumberOfEmployees', 'int', { precision: 8, scale: 0 }),
    sfRef('OwnerId', ['User', 'Group'], 'Owner'), sf('IsConverted', 'boolean'), sf('ConvertedDate', 'date'), sfRef('ConvertedAccountId', 'Account', 'ConvertedAccount'), sfRef('ConvertedContactId', 'Contact', 'ConvertedContact'),
    sfRef('ConvertedOpportunityId', 'Opportunity', 'ConvertedOpportunity'), sf('IsUnreadByOwner', 'boolean'), sf('LastActivityDate', 'date'), sf('EmailBouncedReason', 'string'), sf('EmailBouncedDate', 'datetime'),
    sf('Preferred_Call_Time__c', 'time'), sf('Lead_Score__c', 'double', { precision: 4, scale: 0 }), sf('Product_Interest__c', 'multipicklist', { picklistValues: ['Starter', 'Premium', 'Ultimate', 'Support Plus'] }),
    sf('mkto71_Acquisition_Program__c', 'string', { label: 'Acquisition Program' }), sf('mkto71_Acquisition_Program_Id__c', 'double', { precision: 18, scale: 0, label: 'Acquisition Program Id' }),
    sf('Is_Hot__c', 'boolean', { calculated: true, calculatedFormula: 'Lead_Score__c >= 60' }), ...dqFields(),
  ], {
    offsets: [0, 1, 45, ...CONV, ...DEL],
    mass: leadMass,
    list(day) {
      const out: Rec<LeadX>[] = [];
      const n = w.count(day);
      for (let i = 0; i < n; i++) if (w.sf(day, i)) out.push(leadRec(day, i));
      return out;
    },
    recAt(c) {
      const u = unpack(c);
      return u.a === 0 && u.j === 0 && u.day <= MAX_DAY && u.seq < w.count(u.day) && w.sf(u.day, u.seq) ? leadRec(u.day, u.seq) : undefined;
    },
    // Only a few leads of older days change on a given day: find them from the per-day facts.
    candidates(day, createdOn) {
      const out: Rec<LeadX>[] = [...createdOn(day)];
      // Worked the day after creation / closed unconverted after 45 days: decided by one hash.
      for (const [lag, keep] of [[1, (u: number) => u < 0.6], [45, (u: number, i: number, d: number) => u > 0.7 && w.conv(d, i) < 0]] as const) {
        const d = day - lag;
        if (d < 0) continue;
        const n = w.count(d);
        for (let i = 0; i < n; i++) if (w.sf(d, i) && keep(unit(w.seed, T.misc, d, i), i, d)) out.push(leadRec(d, i));
      }
      for (let a = 0; a < CONV.length; a++) {
        const d = day - CONV[a]!;
        if (d < 0) break;
        const cv = w.convertersOf(d);
        for (let k = 0; k < cv.i.length; k++) if (cv.a[k] === a) out.push(leadRec(d, cv.i[k]!));
      }
      for (let k = 0; k < DEL.length; k++) {
        const d = day - DEL[k]!;
        if (d < 0) break;
        const info = w.info(d);
        for (let i = 0; i < info.n; i++) if (info.del[i] === k && info.sf[i] === 1) out.push(leadRec(d, i));
      }
      return out;
    },
    sorted: true,
    build(r, t, deleted) {
      const { d, i } = r.x;
      const p = persona(w, d, i);
      const prog = w.program(d, i);
      const owner = ownerOf(hash(w.seed, T.misc + 1, d, i), d);
      const converted = r.x.conv !== null && r.x.conv <= t;
      const deal = converted ? dealOf(d, i) : null;
      const status = converted ? 'Closed - Converted' : r.x.closedNC !== null && r.x.closedNC <= t ? 'Closed - Not Converted' : r.x.worked !== null && r.x.worked <= t ? 'Working - Contacted' : 'Open - Not Contacted';
      const dq = dqValues(leadMass, r, t);
      const score = Math.min(99, 10 + (hash(w.seed, T.misc + 2, d, i) % 40) + r.v.filter((v) => v <= t).length * 12);
      const modifier = dq.at === t ? integration : r.x.worked !== null && t >= r.x.worked ? owner : integration;
      return Object.assign({
        Id: leadId(d, i), MasterRecordId: null, LastName: p.last, FirstName: p.first, Salutation: null, Name: `${p.first} ${p.last}`, Title: p.title, Company: p.company.name,
        Street: p.place.street, City: p.place.city, State: p.place.state, PostalCode: p.place.postalCode, Country: p.place.country, Latitude: null, Longitude: null, GeocodeAccuracy: null,
        Phone: p.phone, MobilePhone: p.mobile, Email: p.email, Website: `https://www.${p.company.domain}`, Description: unit(w.seed, T.misc + 3, d, i) < 0.3 ? freeText(hash(w.seed, T.misc + 4, d, i), 0.02) : null,
        LeadSource: LEAD_SOURCE_BY_CHANNEL[prog.channel], Status: status, Industry: p.industry, Rating: score >= 60 ? 'Hot' : score >= 35 ? 'Warm' : 'Cold', AnnualRevenue: p.revenue, NumberOfEmployees: p.employees,
        OwnerId: userId(owner), IsConverted: converted, ConvertedDate: deal ? isoDate(deal.convTime) : null, ConvertedAccountId: deal ? accountId(deal) : null, ConvertedContactId: deal ? contactId(deal) : null,
        ConvertedOpportunityId: deal ? nbOpportunityId(deal) : null, IsUnreadByOwner: status === 'Open - Not Contacted', LastActivityDate: r.x.worked !== null && r.x.worked <= t ? isoDate(r.x.worked) : null,
        EmailBouncedReason: null, EmailBouncedDate: null, Preferred_Call_Time__c: timeOfDay(((8 + (hash(w.seed, T.misc + 5, d, i) % 9)) * 2 + 0) * 30 * 60_000),
        Lead_Score__c: score, Product_Interest__c: ['Premium', 'Ultimate;Support Plus', 'Starter', null, 'Premium;Support Plus'][hash(w.seed, T.misc + 6, d, i) % 5], mkto71_Acquisition_Program__c: prog.name,
        mkto71_Acquisition_Program_Id__c: prog.id, Is_Hot__c: score >= 60, Data_Quality_Score__c: dq.score, Last_DQ_Check__c: dq.at,
      }, audit(r, t, deleted, integration, modifier));
    },
  });

  // ---- Account -------------------------------------------------------------
  interface AcctX {
    deal: Deal;
    wonAt: Millis | null;
    upsoldAt: Millis | null;
    churnedAt: Millis | null;
  }
  const acctOffsets: number[] = [0];
  for (const b of CLOSE) {
    acctOffsets.push(b, b + UPSELL_CLOSE);
    for (let k = 1; k <= MAX_YEARS; k++) acctOffsets.push(b + 365 * k - 30);
  }
  const accountMass = dqMass<AcctX>(100, 180, 3, 0.7, () => true);
  const converted = (day: number, each: (deal: Deal, a: number) => void): void => {
    for (let a = 0; a < CONV.length; a++) {
      const d = day - CONV[a]!;
      if (d < 0) break;
      const cv = w.convertersOf(d);
      for (let k = 0; k < cv.i.length; k++) if (cv.a[k] === a) each(dealOf(d, cv.i[k]!, a), a);
    }
  };
  /** The converted person's deal behind a counter packed as (conversion day, conversion lag, person). */
  const convertedAt = (c: number): Deal | undefined => {
    const u = unpack(c);
    const d = u.day - (CONV[u.a] ?? Infinity);
    if (!(d >= 0) || u.seq >= w.count(d) || w.conv(d, u.seq) !== u.a) return undefined;
    return dealOf(d, u.seq, u.a);
  };
  const subEventTime = (deal: Deal, off: number, code: number): Millis => w.eventTime(deal, { code, off, kind: 'Renewal' });
  const accountRec = (deal: Deal, a: number): Rec<AcctX> => {
    const wonAt = deal.won ? deal.closeTime + 1000 : null;
    const upsoldAt = deal.upsellWon ? subEventTime(deal, UPSELL_CLOSE, 1) - 1000 : null;
    const churnedAt = deal.won && deal.churnYear <= MAX_YEARS ? subEventTime(deal, 365 * deal.churnYear - 30, 2 * deal.churnYear + 1) + 1000 : null;
    return rec(pack(deal.convDay, a, deal.i, 0), deal.convTime, [wonAt, upsoldAt, churnedAt], null, { deal, wonAt, upsoldAt, churnedAt });
  };
  const Account = spec<AcctX>('Account', 'Account', [
    ...sfSystem(), sfRef('MasterRecordId', 'Account', 'MasterRecord'), sf('Name', 'string'), sf('Type', 'picklist', { picklistValues: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Former Customer', 'Other'] }),
    sfRef('ParentId', 'Account', 'Parent'), ...sfAddress('Billing', 'BillingAddress'), ...sfAddress('Shipping', 'ShippingAddress'), sf('Phone', 'phone', { length: 40 }), sf('Fax', 'phone', { length: 40 }),
    sf('AccountNumber', 'string', { length: 40 }), sf('Website', 'url'), sf('Industry', 'picklist', { picklistValues: INDUSTRY_VALUES }), sf('AnnualRevenue', 'currency'), sf('NumberOfEmployees', 'int', { precision: 8, scale: 0 }),
    sf('Ownership', 'picklist', { picklistValues: ['Public', 'Private', 'Subsidiary', 'Other'] }), sf('Description', 'textarea'), sf('Rating', 'picklist', { picklistValues: ['Hot', 'Warm', 'Cold'] }),
    sfRef('OwnerId', 'User', 'Owner'), sf('LastActivityDate', 'date'), sf('AccountSource', 'picklist', { picklistValues: LEAD_SOURCES }),
    sf('Customer_Tier__c', 'picklist', { picklistValues: ['Tier 1', 'Tier 2', 'Tier 3'] }), sf('HQ_Location__Latitude__s', 'double', { precision: 18, scale: 15, compoundFieldName: 'HQ_Location__c' }),
    sf('HQ_Location__Longitude__s', 'double', { precision: 18, scale: 15, compoundFieldName: 'HQ_Location__c' }), sf('HQ_Location__c', 'location', { length: 0 }),
    sf('ARR__c', 'currency'), sf('Health_Score__c', 'percent', { precision: 5, scale: 2 }),
    sf('Billing_Region__c', 'string', { length: 1300, calculated: true, calculatedFormula: 'CASE(BillingCountry, "United States", "NA", "Canada", "NA", "Brazil", "LATAM", "Mexico", "LATAM", "Japan", "APAC", "Australia", "APAC", "Singapore", "APAC", "India", "APAC", "EMEA")' }),
    ...dqFields(),
  ], {
    offsets: acctOffsets,
    mass: accountMass,
    list(day) {
      const out: Rec<AcctX>[] = [];
      converted(day, (deal, a) => out.push(accountRec(deal, a)));
      return out;
    },
    recAt(c) {
      const deal = convertedAt(c);
      return deal && unpack(c).j === 0 ? accountRec(deal, deal.a) : undefined;
    },
    candidates(day, createdOn) {
      const out: Rec<AcctX>[] = [...createdOn(day)];
      for (const cu of w.customersClosedOn(day)) out.push(accountRec(dealOf(cu.d, cu.i, cu.a), cu.a));
      for (const cu of w.customersClosedOn(day - UPSELL_CLOSE)) {
        const deal = dealOf(cu.d, cu.i, cu.a);
        if (deal.upsellWon) out.push(accountRec(deal, cu.a));
      }
      for (let k = 1; 365 * k - 30 <= day; k++)
        for (const cu of w.customersClosedOn(day - (365 * k - 30))) {
          const deal = dealOf(cu.d, cu.i, cu.a);
          if (deal.churnYear === k) out.push(accountRec(deal, cu.a));
        }
      return out;
    },
    build(r, t, deleted) {
      const { deal } = r.x;
      const p = persona(w, deal.d, deal.i);
      const owner = ownerOf(hash(w.seed, T.misc + 1, deal.d, deal.i), deal.d);
      const won = r.x.wonAt !== null && r.x.wonAt <= t;
      const churned = r.x.churnedAt !== null && r.x.churnedAt <= t;
      const arr = won && !churned ? deal.iacv + (r.x.upsoldAt !== null && r.x.upsoldAt <= t ? deal.upsellIacv : 0) : null;
      const dq = dqValues(accountMass, r, t);
      const pl = p.place;
      const shipSame = hash(w.seed, T.misc + 7, deal.d, deal.i) % 3 !== 0;
      return Object.assign({
        Id: accountId(deal), MasterRecordId: null, Name: p.company.name,
        Type: churned ? 'Former Customer' : won ? 'Customer - Direct' : 'Prospect', ParentId: null,
        BillingStreet: pl.street, BillingCity: pl.city, BillingState: pl.state, BillingPostalCode: pl.postalCode, BillingCountry: pl.country, BillingLatitude: pl.lat, BillingLongitude: pl.lon, BillingGeocodeAccuracy: 'Address',
        ShippingStreet: shipSame ? pl.street : `Dock ${1 + (deal.i % 9)}, Industrial Park "Nord"`, ShippingCity: pl.city, ShippingState: pl.state, ShippingPostalCode: pl.postalCode, ShippingCountry: pl.country,
        ShippingLatitude: shipSame ? pl.lat : null, ShippingLongitude: shipSame ? pl.lon : null, ShippingGeocodeAccuracy: shipSame ? 'Address' : null,
        Phone: p.phone, Fax: null, AccountNumber: won ? `CUST-${deal.convDay}-${deal.i}` : null, Website: `https://www.${p.company.domain}`, Industry: p.industry, AnnualRevenue: p.revenue, NumberOfEmployees: p.employees,
        Ownership: ['Public', 'Private', 'Private', 'Subsidiary'][deal.i % 4], Description: freeText(hash(w.seed, T.misc + 8, deal.d, deal.i), 0.01), Rating: won ? 'Hot' : 'Warm', OwnerId: userId(owner),
        LastActivityDate: isoDate(Math.min(t, deal.convTime + 5 * DAY)), AccountSource: LEAD_SOURCE_BY_CHANNEL[w.program(deal.d, deal.i).channel],
        Customer_Tier__c: won ? (deal.seats >= 200 ? 'Tier 1' : deal.seats >= 50 ? 'Tier 2' : 'Tier 3') : null, HQ_Location__Latitude__s: pl.lat, HQ_Location__Longitude__s: pl.lon,
        ARR__c: arr, Health_Score__c: won && !churned ? 40 + (hash(w.seed, T.misc + 9, deal.d, r.v.filter((v) => v <= t).length) % 6000) / 100 : null,
        Billing_Region__c: pl.region, Data_Quality_Score__c: dq.score, Last_DQ_Check__c: dq.at,
      }, audit(r, t, deleted, owner, dq.at === t ? integration : owner));
    },
  });

  // ---- Contact -------------------------------------------------------------
  interface ContactX {
    deal: Deal;
    j: number;
    retitledAt: Millis | null;
  }
  /** Some extra contacts are deleted 60 days after conversion (they never get an opportunity role). */
  const contactDeleted = (deal: Deal, j: number): boolean => j > 0 && (hash(w.seed, T.misc + 10, deal.d, deal.i, j) >>> 4) % 25 === 0;
  const contactRec = (deal: Deal, j: number): Rec<ContactX> => {
    const h = hash(w.seed, T.misc + 10, deal.d, deal.i, j);
    const created = deal.convTime + 1000 + j * 7 * 60_000;
    const retitledAt = h % 4 === 0 ? w.at(deal.convDay + 20, 16, deal.d, deal.i, j) : null;
    const del = contactDeleted(deal, j) ? w.at(deal.convDay + 60, 17, deal.d, deal.i, j) : null;
    return rec(pack(deal.convDay, deal.a, deal.i, j), created, [retitledAt], del, { deal, j, retitledAt });
  };
  const contactMass = dqMass<ContactX>(110, 180, 4, 0.6, () => true);
  const Contact = spec<ContactX>('Contact', 'Contact', [
    ...sfSystem(), sfRef('MasterRecordId', 'Contact', 'MasterRecord'), sfRef('AccountId', 'Account', 'Account'), sf('LastName', 'string', { length: 80 }), sf('FirstName', 'string', { length: 40 }),
    sf('Salutation', 'picklist', { picklistValues: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }), sf('Name', 'string', { length: 121 }), ...sfAddress('Mailing', 'MailingAddress'),
    sf('Phone', 'phone', { length: 40 }), sf('MobilePhone', 'phone', { length: 40 }), sf('Email', 'email', { length: 80 }), sf('Title', 'string', { length: 128 }), sf('Department', 'string', { length: 80 }),
    sf('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }), sf('Birthdate', 'date'), sf('Description', 'textarea'), sfRef('OwnerId', 'User', 'Owner'), sf('HasOptedOutOfEmail', 'boolean'), sf('DoNotCall', 'boolean'),
    sf('LastActivityDate', 'date'), sf('EmailBouncedReason', 'string'), sf('EmailBouncedDate', 'datetime'), sf('Preferred_Call_Time__c', 'time'),
    sf('Persona__c', 'picklist', { picklistValues: ['Economic Buyer', 'Champion', 'Technical Evaluator', 'End User'] }), sf('Marketo_Lead_Score__c', 'double', { precision: 4, scale: 0 }), ...dqFields(),
  ], {
    offsets: [0, 20, 60],
    mass: contactMass,
    list(day) {
      const out: Rec<ContactX>[] = [];
      converted(day, (deal) => {
        const n = extraContacts(w, deal);
        for (let j = 0; j <= n; j++) out.push(contactRec(deal, j));
      });
      return out;
    },
    recAt(c) {
      const deal = convertedAt(c);
      const j = unpack(c).j;
      return deal && j <= extraContacts(w, deal) ? contactRec(deal, j) : undefined;
    },
    build(r, t, deleted) {
      const { deal, j } = r.x;
      const p = persona(w, deal.d, deal.i, j);
      const owner = ownerOf(hash(w.seed, T.misc + 1, deal.d, deal.i), deal.d);
      const dq = dqValues(contactMass, r, t);
      const retitled = r.x.retitledAt !== null && r.x.retitledAt <= t;
      const h = hash(w.seed, T.misc + 11, deal.d, deal.i, j);
      return Object.assign({
        Id: contactId(deal, j), MasterRecordId: null, AccountId: accountId(deal),
        LastName: p.last, FirstName: p.first, Salutation: null, Name: `${p.first} ${p.last}`,
        MailingStreet: p.place.street, MailingCity: p.place.city, MailingState: p.place.state, MailingPostalCode: p.place.postalCode, MailingCountry: p.place.country,
        MailingLatitude: null, MailingLongitude: null, MailingGeocodeAccuracy: null, Phone: p.phone, MobilePhone: p.mobile, Email: p.email,
        Title: retitled ? `Senior ${p.title}` : p.title, Department: ['Engineering', 'IT', 'Finance', 'Operations', 'Marketing'][h % 5], LeadSource: j === 0 ? w.leadSource(deal.d, deal.i) : 'Other',
        Birthdate: h % 5 === 0 ? `19${60 + (h % 40)}-0${1 + (h % 9)}-1${h % 10}` : null, Description: h % 7 === 0 ? freeText(h, 0.02) : null, OwnerId: userId(owner),
        HasOptedOutOfEmail: h % 19 === 0, DoNotCall: h % 23 === 0, LastActivityDate: null, EmailBouncedReason: null, EmailBouncedDate: null,
        Preferred_Call_Time__c: timeOfDay((9 + (h % 8)) * 3_600_000 + ((h >>> 3) % 2) * 1_800_000), Persona__c: j === 0 ? 'Champion' : ['Economic Buyer', 'Technical Evaluator', 'End User'][h % 3],
        Marketo_Lead_Score__c: j === 0 ? 40 + (h % 60) : null, Data_Quality_Score__c: dq.score, Last_DQ_Check__c: dq.at,
      }, audit(r, t, deleted, j === 0 ? integration : owner, dq.at === t ? integration : owner));
    },
  });

  // ---- Campaign ------------------------------------------------------------
  const Campaign = spec<Program>('Campaign', 'Campaign', [
    ...sfSystem(), sf('Name', 'string', { length: 80 }), sfRef('ParentId', 'Campaign', 'Parent'), sf('Type', 'picklist', { picklistValues: CAMPAIGN_TYPE_VALUES }),
    sf('Status', 'picklist', { picklistValues: ['Planned', 'In Progress', 'Completed', 'Aborted'] }), sf('StartDate', 'date'), sf('EndDate', 'date'), sf('ExpectedRevenue', 'currency'), sf('BudgetedCost', 'currency'),
    sf('ActualCost', 'currency'), sf('ExpectedResponse', 'percent', { precision: 10, scale: 2 }), sf('NumberSent', 'double', { precision: 18, scale: 0 }), sf('IsActive', 'boolean'), sf('Description', 'textarea'),
    sfRef('OwnerId', 'User', 'Owner'), sf('LastActivityDate', 'date'), sf('Marketo_Program_Id__c', 'double', { precision: 18, scale: 0 }), sf('Channel__c', 'picklist', { picklistValues: ['Webinar', 'Online Advertising', 'Content Syndication', 'Tradeshow', 'Email Nurture', 'Website'] }),
    sf('Cost_Per_Day__c', 'currency', { calculated: true, calculatedFormula: 'ActualCost / MAX(1, EndDate - StartDate + 1)' }),
  ], {
    all: () => programsUpTo(w.seed, w.scale, MAX_DAY).map((p) => rec(pack(p.month === 0 ? 0 : dayOf(p.createdAt), 0, p.j, 0), p.createdAt + 60_000, p.versions.slice(1).map((v) => v + 60_000), null, p)),
    offsets: [],
    deletes: false,
    build(r, t, deleted) {
      const p = r.x;
      const owner = user(0, 12)!;
      const actual = costsAt(p, t).reduce((s, c) => s + c.cost, 0);
      const budget = p.costs.reduce((s, c) => s + c.cost, 0);
      const status = programStatusAt(p, t - 60_000);
      const fmt = (d: number): string => dayDate(Math.min(d, MAX_DAY));
      return Object.assign({
        Id: campaignId(p), Name: p.name.slice(0, 80), ParentId: null, Type: p.campaignType, Status: status,
        StartDate: fmt(p.activeFrom), EndDate: p.activeTo >= MAX_DAY ? null : fmt(p.activeTo), ExpectedRevenue: Math.round(budget * 4), BudgetedCost: budget, ActualCost: actual,
        ExpectedResponse: p.channel === 'Webinar' ? 12.5 : 2.75, NumberSent: null, IsActive: status !== 'Completed', Description: p.description, OwnerId: userId(owner),
        LastActivityDate: null, Marketo_Program_Id__c: p.id, Channel__c: p.channel,
        Cost_Per_Day__c: p.activeTo >= MAX_DAY ? null : Math.round((actual / Math.max(1, p.activeTo - p.activeFrom + 1)) * 100) / 100,
      }, audit(r, t, deleted, integration, integration));
    },
  });

  // ---- CampaignMember ------------------------------------------------------
  const CampaignMember = spec<Membership>('CampaignMember', 'Campaign Member', [
    ...sfSystem(), sfRef('CampaignId', 'Campaign', 'Campaign'), sfRef('LeadId', 'Lead', 'Lead'), sfRef('ContactId', 'Contact', 'Contact'), sf('Status', 'picklist', { picklistValues: MEMBER_STATUSES }),
    sf('HasResponded', 'boolean'), sf('FirstRespondedDate', 'date'), sf('Type', 'string', { length: 7 }), sf('Name', 'string', { length: 121 }), sf('FirstName', 'string', { length: 40 }), sf('LastName', 'string', { length: 80 }),
    sf('Title', 'string', { length: 128 }), sf('Email', 'email', { length: 80 }), sf('Phone', 'phone', { length: 40 }), sf('CompanyOrAccount', 'string', { length: 255 }), sf('City', 'string', { length: 40 }), sf('Country', 'string', { length: 80 }),
    sfRef('LeadOrContactId', ['Lead', 'Contact'], null), sfRef('LeadOrContactOwnerId', 'User', 'LeadOrContactOwner'), sf('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }),
  ], {
    offsets: [0, ...MEM_STEPS],
    list: (day) => membershipsOn(w, day, (world, d, i) => world.sf(d, i)),
    recAt: (c) => membershipAt(w, c, (world, d, i) => world.sf(d, i)),
    sorted: true,
    build(r, t, deleted) {
      const m = r.x;
      const p = persona(w, m.d, m.i);
      const conv = w.convTime(m.d, m.i);
      const deal = conv !== null && conv <= m.created ? dealOf(m.d, m.i) : null;
      const s = memberState(m, t);
      const owner = ownerOf(hash(w.seed, T.misc + 1, m.d, m.i), m.d);
      const lead = leadId(m.d, m.i);
      return Object.assign({
        Id: sfId(PREFIX.CampaignMember, r.c), CampaignId: campaignId(m.program), LeadId: lead, ContactId: deal ? contactId(deal) : null,
        Status: s.status, HasResponded: s.responded, FirstRespondedDate: s.firstResponded === null ? null : isoDate(s.firstResponded), Type: deal ? 'Contact' : 'Lead', Name: `${p.first} ${p.last}`,
        FirstName: p.first, LastName: p.last, Title: p.title, Email: p.email, Phone: p.phone, CompanyOrAccount: p.company.name, City: p.place.city, Country: p.place.country,
        LeadOrContactId: deal ? contactId(deal) : lead, LeadOrContactOwnerId: userId(owner), LeadSource: w.leadSource(m.d, m.i),
      }, audit(r, t, deleted, integration, integration));
    },
  });

  // ---- Opportunity ---------------------------------------------------------
  interface OppX {
    deal: Deal;
    kind: 'New Business' | 'Upsell' | 'Renewal';
    k: number;
    /** [time, stage, probability] steps, the last being the close (when it has happened). */
    steps: [Millis, string, number][];
    oppJ: number;
    a: number;
  }
  const oppA = (deal: Deal): number => 8 + deal.a * 8 + deal.b;
  function oppsOn(day: number): Rec<OppX>[] {
    const out: Rec<OppX>[] = [];
    const push = (x: OppX, c: number, del: Millis | null = null): void => {
      out.push(rec(c, x.steps[0]![0], x.steps.slice(1).map((s) => s[0]), del, x));
    };
    converted(day, (deal, a) => {
      const created = deal.convTime + 2000;
      const steps: [Millis, string, number][] = [[created, STAGES[0][1], STAGES[0][2]]];
      const closeOff = CLOSE[deal.b]!;
      for (let s = 1; s < STAGES.length; s++) {
        const st = STAGES[s]!;
        if (st[0] < closeOff) steps.push([w.at(day + st[0], 20 + s, deal.d, deal.i, 0), st[1], st[2]]);
      }
      steps.push([deal.closeTime, deal.won ? 'Closed Won' : 'Closed Lost', deal.won ? 100 : 0]);
      push({ deal, kind: 'New Business', k: 0, steps, oppJ: 0, a }, pack(day, a, deal.i, 0));
    });
    for (const cu of w.customersClosedOn(day - UPSELL_CREATE)) {
      const deal = dealOf(cu.d, cu.i, cu.a);
      if (!deal.upsell) continue;
      const steps: [Millis, string, number][] = [
        [w.at(day, 30, deal.d, deal.i, 0), 'Qualification', 20],
        [w.at(day + 15, 31, deal.d, deal.i, 0), 'Proposal/Price Quote', 75],
        [w.eventTime(deal, { code: 1, off: UPSELL_CLOSE, kind: 'UpdateProduct' }) - 60_000, deal.upsellWon ? 'Closed Won' : 'Closed Lost', deal.upsellWon ? 100 : 0],
      ];
      push({ deal, kind: 'Upsell', k: 0, steps, oppJ: 1, a: oppA(deal) }, pack(day, oppA(deal), deal.i, 1));
    }
    for (let k = 1; k <= MAX_YEARS; k++) {
      const X = day - (365 * k - RENEWAL_LEAD);
      if (X < 0) break;
      for (const cu of w.customersClosedOn(X)) {
        const deal = dealOf(cu.d, cu.i, cu.a);
        if (deal.churnYear < k) continue;
        const churn = deal.churnYear === k;
        const closeAt = churn ? w.eventTime(deal, { code: 2 * k + 1, off: 365 * k - 30, kind: 'Cancellation' }) - 60_000 : w.at(X + 365 * k - 5, 33, deal.d, deal.i, k);
        const steps: [Millis, string, number][] = [
          [w.at(day, 32, deal.d, deal.i, k), 'Qualification', 60],
          [w.at(day + 20, 34, deal.d, deal.i, k), 'Negotiation/Review', 90],
          [closeAt, churn ? 'Closed Lost' : 'Closed Won', churn ? 0 : 100],
        ];
        push({ deal, kind: 'Renewal', k, steps, oppJ: 1 + k, a: oppA(deal) }, pack(day, oppA(deal), deal.i, 1 + k));
      }
    }
    return out;
  }
  const oppOffsets = [0, ...STAGES.map((s) => s[0]), ...CLOSE, 15, UPSELL_CLOSE - UPSELL_CREATE, 20, RENEWAL_LEAD - 5, RENEWAL_LEAD - 30];
  const stageAt = (x: OppX, t: Millis): { idx: number; step: [Millis, string, number] } => {
    let idx = 0;
    for (let s = 0; s < x.steps.length; s++) if (x.steps[s]![0] <= t) idx = s;
    return { idx, step: x.steps[idx]! };
  };
  const oppIacv = (x: OppX): number => (x.kind === 'New Business' ? x.deal.iacv : x.kind === 'Upsell' ? x.deal.upsellIacv : 0);
  const forecast = (stage: string): string => (stage === 'Closed Won' ? 'Closed' : stage === 'Closed Lost' ? 'Omitted' : stage === 'Negotiation/Review' || stage === 'Proposal/Price Quote' ? 'Commit' : 'Pipeline');
  const oppId = (c: number): string => sfId(PREFIX.Opportunity, c);
  const Opportunity = spec<OppX>('Opportunity', 'Opportunity', [
    ...sfSystem(), sfRef('AccountId', 'Account', 'Account'), sf('IsPrivate', 'boolean'), sf('Name', 'string', { length: 120 }), sf('Description', 'textarea'),
    sf('StageName', 'picklist', { picklistValues: ['Prospecting', 'Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] }),
    sf('Amount', 'currency'), sf('Probability', 'percent', { precision: 3, scale: 0 }), sf('ExpectedRevenue', 'currency', { calculated: true, calculatedFormula: 'Amount * Probability / 100' }),
    sf('TotalOpportunityQuantity', 'double', { precision: 18, scale: 2 }), sf('CloseDate', 'date'), sf('Type', 'picklist', { picklistValues: ['New Business', 'Upsell', 'Renewal'] }), sf('NextStep', 'string'),
    sf('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }), sf('IsClosed', 'boolean'), sf('IsWon', 'boolean'), sf('ForecastCategory', 'picklist', { picklistValues: ['Omitted', 'Pipeline', 'BestCase', 'Commit', 'Closed'] }),
    sf('ForecastCategoryName', 'picklist', { picklistValues: ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'] }), sfRef('CampaignId', 'Campaign', 'Campaign'), sf('HasOpportunityLineItem', 'boolean'),
    sfRef('OwnerId', 'User', 'Owner'), sf('LastActivityDate', 'date'), sf('FiscalQuarter', 'int', { precision: 2, scale: 0 }), sf('FiscalYear', 'int', { precision: 4, scale: 0 }), sf('Fiscal', 'string', { length: 6 }),
    sfRef('ContactId', 'Contact', 'Contact'), sf('IACV__c', 'currency', { label: 'Incremental ACV' }), sf('Weighted_IACV__c', 'currency', { calculated: true, calculatedFormula: 'IACV__c * Probability' }),
    sf('Seats__c', 'double', { precision: 18, scale: 0 }), sf('Edition__c', 'picklist', { picklistValues: ['Starter', 'Premium', 'Ultimate'] }), sf('Loss_Reason__c', 'picklist', { picklistValues: ['Price', 'Competitor', 'No Decision', 'Timing', 'Churn'] }),
    sf('Renewal_Date__c', 'date'),
  ], {
    offsets: oppOffsets,
    list: oppsOn,
    build(r, t, deleted) {
      const x = r.x;
      const { deal } = x;
      const { idx, step } = stageAt(x, t);
      const closed = step[1].startsWith('Closed');
      const won = step[1] === 'Closed Won';
      const last = x.steps[x.steps.length - 1]!;
      const owner = ownerOf(hash(w.seed, T.misc + 1, deal.d, deal.i), deal.d);
      const p = persona(w, deal.d, deal.i);
      const closeDate = isoDate(last[0]);
      const cy = Number(closeDate.slice(0, 4));
      const cq = Math.floor((Number(closeDate.slice(5, 7)) - 1) / 3) + 1;
      const iacv = oppIacv(x);
      const amount = x.kind === 'New Business' ? (won ? deal.iacv + deal.setupFee : deal.amountEstimate) : x.kind === 'Upsell' ? deal.upsellIacv : deal.mrr * 12;
      const edition = ['Starter', 'Premium', 'Ultimate'][deal.edition]!;
      return Object.assign({
        Id: oppId(r.c), AccountId: accountId(deal), IsPrivate: false,
        Name: `${p.company.name} – ${edition}${x.kind === 'New Business' ? '' : x.kind === 'Upsell' ? ' Upsell' : ` Renewal ${isoDate(last[0]).slice(0, 4)}`}`,
        Description: x.kind === 'New Business' && deal.i % 5 === 0 ? freeText(hash(w.seed, T.misc + 12, deal.d, deal.i), 0.01) : null,
        StageName: step[1], Amount: amount, Probability: step[2], ExpectedRevenue: (amount * step[2]) / 100, TotalOpportunityQuantity: x.kind === 'Upsell' ? deal.upsellSeats : deal.seats,
        CloseDate: closeDate, Type: x.kind, NextStep: closed ? null : ['Send proposal', 'Security review', 'Schedule demo', 'Legal redlines'][idx % 4], LeadSource: w.leadSource(deal.d, deal.i),
        IsClosed: closed, IsWon: won, ForecastCategory: forecast(step[1]) === 'Commit' ? 'Commit' : forecast(step[1]), ForecastCategoryName: forecast(step[1]),
        CampaignId: campaignId(w.program(deal.d, deal.i)), HasOpportunityLineItem: false, OwnerId: userId(owner), LastActivityDate: isoDate(step[0]),
        FiscalQuarter: cq, FiscalYear: cy, Fiscal: `${cy} ${cq}`, ContactId: contactId(deal), IACV__c: won ? iacv : null, Weighted_IACV__c: won ? iacv : null,
        Seats__c: x.kind === 'Upsell' ? deal.upsellSeats : deal.seats, Edition__c: edition, Loss_Reason__c: closed && !won ? (x.kind === 'Renewal' ? 'Churn' : ['Price', 'Competitor', 'No Decision', 'Timing'][deal.i % 4]) : null,
        Renewal_Date__c: won && x.kind === 'New Business' ? isoDate(dayStart(deal.closeDay + 365)) : null,
      }, audit(r, t, deleted, x.kind === 'New Business' ? integration : owner, owner));
    },
  });

  // ---- OpportunityContactRole ---------------------------------------------
  interface OcrX {
    opp: Rec<OppX>;
    j: number;
  }
  const ROLES = ['Decision Maker', 'Economic Buyer', 'Technical Buyer', 'Influencer', 'Evaluator', 'Executive Sponsor', 'Business User', 'Other'];
  const OpportunityContactRole = spec<OcrX>('OpportunityContactRole', 'Opportunity Contact Role', [
    ...sfSystem(), sfRef('OpportunityId', 'Opportunity', 'Opportunity'), sfRef('ContactId', 'Contact', 'Contact'), sf('Role', 'picklist', { picklistValues: ROLES }), sf('IsPrimary', 'boolean'),
  ], {
    offsets: [0],
    deletes: false,
    list(day) {
      const out: Rec<OcrX>[] = [];
      for (const opp of oppsOn(day)) {
        const x = opp.x;
        const u = unpack(opp.c);
        if (x.kind === 'New Business') {
          const n = extraContacts(w, x.deal);
          for (let j = 0; j <= n; j++) {
            if (j > 0 && (hash(w.seed, T.misc + 13, x.deal.d, x.deal.i, j) % 2 === 0 || contactDeleted(x.deal, j))) continue;
            out.push(rec(pack(day, u.a, u.seq, j), opp.created + 1000 + j, [], null, { opp, j }));
          }
        } else out.push(rec(pack(day, u.a, u.seq, 16 + u.j), opp.created + 1000, [], null, { opp, j: 0 }));
      }
      return out;
    },
    build(r, t, deleted) {
      const { opp, j } = r.x;
      const owner = ownerOf(hash(w.seed, T.misc + 1, opp.x.deal.d, opp.x.deal.i), opp.x.deal.d);
      return Object.assign({
        Id: sfId(PREFIX.OpportunityContactRole, r.c), OpportunityId: oppId(opp.c), ContactId: contactId(opp.x.deal, j),
        Role: j === 0 ? 'Decision Maker' : ROLES[1 + (hash(w.seed, T.misc + 14, opp.x.deal.d, opp.x.deal.i, j) % 6)], IsPrimary: j === 0,
      }, audit(r, t, deleted, owner, owner));
    },
  });

  // ---- OpportunityFieldHistory --------------------------------------------
  interface HistX {
    opp: Rec<OppX>;
    v: number;
    field: 'created' | 'StageName' | 'Amount';
  }
  const histOffsets = [...new Set(oppOffsets)].sort((a, b) => a - b);
  const OpportunityFieldHistory = spec<HistX>('OpportunityFieldHistory', 'Opportunity Field History', [
    ...sfSystem(true), sfRef('OpportunityId', 'Opportunity', 'Opportunity'), sf('Field', 'picklist', { picklistValues: ['created', 'StageName', 'Amount', 'CloseDate'] }),
    sf('DataType', 'picklist', { picklistValues: ['Text', 'Currency', 'DynamicEnum', 'Date'] }), sf('OldValue', 'anyType'), sf('NewValue', 'anyType'),
  ], {
    offsets: [0],
    deletes: false,
    replicationKey: 'CreatedDate',
    list(day) {
      const out: Rec<HistX>[] = [];
      for (let o = 0; o < histOffsets.length; o++) {
        const off = histOffsets[o]!;
        if (day - off < 0) continue;
        for (const opp of oppsOn(day - off)) {
          const u = unpack(opp.c);
          for (let v = 0; v < opp.v.length; v++) {
            const vt = opp.v[v]!;
            if (dayOf(vt) !== day) continue;
            // The offset index keeps ids unique: opps of different days can share (a, seq, j).
            const seq = u.seq * 32 + o;
            const base = u.j * 8 + v * 2;
            if (v === 0) out.push(rec(pack(day, u.a, seq, base), vt, [], null, { opp, v, field: 'created' }));
            else {
              out.push(rec(pack(day, u.a, seq, base), vt, [], null, { opp, v, field: 'StageName' }));
              const x = opp.x;
              if (x.kind === 'New Business' && v === x.steps.length - 1 && x.deal.won) out.push(rec(pack(day, u.a, seq, base + 1), vt, [], null, { opp, v, field: 'Amount' }));
            }
          }
        }
      }
      return out;
    },
    build(r, t, deleted) {
      const { opp, v, field } = r.x;
      const x = opp.x;
      const owner = ownerOf(hash(w.seed, T.misc + 1, x.deal.d, x.deal.i), x.deal.d);
      const row: Row = { Id: sfId(PREFIX.OpportunityFieldHistory, r.c), IsDeleted: deleted, CreatedById: userId(v === 0 && x.kind === 'New Business' ? integration : owner), CreatedDate: r.created, OpportunityId: oppId(opp.c), Field: field };
      void t;
      if (field === 'created') return { ...row, DataType: 'Text', OldValue: null, NewValue: null };
      if (field === 'StageName') return { ...row, DataType: 'DynamicEnum', OldValue: x.steps[v - 1]![1], NewValue: x.steps[v]![1] };
      return { ...row, DataType: 'Currency', OldValue: x.deal.amountEstimate, NewValue: x.deal.iacv + x.deal.setupFee };
    },
  });

  // ---- Task ----------------------------------------------------------------
  const SUBJECTS = [['Call', 'Discovery call'], ['Email', 'Follow-up: pricing & "next steps"'], ['Meeting', 'Demo, technical deep-dive'], ['Call', 'Left voicemail']] as const;
  const Task = spec<TaskPlan>('Task', 'Task', [
    ...sfSystem(), sfRef('WhoId', ['Contact', 'Lead'], 'Who'), sfRef('WhatId', ['Account', 'Opportunity', 'Campaign'], 'What'), sf('Subject', 'combobox'), sf('ActivityDate', 'date'),
    sf('Status', 'picklist', { picklistValues: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] }), sf('Priority', 'picklist', { picklistValues: ['High', 'Normal', 'Low'] }),
    sf('IsHighPriority', 'boolean'), sfRef('OwnerId', ['User', 'Group'], 'Owner'), sf('Description', 'textarea'), sf('Type', 'picklist', { picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
    sfRef('AccountId', 'Account', 'Account'), sf('IsClosed', 'boolean'), sf('CallDurationInSeconds', 'int', { precision: 8, scale: 0 }), sf('CallType', 'picklist', { picklistValues: ['Internal', 'Inbound', 'Outbound'] }),
    sf('CallDisposition', 'string'), sf('TaskSubtype', 'picklist', { picklistValues: ['Task', 'Email', 'Call'] }), sf('CompletedDateTime', 'datetime'), sf('Call_Outcome__c', 'picklist', { picklistValues: ['Connected', 'No Answer', 'Wrong Number', 'Meeting Booked'] }),
  ], {
    offsets: [0, 1, 10],
    list(day) {
      const out: Rec<TaskPlan>[] = [];
      for (let l = 0; l < TASK_LAGS.length; l++) {
        const d = day - TASK_LAGS[l]!;
        if (d < 0) break;
        const n = w.count(d);
        for (let i = 0; i < n; i++) {
          const tp = task(w, d, i, l);
          if (tp) out.push(rec(pack(day, l, i, 0), tp.created, [tp.completedAt], tp.deletedAt, tp));
        }
      }
      return out;
    },
    recAt(c) {
      const u = unpack(c);
      const d = u.day - (TASK_LAGS[u.a] ?? Infinity);
      if (!(d >= 0) || u.j !== 0 || u.seq >= w.count(d)) return undefined;
      const tp = task(w, d, u.seq, u.a);
      return tp ? rec(c, tp.created, [tp.completedAt], tp.deletedAt, tp) : undefined;
    },
    sorted: true,
    build(r, t, deleted) {
      const tp = r.x;
      const conv = w.convTime(tp.d, tp.i);
      const deal = conv !== null && conv <= tp.created ? dealOf(tp.d, tp.i) : null;
      const owner = ownerOf(hash(w.seed, T.misc + 1, tp.d, tp.i), tp.d);
      const [type, subject] = SUBJECTS[tp.kind]!;
      const open = r.v.length > 1 || (hash(w.seed, T.misc + 15, tp.d, tp.i, tp.l) % 10 < 4 && tp.completedAt === null);
      const done = !open || (tp.completedAt !== null && tp.completedAt <= t);
      return Object.assign({
        Id: sfId(PREFIX.Task, r.c), WhoId: deal ? contactId(deal) : leadId(tp.d, tp.i), WhatId: deal ? nbOpportunityId(deal) : null,
        Subject: subject, ActivityDate: isoDate(tp.created + (open ? 2 * DAY : 0)), Status: done ? 'Completed' : 'Not Started', Priority: tp.kind === 2 ? 'High' : 'Normal', IsHighPriority: tp.kind === 2,
        OwnerId: userId(owner), Description: tp.kind === 1 ? `Hi,\nthanks for your time today. As discussed, "pricing", SSO, and the rollout plan — see attached.\nBest, ${owner.first}` : null,
        Type: type, AccountId: deal ? accountId(deal) : null, IsClosed: done, CallDurationInSeconds: type === 'Call' ? 30 + (hash(w.seed, T.misc + 16, tp.d, tp.i, tp.l) % 1800) : null,
        CallType: type === 'Call' ? 'Outbound' : null, CallDisposition: type === 'Call' ? 'Connected' : null, TaskSubtype: type === 'Email' ? 'Email' : type === 'Call' ? 'Call' : 'Task',
        CompletedDateTime: done ? (tp.completedAt !== null && tp.completedAt <= t ? tp.completedAt : r.created) : null,
        Call_Outcome__c: type === 'Call' ? ['Connected', 'No Answer', 'Meeting Booked'][hash(w.seed, T.misc + 17, tp.d, tp.i, tp.l) % 3] : null,
      }, audit(r, t, deleted, owner, owner));
    },
  });

  // ---- Document ------------------------------------------------------------
  const docBody = (p: Program): string => {
    const text = `%PDF-1.4\n% ${p.topic}\n1 0 obj << /Title (${p.topic.replace(/[^\x20-\x7e]/g, '?')}) /Producer (bizops-sim) >> endobj\n${'x'.repeat(200 + (p.id % 7) * 97)}\n%%EOF\n`;
    return Buffer.from(text, 'latin1').toString('base64');
  };
  const Document = spec<Program>('Document', 'Document', [
    ...sfSystem(), sfRef('FolderId', ['Folder', 'User'], 'Folder'), sf('Name', 'string'), sf('DeveloperName', 'string', { length: 80 }), sf('NamespacePrefix', 'string', { length: 15 }),
    sf('ContentType', 'string', { length: 120 }), sf('Type', 'string', { length: 40 }), sf('IsPublic', 'boolean'), sf('BodyLength', 'int', { precision: 9, scale: 0 }), sf('Body', 'base64'), sf('Url', 'url'),
    sf('Description', 'textarea', { length: 255 }), sf('Keywords', 'string'), sf('IsInternalUseOnly', 'boolean'), sfRef('AuthorId', 'User', 'Author'), sf('IsBodySearchable', 'boolean'),
  ], {
    all: () =>
      programsUpTo(w.seed, w.scale, MAX_DAY - 1)
        .filter((p) => p.j === 0 || p.j === 2)
        .map((p) => rec(pack(dayOf(p.createdAt) + 1, 0, p.j, 0), dayStart(dayOf(p.createdAt) + 1) + 11 * HOUR + p.j * 60_000, [], p.j === 0 && p.month % 7 === 3 ? dayStart(dayOf(p.createdAt) + 200) + 9 * HOUR : null, p)),
    offsets: [],
    build(r, t, deleted) {
      const p = r.x;
      const author = user(0, 13)!;
      const body = docBody(p);
      const name = p.j === 0 ? `${p.topic} – Slides` : p.topic;
      return Object.assign({
        Id: documentId(p), FolderId: sfId(PREFIX.Folder, pack(0, 0, 1, 0)), Name: name, DeveloperName: `${name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}_${p.id}`,
        NamespacePrefix: null, ContentType: 'application/pdf', Type: 'pdf', IsPublic: p.j === 2, BodyLength: Buffer.from(body, 'base64').length, Body: body, Url: null,
        Description: `Collateral for "${p.name}"`, Keywords: p.channel.toLowerCase(), IsInternalUseOnly: p.j === 0, AuthorId: userId(author), IsBodySearchable: true,
      }, audit(r, t, deleted, author, author));
    },
  });

  // ---- Partner_Referral__c -------------------------------------------------
  interface PrX {
    d: number;
    i: number;
    decidedAt: Millis | null;
  }
  const Partner_Referral__c = spec<PrX>('Partner_Referral__c', 'Partner Referral', [
    ...sfSystem(), sfRef('OwnerId', ['User', 'Group'], 'Owner'), sf('Name', 'string', { length: 80, label: 'Referral Number' }), sf('LastActivityDate', 'date'),
    sfRef('Lead__c', 'Lead', 'Lead__r'), sfRef('Account__c', 'Account', 'Account__r'), sf('Partner_Name__c', 'string', { length: 120 }), sf('Referral_Status__c', 'picklist', { picklistValues: ['Submitted', 'Accepted', 'Rejected', 'Paid'] }),
    sf('Referral_Fee__c', 'currency'), sf('Commission_Rate__c', 'percent', { precision: 5, scale: 2 }), sf('Region__c', 'picklist', { picklistValues: ['NA', 'EMEA', 'APAC', 'LATAM'] }),
    sf('Notes__c', 'textarea'), sf('Submitted_At__c', 'datetime'), sf('Expected_Close_Date__c', 'date'),
    sf('Expected_Fee__c', 'currency', { calculated: true, calculatedFormula: 'Referral_Fee__c * Commission_Rate__c' }),
  ], {
    offsets: [0, 14, 30],
    list(day) {
      const out: Rec<PrX>[] = [];
      const d = day - 1;
      if (d < 0) return out;
      const n = w.count(d);
      for (let i = 0; i < n; i++) {
        if (unit(w.seed, T.pr, d, i) >= 0.06 || !w.sf(d, i)) continue;
        const created = w.at(day, 40, d, i, 0);
        const del0 = w.deletedAt(d, i);
        if (del0 !== null && del0 <= created) continue;
        const h = hash(w.seed, T.pr + 1, d, i);
        const decidedAt = h % 3 !== 0 ? w.at(day + 14, 41, d, i, 0) : null;
        out.push(rec(pack(day, 0, i, 0), created, [decidedAt], h % 12 === 0 ? w.at(day + 30, 42, d, i, 0) : null, { d, i, decidedAt }));
      }
      return out;
    },
    sorted: true,
    build(r, t, deleted) {
      const { d, i } = r.x;
      const p = persona(w, d, i);
      const h = hash(w.seed, T.pr + 2, d, i);
      const decided = r.x.decidedAt !== null && r.x.decidedAt <= t;
      const conv = w.convTime(d, i);
      const deal = conv !== null && conv <= t ? dealOf(d, i) : null;
      const owner = ownerOf(hash(w.seed, T.misc + 1, d, i), d);
      const fee = 500 + (h % 40) * 125;
      const rate = 5 + (h % 150) / 10;
      return Object.assign({
        Id: sfId(PREFIX.Partner_Referral__c, r.c), OwnerId: userId(owner), Name: `PR-${String(w.cum(d) + i).padStart(7, '0')}`, LastActivityDate: null,
        Lead__c: leadId(d, i), Account__c: deal ? accountId(deal) : null, Partner_Name__c: ['Cloudreach', 'Accenture', 'Nordic IT Partners AB', 'Partner Systèmes', '株式会社パートナー'][h % 5],
        Referral_Status__c: decided ? (h % 5 === 0 ? 'Rejected' : 'Accepted') : 'Submitted', Referral_Fee__c: fee, Commission_Rate__c: rate, Region__c: p.place.region,
        Notes__c: h % 2 === 0 ? freeText(h, 0.03) : null, Submitted_At__c: r.created, Expected_Close_Date__c: dayDate(r.created > 0 ? dayOf(r.created) + 60 : 0),
        Expected_Fee__c: Math.round(fee * rate) / 100,
      }, audit(r, t, deleted, owner, owner));
    },
  });

  return [User, Account, Contact, Lead, Campaign, CampaignMember, Opportunity, OpportunityContactRole, OpportunityFieldHistory, Task, Document, Partner_Referral__c];
}

export { DAY };
