-- Friends and friend requests of every profile as of the as-of date.
with

profiles as (
    select * from {{ ref('int_profiles_numbered') }}
),

friend_requests as (
    select * from {{ ref('int_friend_requests_as_of') }}
),

friend_edges as (
    select * from {{ ref('int_friend_edges') }}
),

profile_count as (
    select count(*) as profiles
    from profiles
),

friend_counts as (
    select
        user_number,
        count(*) as friend_count
    from friend_edges
    group by user_number
),

sent_requests as (
    select
        requester_number as user_number,
        sum(case when status = 'accepted' then 1 else 0 end) as accepted_sent,
        sum(case when status = 'pending' then 1 else 0 end) as pending_sent,
        sum(case when status = 'declined' then 1 else 0 end) as declined_sent
    from friend_requests
    group by requester_number
),

received_requests as (
    select
        recipient_number as user_number,
        sum(case when status = 'pending' then 1 else 0 end) as pending_received,
        sum(
            case when status = 'declined' then 1 else 0 end
        ) as declined_received
    from friend_requests
    group by recipient_number
),

counts as (
    select
        profiles.user_id,
        coalesce(friend_counts.friend_count, 0) as friend_count,
        coalesce(sent_requests.pending_sent, 0) as pending_sent,
        coalesce(received_requests.pending_received, 0) as pending_received,
        coalesce(sent_requests.declined_sent, 0) as declined_sent,
        coalesce(received_requests.declined_received, 0) as declined_received,
        coalesce(sent_requests.accepted_sent, 0) as accepted_sent
    from profiles
    left join friend_counts
        on profiles.user_number = friend_counts.user_number
    left join sent_requests
        on profiles.user_number = sent_requests.user_number
    left join received_requests
        on profiles.user_number = received_requests.user_number
),

summary as (
    select
        counts.user_id,
        counts.friend_count,
        counts.pending_sent,
        counts.pending_received,
        counts.declined_sent,
        counts.declined_received,
        cast(counts.accepted_sent as {{ dbt.type_float() }})
        / nullif(counts.accepted_sent + counts.declined_sent, 0)
            as acceptance_rate_sent,
        -- networkx gives a graph of one node a degree centrality of 1.
        case
            when profile_count.profiles = 1
                then cast(1 as {{ dbt.type_float() }})
            else
                cast(counts.friend_count as {{ dbt.type_float() }})
                / (profile_count.profiles - 1)
        end as degree_centrality
    from counts
    cross join profile_count
)

select * from summary
