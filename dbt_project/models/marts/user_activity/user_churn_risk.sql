-- Churn risk of every user with an activity message by the end of the as-of
-- date, from recency and the change between the last 28 days and the 28
-- days before them. The rules are checked in order and the first match wins.
with

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

window_bounds as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', -27, 'as_of_date') }} as date)
            as window_start_date,
        cast({{ dbt.dateadd('day', -55, 'as_of_date') }} as date)
            as previous_window_start_date
    from as_of
),

user_activity as (
    select
        user_days.user_id,
        max(user_days.last_message_at) as last_active_at,
        max(user_days.activity_date) as last_active_date,
        cast(sum(
            case
                when user_days.activity_date >= window_bounds.window_start_date
                    then user_days.messages
                else 0
            end
        ) as bigint) as messages_28d,
        cast(sum(
            case
                when
                    user_days.activity_date
                    >= window_bounds.previous_window_start_date
                    and user_days.activity_date
                    < window_bounds.window_start_date
                    then user_days.messages
                else 0
            end
        ) as bigint) as messages_prev_28d
    from user_days
    cross join window_bounds
    group by user_days.user_id
),

user_measures as (
    select
        user_activity.user_id,
        user_activity.last_active_at,
        {{ dbt.datediff(
            'user_activity.last_active_date',
            'window_bounds.as_of_date',
            'day'
        ) }} as days_since_last_active,
        user_activity.messages_28d,
        user_activity.messages_prev_28d
    from user_activity
    cross join window_bounds
),

scored as (
    select
        user_id,
        last_active_at,
        days_since_last_active,
        messages_28d,
        messages_prev_28d,
        cast(messages_28d - messages_prev_28d as double precision)
        / nullif(messages_prev_28d, 0) as activity_change,
        case
            when days_since_last_active > 56 then 'churned'
            when
                days_since_last_active > 28
                or messages_28d < 0.5 * messages_prev_28d
                then 'high'
            when messages_28d < messages_prev_28d then 'medium'
            else 'low'
        end as churn_risk
    from user_measures
)

select * from scored
