-- Concentration of activity messages on the users active in each month, from
-- the first month with an activity message to the as-of month.
with

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

user_months as (
    select
        user_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
            as activity_month,
        cast(sum(messages) as bigint) as messages
    from user_days
    group by
        user_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
),

first_activity_month as (
    select min(activity_month) as first_month
    from user_months
),

calendar_months as (
    select distinct calendar.month_start
    from calendar
    inner join first_activity_month
        on calendar.month_start >= first_activity_month.first_month
),

-- Ties in the ranks change no measure, because tied users sent the same
-- number of messages and swapping them leaves every sum unchanged.
ranked_user_months as (
    select
        activity_month,
        messages,
        row_number() over (
            partition by activity_month
            order by messages desc
        ) as rank_descending,
        row_number() over (
            partition by activity_month
            order by messages asc
        ) as rank_ascending,
        count(*) over (partition by activity_month) as month_active_users
    from user_months
),

month_measures as (
    select
        activity_month,
        count(*) as active_users,
        cast(sum(messages) as bigint) as messages,
        sum(
            case
                when rank_descending <= ceil(0.01 * month_active_users)
                    then messages
                else 0
            end
        ) as top_1pct_messages,
        sum(
            case
                when rank_descending <= ceil(0.10 * month_active_users)
                    then messages
                else 0
            end
        ) as top_10pct_messages,
        sum(rank_ascending * messages) as rank_weighted_messages
    from ranked_user_months
    group by activity_month
),

monthly as (
    select
        calendar_months.month_start as month, -- noqa: RF04
        coalesce(month_measures.active_users, 0) as active_users,
        coalesce(month_measures.messages, 0) as messages,
        cast(month_measures.top_1pct_messages as double precision)
        / nullif(month_measures.messages, 0) as top_1pct_share,
        cast(month_measures.top_10pct_messages as double precision)
        / nullif(month_measures.messages, 0) as top_10pct_share,
        cast(2 * month_measures.rank_weighted_messages as double precision)
        / nullif(month_measures.active_users * month_measures.messages, 0)
        - cast(month_measures.active_users + 1 as double precision)
        / nullif(month_measures.active_users, 0) as gini
    from calendar_months
    left join month_measures
        on calendar_months.month_start = month_measures.activity_month
)

select * from monthly
