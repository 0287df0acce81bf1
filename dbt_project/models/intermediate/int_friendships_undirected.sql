-- The accepted friendship graph as of the as-of date: one undirected edge
-- per pair of users, whichever of them sent the request. Reciprocal accepted
-- requests (u, v) and (v, u) make one edge.
with

friend_requests as (
    select * from {{ ref('int_friend_requests_as_of') }}
),

-- User numbers follow the byte order of user ids, so user_a_id is the
-- smaller id of the pair in byte order.
accepted_requests as (
    select
        case
            when requester_number < recipient_number then requester_user_id
            else recipient_user_id
        end as user_a_id,
        case
            when requester_number < recipient_number then recipient_user_id
            else requester_user_id
        end as user_b_id,
        least(requester_number, recipient_number) as user_a_number,
        greatest(requester_number, recipient_number) as user_b_number,
        created_at,
        responded_at
    from friend_requests
    where status = 'accepted'
),

friendships as (
    select
        user_a_id,
        user_b_id,
        user_a_number,
        user_b_number,
        min(created_at) as created_at,
        min(responded_at) as accepted_at,
        count(*) as accepted_requests
    from accepted_requests
    group by user_a_id, user_b_id, user_a_number, user_b_number
)

select * from friendships
