"""Analytics for the database of a chat product: dbt marts, DataFrames and graphs.

The public names below are imported on first use, so that the command line,
which imports this package, does not pay for pandas, polars, networkx and
matplotlib before it needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from chat_analytics.errors import ChatAnalyticsError

__version__ = "0.1.0"

# Public name -> module that defines it.
_LAZY_NAMES = {
    "ColumnInfo": "chat_analytics.marts",
    "GraphMetrics": "chat_analytics.graph",
    "MartInfo": "chat_analytics.marts",
    "RetentionMatrix": "chat_analytics.analysis",
    "active_users": "chat_analytics.analysis",
    "catalogue": "chat_analytics.marts",
    "friend_graph": "chat_analytics.graph",
    "graph_metrics": "chat_analytics.graph",
    "lifecycle_counts": "chat_analytics.analysis",
    "list_marts": "chat_analytics.marts",
    "load_conversation_messages": "chat_analytics.analysis",
    "load_mart": "chat_analytics.marts",
    "load_profiles": "chat_analytics.analysis",
    "load_user_activity": "chat_analytics.analysis",
    "mart_info": "chat_analytics.marts",
    "plot_active_users": "chat_analytics.reports.plots",
    "plot_activity_heatmap": "chat_analytics.reports.plots",
    "plot_cohort_retention": "chat_analytics.reports.plots",
    "plot_degree_distribution": "chat_analytics.reports.plots",
    "plot_friend_graph": "chat_analytics.reports.plots",
    "plot_lifecycle": "chat_analytics.reports.plots",
    "plot_message_forecast": "chat_analytics.reports.plots",
    "plot_response_times": "chat_analytics.reports.plots",
    "plot_retention_curves": "chat_analytics.reports.plots",
    "response_time_distribution": "chat_analytics.analysis",
    "retention_matrix": "chat_analytics.analysis",
    "write_graph_metrics": "chat_analytics.graph",
}

if TYPE_CHECKING:
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


def __getattr__(name: str) -> object:
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'chat_analytics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
