with

weekly_counts as (
    select * from {{ ref('int_weekly_notification_counts') }}
),

notifications as (
    select * from {{ ref('int_notifications_as_of') }}
),

seen_delays as (
    select
        week_start,
        notification_type,
        {{ percentile_cont(0.5, 'minutes_to_seen') }}
            as median_minutes_to_seen,
        {{ percentile_cont(0.9, 'minutes_to_seen') }}
            as p90_minutes_to_seen
    from notifications
    where seen_at is not null
    group by week_start, notification_type
),

funnel as (
    select
        weekly_counts.week_start,
        weekly_counts.notification_type as type, -- noqa: RF04
        weekly_counts.sent,
        weekly_counts.seen,
        weekly_counts.read_count as read, -- noqa: RF04
        cast(weekly_counts.seen as double precision)
        / nullif(weekly_counts.sent, 0) as seen_rate,
        cast(weekly_counts.read_count as double precision)
        / nullif(weekly_counts.sent, 0) as read_rate,
        cast(seen_delays.median_minutes_to_seen as double precision)
            as median_minutes_to_seen,
        cast(seen_delays.p90_minutes_to_seen as double precision)
            as p90_minutes_to_seen
    from weekly_counts
    left join seen_delays
        on
            weekly_counts.week_start = seen_delays.week_start
            and weekly_counts.notification_type
            = seen_delays.notification_type
)

select * from funnel
