/**
 * The contract between the synthetic company and the three servers.
 *
 * The company is a pure function of (seed, scale, time): nothing is held in
 * memory per record, so a table of millions of rows is produced while it is
 * read. The servers add wire formats, paging and faults; they never invent data.
 */

/** Epoch milliseconds (UTC). Every datetime value in a Row is one of these. */
export type Millis = number;

export type SystemName = 'salesforce' | 'zuora' | 'marketo';

/**
 * A field in the vocabulary of its own system, so that each server can build
 * its describe output without a translation table:
 * - Salesforce: describe `type` (id, string, picklist, multipicklist, textarea, boolean, int, double,
 *   currency, percent, date, datetime, time, email, phone, url, reference, address, location, base64, anyType)
 * - Zuora: describe `type` (text, boolean, date, datetime, decimal, integer, picklist, timestamp)
 * - Marketo: `dataType` (string, email, reference, url, phone, text, textarea, datetime, date, integer,
 *   float, currency, percent, score, boolean)
 */
export interface FieldDef {
  name: string;
  type: string;
  label: string;
  nillable?: boolean;
  length?: number;
  precision?: number;
  scale?: number;
  picklistValues?: readonly string[];
  /** Salesforce: `__c` fields. */
  custom?: boolean;
  /** Salesforce: formula field, with its formula. */
  calculated?: boolean;
  calculatedFormula?: string;
  /** Salesforce: set on the components of an address/location compound (BillingStreet → BillingAddress). */
  compoundFieldName?: string;
  /** Salesforce: lookup target(s) and the relationship name (AccountId → Account). */
  referenceTo?: readonly string[];
  relationshipName?: string;
  /** Zuora: describe contexts; only `export` fields can be exported. Default ['export', 'soap']. */
  contexts?: readonly string[];
  /** Marketo: REST name; `null` means the field has only a SOAP name and cannot be read over REST or bulk. */
  restName?: string | null;
  soapName?: string;
}

/**
 * One record. Keys are field names; datetime fields hold Millis, date fields
 * `YYYY-MM-DD` strings, time fields `HH:MM:SS.sssZ`, numbers and booleans
 * are JS values, absent values are `null`. Compound fields (Salesforce
 * address/location) are not stored: their components are, and the server
 * composes them. Marketo activity `attributes` is an array of {name, value}.
 */
export type Row = Record<string, unknown>;

/** Marks a row that has been deleted (Salesforce IsDeleted, Zuora Deleted, Marketo deleted lead). */
export const DELETED: unique symbol = Symbol.for('bizops.simulators.deleted');
export type ScannedRow = Row & { [DELETED]?: true };

export interface ScanOptions {
  /** The simulated present: nothing created or changed after it exists yet. */
  asOf: Millis;
  /** Inclusive lower bound on the table's replication key. */
  from?: Millis;
  /** Exclusive upper bound on the table's replication key. */
  to?: Millis;
  /** Include deleted rows (marked with DELETED, and IsDeleted=true on Salesforce tables). */
  includeDeleted?: boolean;
  /**
   * 'replicationKey' (default): ascending (replicationKey, key), `from`/`to` apply.
   * 'key': ascending key (creation order), `afterKey` applies; `from`/`to` still filter.
   */
  order?: 'replicationKey' | 'key';
  /** With order 'key': only keys strictly greater than this one. */
  afterKey?: string | number;
  /**
   * With order 'replicationKey': only rows strictly after this (replicationKey, key)
   * position, i.e. resume a scan where a page ended, even inside thousands of rows
   * sharing one replication-key value (the generator seeks instead of skipping).
   */
  after?: { replicationKey: Millis; key: string | number };
}

export interface Table {
  system: SystemName;
  /** Object name as the system spells it: `Opportunity`, `RatePlanCharge`, `leads`, `activities`. */
  name: string;
  label: string;
  fields: readonly FieldDef[];
  /** Primary key field: `Id`, `id`, `marketoGUID`. */
  key: string;
  /** Field that moves when a row changes (SystemModstamp, UpdatedDate, updatedAt, activityDate); null: none. */
  replicationKey: string | null;
  /** Field holding the creation time (CreatedDate, CreatedDate, createdAt), when there is one. */
  createdKey: string | null;
  /** Whether rows of this table are ever deleted. */
  deletes: boolean;
  /**
   * Rows visible at `asOf`, one version per key (the latest at `asOf`),
   * ascending by (replicationKey, key); by key alone when replicationKey is
   * null. Lazy: a caller that stops iterating stops the generation.
   */
  scan(options: ScanOptions): Iterable<ScannedRow>;
  /** Number of rows `scan(options)` would yield. */
  count(options: ScanOptions): number;
  /** One row by key as it is at `asOf` (deleted rows only with includeDeleted), without scanning. */
  get(key: string | number, options: { asOf: Millis; includeDeleted?: boolean }): ScannedRow | undefined;
}

/** The ground truth the metrics package is tested against, computed without SQL. */
export interface CampaignTruth {
  /** Marketo program id and the Salesforce Campaign Id it is synced to. */
  programId: number;
  campaignId: string;
  name: string;
  channel: string;
  /** Marketo program period costs whose startDate lies in the period. */
  spend: number;
  /** People whose first touch (Marketo acquisition program) is this program and who were created in the period. */
  leads: number;
  /** Of those leads, the ones whose account later closed won (at asOf). */
  customers: number;
  /** Sum of IACV__c of closed-won opportunities of those customers' accounts, first-touch attributed. */
  iacv: number;
}

export interface GroundTruth {
  from: Millis;
  to: Millis;
  asOf: Millis;
  attribution: 'first-touch';
  campaigns: CampaignTruth[];
  totals: { spend: number; leads: number; customers: number; iacv: number };
}

export interface CompanyOptions {
  /** Default 1. */
  seed?: number;
  /** Size knob, linear: 0.002 → about 1,000 rows in all; 0.01 → 2,000; 0.1 → 15,000; 1 (default) → 147,000 (CampaignMember and Task > 10,000 each); 100 → millions. */
  scale?: number;
}

export interface Company {
  seed: number;
  scale: number;
  /** First instant of the company's history (two years before initialAsOf). */
  start: Millis;
  /** Default simulated present when a simulator starts. */
  initialAsOf: Millis;
  tables(system: SystemName): readonly Table[];
  table(system: SystemName, name: string): Table | undefined;
  groundTruth(options: { asOf: Millis; from: Millis; to: Millis }): GroundTruth;
}
