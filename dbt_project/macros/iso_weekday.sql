{#
    Return the ISO day of the week of the date or timestamp `expression`:
    1 for Monday to 7 for Sunday, as an integer.
#}
{% macro iso_weekday(expression) %}
    {{ return(adapter.dispatch('iso_weekday', 'chat_analytics')(expression)) }}
{% endmacro %}

{% macro default__iso_weekday(expression) %}
    cast(extract(dayofweek_iso from {{ expression }}) as int)
{% endmacro %}

{% macro postgres__iso_weekday(expression) %}
    cast(extract(isodow from {{ expression }}) as int)
{% endmacro %}
