-- Activity per user and UTC day. Only activity messages count (not deleted,
-- not system, not AI, with a sender) that were created by the end of the
-- as-of date.
with

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

activity_messages as (
    select
        sender_id as user_id,
        created_date as activity_date,
        chat_id,
        created_at
    from messages
    where is_activity
),

user_days as (
    select
        user_id,
        activity_date,
        count(*) as messages,
        count(distinct chat_id) as chats,
        min(created_at) as first_message_at,
        max(created_at) as last_message_at
    from activity_messages
    group by user_id, activity_date
)

select * from user_days
