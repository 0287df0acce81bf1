"""Analytics for the database of a chat product: dbt marts, DataFrames and graphs."""

from chat_analytics.errors import ChatAnalyticsError

__version__ = "0.1.0"

__all__ = ["ChatAnalyticsError", "__version__"]
