-- Each undirected friendship in both directions, so that "the friends of a
-- user" is one join on user_id or user_number.
with

friendships as (
    select * from {{ ref('int_friendships_undirected') }}
),

edges as (
    select
        user_a_id as user_id,
        user_b_id as friend_user_id,
        user_a_number as user_number,
        user_b_number as friend_number,
        created_at
    from friendships

    union all

    select
        user_b_id as user_id,
        user_a_id as friend_user_id,
        user_b_number as user_number,
        user_a_number as friend_number,
        created_at
    from friendships
)

select * from edges
