-- Whether friends are active together: for each month, the graph of the
-- accepted friendships whose request was sent by the end of that month.
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

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

edge_months as (
    select
        user_number,
        friend_number,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date)
            as created_month
    from friend_edges
),

days as (
    {{ day_series(
        '(select min(created_month) from edge_months)',
        '(select as_of_date from as_of)'
    ) }}
),

months as (
    select distinct
        cast({{ dbt.date_trunc('month', 'day') }} as date) as month_start
    from days
),

sender_months as (
    select
        user_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
            as month_start,
        sum(messages) as messages
    from user_days
    group by
        user_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
),

monthly_messages as (
    select
        profiles.user_number,
        sender_months.month_start,
        sender_months.messages
    from sender_months
    inner join profiles
        on sender_months.user_id = profiles.user_id
),

-- The friendship graph of each month, both directions of every edge.
monthly_edges as (
    select
        months.month_start,
        edge_months.user_number,
        edge_months.friend_number
    from months
    inner join edge_months
        on months.month_start >= edge_months.created_month
),

-- Friends without a message that month count with 0 messages.
friend_means as (
    select
        monthly_edges.month_start,
        monthly_edges.user_number,
        avg(
            cast(
                coalesce(friend_messages.messages, 0) as {{ dbt.type_float() }}
            )
        ) as mean_friend_messages
    from monthly_edges
    left join monthly_messages as friend_messages
        on
            monthly_edges.friend_number = friend_messages.user_number
            and monthly_edges.month_start = friend_messages.month_start
    group by monthly_edges.month_start, monthly_edges.user_number
),

user_months as (
    select
        friend_means.month_start,
        friend_means.user_number,
        cast(coalesce(own_messages.messages, 0) as {{ dbt.type_float() }})
            as messages,
        friend_means.mean_friend_messages
    from friend_means
    left join monthly_messages as own_messages
        on
            friend_means.user_number = own_messages.user_number
            and friend_means.month_start = own_messages.month_start
),

-- corr is NULL for fewer than two users or when either side is constant.
monthly_correlations as (
    select
        month_start,
        count(*) as users_with_friends,
        corr(messages, mean_friend_messages) as activity_correlation
    from user_months
    group by month_start
),

friendship_cohorts as (
    select
        cast({{ dbt.date_trunc('month', 'friendships.created_at') }} as date)
            as created_month,
        case
            when
                {{ dbt.date_trunc('month', 'user_a_profiles.signup_date') }}
                = {{ dbt.date_trunc('month', 'user_b_profiles.signup_date') }}
                then 1
            else 0
        end as is_same_cohort
    from friendships
    inner join profiles as user_a_profiles
        on friendships.user_a_number = user_a_profiles.user_number
    inner join profiles as user_b_profiles
        on friendships.user_b_number = user_b_profiles.user_number
),

new_friendships as (
    select
        created_month as month_start,
        count(*) as friendships,
        sum(is_same_cohort) as same_cohort_friendships
    from friendship_cohorts
    group by created_month
),

cumulative_friendships as (
    select
        months.month_start,
        sum(coalesce(new_friendships.friendships, 0)) over (
            order by months.month_start
            rows between unbounded preceding and current row
        ) as friendships,
        sum(coalesce(new_friendships.same_cohort_friendships, 0)) over (
            order by months.month_start
            rows between unbounded preceding and current row
        ) as same_cohort_friendships
    from months
    left join new_friendships
        on months.month_start = new_friendships.month_start
),

final as (
    select
        cumulative_friendships.month_start as month, -- noqa: RF04
        coalesce(monthly_correlations.users_with_friends, 0)
            as users_with_friends,
        monthly_correlations.activity_correlation,
        cast(
            cumulative_friendships.same_cohort_friendships
            as {{ dbt.type_float() }}
        )
        / nullif(cumulative_friendships.friendships, 0)
            as same_cohort_friendship_share
    from cumulative_friendships
    left join monthly_correlations
        on
            cumulative_friendships.month_start
            = monthly_correlations.month_start
)

select * from final
