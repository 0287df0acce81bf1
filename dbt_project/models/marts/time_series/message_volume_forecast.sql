with

daily_counts as (
    select * from {{ ref('int_daily_message_counts') }}
),

series_bounds as (
    select
        min(activity_date) as first_activity_date,
        max(activity_date) as as_of_date
    from daily_counts
),

history_days as (
    select
        activity_date,
        messages,
        -- Trailing means over the day and the days before it, counting only
        -- days of the series (fewer than 7 or 28 at its start).
        avg(messages) over (
            order by activity_date
            rows between 6 preceding and current row
        ) as ma7,
        avg(messages) over (
            order by activity_date
            rows between 27 preceding and current row
        ) as ma28
    from daily_counts
),

-- The 14 days after the as-of date; none when the series is empty.
future_day_spine as (
    {{ day_series(
        '(select ' ~ dbt.dateadd('day', 1, 'as_of_date')
        ~ ' from series_bounds)',
        '(select ' ~ dbt.dateadd('day', 14, 'as_of_date')
        ~ ' from series_bounds)'
    ) }}
),

all_days as (
    select
        activity_date,
        messages,
        ma7,
        ma28,
        false as is_forecast
    from history_days
    union all
    select
        day as activity_date,
        null as messages,
        null as ma7,
        null as ma28,
        true as is_forecast
    from future_day_spine
),

indexed_days as (
    select
        all_days.*,
        cast(
            {{ dbt.datediff(
                'series_bounds.first_activity_date',
                'all_days.activity_date',
                'day'
            ) }} as double precision
        ) as day_index,
        {{ iso_weekday('all_days.activity_date') }} as iso_weekday,
        {{ dbt.datediff(
            'all_days.activity_date',
            'series_bounds.as_of_date',
            'day'
        ) }} as days_before_as_of
    from all_days
    cross join series_bounds
),

-- Least-squares line of the daily counts on the day index, over the 90 days
-- ending at the as-of date (fewer when the series is shorter).
trend_line as (
    select
        regr_slope(cast(messages as double precision), day_index) as slope,
        regr_intercept(cast(messages as double precision), day_index)
            as intercept
    from indexed_days
    where not is_forecast and days_before_as_of < 90
),

-- Mean of each weekday over the mean of all days, over the 84 days (12
-- weeks) ending at the as-of date.
recent_days as (
    select
        iso_weekday,
        cast(messages as double precision) as messages
    from indexed_days
    where not is_forecast and days_before_as_of < 84
),

weekday_means as (
    select
        iso_weekday,
        avg(messages) as weekday_mean
    from recent_days
    group by iso_weekday
),

overall_mean as (
    select avg(messages) as day_mean
    from recent_days
),

weekday_indexes as (
    select
        weekday_means.iso_weekday,
        weekday_means.weekday_mean
        / nullif(overall_mean.day_mean, 0) as weekday_index
    from weekday_means
    cross join overall_mean
),

fitted_days as (
    select
        indexed_days.activity_date,
        indexed_days.messages,
        indexed_days.ma7,
        indexed_days.ma28,
        trend_line.intercept
        + trend_line.slope * indexed_days.day_index as trend,
        weekday_indexes.weekday_index,
        indexed_days.is_forecast
    from indexed_days
    cross join trend_line
    left join weekday_indexes
        on indexed_days.iso_weekday = weekday_indexes.iso_weekday
),

forecast as (
    select
        activity_date,
        cast(messages as bigint) as messages,
        cast(ma7 as double precision) as ma7,
        cast(ma28 as double precision) as ma28,
        trend,
        weekday_index,
        -- At least 0, and 0 rather than -0 when the index is 0; NULL when
        -- either factor is NULL.
        case
            when trend * weekday_index <= 0 then 0.0
            else trend * weekday_index
        end as forecast,
        is_forecast
    from fitted_days
)

select * from forecast
