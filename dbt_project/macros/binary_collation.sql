{#
    Return `expression` (text) so that comparisons, min/max and order by
    treat it as bytes, which is how Python compares ASCII strings: the C
    collation in PostgreSQL. Spark and Databricks compare strings by bytes
    already.
#}
{% macro binary_collation(expression) %}
    {{ return(adapter.dispatch('binary_collation', 'chat_analytics')(
        expression
    )) }}
{% endmacro %}

{% macro default__binary_collation(expression) %}
    {{ expression }}
{% endmacro %}

{% macro postgres__binary_collation(expression) %}
    ({{ expression }}) collate "C"
{% endmacro %}
