-- Non-deleted, non-system messages that have a speaker (the human sender, or
-- 'ai:<ai_character_id>'), in conversation order within each chat: by
-- created_at, then message_id in byte order. Each message carries the speaker
-- and time of the message before it. run_number numbers the speaker runs,
-- which are maximal sequences of consecutive messages by one speaker.
-- session_number numbers the sessions, and a new session starts after a gap
-- of more than 30 minutes.

with

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

conversational as (
    select
        message_id,
        chat_id,
        speaker_id,
        is_ai,
        ai_character_id,
        created_at
    from messages
    where
        is_conversational
        and speaker_id is not null
),

with_previous as (
    select
        *,
        row_number() over conversation_order as message_number,
        lag(speaker_id) over conversation_order as previous_speaker_id,
        lag(is_ai) over conversation_order as previous_is_ai,
        lag(ai_character_id) over conversation_order
            as previous_ai_character_id,
        lag(created_at) over conversation_order as previous_created_at,
        coalesce(
            lead(speaker_id) over conversation_order <> speaker_id, true
        ) as is_run_end
    from conversational
    -- Byte order ("C") for the text keys makes the sort compare bytes
    -- instead of calling the locale's collation.
    window conversation_order as (
        partition by chat_id collate "C"
        order by created_at asc, message_id collate "C" asc
    )
),

flagged as (
    select
        *,
        {{ seconds_between('previous_created_at', 'created_at') }}
            as seconds_since_previous,
        coalesce(previous_speaker_id <> speaker_id, true) as is_run_start,
        -- A gap of exactly 30 minutes stays in the session.
        coalesce(
            created_at
            > {{ dbt.dateadd('minute', 30, 'previous_created_at') }},
            true
        ) as is_session_start
    from with_previous
),

numbered as (
    select
        *,
        sum(case when is_run_start then 1 else 0 end)
            over running_order as run_number,
        sum(case when is_session_start then 1 else 0 end)
            over running_order as session_number
    from flagged
    -- The same order as conversation_order, so the rows need no new sort.
    window running_order as (
        partition by chat_id collate "C"
        order by created_at asc, message_id collate "C" asc
        rows between unbounded preceding and current row
    )
)

select * from numbered
