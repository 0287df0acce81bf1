{#
    Return a statement that lets `role` look up relations in the marts'
    schema. dbt's grants config gives SELECT on each mart, but without USAGE
    on the schema the role still cannot read them. A role that does not exist
    is skipped, so a warehouse without it still builds.
#}
{% macro grant_schema_usage(role) %}
    {%- if role is not string or role | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "grant_schema_usage: role must be a non-empty string, got "
            ~ role
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('grant_schema_usage', 'chat_analytics')(role)) }}
{% endmacro %}

{% macro default__grant_schema_usage(role) %}
    grant usage on schema {{ target.schema }} to `{{ role }}`
{% endmacro %}

{% macro postgres__grant_schema_usage(role) %}
    do $grant$
    begin
        if exists (
            select from pg_roles where rolname = {{ dbt.string_literal(role) }}
        ) then
            execute format(
                'grant usage on schema %I to %I',
                {{ dbt.string_literal(target.schema) }},
                {{ dbt.string_literal(role) }}
            );
        end if;
    end
    $grant$
{% endmacro %}
