"""The exception family that chat_analytics raises for domain failures."""

__all__ = [
    "ChatAnalyticsError",
    "ConfigurationError",
    "WarehouseError",
    "LoadError",
    "BuildError",
]


class ChatAnalyticsError(Exception):
    """Base class of every error that chat_analytics raises on purpose."""


class ConfigurationError(ChatAnalyticsError, ValueError):
    """A setting or argument is invalid; the message names it and the fix."""


class WarehouseError(ChatAnalyticsError):
    """The PostgreSQL warehouse could not be started, reached or changed."""


class LoadError(ChatAnalyticsError):
    """A load into the chat tables was rejected; nothing was written."""


class BuildError(ChatAnalyticsError):
    """The dbt build failed: a model, a test or the project itself."""
