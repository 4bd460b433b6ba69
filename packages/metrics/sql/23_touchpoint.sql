-- Layer 2: touchpoint — every time a person met a campaign or a piece of collateral.
--
-- Sources:
--   * campaign memberships: Salesforce CampaignMember and Marketo program members. Joining a
--     campaign is the touch (touched_at = when the membership was created); responded tells
--     whether the person responded. Salesforce and Marketo record the same membership twice,
--     so a person counts one membership touch per campaign: the earliest.
--   * Marketo activities that show interest: form fills, e-mail clicks, link clicks, web page
--     visits and collateral downloads (sends, deliveries, opens and list imports are not touches).
--     Their campaign: the program of the e-mail (its folder), else the program of the smart
--     campaign that logged them, else the program of the landing page.
-- attributable: the touch has a person and a campaign, and does not predate the person (a
-- touch stamped before the person existed is clock skew between systems, not a first touch).

create table {{target}}.touchpoint as
with membership as (
  select 'salesforce-campaign-member:' || cm.id as touchpoint_id,
         coalesce(pc.person_id, pl.person_id) as person_id,
         cm.campaignid as campaign_id,
         cm.createddate as touched_at,
         'salesforce' as source,
         'campaign_member' as touch_type,
         coalesce(cm.hasresponded, false) as responded
  from {{target}}.stg_salesforce_campaignmember cm
  left join {{target}}.person_identity pc on pc.system = 'salesforce' and pc.record_type = 'contact' and pc.record_id = cm.contactid
  left join {{target}}.person_identity pl on pl.system = 'salesforce' and pl.record_type = 'lead' and pl.record_id = cm.leadid
  union all
  select 'marketo-program-member:' || coalesce(pm.id, pm.programid || '-' || pm.leadid),
         pi.person_id,
         pc.campaign_id,
         pm.membershipdate,
         'marketo',
         'program_member',
         coalesce(pm.reachedsuccess, false)
  from {{target}}.stg_marketo_program_members pm
  left join {{target}}.person_identity pi on pi.system = 'marketo' and pi.record_id = pm.leadid
  left join {{target}}.campaign pc on pc.marketo_program_id = pm.programid
),
first_membership as (
  select *, row_number() over (partition by person_id, campaign_id order by touched_at, source desc, touchpoint_id) as nth
  from membership
),
email_program as (
  select id as email_id, folder ->> 'value' as program_id from {{target}}.stg_marketo_emails where folder ->> 'type' = 'Program'
),
landing_page_program as (
  select id as landing_page_id, name, folder ->> 'value' as program_id from {{target}}.stg_marketo_landing_pages where folder ->> 'type' = 'Program'
),
activity as (
  select a.*,
         coalesce(t.name, case a.activity_type_id when 1 then 'Visit Webpage' when 2 then 'Fill Out Form' when 3 then 'Click Link'
                                                  when 10 then 'Open Email' when 11 then 'Click Email' end) as type_name
  from {{target}}.stg_marketo_activities a
  left join {{target}}.stg_marketo_activity_types t on t.id = a.activity_type_id
),
interest as (
  select a.*,
         case when type_name in ('Click Email', 'Open Email') then 'email'
              when type_name = 'Fill Out Form' then 'landing_page'
              when type_name ilike '%download%' then 'file'
              else 'web_page' end as asset_type,
         case when type_name = 'Fill Out Form' or type_name ilike '%download%' then
           coalesce(jsonb_path_query_first(a.attributes, '$[*] ? (@.name == "Webpage ID").value'),
                    jsonb_path_query_first(a.attributes, '$[*] ? (@.name == "Document ID").value')) #>> '{}'
         end as attribute_asset_id
  from activity a
  where type_name in ('Fill Out Form', 'Click Email', 'Click Link', 'Visit Webpage') or type_name ilike '%download%'
)
, touch as (
select touchpoint_id, person_id, campaign_id, touched_at, source, touch_type, responded,
       null::text as asset_type, null::text as asset_id, null::text as asset_name
from first_membership
where nth = 1 or person_id is null
union all
select 'marketo-activity:' || i.marketoguid,
       pi.person_id,
       coalesce(ec.campaign_id, sc.campaign_id, lc.campaign_id),
       i.activitydate,
       'marketo',
       lower(replace(i.type_name, ' ', '_')),
       true,
       i.asset_type,
       coalesce(i.attribute_asset_id, i.primary_attribute_value_id, i.primary_attribute_value),
       coalesce(lp.name, i.primary_attribute_value)
from interest i
left join {{target}}.person_identity pi on pi.system = 'marketo' and pi.record_id = i.leadid
left join email_program ep on i.asset_type = 'email' and ep.email_id = i.primary_attribute_value_id
left join {{target}}.campaign ec on ec.marketo_program_id = ep.program_id
left join {{target}}.stg_marketo_campaigns smart on smart.id = i.campaignid
left join {{target}}.campaign sc on sc.marketo_program_id = smart.programid
left join landing_page_program lp on i.asset_type = 'landing_page' and lp.landing_page_id = i.attribute_asset_id
left join {{target}}.campaign lc on lc.marketo_program_id = lp.program_id
)
select t.*,
       coalesce(t.campaign_id is not null and t.touched_at >= p.created_at, false) as attributable
from touch t
left join {{target}}.person p on p.person_id = t.person_id;

create index on {{target}}.touchpoint (person_id, touched_at) where attributable;
create index on {{target}}.touchpoint (campaign_id);

-- Statistics for the next files' plans (autovacuum does not see tables of an open transaction).
analyze {{target}}.touchpoint;
