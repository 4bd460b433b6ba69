-- Data-quality checks, run by `bizops-metrics check` on a fresh build that is rolled back.
-- One row per check: its name, what it means, how many findings, and up to 5 examples.

select 'orphan_touches' as check_name,
       'touches whose person or campaign is unknown (a member of a deleted lead, a campaign that was not loaded)' as description,
       count(*) as findings,
       (array_agg(touchpoint_id order by touchpoint_id))[1:5] as examples
from {{target}}.touchpoint t
where t.person_id is null
   or (t.touch_type in ('campaign_member', 'program_member') and (t.campaign_id is null or not exists (select 1 from {{target}}.campaign c where c.campaign_id = t.campaign_id)))
union all
select 'opportunities_without_accounts',
       'opportunities whose AccountId is empty or names no loaded Account',
       count(*),
       (array_agg(opportunity_id order by opportunity_id))[1:5]
from {{target}}.opportunity o
where o.organization_id is null or not exists (select 1 from {{target}}.organization g where g.organization_id = o.organization_id)
union all
select 'subscriptions_without_crm_id',
       'Zuora subscriptions whose account has no CrmId, or one that matches no Salesforce Account',
       count(*),
       (array_agg(subscription_id order by subscription_id))[1:5]
from {{target}}.subscription s
where coalesce(btrim(s.crm_id), '') = '' or s.organization_id is null or s.organization_id like 'zuora-account:%'
union all
select 'duplicated_people',
       'e-mail addresses shared by more than one person (the records were not merged)',
       count(*),
       (array_agg(email order by email))[1:5]
from (select email from {{target}}.person where email is not null group by email having count(*) > 1) d
union all
select 'people_with_several_marketo_leads',
       'people with more than one Marketo lead (duplicates in Marketo that sync to one Salesforce record)',
       count(*),
       (array_agg(person_id order by person_id))[1:5]
from {{target}}.person where marketo_leads > 1
union all
select 'won_opportunities_without_touches',
       'won opportunities no campaign touched (their IACV is attributed to no campaign)',
       count(*),
       (array_agg(opportunity_id order by opportunity_id))[1:5]
from {{target}}.opportunity o
where o.is_won and not exists (select 1 from {{target}}.attribution_touch a where a.opportunity_id = o.opportunity_id)
