-- Sessions of each chat: its non-deleted, non-system messages in conversation
-- order, split wherever two consecutive messages are more than 30 minutes
-- apart.
with

messages as (
    select * from {{ ref('int_conversation_messages_ordered') }}
),

sessions as (
    select
        chat_id,
        session_number,
        min(created_at) as session_start,
        max(created_at) as session_end,
        count(*) as message_count,
        count(distinct case when not is_ai then sender_id end)
            as human_senders,
        sum(case when is_ai then 1 else 0 end) as ai_messages
    from messages
    group by chat_id, session_number
),

final as (
    select
        chat_id,
        session_number,
        session_start,
        session_end,
        message_count,
        human_senders,
        ai_messages,
        {{ seconds_between('session_start', 'session_end') }} / 60.0
            as duration_minutes
    from sessions
)

select * from final
