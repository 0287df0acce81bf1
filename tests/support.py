"""Helpers for tests that write hand-built rows and read marts back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping

import pandas as pd
import psycopg
from psycopg import sql

from chat_analytics.warehouse.schema import TABLES

__all__ = [
    "day",
    "days_between",
    "insert_dataset",
    "insert_rows",
    "read_mart",
    "read_relation",
    "ts",
    "uid",
]


def uid(label: str) -> str:
    """Return a stable UUID for a readable label, so datasets can name rows 'alice'."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"chat-analytics-test:{label}"))


def ts(text: str) -> dt.datetime:
    """Parse 'YYYY-MM-DD[ HH:MM[:SS]]' as a naive timestamp, which means UTC."""
    return dt.datetime.fromisoformat(text)


def day(text: str) -> dt.date:
    """Parse 'YYYY-MM-DD' as a date."""
    return dt.date.fromisoformat(text)


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return every date from ``first`` to ``last``, both included."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def insert_rows(dsn: str, table: str, rows: Iterable[Mapping[str, object]]) -> int:
    """Insert ``rows`` (dicts of column to value) into ``chat.<table>``.

    Returns the number of rows inserted.
    """
    rows = list(rows)
    if not rows:
        return 0
    columns = list(rows[0])
    statement = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier("chat", table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.executemany(statement, [[row.get(c) for c in columns] for row in rows])
    return len(rows)


def insert_dataset(
    dsn: str, dataset: Mapping[str, Iterable[Mapping[str, object]]]
) -> None:
    """Insert a dict of table name to rows, tables in foreign-key order."""
    unknown = set(dataset) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown tables in dataset: {sorted(unknown)}")
    for table in TABLES:
        if table in dataset:
            insert_rows(dsn, table, dataset[table])


def read_relation(
    dsn: str, schema: str, name: str, order_by: list[str] | None = None
) -> pd.DataFrame:
    """Read a whole table or view into pandas (object columns, no dtype coercion)."""
    query = sql.SQL("select * from {}").format(sql.Identifier(schema, name))
    if order_by:
        query += sql.SQL(" order by {}").format(
            sql.SQL(", ").join(map(sql.Identifier, order_by))
        )
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(query)
        columns = [column.name for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)


def read_mart(dsn: str, name: str, order_by: list[str] | None = None) -> pd.DataFrame:
    """Read a mart built by dbt (schema ``analytics``)."""
    return read_relation(dsn, "analytics", name, order_by)
