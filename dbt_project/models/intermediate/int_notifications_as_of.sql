-- Every notification created up to the end of the as-of date, with its day
-- and ISO week. seen_at is kept only when it lies before the end of the
-- as-of date, so that a later build with the same as-of date counts the same
-- notifications as seen. is_read has no timestamp and is taken as stored.
with

notifications as (
    select * from {{ ref('stg_chat__notifications') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

notifications_as_of as (
    select
        notifications.notification_id,
        notifications.user_id,
        notifications.notification_type,
        notifications.is_read,
        notifications.created_at,
        case
            when notifications.seen_at < as_of.as_of_end_at
                then notifications.seen_at
        end as seen_at
    from notifications
    cross join as_of
    where notifications.created_at < as_of.as_of_end_at
),

dated as (
    select
        notification_id,
        user_id,
        notification_type,
        is_read,
        seen_at is not null as is_seen,
        created_at,
        seen_at,
        cast(created_at as date) as created_date,
        cast({{ dbt.date_trunc('week', 'created_at') }} as date)
            as week_start,
        {{ seconds_between('created_at', 'seen_at') }} / 60.0
            as minutes_to_seen
    from notifications_as_of
)

select * from dated
