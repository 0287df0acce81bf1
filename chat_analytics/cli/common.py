"""Helpers shared by the subcommands: error reporting and the warehouse option."""

from __future__ import annotations

import logging
import sys

import click

from chat_analytics.errors import ChatAnalyticsError

__all__ = ["run_command", "dsn_option"]

logger = logging.getLogger("chat_analytics.cli")

dsn_option = click.option(
    "--dsn",
    envvar="CHAT_ANALYTICS_DSN",
    default=None,
    help="libpq connection string of the warehouse [env: CHAT_ANALYTICS_DSN]; "
    "default: the PG* variables, else the embedded server.",
)


def run_command(command: click.Group) -> None:
    """Run ``command``; turn a domain error into one line on stderr and exit 1."""
    try:
        command.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except ChatAnalyticsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
