-- Weekly lifecycle states of users, from the first ISO week with an activity
-- message to the as-of week. Each active user-week is new, returning or
-- resurrecting. A user active in a week and not in the next one is dormant
-- in that next week.
with

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

user_weeks as (
    select distinct
        user_id,
        cast({{ dbt.date_trunc('week', 'activity_date') }} as date)
            as week_start
    from user_days
),

first_activity_week as (
    select min(week_start) as first_week
    from user_weeks
),

calendar_weeks as (
    select distinct calendar.week_start
    from calendar
    inner join first_activity_week
        on calendar.week_start >= first_activity_week.first_week
),

lifecycle_states as (
    select 'new' as lifecycle_state
    union all
    select 'returning' as lifecycle_state
    union all
    select 'resurrecting' as lifecycle_state
    union all
    select 'dormant' as lifecycle_state
),

user_week_neighbours as (
    select
        user_id,
        week_start,
        lag(week_start) over (
            partition by user_id
            order by week_start
        ) as previous_active_week,
        lead(week_start) over (
            partition by user_id
            order by week_start
        ) as next_active_week,
        cast({{ dbt.dateadd('day', -7, 'week_start') }} as date)
            as previous_week,
        cast({{ dbt.dateadd('day', 7, 'week_start') }} as date)
            as following_week
    from user_weeks
),

active_states as (
    select
        week_start,
        case
            when previous_active_week is null then 'new'
            when previous_active_week = previous_week then 'returning'
            else 'resurrecting'
        end as lifecycle_state
    from user_week_neighbours
),

dormant_states as (
    select
        following_week as week_start,
        'dormant' as lifecycle_state
    from user_week_neighbours
    where
        next_active_week is null
        or next_active_week > following_week
),

user_week_states as (
    select * from active_states
    union all
    select * from dormant_states
),

state_counts as (
    select
        week_start,
        lifecycle_state,
        count(*) as user_count
    from user_week_states
    group by week_start, lifecycle_state
),

week_states as (
    select
        calendar_weeks.week_start,
        lifecycle_states.lifecycle_state,
        coalesce(state_counts.user_count, 0) as user_count
    from calendar_weeks
    cross join lifecycle_states
    left join state_counts
        on
            calendar_weeks.week_start = state_counts.week_start
            and lifecycle_states.lifecycle_state = state_counts.lifecycle_state
)

select * from week_states
