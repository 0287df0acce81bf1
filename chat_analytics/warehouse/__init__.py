"""Connection settings, the embedded PostgreSQL server and the chat schema."""

from chat_analytics.warehouse.connection import (
    ConnectionSettings,
    connect,
    embedded_server,
    home_dir,
    redact_dsn,
    resolve_dsn,
    to_uri,
    uses_embedded_server,
)
from chat_analytics.warehouse.embedded import EmbeddedServer
from chat_analytics.warehouse.schema import SCHEMA, TABLES, init_schema

__all__ = [
    "SCHEMA",
    "TABLES",
    "ConnectionSettings",
    "EmbeddedServer",
    "connect",
    "embedded_server",
    "home_dir",
    "init_schema",
    "redact_dsn",
    "resolve_dsn",
    "to_uri",
    "uses_embedded_server",
]
