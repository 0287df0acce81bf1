-- Every message created up to the end of the as-of date, with the flags that
-- the marts filter on. An activity message counts as its sender's activity:
-- not deleted, not a system message, not AI, and with a sender.
with

messages as (
    select * from {{ ref('stg_chat__messages') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

flagged as (
    select
        messages.*,
        cast(messages.created_at as date) as created_date,
        (
            not messages.is_deleted
            and not messages.is_system_message
            and not messages.is_ai
            and messages.sender_id is not null
        ) as is_activity,
        -- Conversation marts keep non-deleted messages that have a speaker.
        (
            not messages.is_deleted
            and not messages.is_system_message
        ) as is_conversational
    from messages
    cross join as_of
    where messages.created_at < as_of.as_of_end_at
)

select * from flagged
