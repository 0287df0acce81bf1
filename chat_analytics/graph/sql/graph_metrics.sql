-- The tables that chat_analytics.graph.write_graph_metrics fills from networkx.
-- {schema} is replaced by the quoted schema name (the dbt var graph_schema,
-- chat_graph by default). Every statement is idempotent.

create schema if not exists {schema};

-- One row per profile of the friendship graph of the latest run.
create table if not exists {schema}.user_graph_metrics (
    user_id uuid not null,
    degree integer not null,
    degree_centrality double precision not null,
    betweenness_centrality double precision not null,
    betweenness_method text not null,
    betweenness_k integer not null,
    closeness_centrality double precision not null,
    closeness_method text not null,
    closeness_k integer not null,
    pagerank double precision not null,
    -- NULL only where no eigenvalue solver converged.
    eigenvector_centrality double precision,
    eigenvector_method text not null,
    clustering double precision not null,
    triangles integer not null,
    core_number integer not null,
    component_id text not null,
    component_size integer not null,
    louvain_community integer,
    label_propagation_community integer,
    greedy_community integer,
    computed_at timestamp not null,
    constraint user_graph_metrics_pkey primary key (user_id)
);

-- One row: the parameters and results of the run in user_graph_metrics.
create table if not exists {schema}.graph_runs (
    computed_at timestamp not null,
    as_of_date date,
    seed bigint not null,
    node_count integer not null,
    edge_count integer not null,
    betweenness_method text not null,
    betweenness_k integer,
    closeness_method text not null,
    closeness_k integer,
    eigenvector_method text not null,
    louvain_status text not null,
    louvain_communities integer not null,
    louvain_modularity double precision,
    label_propagation_status text not null,
    label_propagation_communities integer not null,
    label_propagation_modularity double precision,
    greedy_status text not null,
    greedy_communities integer not null,
    greedy_modularity double precision,
    resolution double precision not null,
    networkx_version text not null,
    constraint graph_runs_pkey primary key (computed_at)
);
