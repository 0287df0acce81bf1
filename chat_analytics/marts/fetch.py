"""Fetch a PostgreSQL relation into pandas or polars through Arrow (ADBC).

The column types come from the PostgreSQL catalog of the relation, never from
the rows, so an empty result has the same dtypes as a full one:

============================  =========================  ========================
PostgreSQL                    pandas                     polars
============================  =========================  ========================
smallint, integer, bigint     ``Int64`` (nullable)       ``Int64``
real, double, numeric         ``float64`` (NULL is NaN)  ``Float64``
boolean                       ``boolean`` (nullable)     ``Boolean``
date                          ``date32[day][pyarrow]``   ``Date``
timestamp, timestamptz        ``datetime64[us]``         ``Datetime("us")``
uuid, text, varchar, enums    ``string`` (pyarrow)       ``String``
json, jsonb                   ``object`` (dict, list)    ``Object`` (dict, list)
interval                      ``float64`` (seconds)      ``Float64`` (seconds)
arrays                        ``object`` (Python lists)  ``List(<element type>)``
anything else                 ``string`` (its text)      ``String``
============================  =========================  ========================

Timestamps are naive and mean UTC: ``timestamptz`` values are converted to UTC
before the time zone is dropped. ``numeric`` becomes a 64-bit float, which
keeps about 15 significant digits.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import polars as pl
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from chat_analytics.errors import ConfigurationError, WarehouseError
from chat_analytics.warehouse.connection import redact_dsn, resolve_dsn, to_uri

__all__ = [
    "Backend",
    "ColumnType",
    "relation_columns",
    "relation_exists",
    "fetch_relation",
]

logger = logging.getLogger(__name__)

Backend = Literal["pandas", "polars"]
BACKENDS = ("pandas", "polars")

INTEGER_TYPES = frozenset({"int2", "int4", "int8", "oid"})
FLOAT_TYPES = frozenset({"float4", "float8", "numeric"})
TIMESTAMP_TYPES = frozenset({"timestamp", "timestamptz"})
JSON_TYPES = frozenset({"json", "jsonb"})
# Base types that are selected without a cast: ADBC reads them, and
# fetch_arrow converts its Arrow types (int32, UUID bytes, numeric text,
# timestamps with a time zone) to the ones of ARROW_TYPES. Other types, such
# as char(n), whose values ADBC would return padded, are cast on the server.
NATIVE_TYPES = frozenset(
    {
        "int2",
        "int4",
        "int8",
        "float4",
        "float8",
        "numeric",
        "bool",
        "date",
        "timestamp",
        "timestamptz",
        "uuid",
        "text",
        "varchar",
        "json",
        "jsonb",
    }
)
HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# Positions of the 32 hex digits and the 4 dashes in the 36-character UUID text.
UUID_DIGIT_POSITIONS = np.array(
    [*range(0, 8), *range(9, 13), *range(14, 18), *range(19, 23), *range(24, 36)]
)
UUID_DASH_POSITIONS = np.array([8, 13, 18, 23])

# Arrow type of each kind in the fetched table.
ARROW_TYPES = {
    "integer": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "string": pa.string(),
    "json": pa.string(),
    "interval": pa.float64(),
}
# SQL type of each kind, for columns cast on the server (arrays add "[]").
SQL_TYPES = {
    "integer": "bigint",
    "float": "double precision",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "string": "text",
    "json": "text",
}

CATALOG_QUERY = """
select
    attribute.attname,
    format_type(attribute.atttypid, attribute.atttypmod),
    base_type.typname,
    base_type.typcategory,
    element_type.typname
from pg_catalog.pg_attribute as attribute
inner join pg_catalog.pg_class as relation
    on attribute.attrelid = relation.oid
inner join pg_catalog.pg_namespace as namespace
    on relation.relnamespace = namespace.oid
inner join pg_catalog.pg_type as column_type
    on attribute.atttypid = column_type.oid
inner join pg_catalog.pg_type as base_type
    on base_type.oid = case
        when column_type.typtype = 'd' then column_type.typbasetype
        else column_type.oid
    end
left join pg_catalog.pg_type as element_type
    on base_type.typelem = element_type.oid and base_type.typcategory = 'A'
where
    namespace.nspname = %s
    and relation.relname = %s
    and attribute.attnum > 0
    and not attribute.attisdropped
order by attribute.attnum
"""


@dataclass(frozen=True)
class ColumnType:
    """A column of a relation and how it is fetched.

    Attributes
    ----------
    name : str
        Column name.
    pg_type : str
        The PostgreSQL type as ``format_type`` writes it, such as ``numeric(12,2)``.
    kind : str
        ``integer``, ``float``, ``boolean``, ``date``, ``timestamp``, ``string``,
        ``json``, ``interval`` or ``list``.
    element_kind : str or None
        The kind of the elements when ``kind`` is ``list``.
    type_name : str
        The base type's ``pg_type.typname`` (``int4``, ``uuid``...); empty
        when the query already casts the column to the type of its kind.
    """

    name: str
    pg_type: str
    kind: str
    element_kind: str | None = None
    type_name: str = ""

    @property
    def arrow_type(self) -> pa.DataType:
        """The Arrow type of the column in the fetched table."""
        if self.kind == "list":
            return pa.list_(ARROW_TYPES[self.element_kind or "string"])
        return ARROW_TYPES[self.kind]

    def select_expression(self) -> sql.Composable:
        """Return the select-list item of the column, with a cast where one is needed.

        Types that ADBC reads natively are selected as they are, and
        :func:`fetch_arrow` converts them on the client. This keeps the
        server, the bottleneck of a large fetch, from formatting UUIDs and
        numerics as text.
        """
        column = sql.Identifier(self.name)
        if self.kind == "interval":
            expression = sql.SQL("cast(extract(epoch from {}) as double precision)")
            return sql.SQL("{} as {}").format(expression.format(column), column)
        if self.kind == "list":
            # Interval elements are fetched as their text.
            element = SQL_TYPES.get(self.element_kind or "string", "text")
            target = sql.SQL(element + "[]")
        elif self.type_name in NATIVE_TYPES:
            return column
        else:
            target = sql.SQL(SQL_TYPES[self.kind])
        return sql.SQL("cast({} as {}) as {}").format(column, target, column)

    @property
    def is_orderable(self) -> bool:
        """Whether ``order by`` accepts the column (json has no ordering)."""
        return self.kind != "json" and self.element_kind != "json"


def _scalar_kind(type_name: str) -> str:
    if type_name in INTEGER_TYPES:
        return "integer"
    if type_name in FLOAT_TYPES:
        return "float"
    if type_name == "bool":
        return "boolean"
    if type_name == "date":
        return "date"
    if type_name in TIMESTAMP_TYPES:
        return "timestamp"
    if type_name in JSON_TYPES:
        return "json"
    if type_name == "interval":
        return "interval"
    return "string"


def relation_columns(
    connection: psycopg.Connection, schema: str, name: str
) -> list[ColumnType]:
    """Read the columns of ``schema.name`` and their types from the PostgreSQL catalog.

    Parameters
    ----------
    connection : psycopg.Connection
        An open connection to the warehouse.
    schema, name : str
        The relation (table, view or materialized view).

    Returns
    -------
    list of ColumnType
        In column order; empty when the relation does not exist.

    Examples
    --------
    >>> with connect() as connection:  # doctest: +SKIP
    ...     relation_columns(connection, "analytics", "daily_active_users")[0]
    ColumnType(name='activity_date', pg_type='date', kind='date', element_kind=None)
    """
    rows = connection.execute(CATALOG_QUERY, (schema, name)).fetchall()
    columns = []
    for column_name, pg_type, type_name, category, element in rows:
        if category == "A" and element is not None:
            element_kind = _scalar_kind(element)
            if element_kind == "interval":
                element_kind = "string"
            columns.append(
                ColumnType(column_name, pg_type, "list", element_kind, element)
            )
        else:
            columns.append(
                ColumnType(
                    column_name, pg_type, _scalar_kind(type_name), type_name=type_name
                )
            )
    return columns


def relation_exists(connection: psycopg.Connection, schema: str, name: str) -> bool:
    """Return whether ``schema.name`` is a table, view or materialized view.

    Examples
    --------
    >>> with connect() as connection:  # doctest: +SKIP
    ...     relation_exists(connection, "analytics", "daily_active_users")
    True
    """
    row = connection.execute(
        "select 1 from pg_catalog.pg_class as relation"
        " inner join pg_catalog.pg_namespace as namespace"
        " on relation.relnamespace = namespace.oid"
        " where namespace.nspname = %s and relation.relname = %s"
        " and relation.relkind in ('r', 'v', 'm', 'p', 'f')",
        (schema, name),
    ).fetchone()
    return row is not None


def build_select(
    schema: str,
    name: str,
    columns: Sequence[ColumnType],
    *,
    where: sql.Composable | None = None,
    order: bool = False,
) -> sql.Composed:
    """Return the query that selects ``columns`` of ``schema.name`` with their casts."""
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(column.select_expression() for column in columns),
        sql.Identifier(schema, name),
    )
    if where is not None:
        query += sql.SQL(" where ") + where
    orderable = [sql.Identifier(c.name) for c in columns if c.is_orderable]
    if order and orderable:
        query += sql.SQL(" order by ") + sql.SQL(", ").join(orderable)
    return query


def adbc_uri(dsn: str) -> str:
    """Return ``dsn`` (a libpq URI or key=value string) as a ``postgresql://`` URI.

    The ADBC PostgreSQL driver accepts URIs only. A Unix-socket folder ends up
    in the ``host`` query parameter, such as
    ``postgresql://postgres@/db?host=%2Ftmp%2Frun``, which libpq accepts.
    """
    return to_uri(conninfo_to_dict(dsn))


def fetch_arrow(dsn: str, query: str, columns: Sequence[ColumnType]) -> pa.Table:
    """Run ``query`` through ADBC and return its rows as an Arrow table.

    Every column is converted to the Arrow type of its kind, so the schema
    never depends on which rows came back.
    """
    import adbc_driver_postgresql.dbapi as adbc

    started = time.perf_counter()
    try:
        with adbc.connect(adbc_uri(dsn)) as connection:
            with connection.cursor() as cursor:
                # Casts of timestamptz (and arrays of it) to timestamp then give
                # UTC wall-clock times.
                cursor.execute("set time zone 'UTC'")
                cursor.execute(query)
                table = cursor.fetch_arrow_table()
    except adbc.Error as error:
        raise WarehouseError(
            f"fetching from the warehouse at {redact_dsn(dsn)} failed: "
            f"{str(error).strip()}"
        ) from None
    schema = pa.schema([(column.name, column.arrow_type) for column in columns])
    table = pa.Table.from_arrays(
        [_convert(table.column(i), column) for i, column in enumerate(columns)],
        schema=schema,
    )
    logger.debug(
        "fetched %d rows in %.3f s", table.num_rows, time.perf_counter() - started
    )
    return table


def uuid_text(values: pa.Array) -> pa.StringArray:
    """Format 16-byte UUIDs as their 36-character text, vectorised with numpy."""
    count = len(values)
    if count == 0:
        return pa.array([], type=pa.string())
    start = values.offset * 16
    raw = np.frombuffer(values.buffers()[1], dtype=np.uint8)[start : start + count * 16]
    raw = raw.reshape(count, 16)
    digits = np.empty((count, 32), dtype=np.uint8)
    digits[:, 0::2] = HEX_DIGITS[raw >> 4]
    digits[:, 1::2] = HEX_DIGITS[raw & 0x0F]
    text = np.empty((count, 36), dtype=np.uint8)
    text[:, UUID_DIGIT_POSITIONS] = digits
    text[:, UUID_DASH_POSITIONS] = ord("-")
    offsets = np.arange(0, 36 * (count + 1), 36, dtype=np.int32)
    strings = pa.StringArray.from_buffers(
        count, pa.py_buffer(offsets), pa.py_buffer(text.ravel())
    )
    if values.null_count:
        strings = pc.if_else(values.is_valid(), strings, pa.scalar(None, pa.string()))
    return strings


def _convert(values: pa.ChunkedArray, column: ColumnType) -> pa.ChunkedArray:
    """Convert one fetched column to the Arrow type of its kind."""
    target = column.arrow_type
    chunks = []
    for chunk in values.chunks:
        if isinstance(chunk, pa.ExtensionArray):
            # arrow.uuid, arrow.json and PostgreSQL's opaque numeric.
            chunk = chunk.storage
        if column.type_name == "uuid" and pa.types.is_fixed_size_binary(chunk.type):
            chunk = uuid_text(chunk)
        chunks.append(chunk)
    if not chunks:
        return pa.chunked_array([], type=target)
    return pa.chunked_array(chunks).cast(target)


def _decode_json(values: pa.ChunkedArray) -> list:
    return [None if text is None else json.loads(text) for text in values.to_pylist()]


PANDAS_TYPES = {
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.string(): pd.StringDtype("pyarrow"),
    pa.date32(): pd.ArrowDtype(pa.date32()),
}


def to_pandas(table: pa.Table, columns: Sequence[ColumnType]) -> pd.DataFrame:
    """Convert a fetched Arrow ``table`` to pandas with the documented dtypes."""
    plain = [c.name for c in columns if c.kind not in ("json", "list")]
    frame = table.select(plain).to_pandas(types_mapper=PANDAS_TYPES.get)
    result = {}
    for column in columns:
        values = table.column(column.name)
        if column.kind == "json":
            result[column.name] = pd.Series(
                _decode_json(values), dtype=object, name=column.name
            )
        elif column.kind == "list":
            result[column.name] = pd.Series(
                values.to_pylist(), dtype=object, name=column.name
            )
        elif column.kind == "timestamp":
            result[column.name] = frame[column.name].astype("datetime64[us]")
        elif column.kind in ("float", "interval"):
            result[column.name] = frame[column.name].astype("float64")
        else:
            result[column.name] = frame[column.name]
    return pd.DataFrame(result, index=pd.RangeIndex(table.num_rows))


def to_polars(table: pa.Table, columns: Sequence[ColumnType]) -> pl.DataFrame:
    """Convert a fetched Arrow ``table`` to polars with the documented dtypes."""
    plain = [c.name for c in columns if c.kind != "json"]
    frame = pl.from_arrow(table.select(plain), rechunk=False)
    if len(plain) == len(columns):
        return frame
    series = []
    for column in columns:
        if column.kind == "json":
            values = _decode_json(table.column(column.name))
            series.append(pl.Series(column.name, values, dtype=pl.Object))
        else:
            series.append(frame.get_column(column.name))
    return pl.DataFrame(series)


def check_backend(backend: str) -> None:
    """Raise :class:`ConfigurationError` unless ``backend`` is pandas or polars."""
    if backend not in BACKENDS:
        raise ConfigurationError(
            f"invalid backend {backend!r}: use 'pandas' or 'polars'"
        )


def fetch_relation(
    schema: str,
    name: str,
    *,
    dsn: str | None = None,
    backend: Backend = "pandas",
    where: sql.Composable | None = None,
    order: bool = False,
) -> pd.DataFrame | pl.DataFrame:
    """Fetch the rows of any table or view into a pandas or polars DataFrame.

    Parameters
    ----------
    schema, name : str
        The relation; both become SQL identifiers through ``psycopg.sql``.
    dsn : str, optional
        Warehouse connection string; by default the configured or embedded one.
    backend : {"pandas", "polars"}
        The DataFrame library of the result.
    where : psycopg.sql.Composable, optional
        A filter on the relation's columns, composed with ``psycopg.sql``.
    order : bool
        Sort by every orderable column, in column order, for a stable row order.

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        The dtypes follow the module's table and depend only on the
        relation's column types.

    Raises
    ------
    WarehouseError
        When the relation does not exist or the query fails.

    Examples
    --------
    >>> frame = fetch_relation(
    ...     "analytics_staging", "stg_chat__profiles"
    ... )  # doctest: +SKIP
    >>> frame["user_id"].dtype  # doctest: +SKIP
    string[pyarrow]
    """
    check_backend(backend)
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
        if not columns and not relation_exists(connection, schema, name):
            raise WarehouseError(
                f"relation {schema}.{name} not found in the warehouse at "
                f"{redact_dsn(resolved)}"
            )
        query = build_select(schema, name, columns, where=where, order=order)
        query_text = query.as_string(connection)
    table = fetch_arrow(resolved, query_text, columns)
    logger.info("fetched %d rows from %s.%s", table.num_rows, schema, name)
    if backend == "polars":
        return to_polars(table, columns)
    return to_pandas(table, columns)
