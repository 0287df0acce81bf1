-- Recency, recent volume and an engagement segment for every profile created
-- by the end of the as-of date. The power and regular thresholds are the
-- continuous 90th percentile and median of messages_28d over the profiles
-- with at least one activity message in the last 28 days.
with

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

messages as (
    select * from {{ ref('int_messages_as_of') }}
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

user_activity as (
    select
        user_days.user_id,
        max(user_days.activity_date) as last_active_date,
        cast(sum(
            case
                when user_days.activity_date >= window_bounds.window_start_date
                    then user_days.messages
                else 0
            end
        ) as bigint) as messages_28d
    from user_days
    cross join window_bounds
    group by user_days.user_id
),

-- Distinct chats are counted from message rows, so that a chat posted in on
-- several days counts once.
user_chats_28d as (
    select
        messages.sender_id as user_id,
        count(distinct messages.chat_id) as chats_28d
    from messages
    cross join window_bounds
    where
        messages.is_activity
        and messages.created_date >= window_bounds.window_start_date
    group by messages.sender_id
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
        coalesce(user_chats_28d.chats_28d, 0) as chats_28d
    from profiles_as_of
    cross join window_bounds
    left join user_activity
        on profiles_as_of.user_id = user_activity.user_id
    left join user_chats_28d
        on profiles_as_of.user_id = user_chats_28d.user_id
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
