"""``chat-analytics build``: run the dbt project."""

from __future__ import annotations

import click

from chat_analytics.cli.common import as_of_option, dsn_option
from chat_analytics.transform import build as run_build

__all__ = ["build"]


@click.command()
@dsn_option
@as_of_option("The as_of_date var; default: the date of the newest message.")
@click.option(
    "--select", "-s", "select", multiple=True, help="dbt node selection (repeatable)."
)
@click.option("--exclude", multiple=True, help="dbt nodes to leave out (repeatable).")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models.")
def build(
    dsn: str | None,
    as_of: str | None,
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    full_refresh: bool,
) -> None:
    """Build the staging, intermediate and mart models and run their tests."""
    result = run_build(
        dsn, as_of=as_of, select=select, exclude=exclude, full_refresh=full_refresh
    )
    click.echo(
        f"dbt build succeeded: {result.count('model', 'success')} models, "
        f"{result.count('test', 'pass')} tests passed, "
        f"{result.count('unit_test', 'pass')} unit tests passed"
    )
