-- Mentions between users, from mentioned_users of activity messages. A user
-- named several times in one message counts once for it. Self-mentions and ids
-- that are not profiles created up to the as-of date are left out. A mention
-- made at t is replied to when the mentioned user posts an activity message
-- in the same chat within (t, t + 1 hour].
with

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- Read twice. Not materialized, each reader scans the table instead of a
-- copy of every activity message.
activity_messages as not materialized (
    select
        message_id,
        chat_id,
        sender_id,
        mentioned_users,
        created_at
    from messages
    where is_activity
),

profiles_as_of as (
    select profiles.user_id
    from profiles
    where profiles.created_at < (select as_of.as_of_end_at from as_of)
),

message_mentions as (
    select distinct
        activity_messages.message_id,
        activity_messages.chat_id,
        activity_messages.sender_id as mentioner_id,
        exploded.mentioned_id,
        activity_messages.created_at
    from activity_messages
    {{ array_elements('activity_messages', 'mentioned_users', 'mentioned_id') }}
    where activity_messages.mentioned_users is not null
),

valid_mentions as (
    select message_mentions.*
    from message_mentions
    inner join profiles_as_of
        on message_mentions.mentioned_id = profiles_as_of.user_id
    where message_mentions.mentioned_id <> message_mentions.mentioner_id
),

mentioned_chat_users as (
    select distinct
        chat_id,
        mentioned_id
    from valid_mentions
),

-- Only messages by a user in a chat where that user is mentioned can reply.
candidate_replies as (
    select
        activity_messages.message_id,
        activity_messages.chat_id,
        activity_messages.sender_id,
        activity_messages.created_at
    from activity_messages
    inner join mentioned_chat_users
        on
            activity_messages.chat_id = mentioned_chat_users.chat_id
            and activity_messages.sender_id = mentioned_chat_users.mentioned_id
),

-- Mentions and the messages that could reply to them, per chat and user, so
-- that a window finds the next message of the mentioned user.
chat_user_events as (
    select
        chat_id,
        mentioned_id as user_id,
        created_at,
        1 as is_mention,
        message_id,
        mentioner_id
    from valid_mentions
    union all
    select
        chat_id,
        sender_id as user_id,
        created_at,
        0 as is_mention,
        message_id,
        null as mentioner_id
    from candidate_replies
),

next_messages as (
    select
        *,
        -- Walking backwards in time, with mentions before messages of the
        -- same instant, the running minimum over the rows already seen is the
        -- user's first message strictly after this row.
        min(case when is_mention = 0 then created_at end) over (
            partition by chat_id collate "C", user_id collate "C"
            order by created_at desc, is_mention desc
            rows between unbounded preceding and 1 preceding
        ) as next_message_at
    from chat_user_events
),

answered_mentions as (
    select
        mentioner_id,
        user_id as mentioned_id,
        created_at,
        coalesce(
            next_message_at <= {{ dbt.dateadd('hour', 1, 'created_at') }},
            false
        ) as is_replied_within_1h
    from next_messages
    where is_mention = 1
),

pairs as (
    select
        mentioner_id,
        mentioned_id,
        count(*) as mentions,
        min(created_at) as first_mention_at,
        sum(case when is_replied_within_1h then 1 else 0 end)
            as replied_within_1h
    from answered_mentions
    group by mentioner_id, mentioned_id
),

final as (
    select
        pairs.mentioner_id,
        pairs.mentioned_id,
        pairs.mentions,
        pairs.first_mention_at,
        reverse_pairs.mentioner_id is not null as is_reciprocal,
        cast(pairs.replied_within_1h as double precision)
        / pairs.mentions as replied_within_1h_share
    from pairs
    left join pairs as reverse_pairs
        on
            pairs.mentioner_id = reverse_pairs.mentioned_id
            and pairs.mentioned_id = reverse_pairs.mentioner_id
)

select * from final
