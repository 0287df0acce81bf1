{#
    Return a FROM-clause item that unnests the array column `array_column` of
    `relation_alias` into one row per element, named `element_name`.
#}
{% macro array_elements(relation_alias, array_column, element_name) %}
    {{ return(adapter.dispatch('array_elements', 'chat_analytics')(
        relation_alias, array_column, element_name
    )) }}
{% endmacro %}

{% macro default__array_elements(relation_alias, array_column, element_name) %}
    lateral view explode({{ relation_alias }}.{{ array_column }})
        exploded as {{ element_name }}
{% endmacro %}

{% macro postgres__array_elements(relation_alias, array_column, element_name) %}
    cross join lateral unnest({{ relation_alias }}.{{ array_column }})
        as exploded ({{ element_name }})
{% endmacro %}
