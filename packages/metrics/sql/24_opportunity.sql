-- Layer 2: opportunity — Salesforce opportunities with their IACV.
--   iacv: the configured IACV field (default IACV__c), counted for won opportunities only (0 when
--         the field is empty). An org without that field falls back to Amount, except for
--         renewals: a renewal's amount is not incremental, so it counts 0.
--   is_new_customer: the opportunity that made the organization a customer — its first won
--         opportunity that is not a renewal, upsell or expansion. A renewal or an upsell never
--         makes a new customer, though its IACV (an upsell's) still counts.

create table {{target}}.opportunity as
with iacv_field as (
  select exists (select 1 from information_schema.columns
                 where table_schema = {{salesforce_name}} and table_name = 'opportunity' and column_name = '{{iacv_column}}') as present
),
o as (
  select *,
         coalesce(iswon, stagename = 'Closed Won', false) as won,
         coalesce(type, '') ~* '(renewal|upsell|expansion|add-on|existing)' as existing_business
  from {{target}}.stg_salesforce_opportunity
  cross join iacv_field
),
first_won as (
  select distinct on (accountid) id
  from o
  where won and not existing_business and accountid is not null
  order by accountid, closedate, createddate, id
)
select o.id                                   as opportunity_id,
       o.accountid                            as organization_id,
       o.contactid                            as salesforce_contact_id,
       o.name,
       o.type,
       o.stagename                            as stage,
       coalesce(o.isclosed, o.won)            as is_closed,
       o.won                                  as is_won,
       o.closedate                            as close_date,
       o.createddate                          as created_at,
       o.amount,
       case when not o.won then null
            when not o.present and coalesce(o.type, '') ~* 'renewal' then 0
            else coalesce(o.iacv, 0) end     as iacv,
       (f.id is not null)                     as is_new_customer
from o
left join first_won f on f.id = o.id;

alter table {{target}}.opportunity add primary key (opportunity_id);
create index on {{target}}.opportunity (organization_id);

-- Statistics for the next files' plans (autovacuum does not see tables of an open transaction).
analyze {{target}}.opportunity;
