-- Layer 4: collateral usage — per e-mail, landing page, file and web page: how often it was
-- touched, by how many people, and the IACV it influenced: the full IACV of every won
-- opportunity one of whose people touched it before the close (influence, not attribution:
-- one deal counts for every piece of collateral on its path).

create table {{target}}.collateral_usage as
with usage as (
  select asset_type, asset_id, max(asset_name) as asset_name, count(*) as touches, count(distinct person_id) as people
  from {{target}}.touchpoint
  where asset_type is not null
  group by asset_type, asset_id
),
influence as (
  select distinct t.asset_type, t.asset_id, o.opportunity_id, o.iacv
  from {{target}}.touchpoint t
  join {{target}}.opportunity_person op on op.person_id = t.person_id
  join {{target}}.opportunity o on o.opportunity_id = op.opportunity_id and o.is_won and t.touched_at < o.close_date + 1
  where t.asset_type is not null
),
-- summed per asset before the join: an asset id may be null, and a join on "is not distinct from"
-- cannot be hashed, so every asset would be compared with every deal of its type
influence_total as (
  select asset_type, asset_id, count(*) as influenced_opportunities, sum(iacv) as influenced_iacv
  from influence
  group by asset_type, asset_id
)
select u.asset_type, u.asset_id, u.asset_name, u.touches, u.people,
       coalesce(i.influenced_opportunities, 0) as influenced_opportunities,
       coalesce(i.influenced_iacv, 0) as influenced_iacv
from usage u
left join influence_total i on i.asset_type = u.asset_type and i.asset_id is not distinct from u.asset_id;
