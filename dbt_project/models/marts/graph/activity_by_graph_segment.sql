-- Activity and 28-day retention of users grouped by their place in the
-- friendship graph: Louvain community, PageRank decile and degree-centrality
-- decile. Users who tie on a centrality share a decile, which is
-- ceil(10 * users with a value at most theirs / users), so a decile can be
-- missing when many users tie.
with

graph_metrics as (
    select * from {{ ref('stg_graph__user_graph_metrics') }}
),

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

window_bounds as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', -27, 'as_of_date') }} as date)
            as window_start_date,
        cast({{ dbt.dateadd('day', -55, 'as_of_date') }} as date)
            as previous_window_start_date
    from as_of
),

graph_users as (
    -- Profiles created by the end of the as-of date that have graph metrics.
    select
        graph_metrics.user_id,
        graph_metrics.degree,
        graph_metrics.pagerank,
        graph_metrics.degree_centrality,
        graph_metrics.louvain_community
    from graph_metrics
    inner join profiles
        on graph_metrics.user_id = profiles.user_id
    cross join as_of
    where profiles.created_at < as_of.as_of_end_at
),

user_window_messages as (
    -- Activity messages (not deleted, not system, not AI, with a sender) per
    -- user in the last 28 days and in the 28 days before them.
    select
        user_days.user_id,
        sum(
            case
                when user_days.activity_date >= window_bounds.window_start_date
                    then user_days.messages
                else 0
            end
        ) as messages_28d,
        sum(
            case
                when user_days.activity_date < window_bounds.window_start_date
                    then user_days.messages
                else 0
            end
        ) as messages_prev_28d
    from user_days
    cross join window_bounds
    where
        user_days.activity_date >= window_bounds.previous_window_start_date
        and user_days.activity_date <= window_bounds.as_of_date
    group by user_days.user_id
),

ranked_users as (
    select
        graph_users.user_id,
        graph_users.degree,
        graph_users.louvain_community,
        count(*) over (
            order by graph_users.pagerank
            range between unbounded preceding and current row
        ) as users_up_to_pagerank,
        count(*) over (
            order by graph_users.degree_centrality
            range between unbounded preceding and current row
        ) as users_up_to_degree_centrality,
        count(*) over () as user_total,
        coalesce(user_window_messages.messages_28d, 0) as messages_28d,
        coalesce(user_window_messages.messages_prev_28d, 0)
            as messages_prev_28d
    from graph_users
    left join user_window_messages
        on graph_users.user_id = user_window_messages.user_id
),

user_segments as (
    select
        'louvain_community' as segment_type,
        louvain_community as segment,
        degree,
        messages_28d,
        messages_prev_28d
    from ranked_users
    where louvain_community is not null

    union all

    select
        'pagerank_decile' as segment_type,
        cast(ceil(10.0 * users_up_to_pagerank / user_total) as integer)
            as segment,
        degree,
        messages_28d,
        messages_prev_28d
    from ranked_users

    union all

    select
        'degree_centrality_decile' as segment_type,
        cast(
            ceil(10.0 * users_up_to_degree_centrality / user_total) as integer
        ) as segment,
        degree,
        messages_28d,
        messages_prev_28d
    from ranked_users
),

segment_totals as (
    select
        segment_type,
        segment,
        count(*) as user_count,
        avg(cast(degree as {{ dbt.type_float() }})) as mean_degree,
        sum(case when messages_28d > 0 then 1 else 0 end)
            as active_users_28d,
        cast(sum(messages_28d) as bigint) as messages_28d,
        sum(case when messages_prev_28d > 0 then 1 else 0 end)
            as active_users_prev_28d,
        sum(
            case
                when messages_prev_28d > 0 and messages_28d > 0 then 1
                else 0
            end
        ) as retained_users_28d
    from user_segments
    group by segment_type, segment
),

final as (
    select
        segment_type,
        segment,
        user_count,
        mean_degree,
        active_users_28d,
        cast(active_users_28d as {{ dbt.type_float() }})
        / nullif(user_count, 0) as active_share_28d,
        messages_28d,
        cast(messages_28d as {{ dbt.type_float() }})
        / nullif(user_count, 0) as messages_per_user_28d,
        active_users_prev_28d,
        retained_users_28d,
        cast(retained_users_28d as {{ dbt.type_float() }})
        / nullif(active_users_prev_28d, 0) as retention_rate_28d
    from segment_totals
)

select * from final
