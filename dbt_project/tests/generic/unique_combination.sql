{#
    Fail for every combination of `columns` that occurs more than once, or
    that has a NULL in any of them: the grain test of a multi-column key.
#}
{% test unique_combination(model, columns) %}
    {%- if columns is string or columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "unique_combination: columns must be a non-empty list, got "
            ~ columns
        ) }}
    {%- endif -%}
    with

    grouped as (
        select
            {{ columns | join(', ') }},
            count(*) as occurrences
        from {{ model }}
        group by {{ columns | join(', ') }}
    )

    select * from grouped
    where occurrences > 1
    {%- for column in columns %}
        or {{ column }} is null
    {%- endfor %}
{% endtest %}
