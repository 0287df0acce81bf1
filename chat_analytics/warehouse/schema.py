"""The DDL of the 11 chat tables and the roles that read the marts."""

from __future__ import annotations

import logging
from importlib import resources

import psycopg
from psycopg import sql

__all__ = ["SCHEMA", "TABLES", "READER_ROLE", "schema_ddl", "init_schema"]

logger = logging.getLogger(__name__)

SCHEMA = "chat"
# In foreign-key order: a table comes after every table it references, so
# loading in this order and deleting in reverse never breaks a constraint.
TABLES = (
    "profiles",
    "chats",
    "chat_participants",
    "messages",
    "friends",
    "notifications",
    "file_attachments",
    "anonymous_chats",
    "anonymous_chat_users",
    "anonymous_messages",
    "chat_invitations",
)
# A role without login that dbt grants SELECT on the marts to; analysts' own
# login roles become members of it.
READER_ROLE = "chat_analytics_reader"


def schema_ddl() -> str:
    """Return the SQL that creates the chat schema, its tables and indexes."""
    return (
        resources.files("chat_analytics.warehouse")
        .joinpath("sql/schema.sql")
        .read_text(encoding="utf-8")
    )


def init_schema(connection: psycopg.Connection) -> None:
    """Create the chat schema and the reader role unless they exist (idempotent).

    The caller's transaction is committed on success. Creating the role needs
    the CREATEROLE privilege; without it, a warning is logged and the schema is
    still created.
    """
    with connection.transaction():
        # Two processes running init at once would race on "if not exists".
        connection.execute(
            "select pg_advisory_xact_lock(hashtext('chat_analytics.init'))"
        )
        connection.execute(schema_ddl())
    try:
        with connection.transaction():
            exists = connection.execute(
                "select 1 from pg_roles where rolname = %s", (READER_ROLE,)
            ).fetchone()
            if exists is None:
                connection.execute(
                    sql.SQL("create role {} nologin").format(
                        sql.Identifier(READER_ROLE)
                    )
                )
    except psycopg.errors.InsufficientPrivilege:
        logger.warning(
            "could not create role %s (needs CREATEROLE); marts will not be "
            "granted to it",
            READER_ROLE,
        )
    logger.info("schema %s is ready with %d tables", SCHEMA, len(TABLES))
