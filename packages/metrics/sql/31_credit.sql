-- Layer 3: credit — every conversion path (30_paths.sql) split over its touches, per model.
--
-- Each model (model_weights in 00_setup.sql) weighs every touch; credit = weight / total weight of
-- the path, rounded to 10 decimals, and the rounding remainder goes to the touch with the largest
-- weight (the earliest of equals), so the credits of a path sum to exactly 1 for every model.
-- iacv_credit = IACV × credit in cents, remainder to the same touch: it sums to exactly the IACV.
-- The models are columns until the end, so a path is sorted once, not once per model. The sums
-- over a path add its touches in position order: sums of float weights depend on their order,
-- so a fixed order gives the same credits on every run.
-- Unlogged: the biggest table of the build skips the write-ahead log; a server crash empties it
-- (and the attribution views over it) until the next build.

create unlogged table {{target}}.path_credit as
with weighted as (
  select p.*, w.*
  from conversion_path p
  cross join lateral {{target}}.model_weights(p.position, p.touches, p.lead_position, p.opp_position, p.age_days) w
),
totals as (
  select *,
         sum(first_touch) over path as first_touch_total, max(first_touch) over path as first_touch_max,
         sum(last_touch)  over path as last_touch_total,  max(last_touch)  over path as last_touch_max,
         sum(linear)      over path as linear_total,      max(linear)      over path as linear_max,
         sum(u_shaped)    over path as u_shaped_total,    max(u_shaped)    over path as u_shaped_max,
         sum(w_shaped)    over path as w_shaped_total,    max(w_shaped)    over path as w_shaped_max,
         sum(time_decay)  over path as time_decay_total,  max(time_decay)  over path as time_decay_max
  from weighted
  window path as (partition by path_id order by position rows between unbounded preceding and unbounded following)
),
shares as (
  select *,
         round((first_touch / first_touch_total)::numeric, 10) as first_touch_share,
         round((last_touch / last_touch_total)::numeric, 10)   as last_touch_share,
         round((linear / linear_total)::numeric, 10)           as linear_share,
         round((u_shaped / u_shaped_total)::numeric, 10)       as u_shaped_share,
         round((w_shaped / w_shaped_total)::numeric, 10)       as w_shaped_share,
         round((time_decay / time_decay_total)::numeric, 10)   as time_decay_share,
         min(position) filter (where first_touch = first_touch_max) over path as first_touch_pick,
         min(position) filter (where last_touch = last_touch_max)   over path as last_touch_pick,
         min(position) filter (where linear = linear_max)           over path as linear_pick,
         min(position) filter (where u_shaped = u_shaped_max)       over path as u_shaped_pick,
         min(position) filter (where w_shaped = w_shaped_max)       over path as w_shaped_pick,
         min(position) filter (where time_decay = time_decay_max)   over path as time_decay_pick
  from totals
  window path as (partition by path_id order by position rows between unbounded preceding and unbounded following)
),
sums as (
  select *,
         sum(first_touch_share) over path as first_touch_shares, sum(round(iacv * first_touch_share, 2)) over path as first_touch_cents,
         sum(last_touch_share)  over path as last_touch_shares,  sum(round(iacv * last_touch_share, 2))  over path as last_touch_cents,
         sum(linear_share)      over path as linear_shares,      sum(round(iacv * linear_share, 2))      over path as linear_cents,
         sum(u_shaped_share)    over path as u_shaped_shares,    sum(round(iacv * u_shaped_share, 2))    over path as u_shaped_cents,
         sum(w_shaped_share)    over path as w_shaped_shares,    sum(round(iacv * w_shaped_share, 2))    over path as w_shaped_cents,
         sum(time_decay_share)  over path as time_decay_shares,  sum(round(iacv * time_decay_share, 2))  over path as time_decay_cents
  from shares
  window path as (partition by path_id order by position rows between unbounded preceding and unbounded following)
)
select s.path_kind, s.opportunity_id, m.model, s.touchpoint_id, s.person_id, s.campaign_id, s.touched_at, s.position, s.touches,
       s.age_days as conversion_days, s.is_new_customer, s.iacv,
       case when s.position = m.pick then 1 - (m.shares - m.share) else m.share end as credit,
       case when s.position = m.pick then s.iacv - (m.cents - round(s.iacv * m.share, 2)) else round(s.iacv * m.share, 2) end as iacv_credit
from sums s
-- one row per model (a lateral union all: VALUES would set up its expressions again for every touch)
cross join lateral (
  select 'first_touch' as model, s.first_touch as weight, s.first_touch_share as share, s.first_touch_pick as pick,
         s.first_touch_shares as shares, s.first_touch_cents as cents
  union all select 'last_touch', s.last_touch, s.last_touch_share, s.last_touch_pick, s.last_touch_shares, s.last_touch_cents
  union all select 'linear',     s.linear,     s.linear_share,     s.linear_pick,     s.linear_shares,     s.linear_cents
  union all select 'u_shaped',   s.u_shaped,   s.u_shaped_share,   s.u_shaped_pick,   s.u_shaped_shares,   s.u_shaped_cents
  union all select 'w_shaped',   s.w_shaped,   s.w_shaped_share,   s.w_shaped_pick,   s.w_shaped_shares,   s.w_shaped_cents
  union all select 'time_decay', s.time_decay, s.time_decay_share, s.time_decay_pick, s.time_decay_shares, s.time_decay_cents
) m
where m.weight > 0;

-- Won opportunities → touches: credit and IACV credit per touch and model. A won opportunity
-- without any touch has no rows.
create view {{target}}.attribution_touch as
select opportunity_id, model, touchpoint_id, person_id, campaign_id, touched_at, position, touches,
       conversion_days, is_new_customer, iacv, credit, iacv_credit
from {{target}}.path_credit where path_kind = 'opportunity';

-- One row per won opportunity, campaign and model: the view BI tools read.
create view {{target}}.attribution as
select opportunity_id, campaign_id, model, sum(credit) as credit, sum(iacv_credit) as iacv_credit
from {{target}}.attribution_touch
group by opportunity_id, campaign_id, model;

-- People → touches: a person is one lead, shared by the touches of their path and counted in the
-- period of each credited touch (first touch: when the person became a lead).
create view {{target}}.lead_credit as
select person_id, model, touchpoint_id, campaign_id, touched_at, position, touches, credit
from {{target}}.path_credit where path_kind = 'person';

analyze {{target}}.path_credit;
