"""The ``chat-analytics`` command line.

Each subcommand lives in its own module of this package and is registered on
:data:`main` below. Logs go to stderr; a failure is one line and a non-zero exit.
"""

from __future__ import annotations

import logging
import sys

import click

from chat_analytics.cli.build import build
from chat_analytics.cli.common import run_command
from chat_analytics.cli.database import db, init
from chat_analytics.cli.generate import generate
from chat_analytics.cli.graph import graph
from chat_analytics.cli.importing import import_export
from chat_analytics.cli.load import load
from chat_analytics.cli.pipeline import report, run

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-v", "--verbose", count=True, help="Show more log output (-vv for debug)."
)
@click.version_option(package_name="chat-analytics")
def cli(verbose: int) -> None:
    """Turn the database of a chat product into analytics.

    With CHAT_ANALYTICS_DSN or the PG* variables set, commands use that
    PostgreSQL server; otherwise they start an embedded one whose data lives
    under CHAT_ANALYTICS_HOME.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # The chat_analytics loggers report progress at INFO level by default.
    logging.getLogger("chat_analytics").setLevel(min(level, logging.INFO))


cli.add_command(build)
cli.add_command(db)
cli.add_command(generate)
cli.add_command(graph)
cli.add_command(import_export)
cli.add_command(init)
cli.add_command(load)
cli.add_command(report)
cli.add_command(run)


def main() -> None:
    """Entry point of the console script."""
    run_command(cli)
