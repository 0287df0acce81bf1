"""The friendship graph: build it, compute networkx metrics, write them back."""

from chat_analytics.graph.build import default_as_of_date, friend_graph
from chat_analytics.graph.communities import (
    CommunityResult,
    detect_communities,
    number_communities,
)
from chat_analytics.graph.metrics import GraphMetrics, graph_metrics
from chat_analytics.graph.write import (
    create_graph_tables,
    graph_schema,
    graph_tables_ddl,
    write_graph_metrics,
)

__all__ = [
    "CommunityResult",
    "GraphMetrics",
    "create_graph_tables",
    "default_as_of_date",
    "detect_communities",
    "friend_graph",
    "graph_metrics",
    "graph_schema",
    "graph_tables_ddl",
    "number_communities",
    "write_graph_metrics",
]
