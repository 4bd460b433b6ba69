-- Layer 4: funnel — per period, how many people became leads and contacts, how many
-- opportunities were opened and won, and the IACV won (dated by close date).

create view {{target}}.funnel as
with event as (
  select created_at::date as on_date, 1 as leads, 0 as contacts, 0 as opportunities, 0 as won, 0 as new_customers, 0::numeric as iacv
  from {{target}}.person
  union all
  select createddate::date, 0, 1, 0, 0, 0, 0 from {{target}}.stg_salesforce_contact
  union all
  select created_at::date, 0, 0, 1, 0, 0, 0 from {{target}}.opportunity
  union all
  select close_date, 0, 0, 0, 1, is_new_customer::int, iacv from {{target}}.opportunity where is_won
)
select p.period_type, p.period, min(p.period_start) as period_start,
       sum(leads) as leads, sum(contacts) as contacts, sum(opportunities) as opportunities,
       sum(won) as won, sum(new_customers) as new_customers, sum(iacv) as iacv
from event e cross join lateral {{target}}.periods_of(e.on_date) p
where e.on_date is not null
group by p.period_type, p.period;
