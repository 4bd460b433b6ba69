-- Layer 2: campaign_cost — what each campaign cost, dated.
-- Rule against double counting: Marketo program period costs (each with its startDate) are the
-- spend of a campaign that has any; Salesforce Campaign ActualCost (a running total, dated at the
-- campaign's StartDate, else its creation) counts only for a campaign without Marketo costs.
-- (Marketo's period costs sync to ActualCost, so counting both would count the spend twice.)

create table {{target}}.campaign_cost as
with marketo as (
  select c.campaign_id,
         (cost ->> 'startDate')::date as cost_date,
         (cost ->> 'cost')::numeric   as cost,
         cost ->> 'note'              as note
  from {{target}}.stg_marketo_programs p
  join {{target}}.campaign c on c.marketo_program_id = p.id
  cross join lateral jsonb_array_elements(case when jsonb_typeof(p.costs) = 'array' then p.costs else '[]'::jsonb end) cost
  where cost ->> 'startDate' is not null and cost ->> 'cost' is not null
),
salesforce as (
  select c.campaign_id,
         coalesce(sc.startdate, sc.createddate::date) as cost_date,
         sc.actualcost                                as cost
  from {{target}}.stg_salesforce_campaign sc
  join {{target}}.campaign c on c.salesforce_campaign_id = sc.id
  where coalesce(sc.actualcost, 0) <> 0
    and not exists (select 1 from marketo m where m.campaign_id = c.campaign_id)
)
select campaign_id, cost_date, date_trunc('month', cost_date)::date as month, cost, 'marketo' as source, note from marketo
union all
select campaign_id, cost_date, date_trunc('month', cost_date)::date, cost, 'salesforce', null from salesforce;

create index on {{target}}.campaign_cost (campaign_id);
