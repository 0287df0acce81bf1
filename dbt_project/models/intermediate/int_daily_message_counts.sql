-- Activity messages per UTC day, from the first day with an activity message
-- to the as-of date, with a row of zero for every day without one. Empty when
-- there is no activity message up to the as-of date.
with

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

activity_counts as (
    select
        activity_date,
        sum(messages) as messages
    from user_days
    group by activity_date
),

series_bounds as (
    select
        min(activity_counts.activity_date) as first_activity_date,
        max(as_of.as_of_date) as as_of_date
    from activity_counts
    cross join as_of
),

day_spine as (
    {{ day_series(
        '(select first_activity_date from series_bounds)',
        '(select as_of_date from series_bounds)'
    ) }}
),

daily_counts as (
    select
        day_spine.day as activity_date,
        cast(coalesce(activity_counts.messages, 0) as bigint) as messages
    from day_spine
    left join activity_counts
        on day_spine.day = activity_counts.activity_date
)

select * from daily_counts
