/**
 * The small, slowly growing parts of the company: marketing programs (one
 * batch a month), their Salesforce campaigns, smart campaigns, emails,
 * landing pages, lists, collateral documents, users and the product
 * catalogue. These are a few per month, so they are listed rather than
 * streamed.
 */
import { DAY, HOUR, MAX_DAY, MINUTE, dayDate, dayStart, monthLabel, monthOfDay, monthStartDay } from './calendar.js';
import { hash, unit } from './rng.js';
import type { Millis } from './types.js';

export type Channel = 'Webinar' | 'Online Advertising' | 'Content Syndication' | 'Tradeshow' | 'Email Nurture' | 'Website';

export interface ProgramCost {
  startDate: string;
  cost: number;
  note: string;
  /** When the cost was entered (the program row changes then). */
  enteredAt: Millis;
}

export interface Program {
  id: number;
  month: number;
  j: number;
  name: string;
  description: string;
  channel: Channel;
  type: 'Default' | 'Event' | 'Engagement' | 'Event with Webinar';
  createdAt: Millis;
  /** First and last company day on which the program acquires people. */
  activeFrom: number;
  activeTo: number;
  costs: ProgramCost[];
  /** Version times: creation, cost entries, completion. */
  versions: Millis[];
  /** Weight of this program as a first touch. */
  weight: number;
  campaignType: string;
  topic: string;
}

const TOPICS = ['Observability at Scale', 'Zero-Trust Security', 'Data Pipelines 101', 'Platform Engineering', 'AI in Operations', 'Cost Optimisation', 'Compliance Automation', 'DevEx Metrics', 'Kubernetes in Production', 'Modern Data Stack'];
const EVENTS = ['DevOps World', 'KubeCon', 'Gartner Symposium', 'AWS re:Invent', 'Web Summit', 'DataCouncil', 'RSA Conference', 'Jisedai Tech Tōkyō'];
const ASSETS = ['State of DevOps Report', 'Buyer\'s Guide: Observability', 'ROI Calculator Whitepaper', 'Security Checklist', 'Analyst Report: Wave Q2', 'eBook: Platform Teams'];

export const PROGRAM_BASE = 1000;

export function programExists(m: number, j: number): boolean {
  if (m < 0) return false;
  if (j <= 2) return true;
  if (j === 3) return m % 3 === 1;
  return m === 0 && j >= 5 && j <= 7;
}

export function programCreateDay(m: number): number {
  return m === 0 ? 0 : monthStartDay(m) - 12;
}

/** Month whose programs are created on company day d, or -1. */
export function monthCreatedOn(d: number): number {
  if (d === 0) return 0;
  const m = monthOfDay(d + 12);
  return m > 0 && programCreateDay(m) === d ? m : -1;
}

const caches = new Map<string, Map<number, Program>>();
let lastKey = '';
let last: Map<number, Program> | undefined;

export function program(seed: number, scale: number, m: number, j: number): Program {
  const ck = `${seed}:${scale}`;
  if (ck !== lastKey || !last) {
    last = caches.get(ck);
    if (!last) {
      if (caches.size > 16) caches.clear();
      last = new Map();
      caches.set(ck, last);
    }
    lastKey = ck;
  }
  const key = m * 10 + j;
  let p = last.get(key);
  if (!p) {
    p = makeProgram(seed, scale, m, j);
    last.set(key, p);
  }
  return p;
}

export function programById(seed: number, scale: number, id: number): Program | undefined {
  const n = id - PROGRAM_BASE;
  if (!Number.isInteger(n) || n < 0) return undefined;
  const m = Math.floor(n / 10);
  const j = n % 10;
  if (!programExists(m, j) || programCreateDay(m) > MAX_DAY) return undefined;
  return program(seed, scale, m, j);
}

function money(seed: number, m: number, j: number, k: number, lo: number, hi: number, scale: number): number {
  const base = lo + unit(seed, 0x5eed, m, j, k) * (hi - lo);
  return Math.max(1, Math.round((base * scale) / 10) * 10);
}

function makeProgram(seed: number, scale: number, m: number, j: number): Program {
  const label = monthLabel(m);
  const ms = monthStartDay(m);
  const next = monthStartDay(m + 1);
  const createdAt = dayStart(programCreateDay(m)) + (9 + j) * HOUR + (hash(seed, 0x9a, m, j) % 50) * MINUTE;
  const topic = TOPICS[(m * 3 + hash(seed, 0x70, m) % 7) % TOPICS.length] as string;
  const costAt = (month: number, cost: number, note: string): ProgramCost => ({
    startDate: dayDate(monthStartDay(month)),
    cost,
    note,
    enteredAt: dayStart(monthStartDay(month) + 2) + 10 * HOUR + (hash(seed, 0xc0, month, j) % 3600) * 1000,
  });
  let p: Omit<Program, 'versions'>;
  const base = { id: PROGRAM_BASE + m * 10 + j, month: m, j, createdAt, topic };
  switch (j) {
    case 0:
      p = { ...base, name: `Webinar – ${topic} (${label})`, description: `Live webinar "${topic}", with Q&A, recording sent to registrants`, channel: 'Webinar', type: 'Event with Webinar', activeFrom: ms, activeTo: next + 6, costs: [costAt(m, money(seed, m, j, 0, 1800, 5200, scale), 'Webinar platform, speaker fee')], weight: 3, campaignType: 'Webinar' };
      break;
    case 1:
      p = { ...base, name: `Paid Search – ${label}`, description: 'Google & LinkedIn ads, brand + competitor keywords', channel: 'Online Advertising', type: 'Default', activeFrom: ms, activeTo: next - 1, costs: [costAt(m, money(seed, m, j, 0, 6000, 15000, scale), 'Ad spend')], weight: 5, campaignType: 'Advertisement' };
      break;
    case 2: {
      const asset = ASSETS[(m + (hash(seed, 0xa5, m) % 3)) % ASSETS.length] as string;
      p = { ...base, topic: asset, name: `Content Syndication – ${asset} (${label})`, description: `Gated "${asset}", syndicated via partner networks; CPL deal`, channel: 'Content Syndication', type: 'Default', activeFrom: ms, activeTo: monthStartDay(m + 2) - 1, costs: [costAt(m, money(seed, m, j, 0, 3000, 8000, scale), 'CPL invoice'), costAt(m + 1, money(seed, m, j, 1, 1500, 5000, scale), 'CPL invoice (2nd month)')], weight: 3, campaignType: 'Content Syndication' };
      break;
    }
    case 3: {
      const ev = EVENTS[Math.floor(m / 3) % EVENTS.length] as string;
      p = { ...base, topic: ev, name: `Trade Show – ${ev} ${label.slice(-4)}`, description: `Booth at ${ev}; badge scans uploaded after the show`, channel: 'Tradeshow', type: 'Event', activeFrom: ms + 10, activeTo: ms + 16, costs: [costAt(m, money(seed, m, j, 0, 18000, 45000, scale), 'Booth, sponsorship'), costAt(m + 1, money(seed, m, j, 1, 1500, 4000, scale), 'Travel & swag')], weight: 14, campaignType: 'Trade Show' };
      break;
    }
    case 5:
      p = { ...base, name: 'Website – Organic & Direct', description: 'Inbound form fills without a paid source', channel: 'Website', type: 'Default', activeFrom: 0, activeTo: MAX_DAY, costs: [], weight: 4, campaignType: 'Other' };
      break;
    case 6:
      p = { ...base, name: 'Email Nurture – New Leads', description: 'Drip nurture for new leads, 6 steps, every 2 weeks', channel: 'Email Nurture', type: 'Engagement', activeFrom: 0, activeTo: MAX_DAY, costs: [], weight: 0.5, campaignType: 'Email' };
      break;
    default:
      p = { ...base, name: 'Email Nurture – Customer Onboarding', description: 'Onboarding drip for new customers', channel: 'Email Nurture', type: 'Engagement', activeFrom: 0, activeTo: MAX_DAY, costs: [], weight: 0, campaignType: 'Email' };
  }
  const versions = [createdAt, ...p.costs.map((c) => c.enteredAt)];
  if (p.activeTo < MAX_DAY) versions.push(dayStart(p.activeTo + 1) + 8 * HOUR + (hash(seed, 0xe4, m, j) % 3600) * 1000);
  versions.sort((a, b) => a - b);
  return { ...p, versions };
}

/** Programs created on or before day `d`, ascending id (creation order). */
export function programsUpTo(seed: number, scale: number, d: number): Program[] {
  const out: Program[] = [];
  for (let m = 0; programCreateDay(m) <= d; m++) for (let j = 0; j < 8; j++) if (programExists(m, j)) out.push(program(seed, scale, m, j));
  return out;
}

/** Programs that can be a first touch on day d, with their weights. */
export function activePrograms(seed: number, scale: number, d: number): Program[] {
  const m = monthOfDay(d);
  const out: Program[] = [];
  for (let mm = Math.max(0, m - 2); mm <= m; mm++)
    for (let j = 0; j < 8; j++) {
      if (!programExists(mm, j)) continue;
      const p = program(seed, scale, mm, j);
      if (p.weight > 0 && d >= p.activeFrom && d <= p.activeTo) out.push(p);
    }
  return out;
}

/** Cost entries visible at asOf (the program row shows only what was entered by then). */
export function costsAt(p: Program, t: Millis): ProgramCost[] {
  return p.costs.filter((c) => c.enteredAt <= t);
}

export function programStatusAt(p: Program, t: Millis): 'Planned' | 'In Progress' | 'Completed' {
  if (t < dayStart(p.activeFrom)) return 'Planned';
  if (p.activeTo < MAX_DAY && t >= dayStart(p.activeTo + 1)) return 'Completed';
  return 'In Progress';
}

export const CAMPAIGN_TYPE_VALUES = ['Conference', 'Webinar', 'Trade Show', 'Public Relations', 'Partners', 'Referral Program', 'Advertisement', 'Banner Ads', 'Direct Mail', 'Email', 'Telemarketing', 'Content Syndication', 'Other'] as const;

export const LEAD_SOURCE_BY_CHANNEL: Record<Channel, string> = {
  Webinar: 'Webinar',
  'Online Advertising': 'Paid Search',
  'Content Syndication': 'Content Syndication',
  Tradeshow: 'Trade Show',
  'Email Nurture': 'Email',
  Website: 'Web',
};

// ---- users -------------------------------------------------------------

export interface User {
  day: number;
  k: number;
  first: string;
  last: string;
  title: string;
  department: string;
  isRep: boolean;
  createdAt: Millis;
  deactivatedAt: Millis | null;
}

const STAFF: readonly [string, string, string, string][] = [
  ['Integration', 'User', 'System Integration', 'IT'],
  ['Alex', 'Morgan', 'VP Sales', 'Sales'],
  ['Priya', 'Raman', 'Account Executive', 'Sales'],
  ['Jonas', 'Weiß', 'Account Executive', 'Sales'],
  ['Mia', 'Chen', 'Account Executive', 'Sales'],
  ['Diego', 'Álvarez', 'Account Executive', 'Sales'],
  ['Hannah', 'Schmidt', 'SDR', 'Sales'],
  ['Kenji', 'Watanabe', 'SDR', 'Sales'],
  ['Olivia', 'Brown', 'SDR', 'Sales'],
  ['Sam', 'Taylor', 'Account Executive', 'Sales'],
  ['Léa', 'Moreau', 'Account Executive', 'Sales'],
  ['Rachel', 'Green', 'Marketing Ops Manager', 'Marketing'],
  ['Tom', 'Fischer', 'Demand Gen Manager', 'Marketing'],
  ['Nora', 'Lind', 'Content Marketing', 'Marketing'],
  ['Victor', 'Hugo', 'Customer Success Manager', 'Customer Success'],
  ['Amara', 'Okafor', 'Customer Success Manager', 'Customer Success'],
  ['Ben', 'Carter', 'Sales Ops Analyst', 'Sales Operations'],
  ['Ines', 'Duarte', 'Salesforce Admin', 'IT'],
];
const HIRE_EVERY = 45;

export function usersUpTo(d: number): User[] {
  const out: User[] = [];
  STAFF.forEach((_, k) => out.push(user(0, k)!));
  for (let day = HIRE_EVERY; day <= d; day += HIRE_EVERY) out.push(user(day, 0)!);
  return out;
}

export function user(day: number, k: number): User | undefined {
  if (day === 0) {
    const s = STAFF[k];
    if (!s) return undefined;
    return { day, k, first: s[0], last: s[1], title: s[2], department: s[3], isRep: s[3] === 'Sales', createdAt: dayStart(0) + k * MINUTE, deactivatedAt: k === 8 ? dayStart(300) + 17 * HOUR : null };
  }
  if (k !== 0 || day % HIRE_EVERY !== 0) return undefined;
  const n = day / HIRE_EVERY;
  const first = ['Aisha', 'Bruno', 'Clara', 'Dmitri', 'Eva', 'Farid', 'Greta', 'Hiro', 'Ivy', 'Jamal'][n % 10] as string;
  const last = ['Ng', 'Silva', 'Novak', 'Petrov', 'Berg', 'Haddad', 'Olsen', 'Sato', 'Reyes', 'Wood'][(n * 7) % 10] as string;
  return { day, k, first, last: n >= 10 ? `${last}-${n}` : last, title: n % 3 === 0 ? 'SDR' : 'Account Executive', department: 'Sales', isRep: true, createdAt: dayStart(day) + 9 * HOUR, deactivatedAt: null };
}

/** Owner of a record created on day d: an active sales rep, chosen by hash. */
export function ownerOf(h: number, d: number): User {
  const hires = Math.floor(d / HIRE_EVERY);
  const reps = 9 + hires; // STAFF sales reps 1..10 except the deactivated SDR (8)
  let n = h % reps;
  if (n < 9) {
    const k = [1, 2, 3, 4, 5, 6, 7, 9, 10][n] as number;
    return user(0, k)!;
  }
  n -= 9;
  return user((n + 1) * HIRE_EVERY, 0)!;
}

export const INTEGRATION_USER = (): User => user(0, 0)!;

// ---- products --------------------------------------------------------

export interface CatalogCharge {
  productIdx: number;
  planIdx: number;
  chargeIdx: number;
  name: string;
  chargeType: 'Recurring' | 'OneTime';
  chargeModel: 'Per Unit Pricing' | 'Flat Fee Pricing';
  billingPeriod: 'Month' | 'Annual' | null;
  /** Price per unit per month (recurring) or one-off. */
  price: number;
  uom: string | null;
}

export interface CatalogPlan {
  productIdx: number;
  planIdx: number;
  name: string;
  billing: 'Month' | 'Annual';
  charges: CatalogCharge[];
}

export interface CatalogProduct {
  idx: number;
  name: string;
  sku: string;
  category: string;
  description: string;
  plans: CatalogPlan[];
}

export const EDITIONS = [
  { name: 'Starter', price: 19 },
  { name: 'Premium', price: 49 },
  { name: 'Ultimate', price: 99 },
] as const;

/** Price revision: Premium list price goes up on this company day (catalogue rows change). */
export const PRICE_CHANGE_DAY = 400;

export function catalog(): CatalogProduct[] {
  const products: CatalogProduct[] = EDITIONS.map((e, idx) => {
    const plans: CatalogPlan[] = (['Annual', 'Month'] as const).map((billing, planIdx) => {
      const charges: CatalogCharge[] = [
        { productIdx: idx, planIdx, chargeIdx: 0, name: `${e.name} – Per Seat`, chargeType: 'Recurring', chargeModel: 'Per Unit Pricing', billingPeriod: billing, price: e.price, uom: 'Seat' },
      ];
      if (idx > 0 && billing === 'Annual')
        charges.push({ productIdx: idx, planIdx, chargeIdx: 1, name: `${e.name} – Setup Fee`, chargeType: 'OneTime', chargeModel: 'Flat Fee Pricing', billingPeriod: null, price: idx === 1 ? 1500 : 4000, uom: null });
      return { productIdx: idx, planIdx, name: `${e.name} ${billing === 'Annual' ? 'Annual' : 'Monthly'}`, billing, charges };
    });
    return { idx, name: e.name, sku: `SKU-${e.name.toUpperCase()}`, category: 'Base Products', description: `${e.name} edition, billed per seat`, plans };
  });
  products.push({
    idx: 3,
    name: 'Support Plus',
    sku: 'SKU-SUPPORT-PLUS',
    category: 'Add On Services',
    description: '24/7 support with a 1-hour SLA, "named" engineer',
    plans: [{ productIdx: 3, planIdx: 0, name: 'Support Plus Annual', billing: 'Annual', charges: [{ productIdx: 3, planIdx: 0, chargeIdx: 0, name: 'Support Plus – Flat Fee', chargeType: 'Recurring', chargeModel: 'Flat Fee Pricing', billingPeriod: 'Annual', price: 500, uom: null }] }],
  });
  products.push({
    idx: 4,
    name: 'Professional Services',
    sku: 'SKU-PS-ONBOARD',
    category: 'Miscellaneous Products',
    description: 'Onboarding, training, migration',
    plans: [{ productIdx: 4, planIdx: 0, name: 'Onboarding Package', billing: 'Annual', charges: [{ productIdx: 4, planIdx: 0, chargeIdx: 0, name: 'Onboarding – One Time', chargeType: 'OneTime', chargeModel: 'Flat Fee Pricing', billingPeriod: null, price: 5000, uom: null }] }],
  });
  return products;
}

/** Seat price of an edition at time t (Premium went up on PRICE_CHANGE_DAY). */
export function seatPrice(edition: number, t: Millis): number {
  const base = EDITIONS[edition]?.price ?? 49;
  return edition === 1 && t >= dayStart(PRICE_CHANGE_DAY) ? 55 : base;
}

export const PRICE_CHANGE_AT: Millis = dayStart(PRICE_CHANGE_DAY) + 6 * HOUR;

// ---- activity types -------------------------------------------------

export interface ActivityType {
  id: number;
  name: string;
  description: string;
  primaryAttribute: { name: string; dataType: string } | null;
  attributes: { name: string; dataType: string }[];
}

export const ACTIVITY_TYPES: readonly ActivityType[] = [
  { id: 1, name: 'Visit Webpage', description: 'User visits a web page', primaryAttribute: { name: 'Webpage ID', dataType: 'integer' }, attributes: [{ name: 'Client IP Address', dataType: 'string' }, { name: 'Query Parameters', dataType: 'string' }, { name: 'Referrer URL', dataType: 'string' }, { name: 'User Agent', dataType: 'string' }, { name: 'Webpage URL', dataType: 'string' }] },
  { id: 2, name: 'Fill Out Form', description: 'User fills out and submits form on web page', primaryAttribute: { name: 'Webform ID', dataType: 'integer' }, attributes: [{ name: 'Client IP Address', dataType: 'string' }, { name: 'Form Fields', dataType: 'text' }, { name: 'Query Parameters', dataType: 'string' }, { name: 'Referrer URL', dataType: 'string' }, { name: 'User Agent', dataType: 'string' }, { name: 'Webpage ID', dataType: 'integer' }] },
  { id: 3, name: 'Click Link', description: 'User clicks link on a page', primaryAttribute: { name: 'Link ID', dataType: 'integer' }, attributes: [{ name: 'Client IP Address', dataType: 'string' }, { name: 'Query Parameters', dataType: 'string' }, { name: 'Referrer URL', dataType: 'string' }, { name: 'Webpage ID', dataType: 'integer' }] },
  { id: 6, name: 'Send Email', description: 'Send Marketo Email to a person', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Campaign Run ID', dataType: 'integer' }, { name: 'Choice Number', dataType: 'integer' }, { name: 'Has Predictive', dataType: 'boolean' }, { name: 'Step ID', dataType: 'integer' }, { name: 'Test Variant', dataType: 'integer' }] },
  { id: 7, name: 'Email Delivered', description: 'Marketo Email is delivered to a person', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Campaign Run ID', dataType: 'integer' }, { name: 'Choice Number', dataType: 'integer' }, { name: 'Has Predictive', dataType: 'boolean' }, { name: 'Step ID', dataType: 'integer' }, { name: 'Test Variant', dataType: 'integer' }] },
  { id: 8, name: 'Email Bounced', description: 'Marketo Email bounces for a person', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Category', dataType: 'string' }, { name: 'Details', dataType: 'string' }, { name: 'Email', dataType: 'email' }, { name: 'Subcategory', dataType: 'string' }] },
  { id: 9, name: 'Unsubscribe Email', description: 'Person unsubscribes from Marketo Emails', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Client IP Address', dataType: 'string' }, { name: 'Form Fields', dataType: 'text' }, { name: 'User Agent', dataType: 'string' }] },
  { id: 10, name: 'Open Email', description: 'User opens Marketo Email', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Device', dataType: 'string' }, { name: 'Is Mobile Device', dataType: 'boolean' }, { name: 'Platform', dataType: 'string' }, { name: 'User Agent', dataType: 'string' }, { name: 'Is Bot Activity', dataType: 'boolean' }] },
  { id: 11, name: 'Click Email', description: 'User clicks on a link in a Marketo Email', primaryAttribute: { name: 'Mailing ID', dataType: 'integer' }, attributes: [{ name: 'Device', dataType: 'string' }, { name: 'Is Mobile Device', dataType: 'boolean' }, { name: 'Link', dataType: 'string' }, { name: 'Platform', dataType: 'string' }, { name: 'User Agent', dataType: 'string' }] },
  { id: 12, name: 'New Lead', description: 'New person/record is added to the lead database', primaryAttribute: null, attributes: [{ name: 'Created Date', dataType: 'date' }, { name: 'Form Name', dataType: 'string' }, { name: 'Lead Source', dataType: 'string' }, { name: 'List Name', dataType: 'string' }, { name: 'SFDC Type', dataType: 'string' }, { name: 'Source Type', dataType: 'string' }] },
  { id: 13, name: 'Change Data Value', description: 'Changed attribute value for a person', primaryAttribute: { name: 'Attribute Name', dataType: 'integer' }, attributes: [{ name: 'New Value', dataType: 'string' }, { name: 'Old Value', dataType: 'string' }, { name: 'Reason', dataType: 'string' }, { name: 'Source', dataType: 'string' }] },
  { id: 19, name: 'Sync Lead to SFDC', description: 'Person is synced to SFDC', primaryAttribute: null, attributes: [{ name: 'Assign To', dataType: 'string' }] },
  { id: 22, name: 'Change Score', description: 'Changed score value for a person', primaryAttribute: { name: 'Score Name', dataType: 'integer' }, attributes: [{ name: 'Change Value', dataType: 'string' }, { name: 'New Value', dataType: 'integer' }, { name: 'Old Value', dataType: 'integer' }, { name: 'Reason', dataType: 'string' }] },
  { id: 24, name: 'Add to List', description: 'Person is added to a list', primaryAttribute: { name: 'List ID', dataType: 'integer' }, attributes: [{ name: 'Source', dataType: 'string' }] },
  { id: 32, name: 'Merge Leads', description: 'Merge people', primaryAttribute: { name: 'Lead ID', dataType: 'integer' }, attributes: [{ name: 'Master Updated', dataType: 'boolean' }, { name: 'Merge IDs', dataType: 'string' }, { name: 'Merge Source', dataType: 'string' }, { name: 'Merged in Sales', dataType: 'boolean' }] },
  { id: 34, name: 'Add to Opportunity', description: 'Add to a Salesforce opportunity', primaryAttribute: { name: 'Opportunity ID', dataType: 'integer' }, attributes: [{ name: 'Is Primary', dataType: 'boolean' }, { name: 'Role', dataType: 'string' }] },
  { id: 37, name: 'Delete Lead', description: 'Person is deleted', primaryAttribute: { name: 'Lead ID', dataType: 'integer' }, attributes: [{ name: 'Remove from CRM', dataType: 'boolean' }] },
  { id: 46, name: 'Interesting Moment', description: 'Interesting moment for a person', primaryAttribute: null, attributes: [{ name: 'Date', dataType: 'datetime' }, { name: 'Description', dataType: 'string' }, { name: 'Source', dataType: 'string' }] },
  { id: 104, name: 'Change Status in Progression', description: 'Change a program member status', primaryAttribute: { name: 'Program ID', dataType: 'integer' }, attributes: [{ name: 'Acquired By', dataType: 'boolean' }, { name: 'New Status ID', dataType: 'integer' }, { name: 'Old Status ID', dataType: 'integer' }, { name: 'Program Member ID', dataType: 'integer' }, { name: 'Reason', dataType: 'string' }, { name: 'Success', dataType: 'boolean' }, { name: 'Success Date', dataType: 'datetime' }] },
  { id: 110, name: 'Change Nurture Track', description: 'Change nurture track for a person', primaryAttribute: { name: 'Program ID', dataType: 'integer' }, attributes: [{ name: 'New Track ID', dataType: 'integer' }, { name: 'Previous Track ID', dataType: 'integer' }, { name: 'Track Name', dataType: 'string' }] },
  { id: 100001, name: 'Download Collateral', description: 'Custom activity: gated asset downloaded', primaryAttribute: { name: 'Asset Name', dataType: 'string' }, attributes: [{ name: 'Asset Type', dataType: 'string' }, { name: 'Document ID', dataType: 'string' }, { name: 'File Size (KB)', dataType: 'integer' }] },
];

export const ACTIVITY_TYPES_CREATED: Millis = dayStart(0);

export { DAY };
