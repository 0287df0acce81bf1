"""Run the dbt project in-process against the configured warehouse."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from chat_analytics.errors import BuildError, ConfigurationError
from chat_analytics.warehouse.connection import (
    ConnectionSettings,
    home_dir,
    resolve_dsn,
)

__all__ = [
    "BuildResult",
    "NodeResult",
    "build",
    "dbt_project_dir",
    "dbt_environment",
    "marts_schema",
    "run_dbt",
]

logger = logging.getLogger(__name__)

PROJECT_VARIABLE = "CHAT_ANALYTICS_DBT_PROJECT"
SCHEMA_VARIABLE = "CHAT_ANALYTICS_DBT_SCHEMA"
DEFAULT_TARGET_SCHEMA = "analytics"
# dbt commands that execute nodes, for which an empty selection is an error.
NODE_COMMANDS = ("build", "run", "test", "seed", "snapshot")


@dataclass(frozen=True)
class NodeResult:
    """The outcome of one dbt node (model, test, seed or unit test)."""

    unique_id: str
    resource_type: str
    status: str
    execution_time: float
    message: str | None
    failures: int | None


@dataclass
class BuildResult:
    """The outcome of one dbt invocation."""

    command: str
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    target_path: Path | None = None

    def count(self, resource_type: str, status: str | None = None) -> int:
        """Count nodes of ``resource_type`` (and ``status`` when given)."""
        return sum(
            1
            for node in self.nodes
            if node.resource_type == resource_type
            and (status is None or node.status == status)
        )

    @property
    def failed(self) -> list[NodeResult]:
        """Nodes that errored or whose test failed."""
        return [node for node in self.nodes if node.status in ("error", "fail")]


def dbt_project_dir() -> Path:
    """Return the dbt project folder.

    ``CHAT_ANALYTICS_DBT_PROJECT`` when set, else the repository's ``dbt_project/``.
    """
    configured = os.environ.get(PROJECT_VARIABLE)
    path = (
        Path(configured).expanduser()
        if configured
        else Path(__file__).resolve().parents[2] / "dbt_project"
    )
    if not (path / "dbt_project.yml").is_file():
        raise ConfigurationError(
            f"no dbt_project.yml in {path}; set {PROJECT_VARIABLE} to the folder "
            "of the chat-analytics dbt project"
        )
    return path


def marts_schema() -> str:
    """Return the schema that dbt builds the marts in."""
    return os.environ.get(SCHEMA_VARIABLE) or DEFAULT_TARGET_SCHEMA


def dbt_environment(dsn: str | None = None) -> dict[str, str]:
    """Return the variables that ``profiles.yml`` reads, for the warehouse at ``dsn``.

    Parameters
    ----------
    dsn : str, optional
        Connection string; by default the configured or embedded warehouse.

    Returns
    -------
    dict of str to str
        ``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE`` and
        ``CHAT_ANALYTICS_DBT_SCHEMA``. For the embedded server ``PGHOST`` is
        the folder of its Unix socket.
    """
    settings = ConnectionSettings.from_dsn(resolve_dsn(dsn))
    return {
        "PGHOST": settings.host,
        "PGPORT": str(settings.port),
        "PGUSER": settings.user,
        "PGPASSWORD": settings.password,
        "PGDATABASE": settings.dbname,
        SCHEMA_VARIABLE: marts_schema(),
    }


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _target_path(environment: dict[str, str]) -> Path:
    # One target folder per warehouse database, so that two warehouses never
    # share a manifest and dbt's partial parsing stays valid for each.
    key = f"{environment['PGHOST']}:{environment['PGPORT']}/{environment['PGDATABASE']}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", environment["PGDATABASE"])[:40]
    return home_dir() / "dbt" / f"{name}-{digest}"


def validate_as_of(as_of: str | dt.date | None) -> str | None:
    """Return ``as_of`` as YYYY-MM-DD, or None; raise ConfigurationError if invalid."""
    if as_of is None:
        return None
    if isinstance(as_of, dt.date):
        return as_of.isoformat()
    try:
        return dt.date.fromisoformat(as_of).isoformat()
    except ValueError:
        raise ConfigurationError(
            f"invalid as-of date {as_of!r}: give a date as YYYY-MM-DD"
        ) from None


def run_dbt(
    command: str,
    *,
    dsn: str | None = None,
    as_of: str | dt.date | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    variables: dict | None = None,
    full_refresh: bool = False,
    extra_args: Sequence[str] = (),
    check: bool = True,
) -> BuildResult:
    """Run one dbt command, such as ``build`` or ``docs generate``, in-process.

    Parameters
    ----------
    command : str
        The dbt subcommand, such as ``"build"`` or ``"docs generate"``.
    dsn : str, optional
        Warehouse connection string; by default the configured or embedded one.
    as_of : str or datetime.date, optional
        The ``as_of_date`` var; by default the date of the newest message.
    select, exclude : sequence of str
        dbt node selection.
    variables : dict, optional
        More dbt vars.
    full_refresh : bool
        Rebuild incremental models from scratch.
    extra_args : sequence of str
        More dbt command-line arguments.
    check : bool
        Raise :class:`BuildError` when any node fails.

    Returns
    -------
    BuildResult

    Raises
    ------
    BuildError
        When dbt fails and ``check`` is true; the message names the failed
        nodes and dbt's error.
    """
    from dbt.cli.main import dbtRunner

    environment = dbt_environment(dsn)
    as_of_text = validate_as_of(as_of)
    if as_of_text is None and command.split()[0] in ("build", "run"):
        _require_default_as_of(dsn)
    project = dbt_project_dir()
    target_path = _target_path(environment)
    all_vars = dict(variables or {})
    if as_of_text is not None:
        all_vars["as_of_date"] = as_of_text
    args = [
        *command.split(),
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
        "--quiet",
        "--no-use-colors",
    ]
    if all_vars:
        args += ["--vars", json.dumps(all_vars)]
    for pattern in select:
        args += ["--select", pattern]
    if select and "--indirect-selection" not in extra_args:
        # A partial build must not run relationship tests that point into
        # models outside the selection, which may not exist yet.
        args += ["--indirect-selection", "cautious"]
    for pattern in exclude:
        args += ["--exclude", pattern]
    if full_refresh:
        args.append("--full-refresh")
    args += list(extra_args)
    logger.info("running dbt %s (target %s)", command, target_path)
    with _environment(environment):
        outcome = dbtRunner().invoke(args)
    result = BuildResult(command, bool(outcome.success), target_path=target_path)
    for item in getattr(outcome.result, "results", None) or []:
        node = item.node
        result.nodes.append(
            NodeResult(
                unique_id=node.unique_id,
                resource_type=str(node.resource_type),
                status=str(item.status),
                execution_time=float(item.execution_time or 0.0),
                message=item.message,
                failures=item.failures,
            )
        )
    if check and not result.success:
        raise BuildError(_failure_message(command, outcome, result))
    if check and select and not result.nodes and command.split()[0] in NODE_COMMANDS:
        raise BuildError(
            f"dbt {command} selected nothing with --select {' '.join(select)}; "
            "check the model names (chat-analytics build --help)"
        )
    return result


def _require_default_as_of(dsn: str | None) -> None:
    """Raise when chat.messages is empty, since the default as-of date comes from it."""
    from chat_analytics.warehouse import connect

    with connect(dsn) as connection:
        try:
            newest = connection.execute(
                "select max(created_at) from chat.messages"
            ).fetchone()[0]
        except psycopg.errors.UndefinedTable:
            raise ConfigurationError(
                "the warehouse has no chat schema; run 'chat-analytics init' first"
            ) from None
    if newest is None:
        raise ConfigurationError(
            "chat.messages is empty, so there is no default as-of date; "
            "load data first or pass --as-of YYYY-MM-DD"
        )


def _failure_message(command: str, outcome, result: BuildResult) -> str:
    if result.failed:
        details = "; ".join(
            f"{node.unique_id} {node.status}: {' '.join((node.message or '').split())}"
            for node in result.failed[:5]
        )
        more = len(result.failed) - 5
        if more > 0:
            details += f"; and {more} more"
        return f"dbt {command} failed: {details}"
    if outcome.exception is not None:
        return f"dbt {command} failed: {' '.join(str(outcome.exception).split())}"
    return f"dbt {command} failed; see the dbt log in {result.target_path}/logs"


def build(
    dsn: str | None = None,
    *,
    as_of: str | dt.date | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    full_refresh: bool = False,
    variables: dict | None = None,
) -> BuildResult:
    """Run ``dbt build`` (models and their tests) on the warehouse.

    Examples
    --------
    >>> from chat_analytics.transform import build
    >>> result = build(as_of="2025-12-31")  # doctest: +SKIP
    >>> result.count("model", "success")  # doctest: +SKIP
    """
    return run_dbt(
        "build",
        dsn=dsn,
        as_of=as_of,
        select=select,
        exclude=exclude,
        full_refresh=full_refresh,
        variables=variables,
    )
