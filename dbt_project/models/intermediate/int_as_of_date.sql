-- The as-of date of every mart: the var as_of_date when set, else the UTC
-- date of the newest message of any kind. as_of_end_at is the first instant
-- after that date; rows created at or after it are out of every mart.
{%- set literal = as_of_date_literal() %}

with

messages as (
    select * from {{ ref('stg_chat__messages') }}
),

newest as (
    select max(created_at) as newest_message_at
    from messages
),

as_of as (
    select
        newest_message_at,
        {% if literal is none -%}
            cast(newest_message_at as date)
        {%- else -%}
            {{ literal }}
        {%- endif %} as as_of_date
    from newest
),

final as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as timestamp)
            as as_of_end_at,
        newest_message_at
    from as_of
)

select * from final
