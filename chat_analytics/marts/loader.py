"""Load a mart into pandas or polars by name or query number."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd
import polars as pl
import psycopg
from psycopg import sql

from chat_analytics.errors import ConfigurationError, WarehouseError
from chat_analytics.marts.catalogue import (
    date_key_of,
    find_mart,
    list_marts,
    unknown_mart_message,
)
from chat_analytics.marts.fetch import (
    Backend,
    build_select,
    check_backend,
    fetch_arrow,
    relation_columns,
    to_pandas,
    to_polars,
)
from chat_analytics.transform import marts_schema
from chat_analytics.warehouse.connection import redact_dsn, resolve_dsn

__all__ = ["load_mart"]

logger = logging.getLogger(__name__)


def _as_date(value: str | dt.date | None, argument: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise ConfigurationError(
            f"invalid {argument} {value!r}: give a date, not a datetime"
        )
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigurationError(
            f"invalid {argument} {value!r}: give a date as YYYY-MM-DD"
        ) from None


def _relation_names(connection: psycopg.Connection, schema: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables where table_schema = %s",
        (schema,),
    ).fetchall()
    return [row[0] for row in rows]


def load_mart(
    name_or_number: str | int,
    *,
    dsn: str | None = None,
    backend: Backend = "pandas",
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    schema: str | None = None,
    manifest: str | Path | None = None,
) -> pd.DataFrame | pl.DataFrame:
    """Load a mart into a pandas or polars DataFrame through Arrow.

    Parameters
    ----------
    name_or_number : str or int
        The mart name (``"daily_active_users"``) or its query number (``5``).
    dsn : str, optional
        Warehouse connection string; by default ``CHAT_ANALYTICS_DSN``, the
        ``PG*`` variables, or the embedded server.
    backend : {"pandas", "polars"}
        The DataFrame library of the result.
    start, end : str or datetime.date, optional
        Keep the rows whose date key (``activity_date``, ``week_start``,
        ``month`` or ``cohort_month``, whichever the mart has first) lies
        between them, both ends included. The key of a weekly or monthly mart
        is the first day of the period, so ``start="2025-03-15"`` leaves out
        the month of March 2025.
    schema : str, optional
        Read the mart from this schema instead of the one dbt builds marts in.
    manifest : str or Path, optional
        A dbt ``manifest.json`` for resolving numbers and unknown names;
        by default ``dbt parse`` runs when one is needed.

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        Sorted by every column in column order (json columns left out of the
        sort). The dtypes come from the column types in the PostgreSQL
        catalog, so they are the same for an empty result: see
        :mod:`chat_analytics.marts.fetch` for the mapping.

    Raises
    ------
    ConfigurationError
        When the name or number is unknown (the message lists close matches),
        when ``start`` or ``end`` is given for a mart without a date key, or
        when an argument is invalid.
    WarehouseError
        When the mart is in the catalogue but not built, or the query fails.

    Examples
    --------
    >>> dau = load_mart("daily_active_users", start="2025-01-01")  # doctest: +SKIP
    >>> dau.dtypes["dau"]  # doctest: +SKIP
    Int64Dtype()
    >>> load_mart(9, backend="polars").schema["cohort_month"]  # doctest: +SKIP
    Date
    """
    check_backend(backend)
    start_date = _as_date(start, "start")
    end_date = _as_date(end, "end")
    if start_date and end_date and start_date > end_date:
        raise ConfigurationError(
            f"start {start_date} is after end {end_date}; swap them"
        )
    if isinstance(name_or_number, str) and not name_or_number.strip().isdigit():
        name = name_or_number
    else:
        name = find_mart(list_marts(dsn=dsn, manifest=manifest), name_or_number).name
    schema = schema or marts_schema()
    resolved = resolve_dsn(dsn)
    try:
        connection = psycopg.connect(resolved)
    except psycopg.OperationalError as error:
        raise WarehouseError(
            f"cannot connect to the warehouse at {redact_dsn(resolved)}: "
            f"{str(error).strip()}"
        ) from None
    with connection:
        columns = relation_columns(connection, schema, name)
        if not columns:
            _raise_missing(connection, name, schema, dsn, manifest)
        where = None
        if start_date is not None or end_date is not None:
            date_key = date_key_of([column.name for column in columns])
            if date_key is None:
                raise ConfigurationError(
                    f"mart {name} has no date key column (one of activity_date, "
                    "week_start, month, cohort_month), so start and end cannot "
                    "filter it; load it without them"
                )
            where = _date_filter(date_key, start_date, end_date)
        query = build_select(schema, name, columns, where=where, order=True)
        query_text = query.as_string(connection)
    table = fetch_arrow(resolved, query_text, columns)
    logger.info("loaded mart %s: %d rows", name, table.num_rows)
    if backend == "polars":
        return to_polars(table, columns)
    return to_pandas(table, columns)


def _date_filter(
    date_key: str, start: dt.date | None, end: dt.date | None
) -> sql.Composable:
    conditions = []
    if start is not None:
        conditions.append(
            sql.SQL("{} >= {}").format(sql.Identifier(date_key), sql.Literal(start))
        )
    if end is not None:
        conditions.append(
            sql.SQL("{} <= {}").format(sql.Identifier(date_key), sql.Literal(end))
        )
    return sql.SQL(" and ").join(conditions)


def _raise_missing(
    connection: psycopg.Connection,
    name: str,
    schema: str,
    dsn: str | None,
    manifest: str | Path | None,
) -> None:
    catalogued = [mart.name for mart in list_marts(dsn=dsn, manifest=manifest)]
    if name in catalogued:
        raise WarehouseError(
            f"mart {name} is not built in schema {schema}; build it with "
            f"'chat-analytics build -s +{name}'"
        )
    known = sorted(set(catalogued) | set(_relation_names(connection, schema)))
    raise ConfigurationError(unknown_mart_message(name, known))
