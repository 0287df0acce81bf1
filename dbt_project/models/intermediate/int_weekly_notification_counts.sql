-- Notifications sent, seen and read per ISO week and notification type, from
-- the week of the first notification to the week of the as-of date. Every
-- type that occurs up to the as-of date has a row in every week, with zeros
-- for weeks without one. Empty when there is no notification.
with

notifications as (
    select * from {{ ref('int_notifications_as_of') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- Aggregated first, so that the weeks and types below are read from this
-- small result instead of from every notification again.
weekly_counts as (
    select
        week_start,
        notification_type,
        count(*) as sent,
        count(seen_at) as seen,
        sum(case when is_read then 1 else 0 end) as read_count
    from notifications
    group by week_start, notification_type
),

series_bounds as (
    select
        min(weekly_counts.week_start) as first_week_start,
        max(
            cast({{ dbt.date_trunc('week', 'as_of.as_of_date') }} as date)
        ) as as_of_week_start
    from weekly_counts
    cross join as_of
),

day_spine as (
    {{ day_series(
        '(select first_week_start from series_bounds)',
        '(select as_of_week_start from series_bounds)'
    ) }}
),

week_spine as (
    select day as week_start
    from day_spine
    where {{ iso_weekday('day') }} = 1
),

notification_types as (
    select distinct notification_type
    from weekly_counts
),

week_type_grid as (
    select
        week_spine.week_start,
        notification_types.notification_type
    from week_spine
    cross join notification_types
),

filled_counts as (
    select
        week_type_grid.week_start,
        week_type_grid.notification_type,
        coalesce(weekly_counts.sent, 0) as sent,
        coalesce(weekly_counts.seen, 0) as seen,
        coalesce(weekly_counts.read_count, 0) as read_count
    from week_type_grid
    left join weekly_counts
        on
            week_type_grid.week_start = weekly_counts.week_start
            and week_type_grid.notification_type
            = weekly_counts.notification_type
)

select * from filled_counts
