"""Every mart as a pandas and a polars DataFrame: catalogue, loader and dtypes.

The warehouse is a small generated dataset with graph metrics written, so that
every mart, the graph mart included, has rows. For each mart three copies are
checked: all rows plus a row of NULLs, only the rows without NULLs, and no
rows. The expected dtypes follow from the PostgreSQL column types alone.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import psycopg
import pyarrow as pa
import pytest
import yaml
from psycopg import sql

from chat_analytics.errors import ConfigurationError, WarehouseError
from chat_analytics.graph import friend_graph, graph_metrics, write_graph_metrics
from chat_analytics.ingest.generate import generate
from chat_analytics.ingest.loader import load_tables
from chat_analytics.marts import catalogue, list_marts, load_mart, mart_info
from chat_analytics.transform import marts_schema, run_dbt

START = dt.date(2025, 1, 1)
DAYS = 120
AS_OF = START + dt.timedelta(days=DAYS - 1)
MARTS_FOLDER = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
VARIANTS = {
    "with_nulls": "dtype_with_nulls",
    "without_nulls": "dtype_without_nulls",
    "empty": "dtype_empty",
}

# The dtype each PostgreSQL type must become. A type missing here fails the
# test with its name, so that a new type gets a deliberate mapping.
PANDAS_BY_TYPE = {
    "smallint": pd.Int64Dtype(),
    "integer": pd.Int64Dtype(),
    "bigint": pd.Int64Dtype(),
    "real": np.dtype("float64"),
    "double precision": np.dtype("float64"),
    "numeric": np.dtype("float64"),
    "boolean": pd.BooleanDtype(),
    "date": pd.ArrowDtype(pa.date32()),
    "timestamp without time zone": np.dtype("datetime64[us]"),
    "timestamp with time zone": np.dtype("datetime64[us]"),
    "text": pd.StringDtype("pyarrow"),
    "character varying": pd.StringDtype("pyarrow"),
    "character": pd.StringDtype("pyarrow"),
    "uuid": pd.StringDtype("pyarrow"),
    "json": np.dtype("object"),
    "jsonb": np.dtype("object"),
    "text[]": np.dtype("object"),
    "character varying[]": np.dtype("object"),
    "integer[]": np.dtype("object"),
    "bigint[]": np.dtype("object"),
}
POLARS_BY_TYPE = {
    "smallint": pl.Int64,
    "integer": pl.Int64,
    "bigint": pl.Int64,
    "real": pl.Float64,
    "double precision": pl.Float64,
    "numeric": pl.Float64,
    "boolean": pl.Boolean,
    "date": pl.Date,
    "timestamp without time zone": pl.Datetime("us"),
    "timestamp with time zone": pl.Datetime("us"),
    "text": pl.String,
    "character varying": pl.String,
    "character": pl.String,
    "uuid": pl.String,
    "json": pl.Object,
    "jsonb": pl.Object,
    "text[]": pl.List(pl.String),
    "character varying[]": pl.List(pl.String),
    "integer[]": pl.List(pl.Int64),
    "bigint[]": pl.List(pl.Int64),
}


def yaml_mart_names() -> list[str]:
    """Read the marts with a meta.query_number from the YAML files.

    Collection cannot run ``dbt parse``, which needs a warehouse; the test
    ``test_catalogue_lists_yaml_marts`` checks that both lists agree.
    """
    names = []
    for path in sorted(MARTS_FOLDER.glob("*/_*__models.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            meta = {**(model.get("meta") or {}), **(model.get("config") or {}).get(
                "meta", {}
            )}  # fmt: skip
            if "query_number" in meta:
                names.append(model["name"])
    return sorted(names)


MART_NAMES = yaml_mart_names()


@pytest.fixture(scope="module")
def warehouse(module_dsn: str) -> dict:
    """Load generated data, write graph metrics, run every mart, copy variants."""
    tables = generate(users=150, seed=5, start=START, days=DAYS)
    load_tables(module_dsn, tables, strict=True)
    metrics = graph_metrics(friend_graph(module_dsn, as_of=AS_OF), seed=0)
    write_graph_metrics(module_dsn, metrics)
    result = run_dbt("run", dsn=module_dsn, as_of=AS_OF, select=["+marts"], check=False)
    failed = {
        node.unique_id.split(".")[-1]: (node.message or "").strip()
        for node in result.nodes
        if node.status != "success"
    }
    schema = marts_schema()
    with psycopg.connect(module_dsn) as connection:
        built = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables"
                " where table_schema = %s",
                (schema,),
            )
        }
        for target in VARIANTS.values():
            connection.execute(
                sql.SQL("create schema if not exists {}").format(sql.Identifier(target))
            )
        for name in sorted(built):
            source = sql.Identifier(schema, name)
            copies = {
                variant: sql.Identifier(target, name)
                for variant, target in VARIANTS.items()
            }
            connection.execute(
                sql.SQL("create table {} as select * from {}").format(
                    copies["with_nulls"], source
                )
            )
            connection.execute(
                sql.SQL("insert into {} default values").format(copies["with_nulls"])
            )
            # A row value "is not null" only when every one of its fields is.
            connection.execute(
                sql.SQL(
                    "create table {} as select * from {} as mart where mart is not null"
                ).format(copies["without_nulls"], source)
            )
            connection.execute(
                sql.SQL("create table {} as select * from {} with no data").format(
                    copies["empty"], source
                )
            )
    return {"dsn": module_dsn, "built": built, "failed": failed}


def require_built(warehouse: dict, name: str) -> None:
    if name not in warehouse["built"]:
        reason = warehouse["failed"].get(name, "not selected by dbt run")
        pytest.skip(f"mart {name} is not built yet: {reason[:200]}")


def column_types(dsn: str, schema: str, name: str) -> dict[str, str]:
    """Return column name to type without modifiers, from the catalog."""
    query = (
        "select attribute.attname, format_type(attribute.atttypid, null)"
        " from pg_attribute as attribute"
        " inner join pg_class as relation on attribute.attrelid = relation.oid"
        " inner join pg_namespace as namespace"
        " on relation.relnamespace = namespace.oid"
        " where namespace.nspname = %s and relation.relname = %s"
        " and attribute.attnum > 0 and not attribute.attisdropped"
        " order by attribute.attnum"
    )
    with psycopg.connect(dsn) as connection:
        return dict(connection.execute(query, (schema, name)).fetchall())


def expected_dtypes(types: dict[str, str], backend: str) -> dict[str, object]:
    mapping = PANDAS_BY_TYPE if backend == "pandas" else POLARS_BY_TYPE
    unknown = sorted({t for t in types.values() if t not in mapping})
    assert not unknown, f"no expected dtype for PostgreSQL types {unknown}"
    return {column: mapping[pg_type] for column, pg_type in types.items()}


def actual_dtypes(frame) -> dict[str, object]:
    if isinstance(frame, pl.DataFrame):
        return dict(frame.schema)
    return dict(frame.dtypes)


# -- dtypes of every mart --------------------------------------------------------------


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("backend", ["pandas", "polars"])
@pytest.mark.parametrize("name", MART_NAMES)
def test_mart_dtypes(warehouse, name, backend, variant):
    require_built(warehouse, name)
    schema = VARIANTS[variant]
    types = column_types(warehouse["dsn"], schema, name)
    frame = load_mart(name, dsn=warehouse["dsn"], backend=backend, schema=schema)
    assert list(frame.columns) == list(types)
    assert actual_dtypes(frame) == expected_dtypes(types, backend)
    if variant == "empty":
        assert len(frame) == 0
    if variant == "with_nulls":
        assert len(frame) >= 1


def normalise(value: object) -> object:
    """Return a comparable plain value of a DataFrame cell or a psycopg value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return normalise(value.item())
    if isinstance(value, decimal.Decimal | float):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, list | tuple | np.ndarray):
        return [normalise(item) for item in value]
    return value


def sort_key(row: list) -> tuple:
    return tuple((item is None, repr(item)) for item in row)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
@pytest.mark.parametrize("name", MART_NAMES)
def test_mart_values_match_database(warehouse, name, backend):
    require_built(warehouse, name)
    schema = VARIANTS["with_nulls"]
    frame = load_mart(name, dsn=warehouse["dsn"], backend=backend, schema=schema)
    with psycopg.connect(warehouse["dsn"]) as connection:
        rows = connection.execute(
            sql.SQL("select * from {}").format(sql.Identifier(schema, name))
        ).fetchall()
    expected = sorted(([normalise(v) for v in row] for row in rows), key=sort_key)
    if backend == "pandas":
        records = frame.astype(object).itertuples(index=False, name=None)
    else:
        records = frame.iter_rows()
    actual = sorted(([normalise(v) for v in row] for row in records), key=sort_key)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        for column, got_value, want_value in zip(frame.columns, got, want, strict=True):
            if isinstance(want_value, float):
                assert got_value == pytest.approx(want_value, rel=1e-12), column
            else:
                assert got_value == want_value, column


# -- catalogue ------------------------------------------------------------------------


def test_catalogue_lists_yaml_marts(warehouse):
    marts = list_marts(dsn=warehouse["dsn"])
    assert sorted(mart.name for mart in marts) == MART_NAMES


def test_catalogue_numbers_unique(warehouse):
    numbers = [mart.number for mart in list_marts(dsn=warehouse["dsn"])]
    assert len(numbers) == len(set(numbers))
    assert numbers == sorted(numbers)


def test_catalogue_frame_columns(warehouse):
    frame = catalogue(dsn=warehouse["dsn"])
    assert list(frame.columns) == [
        "number",
        "name",
        "category",
        "description",
        "date_key",
        "columns",
    ]
    assert len(frame) == len(MART_NAMES)


def test_graph_mart_in_catalogue(warehouse):
    info = mart_info(31, dsn=warehouse["dsn"])
    assert info.name == "activity_by_graph_segment"
    assert info.category == "graph"
    assert info.date_key is None
    assert info.description.endswith("One row per segment type and segment.")
    columns = info.column_frame()
    assert columns["name"].tolist()[:2] == ["segment_type", "segment"]
    assert columns["description"].str.len().gt(0).all()


def test_documented_columns_match_tables(warehouse):
    for mart in list_marts(dsn=warehouse["dsn"]):
        if mart.name not in warehouse["built"]:
            continue
        types = column_types(warehouse["dsn"], marts_schema(), mart.name)
        assert [c.name for c in mart.columns] == list(types), mart.name


# -- loader ---------------------------------------------------------------------------


def test_load_by_number_equals_by_name(warehouse):
    name = "activity_by_graph_segment"
    by_name = load_mart(name, dsn=warehouse["dsn"])
    by_number = load_mart(31, dsn=warehouse["dsn"])
    by_text_number = load_mart("31", dsn=warehouse["dsn"])
    pd.testing.assert_frame_equal(by_name, by_number)
    pd.testing.assert_frame_equal(by_name, by_text_number)
    assert len(by_name) > 0


def test_unknown_name_lists_close_matches(warehouse):
    with pytest.raises(
        ConfigurationError, match="did you mean 'activity_by_graph_segment'"
    ):
        load_mart("activity_by_graph_segments", dsn=warehouse["dsn"])


def test_unknown_name_without_matches(warehouse):
    with pytest.raises(ConfigurationError, match="unknown mart 'zzz'"):
        load_mart("zzz", dsn=warehouse["dsn"])


def test_unknown_number_lists_numbers(warehouse):
    with pytest.raises(ConfigurationError, match="no mart has query number 99"):
        load_mart(99, dsn=warehouse["dsn"])


def test_unbuilt_mart_names_build_command(warehouse):
    with pytest.raises(WarehouseError, match=r"build -s \+activity_by_graph_segment"):
        load_mart("activity_by_graph_segment", dsn=warehouse["dsn"], schema="nowhere")


def test_date_filter_without_date_key(warehouse):
    with pytest.raises(ConfigurationError, match="has no date key column"):
        load_mart("activity_by_graph_segment", dsn=warehouse["dsn"], start="2025-01-01")


def test_start_after_end_rejected(warehouse):
    with pytest.raises(ConfigurationError, match="is after end"):
        load_mart("daily_active_users", dsn=warehouse["dsn"], start="2025-03-01",
                  end="2025-02-01")  # fmt: skip


def test_invalid_date_rejected(warehouse):
    with pytest.raises(ConfigurationError, match="invalid start '2025-13-01'"):
        load_mart("daily_active_users", dsn=warehouse["dsn"], start="2025-13-01")


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_date_filter_keeps_range(warehouse, backend):
    require_built(warehouse, "daily_active_users")
    start, end = dt.date(2025, 2, 1), dt.date(2025, 2, 28)
    frame = load_mart(
        "daily_active_users",
        dsn=warehouse["dsn"],
        backend=backend,
        start=start,
        end=end,
    )
    days = list(frame["activity_date"])
    assert days == [start + dt.timedelta(days=i) for i in range(28)]


def test_date_filter_on_weekly_mart(warehouse):
    require_built(warehouse, "user_lifecycle")
    frame = load_mart(
        "user_lifecycle", dsn=warehouse["dsn"], start="2025-02-05", end="2025-02-17"
    )
    # Week keys are Mondays: 2025-02-10 and 2025-02-17 fall in the range.
    assert sorted(set(frame["week_start"])) == [
        dt.date(2025, 2, 10),
        dt.date(2025, 2, 17),
    ]


def test_load_is_sorted(warehouse):
    require_built(warehouse, "daily_active_users")
    frame = load_mart("daily_active_users", dsn=warehouse["dsn"])
    days = list(frame["activity_date"])
    assert days == sorted(days)
