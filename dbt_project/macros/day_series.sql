{#
    Return a query with one row per day, column "day" (a date), from
    start_date to end_date inclusive; both are SQL expressions.
#}
{% macro day_series(start_date, end_date) %}
    {{ return(adapter.dispatch('day_series', 'chat_analytics')(
        start_date, end_date
    )) }}
{% endmacro %}

{% macro default__day_series(start_date, end_date) %}
    select explode(sequence({{ start_date }}, {{ end_date }},
        interval 1 day)) as day
{% endmacro %}

{% macro postgres__day_series(start_date, end_date) %}
    select cast(series.day as date) as day
    from generate_series(
        cast({{ start_date }} as timestamp),
        cast({{ end_date }} as timestamp),
        interval '1 day'
    ) as series (day)
{% endmacro %}
