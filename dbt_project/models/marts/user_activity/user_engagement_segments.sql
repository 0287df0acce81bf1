-- Recency, recent volume and an engagement segment for every profile created
-- by the end of the as-of date. The power and regular thresholds are the
-- continuous 90th percentile and median of messages_28d over the profiles
-- with at least one activity message in the last 28 days.
with

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

user_chat_days as (
    select * from {{ ref('int_user_chat_days_activity') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

window_bounds as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', -27, 'as_of_date') }} as date)
            as window_start_date
    from as_of
),

profiles_as_of as (
    select profiles.user_id
    from profiles
    cross join as_of
    where profiles.created_at < as_of.as_of_end_at
),

user_chat_days_28d as (
    select
        user_chat_days.user_id,
        user_chat_days.activity_date,
        case
            when user_chat_days.activity_date >= window_bounds.window_start_date
                then user_chat_days.chat_id
        end as chat_id_28d,
        case
            when user_chat_days.activity_date >= window_bounds.window_start_date
                then user_chat_days.messages
            else 0
        end as messages_28d
    from user_chat_days
    cross join window_bounds
),

-- One aggregate for all measures, so that no second join is needed. A chat
-- posted in on several days counts once.
user_activity as (
    select
        user_id,
        max(activity_date) as last_active_date,
        cast(sum(messages_28d) as bigint) as messages_28d,
        count(distinct chat_id_28d) as chats_28d
    from user_chat_days_28d
    group by user_id
),

thresholds as (
    select
        {{ percentile_cont(0.9, 'messages_28d') }} as power_threshold,
        {{ percentile_cont(0.5, 'messages_28d') }} as regular_threshold
    from user_activity
    where messages_28d > 0
),

user_measures as (
    select
        profiles_as_of.user_id,
        user_activity.last_active_date,
        {{ dbt.datediff(
            'user_activity.last_active_date',
            'window_bounds.as_of_date',
            'day'
        ) }} as recency_days,
        coalesce(user_activity.messages_28d, 0) as messages_28d,
        coalesce(user_activity.chats_28d, 0) as chats_28d
    from profiles_as_of
    cross join window_bounds
    left join user_activity
        on profiles_as_of.user_id = user_activity.user_id
),

segmented as (
    select
        user_measures.user_id,
        user_measures.recency_days,
        user_measures.messages_28d,
        user_measures.chats_28d,
        case
            when user_measures.last_active_date is null then 'never_active'
            when user_measures.messages_28d = 0 then 'dormant'
            when user_measures.messages_28d >= thresholds.power_threshold
                then 'power'
            when user_measures.messages_28d >= thresholds.regular_threshold
                then 'regular'
            else 'casual'
        end as segment
    from user_measures
    cross join thresholds
)

select * from segmented
