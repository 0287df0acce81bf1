"""``chat-analytics load``: load a folder of Parquet files into the chat tables."""

from __future__ import annotations

from pathlib import Path

import click

from chat_analytics.cli.common import dsn_option
from chat_analytics.errors import LoadError
from chat_analytics.ingest.loader import (
    LoadReport,
    RejectedRowsError,
    load_tables,
    read_directory,
)
from chat_analytics.warehouse import connect, init_schema

__all__ = ["load"]


def _write_rejects(report: LoadReport, path: Path | None) -> None:
    if path is None:
        return
    report.write_rejects_csv(path)
    click.echo(f"wrote {len(report.rejected_rows):,} rejected row(s) to {path}")


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--strict",
    is_flag=True,
    help="Load nothing when any row is invalid (exit status 1).",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write every rejected row to this CSV file (table, row_number, key, reason).",
)
@click.option(
    "--show",
    "show_rejected",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Number of rejected rows to list on stdout.",
)
@dsn_option
def load(
    directory: Path,
    strict: bool,
    rejects_path: Path | None,
    show_rejected: int,
    dsn: str | None,
) -> None:
    """Validate and load DIRECTORY/<table>.parquet files into the chat tables.

    Creates the chat schema first when it is missing. Rows whose primary key
    is already in the warehouse are skipped. Invalid rows are rejected and
    listed, and the other rows are loaded in one transaction.
    """
    # Reading the files first reports a bad folder before touching the database.
    frames = read_directory(directory)
    with connect(dsn) as connection:
        init_schema(connection)
    try:
        report = load_tables(dsn, frames, strict=strict)
    except RejectedRowsError as error:
        click.echo(error.report.summary(show_rejected))
        _write_rejects(error.report, rejects_path)
        raise
    click.echo(report.summary(show_rejected))
    _write_rejects(report, rejects_path)
    if report.rejected and not report.inserted and not report.skipped:
        raise LoadError(
            f"every one of the {report.rejected:,} rows was rejected, so nothing "
            "was loaded; fix the rows listed above (or their parent rows)"
        )
