-- Day spine of the daily, weekly and monthly marts. It has every day from the
-- first day with an activity message or a new profile to the as-of date, and
-- it is empty when neither exists by the as-of date.
with

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_days as (
    select min(user_days.activity_date) as first_day
    from user_days
    union all
    select min(profiles.signup_date) as first_day
    from profiles
    cross join as_of
    where profiles.created_at < as_of.as_of_end_at
),

bounds as (
    select
        min(first_days.first_day) as first_day,
        max(as_of.as_of_date) as last_day
    from first_days
    cross join as_of
),

days as (
    {{ day_series(
        '(select first_day from bounds)',
        '(select last_day from bounds)'
    ) }}
),

calendar_days as (
    select
        days.day as calendar_date,
        cast({{ dbt.date_trunc('week', 'days.day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'days.day') }} as date)
            as month_start,
        {{ dbt.datediff('bounds.first_day', 'days.day', 'day') }}
            as day_number
    from days
    cross join bounds
)

select * from calendar_days
