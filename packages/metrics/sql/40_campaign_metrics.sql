-- Layer 4: metrics per campaign and per channel, for every period and attribution model.
--
-- Everything is dated by the touch (a cohort view): a period's leads, customers and IACV are
-- those its touches earned, whenever the deal closed; its spend is the costs dated in it.
--   spend                   campaign_cost in the period (not attributed: a cost belongs to its campaign)
--   leads                   lead credit of the period's touches (first touch: people acquired in the period)
--   cost_per_lead           spend / leads
--   customers               credit of the opportunities that made a new customer (renewals and upsells do not)
--   iacv                    IACV credit of all won opportunities (new business and upsell)
--   median_conversion_days  median of days from a credited touch to the close of a won opportunity with IACV > 0
--   iacv_at_median          IACV credit of those whose conversion took at most median_conversion_days
--   estimated_iacv          2 × iacv_at_median (the origin document's estimate of a cohort's eventual IACV)
--   lead_to_customer_rate   customers / leads
--   cac                     spend / customers, which is cost_per_lead / lead_to_customer_rate. The origin
--                           document writes "cost per lead * conversion from lead to IACV"; read as a
--                           cost per customer it must divide by the conversion rate.
--   ltv                     IACV per customer × gross_margin × retention_years (subscription.sql: 1 / churn rate)
--   roi                     ltv / cac
-- A ratio whose divisor is 0 is null.

-- The facts, summed per campaign, model, day and conversion time (few rows, whatever the volume):
-- conversion_days is set on won IACV (for the median) and null on everything else. One pass over
-- the credits, hashed: sorting millions of rows for a few hundred thousand groups is slower.
-- Each credit row adds only to the sum it belongs to (filter), not zeros to all of them; a sum
-- with nothing to add is 0.
set local enable_sort = off;

create temp table daily_fact on commit drop as
with fact as (
  select c.campaign_id, m.model, c.cost_date as on_date, null::integer as conversion_days,
         'cost' as path_kind, c.cost as spend, null::numeric as credit, null::numeric as iacv_credit, null::boolean as is_new_customer
  from {{target}}.campaign_cost c
  cross join {{target}}.model m
  union all
  -- lead_credit and attribution_touch, read in one pass over the table beneath them
  select campaign_id, model, touched_at::date, case when path_kind = 'opportunity' and iacv > 0 then conversion_days end,
         path_kind, null, credit, iacv_credit, is_new_customer
  from {{target}}.path_credit
)
select campaign_id, model, on_date, conversion_days,
       coalesce(sum(spend), 0)                                                                as spend,
       coalesce(sum(credit) filter (where path_kind = 'person'), 0)                           as leads,
       coalesce(sum(credit) filter (where path_kind = 'opportunity' and is_new_customer), 0)  as customers,
       coalesce(sum(iacv_credit) filter (where path_kind = 'opportunity'), 0)                 as iacv,
       count(conversion_days)                                                                 as conversions
from fact
group by campaign_id, model, on_date, conversion_days;

set local enable_sort = on;

-- Every day that has a fact, with its periods (periods_of in 00_setup.sql).
create table {{target}}.calendar as
select d.on_date, p.period_type, p.period, p.period_start
from (select distinct on_date from daily_fact where on_date is not null) d
cross join lateral {{target}}.periods_of(d.on_date) p;

analyze {{target}}.calendar;

-- The same facts per period, keyed by campaign and by channel: one row of totals
-- (conversion_days null) and the conversion histogram (conversion_days set, won IACV only).
-- Totals and histogram are summed apart (a histogram group needs only its IACV and count; the
-- totals are summed per day first), and a channel's rows are the sums of its campaigns' rows.
create temp table period_fact on commit drop as
with campaign_fact as (
  select f.campaign_id, f.model, k.period_type, k.period, min(k.period_start) as period_start, null::integer as conversion_days,
         sum(f.spend) as spend, sum(f.leads) as leads, sum(f.customers) as customers, sum(f.iacv) as iacv, null::numeric as conversions
  from (select campaign_id, model, on_date, sum(spend) as spend, sum(leads) as leads, sum(customers) as customers, sum(iacv) as iacv
        from daily_fact group by campaign_id, model, on_date) f
  join {{target}}.calendar k on k.on_date = f.on_date
  group by f.campaign_id, f.model, k.period_type, k.period
  union all
  select f.campaign_id, f.model, k.period_type, k.period, null, f.conversion_days, null, null, null, sum(f.iacv), sum(f.conversions)
  from daily_fact f
  join {{target}}.calendar k on k.on_date = f.on_date
  where f.conversion_days is not null
  group by f.campaign_id, f.model, k.period_type, k.period, f.conversion_days
),
keyed as (
  select f.*, coalesce(c.channel, 'Unknown') as channel
  from campaign_fact f
  left join {{target}}.campaign c on c.campaign_id = f.campaign_id
)
select 'campaign' as grain, campaign_id as key, channel, model, period_type, period, period_start, conversion_days,
       spend, leads, customers, iacv, conversions
from keyed
union all
select 'channel', channel, channel, model, period_type, period, min(period_start), conversion_days,
       sum(spend), sum(leads), sum(customers), sum(iacv), sum(conversions)
from keyed
group by channel, model, period_type, period, conversion_days;

create table {{target}}.metrics_by_key as
with histogram as (
  select *,
         sum(conversions) over (partition by grain, key, model, period_type, period order by conversion_days) as running,
         sum(conversions) over (partition by grain, key, model, period_type, period) as n
  from period_fact
  where conversion_days is not null and conversions > 0
),
-- The median of the conversion times: the middle one, or the mean of the two middle ones.
median as (
  select grain, key, model, period_type, period,
         (min(conversion_days) filter (where running >= floor((n + 1) / 2)) + min(conversion_days) filter (where running >= floor(n / 2) + 1)) / 2.0 as median_days
  from histogram
  group by grain, key, model, period_type, period
),
at_median as (
  select h.grain, h.key, h.model, h.period_type, h.period, sum(h.iacv) as iacv_at_median
  from histogram h
  join median m using (grain, key, model, period_type, period)
  where h.conversion_days <= m.median_days
  group by h.grain, h.key, h.model, h.period_type, h.period
),
total as (
  select f.grain, f.key, f.model, f.period_type, f.period, f.period_start, f.channel,
         f.spend, f.leads, f.customers, f.iacv,
         m.median_days,
         coalesce(a.iacv_at_median, 0) as iacv_at_median
  from period_fact f
  left join median m using (grain, key, model, period_type, period)
  left join at_median a using (grain, key, model, period_type, period)
  where f.conversion_days is null
),
ratio as (
  select t.*,
         t.spend / nullif(t.leads, 0)                                                  as cost_per_lead,
         t.customers / nullif(t.leads, 0)                                              as lead_to_customer_rate,
         t.spend / nullif(t.customers, 0)                                              as cac,
         t.iacv / nullif(t.customers, 0) * s.gross_margin * r.retention_years          as ltv
  from total t cross join {{target}}.settings s cross join {{target}}.retention r
)
select grain, key, channel, model, period_type, period, period_start,
       round(spend, 2)                        as spend,
       round(leads, 6)                        as leads,
       round(cost_per_lead, 2)                as cost_per_lead,
       round(customers, 6)                    as customers,
       round(lead_to_customer_rate, 6)        as lead_to_customer_rate,
       round(iacv, 2)                         as iacv,
       round(median_days, 1)                  as median_conversion_days,
       round(iacv_at_median, 2)               as iacv_at_median,
       round(2 * iacv_at_median, 2)           as estimated_iacv,
       round(cac, 2)                          as cac,
       round(ltv, 2)                          as ltv,
       round(ltv / nullif(cac, 0), 4)         as roi
from ratio;

create index on {{target}}.metrics_by_key (grain, period_type, model);

create view {{target}}.campaign_metrics as
select m.period_type, m.period, m.period_start, m.key as campaign_id, c.name as campaign_name, m.channel, m.model,
       m.spend, m.leads, m.cost_per_lead, m.customers, m.lead_to_customer_rate, m.iacv, m.median_conversion_days,
       m.iacv_at_median, m.estimated_iacv, m.cac, m.ltv, m.roi
from {{target}}.metrics_by_key m
left join {{target}}.campaign c on c.campaign_id = m.key
where m.grain = 'campaign';

create view {{target}}.channel_metrics as
select period_type, period, period_start, channel, model,
       spend, leads, cost_per_lead, customers, lead_to_customer_rate, iacv, median_conversion_days,
       iacv_at_median, estimated_iacv, cac, ltv, roi
from {{target}}.metrics_by_key
where grain = 'channel';
