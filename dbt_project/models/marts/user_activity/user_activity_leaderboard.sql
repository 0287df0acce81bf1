-- Every user with an activity message by the end of the as-of date, ranked by
-- activity messages overall and within the signup-month cohort.
with

user_chat_days as (
    select * from {{ ref('int_user_chat_days_activity') }}
),

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

user_totals as (
    select
        user_id,
        cast(sum(messages) as bigint) as messages_sent,
        count(distinct activity_date) as active_days,
        count(distinct chat_id) as chats_active_in,
        min(first_message_at) as first_message_at,
        max(last_message_at) as last_message_at
    from user_chat_days
    group by user_id
),

user_stats as (
    select
        user_totals.user_id,
        profiles.username,
        cast({{ dbt.date_trunc('month', 'profiles.signup_date') }} as date)
            as signup_month,
        user_totals.messages_sent,
        user_totals.active_days,
        user_totals.chats_active_in,
        user_totals.first_message_at,
        user_totals.last_message_at
    from user_totals
    inner join profiles
        on user_totals.user_id = profiles.user_id
),

ranked as (
    select
        user_id,
        username,
        signup_month,
        messages_sent,
        active_days,
        chats_active_in,
        first_message_at,
        last_message_at,
        cast(messages_sent as double precision)
        / active_days as messages_per_active_day,
        cast(messages_sent as double precision)
        / nullif(
            sum(messages_sent) over (partition by signup_month),
            0
        ) as cohort_message_share,
        row_number() over (
            order by
                messages_sent desc,
                username collate "C",
                user_id collate "C"
        ) as rank_overall,
        row_number() over (
            partition by signup_month
            order by
                messages_sent desc,
                username collate "C",
                user_id collate "C"
        ) as rank_in_cohort
    from user_stats
)

select * from ranked
