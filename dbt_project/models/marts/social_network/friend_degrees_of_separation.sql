-- Breadth-first search over the accepted friendship graph from the five
-- users with the most friends, up to 6 hops.
with recursive

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

-- User numbers follow the byte order of user ids, so ties go to the
-- smaller user_id.
ranked_users as (
    select
        user_number,
        row_number() over (
            order by friend_count desc, user_number asc
        ) as friend_count_rank
    from friend_counts
),

sources as (
    select user_number as source_number
    from ranked_users
    where friend_count_rank <= 5
),

-- Breadth-first search, one round per hop. Each round carries the users
-- found so far (their hops fixed) and adds the friends of the users found
-- in the previous round that no earlier round found, so every user gets the
-- length of its shortest path. The search stops after round 6.
search (source_number, user_number, hops, round_number) as (
    select
        source_number,
        source_number as user_number,
        0 as hops,
        0 as round_number
    from sources

    union all

    (
        with

        visited as (
            select
                source_number,
                user_number,
                hops,
                round_number
            from search
            where round_number < 6
        ),

        frontier as (
            select *
            from visited
            where hops = round_number
        ),

        discovered as (
            select distinct
                frontier.source_number,
                friend_edges.friend_number as user_number,
                frontier.hops + 1 as hops
            from frontier
            inner join friend_edges
                on frontier.user_number = friend_edges.user_number
            left join visited as known
                on
                    frontier.source_number = known.source_number
                    and friend_edges.friend_number = known.user_number
            where known.user_number is null
        )

        select
            source_number,
            user_number,
            hops,
            round_number + 1 as round_number
        from visited

        union all

        select
            source_number,
            user_number,
            hops,
            hops as round_number
        from discovered
    )
),

-- Round 6 contains every user found, each once per source.
shortest_paths as (
    select
        source_number,
        user_number as target_number,
        hops
    from search
    where round_number = 6 and hops > 0
),

final as (
    select
        sources.user_id as source_user_id,
        targets.user_id as target_user_id,
        shortest_paths.hops
    from shortest_paths
    inner join profiles as sources
        on shortest_paths.source_number = sources.user_number
    inner join profiles as targets
        on shortest_paths.target_number = targets.user_number
)

select * from final
