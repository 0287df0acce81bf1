"""Helpers shared by the importer tests: fixture paths and counts read back."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import polars as pl
import psycopg
from psycopg import sql

from chat_analytics.ingest.importers import IMPORTED_TABLES

__all__ = [
    "FIXTURES",
    "table_counts",
    "warehouse_counts",
    "message_kinds",
    "zip_folder",
    "copy_fixture",
    "mentions",
]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def table_counts(tables: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Return the row count of each imported table."""
    return {name: tables[name].height for name in IMPORTED_TABLES}


def warehouse_counts(dsn: str) -> dict[str, int]:
    """Return the row count of each imported table in the warehouse."""
    counts = {}
    with psycopg.connect(dsn) as connection:
        for name in IMPORTED_TABLES:
            query = sql.SQL("select count(*) from {}").format(
                sql.Identifier("chat", name)
            )
            counts[name] = connection.execute(query).fetchone()[0]
    return counts


def message_kinds(messages: pl.DataFrame) -> dict[str, int]:
    """Count messages by kind: human, bot, system, deleted, edited, mentioning."""
    return {
        "human": messages.filter(
            ~pl.col("is_ai") & ~pl.col("is_system_message")
        ).height,
        "bot": messages.filter(pl.col("is_ai")).height,
        "system": messages.filter(pl.col("is_system_message")).height,
        "deleted": messages.filter(pl.col("deleted_at").is_not_null()).height,
        "edited": messages.filter(pl.col("updated_at") > pl.col("created_at")).height,
        "mentioning": messages.filter(pl.col("mentioned_users").is_not_null()).height,
    }


def mentions(messages: pl.DataFrame, content: str) -> list[dict[str, str]]:
    """Return the parsed mentions_data of the message with this content."""
    value = messages.filter(pl.col("content") == content)["mentions_data"].item()
    return json.loads(value) if value is not None else []


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    """Write every file under ``folder`` into ``archive``, under ``prefix``."""
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                handle.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


def copy_fixture(name: str, target: Path) -> Path:
    """Copy a fixture folder to ``target`` so that a test can change it."""
    shutil.copytree(FIXTURES / name, target)
    return target
