-- Layer 4: metrics per person (lead) and per organization, for every period and model.
-- Dated by the touch, like the campaign metrics.
--   leads             the person's lead credit in the period (1 in 'all' for a person with touches)
--   acquisition_cost  what the person cost: per credited touch, credit × the cost per lead of its
--                     campaign in the same period and model
--   customers, iacv   credit and IACV credit the person's touches earned on won opportunities
--   ltv, roi          organization: iacv × gross_margin × retention_years, and ltv / acquisition_cost
--   arr               organization: current ARR of its active Zuora subscriptions (not dated)
-- Views, not tables: there is a row per person, model and period, which a BI tool asks for a
-- slice of at a time (the filter on period_type and model reaches the facts).

create view {{target}}.person_metrics as
with fact as (
  select l.person_id, l.model, l.touched_at::date as on_date, l.campaign_id, l.credit as leads,
         0::numeric as customers, 0::numeric as iacv, null::integer as conversion_days, 1 as touches
  from {{target}}.lead_credit l
  union all
  select person_id, model, touched_at::date, campaign_id, 0, case when is_new_customer then credit else 0 end, iacv_credit,
         case when iacv > 0 then conversion_days end, 0
  from {{target}}.attribution_touch
),
dated as (
  select f.*, k.period_type, k.period, k.period_start
  from fact f join {{target}}.calendar k on k.on_date = f.on_date
)
select d.period_type, d.period, min(d.period_start) as period_start, d.model, d.person_id,
       min(pe.email) as email, min(pe.organization_id) as organization_id,
       sum(d.touches) as touches,
       round(sum(d.leads), 6) as leads,
       round(sum(d.leads * coalesce(cm.cost_per_lead, 0)), 2) as acquisition_cost,
       round(sum(d.customers), 6) as customers,
       round(sum(d.iacv), 2) as iacv,
       percentile_cont(0.5) within group (order by d.conversion_days)::numeric as median_conversion_days
from dated d
join {{target}}.person pe on pe.person_id = d.person_id
left join {{target}}.metrics_by_key cm
  on cm.grain = 'campaign' and cm.key = d.campaign_id and cm.model = d.model and cm.period_type = d.period_type and cm.period = d.period
group by d.period_type, d.period, d.model, d.person_id;

create view {{target}}.organization_metrics as
with arr as (
  select organization_id, sum(arr) as arr
  from {{target}}.subscription
  where ended_on is null or ended_on > (select as_of from {{target}}.settings)
  group by organization_id
)
select pm.period_type, pm.period, min(pm.period_start) as period_start, pm.model, pm.organization_id,
       min(o.name) as organization_name,
       count(*) as people,
       sum(pm.touches) as touches,
       sum(pm.leads) as leads,
       sum(pm.acquisition_cost) as acquisition_cost,
       sum(pm.customers) as customers,
       sum(pm.iacv) as iacv,
       min(a.arr) as arr,
       round(sum(pm.iacv) * min(s.gross_margin) * min(r.retention_years), 2) as ltv,
       round(sum(pm.iacv) * min(s.gross_margin) * min(r.retention_years) / nullif(sum(pm.acquisition_cost), 0), 4) as roi
from {{target}}.person_metrics pm
left join {{target}}.organization o on o.organization_id = pm.organization_id
left join arr a on a.organization_id = pm.organization_id
cross join {{target}}.settings s
cross join {{target}}.retention r
where pm.organization_id is not null
group by pm.period_type, pm.period, pm.model, pm.organization_id;
