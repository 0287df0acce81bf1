"""Analytics for the database of a chat product: dbt marts, DataFrames and graphs."""

from chat_analytics.analysis import (
    RetentionMatrix,
    active_users,
    lifecycle_counts,
    load_conversation_messages,
    load_profiles,
    load_user_activity,
    response_time_distribution,
    retention_matrix,
)
from chat_analytics.errors import ChatAnalyticsError
from chat_analytics.graph import (
    GraphMetrics,
    friend_graph,
    graph_metrics,
    write_graph_metrics,
)
from chat_analytics.marts import (
    ColumnInfo,
    MartInfo,
    catalogue,
    list_marts,
    load_mart,
    mart_info,
)
from chat_analytics.reports.plots import (
    plot_active_users,
    plot_activity_heatmap,
    plot_cohort_retention,
    plot_degree_distribution,
    plot_friend_graph,
    plot_lifecycle,
    plot_message_forecast,
    plot_response_times,
    plot_retention_curves,
)

__version__ = "0.1.0"

__all__ = [
    "ChatAnalyticsError",
    "ColumnInfo",
    "GraphMetrics",
    "MartInfo",
    "RetentionMatrix",
    "__version__",
    "active_users",
    "catalogue",
    "friend_graph",
    "graph_metrics",
    "lifecycle_counts",
    "list_marts",
    "load_conversation_messages",
    "load_mart",
    "load_profiles",
    "load_user_activity",
    "mart_info",
    "plot_active_users",
    "plot_activity_heatmap",
    "plot_cohort_retention",
    "plot_degree_distribution",
    "plot_friend_graph",
    "plot_lifecycle",
    "plot_message_forecast",
    "plot_response_times",
    "plot_retention_curves",
    "response_time_distribution",
    "retention_matrix",
    "write_graph_metrics",
]
