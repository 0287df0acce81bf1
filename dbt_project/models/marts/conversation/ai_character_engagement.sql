-- Engagement with each AI character seen in a non-deleted AI message or as
-- the current_ai_character_id of a chat created up to the as-of date. Deleted
-- AI messages do not count anywhere. A human reply is a human message that
-- directly follows one of the character's messages in conversation order,
-- where system and deleted messages are skipped. The character's response
-- latency is measured from the human message that its message follows.
with

chats as (
    select * from {{ ref('stg_chat__chats') }}
),

-- PostgreSQL materializes a CTE that is read more than once, copying every
-- column of every run. Not materialized, each reader scans the table instead.
runs as not materialized (
    select * from {{ ref('int_speaker_runs') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

current_characters as (
    select
        chats.current_ai_character_id as ai_character_id,
        count(*) as chats_using
    from chats
    where
        chats.created_at < (select as_of.as_of_end_at from as_of)
        and chats.current_ai_character_id is not null
    group by chats.current_ai_character_id
),

character_messages as (
    select
        ai_character_id,
        sum(message_count) as ai_messages
    from runs
    where
        is_ai
        and ai_character_id is not null
    group by ai_character_id
),

character_chats as (
    select distinct
        ai_character_id,
        chat_id
    from runs
    where
        is_ai
        and ai_character_id is not null
),

-- A human speaker's id is the sender_id of the message.
chat_humans as (
    select distinct
        chat_id,
        speaker_id as sender_id
    from runs
    where not is_ai
),

engaged_users as (
    select
        character_chats.ai_character_id,
        count(distinct chat_humans.sender_id) as users_engaged
    from character_chats
    inner join chat_humans
        on character_chats.chat_id = chat_humans.chat_id
    group by character_chats.ai_character_id
),

human_replies as (
    select
        previous_ai_character_id as ai_character_id,
        -- A run starts at each human message that follows an AI message.
        count(*) as human_replies
    from runs
    where
        not is_ai
        and previous_is_ai
        and previous_ai_character_id is not null
    group by previous_ai_character_id
),

character_latencies as (
    select
        ai_character_id,
        {{ percentile_cont(0.5, 'response_seconds') }}
            as median_ai_response_seconds
    from runs
    where
        is_ai
        and not previous_is_ai
        and ai_character_id is not null
    group by ai_character_id
),

characters as (
    select ai_character_id from current_characters
    union
    select ai_character_id from character_messages
),

final as (
    select
        characters.ai_character_id,
        coalesce(current_characters.chats_using, 0) as chats_using,
        cast(coalesce(character_messages.ai_messages, 0) as bigint)
            as ai_messages,
        coalesce(engaged_users.users_engaged, 0) as users_engaged,
        coalesce(human_replies.human_replies, 0) as human_replies,
        cast(coalesce(human_replies.human_replies, 0) as double precision)
        / nullif(character_messages.ai_messages, 0) as reply_rate,
        character_latencies.median_ai_response_seconds
    from characters
    left join current_characters
        on characters.ai_character_id = current_characters.ai_character_id
    left join character_messages
        on characters.ai_character_id = character_messages.ai_character_id
    left join engaged_users
        on characters.ai_character_id = engaged_users.ai_character_id
    left join human_replies
        on characters.ai_character_id = human_replies.ai_character_id
    left join character_latencies
        on characters.ai_character_id = character_latencies.ai_character_id
)

select * from final
