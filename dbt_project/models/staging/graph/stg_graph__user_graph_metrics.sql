-- Graph metrics of each profile from the latest networkx run, ids as text.
-- `chat-analytics graph` creates the source table. Until it exists, this view
-- is an empty relation with the same columns, so the models downstream still
-- build. Rebuild the view once the table exists.
{%- set metrics_relation = load_relation(
    source('chat_graph', 'user_graph_metrics')
) %}

with

{% if metrics_relation is none -%}
    source as (
        select
            cast(null as {{ dbt.type_string() }}) as user_id,
            cast(null as {{ dbt.type_int() }}) as degree,
            cast(null as {{ dbt.type_float() }}) as degree_centrality,
            cast(null as {{ dbt.type_float() }}) as betweenness_centrality,
            cast(null as {{ dbt.type_string() }}) as betweenness_method,
            cast(null as {{ dbt.type_int() }}) as betweenness_k,
            cast(null as {{ dbt.type_float() }}) as closeness_centrality,
            cast(null as {{ dbt.type_string() }}) as closeness_method,
            cast(null as {{ dbt.type_int() }}) as closeness_k,
            cast(null as {{ dbt.type_float() }}) as pagerank,
            cast(null as {{ dbt.type_float() }}) as eigenvector_centrality,
            cast(null as {{ dbt.type_string() }}) as eigenvector_method,
            cast(null as {{ dbt.type_float() }}) as clustering,
            cast(null as {{ dbt.type_int() }}) as triangles,
            cast(null as {{ dbt.type_int() }}) as core_number,
            cast(null as {{ dbt.type_string() }}) as component_id,
            cast(null as {{ dbt.type_int() }}) as component_size,
            cast(null as {{ dbt.type_int() }}) as louvain_community,
            cast(null as {{ dbt.type_int() }}) as label_propagation_community,
            cast(null as {{ dbt.type_int() }}) as greedy_community,
            cast(null as {{ dbt.type_timestamp() }}) as computed_at
        where 1 = 0
    ),
{%- else -%}
    source as (
        select * from {{ source('chat_graph', 'user_graph_metrics') }}
    ),
{%- endif %}

renamed as (
    select
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        degree,
        degree_centrality,
        betweenness_centrality,
        betweenness_method,
        betweenness_k,
        closeness_centrality,
        closeness_method,
        closeness_k,
        pagerank,
        eigenvector_centrality,
        eigenvector_method,
        clustering,
        triangles,
        core_number,
        component_id,
        component_size,
        louvain_community,
        label_propagation_community,
        greedy_community,
        computed_at
    from source
)

select * from renamed
