{#
    Return the as_of_date var as a SQL date literal, or none when it is not
    set. Raise a compiler error naming the value when it is not YYYY-MM-DD.
#}
{% macro as_of_date_literal() %}
    {%- set raw = var('as_of_date', none) -%}
    {%- if raw is none or raw | string | trim in ('', 'none', 'None', 'null') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(
            "invalid var as_of_date '" ~ text ~ "': give a date as YYYY-MM-DD"
        ) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    {{ return("cast('" ~ text ~ "' as date)") }}
{% endmacro %}
