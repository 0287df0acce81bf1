-- Friend requests as they stood at the end of the as-of date. friends keeps
-- no history, so updated_at is taken as the time a request was accepted or
-- declined, and a request accepted or declined after the as-of date counts
-- as pending.
with

friends as (
    select * from {{ ref('stg_chat__friends') }}
),

profiles as (
    select * from {{ ref('int_profiles_numbered') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- The inner joins keep requests between two profiles created by the as-of
-- date. A request to oneself is no friendship and is left out.
requests_as_of as (
    select
        friends.friendship_id,
        friends.user_id as requester_user_id,
        friends.friend_id as recipient_user_id,
        requesters.user_number as requester_number,
        recipients.user_number as recipient_number,
        friends.status as stored_status,
        friends.created_at,
        friends.updated_at,
        as_of.as_of_end_at
    from friends
    cross join as_of
    inner join profiles as requesters
        on friends.user_id = requesters.user_id
    inner join profiles as recipients
        on friends.friend_id = recipients.user_id
    where
        friends.created_at < as_of.as_of_end_at
        and friends.user_id != friends.friend_id
),

statuses as (
    select
        friendship_id,
        requester_user_id,
        recipient_user_id,
        requester_number,
        recipient_number,
        case
            when
                stored_status in ('accepted', 'declined')
                and updated_at >= as_of_end_at
                then 'pending'
            else stored_status
        end as status,
        stored_status,
        created_at,
        updated_at
    from requests_as_of
),

final as (
    select
        *,
        case
            when status in ('accepted', 'declined') then updated_at
        end as responded_at
    from statuses
)

select * from final
