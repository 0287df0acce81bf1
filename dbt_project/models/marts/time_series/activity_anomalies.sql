with

daily_counts as (
    select * from {{ ref('int_daily_message_counts') }}
),

-- Statistics of the up to 28 days before each day, the day itself left out.
-- The standard deviation is taken on the integer counts (exact numeric
-- arithmetic), so a constant history gives exactly zero.
trailing_stats as (
    select
        activity_date,
        messages,
        count(*) over trailing_window as history_days,
        avg(messages) over trailing_window as trailing_mean_28,
        stddev_samp(messages) over trailing_window as trailing_stddev_28
    from daily_counts
    window trailing_window as (
        order by activity_date
        rows between 28 preceding and 1 preceding
    )
),

scored as (
    select
        activity_date,
        messages,
        history_days,
        cast(trailing_mean_28 as double precision) as trailing_mean_28,
        cast(trailing_stddev_28 as double precision) as trailing_stddev_28,
        cast(
            (messages - trailing_mean_28) / nullif(trailing_stddev_28, 0)
            as double precision
        ) as z_score
    from trailing_stats
),

flagged as (
    select
        activity_date,
        messages,
        trailing_mean_28,
        trailing_stddev_28,
        z_score,
        coalesce(abs(z_score) >= 3 and history_days >= 14, false)
            as is_anomaly
    from scored
),

anomalies as (
    select
        activity_date,
        messages,
        trailing_mean_28,
        trailing_stddev_28,
        z_score,
        is_anomaly,
        case
            when is_anomaly and z_score > 0 then 'spike'
            when is_anomaly and z_score < 0 then 'drop'
        end as direction
    from flagged
)

select * from anomalies
