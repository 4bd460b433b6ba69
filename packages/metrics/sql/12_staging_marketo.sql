-- Layer 1: staging views over the raw Marketo tables (tap-marketo | target-postgres).
-- Marketo ids are integers; they are kept as text so that they join like every other id.

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_leads', {{marketo_name}}, 'leads', $columns$
  id                    text
  email                 text
  createdat             timestamptz
  sfdcleadid            text
  sfdccontactid         text
  sfdcaccountid         text
  acquisitionprogramid  text
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_deleted_leads', {{marketo_name}}, 'deleted_leads', $columns$
  id         text
  deletedat  timestamptz
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_programs', {{marketo_name}}, 'programs', $columns$
  id         text
  name       text
  type       text
  channel    text
  costs      jsonb
  sfdcid     text
  createdat  timestamptz
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_program_members', {{marketo_name}}, 'program_members', $columns$
  id              text
  programid       text
  leadid          text
  statusname      text
  reachedsuccess  boolean
  membershipdate  timestamptz   from membershipdate|createdat
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_campaigns', {{marketo_name}}, 'campaigns', $columns$
  id         text
  name       text
  programid  text
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_activities', {{marketo_name}}, 'activities', $columns$
  marketoguid                 text
  leadid                      text
  activitydate                timestamptz
  activity_type_id            integer
  campaignid                  text
  primary_attribute_value_id  text
  primary_attribute_value     text
  attributes                  jsonb
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_activity_types', {{marketo_name}}, 'activity_types', $columns$
  id    integer
  name  text
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_emails', {{marketo_name}}, 'emails', $columns$
  id      text
  name    text
  folder  jsonb
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_marketo_landing_pages', {{marketo_name}}, 'landing_pages', $columns$
  id      text
  name    text
  folder  jsonb
$columns$);
