"""Measure fetching a large relation into pandas and polars.

Run from the repository root::

    .venv/bin/python benchmarks/bench_fetch.py [--rows 1000000] [--repeat 3]

The script starts a fresh embedded PostgreSQL in a temporary
``CHAT_ANALYTICS_HOME`` (removed afterwards) unless ``--dsn`` names a
warehouse, where it creates and drops the schema ``bench_fetch``. It creates a
table of ``--rows`` rows shaped like a mart: a UUID, integers with and without
NULLs, numeric, double precision, timestamp, date, boolean and text. Then it
reads the whole table with:

- :func:`chat_analytics.marts.fetch_relation`, the path of ``load_mart``
  (ADBC, Arrow, dtypes from the catalog), into pandas and into polars;
- psycopg ``COPY (select ...) TO STDOUT (format csv)`` parsed by
  ``pyarrow.csv``, the alternative that was measured against ADBC;
- ``pandas.read_sql`` over a SQLAlchemy engine (psycopg 3 driver), the usual
  row-by-row path.

Each method runs ``--repeat`` times, interleaved, and the fastest run counts.
With ``--dsn`` and ``--relation SCHEMA.NAME`` an existing relation is read
instead, such as ``chat.messages`` of a generated warehouse (the CSV method is
left out there, because its column list fits the generated table only).
The printed load average shows how busy the machine was.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from chat_analytics.marts import fetch_relation
from chat_analytics.marts.fetch import build_select, relation_columns
from chat_analytics.warehouse import EmbeddedServer
from chat_analytics.warehouse.connection import to_uri

SCHEMA = "bench_fetch"
TABLE = "mart_like_rows"
CREATE_TABLE = """
create table {table} as
select
    gen_random_uuid() as user_id,
    row_number::bigint as row_number,
    case when row_number % 7 = 0 then null else row_number % 1000 end::integer
        as maybe_count,
    (row_number * 0.25)::numeric(14, 2) as amount,
    row_number / 3.0::double precision as ratio,
    timestamp '2025-01-01' + row_number * interval '1 second' as created_at,
    date '2025-01-01' + (row_number % 365)::integer as activity_date,
    row_number % 3 = 0 as is_flagged,
    'user_' || (row_number % 5000) as username
from generate_series(1, {rows}) as series (row_number)
"""
CSV_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("row_number", pa.int64()),
        ("maybe_count", pa.int64()),
        ("amount", pa.float64()),
        ("ratio", pa.float64()),
        ("created_at", pa.timestamp("us")),
        ("activity_date", pa.date32()),
        ("is_flagged", pa.bool_()),
        ("username", pa.string()),
    ]
)


def create_table(dsn: str, rows: int) -> None:
    with psycopg.connect(dsn) as connection:
        connection.execute(
            sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SCHEMA))
        )
        connection.execute(sql.SQL("create schema {}").format(sql.Identifier(SCHEMA)))
        connection.execute(
            sql.SQL(CREATE_TABLE).format(
                table=sql.Identifier(SCHEMA, TABLE), rows=sql.Literal(rows)
            )
        )
        connection.execute(sql.SQL("analyze {}").format(sql.Identifier(SCHEMA, TABLE)))


def select_text(dsn: str, schema: str, table: str) -> str:
    """Return the select list with casts that fetch_relation itself uses."""
    with psycopg.connect(dsn) as connection:
        columns = relation_columns(connection, schema, table)
        return build_select(schema, table, columns).as_string(connection)


def copy_csv(dsn: str, query: str) -> pa.Table:
    buffer = io.BytesIO()
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        with cursor.copy(f"copy ({query}) to stdout (format csv)") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    return pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=CSV_SCHEMA.names),
        convert_options=pacsv.ConvertOptions(
            column_types=CSV_SCHEMA,
            true_values=["t"],
            false_values=["f"],
            strings_can_be_null=False,
        ),
    )


def read_sql(engine, query: str) -> pd.DataFrame:
    return pd.read_sql(query, engine)


def sqlalchemy_url(dsn: str) -> str:
    return to_uri(conninfo_to_dict(dsn)).replace(
        "postgresql://", "postgresql+psycopg://"
    )


def measure(methods: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    best = dict.fromkeys(methods, float("inf"))
    for _ in range(repeat):
        for name, method in methods.items():
            started = time.perf_counter()
            result = method()
            seconds = time.perf_counter() - started
            best[name] = min(best[name], seconds)
            del result
    return best


def run(
    dsn: str, rows: int, repeat: int, relation: tuple[str, str] | None = None
) -> None:
    import sqlalchemy

    if relation is None:
        print(f"creating {rows:,} rows in {SCHEMA}.{TABLE} ...", flush=True)
        create_table(dsn, rows)
        schema, table = SCHEMA, TABLE
    else:
        schema, table = relation
        with psycopg.connect(dsn) as connection:
            rows = connection.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(*relation))
            ).fetchone()[0]
        print(f"reading {rows:,} rows of {schema}.{table}", flush=True)
    query = select_text(dsn, schema, table)
    engine = sqlalchemy.create_engine(sqlalchemy_url(dsn))
    methods = {
        "fetch_relation -> pandas (ADBC)": lambda: fetch_relation(
            schema, table, dsn=dsn, backend="pandas"
        ),
        "fetch_relation -> polars (ADBC)": lambda: fetch_relation(
            schema, table, dsn=dsn, backend="polars"
        ),
        "pandas.read_sql (SQLAlchemy)": lambda: read_sql(engine, query),
    }
    if relation is None:
        methods["COPY csv -> pyarrow.csv -> pandas"] = lambda: copy_csv(
            dsn, query
        ).to_pandas()
    best = measure(methods, repeat)
    baseline = best["pandas.read_sql (SQLAlchemy)"]
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}, "
          f"cpus: {os.cpu_count()}, best of {repeat}")  # fmt: skip
    print(f"{'method':40} {'seconds':>8} {'rows/s':>12} {'vs read_sql':>12}")
    for name, seconds in best.items():
        print(
            f"{name:40} {seconds:8.2f} {rows / seconds:12,.0f} "
            f"{baseline / seconds:11.1f}x"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--dsn",
        default=None,
        help="warehouse to use; default: a temporary embedded one",
    )
    parser.add_argument(
        "--relation",
        default=None,
        metavar="SCHEMA.NAME",
        help="read this existing relation of --dsn instead of a generated table",
    )
    arguments = parser.parse_args()
    if arguments.relation:
        if not arguments.dsn:
            parser.error("--relation needs --dsn")
        schema, _, name = arguments.relation.partition(".")
        run(arguments.dsn, 0, arguments.repeat, (schema, name))
        return
    if arguments.dsn:
        try:
            run(arguments.dsn, arguments.rows, arguments.repeat)
        finally:
            with psycopg.connect(arguments.dsn) as connection:
                connection.execute(
                    sql.SQL("drop schema if exists {} cascade").format(
                        sql.Identifier(SCHEMA)
                    )
                )
        return
    home = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
    os.environ["CHAT_ANALYTICS_HOME"] = str(home)
    server = EmbeddedServer(home)
    server.start()
    try:
        run(server.create_database("bench_fetch"), arguments.rows, arguments.repeat)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
