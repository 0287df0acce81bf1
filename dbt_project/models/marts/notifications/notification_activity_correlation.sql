with

notifications as (
    select * from {{ ref('int_notifications_as_of') }}
),

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

user_events as (
    select
        user_id,
        notification_type,
        is_read,
        created_at as event_at,
        cast(null as timestamp) as message_at,
        0 as event_order
    from notifications
    union all
    select
        sender_id as user_id,
        null as notification_type,
        null as is_read,
        created_at as event_at,
        created_at as message_at,
        1 as event_order
    from messages
    where is_activity
),

-- The first activity message of the notified user strictly after the
-- notification: a running minimum over the user's events in descending time,
-- where a message at the same instant as the notification sorts after it and
-- so is not counted. Partitioning by bytes (the C collation) sorts faster.
next_messages as (
    select
        notification_type,
        is_read,
        event_order,
        event_at as notified_at,
        min(message_at) over (
            partition by {{ binary_collation('user_id') }}
            order by event_at desc, event_order asc
            rows between unbounded preceding and current row
        ) as next_message_at
    from user_events
),

conversions as (
    select
        notification_type,
        is_read,
        {{ seconds_between('notified_at', 'next_message_at') }} / 60.0
            as minutes_to_next_message,
        coalesce(
            next_message_at
            <= {{ dbt.dateadd('hour', 1, 'notified_at') }},
            false
        ) as is_converted_1h,
        coalesce(
            next_message_at
            <= {{ dbt.dateadd('hour', 24, 'notified_at') }},
            false
        ) as is_converted_24h
    from next_messages
    where event_order = 0
),

per_type as (
    select
        notification_type,
        count(*) as notifications,
        sum(case when is_converted_1h then 1 else 0 end) as converted_1h,
        sum(case when is_converted_24h then 1 else 0 end) as converted_24h,
        {{ percentile_cont(
            0.5,
            'case when is_converted_24h then minutes_to_next_message end'
        ) }} as median_minutes_to_next_message,
        sum(case when is_read then 1 else 0 end) as read_count
    from conversions
    group by notification_type
),

final as (
    select
        notification_type as type, -- noqa: RF04
        notifications,
        converted_1h,
        converted_24h,
        cast(converted_1h as double precision)
        / nullif(notifications, 0) as conversion_rate_1h,
        cast(converted_24h as double precision)
        / nullif(notifications, 0) as conversion_rate_24h,
        cast(median_minutes_to_next_message as double precision)
            as median_minutes_to_next_message,
        cast(read_count as double precision)
        / nullif(notifications, 0) as read_rate
    from per_type
)

select * from final
