-- Layer 2: person — one id per human across Salesforce (Lead, Contact) and Marketo (lead).
--
-- person_identity lists every source record with the person it belongs to. Rules, first match wins:
--   Salesforce Contact:  is its own person ('salesforce-contact:<Id>').
--   Salesforce Lead:     the Contact it was converted to; else the one Contact with the same
--                        e-mail; else its own person ('salesforce-lead:<Id>').
--   Marketo lead:        the Contact of sfdcContactId; else the person of the Lead of sfdcLeadId
--                        (synced ids win over e-mail, so one human under two e-mails is one
--                        person); else the one Contact, then the one Lead person, with the same
--                        e-mail; else its own person ('marketo-lead:<id>'). Deleted leads are left out.
-- E-mails compare trimmed and lower-cased, and only when they name exactly one candidate.

create table {{target}}.person_identity as
with contact as (
  select id, accountid, lower(btrim(email)) as email, createddate
  from {{target}}.stg_salesforce_contact
),
contact_by_email as (
  select email, min(id) as contact_id
  from contact where email <> '' group by email having count(*) = 1
),
lead as (
  select l.id, lower(btrim(l.email)) as email, l.createddate, l.convertedaccountid,
         coalesce('salesforce-contact:' || c.id, 'salesforce-contact:' || ce.contact_id, 'salesforce-lead:' || l.id) as person_id
  from {{target}}.stg_salesforce_lead l
  left join contact c on c.id = l.convertedcontactid
  left join contact_by_email ce on ce.email = lower(btrim(l.email))
),
lead_by_email as (
  select email, min(person_id) as person_id
  from lead where email <> '' group by email having count(distinct person_id) = 1
),
marketo as (
  select m.id, lower(btrim(m.email)) as email, m.createdat, m.sfdcaccountid,
         coalesce('salesforce-contact:' || c.id, l.person_id, 'salesforce-contact:' || ce.contact_id, le.person_id, 'marketo-lead:' || m.id) as person_id
  from {{target}}.stg_marketo_leads m
  left join contact c on c.id = m.sfdccontactid
  left join lead l on l.id = m.sfdcleadid
  left join contact_by_email ce on ce.email = lower(btrim(m.email))
  left join lead_by_email le on le.email = lower(btrim(m.email))
  where not exists (select 1 from {{target}}.stg_marketo_deleted_leads d where d.id = m.id)
)
select 'salesforce-contact:' || id as person_id, 'salesforce' as system, 'contact' as record_type, id as record_id,
       email, createddate as created_at, accountid as account_id
from contact
union all
select person_id, 'salesforce', 'lead', id, email, createddate, convertedaccountid from lead
union all
select person_id, 'marketo', 'lead', id, email, createdat, sfdcaccountid from marketo;

create index on {{target}}.person_identity (system, record_id);
create index on {{target}}.person_identity (person_id);

-- email: the Contact's, else a Salesforce Lead's, else a Marketo lead's.
-- organization_id: the Contact's Account, else the Account the Lead was converted to, else
-- Marketo's sfdcAccountId.
create table {{target}}.person as
select person_id,
       coalesce(min(email) filter (where record_type = 'contact' and email <> ''),
                min(email) filter (where system = 'salesforce' and email <> ''),
                min(email) filter (where email <> ''))                                 as email,
       min(record_id) filter (where system = 'salesforce' and record_type = 'contact') as salesforce_contact_id,
       min(record_id) filter (where system = 'salesforce' and record_type = 'lead')    as salesforce_lead_id,
       min(record_id) filter (where system = 'marketo')                                as marketo_lead_id,
       count(*) filter (where system = 'marketo')                                      as marketo_leads,
       count(*) filter (where system = 'salesforce' and record_type = 'lead')          as salesforce_leads,
       coalesce(min(account_id) filter (where record_type = 'contact' and account_id <> ''),
                min(account_id) filter (where system = 'salesforce' and account_id <> ''),
                min(account_id) filter (where account_id <> ''))                       as organization_id,
       min(created_at)                                                                 as created_at
from {{target}}.person_identity
group by person_id;

alter table {{target}}.person add primary key (person_id);
create index on {{target}}.person (organization_id);

-- Statistics for the next files' plans (autovacuum does not see tables of an open transaction).
analyze {{target}}.person_identity;
analyze {{target}}.person;
