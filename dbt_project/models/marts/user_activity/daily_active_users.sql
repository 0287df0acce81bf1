-- Daily, weekly and monthly active users per day with new profiles and the
-- r30v2 retention count. Each rolling distinct count is a running sum of +1
-- and -1 changes. For a window of w days, a user active on day d whose next
-- active day is n counts on days d to min(d + w, n) - 1. These intervals are
-- disjoint per user, so no user counts twice on a day, and the cost grows
-- with the number of user-days instead of user-days times the window.
with

user_days as (
    select * from {{ ref('int_user_days_activity') }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

numbered_user_days as (
    select
        user_days.user_id,
        calendar.day_number
    from user_days
    inner join calendar
        on user_days.activity_date = calendar.calendar_date
),

user_day_neighbours as (
    select
        user_id,
        day_number,
        lead(day_number) over (
            partition by user_id
            order by day_number
        ) as next_day_number,
        -- The latest active day at least 31 days before this one. Together
        -- with this day it meets the r30v2 rule until it leaves the 60-day
        -- window, which is up to that earlier day + 59.
        max(day_number) over (
            partition by user_id
            order by day_number
            range between unbounded preceding and 31 preceding
        ) as r30v2_partner_day_number
    from numbered_user_days
),

window_lengths as (
    select
        'wau' as measure,
        7 as window_days
    union all
    select
        'mau_28d' as measure,
        28 as window_days
    union all
    select
        'mau_30d' as measure,
        30 as window_days
),

rolling_changes as (
    select
        window_lengths.measure,
        user_day_neighbours.day_number,
        1 as count_change
    from user_day_neighbours
    cross join window_lengths
    union all
    select
        window_lengths.measure,
        least(
            user_day_neighbours.day_number + window_lengths.window_days,
            coalesce(
                user_day_neighbours.next_day_number,
                user_day_neighbours.day_number + window_lengths.window_days
            )
        ) as day_number,
        -1 as count_change
    from user_day_neighbours
    cross join window_lengths
),

r30v2_changes as (
    select
        'r30v2_users' as measure,
        day_number,
        1 as count_change
    from user_day_neighbours
    where r30v2_partner_day_number + 59 >= day_number
    union all
    select
        'r30v2_users' as measure,
        least(
            r30v2_partner_day_number + 60,
            coalesce(next_day_number, r30v2_partner_day_number + 60)
        ) as day_number,
        -1 as count_change
    from user_day_neighbours
    where r30v2_partner_day_number + 59 >= day_number
),

all_changes as (
    select * from rolling_changes
    union all
    select * from r30v2_changes
),

daily_changes as (
    select
        day_number,
        sum(case when measure = 'wau' then count_change else 0 end)
            as wau_change,
        sum(case when measure = 'mau_28d' then count_change else 0 end)
            as mau_28d_change,
        sum(case when measure = 'mau_30d' then count_change else 0 end)
            as mau_30d_change,
        sum(case when measure = 'r30v2_users' then count_change else 0 end)
            as r30v2_change
    from all_changes
    group by day_number
),

daily_active as (
    select
        day_number,
        count(*) as dau
    from numbered_user_days
    group by day_number
),

new_profiles as (
    select
        profiles.signup_date,
        count(*) as new_users
    from profiles
    cross join as_of
    where profiles.created_at < as_of.as_of_end_at
    group by profiles.signup_date
),

daily_counts as (
    select
        calendar.calendar_date as activity_date,
        coalesce(daily_active.dau, 0) as dau,
        sum(coalesce(daily_changes.wau_change, 0)) over (
            order by calendar.day_number
            rows between unbounded preceding and current row
        ) as wau,
        sum(coalesce(daily_changes.mau_28d_change, 0)) over (
            order by calendar.day_number
            rows between unbounded preceding and current row
        ) as mau_28d,
        sum(coalesce(daily_changes.mau_30d_change, 0)) over (
            order by calendar.day_number
            rows between unbounded preceding and current row
        ) as mau_30d,
        coalesce(new_profiles.new_users, 0) as new_users,
        sum(coalesce(daily_changes.r30v2_change, 0)) over (
            order by calendar.day_number
            rows between unbounded preceding and current row
        ) as r30v2_users
    from calendar
    left join daily_active
        on calendar.day_number = daily_active.day_number
    left join daily_changes
        on calendar.day_number = daily_changes.day_number
    left join new_profiles
        on calendar.calendar_date = new_profiles.signup_date
),

final as (
    select
        activity_date,
        dau,
        cast(wau as bigint) as wau,
        cast(mau_28d as bigint) as mau_28d,
        cast(mau_30d as bigint) as mau_30d,
        cast(dau as double precision)
        / nullif(mau_28d, 0) as dau_over_mau_28d,
        new_users,
        cast(r30v2_users as bigint) as r30v2_users
    from daily_counts
)

select * from final
