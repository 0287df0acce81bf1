{#
    Return an ordered-set aggregate: the continuous percentile `fraction`
    (between 0 and 1) of `expression` within the group.
#}
{% macro percentile_cont(fraction, expression) %}
    {%- if fraction is not number or fraction < 0 or fraction > 1 -%}
        {{ exceptions.raise_compiler_error(
            "percentile_cont: fraction must be a number in [0, 1], got "
            ~ fraction
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('percentile_cont', 'chat_analytics')(
        fraction, expression
    )) }}
{% endmacro %}

{% macro default__percentile_cont(fraction, expression) %}
    percentile({{ expression }}, {{ fraction }})
{% endmacro %}

{% macro postgres__percentile_cont(fraction, expression) %}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{% endmacro %}
