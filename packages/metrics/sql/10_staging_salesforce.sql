-- Layer 1: staging views over the raw Salesforce tables (tap-salesforce | target-postgres).
-- One line per column: `name type [from source_a|source_b]`; a column the org lacks is NULL.

select {{target}}.create_staging_view({{target_name}}, 'stg_salesforce_account', {{salesforce_name}}, 'account', $columns$
  id            text
  name          text
  type          text
  createddate   timestamptz
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_salesforce_contact', {{salesforce_name}}, 'contact', $columns$
  id            text
  accountid     text
  email         text
  createddate   timestamptz
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_salesforce_lead', {{salesforce_name}}, 'lead', $columns$
  id                  text
  email               text
  createddate         timestamptz
  isconverted         boolean
  converteddate       date
  convertedcontactid  text
  convertedaccountid  text
$columns$);

-- iacv: the configured IACV field (iacv_field, default IACV__c), or Amount where the org has no such field.
select {{target}}.create_staging_view({{target_name}}, 'stg_salesforce_opportunity', {{salesforce_name}}, 'opportunity', $columns$
  id            text
  accountid     text
  contactid     text
  name          text
  type          text
  stagename     text
  isclosed      boolean
  iswon         boolean
  closedate     date
  createddate   timestamptz
  amount        numeric
  iacv          numeric   from {{iacv_column}}|amount
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_salesforce_opportunitycontactrole', {{salesforce_name}}, 'opportunitycontactrole', $columns$
  id             text
  opportunityid  text
  contactid      text
  isprimary      boolean
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_salesforce_campaign', {{salesforce_name}}, 'campaign', $columns$
  id            text
  name          text
  type          text
  channel       text      from channel__c|type
  status        text
  startdate     date
  enddate       date
  actualcost    numeric
  budgetedcost  numeric
  createddate   timestamptz
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_salesforce_campaignmember', {{salesforce_name}}, 'campaignmember', $columns$
  id                  text
  campaignid          text
  leadid              text
  contactid           text
  status              text
  hasresponded        boolean
  firstrespondeddate  date
  createddate         timestamptz
$columns$);
