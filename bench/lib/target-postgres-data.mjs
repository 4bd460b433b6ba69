// Deterministic input for bench/target-postgres.mjs: Salesforce-Opportunity-like records, a
// 100-column "wide" stream, and the writer that puts the same rows into a Singer file and into
// Postgres text-format COPY files (one per stream) in one pass.
import { closeSync, openSync, writeSync } from 'node:fs';

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n, width) {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** An 18-character Salesforce id: key prefix, pod and era ("5e00000"), then 8 base-62 characters. */
export const sfId = (prefix, n) => `${prefix}5e00000${base62(n, 8)}`;

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const nullable = (rand, value, p = 0.2) => (rand() < p ? null : value);
const cents = (rand, max) => Math.round(rand() * max * 100) / 100;
const EPOCH_2019 = Date.UTC(2019, 0, 1);
const FIVE_YEARS_MS = 5 * 365 * 86_400_000;

// Text as CRMs hold it: quotes, apostrophes, tabs, newlines (LF and CRLF), backslashes (Windows
// paths, literal "\n"), accented Latin, CJK, emoji (astral plane), JSON and HTML fragments.
const DESCRIPTION_PARTS = [
  'Customer asked for a "volume discount" on the second year.',
  "Renewal at risk: the champion left; the new VP's priorities differ.",
  'Proposal saved to C:\\Deals\\2024\\Q3\\proposal_v2.docx',
  'Line items:\tlicenses\tservices\tsupport',
  'Call notes:\nPricing OK\r\nLegal review pending\nSend MSA redlines',
  'Übergrößenträger café naïve façade — déjà vu',
  '日本語の説明: 見積もりを送付済み。来週フォローアップ。',
  'Emoji check 🚀🔥👍 and symbols ™ © ≥ ∑ €',
  'A literal backslash-n: \\n is not a newline, nor is \\t a tab',
  'Pasted {"seats": [10, 20], "tier": "gold"} and <b>bold</b> &amp; entities',
  'Plain follow-up call scheduled with procurement.',
  'Ends with a backslash \\',
  "O'Brien & Sons (EMEA) – Ltd.",
  'Кириллица: договор на подписании',
];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Soylent', 'Tyrell', 'Cyberdyne', 'Müller GmbH', 'Société Générale', '株式会社サンプル'];
const PRODUCTS = ['Platform', 'Analytics Add-on', 'Enterprise Suite', 'Support Plus', 'Data Cloud', 'Seats Expansion'];
const STAGES = [
  ['Prospecting', 10, 'Pipeline', false, false],
  ['Qualification', 20, 'Pipeline', false, false],
  ['Needs Analysis', 30, 'Pipeline', false, false],
  ['Value Proposition', 50, 'BestCase', false, false],
  ['Proposal/Price Quote', 75, 'BestCase', false, false],
  ['Negotiation/Review', 90, 'Commit', false, false],
  ['Closed Won', 100, 'Closed', true, true],
  ['Closed Lost', 0, 'Omitted', true, false],
];
const TYPES = ['New Customer', 'Existing Customer - Upgrade', 'Existing Customer - Renewal', 'Existing Customer - Downgrade'];
const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Trade Show', 'Word of mouth', 'Other'];
const NEXT_STEPS = ['Send proposal', 'Schedule demo', 'Legal review', 'Security questionnaire', 'Exec sponsor call', 'Wait for PO'];

const str = { type: ['null', 'string'] };
const num = { type: ['null', 'number'] };
const int = { type: ['null', 'integer'] };
const bool = { type: ['null', 'boolean'] };
const date = { type: ['null', 'string'], format: 'date' };
const dateTime = { type: ['null', 'string'], format: 'date-time' };

/** 27 properties, as the Salesforce tap describes an Opportunity. */
export const OPPORTUNITY_SCHEMA = {
  type: 'object',
  properties: {
    Id: { type: 'string' },
    AccountId: str,
    OwnerId: str,
    CampaignId: str,
    Name: str,
    StageName: str,
    Amount: num,
    Probability: num,
    ExpectedRevenue: num,
    TotalOpportunityQuantity: num,
    CloseDate: date,
    Type: str,
    LeadSource: str,
    NextStep: str,
    Description: str,
    ForecastCategory: str,
    IsClosed: bool,
    IsWon: bool,
    FiscalQuarter: int,
    FiscalYear: int,
    Fiscal: str,
    CreatedDate: dateTime,
    LastModifiedDate: dateTime,
    SystemModstamp: dateTime,
    IACV__c: num,
    Discount_Percent__c: num,
    Renewal_Date__c: date,
  },
};

/** Record number `n` (unique Id per n) drawn from `rand`; about 20% of the nullable values are null. */
export function opportunity(n, rand) {
  const [stage, probability, forecast, isClosed, isWon] = pick(rand, STAGES);
  const created = EPOCH_2019 + Math.floor(rand() * FIVE_YEARS_MS);
  const modified = created + Math.floor(rand() * 90 * 86_400_000);
  const close = new Date(created + Math.floor(rand() * 180 * 86_400_000));
  const amount = nullable(rand, cents(rand, 500_000));
  const quarter = Math.floor(close.getUTCMonth() / 3) + 1;
  const parts = 1 + Math.floor(rand() * 4);
  let description = '';
  for (let p = 0; p < parts; p++) description += (p === 0 ? '' : rand() < 0.5 ? ' ' : '\n') + pick(rand, DESCRIPTION_PARTS);
  const closeDate = close.toISOString().slice(0, 10);
  const modifiedIso = new Date(modified).toISOString();
  return {
    Id: sfId('006', n),
    AccountId: sfId('001', Math.floor(rand() * 200_000)),
    OwnerId: sfId('005', Math.floor(rand() * 500)),
    CampaignId: nullable(rand, sfId('701', Math.floor(rand() * 2_000)), 0.5),
    Name: `${pick(rand, COMPANIES)} - ${pick(rand, PRODUCTS)} #${n}`,
    StageName: stage,
    Amount: amount,
    Probability: probability,
    ExpectedRevenue: amount === null ? null : Math.round(amount * probability) / 100,
    TotalOpportunityQuantity: nullable(rand, 1 + Math.floor(rand() * 500)),
    CloseDate: closeDate,
    Type: nullable(rand, pick(rand, TYPES)),
    LeadSource: nullable(rand, pick(rand, LEAD_SOURCES)),
    NextStep: nullable(rand, pick(rand, NEXT_STEPS), 0.4),
    Description: nullable(rand, description, 0.3),
    ForecastCategory: forecast,
    IsClosed: isClosed,
    IsWon: isWon,
    FiscalQuarter: quarter,
    FiscalYear: close.getUTCFullYear(),
    Fiscal: `${close.getUTCFullYear()} ${quarter}`,
    CreatedDate: new Date(created).toISOString(),
    LastModifiedDate: modifiedIso,
    SystemModstamp: modifiedIso,
    IACV__c: nullable(rand, cents(rand, 250_000), 0.35),
    Discount_Percent__c: nullable(rand, Math.round(rand() * 4000) / 100),
    Renewal_Date__c: nullable(rand, closeDate, 0.4),
  };
}

/** 100 properties: an id, then 99 columns cycling through text, integer, number, boolean, date-time, date, short text, object. */
const WIDE_KINDS = ['text', 'integer', 'number', 'boolean', 'date-time', 'date', 'code', 'object'];
export const WIDE_SCHEMA = (() => {
  const properties = { id: { type: 'string' } };
  for (let c = 1; c < 100; c++) {
    const kind = WIDE_KINDS[(c - 1) % WIDE_KINDS.length];
    properties[`col_${String(c).padStart(2, '0')}_${kind.replace('-', '_')}`] =
      kind === 'integer' ? int : kind === 'number' ? num : kind === 'boolean' ? bool : kind === 'date-time' ? dateTime : kind === 'date' ? date : kind === 'object' ? { type: ['null', 'object'] } : str;
  }
  return { type: 'object', properties };
})();
const WIDE_NAMES = Object.keys(WIDE_SCHEMA.properties);

export function wideRow(n, rand) {
  const record = { id: sfId('a0X', n) };
  for (let c = 1; c < WIDE_NAMES.length; c++) {
    const kind = WIDE_KINDS[(c - 1) % WIDE_KINDS.length];
    let value;
    if (rand() < 0.2) value = null;
    else if (kind === 'text') value = rand() < 0.1 ? pick(rand, DESCRIPTION_PARTS) : `${pick(rand, COMPANIES)} ${pick(rand, PRODUCTS)}`;
    else if (kind === 'integer') value = Math.floor(rand() * 10_000_000) - 1_000_000;
    else if (kind === 'number') value = cents(rand, 1_000_000);
    else if (kind === 'boolean') value = rand() < 0.5;
    else if (kind === 'date-time') value = new Date(EPOCH_2019 + Math.floor(rand() * FIVE_YEARS_MS)).toISOString();
    else if (kind === 'date') value = new Date(EPOCH_2019 + Math.floor(rand() * FIVE_YEARS_MS)).toISOString().slice(0, 10);
    else if (kind === 'code') value = pick(rand, LEAD_SOURCES);
    else value = { tier: pick(rand, ['gold', 'silver', 'bronze']), seats: Math.floor(rand() * 500), tags: [pick(rand, PRODUCTS)] };
    record[WIDE_NAMES[c]] = value;
  }
  return record;
}

/** Buffered, synchronous file writer: a few MB per write call. */
class FileWriter {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.parts = [];
    this.length = 0;
    this.bytes = 0;
  }
  write(text) {
    this.parts.push(text);
    this.length += text.length;
    if (this.length >= 1 << 21) this.flush();
  }
  flush() {
    if (this.parts.length === 0) return;
    const buffer = Buffer.from(this.parts.join(''), 'utf8');
    writeSync(this.fd, buffer);
    this.bytes += buffer.length;
    this.parts = [];
    this.length = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
    return this.bytes;
  }
}

const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** A value in Postgres text COPY format, written independently of the target's encoder. */
function copyValue(value) {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return JSON.stringify(value).replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]);
}

/**
 * Writes `total` records to one Singer file (a SCHEMA per stream, RECORDs with time_extracted,
 * a STATE every `stateEvery` records) and the same rows to one COPY file per stream. Record i
 * goes to stream `i % streams.length` (round robin: the interleaving a multi-stream tap
 * produces when it fetches pages from every stream in turn).
 *
 * Each COPY row holds the stream's properties in order, then, when `metadata` is set, the
 * values target-postgres sends for `_sdc_extracted_at, _sdc_received_at, _sdc_deleted_at,
 * _sdc_sequence, _sdc_table_version`, so that the baseline writes rows as wide as the target's.
 */
export function writeInputs({ streams, total, singerPath, copyPaths, metadata, stateEvery = 10_000, seed = 42 }) {
  const rand = prng(seed);
  const singer = new FileWriter(singerPath);
  const copies = copyPaths.map((path) => new FileWriter(path));
  const names = streams.map((s) => Object.keys(s.schema.properties));
  const receivedAt = '2026-01-01T00:00:00.000Z';
  for (const s of streams) singer.write(JSON.stringify({ type: 'SCHEMA', stream: s.stream, schema: s.schema, key_properties: s.keyProperties }) + '\n');
  const bookmarks = {};
  for (let i = 0; i < total; i++) {
    const which = i % streams.length;
    const s = streams[which];
    const record = s.row(i, rand);
    const extracted = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / stateEvery) * 1000).toISOString();
    singer.write(`{"type":"RECORD","stream":${JSON.stringify(s.stream)},"record":${JSON.stringify(record)},"time_extracted":"${extracted}"}\n`);
    let line = '';
    for (const name of names[which]) line += copyValue(record[name]) + '\t';
    line = metadata ? `${line}${extracted}\t${receivedAt}\t\\N\t${i + 1}\t\\N\n` : `${line.slice(0, -1)}\n`;
    copies[which].write(line);
    bookmarks[s.stream] = { replication_key: 'SystemModstamp', replication_key_value: record.SystemModstamp ?? extracted };
    if ((i + 1) % stateEvery === 0) singer.write(JSON.stringify({ type: 'STATE', value: { bookmarks, records: i + 1 } }) + '\n');
  }
  if (total % stateEvery !== 0) singer.write(JSON.stringify({ type: 'STATE', value: { bookmarks, records: total } }) + '\n');
  return { singerBytes: singer.close(), copyBytes: copies.reduce((sum, c) => sum + c.close(), 0) };
}

/** The metadata columns the COPY rows carry when `metadata` is set, in order. */
export const COPY_METADATA_COLUMNS = ['_sdc_extracted_at', '_sdc_received_at', '_sdc_deleted_at', '_sdc_sequence', '_sdc_table_version'];
