"""Shared fixtures: one embedded PostgreSQL per session, one database per module."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from chat_analytics.warehouse import EmbeddedServer, init_schema

# Variables that would point the tests at someone else's server.
EXTERNAL_VARIABLES = (
    "CHAT_ANALYTICS_DSN",
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGDATABASE",
    "PGUSER",
    "PGSERVICE",
    "PGPASSWORD",
)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """Start one embedded server for the whole session and stop it at the end."""
    saved = {
        name: os.environ.pop(name) for name in EXTERNAL_VARIABLES if name in os.environ
    }
    home = tmp_path_factory.mktemp("home")
    os.environ["CHAT_ANALYTICS_HOME"] = str(home)
    server = EmbeddedServer(home)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        os.environ.update(saved)


def _database_name(module_name: str) -> str:
    return "t_" + re.sub(r"[^a-z0-9_]", "_", module_name.lower())[-55:]


@pytest.fixture(scope="module")
def module_dsn(pg_server: EmbeddedServer, request: pytest.FixtureRequest) -> str:
    """Return the DSN of a fresh database with the chat schema for this module."""
    dsn = pg_server.create_database(
        _database_name(request.module.__name__), replace=True
    )
    with psycopg.connect(dsn) as connection:
        init_schema(connection)
    return dsn


@pytest.fixture()
def fresh_dsn(pg_server: EmbeddedServer, request: pytest.FixtureRequest) -> str:
    """Return the DSN of a fresh database with the chat schema for one test."""
    name = _database_name(f"{request.module.__name__}_{request.node.name}")
    dsn = pg_server.create_database(name, replace=True)
    with psycopg.connect(dsn) as connection:
        init_schema(connection)
    return dsn


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]
