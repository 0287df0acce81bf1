"""Measure the synthetic generator: seconds, messages and rows per second.

Run from the repository root::

    .venv/bin/python benchmarks/bench_generate.py [--users 10000] [--seed 7]

The script times :func:`chat_analytics.ingest.generate.generate` (best of
``--repeat`` runs) and one :func:`~chat_analytics.ingest.generate.write_parquet`
into a temporary folder, then prints the row count and rows per second of each
table and of the total. The per-table rate divides that table's rows by the
whole generation time, because the tables are built together.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from datetime import date

from chat_analytics.ingest.generate import generate, write_parquet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000, help="number of profiles")
    parser.add_argument("--seed", type=int, default=7, help="random seed (at least 0)")
    parser.add_argument(
        "--days", type=int, default=365, help="length of the period in days"
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date(2025, 1, 1),
        help="first day, YYYY-MM-DD",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="generation runs; the best is reported"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log each generation stage to stderr",
    )
    arguments = parser.parse_args()
    if arguments.verbose:
        logging.basicConfig(
            level=logging.INFO, format="%(relativeCreated)7.0f ms %(message)s"
        )

    timings = []
    for _ in range(max(arguments.repeat, 1)):
        began = time.perf_counter()
        tables = generate(
            users=arguments.users,
            seed=arguments.seed,
            start=arguments.start,
            days=arguments.days,
        )
        timings.append(time.perf_counter() - began)
    seconds = min(timings)

    with tempfile.TemporaryDirectory(prefix="bench-generate-") as folder:
        began = time.perf_counter()
        write_parquet(tables, folder)
        write_seconds = time.perf_counter() - began

    total = sum(frame.height for frame in tables.values())
    print(
        f"users {arguments.users}, days {arguments.days}, seed {arguments.seed}: "
        f"generate {seconds:.2f} s (best of {len(timings)}: "
        f"{', '.join(f'{value:.2f}' for value in timings)}), "
        f"write_parquet {write_seconds:.2f} s"
    )
    print(f"messages {tables['messages'].height:,}")
    print(f"{'table':<22} {'rows':>12} {'rows/s':>14}")
    for name, frame in tables.items():
        print(f"{name:<22} {frame.height:>12,} {frame.height / seconds:>14,.0f}")
    print(f"{'total':<22} {total:>12,} {total / seconds:>14,.0f}")


if __name__ == "__main__":
    main()
