-- Layer 2: organization — one row per real company.
-- A Salesforce Account is the organization; a Zuora account joins it through CrmId (the
-- Account Id; a 15-character id also matches its 18-character form).
-- A Zuora account whose CrmId matches no Account becomes an organization of its own.

create table {{target}}.zuora_account_organization as
select z.id as zuora_account_id,
       z.crmid as crm_id,
       coalesce(same.id, by_prefix.id, 'zuora-account:' || z.id) as organization_id
from {{target}}.stg_zuora_account z
left join {{target}}.stg_salesforce_account same on same.id = btrim(z.crmid)
left join {{target}}.stg_salesforce_account by_prefix
  on length(btrim(z.crmid)) in (15, 18) and length(by_prefix.id) in (15, 18) and left(by_prefix.id, 15) = left(btrim(z.crmid), 15);

create table {{target}}.organization as
with zuora as (
  select organization_id, array_agg(zuora_account_id order by zuora_account_id) as zuora_account_ids
  from {{target}}.zuora_account_organization
  group by organization_id
)
select a.id                  as organization_id,
       a.id                  as salesforce_account_id,
       z.zuora_account_ids,
       a.name,
       a.type                as salesforce_type,
       a.createddate         as created_at
from {{target}}.stg_salesforce_account a
left join zuora z on z.organization_id = a.id
union all
select m.organization_id, null, array[m.zuora_account_id], z.name, null, z.createddate
from {{target}}.zuora_account_organization m
join {{target}}.stg_zuora_account z on z.id = m.zuora_account_id
where m.organization_id like 'zuora-account:%';

alter table {{target}}.organization add primary key (organization_id);

-- Statistics for the next files' plans (autovacuum does not see tables of an open transaction).
analyze {{target}}.zuora_account_organization;
analyze {{target}}.organization;
