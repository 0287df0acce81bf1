-- Triangles and the local clustering coefficient of every user with a
-- friend, as networkx's triangles and clustering define them.
with

friendships as (
    select * from {{ ref('int_friendships_undirected') }}
),

friend_edges as (
    select * from {{ ref('int_friend_edges') }}
),

profiles as (
    select * from {{ ref('int_profiles_numbered') }}
),

friend_counts as (
    select
        user_number,
        count(*) as friend_count
    from friend_edges
    group by user_number
),

-- A common friend of both ends of an edge closes a triangle. Each triangle
-- is found once from each of its three edges, and each time it counts for
-- the corner opposite the edge, so every corner counts it exactly once.
triangle_corners as (
    select a_edges.friend_number as user_number
    from friendships
    inner join friend_edges as a_edges
        on friendships.user_a_number = a_edges.user_number
    inner join friend_edges as b_edges
        on
            friendships.user_b_number = b_edges.user_number
            and a_edges.friend_number = b_edges.friend_number
),

triangle_counts as (
    select
        user_number,
        count(*) as triangles
    from triangle_corners
    group by user_number
),

clustering as (
    select
        profiles.user_id,
        friend_counts.friend_count,
        coalesce(triangle_counts.triangles, 0) as triangles,
        case
            when friend_counts.friend_count < 2
                then cast(0 as {{ dbt.type_float() }})
            else
                2 * cast(
                    coalesce(triangle_counts.triangles, 0)
                    as {{ dbt.type_float() }}
                )
                / (
                    friend_counts.friend_count
                    * (friend_counts.friend_count - 1)
                )
        end as clustering
    from friend_counts
    inner join profiles
        on friend_counts.user_number = profiles.user_number
    left join triangle_counts
        on friend_counts.user_number = triangle_counts.user_number
)

select * from clustering
