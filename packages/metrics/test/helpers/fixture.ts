/**
 * A hand-built company small enough to compute every metric by hand (metrics.db.test.ts does).
 *
 * Campaigns
 *   C1 CMP1  "Webinar A": Salesforce Campaign + Marketo program 101 (Webinar), Marketo costs
 *            2026-01-01 1000 and 2026-02-01 500; ActualCost 1500 (the same money: not counted again)
 *   C2 CMP2  "Ads B": Salesforce only, Type Advertisement, ActualCost 600 from 2026-01-15
 *   C3 CMP3  "Tradeshow C": Salesforce Campaign + Marketo program 103, no spend at all
 * People (touches in time order)
 *   P1 Alice  Marketo 1001 + Lead L1 → Contact CT1 at A1: C1 2026-01-05 (both systems), C2 2026-02-10,
 *             click on C3's e-mail 2026-02-20
 *   P2 Bob    Marketo 1002 bob@beta.io, synced to Lead L2 robert@beta-corp.com → Contact CT2 at A2
 *             (one person under two e-mails): C1 2026-01-20, a web page visit (no campaign), C3 2026-04-02
 *   P3 Carol  Marketo only, never converts: C3 2026-02-03
 *   P4 Dan    Lead L4 + Marketo 1006 (no synced id, same e-mail): C2 2026-04-05
 *   Eve       Marketo 1005, deleted: C1 2026-01-10 (not a lead)
 *   Frank     two unconverted Leads L6, L7 with one e-mail (a duplicate the check reports)
 * Opportunities
 *   O1  A1 New Business, created 2026-02-15, won 2026-03-01, IACV 12000 (Amount 13500)
 *   O1R A1 Renewal, created 2026-05-01, won 2026-06-01, IACV 0: not a new customer
 *   O2  A2 New Business, created 2026-03-10, won 2026-04-10, IACV 24000
 *   O3  A3 New Business, won 2026-05-01, IACV 6000: no campaign touched it
 *   O4  A2 lost; O5 lost at an Account that was not loaded
 * Zuora (as_of 2026-06-30)
 *   S1 (A1) from 2026-03-01, two versions, MRR 1000 then 1200, active; S2 (A2) from 2026-04-10 active;
 *   S3 (A3) from 2026-05-01 active; S9 (no CrmId) 2025-01-01 – 2025-12-31, cancelled.
 */
import type { RawStream } from './load-raw.js';

const sf = (name: string, key: string, properties: RawStream['properties'], rows: Record<string, unknown>[]): RawStream => ({ name, key: [key], properties, rows });

export const fixture: Record<'salesforce' | 'zuora' | 'marketo', RawStream[]> = {
  salesforce: [
    sf('Account', 'Id', { Id: 'string', Name: 'string', CreatedDate: 'date-time', IsDeleted: 'boolean' }, [
      { Id: 'A1', Name: 'Acme', CreatedDate: '2026-02-15T00:00:00Z', IsDeleted: false },
      { Id: 'A2', Name: 'Beta Corp', CreatedDate: '2026-03-10T00:00:00Z', IsDeleted: false },
      { Id: 'A3', Name: 'Gamma Direct', CreatedDate: '2026-04-01T00:00:00Z', IsDeleted: false },
    ]),
    sf('Contact', 'Id', { Id: 'string', AccountId: 'string', Email: 'string', CreatedDate: 'date-time', IsDeleted: 'boolean' }, [
      { Id: 'CT1', AccountId: 'A1', Email: 'alice@acme.com', CreatedDate: '2026-02-15T00:00:00Z', IsDeleted: false },
      { Id: 'CT2', AccountId: 'A2', Email: 'robert@beta-corp.com', CreatedDate: '2026-03-10T00:00:00Z', IsDeleted: false },
    ]),
    sf('Lead', 'Id', { Id: 'string', Email: 'string', CreatedDate: 'date-time', IsConverted: 'boolean', ConvertedDate: 'date', ConvertedContactId: 'string', ConvertedAccountId: 'string', IsDeleted: 'boolean' }, [
      { Id: 'L1', Email: 'alice@acme.com', CreatedDate: '2026-01-05T10:00:00Z', IsConverted: true, ConvertedDate: '2026-02-15', ConvertedContactId: 'CT1', ConvertedAccountId: 'A1', IsDeleted: false },
      { Id: 'L2', Email: 'robert@beta-corp.com', CreatedDate: '2026-01-20T08:00:00Z', IsConverted: true, ConvertedDate: '2026-03-10', ConvertedContactId: 'CT2', ConvertedAccountId: 'A2', IsDeleted: false },
      { Id: 'L4', Email: 'dan@delta.com', CreatedDate: '2026-04-05T09:00:00Z', IsConverted: false, IsDeleted: false },
      { Id: 'L6', Email: 'frank@example.com', CreatedDate: '2026-05-01T09:00:00Z', IsConverted: false, IsDeleted: false },
      { Id: 'L7', Email: 'Frank@Example.com', CreatedDate: '2026-05-02T09:00:00Z', IsConverted: false, IsDeleted: false },
    ]),
    sf('Campaign', 'Id', { Id: 'string', Name: 'string', Type: 'string', Status: 'string', StartDate: 'date', ActualCost: 'number', CreatedDate: 'date-time', IsDeleted: 'boolean' }, [
      { Id: 'CMP1', Name: 'Webinar A', Type: 'Webinar', Status: 'Completed', StartDate: '2026-01-01', ActualCost: 1500, CreatedDate: '2025-12-20T00:00:00Z', IsDeleted: false },
      { Id: 'CMP2', Name: 'Ads B', Type: 'Advertisement', Status: 'Completed', StartDate: '2026-01-15', ActualCost: 600, CreatedDate: '2026-01-10T00:00:00Z', IsDeleted: false },
      { Id: 'CMP3', Name: 'Tradeshow C', Type: 'Conference', Status: 'Completed', StartDate: '2026-02-01', ActualCost: 0, CreatedDate: '2026-01-20T00:00:00Z', IsDeleted: false },
    ]),
    sf('CampaignMember', 'Id', { Id: 'string', CampaignId: 'string', LeadId: 'string', ContactId: 'string', HasResponded: 'boolean', FirstRespondedDate: 'date', CreatedDate: 'date-time', IsDeleted: 'boolean' }, [
      { Id: 'CM1', CampaignId: 'CMP1', LeadId: 'L1', ContactId: 'CT1', HasResponded: true, FirstRespondedDate: '2026-01-05', CreatedDate: '2026-01-05T10:00:00Z', IsDeleted: false },
      { Id: 'CM2', CampaignId: 'CMP2', LeadId: null, ContactId: 'CT1', HasResponded: true, FirstRespondedDate: '2026-02-10', CreatedDate: '2026-02-10T12:00:00Z', IsDeleted: false },
      { Id: 'CM3', CampaignId: 'CMP3', LeadId: 'L2', ContactId: null, HasResponded: false, CreatedDate: '2026-04-02T10:00:00Z', IsDeleted: false },
      { Id: 'CM4', CampaignId: 'CMP2', LeadId: 'L4', ContactId: null, HasResponded: true, FirstRespondedDate: '2026-04-05', CreatedDate: '2026-04-05T09:00:00Z', IsDeleted: false },
      { Id: 'CM8', CampaignId: 'CMP1', LeadId: 'L4', ContactId: null, HasResponded: true, CreatedDate: '2026-03-01T09:00:00Z', IsDeleted: true },
      { Id: 'CM99', CampaignId: 'CMP1', LeadId: 'L99', ContactId: null, HasResponded: true, CreatedDate: '2026-03-01T09:00:00Z', IsDeleted: false },
    ]),
    sf('Opportunity', 'Id', { Id: 'string', AccountId: 'string', ContactId: 'string', Name: 'string', Type: 'string', StageName: 'string', IsClosed: 'boolean', IsWon: 'boolean', CloseDate: 'date', CreatedDate: 'date-time', Amount: 'number', IACV__c: 'number', IsDeleted: 'boolean' }, [
      { Id: 'O1', AccountId: 'A1', ContactId: 'CT1', Name: 'Acme', Type: 'New Business', StageName: 'Closed Won', IsClosed: true, IsWon: true, CloseDate: '2026-03-01', CreatedDate: '2026-02-15T00:00:00Z', Amount: 13500, IACV__c: 12000, IsDeleted: false },
      { Id: 'O1R', AccountId: 'A1', ContactId: 'CT1', Name: 'Acme renewal', Type: 'Renewal', StageName: 'Closed Won', IsClosed: true, IsWon: true, CloseDate: '2026-06-01', CreatedDate: '2026-05-01T00:00:00Z', Amount: 12000, IACV__c: 0, IsDeleted: false },
      { Id: 'O2', AccountId: 'A2', ContactId: 'CT2', Name: 'Beta', Type: 'New Business', StageName: 'Closed Won', IsClosed: true, IsWon: true, CloseDate: '2026-04-10', CreatedDate: '2026-03-10T00:00:00Z', Amount: 24000, IACV__c: 24000, IsDeleted: false },
      { Id: 'O3', AccountId: 'A3', ContactId: null, Name: 'Gamma', Type: 'New Business', StageName: 'Closed Won', IsClosed: true, IsWon: true, CloseDate: '2026-05-01', CreatedDate: '2026-04-01T00:00:00Z', Amount: 6000, IACV__c: 6000, IsDeleted: false },
      { Id: 'O4', AccountId: 'A2', ContactId: 'CT2', Name: 'Beta extra', Type: 'New Business', StageName: 'Closed Lost', IsClosed: true, IsWon: false, CloseDate: '2026-05-15', CreatedDate: '2026-04-20T00:00:00Z', Amount: 5000, IACV__c: null, IsDeleted: false },
      { Id: 'O5', AccountId: 'A404', ContactId: null, Name: 'Nobody', Type: 'New Business', StageName: 'Closed Lost', IsClosed: true, IsWon: false, CloseDate: '2026-05-20', CreatedDate: '2026-05-01T00:00:00Z', Amount: 1000, IACV__c: null, IsDeleted: false },
    ]),
    sf('OpportunityContactRole', 'Id', { Id: 'string', OpportunityId: 'string', ContactId: 'string', IsPrimary: 'boolean' }, [
      { Id: 'R1', OpportunityId: 'O1', ContactId: 'CT1', IsPrimary: true },
      { Id: 'R2', OpportunityId: 'O2', ContactId: 'CT2', IsPrimary: true },
    ]),
  ],
  zuora: [
    sf('Account', 'Id', { Id: 'string', CrmId: 'string', Name: 'string', CreatedDate: 'date-time' }, [
      { Id: 'ZA1', CrmId: 'A1', Name: 'Acme', CreatedDate: '2026-03-01T00:00:00Z' },
      { Id: 'ZA2', CrmId: 'A2', Name: 'Beta Corp', CreatedDate: '2026-04-10T00:00:00Z' },
      { Id: 'ZA3', CrmId: 'A3', Name: 'Gamma Direct', CreatedDate: '2026-05-01T00:00:00Z' },
      { Id: 'ZA9', CrmId: null, Name: 'Old customer', CreatedDate: '2025-01-01T00:00:00Z' },
    ]),
    sf('Subscription', 'Id', { Id: 'string', AccountId: 'string', OriginalId: 'string', Version: 'integer', Status: 'string', SubscriptionStartDate: 'date', SubscriptionEndDate: 'date', TermEndDate: 'date', CancelledDate: 'date', CreatedDate: 'date-time', UpdatedDate: 'date-time' }, [
      { Id: 'S1', AccountId: 'ZA1', OriginalId: 'S1', Version: 1, Status: 'Expired', SubscriptionStartDate: '2026-03-01', TermEndDate: '2027-03-01', CreatedDate: '2026-03-01T00:00:00Z', UpdatedDate: '2026-05-01T00:00:00Z' },
      { Id: 'S1v2', AccountId: 'ZA1', OriginalId: 'S1', Version: 2, Status: 'Active', SubscriptionStartDate: '2026-03-01', TermEndDate: '2027-03-01', CreatedDate: '2026-05-01T00:00:00Z', UpdatedDate: '2026-05-01T00:00:00Z' },
      { Id: 'S2', AccountId: 'ZA2', OriginalId: 'S2', Version: 1, Status: 'Active', SubscriptionStartDate: '2026-04-10', TermEndDate: '2027-04-10', CreatedDate: '2026-04-10T00:00:00Z', UpdatedDate: '2026-04-10T00:00:00Z' },
      { Id: 'S3', AccountId: 'ZA3', OriginalId: 'S3', Version: 1, Status: 'Active', SubscriptionStartDate: '2026-05-01', TermEndDate: '2027-05-01', CreatedDate: '2026-05-01T00:00:00Z', UpdatedDate: '2026-05-01T00:00:00Z' },
      { Id: 'S9', AccountId: 'ZA9', OriginalId: 'S9', Version: 1, Status: 'Cancelled', SubscriptionStartDate: '2025-01-01', SubscriptionEndDate: '2025-12-31', TermEndDate: '2025-12-31', CancelledDate: '2025-12-31', CreatedDate: '2025-01-01T00:00:00Z', UpdatedDate: '2025-12-01T00:00:00Z' },
    ]),
    sf('RatePlan', 'Id', { Id: 'string', SubscriptionId: 'string' }, ['S1', 'S1v2', 'S2', 'S3', 'S9'].map((s) => ({ Id: `RP-${s}`, SubscriptionId: s }))),
    sf('RatePlanCharge', 'Id', { Id: 'string', RatePlanId: 'string', ChargeType: 'string', MRR: 'number' }, [
      { Id: 'C-S1', RatePlanId: 'RP-S1', ChargeType: 'Recurring', MRR: 1000 },
      { Id: 'C-S1v2', RatePlanId: 'RP-S1v2', ChargeType: 'Recurring', MRR: 1200 },
      { Id: 'C-S2', RatePlanId: 'RP-S2', ChargeType: 'Recurring', MRR: 2000 },
      { Id: 'C-S3', RatePlanId: 'RP-S3', ChargeType: 'Recurring', MRR: 500 },
      { Id: 'C-S9', RatePlanId: 'RP-S9', ChargeType: 'Recurring', MRR: 300 },
    ]),
  ],
  marketo: [
    sf('leads', 'id', { id: 'integer', email: 'string', createdAt: 'date-time', updatedAt: 'date-time', sfdcLeadId: 'string', sfdcContactId: 'string', sfdcAccountId: 'string', acquisitionProgramId: 'integer' }, [
      { id: 1001, email: 'alice@acme.com', createdAt: '2026-01-05T10:00:00Z', updatedAt: '2026-02-15T00:00:00Z', sfdcLeadId: 'L1', sfdcContactId: 'CT1', sfdcAccountId: 'A1', acquisitionProgramId: 101 },
      { id: 1002, email: 'bob@beta.io', createdAt: '2026-01-20T08:00:00Z', updatedAt: '2026-01-20T08:00:00Z', sfdcLeadId: 'L2', acquisitionProgramId: 101 },
      { id: 1003, email: 'carol@gamma.org', createdAt: '2026-02-03T15:00:00Z', updatedAt: '2026-02-03T15:00:00Z', acquisitionProgramId: 103 },
      { id: 1005, email: 'eve@example.com', createdAt: '2026-01-10T11:00:00Z', updatedAt: '2026-01-10T11:00:00Z', acquisitionProgramId: 101 },
      { id: 1006, email: ' DAN@delta.com', createdAt: '2026-04-05T09:30:00Z', updatedAt: '2026-04-05T09:30:00Z' },
    ]),
    sf('deleted_leads', 'id', { id: 'integer', deletedAt: 'date-time' }, [{ id: 1005, deletedAt: '2026-02-01T00:00:00Z' }]),
    sf('programs', 'id', { id: 'integer', name: 'string', type: 'string', channel: 'string', costs: 'array', sfdcId: 'string', createdAt: 'date-time' }, [
      { id: 101, name: 'Webinar A', type: 'Event', channel: 'Webinar', costs: [{ startDate: '2026-01-01', cost: 1000, note: 'platform' }, { startDate: '2026-02-01', cost: 500, note: 'ads' }], sfdcId: 'CMP1', createdAt: '2025-12-20T00:00:00Z' },
      { id: 103, name: 'Tradeshow C', type: 'Event', channel: 'Tradeshow', costs: null, sfdcId: 'CMP3', createdAt: '2026-01-20T00:00:00Z' },
    ]),
    sf('program_members', 'id', { id: 'integer', programId: 'integer', leadId: 'integer', membershipDate: 'date-time', reachedSuccess: 'boolean', statusName: 'string' }, [
      { id: 1, programId: 101, leadId: 1001, membershipDate: '2026-01-05T10:00:00Z', reachedSuccess: true, statusName: 'Attended' },
      { id: 2, programId: 101, leadId: 1002, membershipDate: '2026-01-20T08:00:00Z', reachedSuccess: false, statusName: 'Registered' },
      { id: 3, programId: 103, leadId: 1003, membershipDate: '2026-02-03T15:00:00Z', reachedSuccess: false, statusName: 'Visited Booth' },
      { id: 5, programId: 101, leadId: 1005, membershipDate: '2026-01-10T11:00:00Z', reachedSuccess: false, statusName: 'Registered' },
    ]),
    sf('activity_types', 'id', { id: 'integer', name: 'string' }, [{ id: 1, name: 'Visit Webpage' }, { id: 6, name: 'Send Email' }, { id: 11, name: 'Click Email' }]),
    sf('emails', 'id', { id: 'integer', name: 'string', folder: 'object' }, [{ id: 501, name: 'Booth invitation', folder: { type: 'Program', value: 103, folderName: 'Tradeshow C' } }]),
    sf('activities', 'marketoGUID', { marketoGUID: 'string', leadId: 'integer', activityDate: 'date-time', activity_type_id: 'integer', campaignId: 'integer', primary_attribute_value_id: 'integer', primary_attribute_value: 'string', attributes: 'array' }, [
      { marketoGUID: 'g1', leadId: 1001, activityDate: '2026-02-20T08:00:00Z', activity_type_id: 6, campaignId: null, primary_attribute_value_id: 501, primary_attribute_value: 'Booth invitation', attributes: [] },
      { marketoGUID: 'g2', leadId: 1001, activityDate: '2026-02-20T09:00:00Z', activity_type_id: 11, campaignId: null, primary_attribute_value_id: 501, primary_attribute_value: 'Booth invitation', attributes: [{ name: 'Link', value: 'https://x' }] },
      { marketoGUID: 'g3', leadId: 1002, activityDate: '2026-01-21T10:00:00Z', activity_type_id: 1, campaignId: null, primary_attribute_value_id: 900, primary_attribute_value: 'www.example.com/pricing', attributes: [] },
    ]),
  ],
};
