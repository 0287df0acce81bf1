with

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

chats as (
    select * from {{ ref('stg_chat__chats') }}
),

notifications as (
    select * from {{ ref('int_notifications_as_of') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

monthly_messages as (
    select
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
            as month_start,
        cast(sum(messages) as bigint) as messages,
        count(distinct user_id) as active_users
    from user_days
    group by month_start
),

monthly_new_users as (
    select
        cast({{ dbt.date_trunc('month', 'profiles.created_at') }} as date)
            as month_start,
        count(*) as new_users
    from profiles
    cross join as_of
    where profiles.created_at < as_of.as_of_end_at
    group by month_start
),

monthly_new_chats as (
    select
        cast({{ dbt.date_trunc('month', 'chats.created_at') }} as date)
            as month_start,
        count(*) as new_chats
    from chats
    cross join as_of
    where chats.created_at < as_of.as_of_end_at
    group by month_start
),

monthly_notifications as (
    select
        cast({{ dbt.date_trunc('month', 'created_date') }} as date)
            as month_start,
        count(*) as notifications
    from notifications
    group by month_start
),

active_months as (
    select month_start from monthly_messages
    union all
    select month_start from monthly_new_users
    union all
    select month_start from monthly_new_chats
    union all
    select month_start from monthly_notifications
),

-- From the first month with any measure above zero to the as-of month.
series_bounds as (
    select
        min(active_months.month_start) as first_month,
        max(
            cast({{ dbt.date_trunc('month', 'as_of.as_of_date') }} as date)
        ) as as_of_month
    from active_months
    cross join as_of
),

day_spine as (
    {{ day_series(
        '(select first_month from series_bounds)',
        '(select as_of_month from series_bounds)'
    ) }}
),

month_spine as (
    select day as month_start
    from day_spine
    where extract(day from day) = 1
),

monthly_totals as (
    select
        month_spine.month_start,
        coalesce(monthly_messages.messages, 0) as messages,
        coalesce(monthly_messages.active_users, 0) as active_users,
        coalesce(monthly_new_users.new_users, 0) as new_users,
        coalesce(monthly_new_chats.new_chats, 0) as new_chats,
        coalesce(monthly_notifications.notifications, 0) as notifications
    from month_spine
    left join monthly_messages
        on month_spine.month_start = monthly_messages.month_start
    left join monthly_new_users
        on month_spine.month_start = monthly_new_users.month_start
    left join monthly_new_chats
        on month_spine.month_start = monthly_new_chats.month_start
    left join monthly_notifications
        on month_spine.month_start = monthly_notifications.month_start
),

-- The series has no gaps, so lag 1 is the previous month and lag 12 the
-- same month a year earlier; both are NULL before the start of the series.
lagged_totals as (
    select
        month_start,
        messages,
        active_users,
        new_users,
        new_chats,
        notifications,
        lag(messages, 1) over month_order as previous_month_messages,
        lag(messages, 12) over month_order as previous_year_messages,
        lag(active_users, 1) over month_order as previous_month_active_users,
        lag(active_users, 12) over month_order as previous_year_active_users,
        lag(new_users, 1) over month_order as previous_month_new_users,
        lag(new_users, 12) over month_order as previous_year_new_users,
        lag(new_chats, 1) over month_order as previous_month_new_chats,
        lag(new_chats, 12) over month_order as previous_year_new_chats,
        lag(notifications, 1) over month_order as previous_month_notifications,
        lag(notifications, 12) over month_order as previous_year_notifications
    from monthly_totals
    window month_order as (order by month_start)
),

changes as (
    select
        month_start as month, -- noqa: RF04
        messages,
        active_users,
        new_users,
        new_chats,
        notifications,
        100.0 * (messages - previous_month_messages)
        / nullif(cast(previous_month_messages as double precision), 0)
            as messages_mom_pct,
        100.0 * (messages - previous_year_messages)
        / nullif(cast(previous_year_messages as double precision), 0)
            as messages_yoy_pct,
        100.0 * (active_users - previous_month_active_users)
        / nullif(cast(previous_month_active_users as double precision), 0)
            as active_users_mom_pct,
        100.0 * (active_users - previous_year_active_users)
        / nullif(cast(previous_year_active_users as double precision), 0)
            as active_users_yoy_pct,
        100.0 * (new_users - previous_month_new_users)
        / nullif(cast(previous_month_new_users as double precision), 0)
            as new_users_mom_pct,
        100.0 * (new_users - previous_year_new_users)
        / nullif(cast(previous_year_new_users as double precision), 0)
            as new_users_yoy_pct,
        100.0 * (new_chats - previous_month_new_chats)
        / nullif(cast(previous_month_new_chats as double precision), 0)
            as new_chats_mom_pct,
        100.0 * (new_chats - previous_year_new_chats)
        / nullif(cast(previous_year_new_chats as double precision), 0)
            as new_chats_yoy_pct,
        100.0 * (notifications - previous_month_notifications)
        / nullif(cast(previous_month_notifications as double precision), 0)
            as notifications_mom_pct,
        100.0 * (notifications - previous_year_notifications)
        / nullif(cast(previous_year_notifications as double precision), 0)
            as notifications_yoy_pct
    from lagged_totals
)

select * from changes
