-- Response latencies per chat. A response is the first message of a speaker
-- run other than the chat's first message. Its latency is its created_at
-- minus that of the message before it, in seconds.
with

runs as (
    select * from {{ ref('int_speaker_runs') }}
),

responses as (
    select
        chat_id,
        is_ai,
        response_seconds
    from runs
    where run_number > 1
),

final as (
    select
        chat_id,
        count(*) as responses,
        {{ percentile_cont(0.5, 'response_seconds') }}
            as median_response_seconds,
        {{ percentile_cont(0.9, 'response_seconds') }}
            as p90_response_seconds,
        {{ percentile_cont(
            0.5, 'case when is_ai then response_seconds end'
        ) }} as ai_median_response_seconds,
        {{ percentile_cont(
            0.5, 'case when not is_ai then response_seconds end'
        ) }} as human_median_response_seconds
    from responses
    group by chat_id
)

select * from final
