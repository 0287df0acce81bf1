-- Monthly retention of signup-month cohorts as a full triangle. Every month
-- from the first signup month to the as-of month is a cohort, of size 0 when
-- no profile was created in it. Every cohort has a row for each month from
-- its signup month to the as-of month.
with

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

cohort_members as (
    select
        profiles.user_id,
        cast({{ dbt.date_trunc('month', 'profiles.signup_date') }} as date)
            as cohort_month
    from profiles
    cross join as_of
    where profiles.created_at < as_of.as_of_end_at
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from cohort_members
    group by cohort_month
),

calendar_months as (
    select distinct month_start
    from calendar
),

first_cohort_month as (
    select min(cohort_month) as first_month
    from cohort_members
),

cohort_months as (
    select calendar_months.month_start as cohort_month
    from calendar_months
    inner join first_cohort_month
        on calendar_months.month_start >= first_cohort_month.first_month
),

cohort_grid as (
    select
        cohort_months.cohort_month,
        calendar_months.month_start as activity_month
    from cohort_months
    inner join calendar_months
        on cohort_months.cohort_month <= calendar_months.month_start
),

user_months as (
    select distinct
        user_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
            as activity_month
    from user_days
),

cohort_activity as (
    select
        cohort_members.cohort_month,
        user_months.activity_month,
        count(*) as active_users
    from cohort_members
    inner join user_months
        on cohort_members.user_id = user_months.user_id
    where user_months.activity_month >= cohort_members.cohort_month
    group by cohort_members.cohort_month, user_months.activity_month
),

retention as (
    select
        cohort_grid.cohort_month,
        coalesce(cohort_sizes.cohort_size, 0) as cohort_size,
        cast(
            {{ dbt.datediff(
                'cohort_grid.cohort_month',
                'cohort_grid.activity_month',
                'month'
            ) }} as integer
        ) as months_since_signup,
        coalesce(cohort_activity.active_users, 0) as active_users,
        cast(coalesce(cohort_activity.active_users, 0) as double precision)
        / nullif(cohort_sizes.cohort_size, 0) as retention_rate,
        cohort_grid.activity_month
        < cast({{ dbt.date_trunc('month', 'as_of.as_of_date') }} as date)
            as is_complete_period
    from cohort_grid
    cross join as_of
    left join cohort_sizes
        on cohort_grid.cohort_month = cohort_sizes.cohort_month
    left join cohort_activity
        on
            cohort_grid.cohort_month = cohort_activity.cohort_month
            and cohort_grid.activity_month = cohort_activity.activity_month
)

select * from retention
