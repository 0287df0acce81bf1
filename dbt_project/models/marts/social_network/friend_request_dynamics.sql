-- Friend requests by the month they were sent, with their status as of the
-- as-of date and the time from request to acceptance.
with

friend_requests as (
    select * from {{ ref('int_friend_requests_as_of') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

requests as (
    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date)
            as month_start,
        status,
        case
            when status = 'accepted'
                then {{ seconds_between('created_at', 'responded_at') }} / 3600
        end as hours_to_accept
    from friend_requests
),

monthly_requests as (
    select
        month_start,
        count(*) as requests,
        sum(case when status = 'accepted' then 1 else 0 end) as accepted,
        sum(case when status = 'declined' then 1 else 0 end) as declined,
        sum(case when status = 'pending' then 1 else 0 end) as pending,
        {{ percentile_cont(0.5, 'hours_to_accept') }} as median_hours_to_accept,
        {{ percentile_cont(0.9, 'hours_to_accept') }} as p90_hours_to_accept
    from requests
    group by month_start
),

days as (
    {{ day_series(
        '(select min(month_start) from monthly_requests)',
        '(select as_of_date from as_of)'
    ) }}
),

months as (
    select distinct
        cast({{ dbt.date_trunc('month', 'day') }} as date) as month_start
    from days
),

filled as (
    select
        months.month_start as month, -- noqa: RF04
        coalesce(monthly_requests.requests, 0) as requests,
        coalesce(monthly_requests.accepted, 0) as accepted,
        coalesce(monthly_requests.declined, 0) as declined,
        coalesce(monthly_requests.pending, 0) as pending,
        cast(monthly_requests.accepted as {{ dbt.type_float() }})
        / nullif(monthly_requests.accepted + monthly_requests.declined, 0)
            as acceptance_rate,
        cast(
            monthly_requests.median_hours_to_accept as {{ dbt.type_float() }}
        ) as median_hours_to_accept,
        cast(
            monthly_requests.p90_hours_to_accept as {{ dbt.type_float() }}
        ) as p90_hours_to_accept
    from months
    left join monthly_requests
        on months.month_start = monthly_requests.month_start
)

select * from filled
