"""Types of every PostgreSQL column kind after the Arrow fetch, in pandas and polars."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd
import polars as pl
import psycopg
import pyarrow as pa
import pytest
from psycopg import sql

from chat_analytics.errors import ConfigurationError, WarehouseError
from chat_analytics.marts import fetch_relation, relation_columns
from chat_analytics.marts.fetch import adbc_uri, uuid_text

TABLE_DDL = """
create schema if not exists type_check;
create type type_check.mood as enum ('calm', 'busy');
create table type_check.every_type (
    id uuid,
    small smallint,
    regular integer,
    big bigint,
    amount numeric(12, 2),
    ratio real,
    score double precision,
    flag boolean,
    day date,
    at timestamp,
    at_zone timestamptz,
    payload jsonb,
    raw_json json,
    tags text[],
    counts integer[],
    member_ids uuid[],
    waited interval,
    code char(3),
    name varchar(20),
    mood type_check.mood
)
"""
FULL_ROW = """
insert into type_check.every_type values (
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1, 2, 9000000000, 1234.50, 0.5,
    2.25, true, '2025-01-02', '2025-01-02 03:04:05.123456',
    '2025-01-02 03:04:05+02', '{"a": 1, "b": {"c": [1, 2]}}',
    '{"z": null}', array['x', 'y'], array[1, null, 3],
    array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid], interval '90 minutes',
    'ab', 'name', 'busy'
)
"""
# One row per case: a full row, a row of NULLs, and one with other JSON keys.
OTHER_JSON_ROW = """
insert into type_check.every_type (id, payload) values
    ('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '{"other": true}')
"""

PANDAS_DTYPES = {
    "id": pd.StringDtype("pyarrow"),
    "small": pd.Int64Dtype(),
    "regular": pd.Int64Dtype(),
    "big": pd.Int64Dtype(),
    "amount": np.dtype("float64"),
    "ratio": np.dtype("float64"),
    "score": np.dtype("float64"),
    "flag": pd.BooleanDtype(),
    "day": pd.ArrowDtype(pa.date32()),
    "at": np.dtype("datetime64[us]"),
    "at_zone": np.dtype("datetime64[us]"),
    "payload": np.dtype("object"),
    "raw_json": np.dtype("object"),
    "tags": np.dtype("object"),
    "counts": np.dtype("object"),
    "member_ids": np.dtype("object"),
    "waited": np.dtype("float64"),
    "code": pd.StringDtype("pyarrow"),
    "name": pd.StringDtype("pyarrow"),
    "mood": pd.StringDtype("pyarrow"),
}
POLARS_DTYPES = {
    "id": pl.String,
    "small": pl.Int64,
    "regular": pl.Int64,
    "big": pl.Int64,
    "amount": pl.Float64,
    "ratio": pl.Float64,
    "score": pl.Float64,
    "flag": pl.Boolean,
    "day": pl.Date,
    "at": pl.Datetime("us"),
    "at_zone": pl.Datetime("us"),
    "payload": pl.Object,
    "raw_json": pl.Object,
    "tags": pl.List(pl.String),
    "counts": pl.List(pl.Int64),
    "member_ids": pl.List(pl.String),
    "waited": pl.Float64,
    "code": pl.String,
    "name": pl.String,
    "mood": pl.String,
}


@pytest.fixture(scope="module")
def dsn(module_dsn: str) -> str:
    with psycopg.connect(module_dsn) as connection:
        connection.execute(TABLE_DDL)
        connection.execute(
            "create table type_check.empty_copy"
            " as select * from type_check.every_type with no data"
        )
        connection.execute(FULL_ROW)
        connection.execute("insert into type_check.every_type default values")
        connection.execute(OTHER_JSON_ROW)
    return module_dsn


def fetch(dsn: str, backend: str, name: str = "every_type"):
    return fetch_relation("type_check", name, dsn=dsn, backend=backend, order=True)


def test_pandas_dtypes(dsn):
    frame = fetch(dsn, "pandas")
    assert dict(frame.dtypes) == PANDAS_DTYPES


def test_polars_dtypes(dsn):
    frame = fetch(dsn, "polars")
    assert dict(frame.schema) == POLARS_DTYPES


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_empty_result_keeps_dtypes(dsn, backend):
    empty = fetch(dsn, backend, "empty_copy")
    assert len(empty) == 0
    expected = PANDAS_DTYPES if backend == "pandas" else POLARS_DTYPES
    actual = dict(empty.dtypes) if backend == "pandas" else dict(empty.schema)
    assert actual == expected


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_filtered_rows_keep_dtypes(dsn, backend):
    # Only the row of NULLs: every column is null, and still typed.
    frame = fetch_relation(
        "type_check",
        "every_type",
        dsn=dsn,
        backend=backend,
        where=sql.SQL("id is null"),
    )
    assert len(frame) == 1
    expected = PANDAS_DTYPES if backend == "pandas" else POLARS_DTYPES
    actual = dict(frame.dtypes) if backend == "pandas" else dict(frame.schema)
    assert actual == expected


def test_pandas_values_of_full_row(dsn):
    row = fetch(dsn, "pandas").iloc[0]
    assert row["id"] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert row["big"] == 9000000000
    assert row["amount"] == 1234.5
    assert bool(row["flag"]) is True
    assert row["day"] == dt.date(2025, 1, 2)
    assert row["at"] == pd.Timestamp("2025-01-02 03:04:05.123456")
    # 03:04:05 at UTC+2 is 01:04:05 UTC.
    assert row["at_zone"] == pd.Timestamp("2025-01-02 01:04:05")
    assert row["payload"] == {"a": 1, "b": {"c": [1, 2]}}
    assert row["raw_json"] == {"z": None}
    assert row["tags"] == ["x", "y"]
    assert row["counts"] == [1, None, 3]
    assert row["member_ids"] == ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]
    assert row["waited"] == 5400.0
    assert row["code"] == "ab"
    assert row["mood"] == "busy"


def test_pandas_nulls_are_missing(dsn):
    frame = fetch(dsn, "pandas")
    nulls = frame[frame["id"].isna()].iloc[0]
    assert nulls["regular"] is pd.NA
    assert nulls["flag"] is pd.NA
    assert np.isnan(nulls["amount"])
    assert pd.isna(nulls["at"])
    assert nulls["payload"] is None
    assert nulls["tags"] is None


def test_polars_values_of_full_row(dsn):
    frame = fetch(dsn, "polars")
    row = frame.row(0, named=True)
    assert row["id"] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert row["day"] == dt.date(2025, 1, 2)
    assert row["at_zone"] == dt.datetime(2025, 1, 2, 1, 4, 5)
    assert row["counts"] == [1, None, 3]
    assert row["payload"] == {"a": 1, "b": {"c": [1, 2]}}


def test_json_keys_of_every_row_kept(dsn):
    # JSON objects with different keys stay whole; no key is dropped by a
    # schema inferred from the first rows.
    payloads = fetch(dsn, "polars")["payload"].to_list()
    assert {"a": 1, "b": {"c": [1, 2]}} in payloads
    assert {"other": True} in payloads


def test_relation_columns_reads_catalog(dsn):
    with psycopg.connect(dsn) as connection:
        columns = relation_columns(connection, "type_check", "every_type")
    kinds = {column.name: column.kind for column in columns}
    assert kinds["amount"] == "float"
    assert kinds["tags"] == "list"
    assert kinds["mood"] == "string"
    assert [c.element_kind for c in columns if c.name == "counts"] == ["integer"]


def test_adbc_uri_keeps_socket_host():
    uri = adbc_uri("host='/tmp/some run' dbname=chat user=postgres port=5433")
    assert uri == "postgresql://postgres@/chat?host=%2Ftmp%2Fsome%20run&port=5433"


def test_adbc_connects_over_unix_socket(dsn):
    import adbc_driver_postgresql.dbapi as adbc

    assert "host=%2F" in adbc_uri(dsn)
    with adbc.connect(adbc_uri(dsn)) as connection, connection.cursor() as cursor:
        cursor.execute("select 1 as one")
        assert cursor.fetch_arrow_table().column("one").to_pylist() == [1]


def test_missing_relation_raises(dsn):
    with pytest.raises(WarehouseError, match="type_check.nothing not found"):
        fetch_relation("type_check", "nothing", dsn=dsn)


def test_invalid_backend_raises(dsn):
    with pytest.raises(ConfigurationError, match="invalid backend 'arrow'"):
        fetch_relation("type_check", "every_type", dsn=dsn, backend="arrow")


def test_uuid_text_of_sliced_array_with_nulls():
    values = [uuid.uuid4(), None, uuid.uuid4(), uuid.uuid4()]
    array = pa.array(
        [None if value is None else value.bytes for value in values],
        type=pa.binary(16),
    )
    sliced = array.slice(1, 3)
    assert uuid_text(sliced).to_pylist() == [None, str(values[2]), str(values[3])]


def test_numeric_special_values(dsn):
    with psycopg.connect(dsn) as connection:
        connection.execute(
            "create table type_check.numerics as select value::numeric as value"
            " from (values ('1.5'), ('NaN'), ('Infinity'), ('-Infinity'), (null))"
            " as source (value)"
        )
    values = fetch_relation("type_check", "numerics", dsn=dsn)["value"].tolist()
    assert values[:1] == [1.5]
    assert np.isnan(values[1])
    assert values[2:4] == [np.inf, -np.inf]
    assert np.isnan(values[4])
