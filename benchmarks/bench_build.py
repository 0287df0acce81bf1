"""Measure the dbt build of every mart against the scan floor of the base tables.

Run from the repository root::

    .venv/bin/python benchmarks/bench_build.py [--users 10000] [--seed 7]

The script starts an embedded PostgreSQL in a temporary folder, generates
``--users`` users of synthetic data and loads all of it except the messages,
attachments and notifications of the last day. It then measures, in one run:

- the scan floor: reading every base table once with ``count(*)``;
- a full ``dbt build`` (models and their tests), with the time of each model
  from dbt's ``run_results.json``;
- loading the held-back last day and building again, which is what a daily
  scheduled run does.

It prints the build time over the scan floor. The build includes every dbt
test, so the ratio is an upper bound on the cost of the models alone.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import polars as pl
from psycopg import sql

# Tables whose rows of the last day are held back from the first load and
# loaded before the rebuild. Attachments of held-back messages wait too.
HELD_BACK = ("messages", "file_attachments", "notifications")


def split_last_day(tables: dict[str, pl.DataFrame]) -> tuple[dict, dict]:
    """Split the frames into everything before the last message day, and that day."""
    last_day = tables["messages"]["created_at"].max().date()
    before, last = dict(tables), {}
    for name in HELD_BACK:
        frame = tables[name]
        is_last = pl.col("created_at").dt.date() >= last_day
        before[name] = frame.filter(~is_last)
        last[name] = frame.filter(is_last)
    # An attachment created before the last day may belong to a held-back
    # message; it must wait for its message.
    held_messages = last["messages"].select("id")
    attachments = before["file_attachments"]
    late = attachments.join(
        held_messages, left_on="message_id", right_on="id", how="semi"
    )
    before["file_attachments"] = attachments.join(
        held_messages, left_on="message_id", right_on="id", how="anti"
    )
    last["file_attachments"] = pl.concat([last["file_attachments"], late])
    return before, last


def scan_floor(dsn: str) -> float:
    """Seconds to read every base table once with count(*)."""
    from chat_analytics.warehouse import TABLES, connect

    with connect(dsn) as connection:
        started = time.perf_counter()
        for table in TABLES:
            query = sql.SQL("select count(*) from {}").format(
                sql.Identifier("chat", table)
            )
            connection.execute(query).fetchone()
        return time.perf_counter() - started


def model_times(target_path: Path) -> list[tuple[str, float]]:
    """Return (model name, seconds) from dbt's run_results.json, slowest first."""
    results = json.loads((target_path / "run_results.json").read_text())
    rows = [
        (item["unique_id"].split(".")[-1], item["execution_time"])
        for item in results["results"]
        if item["unique_id"].startswith("model.")
    ]
    return sorted(rows, key=lambda row: row[1], reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000, help="number of profiles")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--top", type=int, default=12, help="slowest models to list")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-build-") as home:
        os.environ["CHAT_ANALYTICS_HOME"] = home
        for name in ("CHAT_ANALYTICS_DSN", "PGHOST", "PGDATABASE", "PGPORT"):
            os.environ.pop(name, None)
        from chat_analytics.ingest.generate import generate
        from chat_analytics.ingest.loader import load_tables
        from chat_analytics.transform import build
        from chat_analytics.warehouse import connect as open_connection
        from chat_analytics.warehouse import embedded_server, init_schema

        server = embedded_server()
        server.start()
        try:
            dsn = server.dsn()
            with open_connection(dsn) as connection:
                init_schema(connection)
            tables = generate(users=arguments.users, seed=arguments.seed)
            before, last = split_last_day(tables)
            load_tables(dsn, before, strict=True)
            with open_connection(dsn, autocommit=True) as connection:
                connection.execute("vacuum analyze")
            messages = before["messages"].height

            floor = min(scan_floor(dsn) for _ in range(3))
            started = time.perf_counter()
            result = build(dsn)
            full = time.perf_counter() - started
            times = model_times(result.target_path)

            load_tables(dsn, last, strict=True)
            started = time.perf_counter()
            build(dsn)
            rebuild = time.perf_counter() - started
        finally:
            server.stop()

    model_total = sum(seconds for _, seconds in times)
    print(f"users {arguments.users:,}, messages {messages:,} (seed {arguments.seed})")
    print(f"scan floor (count(*) of the 11 tables): {floor:.3f} s")
    print(f"full dbt build (models and tests):      {full:.1f} s")
    print(f"  of which models (run_results):        {model_total:.1f} s")
    print(f"ratio build / floor:                    {full / floor:.0f}x")
    print(
        f"rebuild after one more day of data:     {rebuild:.1f} s "
        f"({last['messages'].height:,} new messages)"
    )
    print(f"slowest {arguments.top} models:")
    for name, seconds in times[: arguments.top]:
        print(f"  {name:<45} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
