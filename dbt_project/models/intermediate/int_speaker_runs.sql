-- Speaker runs: maximal sequences of consecutive conversation messages by the
-- same speaker within a chat (system and deleted messages are not part of the
-- sequence). The first message of every run except the chat's first run is a
-- response. Its latency is its created_at minus that of the message before
-- it, which is the last message of the previous run.
with

messages as (
    select * from {{ ref('int_conversation_messages_ordered') }}
),

runs as (
    select
        chat_id,
        run_number,
        speaker_id,
        is_ai,
        max(case when is_ai then ai_character_id end) as ai_character_id,
        count(*) as message_count,
        min(created_at) as started_at,
        max(created_at) as ended_at
    from messages
    group by chat_id, run_number, speaker_id, is_ai
),

with_previous as (
    select
        *,
        lag(speaker_id) over chat_runs as previous_speaker_id,
        lag(is_ai) over chat_runs as previous_is_ai,
        lag(ai_character_id) over chat_runs as previous_ai_character_id,
        lag(ended_at) over chat_runs as previous_ended_at
    from runs
    window chat_runs as (partition by chat_id order by run_number asc)
),

final as (
    select
        chat_id,
        run_number,
        speaker_id,
        is_ai,
        ai_character_id,
        message_count,
        started_at,
        ended_at,
        previous_speaker_id,
        previous_is_ai,
        previous_ai_character_id,
        {{ seconds_between('previous_ended_at', 'started_at') }}
            as response_seconds
    from with_previous
)

select * from final
