-- Friends of friends who have no friend request with the user yet.
with

friend_edges as (
    select * from {{ ref('int_friend_edges') }}
),

friend_requests as (
    select * from {{ ref('int_friend_requests_as_of') }}
),

profiles as (
    select * from {{ ref('int_profiles_numbered') }}
),

-- One row per path user -> mutual friend -> candidate.
two_hop_paths as (
    select
        first_hops.user_number,
        second_hops.friend_number as candidate_number,
        first_hops.friend_number as mutual_friend_number
    from friend_edges as first_hops
    inner join friend_edges as second_hops
        on first_hops.friend_number = second_hops.user_number
    where second_hops.friend_number != first_hops.user_number
),

-- A request between two users, whatever its status and direction, rules the
-- pair out. Friends are among these pairs, through their accepted request.
requested_pairs as (
    select
        requester_number as user_number,
        recipient_number as other_number
    from friend_requests

    union all

    select
        recipient_number as user_number,
        requester_number as other_number
    from friend_requests
),

candidates as (
    select
        two_hop_paths.user_number,
        two_hop_paths.candidate_number,
        count(*) as mutual_friends
    from two_hop_paths
    left join requested_pairs
        on
            two_hop_paths.user_number = requested_pairs.user_number
            and two_hop_paths.candidate_number = requested_pairs.other_number
    where requested_pairs.user_number is null
    group by two_hop_paths.user_number, two_hop_paths.candidate_number
),

-- Candidate numbers follow the byte order of their user ids.
ranked as (
    select
        user_number,
        candidate_number,
        mutual_friends,
        row_number() over (
            partition by user_number
            order by mutual_friends desc, candidate_number asc
        ) as recommendation_rank
    from candidates
),

recommendations as (
    select
        user_profiles.user_id,
        candidate_profiles.user_id as candidate_user_id,
        ranked.mutual_friends,
        ranked.recommendation_rank
    from ranked
    inner join profiles as user_profiles
        on ranked.user_number = user_profiles.user_number
    inner join profiles as candidate_profiles
        on ranked.candidate_number = candidate_profiles.user_number
    where ranked.recommendation_rank <= 10
)

select * from recommendations
