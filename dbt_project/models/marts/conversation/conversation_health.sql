-- Health of every chat created up to the as-of date. Counted messages are
-- non-deleted and non-system (human and AI), while deleted_share and
-- system_share are over all of the chat's messages. The last 28 days run from
-- as_of_date - 27 to as_of_date, the previous 28 days from as_of_date - 55 to
-- as_of_date - 28. health_score is
--   35 * participation + 25 * trend + 15 * (1 - deleted_share)
--   + 25 * responsiveness
-- where participation = active_participants_28d / participants, trend =
-- least(1, messages_28d / messages_prev_28d) (1 when only the last 28 days
-- have messages), responsiveness = 3600 / (3600 + median latency in seconds of
-- the responses created in the last 28 days), and every term is 0 when it is
-- undefined.
with

chats as (
    select * from {{ ref('stg_chat__chats') }}
),

chat_participants as (
    select * from {{ ref('stg_chat__chat_participants') }}
),

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

runs as (
    select * from {{ ref('int_speaker_runs') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- A select without from is one row for the planner, which keeps its row
-- estimates right through the cross joins below.
as_of_values as (
    select
        (select as_of.as_of_date from as_of) as as_of_date,
        (select as_of.as_of_end_at from as_of) as as_of_end_at
),

windows as (
    select
        as_of_date,
        as_of_end_at,
        cast({{ dbt.dateadd('day', -27, 'as_of_date') }} as date)
            as window_start_date,
        cast({{ dbt.dateadd('day', -55, 'as_of_date') }} as date)
            as previous_window_start_date
    from as_of_values
),

chats_as_of as (
    select
        chats.chat_id,
        chats.title
    from chats
    cross join windows
    where chats.created_at < windows.as_of_end_at
),

participants_as_of as (
    select
        chat_participants.chat_id,
        chat_participants.user_id
    from chat_participants
    cross join windows
    where chat_participants.joined_at < windows.as_of_end_at
),

-- One pass over the messages, grouped by chat and sender, feeds both the
-- chat's message counts and each sender's last activity in the chat.
chat_sender_messages as (
    select
        messages.chat_id,
        messages.sender_id,
        count(*) as all_messages,
        sum(case when messages.is_deleted then 1 else 0 end)
            as deleted_messages,
        sum(case when messages.is_system_message then 1 else 0 end)
            as system_messages,
        sum(
            case
                when
                    messages.is_conversational
                    and messages.created_date >= windows.window_start_date
                    then 1
                else 0
            end
        ) as messages_28d,
        sum(
            case
                when
                    messages.is_conversational
                    and messages.created_date
                    >= windows.previous_window_start_date
                    and messages.created_date < windows.window_start_date
                    then 1
                else 0
            end
        ) as messages_prev_28d,
        max(
            case when messages.is_conversational then messages.created_date end
        ) as last_message_date,
        max(
            case when messages.is_activity then messages.created_date end
        ) as last_active_date
    from messages
    cross join windows
    group by messages.chat_id, messages.sender_id
),

message_counts as (
    select
        chat_id,
        sum(all_messages) as all_messages,
        sum(deleted_messages) as deleted_messages,
        sum(system_messages) as system_messages,
        sum(messages_28d) as messages_28d,
        sum(messages_prev_28d) as messages_prev_28d,
        max(last_message_date) as last_message_date
    from chat_sender_messages
    group by chat_id
),

sender_activity as (
    select
        chat_id,
        sender_id as user_id,
        last_active_date
    from chat_sender_messages
    where last_active_date is not null
),

participant_counts as (
    select
        participants_as_of.chat_id,
        count(*) as participants,
        count(sender_activity.user_id) as posting_participants,
        sum(
            case
                when
                    sender_activity.last_active_date
                    >= windows.window_start_date
                    then 1
                else 0
            end
        ) as active_participants_28d
    from participants_as_of
    cross join windows
    left join sender_activity
        on
            participants_as_of.chat_id = sender_activity.chat_id
            and participants_as_of.user_id = sender_activity.user_id
    group by participants_as_of.chat_id
),

recent_responses as (
    select
        runs.chat_id,
        {{ percentile_cont(0.5, 'runs.response_seconds') }}
            as median_response_seconds_28d
    from runs
    cross join windows
    where
        runs.run_number > 1
        and cast(runs.started_at as date) >= windows.window_start_date
    group by runs.chat_id
),

measures as (
    select
        chats_as_of.chat_id,
        chats_as_of.title,
        coalesce(participant_counts.participants, 0) as participants,
        coalesce(participant_counts.active_participants_28d, 0)
            as active_participants_28d,
        -- Senders are counted among the participants, so the ratio stays
        -- between 0 and 1 when someone posted and later left the chat.
        cast(participant_counts.posting_participants as double precision)
        / nullif(participant_counts.participants, 0) as participation_ratio,
        cast(coalesce(message_counts.messages_28d, 0) as bigint)
            as messages_28d,
        cast(coalesce(message_counts.messages_prev_28d, 0) as bigint)
            as messages_prev_28d,
        cast(message_counts.deleted_messages as double precision)
        / nullif(message_counts.all_messages, 0) as deleted_share,
        cast(message_counts.system_messages as double precision)
        / nullif(message_counts.all_messages, 0) as system_share,
        {{ dbt.datediff(
            'message_counts.last_message_date', 'windows.as_of_date', 'day'
        ) }} as days_since_last_message,
        recent_responses.median_response_seconds_28d
    from chats_as_of
    cross join windows
    left join participant_counts
        on chats_as_of.chat_id = participant_counts.chat_id
    left join message_counts
        on chats_as_of.chat_id = message_counts.chat_id
    left join recent_responses
        on chats_as_of.chat_id = recent_responses.chat_id
),

components as (
    select
        *,
        coalesce(
            cast(active_participants_28d as double precision)
            / nullif(participants, 0),
            0.0
        ) as participation_component,
        case
            when messages_28d = 0 then 0.0
            when messages_prev_28d = 0 then 1.0
            else
                least(
                    1.0,
                    cast(messages_28d as double precision) / messages_prev_28d
                )
        end as trend_component,
        coalesce(1.0 - deleted_share, 0.0) as non_deleted_component,
        coalesce(3600.0 / (3600.0 + median_response_seconds_28d), 0.0)
            as responsiveness_component
    from measures
),

scored as (
    select
        *,
        cast(
            35 * participation_component
            + 25 * trend_component
            + 15 * non_deleted_component
            + 25 * responsiveness_component
            as double precision
        ) as health_score
    from components
),

final as (
    select
        chat_id,
        title,
        participants,
        active_participants_28d,
        participation_ratio,
        messages_28d,
        messages_prev_28d,
        deleted_share,
        system_share,
        days_since_last_message,
        health_score,
        case
            when
                days_since_last_message is null
                or days_since_last_message >= 56
                then 'dead'
            when health_score >= 70 then 'thriving'
            when health_score >= 40 then 'stable'
            else 'at_risk'
        end as health_status
    from scored
)

select * from final
