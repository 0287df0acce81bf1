{#
    Return the number of seconds, fractional, from timestamp `start_at` to
    timestamp `end_at`.
#}
{% macro seconds_between(start_at, end_at) %}
    {{ return(adapter.dispatch('seconds_between', 'chat_analytics')(
        start_at, end_at
    )) }}
{% endmacro %}

{% macro default__seconds_between(start_at, end_at) %}
    (unix_micros({{ end_at }}) - unix_micros({{ start_at }})) / 1000000.0
{% endmacro %}

{% macro postgres__seconds_between(start_at, end_at) %}
    cast(extract(epoch from ({{ end_at }}) - ({{ start_at }}))
        as double precision)
{% endmacro %}
