-- Speaker runs: maximal sequences of consecutive conversation messages by the
-- same speaker within a chat (system and deleted messages are not part of the
-- sequence). The first message of every run except the chat's first run is a
-- response. Its latency is its created_at minus that of the message before
-- it, which is the last message of the previous run.

with

messages as (
    select * from {{ ref('int_conversation_messages_ordered') }}
),

-- The first and last messages of each run (one row when the run has one
-- message), so that the next row after a run's start is its end.
run_edges as (
    select
        chat_id,
        run_number,
        speaker_id,
        is_ai,
        case when is_ai then ai_character_id end as ai_character_id,
        message_number,
        created_at,
        is_run_start,
        is_run_end,
        previous_speaker_id,
        previous_is_ai,
        case
            when previous_is_ai then previous_ai_character_id
        end as previous_ai_character_id,
        seconds_since_previous,
        lead(message_number) over chat_edges as next_message_number,
        lead(created_at) over chat_edges as next_created_at
    from messages
    where is_run_start or is_run_end
    window chat_edges as (
        partition by chat_id collate "C"
        order by message_number asc
    )
),

final as (
    select
        chat_id,
        run_number,
        speaker_id,
        is_ai,
        ai_character_id,
        case
            when is_run_end then 1
            else next_message_number - message_number + 1
        end as message_count,
        created_at as started_at,
        case
            when is_run_end then created_at
            else next_created_at
        end as ended_at,
        previous_speaker_id,
        previous_is_ai,
        previous_ai_character_id,
        seconds_since_previous as response_seconds
    from run_edges
    where is_run_start
)

select * from final
