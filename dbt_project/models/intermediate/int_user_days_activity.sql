-- Activity per user and UTC day. Only activity messages count (not deleted,
-- not system, not AI, with a sender) that were created by the end of the
-- as-of date.
with

user_chat_days as (
    select * from {{ ref('int_user_chat_days_activity') }}
),

user_days as (
    select
        user_id,
        activity_date,
        cast(sum(messages) as bigint) as messages,
        count(*) as chats,
        min(first_message_at) as first_message_at,
        max(last_message_at) as last_message_at
    from user_chat_days
    group by user_id, activity_date
)

select * from user_days
