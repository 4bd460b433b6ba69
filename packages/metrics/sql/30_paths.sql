-- Layer 3: conversion paths — the ordered touches that led to each conversion.
--
--   opportunity paths: a won opportunity's attributable touches, up to the end of its close date,
--     of every person of its organization and of its contact roles.
--   person (lead) paths: a person's attributable touches up to the creation of their
--     organization's first opportunity (all of them while there is none).
-- Touches are ordered by time, a membership before an activity at the same instant.
-- 31_credit.sql turns every path into credits per attribution model.

create table {{target}}.opportunity_person as
select o.opportunity_id, p.person_id
from {{target}}.opportunity o
join {{target}}.person p on p.organization_id = o.organization_id
union
select r.opportunityid, pi.person_id
from {{target}}.stg_salesforce_opportunitycontactrole r
join {{target}}.person_identity pi on pi.system = 'salesforce' and pi.record_type = 'contact' and pi.record_id = r.contactid
union
select o.opportunity_id, pi.person_id
from {{target}}.opportunity o
join {{target}}.person_identity pi on pi.system = 'salesforce' and pi.record_type = 'contact' and pi.record_id = o.salesforce_contact_id;

create index on {{target}}.opportunity_person (person_id);
analyze {{target}}.opportunity_person;

-- The person the opportunity started from: its contact, else its primary contact role.
create table {{target}}.opportunity_primary_person as
with primary_role as (
  select distinct on (opportunityid) opportunityid, contactid
  from {{target}}.stg_salesforce_opportunitycontactrole
  where isprimary
  order by opportunityid, contactid
)
select o.opportunity_id, coalesce(by_contact.person_id, by_role.person_id) as person_id
from {{target}}.opportunity o
left join primary_role r on r.opportunityid = o.opportunity_id
left join {{target}}.person_identity by_contact
  on by_contact.system = 'salesforce' and by_contact.record_type = 'contact' and by_contact.record_id = o.salesforce_contact_id
left join {{target}}.person_identity by_role
  on by_role.system = 'salesforce' and by_role.record_type = 'contact' and by_role.record_id = r.contactid
where coalesce(by_contact.person_id, by_role.person_id) is not null;

analyze {{target}}.opportunity_primary_person;

-- (temporary: only 31_credit.sql reads it)
create temp table conversion_path on commit drop as
with opportunity_path as (
  select w.opportunity_id, w.is_new_customer, w.iacv, t.touchpoint_id, t.person_id, t.campaign_id, t.touched_at,
         (w.close_date - t.touched_at::date) as age_days,
         row_number() over (partition by w.opportunity_id order by t.touched_at, t.touch_type not in ('campaign_member', 'program_member'), t.touchpoint_id) as position,
         count(*) over (partition by w.opportunity_id) as touches,
         t.person_id = pp.person_id as by_primary_person,
         t.touched_at <= w.created_at as before_creation
  from {{target}}.opportunity w
  join {{target}}.opportunity_person op on op.opportunity_id = w.opportunity_id
  join {{target}}.touchpoint t on t.person_id = op.person_id and t.attributable and t.touched_at < w.close_date + 1
  left join {{target}}.opportunity_primary_person pp on pp.opportunity_id = w.opportunity_id
  where w.is_won
),
conversion as (
  select op.person_id, min(o.created_at) as converted_at
  from {{target}}.opportunity_person op
  join {{target}}.opportunity o on o.opportunity_id = op.opportunity_id
  group by op.person_id
),
person_path as (
  select t.person_id, t.touchpoint_id, t.campaign_id, t.touched_at, c.converted_at,
         (coalesce(c.converted_at::date, (select as_of from {{target}}.settings)) - t.touched_at::date) as age_days,
         row_number() over (partition by t.person_id order by t.touched_at, t.touch_type not in ('campaign_member', 'program_member'), t.touchpoint_id) as position,
         count(*) over (partition by t.person_id) as touches
  from {{target}}.touchpoint t
  left join conversion c on c.person_id = t.person_id
  where t.attributable and (c.converted_at is null or t.touched_at <= c.converted_at)
)
select 'opportunity' as path_kind, 'opportunity:' || opportunity_id as path_id, opportunity_id, touchpoint_id, person_id, campaign_id, touched_at,
       position, touches,
       min(position) filter (where by_primary_person) over (partition by opportunity_id) as lead_position,
       max(position) filter (where before_creation) over (partition by opportunity_id) as opp_position,
       age_days, iacv, is_new_customer
from opportunity_path
union all
select 'person', 'person:' || person_id, null, touchpoint_id, person_id, campaign_id, touched_at,
       position, touches, 1, case when converted_at is not null then touches end,
       age_days, 0, false
from person_path;
