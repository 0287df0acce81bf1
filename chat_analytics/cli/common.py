"""Helpers shared by the subcommands: error reporting and the warehouse option."""

from __future__ import annotations

import logging
import sys

import click

from chat_analytics.errors import ChatAnalyticsError

__all__ = ["as_of_option", "dsn_option", "run_command"]

logger = logging.getLogger("chat_analytics.cli")

dsn_option = click.option(
    "--dsn",
    envvar="CHAT_ANALYTICS_DSN",
    default=None,
    help="libpq connection string of the warehouse [env: CHAT_ANALYTICS_DSN]; "
    "default: the PG* variables, else the embedded server.",
)


def _check_as_of(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> str | None:
    if value is None:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a valid date; give YYYY-MM-DD"
        ) from None


def as_of_option(help_text: str):
    """Return an ``--as-of`` option checked before the command does any work."""
    return click.option(
        "--as-of",
        "as_of",
        default=None,
        metavar="YYYY-MM-DD",
        callback=_check_as_of,
        help=help_text,
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
    except OSError as error:
        # A folder that is a file, a path without permission, a full disk.
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
