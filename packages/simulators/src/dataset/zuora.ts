/**
 * Zuora objects. Every closed-won new-business deal becomes a customer; its
 * subscription changes at fixed offsets from the close (upsell, yearly
 * renewals, cancellation), and invoices, payments, credit-balance adjustments
 * and refunds follow at fixed lags from those. Everything is listed from
 * `World.customersClosedOn(day)`.
 */
import { EDITIONS, PRICE_CHANGE_AT, catalog, ownerOf } from './catalog.js';
import type { CatalogCharge, CatalogPlan, CatalogProduct } from './catalog.js';
import { DAY, HOUR, MAX_DAY, START, addMonths, dayStart, isoDate } from './calendar.js';
import { DayCache, makeTable } from './engine.js';
import type { Rec, Spec } from './engine.js';
import { derived, rec } from './derive.js';
import { zu, zuRef, zuSystem } from './fields.js';
import { pack, unpack, zCounter, zId } from './ids.js';
import { persona } from './persona.js';
import { hash, tag } from './rng.js';
import { accountId as sfAccountId, extraContacts, nbOpportunityId } from './salesforce.js';
import type { FieldDef, Millis, Row, Table } from './types.js';
import { UPSELL_CLOSE } from './world.js';
import type { Deal, SubEvent, World } from './world.js';

const CODE = {
  Account: 1, Contact: 2, Subscription: 3, RatePlan: 4, RatePlanCharge: 5, Amendment: 6, Product: 7, ProductRatePlan: 8,
  ProductRatePlanCharge: 9, Invoice: 10, InvoiceItem: 11, Payment: 12, CreditBalanceAdjustment: 13, RefundInvoicePayment: 14,
} as const;
type ZName = keyof typeof CODE;

/** Days from invoice to payment. */
export const PAY_LAGS = [0, 3, 10, 30] as const;
export const REFUND_LAG = 14;
const MONTH_DAYS = 30;
const T = { z: tag('zuora'), pay: tag('pay') };
const API_USER = '2c92c0f8000000000000000000000001';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const money = (n: number): number => Math.round(n * 100) / 100;

interface Cust {
  X: number;
  q: number;
  deal: Deal;
  events: SubEvent[];
}

function zspec<X>(name: ZName, label: string, fields: FieldDef[], s: Pick<Spec<X>, 'offsets' | 'build'> & { list?: (day: number) => Rec<X>[]; all?: () => Rec<X>[]; deletes?: boolean; sorted?: boolean }): Table {
  const code = CODE[name];
  const base = {
    system: 'zuora' as const, name, label, fields, key: 'Id', replicationKey: 'UpdatedDate', createdKey: 'CreatedDate', deletes: s.deletes ?? false,
    offsets: s.offsets, keyOf: (c: number) => zId(code, c), counterOf: (k: string | number) => zCounter(code, k), build: s.build,
  };
  if (s.all) {
    const all = s.all;
    let memo: Rec<X>[] | undefined;
    const allMemo = (): Rec<X>[] => (memo ??= all());
    return makeTable<X>({ ...base, all: allMemo, createdOn: (d) => allMemo().filter((r) => Math.floor(r.c / 2 ** 40) === d), byCounter: (c) => allMemo().find((r) => r.c === c) });
  }
  return makeTable<X>(derived<X>({ ...base, list: s.list!, sorted: s.sorted ?? false }));
}

const audit = (r: Rec<unknown>, t: Millis): Row => ({ CreatedById: API_USER, CreatedDate: r.created, UpdatedById: API_USER, UpdatedDate: t });

export function zuoraTables(w: World): Table[] {
  // weighed by customers, not days: a day holds more of them as the scale grows
  const custCache = new DayCache<Cust[]>(5_000, (list) => list.length + 1);
  const custOn = (X: number): Cust[] =>
    X < 0
      ? []
      : custCache.get(X, (day) =>
          w.customersClosedOn(day).map((c, q) => {
            const deal = w.deal(c.d, c.i, c.a);
            return { X: day, q, deal, events: w.events(deal) };
          }),
        );
  const cat = catalog();

  const zAccountId = (cu: Cust): string => zId(CODE.Account, pack(cu.X, 0, cu.q, 0));
  const subC = (cu: Cust, ev: SubEvent): number => pack(cu.X + ev.off, ev.code, cu.q, 0);
  const subId = (cu: Cust, ev: SubEvent): string => zId(CODE.Subscription, subC(cu, ev));
  const subNumber = (cu: Cust): string => `A-S${pad(cu.X, 5)}${pad(cu.q, 4)}`;
  const planOf = (deal: Deal): CatalogPlan => cat[deal.edition]!.plans[deal.monthly ? 1 : 0]!;
  const prpcC = (ch: CatalogCharge): number => pack(0, 0, ch.productIdx * 64 + ch.planIdx * 4 + ch.chargeIdx, 0);
  const prpC = (pl: CatalogPlan): number => pack(0, 0, pl.productIdx * 16 + pl.planIdx, 0);
  const termStart = (cu: Cust, ev: SubEvent): number => (ev.kind === 'Renewal' ? cu.X + ev.off : ev.kind === 'Cancellation' ? cu.X + ev.off + 30 - 365 : cu.X);
  const closeDate = (cu: Cust): string => isoDate(dayStart(cu.X));
  /** Charges in force after an event: [plan slot j, charge slot k, catalogue charge, quantity, unit price]. */
  function charges(cu: Cust, ev: SubEvent): [number, number, CatalogCharge, number, number][] {
    const { deal } = cu;
    const t = w.terms(deal, ev);
    const plan = planOf(deal);
    const out: [number, number, CatalogCharge, number, number][] = [[0, 0, plan.charges[0]!, t.seats, t.price]];
    if (ev.code === 0 && deal.setupFee > 0) out.push([0, 1, plan.charges[1]!, 1, deal.setupFee]);
    if (deal.support) out.push([1, 0, cat[3]!.plans[0]!.charges[0]!, 1, 500]);
    return out;
  }
  const mrrOf = (ch: CatalogCharge, qty: number, price: number): number => (ch.chargeType === 'Recurring' ? money(qty * price) : 0);

  // ---- Account -------------------------------------------------------------
  interface AcctX extends Cust {
    paidAt: Millis;
    canceledAt: Millis | null;
  }
  const acctOffsets = [0, 3];
  for (let k = 1; k * 365 <= MAX_DAY; k++) acctOffsets.push(365 * k);
  const Account = zspec<AcctX>('Account', 'Account', [
    ...zuSystem(), zu('AccountNumber', 'text'), zu('Name', 'text'), zu('Status', 'picklist', { picklistValues: ['Active', 'Canceled', 'Draft'] }), zu('Currency', 'picklist', { picklistValues: ['USD', 'EUR', 'JPY', 'GBP'] }),
    zu('Balance', 'decimal'), zu('CreditBalance', 'decimal'), zu('TotalInvoiceBalance', 'decimal'), zu('LastInvoiceDate', 'date'), zu('BillCycleDay', 'integer'), zu('PaymentTerm', 'text'),
    zu('AutoPay', 'boolean'), zu('CrmId', 'text'), zuRef('BillToId', 'Contact'), zuRef('SoldToId', 'Contact'), zuRef('ParentId', 'Account'), zu('Batch', 'picklist', { picklistValues: ['Batch1', 'Batch2', 'Batch3'] }),
    zu('InvoiceDeliveryPrefsEmail', 'boolean'), zu('InvoiceDeliveryPrefsPrint', 'boolean'), zu('SalesRepName', 'text'), zu('Notes', 'text', { contexts: ['soap'] }),
    zu('Segment__c', 'picklist', { picklistValues: ['SMB', 'Mid-Market', 'Enterprise'] }), zu('Region__c', 'text'),
  ], {
    offsets: acctOffsets,
    list(X) {
      return custOn(X).map((cu) => {
        const created = w.eventTime(cu.deal, cu.events[0]!) - 60_000;
        const paidAt = dayStart(X + 3) + 7 * HOUR + (hash(w.seed, T.z, X, cu.q) % HOUR);
        const cancel = cu.events.find((e) => e.kind === 'Cancellation');
        const canceledAt = cancel ? dayStart(X + cancel.off + 30) + 1 * HOUR : null;
        return rec(pack(X, 0, cu.q, 0), created, [paidAt, canceledAt], null, { ...cu, paidAt, canceledAt });
      });
    },
    sorted: true,
    build(r, t) {
      const x = r.x;
      const p = persona(w, x.deal.d, x.deal.i);
      const paid = t >= x.paidAt;
      const first = x.deal.mrr * (x.deal.monthly ? 1 : 12) + x.deal.setupFee;
      const hasSoldTo = hash(w.seed, T.z + 1, x.X, x.q) % 10 < 3;
      return Object.assign({
        Id: zAccountId(x), AccountNumber: `A${pad(x.X, 5)}${pad(x.q, 5)}`, Name: p.company.name, Status: x.canceledAt !== null && t >= x.canceledAt ? 'Canceled' : 'Active',
        Currency: p.place.countryCode === 'JP' ? 'JPY' : p.place.region === 'EMEA' ? 'EUR' : 'USD', Balance: paid ? 0 : first, CreditBalance: 0, TotalInvoiceBalance: paid ? 0 : first,
        LastInvoiceDate: closeDate(x), BillCycleDay: Number(closeDate(x).slice(8, 10)), PaymentTerm: 'Net 30', AutoPay: x.deal.monthly, CrmId: sfAccountId(x.deal),
        BillToId: zId(CODE.Contact, pack(x.X, 0, x.q, 0)), SoldToId: zId(CODE.Contact, pack(x.X, 0, x.q, hasSoldTo ? 1 : 0)), ParentId: null, Batch: `Batch${1 + (x.q % 3)}`,
        InvoiceDeliveryPrefsEmail: true, InvoiceDeliveryPrefsPrint: false, SalesRepName: (() => { const o = ownerOf(hash(w.seed, tag('sf-misc') + 1, x.deal.d, x.deal.i), x.deal.d); return `${o.first} ${o.last}`; })(),
        Notes: `Converted from opportunity ${nbOpportunityId(x.deal)}`, Segment__c: x.deal.seats >= 200 ? 'Enterprise' : x.deal.seats >= 50 ? 'Mid-Market' : 'SMB', Region__c: p.place.region,
      }, audit(r, t));
    },
  });

  // ---- Contact -------------------------------------------------------------
  interface ContactX extends Cust {
    j: number;
  }
  const Contact = zspec<ContactX>('Contact', 'Contact', [
    ...zuSystem(), zuRef('AccountId', 'Account'), zu('FirstName', 'text'), zu('LastName', 'text'), zu('NickName', 'text'), zu('WorkEmail', 'text'), zu('PersonalEmail', 'text'), zu('WorkPhone', 'text'),
    zu('Address1', 'text'), zu('Address2', 'text'), zu('City', 'text'), zu('State', 'text'), zu('PostalCode', 'text'), zu('Country', 'text'), zu('County', 'text'), zu('TaxRegion', 'text'), zu('Description', 'text'),
  ], {
    offsets: [0, 60],
    deletes: true,
    list(X) {
      const out: Rec<ContactX>[] = [];
      for (const cu of custOn(X)) {
        const created = w.eventTime(cu.deal, cu.events[0]!) - 50_000;
        out.push(rec(pack(X, 0, cu.q, 0), created, [], null, { ...cu, j: 0 }));
        const h = hash(w.seed, T.z + 1, X, cu.q);
        if (h % 10 < 3 && extraContacts(w, cu.deal) > 0) out.push(rec(pack(X, 0, cu.q, 1), created + 1000, [], (h >>> 8) % 4 === 0 ? dayStart(X + 60) + 9 * HOUR : null, { ...cu, j: 1 }));
      }
      return out;
    },
    sorted: true,
    build(r, t) {
      const x = r.x;
      const p = persona(w, x.deal.d, x.deal.i, x.j);
      const lines = p.place.street.split('\n');
      return Object.assign({
        Id: zId(CODE.Contact, r.c), AccountId: zAccountId(x), FirstName: p.first, LastName: p.last, NickName: null, WorkEmail: p.email, PersonalEmail: null, WorkPhone: p.phone,
        Address1: lines[0], Address2: lines[1] ?? null, City: p.place.city, State: p.place.state, PostalCode: p.place.postalCode, Country: p.place.country, County: null, TaxRegion: null,
        Description: x.j === 0 ? 'Bill-to contact' : 'Sold-to contact, "procurement"',
      }, audit(r, t));
    },
  });

  // ---- Subscription, Amendment, RatePlan, RatePlanCharge --------------------
  interface SubX extends Cust {
    e: number;
  }
  /** Subscription versions created on `day`. */
  function subsOn(day: number): Rec<SubX>[] {
    const out: Rec<SubX>[] = [];
    const seen = new Set<number>();
    const offs = [0, UPSELL_CLOSE];
    for (let k = 1; 365 * k - 30 <= day; k++) offs.push(365 * k, 365 * k - 30);
    for (const off of offs) {
      if (seen.has(off)) continue;
      seen.add(off);
      for (const cu of custOn(day - off)) {
        const e = cu.events.findIndex((ev) => ev.off === off);
        if (e < 0) continue;
        const ev = cu.events[e]!;
        const next = cu.events[e + 1];
        out.push(rec(subC(cu, ev), w.eventTime(cu.deal, ev), [next ? w.eventTime(cu.deal, next) : null], null, { ...cu, e }));
      }
    }
    return out;
  }
  const subOffsets = [0, 125, 155, 210, 335, 365];
  const Subscription = zspec<SubX>('Subscription', 'Subscription', [
    ...zuSystem(), zuRef('AccountId', 'Account'), zuRef('InvoiceOwnerId', 'Account'), zuRef('CreatorAccountId', 'Account'), zu('Name', 'text'), zuRef('OriginalId', 'Subscription'),
    zuRef('PreviousSubscriptionId', 'Subscription'), zu('Version', 'integer'), zu('Status', 'picklist', { picklistValues: ['Draft', 'Pending Activation', 'Pending Acceptance', 'Active', 'Cancelled', 'Expired', 'Suspended'] }),
    zu('TermType', 'picklist', { picklistValues: ['TERMED', 'EVERGREEN'] }), zu('InitialTerm', 'integer'), zu('RenewalTerm', 'integer'), zu('CurrentTerm', 'integer'), zu('TermStartDate', 'date'), zu('TermEndDate', 'date'),
    zu('SubscriptionStartDate', 'date'), zu('SubscriptionEndDate', 'date'), zu('ContractEffectiveDate', 'date'), zu('ServiceActivationDate', 'date'), zu('ContractAcceptanceDate', 'date'), zu('CancelledDate', 'date'),
    zu('AutoRenew', 'boolean'), zu('IsInvoiceSeparate', 'boolean'), zu('Notes', 'text'), zu('OriginalCreatedDate', 'datetime'), zu('OpportunityId__c', 'text', { label: 'SFDC Opportunity Id' }),
    zu('Seats__c', 'integer', { contexts: ['soap'] }),
  ], {
    offsets: subOffsets,
    list: subsOn,
    build(r, t) {
      const x = r.x;
      const ev = x.events[x.e]!;
      const prev = x.events[x.e - 1];
      const next = x.events[x.e + 1];
      const superseded = next !== undefined && w.eventTime(x.deal, next) <= t;
      const ts = termStart(x, ev);
      const cancelled = ev.kind === 'Cancellation';
      const endDate = isoDate(dayStart(ts + 365));
      return Object.assign({
        Id: zId(CODE.Subscription, r.c), AccountId: zAccountId(x), InvoiceOwnerId: zAccountId(x), CreatorAccountId: zAccountId(x), Name: subNumber(x), OriginalId: subId(x, x.events[0]!),
        PreviousSubscriptionId: prev ? subId(x, prev) : null, Version: x.e + 1, Status: superseded ? 'Expired' : cancelled ? 'Cancelled' : 'Active', TermType: 'TERMED', InitialTerm: 12, RenewalTerm: 12, CurrentTerm: 12,
        TermStartDate: isoDate(dayStart(ts)), TermEndDate: endDate, SubscriptionStartDate: closeDate(x), SubscriptionEndDate: cancelled ? endDate : null, ContractEffectiveDate: closeDate(x),
        ServiceActivationDate: closeDate(x), ContractAcceptanceDate: closeDate(x), CancelledDate: cancelled ? endDate : null, AutoRenew: true, IsInvoiceSeparate: false,
        Notes: ev.kind === 'NewSubscription' ? null : `${ev.kind} – ${isoDate(r.created)}`, OriginalCreatedDate: w.eventTime(x.deal, x.events[0]!), OpportunityId__c: nbOpportunityId(x.deal),
        Seats__c: w.terms(x.deal, ev).seats,
      }, audit(r, t));
    },
  });

  const Amendment = zspec<SubX>('Amendment', 'Amendment', [
    ...zuSystem(), zu('Code', 'text'), zu('Name', 'text'), zu('Type', 'picklist', { picklistValues: ['Cancellation', 'NewProduct', 'OwnerTransfer', 'RemoveProduct', 'Renewal', 'UpdateProduct', 'TermsAndConditions'] }),
    zu('Status', 'picklist', { picklistValues: ['Draft', 'Pending Activation', 'Pending Acceptance', 'Completed'] }), zuRef('SubscriptionId', 'Subscription'), zu('ContractEffectiveDate', 'date'),
    zu('EffectiveDate', 'date'), zu('ServiceActivationDate', 'date'), zu('CustomerAcceptanceDate', 'date'), zu('TermStartDate', 'date'), zu('TermType', 'text'), zu('CurrentTerm', 'integer'),
    zu('CurrentTermPeriodType', 'text'), zu('RenewalSetting', 'text'), zu('AutoRenew', 'boolean'), zu('Description', 'text'),
  ], {
    offsets: [0],
    list: (day) => subsOn(day).filter((r) => r.x.e > 0).map((r) => rec(r.c, r.created, [], null, r.x)),
    build(r, t) {
      const x = r.x;
      const ev = x.events[x.e]!;
      const eff = isoDate(ev.kind === 'Cancellation' ? dayStart(x.X + ev.off + 30) : r.created);
      return Object.assign({
        Id: zId(CODE.Amendment, r.c), Code: `A-AM${pad(x.X, 5)}${pad(x.q, 4)}${pad(ev.code, 2)}`, Name: `${ev.kind} ${subNumber(x)}`, Type: ev.kind, Status: 'Completed',
        SubscriptionId: zId(CODE.Subscription, r.c), ContractEffectiveDate: eff, EffectiveDate: eff, ServiceActivationDate: eff, CustomerAcceptanceDate: eff, TermStartDate: isoDate(dayStart(termStart(x, ev))),
        TermType: 'TERMED', CurrentTerm: 12, CurrentTermPeriodType: 'Month', RenewalSetting: 'RENEW_WITH_SPECIFIC_TERM', AutoRenew: true,
        Description: ev.kind === 'UpdateProduct' ? `Added ${x.deal.upsellSeats} seats` : ev.kind === 'Cancellation' ? 'Customer gave notice, "budget cuts"' : 'Annual renewal',
      }, audit(r, t));
    },
  });

  interface RpX extends SubX {
    j: number;
    k: number;
  }
  const RatePlan = zspec<RpX>('RatePlan', 'Rate Plan', [
    ...zuSystem(), zu('Name', 'text'), zuRef('SubscriptionId', 'Subscription'), zuRef('ProductRatePlanId', 'ProductRatePlan'), zuRef('AmendmentId', 'Amendment'),
    zu('AmendmentType', 'picklist', { picklistValues: ['NewProduct', 'UpdateProduct', 'RemoveProduct', 'Renewal', 'Cancellation'] }), zuRef('AmendmentSubscriptionRatePlanId', 'RatePlan'),
  ], {
    offsets: [0],
    list(day) {
      const out: Rec<RpX>[] = [];
      for (const s of subsOn(day)) {
        const u = unpack(s.c);
        const slots = new Set(charges(s.x, s.x.events[s.x.e]!).map((c) => c[0]));
        for (const j of slots) out.push(rec(pack(u.day, u.a, u.seq, j), s.created + 1 + j, [], null, { ...s.x, j, k: 0 }));
      }
      return out;
    },
    build(r, t) {
      const x = r.x;
      const ev = x.events[x.e]!;
      const plan = x.j === 0 ? planOf(x.deal) : cat[3]!.plans[0]!;
      const u = unpack(r.c);
      return Object.assign({
        Id: zId(CODE.RatePlan, r.c), Name: plan.name, SubscriptionId: zId(CODE.Subscription, pack(u.day, u.a, u.seq, 0)), ProductRatePlanId: zId(CODE.ProductRatePlan, prpC(plan)),
        AmendmentId: x.e > 0 ? zId(CODE.Amendment, pack(u.day, u.a, u.seq, 0)) : null, AmendmentType: ev.kind === 'NewSubscription' ? 'NewProduct' : ev.kind,
        AmendmentSubscriptionRatePlanId: x.e > 0 ? zId(CODE.RatePlan, pack(x.X, 0, x.q, x.j)) : null,
      }, audit(r, t));
    },
  });

  const RatePlanCharge = zspec<RpX>('RatePlanCharge', 'Rate Plan Charge', [
    ...zuSystem(), zu('Name', 'text'), zu('ChargeNumber', 'text'), zu('ChargeType', 'picklist', { picklistValues: ['OneTime', 'Recurring', 'Usage'] }),
    zu('ChargeModel', 'picklist', { picklistValues: ['Flat Fee Pricing', 'Per Unit Pricing', 'Tiered Pricing', 'Volume Pricing'] }), zu('BillingPeriod', 'picklist', { picklistValues: ['Month', 'Quarter', 'Annual', 'Semi-Annual'] }),
    zu('BillCycleType', 'text'), zu('BillingTiming', 'text'), zu('Quantity', 'decimal'), zu('Price', 'decimal', { contexts: ['soap'] }), zu('MRR', 'decimal'), zu('DMRC', 'decimal'), zu('TCV', 'decimal'), zu('DTCV', 'decimal'),
    zu('UOM', 'text'), zu('EffectiveStartDate', 'date'), zu('EffectiveEndDate', 'date'), zu('ChargedThroughDate', 'date'), zu('ProcessedThroughDate', 'date'), zu('TriggerEvent', 'text'),
    zu('Segment', 'integer'), zu('Version', 'integer'), zu('IsLastSegment', 'boolean'), zuRef('OriginalId', 'RatePlanCharge'), zuRef('RatePlanId', 'RatePlan'), zuRef('ProductRatePlanChargeId', 'ProductRatePlanCharge'),
    zu('AccountingCode', 'text'), zu('Description', 'text'),
  ], {
    offsets: [0],
    list(day) {
      const out: Rec<RpX>[] = [];
      for (const s of subsOn(day)) {
        const u = unpack(s.c);
        for (const [j, k] of charges(s.x, s.x.events[s.x.e]!)) out.push(rec(pack(u.day, u.a, u.seq, j * 4 + k), s.created + 10 + j * 4 + k, [], null, { ...s.x, j, k }));
      }
      return out;
    },
    build(r, t) {
      const x = r.x;
      const ev = x.events[x.e]!;
      const ch = charges(x, ev).find((c) => c[0] === x.j && c[1] === x.k)!;
      const prev = x.e > 0 ? charges(x, x.events[x.e - 1]!).find((c) => c[0] === x.j && c[1] === x.k) : undefined;
      const cc = ch[2];
      const mrr = mrrOf(cc, ch[3], ch[4]);
      const prevMrr = prev ? mrrOf(prev[2], prev[3], prev[4]) : 0;
      const tcv = cc.chargeType === 'Recurring' ? money(mrr * 12) : ch[4];
      const u = unpack(r.c);
      const ts = termStart(x, ev);
      const cancelled = ev.kind === 'Cancellation';
      return Object.assign({
        Id: zId(CODE.RatePlanCharge, r.c), Name: cc.name, ChargeNumber: `C-${pad(x.X, 5)}${pad(x.q, 4)}${x.j}${x.k}`, ChargeType: cc.chargeType, ChargeModel: cc.chargeModel,
        BillingPeriod: cc.billingPeriod, BillCycleType: 'DefaultFromCustomer', BillingTiming: 'In Advance', Quantity: ch[3], Price: ch[4], MRR: mrr, DMRC: money(mrr - prevMrr), TCV: tcv,
        DTCV: money(tcv - (prev ? (prev[2].chargeType === 'Recurring' ? prevMrr * 12 : prev[4]) : 0)), UOM: cc.uom, EffectiveStartDate: isoDate(dayStart(ev.kind === 'UpdateProduct' ? x.X + ev.off : ts)),
        EffectiveEndDate: cc.chargeType === 'OneTime' ? isoDate(dayStart(x.X + 1)) : isoDate(dayStart(ts + 365)), ChargedThroughDate: cancelled ? isoDate(dayStart(ts + 365)) : null,
        ProcessedThroughDate: null, TriggerEvent: 'ContractEffective', Segment: 1, Version: x.e + 1, IsLastSegment: true, OriginalId: zId(CODE.RatePlanCharge, pack(x.X, 0, x.q, x.j * 4 + x.k)),
        RatePlanId: zId(CODE.RatePlan, pack(u.day, u.a, u.seq, x.j)), ProductRatePlanChargeId: zId(CODE.ProductRatePlanCharge, prpcC(cc)), AccountingCode: cc.chargeType === 'Recurring' ? '4000 Subscription Revenue' : '4100 Services',
        Description: cc.chargeType === 'Recurring' ? `${EDITIONS[x.deal.edition]?.name ?? ''} seats` : 'One-time fee',
      }, audit(r, t));
    },
  });

  // ---- Product catalogue --------------------------------------------------
  const catCreated = START + 2 * HOUR;
  const Product = zspec<CatalogProduct>('Product', 'Product', [
    ...zuSystem(), zu('Name', 'text'), zu('SKU', 'text'), zu('Category', 'picklist', { picklistValues: ['Base Products', 'Add On Services', 'Miscellaneous Products'] }), zu('Description', 'text'),
    zu('EffectiveStartDate', 'date'), zu('EffectiveEndDate', 'date'), zu('AllowFeatureChanges', 'boolean'), zu('ProductNumber', 'text'),
  ], {
    offsets: [],
    all: () => cat.map((p) => rec(pack(0, 0, p.idx, 0), catCreated + p.idx * 1000, [], null, p)),
    build: (r, t) => (Object.assign({ Id: zId(CODE.Product, r.c), Name: r.x.name, SKU: r.x.sku, Category: r.x.category, Description: r.x.description, EffectiveStartDate: '2024-01-01', EffectiveEndDate: '2099-12-31', AllowFeatureChanges: false, ProductNumber: `PC-${pad(r.x.idx + 1, 8)}` }, audit(r, t))),
  });
  const ProductRatePlan = zspec<CatalogPlan>('ProductRatePlan', 'Product Rate Plan', [
    ...zuSystem(), zu('Name', 'text'), zuRef('ProductId', 'Product'), zu('Description', 'text'), zu('EffectiveStartDate', 'date'), zu('EffectiveEndDate', 'date'), zu('BillingPeriod__c', 'picklist', { picklistValues: ['Month', 'Annual'] }),
  ], {
    offsets: [],
    all: () => cat.flatMap((p) => p.plans.map((pl) => rec(prpC(pl), catCreated + 10_000 + p.idx * 1000 + pl.planIdx, [], null, pl))),
    build: (r, t) => (Object.assign({ Id: zId(CODE.ProductRatePlan, r.c), Name: r.x.name, ProductId: zId(CODE.Product, pack(0, 0, r.x.productIdx, 0)), Description: `${r.x.name} plan`, EffectiveStartDate: '2024-01-01', EffectiveEndDate: '2099-12-31', BillingPeriod__c: r.x.billing }, audit(r, t))),
  });
  const ProductRatePlanCharge = zspec<CatalogCharge>('ProductRatePlanCharge', 'Product Rate Plan Charge', [
    ...zuSystem(), zu('Name', 'text'), zuRef('ProductRatePlanId', 'ProductRatePlan'), zu('ChargeType', 'picklist', { picklistValues: ['OneTime', 'Recurring', 'Usage'] }),
    zu('ChargeModel', 'picklist', { picklistValues: ['Flat Fee Pricing', 'Per Unit Pricing', 'Tiered Pricing', 'Volume Pricing'] }), zu('BillingPeriod', 'text'), zu('UOM', 'text'), zu('DefaultQuantity', 'decimal'),
    zu('ListPrice__c', 'decimal', { label: 'List Price' }), zu('TriggerEvent', 'text'), zu('AccountingCode', 'text'), zu('Description', 'text'),
  ], {
    offsets: [],
    all: () => cat.flatMap((p) => p.plans.flatMap((pl) => pl.charges.map((ch) => rec(prpcC(ch), catCreated + 20_000 + prpcC(ch) / 2 ** 8, ch.productIdx === 1 && ch.chargeType === 'Recurring' ? [PRICE_CHANGE_AT] : [], null, ch)))),
    build: (r, t) => (Object.assign({
      Id: zId(CODE.ProductRatePlanCharge, r.c), Name: r.x.name, ProductRatePlanId: zId(CODE.ProductRatePlan, pack(0, 0, r.x.productIdx * 16 + r.x.planIdx, 0)), ChargeType: r.x.chargeType, ChargeModel: r.x.chargeModel,
      BillingPeriod: r.x.billingPeriod, UOM: r.x.uom, DefaultQuantity: r.x.uom ? 10 : 1, ListPrice__c: r.x.productIdx === 1 && r.x.chargeType === 'Recurring' && t >= PRICE_CHANGE_AT ? 55 : r.x.price,
      TriggerEvent: 'ContractEffective', AccountingCode: r.x.chargeType === 'Recurring' ? '4000 Subscription Revenue' : '4100 Services', Description: null,
    }, audit(r, t))),
  });

  // ---- Invoice, InvoiceItem ------------------------------------------------
  interface InvX extends Cust {
    a: number;
    ev: SubEvent;
    created: Millis;
    lines: { j: number; k: number; ch: CatalogCharge; qty: number; unit: number; amount: number; from: number; to: number }[];
    amount: number;
    payLag: number;
    paidAt: Millis | null;
    overpay: number;
    refunded: boolean;
  }
  const invCache = new DayCache<InvX[]>(5_000, (list) => list.length + 1);
  function invoicesOn(day: number): InvX[] {
    if (day < 0) return [];
    return invCache.get(day, () => {
      const out: InvX[] = [];
      const add = (cu: Cust, a: number, ev: SubEvent, created: Millis, lines: InvX['lines']): void => {
        const h = hash(w.seed, T.pay, cu.X, cu.q, a);
        const payLag = h % PAY_LAGS.length;
        const paid = (h >>> 4) % 100 >= 3;
        const amount = money(lines.reduce((s, l) => s + l.amount, 0));
        const invDay = day;
        const paidAt = paid ? (PAY_LAGS[payLag] === 0 ? created + HOUR : dayStart(invDay + PAY_LAGS[payLag]!) + 5 * HOUR + ((h >>> 12) % HOUR)) : null;
        out.push({ ...cu, a, ev, created, lines, amount, payLag, paidAt, overpay: paid && (h >>> 10) % 20 === 0 ? money(((h >>> 14) % 500) + 0.5) : 0, refunded: paid && (h >>> 20) % 50 === 0 });
      };
      const recurring = (cu: Cust, ev: SubEvent, months: number, from: number): InvX['lines'] =>
        charges(cu, ev)
          .filter((c) => c[2].chargeType === 'Recurring' || (ev.code === 0 && months !== 1) || (ev.code === 0 && from === cu.X))
          .map(([j, k, ch, qty, unit]) => ({ j, k, ch, qty, unit, amount: ch.chargeType === 'Recurring' ? money(qty * unit * months) : unit, from, to: from + (ch.chargeType === 'Recurring' ? Math.round(months * 30.42) : 1) }));
      for (const cu of custOn(day)) add(cu, 0, cu.events[0]!, w.eventTime(cu.deal, cu.events[0]!) + 30 * 60_000, recurring(cu, cu.events[0]!, cu.deal.monthly ? 1 : 12, day));
      for (const cu of custOn(day - UPSELL_CLOSE)) {
        const ev = cu.events.find((e) => e.code === 1);
        if (!ev || cu.deal.monthly) continue;
        const t = w.terms(cu.deal, ev);
        const ch = planOf(cu.deal).charges[0]!;
        const amount = money((cu.deal.upsellSeats * t.price * 12 * (365 - UPSELL_CLOSE)) / 365);
        add(cu, 1, ev, w.eventTime(cu.deal, ev) + 30 * 60_000, [{ j: 0, k: 0, ch, qty: cu.deal.upsellSeats, unit: t.price, amount, from: day, to: cu.X + 365 }]);
      }
      for (let k = 1; 365 * k <= day; k++)
        for (const cu of custOn(day - 365 * k)) {
          if (cu.deal.monthly) continue;
          const ev = cu.events.find((e) => e.code === 2 * k);
          if (ev) add(cu, 2 * k, ev, w.eventTime(cu.deal, ev) + 30 * 60_000, recurring(cu, ev, 12, day));
        }
      for (let m = 1; MONTH_DAYS * m <= day && m < 192; m++)
        for (const cu of custOn(day - MONTH_DAYS * m)) {
          if (!cu.deal.monthly) continue;
          const off = MONTH_DAYS * m;
          const end = cu.events.find((e) => e.kind === 'Cancellation');
          if (end && off >= end.off + 30) continue;
          let ev = cu.events[0]!;
          for (const e of cu.events) if (e.off <= off && e.kind !== 'Cancellation') ev = e;
          add(cu, 64 + m, ev, dayStart(day) + 6 * HOUR, recurring(cu, ev, 1, day).filter((l) => l.ch.chargeType === 'Recurring'));
        }
      return out;
    });
  }
  const invC = (x: InvX, day: number): number => pack(day, x.a, x.q, 0);
  const invDayOf = (x: InvX): number => Math.floor((x.created - START) / DAY);
  const invNumber = (x: InvX): string => `INV${pad(x.X, 5)}${pad(x.q, 4)}${pad(x.a, 3)}`;
  const versionSubId = (x: InvX): string => subId(x, x.ev);
  const Invoice = zspec<InvX>('Invoice', 'Invoice', [
    ...zuSystem(), zuRef('AccountId', 'Account'), zu('InvoiceNumber', 'text'), zu('InvoiceDate', 'date'), zu('DueDate', 'date'), zu('TargetDate', 'date'), zu('PostedDate', 'datetime'), zu('PostedBy', 'text'),
    zu('Status', 'picklist', { picklistValues: ['Draft', 'Posted', 'Canceled', 'Error'] }), zu('Amount', 'decimal'), zu('AmountWithoutTax', 'decimal'), zu('TaxAmount', 'decimal'), zu('Balance', 'decimal'),
    zu('PaymentAmount', 'decimal'), zu('RefundAmount', 'decimal'), zu('AdjustmentAmount', 'decimal'), zu('CreditBalanceAdjustmentAmount', 'decimal'), zu('IncludesOneTime', 'boolean'), zu('IncludesRecurring', 'boolean'),
    zu('IncludesUsage', 'boolean'), zu('Source', 'text'), zu('SourceId', 'text'), zu('TransferredToAccounting', 'picklist', { picklistValues: ['Processing', 'Yes', 'No', 'Error', 'Ignore'] }), zu('Comments', 'text'),
    zu('Body', 'text', { contexts: ['soap'] }),
  ], {
    offsets: [0, ...PAY_LAGS],
    list: (day) => invoicesOn(day).map((x) => rec(invC(x, day), x.created, [x.paidAt], null, x)),
    build(r, t) {
      const x = r.x;
      const paid = x.paidAt !== null && x.paidAt <= t;
      return Object.assign({
        Id: zId(CODE.Invoice, r.c), AccountId: zAccountId(x), InvoiceNumber: invNumber(x), InvoiceDate: isoDate(x.created), DueDate: isoDate(x.created + 30 * DAY), TargetDate: isoDate(x.created),
        PostedDate: x.created, PostedBy: API_USER, Status: 'Posted', Amount: x.amount, AmountWithoutTax: x.amount, TaxAmount: 0, Balance: paid ? 0 : x.amount, PaymentAmount: paid ? x.amount : 0, RefundAmount: 0,
        AdjustmentAmount: 0, CreditBalanceAdjustmentAmount: 0, IncludesOneTime: x.lines.some((l) => l.ch.chargeType === 'OneTime'), IncludesRecurring: x.lines.some((l) => l.ch.chargeType === 'Recurring'),
        IncludesUsage: false, Source: x.a >= 64 ? 'BillRun' : 'API', SourceId: x.a >= 64 ? `BR-${pad(invDayOf(x), 8)}` : null, TransferredToAccounting: 'No', Comments: null,
        Body: 'JVBERi0xLjQKJeLjz9MK',
      }, audit(r, t));
    },
  });
  interface ItemX {
    inv: InvX;
    n: number;
  }
  const InvoiceItem = zspec<ItemX>('InvoiceItem', 'Invoice Item', [
    ...zuSystem(), zuRef('InvoiceId', 'Invoice'), zuRef('SubscriptionId', 'Subscription'), zu('SubscriptionNumber', 'text'), zuRef('RatePlanChargeId', 'RatePlanCharge'), zuRef('ProductId', 'Product'),
    zu('ChargeName', 'text'), zu('ChargeAmount', 'decimal'), zu('TaxAmount', 'decimal'), zu('UnitPrice', 'decimal'), zu('Quantity', 'decimal'), zu('UOM', 'text'), zu('ServiceStartDate', 'date'),
    zu('ServiceEndDate', 'date'), zu('ChargeDate', 'datetime'), zu('ProcessingType', 'decimal'), zu('SKU', 'text'), zu('AccountingCode', 'text'), zu('RevRecStartDate', 'date'),
  ], {
    offsets: [0],
    list: (day) => invoicesOn(day).flatMap((inv) => inv.lines.map((_, n) => rec(pack(day, inv.a, inv.q, n + 1), inv.created + 1 + n, [], null, { inv, n }))),
    build(r, t) {
      const { inv, n } = r.x;
      const l = inv.lines[n]!;
      const ev = inv.ev;
      const u = unpack(r.c);
      return Object.assign({
        Id: zId(CODE.InvoiceItem, r.c), InvoiceId: zId(CODE.Invoice, pack(u.day, u.a, u.seq, 0)), SubscriptionId: versionSubId(inv), SubscriptionNumber: subNumber(inv),
        RatePlanChargeId: zId(CODE.RatePlanCharge, pack(inv.X + ev.off, ev.code, inv.q, l.j * 4 + l.k)), ProductId: zId(CODE.Product, pack(0, 0, l.ch.productIdx, 0)), ChargeName: l.ch.name,
        ChargeAmount: l.amount, TaxAmount: 0, UnitPrice: l.unit, Quantity: l.qty, UOM: l.ch.uom, ServiceStartDate: isoDate(dayStart(l.from)), ServiceEndDate: isoDate(dayStart(l.to) - DAY),
        ChargeDate: inv.created, ProcessingType: 0, SKU: cat[l.ch.productIdx]!.sku, AccountingCode: l.ch.chargeType === 'Recurring' ? '4000 Subscription Revenue' : '4100 Services', RevRecStartDate: isoDate(dayStart(l.from)),
      }, audit(r, t));
    },
  });

  // ---- Payment, CreditBalanceAdjustment, RefundInvoicePayment ---------------
  interface PayX {
    inv: InvX;
    invDay: number;
  }
  function paymentsOn(day: number): Rec<PayX>[] {
    const out: Rec<PayX>[] = [];
    for (let p = 0; p < PAY_LAGS.length; p++) {
      const invDay = day - PAY_LAGS[p]!;
      for (const inv of invoicesOn(invDay)) {
        if (inv.payLag !== p || inv.paidAt === null) continue;
        const refundAt = inv.refunded ? dayStart(day + REFUND_LAG) + 11 * HOUR : null;
        out.push(rec(pack(day, inv.a, inv.q, p), inv.paidAt, [refundAt], null, { inv, invDay }));
      }
    }
    return out;
  }
  const payId = (r: Rec<PayX>): string => zId(CODE.Payment, r.c);
  const Payment = zspec<PayX>('Payment', 'Payment', [
    ...zuSystem(), zuRef('AccountId', 'Account'), zu('Amount', 'decimal'), zu('AppliedAmount', 'decimal'), zu('AppliedCreditBalanceAmount', 'decimal'), zu('CreditBalanceAmount', 'decimal'), zu('RefundAmount', 'decimal'),
    zu('EffectiveDate', 'date'), zu('PaymentNumber', 'text'), zu('Status', 'picklist', { picklistValues: ['Draft', 'Processing', 'Processed', 'Error', 'Canceled', 'Posted'] }),
    zu('Type', 'picklist', { picklistValues: ['External', 'Electronic'] }), zu('PaymentMethodId', 'text'), zu('ReferenceId', 'text'), zu('GatewayState', 'picklist', { picklistValues: ['NotSubmitted', 'Submitted', 'Settled', 'FailedToSettle'] }),
    zu('GatewayResponse', 'text', { contexts: ['soap'] }), zuRef('InvoiceId', 'Invoice'), zu('Comment', 'text'),
  ], {
    offsets: [0, REFUND_LAG],
    list: paymentsOn,
    build(r, t) {
      const { inv, invDay } = r.x;
      const refunded = r.v.length > 1 && r.v[1]! <= t;
      const electronic = inv.deal.monthly || inv.deal.i % 2 === 0;
      return Object.assign({
        Id: payId(r), AccountId: zAccountId(inv), Amount: money(inv.amount + inv.overpay), AppliedAmount: inv.amount, AppliedCreditBalanceAmount: 0, CreditBalanceAmount: inv.overpay,
        RefundAmount: refunded ? inv.amount : 0, EffectiveDate: isoDate(r.created), PaymentNumber: `P-${pad(invDay, 5)}${pad(inv.q, 4)}${pad(inv.a, 3)}`, Status: 'Processed', Type: electronic ? 'Electronic' : 'External',
        PaymentMethodId: zId(15, pack(inv.X, 0, inv.q, 0)), ReferenceId: electronic ? `ch_${hash(w.seed, T.pay + 2, r.c / 256).toString(36)}` : `WIRE-${pad(invDay, 5)}`, GatewayState: electronic ? 'Settled' : 'NotSubmitted',
        GatewayResponse: electronic ? 'Approved' : null, InvoiceId: zId(CODE.Invoice, invC(inv, invDay)), Comment: inv.overpay > 0 ? 'Customer paid more than invoiced, "rounded up"' : null,
      }, audit(r, t));
    },
  });
  const CreditBalanceAdjustment = zspec<PayX>('CreditBalanceAdjustment', 'Credit Balance Adjustment', [
    ...zuSystem(), zuRef('AccountId', 'Account'), zu('Amount', 'decimal'), zu('Type', 'picklist', { picklistValues: ['Increase', 'Decrease'] }), zu('SourceTransactionId', 'text'), zu('SourceTransactionNumber', 'text'),
    zu('SourceTransactionType', 'picklist', { picklistValues: ['Invoice', 'Payment', 'Refund', 'Adjustment'] }), zu('AdjustmentDate', 'date'), zu('Number', 'text'), zu('Status', 'picklist', { picklistValues: ['Processed', 'Canceled'] }),
    zu('ReasonCode', 'text'), zu('Comment', 'text'), zu('ReferenceId', 'text'), zu('CancelledOn', 'datetime'), zu('TransferredToAccounting', 'text'),
  ], {
    offsets: [0],
    list: (day) => paymentsOn(day).filter((r) => r.x.inv.overpay > 0).map((r) => rec(r.c, r.created + 1000, [], null, r.x)),
    build(r, t) {
      const { inv, invDay } = r.x;
      return Object.assign({
        Id: zId(CODE.CreditBalanceAdjustment, r.c), AccountId: zAccountId(inv), Amount: inv.overpay, Type: 'Increase', SourceTransactionId: zId(CODE.Payment, r.c),
        SourceTransactionNumber: `P-${pad(invDay, 5)}${pad(inv.q, 4)}${pad(inv.a, 3)}`, SourceTransactionType: 'Payment', AdjustmentDate: isoDate(r.created), Number: `CBA-${pad(invDay, 5)}${pad(inv.q, 4)}${pad(inv.a, 3)}`,
        Status: 'Processed', ReasonCode: 'Standard Adjustment', Comment: 'Overpayment to credit balance', ReferenceId: null, CancelledOn: null, TransferredToAccounting: 'No',
      }, audit(r, t));
    },
  });
  const RefundInvoicePayment = zspec<PayX>('RefundInvoicePayment', 'Refund Invoice Payment', [
    ...zuSystem(), zu('InvoicePaymentId', 'text'), zu('RefundId', 'text'), zu('RefundAmount', 'decimal'), zuRef('InvoiceId', 'Invoice'), zuRef('PaymentId', 'Payment'), zuRef('AccountId', 'Account'),
  ], {
    offsets: [0],
    list: (day) => paymentsOn(day - REFUND_LAG).filter((r) => r.v.length > 1).map((r) => rec(pack(day, ...rest(r.c)), r.v[1]!, [], null, r.x)),
    build(r, t) {
      const { inv, invDay } = r.x;
      const u = unpack(r.c);
      const payC = pack(u.day - REFUND_LAG, u.a, u.seq, u.j);
      return Object.assign({
        Id: zId(CODE.RefundInvoicePayment, r.c), InvoicePaymentId: zId(16, payC), RefundId: zId(17, r.c), RefundAmount: inv.amount, InvoiceId: zId(CODE.Invoice, invC(inv, invDay)),
        PaymentId: zId(CODE.Payment, payC), AccountId: zAccountId(inv),
      }, audit(r, t));
    },
  });
  function rest(c: number): [number, number, number] {
    const u = unpack(c);
    return [u.a, u.seq, u.j];
  }

  return [Account, Contact, Subscription, RatePlan, RatePlanCharge, Amendment, Product, ProductRatePlan, ProductRatePlanCharge, Invoice, InvoiceItem, Payment, CreditBalanceAdjustment, RefundInvoicePayment];
}

export { addMonths };
