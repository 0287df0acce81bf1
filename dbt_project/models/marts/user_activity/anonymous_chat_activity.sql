-- Guests, messages and status of every anonymous chat created by the end of
-- the as-of date. Joins and messages created after that are left out too.
with

anonymous_chats as (
    select * from {{ ref('stg_chat__anonymous_chats') }}
),

anonymous_chat_users as (
    select * from {{ ref('stg_chat__anonymous_chat_users') }}
),

anonymous_messages as (
    select * from {{ ref('stg_chat__anonymous_messages') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

chats_as_of as (
    select anonymous_chats.*
    from anonymous_chats
    cross join as_of
    where anonymous_chats.created_at < as_of.as_of_end_at
),

chat_guests as (
    select
        anonymous_chat_users.anonymous_chat_id,
        count(distinct anonymous_chat_users.guest_id) as guest_count
    from anonymous_chat_users
    cross join as_of
    where anonymous_chat_users.joined_at < as_of.as_of_end_at
    group by anonymous_chat_users.anonymous_chat_id
),

-- A message sent at or after expires_at counts as sent after expiry, because
-- the chat is no longer valid from that instant.
chat_messages as (
    select
        anonymous_messages.anonymous_chat_id,
        count(*) as message_count,
        count(anonymous_messages.guest_id) as guest_message_count,
        count(distinct anonymous_messages.guest_id) as active_guest_count,
        min(anonymous_messages.created_at) as first_message_at,
        max(anonymous_messages.created_at) as last_message_at,
        sum(
            case
                when
                    anonymous_messages.created_at >= chats_as_of.expires_at
                    then 1
                else 0
            end
        ) as messages_after_expiry
    from anonymous_messages
    inner join chats_as_of
        on anonymous_messages.anonymous_chat_id = chats_as_of.anonymous_chat_id
    cross join as_of
    where anonymous_messages.created_at < as_of.as_of_end_at
    group by anonymous_messages.anonymous_chat_id
),

chat_activity as (
    select
        chats_as_of.anonymous_chat_id,
        chats_as_of.join_code,
        chats_as_of.created_at,
        chats_as_of.expires_at,
        coalesce(chat_guests.guest_count, 0) as guest_count,
        coalesce(chat_messages.active_guest_count, 0) as active_guest_count,
        coalesce(chat_messages.message_count, 0) as message_count,
        chat_messages.first_message_at,
        chat_messages.last_message_at,
        cast(chat_messages.guest_message_count as double precision)
        / nullif(chat_messages.active_guest_count, 0)
            as messages_per_active_guest,
        cast(coalesce(chat_messages.messages_after_expiry, 0) as bigint)
            as messages_after_expiry,
        case
            when chat_messages.message_count is null then 'never_used'
            when chats_as_of.expires_at < as_of.as_of_end_at then 'expired'
            else 'active'
        end as status
    from chats_as_of
    cross join as_of
    left join chat_guests
        on chats_as_of.anonymous_chat_id = chat_guests.anonymous_chat_id
    left join chat_messages
        on chats_as_of.anonymous_chat_id = chat_messages.anonymous_chat_id
)

select * from chat_activity
