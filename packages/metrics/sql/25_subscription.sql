-- Layer 2: subscription — Zuora subscriptions, every version (amendment, renewal,
-- cancellation) collapsed into one row per original subscription (OriginalId).
--   mrr / arr:  of the newest version (MRR summed over its rate plan charges; a subscription
--               MRR column is used when the raw table has one), first_mrr of the first version.
--   ended_on:   the cancellation date, else the end date of an expired newest version; null while active.

create table {{target}}.subscription as
with version_mrr as (
  select rp.subscriptionid, sum(c.mrr) as mrr
  from {{target}}.stg_zuora_rateplan rp
  join {{target}}.stg_zuora_rateplancharge c on c.rateplanid = rp.id
  group by rp.subscriptionid
),
version as (
  select s.*, coalesce(nullif(btrim(s.originalid), ''), s.id) as original_id, coalesce(s.mrr, vm.mrr, 0) as version_mrr
  from {{target}}.stg_zuora_subscription s
  left join version_mrr vm on vm.subscriptionid = s.id
),
ranked as (
  select *,
         row_number() over (partition by original_id order by version desc nulls last, updateddate desc nulls last, id desc) as newest,
         row_number() over (partition by original_id order by version nulls last, createddate nulls last, id) as oldest
  from version
)
select r.original_id                                                   as subscription_id,
       max(m.organization_id) filter (where r.newest = 1)              as organization_id,
       max(r.accountid) filter (where r.newest = 1)                    as zuora_account_id,
       max(m.crm_id) filter (where r.newest = 1)                       as crm_id,
       count(*)                                                        as versions,
       max(r.status) filter (where r.newest = 1)                       as status,
       min(r.subscriptionstartdate)                                    as start_date,
       max(r.termenddate) filter (where r.newest = 1)                  as term_end_date,
       max(r.cancelleddate)                                            as cancelled_date,
       coalesce(max(r.cancelleddate),
                max(coalesce(r.subscriptionenddate, r.termenddate)) filter (where r.newest = 1 and r.status = 'Expired')) as ended_on,
       max(r.version_mrr) filter (where r.newest = 1)                  as mrr,
       12 * max(r.version_mrr) filter (where r.newest = 1)             as arr,
       max(r.version_mrr) filter (where r.oldest = 1)                  as first_mrr
from ranked r
left join {{target}}.zuora_account_organization m on m.zuora_account_id = r.accountid
group by r.original_id;

alter table {{target}}.subscription add primary key (subscription_id);
create index on {{target}}.subscription (organization_id);

-- Average retention time, in years, from the subscriptions (one row):
--   observed_lifetime_years: mean lifetime of the subscriptions that have ended (biased low:
--                            long-lived customers have not ended yet).
--   retention_years:         1 / churn rate, churn rate = ended subscriptions / subscription-years
--                            of exposure, where an active subscription is exposed from its start
--                            to as_of. This is the estimate LTV uses; it accounts for the
--                            still-active subscriptions. Null while no subscription has ended.
create table {{target}}.retention as
with s as (
  select start_date,
         ended_on,
         (least(coalesce(ended_on, (select as_of from {{target}}.settings)), (select as_of from {{target}}.settings)) - start_date) as exposed_days,
         ended_on is not null and ended_on <= (select as_of from {{target}}.settings) as ended
  from {{target}}.subscription
  where start_date is not null and start_date <= (select as_of from {{target}}.settings)
)
select count(*)                                                     as subscriptions,
       count(*) filter (where ended)                                as ended_subscriptions,
       round(avg(exposed_days) filter (where ended) / 365.0, 6)     as observed_lifetime_years,
       sum(exposed_days)                                            as exposure_days,
       round(sum(exposed_days) / 365.0 / nullif(count(*) filter (where ended), 0), 6) as retention_years
from s;

-- Statistics for the next files' plans (autovacuum does not see tables of an open transaction).
analyze {{target}}.subscription;
