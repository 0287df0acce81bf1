with

weekly_counts as (
    select * from {{ ref('int_weekly_notification_counts') }}
),

weekly_totals as (
    select
        week_start,
        sum(sent) as notifications,
        sum(read_count) as read_count
    from weekly_counts
    group by week_start
),

weekly_rates as (
    select
        week_start,
        notifications,
        read_count,
        cast(read_count as double precision)
        / nullif(notifications, 0) as read_rate,
        lag(notifications) over (order by week_start)
            as previous_notifications
    from weekly_totals
),

trend as (
    select
        week_start,
        cast(notifications as bigint) as notifications,
        cast(read_count as bigint) as read_count,
        read_rate,
        -- Trailing means over the week and the 3 before it, counting only
        -- weeks of the series and, for read_rate, only weeks with a rate.
        cast(
            avg(notifications) over (
                order by week_start
                rows between 3 preceding and current row
            ) as double precision
        ) as notifications_ma4,
        avg(read_rate) over (
            order by week_start
            rows between 3 preceding and current row
        ) as read_rate_ma4,
        cast(notifications - previous_notifications as bigint) as wow_change,
        100.0 * cast(
            notifications - previous_notifications as double precision
        ) / nullif(previous_notifications, 0) as wow_change_pct
    from weekly_rates
)

select * from trend
