"""``chat-analytics db`` and ``chat-analytics init``."""

from __future__ import annotations

import click

from chat_analytics.cli.common import dsn_option
from chat_analytics.warehouse import (
    connect,
    embedded_server,
    init_schema,
    redact_dsn,
    resolve_dsn,
    uses_embedded_server,
)

__all__ = ["db", "init"]


@click.group()
def db() -> None:
    """Start, stop and locate the embedded PostgreSQL server."""


def _require_embedded(action: str) -> None:
    if not uses_embedded_server():
        raise click.ClickException(
            f"cannot {action}: an external server is configured "
            "(CHAT_ANALYTICS_DSN or PG* variables); unset them to use the "
            "embedded one"
        )


@db.command()
def start() -> None:
    """Start the embedded server (no-op when it runs already)."""
    _require_embedded("start the embedded server")
    status = embedded_server().start()
    click.echo(f"running (pid {status.pid}), data in {status.data_dir}")


@db.command()
def stop() -> None:
    """Stop the embedded server; its data is kept."""
    _require_embedded("stop the embedded server")
    stopped = embedded_server().stop()
    click.echo("stopped" if stopped else "not running")


@db.command()
def status() -> None:
    """Print whether the embedded server runs; exit 3 when it does not."""
    if not uses_embedded_server():
        click.echo(f"external server: {redact_dsn(resolve_dsn())}")
        return
    state = embedded_server().status()
    if state.running:
        click.echo(
            f"running (pid {state.pid}), data in {state.data_dir}, "
            f"socket in {state.socket_dir}"
        )
    else:
        click.echo(f"not running, data in {state.data_dir}")
        raise SystemExit(3)


@db.command()
@click.option("--database", default=None, help="Database name in the DSN.")
def url(database: str | None) -> None:
    """Print a DSN for psql, SQLAlchemy and dbt (starts the embedded server)."""
    click.echo(redact_dsn(resolve_dsn(database=database)))


@click.command()
@dsn_option
def init(dsn: str | None) -> None:
    """Create the chat schema, its 11 tables and the reader role (idempotent)."""
    with connect(dsn) as connection:
        init_schema(connection)
    click.echo("schema chat is ready")


@db.command()
def env() -> None:
    """Print shell exports that point dbt, psql and sqlfluff at the warehouse.

    Use it as: eval "$(chat-analytics db env)". PGPASSWORD is never printed;
    a password already in the environment stays in force.
    """
    import shlex

    from chat_analytics.transform import dbt_environment

    for name, value in dbt_environment().items():
        if name == "PGPASSWORD":
            continue
        click.echo(f"export {name}={shlex.quote(value)}")
