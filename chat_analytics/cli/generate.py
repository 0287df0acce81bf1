"""``chat-analytics generate``: synthetic chat data to Parquet or the warehouse."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import click

from chat_analytics.cli.common import dsn_option
from chat_analytics.errors import LoadError

__all__ = ["generate"]

logger = logging.getLogger(__name__)


def _at_least(minimum: int):
    def check(context: click.Context, parameter: click.Parameter, value: int) -> int:
        if value < minimum:
            raise click.BadParameter(
                f"{value} is too small: use an integer of at least {minimum}"
            )
        return value

    return check


def _parse_date(context: click.Context, parameter: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: use YYYY-MM-DD, for example 2025-01-01"
        ) from None


def _check_out(
    context: click.Context, parameter: click.Parameter, value: Path | None
) -> Path | None:
    if value is not None and value.exists() and not value.is_dir():
        raise click.BadParameter(
            f"{str(value)!r} is a file: pass a folder path (it is created when missing)"
        )
    return value


@click.command()
@click.option(
    "--users",
    type=int,
    required=True,
    callback=_at_least(1),
    help="Number of user profiles to generate (at least 1); 10,000 users over "
    "365 days give about a million messages.",
)
@click.option(
    "--seed",
    type=int,
    required=True,
    callback=_at_least(0),
    help="Random seed (at least 0); the same seed and options give identical data.",
)
@click.option(
    "--start",
    default="2025-01-01",
    show_default=True,
    callback=_parse_date,
    help="First day of the generated period, YYYY-MM-DD (UTC).",
)
@click.option(
    "--days",
    type=int,
    default=365,
    show_default=True,
    callback=_at_least(1),
    help="Length of the generated period in days.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    callback=_check_out,
    help="Folder to write <table>.parquet files and manifest.json to, instead "
    "of loading into the warehouse.",
)
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="When loading, load nothing if any row is rejected.",
)
@dsn_option
def generate(
    users: int,
    seed: int,
    start: date,
    days: int,
    out: Path | None,
    strict: bool,
    dsn: str | None,
) -> None:
    """Generate a synthetic chat product and load it (or write Parquet with --out).

    The data covers USERS users who sign up over DAYS days from START, with
    friendships, direct, group and AI chats, messages, notifications, files,
    anonymous chats and invitations. The same options give the same rows.
    """
    from chat_analytics.ingest.generate import generate as generate_tables
    from chat_analytics.ingest.generate import write_parquet

    tables = generate_tables(users=users, seed=seed, start=start, days=days)
    rows = sum(frame.height for frame in tables.values())
    if out is not None:
        write_parquet(tables, out)
        click.echo(f"wrote {len(tables)} tables ({rows:,} rows) to {out}")
        return

    # Imported only when loading, so that --out works without the loader.
    from chat_analytics.ingest.loader import load_tables

    logger.info("loading %d rows into the warehouse", rows)
    report = load_tables(dsn, tables, strict=strict)
    click.echo(report.summary(max_rejected_rows=5))
    if report.rejected:
        raise LoadError(
            f"{report.rejected} generated row(s) were rejected, which the "
            "generator should never produce; report it with the seed and options"
        )
