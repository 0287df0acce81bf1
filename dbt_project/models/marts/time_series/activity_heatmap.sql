with

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

notifications as (
    select * from {{ ref('int_notifications_as_of') }}
),

daily_counts as (
    select * from {{ ref('int_daily_message_counts') }}
),

hour_numbers as (
    {{ dbt.generate_series(24) }}
),

weekday_numbers as (
    {{ dbt.generate_series(7) }}
),

slots as (
    select
        cast(weekday_numbers.generated_number as int) as iso_weekday,
        cast(hour_numbers.generated_number - 1 as int) as hour_of_day
    from weekday_numbers
    cross join hour_numbers
),

activity_slots as (
    select
        {{ iso_weekday('created_at') }} as iso_weekday,
        cast(extract(hour from created_at) as int) as hour_of_day,
        -- Compared by bytes (the C collation), which sorts faster.
        {{ binary_collation('sender_id') }} as sender_key
    from messages
    where is_activity
),

slot_message_counts as (
    select
        iso_weekday,
        hour_of_day,
        count(*) as messages,
        count(distinct sender_key) as active_users
    from activity_slots
    group by iso_weekday, hour_of_day
),

slot_notification_counts as (
    select
        {{ iso_weekday('created_at') }} as iso_weekday,
        cast(extract(hour from created_at) as int) as hour_of_day,
        count(*) as notifications
    from notifications
    group by iso_weekday, hour_of_day
),

-- ISO weeks from the week of the first activity message to the week of the
-- as-of date, both included; NULL when there is no activity message.
week_span as (
    select
        {{ dbt.datediff(
            dbt.date_trunc('week', 'min(activity_date)'),
            dbt.date_trunc('week', 'max(activity_date)'),
            'day'
        ) }} / 7 + 1 as weeks
    from daily_counts
),

slot_totals as (
    select
        slots.iso_weekday,
        slots.hour_of_day,
        coalesce(slot_message_counts.messages, 0) as messages,
        coalesce(slot_message_counts.active_users, 0) as active_users,
        coalesce(slot_notification_counts.notifications, 0) as notifications
    from slots
    left join slot_message_counts
        on
            slots.iso_weekday = slot_message_counts.iso_weekday
            and slots.hour_of_day = slot_message_counts.hour_of_day
    left join slot_notification_counts
        on
            slots.iso_weekday = slot_notification_counts.iso_weekday
            and slots.hour_of_day = slot_notification_counts.hour_of_day
),

heatmap as (
    select
        slot_totals.iso_weekday,
        slot_totals.hour_of_day as hour, -- noqa: RF04
        cast(slot_totals.messages as bigint) as messages,
        cast(slot_totals.active_users as bigint) as active_users,
        cast(slot_totals.notifications as bigint) as notifications,
        cast(slot_totals.messages as double precision)
        / nullif(sum(slot_totals.messages) over (), 0) as message_share,
        cast(slot_totals.messages as double precision)
        / week_span.weeks as messages_per_week
    from slot_totals
    cross join week_span
)

select * from heatmap
