{#
    Return a statement that refreshes the planner statistics of `relation`.
    dbt-built tables start without statistics, so PostgreSQL guesses about
    1,700 rows even for the one-row int_as_of_date and picks bad joins.
#}
{% macro refresh_statistics(relation) %}
    {{ return(adapter.dispatch('refresh_statistics', 'chat_analytics')(
        relation
    )) }}
{% endmacro %}

{% macro default__refresh_statistics(relation) %}
    analyze table {{ relation }} compute statistics
{% endmacro %}

{% macro postgres__refresh_statistics(relation) %}
    analyze {{ relation }}
{% endmacro %}
