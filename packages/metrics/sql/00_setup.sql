-- Layer 0: settings and helpers every later file uses.
--
-- Placeholders ({{...}}) are filled in by the runner from metrics.json:
--   {{target}}            the output schema (default analytics), as an identifier
--   {{target_name}}, {{salesforce_name}}, {{zuora_name}}, {{marketo_name}}: schema names as strings
-- Everything here runs in one transaction with TimeZone = UTC, so a timestamptz cast to date is its UTC date.

-- The settings of this build, next to the numbers they explain.
create table {{target}}.settings as
select {{gross_margin}}::numeric              as gross_margin,
       {{fiscal_year_start_month}}::integer   as fiscal_year_start_month,
       {{time_decay_half_life_days}}::numeric as time_decay_half_life_days,
       {{as_of}}::date                        as as_of,
       {{iacv_field}}::text                   as iacv_field,
       now()                                  as built_at;

-- The periods a moment belongs to: its month, calendar quarter, fiscal year and 'all'.
-- A fiscal year is named after the calendar year in which it ends (FY2027 starts in Feb 2026
-- when fiscal_year_start_month = 2); with the default start month 1 it is the calendar year.
create function {{target}}.periods_of(at date)
returns table (period_type text, period text, period_start date)
language sql immutable parallel safe as $$
  select 'month', to_char(at, 'YYYY-MM'), date_trunc('month', at)::date
  union all
  select 'quarter', to_char(at, 'YYYY-"Q"Q'), date_trunc('quarter', at)::date
  union all
  select 'fiscal_year',
         'FY' || (extract(year from at)::int + case when {{fiscal_year_start_month}} > 1 and extract(month from at) >= {{fiscal_year_start_month}} then 1 else 0 end),
         make_date(extract(year from at)::int - case when extract(month from at) < {{fiscal_year_start_month}} then 1 else 0 end, {{fiscal_year_start_month}}, 1)
  union all
  select 'all', 'all', null::date
$$;

-- The attribution models and each touch's weight before normalisation (credit = weight / sum of
-- weights of the path), one column per model. A path is the ordered list of touches that led to
-- one conversion:
--   touch_position  1 = first touch, touches = last touch
--   lead_position   the first touch of the person the conversion started from (W-shaped "lead creation")
--   opp_position    the last touch at or before the opportunity was created (W-shaped "opportunity creation")
--   age_days        days from the touch to the conversion (time decay)
-- Milestones that fall on the same touch add up; a missing milestone counts as the first touch;
-- a path too short for the middle share gives it to nobody, and normalisation spreads it over the
-- milestones (U-shaped with two touches = 50/50).
-- (float8: weights only need to be compared and divided; the credits made from them are numeric)
create type {{target}}.model_weight as (first_touch float8, last_touch float8, linear float8, u_shaped float8, w_shaped float8, time_decay float8);

-- (setof, one row: a set-returning SQL function is inlined into the query that calls it)
create function {{target}}.model_weights(touch_position bigint, touches bigint, lead_position bigint, opp_position bigint, age_days integer)
returns setof {{target}}.model_weight
language sql immutable parallel safe as $$
  select case when touch_position = 1 then 1 else 0 end::float8,
         case when touch_position = touches then 1 else 0 end::float8,
         1::float8,
         case when touches = 1 then 1
              when touch_position = 1 or touch_position = touches then 0.4
              else 0.2 / (touches - 2) end::float8,
         case when touch_position in (1, coalesce(lead_position, 1), coalesce(opp_position, 1))
              then 0.3 * ((touch_position = 1)::int + (touch_position = coalesce(lead_position, 1))::int + (touch_position = coalesce(opp_position, 1))::int)
              -- the other touches share 10 %: touches minus the distinct milestone positions
              else 0.1 / greatest(1, touches - 1 - (coalesce(lead_position, 1) <> 1)::int
                                  - (coalesce(opp_position, 1) not in (1, coalesce(lead_position, 1)))::int)
         end::float8,
         power(0.5::float8, greatest(age_days, 0)::float8 / {{time_decay_half_life_days}}::float8)
$$;

create table {{target}}.model (model text primary key, description text);
insert into {{target}}.model values
  ('first_touch', 'All credit to the first touch'),
  ('last_touch',  'All credit to the last touch before the conversion'),
  ('linear',      'Equal credit to every touch'),
  ('u_shaped',    '40% first touch, 40% last touch, 20% shared by the touches between'),
  ('w_shaped',    '30% first touch, 30% lead-creation touch, 30% opportunity-creation touch, 10% shared by the others'),
  ('time_decay',  'Weight halves every time_decay_half_life_days before the conversion');

-- Creates a staging view over one raw table, generated from information_schema so that a
-- column the org lacks becomes a typed NULL and a missing table (a source not loaded yet)
-- gives an empty view. `columns` holds one column per line: `name type [from a|b|c]`
-- (the first source column that exists wins; default: the column of the same name).
-- Rows deleted at the source (_sdc_deleted_at set, or Salesforce IsDeleted) are left out.
create function {{target}}.create_staging_view(target_schema text, view_name text, source_schema text, source_table text, columns text)
returns void language plpgsql as $$
declare
  line text;
  parts text[];
  candidates text[];
  chosen text;
  select_list text[] := '{}';
  filters text[] := '{}';
  existing text[];
  table_exists boolean;
begin
  select coalesce(array_agg(column_name::text), '{}') into existing
  from information_schema.columns where table_schema = source_schema and table_name = source_table;
  table_exists := cardinality(existing) > 0;
  for line in select btrim(regexp_replace(l, '--.*$', '')) from regexp_split_to_table(columns, E'\n') l loop
    continue when line = '';
    parts := regexp_split_to_array(line, E'\\s+');
    if cardinality(parts) not in (2, 4) or (cardinality(parts) = 4 and parts[3] <> 'from') then
      raise exception 'staging view %: cannot read column line "%"', view_name, line;
    end if;
    candidates := case when cardinality(parts) = 4 then string_to_array(parts[4], '|') else array[parts[1]] end;
    select c into chosen from unnest(candidates) with ordinality u(c, n) where c = any(existing) order by n limit 1;
    select_list := select_list || case when chosen is null then format('null::%s as %I', parts[2], parts[1])
                                       else format('%I::%s as %I', chosen, parts[2], parts[1]) end;
  end loop;
  if '_sdc_deleted_at' = any(existing) then filters := filters || '_sdc_deleted_at is null'::text; end if;
  if 'isdeleted' = any(existing) then filters := filters || 'isdeleted is not true'::text; end if;
  if table_exists then
    execute format('create view %I.%I as select %s from %I.%I%s', target_schema, view_name, array_to_string(select_list, ', '),
                   source_schema, source_table, case when cardinality(filters) > 0 then ' where ' || array_to_string(filters, ' and ') else '' end);
  else
    execute format('create view %I.%I as select %s where false', target_schema, view_name, array_to_string(select_list, ', '));
  end if;
  execute format('comment on view %I.%I is %L', target_schema, view_name,
                 case when table_exists then format('staging of %I.%I', source_schema, source_table)
                      else format('%I.%I does not exist (yet): empty', source_schema, source_table) end);
end
$$;
