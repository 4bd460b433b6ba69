-- Layer 2: campaign — a Salesforce Campaign and the Marketo program synced to it (program
-- sfdcId = Campaign Id) are one campaign, keyed by the Campaign Id; a program with no
-- Campaign is keyed 'marketo-program:<id>'. Name and channel come from Marketo when it has them.

create table {{target}}.campaign as
select coalesce(c.id, nullif(btrim(p.sfdcid), ''), 'marketo-program:' || p.id)    as campaign_id,
       coalesce(c.id, nullif(btrim(p.sfdcid), ''))                                 as salesforce_campaign_id,
       p.id                                                                        as marketo_program_id,
       coalesce(p.name, c.name)                                                    as name,
       coalesce(nullif(p.channel, ''), nullif(c.channel, ''), nullif(c.type, ''), 'Unknown') as channel,
       coalesce(p.type, c.type)                                                    as type,
       c.status,
       c.startdate                                                                 as start_date,
       c.enddate                                                                   as end_date,
       coalesce(p.createdat, c.createddate)                                        as created_at
from {{target}}.stg_marketo_programs p
full join {{target}}.stg_salesforce_campaign c on c.id = btrim(p.sfdcid);

alter table {{target}}.campaign add primary key (campaign_id);
create index on {{target}}.campaign (marketo_program_id);

-- Statistics for the next files' plans (autovacuum does not see tables of an open transaction).
analyze {{target}}.campaign;
