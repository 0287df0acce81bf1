-- Sessions of each chat: its non-deleted, non-system messages in conversation
-- order, split wherever two consecutive messages are more than 30 minutes
-- apart.
with

messages as (
    select * from {{ ref('int_conversation_messages_ordered') }}
),

-- Grouping by speaker first avoids a count(distinct) over every message.
session_speakers as (
    select
        chat_id,
        session_number,
        speaker_id,
        is_ai,
        count(*) as speaker_messages,
        min(created_at) as first_message_at,
        max(created_at) as last_message_at
    from messages
    group by chat_id, session_number, speaker_id, is_ai
),

sessions as (
    select
        chat_id,
        session_number,
        min(first_message_at) as session_start,
        max(last_message_at) as session_end,
        sum(speaker_messages) as message_count,
        sum(case when is_ai then 0 else 1 end) as human_senders,
        sum(case when is_ai then speaker_messages else 0 end) as ai_messages
    from session_speakers
    group by chat_id, session_number
),

final as (
    select
        chat_id,
        session_number,
        session_start,
        session_end,
        cast(message_count as bigint) as message_count,
        human_senders,
        cast(ai_messages as bigint) as ai_messages,
        {{ seconds_between('session_start', 'session_end') }} / 60.0
            as duration_minutes
    from sessions
)

select * from final
