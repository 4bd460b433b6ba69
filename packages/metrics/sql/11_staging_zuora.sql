-- Layer 1: staging views over the raw Zuora tables (tap-zuora | target-postgres).
-- Empty views while the zuora schema does not exist.

select {{target}}.create_staging_view({{target_name}}, 'stg_zuora_account', {{zuora_name}}, 'account', $columns$
  id            text
  crmid         text
  name          text
  status        text
  createddate   timestamptz
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_zuora_subscription', {{zuora_name}}, 'subscription', $columns$
  id                     text
  accountid              text
  originalid             text
  version                integer
  status                 text
  subscriptionstartdate  date
  subscriptionenddate    date
  termstartdate          date
  termenddate            date
  cancelleddate          date
  mrr                    numeric
  createddate            timestamptz
  updateddate            timestamptz
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_zuora_rateplan', {{zuora_name}}, 'rateplan', $columns$
  id              text
  subscriptionid  text
$columns$);

select {{target}}.create_staging_view({{target_name}}, 'stg_zuora_rateplancharge', {{zuora_name}}, 'rateplancharge', $columns$
  id          text
  rateplanid  text
  chargetype  text
  mrr         numeric
  tcv         numeric
$columns$);
