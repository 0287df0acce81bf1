-- Activity per user, chat and UTC day. Only activity messages count (not
-- deleted, not system, not AI, with a sender) that were created by the end
-- of the as-of date. Marts count distinct chats from these rows instead of
-- from every message.
with

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

activity_messages as (
    select
        sender_id as user_id,
        chat_id,
        created_date as activity_date,
        created_at
    from messages
    where is_activity
),

user_chat_days as (
    select
        user_id,
        chat_id,
        activity_date,
        count(*) as messages,
        min(created_at) as first_message_at,
        max(created_at) as last_message_at
    from activity_messages
    group by user_id, chat_id, activity_date
)

select * from user_chat_days
