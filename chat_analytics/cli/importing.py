"""``chat-analytics import``: load a Slack, Discord, Telegram or WhatsApp export."""

from __future__ import annotations

from pathlib import Path

import click

from chat_analytics.cli.common import dsn_option
from chat_analytics.ingest.importers import (
    FORMATS,
    ImportOptions,
    detect_format,
    read_export,
)
from chat_analytics.ingest.loader import LoadReport, RejectedRowsError, load_tables
from chat_analytics.warehouse import connect, init_schema

__all__ = ["import_export"]

# Rejected rows listed on stdout; --rejects writes all of them.
SHOWN_REJECTIONS = 10


@click.command("import")
@click.argument("export_format", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("path", type=click.Path(exists=True, path_type=Path), metavar="PATH")
@dsn_option
@click.option(
    "--pseudonymize",
    is_flag=True,
    help="Replace names and handles with stable pseudonyms (also in chat titles "
    "and message text) and drop avatar URLs and platform ids.",
)
@click.option(
    "--pseudonym-key",
    envvar="CHAT_ANALYTICS_PSEUDONYM_KEY",
    default=None,
    help="Secret HMAC key of the pseudonyms [env: CHAT_ANALYTICS_PSEUDONYM_KEY]; "
    "default: a fixed public key, so pseudonyms of known ids can be recomputed.",
)
@click.option(
    "--derive-friends",
    type=click.IntRange(min=1),
    default=None,
    metavar="K",
    help="Add an accepted friendship between two people who each answered the "
    "other at least K times (exports have no friend lists).",
)
@click.option(
    "--workspace",
    default=None,
    help="Workspace part of the stable ids; default: the Slack team id, empty "
    "for the other platforms.",
)
@click.option(
    "--timezone",
    default=None,
    help="IANA time zone of local times without offset (WhatsApp, old Telegram "
    "exports); default: UTC.",
)
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy", "ymd"]),
    default=None,
    help="Order of day, month and year in WhatsApp dates; default: detected.",
)
@click.option(
    "--encoding",
    default=None,
    help="Text encoding of WhatsApp files; default: UTF-8 or UTF-16 by BOM.",
)
@click.option(
    "--dry-run", is_flag=True, help="Read and check the export; load nothing."
)
@click.option(
    "--skip-invalid-rows",
    is_flag=True,
    help="Load the valid rows when the loader rejects some; default: load nothing.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write every rejected row to this CSV file (table, row_number, key, reason).",
)
def import_export(
    export_format: str,
    path: Path,
    dsn: str | None,
    pseudonymize: bool,
    pseudonym_key: str | None,
    derive_friends: int | None,
    workspace: str | None,
    timezone: str | None,
    date_order: str | None,
    encoding: str | None,
    dry_run: bool,
    skip_invalid_rows: bool,
    rejects_path: Path | None,
) -> None:
    """Import the chat export at PATH into the chat tables.

    FORMAT is slack, discord, telegram, whatsapp, or auto to detect it.
    Creates the chat schema first when it is missing. All rows are loaded in
    one transaction, and by default nothing is loaded when any row is
    rejected. Rows already present (same id) are skipped, so importing the
    same or an overlapping export again adds only what is new.
    """
    options = ImportOptions(
        pseudonymize=pseudonymize,
        pseudonym_key=pseudonym_key,
        derive_friends=derive_friends,
        workspace=workspace,
        timezone=timezone,
        date_order=date_order,
        encoding=encoding,
    )
    platform = detect_format(path) if export_format == "auto" else export_format
    if export_format == "auto":
        click.echo(f"detected format: {platform}")
    tables = read_export(path, platform, options)
    counts = ", ".join(f"{frame.height:,} {name}" for name, frame in tables.items())
    click.echo(f"read {path}: {counts}")
    if derive_friends is not None:
        click.echo(
            f"derived {tables['friends'].height:,} friendship(s) from reply turns "
            f"(each person answered the other at least {derive_friends} time(s)); "
            "they are inferred, not friend lists of the platform"
        )
    if pseudonymize:
        click.echo("names and handles are replaced with pseudonyms")
    if dry_run:
        click.echo("dry run: nothing loaded")
        return
    with connect(dsn) as connection:
        init_schema(connection)
    try:
        report = load_tables(dsn, tables, strict=not skip_invalid_rows)
    except RejectedRowsError as error:
        click.echo(error.report.summary(max_rejected_rows=SHOWN_REJECTIONS))
        _write_rejects(error.report, rejects_path)
        raise
    click.echo(report.summary(max_rejected_rows=SHOWN_REJECTIONS))
    _write_rejects(report, rejects_path)


def _write_rejects(report: LoadReport, path: Path | None) -> None:
    if path is None:
        return
    report.write_rejects_csv(path)
    click.echo(f"wrote {len(report.rejected_rows):,} rejected row(s) to {path}")
