-- Turn taking in each chat, from its speaker runs: how often the speaker
-- changes, how evenly the speakers share the messages (Shannon entropy of
-- their message shares, in bits) and how often an AI run follows a human run.
with

-- PostgreSQL materializes a CTE that is read more than once, copying every
-- column of every run. Not materialized, each reader scans the table instead.
runs as not materialized (
    select * from {{ ref('int_speaker_runs') }}
),

speaker_messages as (
    select
        chat_id,
        speaker_id,
        cast(sum(message_count) as bigint) as speaker_message_count
    from runs
    group by chat_id, speaker_id
),

chat_runs as (
    select
        chat_id,
        cast(sum(message_count) as bigint) as messages,
        count(*) as turns,
        sum(
            case when is_ai and not previous_is_ai then 1 else 0 end
        ) as human_to_ai_switches
    from runs
    group by chat_id
),

speaker_shares as (
    select
        speaker_messages.chat_id,
        cast(speaker_messages.speaker_message_count as double precision)
        / chat_runs.messages as speaker_share
    from speaker_messages
    inner join chat_runs
        on speaker_messages.chat_id = chat_runs.chat_id
),

chat_speakers as (
    select
        chat_id,
        count(*) as distinct_speakers,
        max(speaker_share) as dominant_speaker_share,
        -- Every share is positive, so ln() is defined. Subtracting from 0.0
        -- gives 0 rather than -0 for a chat with one speaker.
        0.0 - sum(speaker_share * ln(speaker_share)) / ln(2.0)
            as speaker_entropy_bits
    from speaker_shares
    group by chat_id
),

final as (
    select
        chat_runs.chat_id,
        chat_runs.messages,
        chat_runs.turns,
        cast(chat_runs.turns - 1 as double precision)
        / nullif(chat_runs.messages - 1, 0) as speaker_switch_rate,
        cast(chat_runs.messages as double precision)
        / chat_runs.turns as avg_run_length,
        chat_speakers.distinct_speakers,
        chat_speakers.dominant_speaker_share,
        cast(chat_speakers.speaker_entropy_bits as double precision)
            as speaker_entropy_bits,
        chat_runs.human_to_ai_switches
    from chat_runs
    inner join chat_speakers
        on chat_runs.chat_id = chat_speakers.chat_id
)

select * from final
