"""The whole pipeline in order: database, schema, data, graph, dbt build, reports.

The graph metrics are computed before the dbt build because one mart joins
them to activity; they read the raw friendships, not a mart.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from psycopg import sql

from chat_analytics.errors import ConfigurationError
from chat_analytics.warehouse import (
    TABLES,
    connect,
    init_schema,
    redact_dsn,
    resolve_dsn,
)

__all__ = ["PipelineResult", "reset_tables", "run_pipeline", "table_counts"]

logger = logging.getLogger(__name__)

STAGES = ("database", "schema", "data", "graph", "build", "reports")


@dataclass
class PipelineResult:
    """Outcome of one pipeline run, stage by stage."""

    dsn: str
    table_rows: dict[str, int] = field(default_factory=dict)
    load_summary: str = ""
    rejected_rows: int = 0
    models_built: int = 0
    tests_passed: int = 0
    unit_tests_passed: int = 0
    graph_summary: str = ""
    reports: list[Path] = field(default_factory=list)
    report_dir: Path | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """Return a few lines for people: rows, marts, tests and where reports are."""
        lines = [f"warehouse: {redact_dsn(self.dsn)}", "rows per table:"]
        width = max(map(len, self.table_rows), default=0)
        for table, rows in self.table_rows.items():
            lines.append(f"  {table:<{width}}  {rows:>10,}")
        if self.rejected_rows:
            lines.append(f"rejected rows: {self.rejected_rows:,} (not loaded)")
        lines.append(
            f"dbt: {self.models_built} models built, {self.tests_passed} data "
            f"tests and {self.unit_tests_passed} unit tests passed"
        )
        if self.graph_summary:
            lines.append(f"graph: {self.graph_summary}")
        if self.report_dir is not None:
            lines.append(
                f"reports: {len(self.reports)} in {self.report_dir} "
                f"(open {self.report_dir / 'index.html'})"
            )
        total = sum(self.stage_seconds.values())
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in self.stage_seconds.items())
        lines.append(f"time: {total:.1f} s ({timings})")
        return "\n".join(lines)


def table_counts(dsn: str) -> dict[str, int]:
    """Return the row count of each chat table."""
    counts = {}
    with connect(dsn) as connection:
        for table in TABLES:
            query = sql.SQL("select count(*) from {}").format(
                sql.Identifier("chat", table)
            )
            counts[table] = connection.execute(query).fetchone()[0]
    return counts


def reset_tables(dsn: str) -> None:
    """Delete every row of the 11 chat tables in one statement."""
    logger.warning("emptying the chat tables of %s", redact_dsn(dsn))
    statement = sql.SQL("truncate {}").format(
        sql.SQL(", ").join(sql.Identifier("chat", table) for table in TABLES)
    )
    with connect(dsn) as connection:
        connection.execute(statement)


def _require_same_dataset(dsn: str, profile_ids: list[str], seed: int) -> None:
    """Raise when the warehouse contains profiles of another generated dataset.

    Datasets of other seeds reuse the same usernames under other ids, so the
    loader would reject most new rows and leave a mixture of both.
    """
    with connect(dsn) as connection:
        present, matching = connection.execute(
            "select count(*), count(*) filter (where id = any(%s::uuid[])) "
            "from chat.profiles",
            (profile_ids,),
        ).fetchone()
    if present > matching:
        raise ConfigurationError(
            f"the warehouse already contains {present - matching:,} profiles that "
            f"are not part of the dataset of seed {seed} with {len(profile_ids):,} "
            "users; pass --reset to empty the chat tables first, or point "
            "CHAT_ANALYTICS_HOME or CHAT_ANALYTICS_DSN at an empty warehouse"
        )


def run_pipeline(
    *,
    dsn: str | None = None,
    users: int | None = None,
    seed: int = 42,
    source: Path | None = None,
    source_format: str = "auto",
    derive_friends: int | None = None,
    as_of: str | dt.date | None = None,
    report_dir: Path | None = Path("reports"),
    graph_seed: int = 0,
    strict: bool = False,
    reset: bool = False,
    progress: Callable[[int, str, str], None] | None = None,
) -> PipelineResult:
    """Run every stage in order and return what each did.

    Parameters
    ----------
    dsn : str, optional
        Warehouse connection string; default: the configured or embedded one.
    users, seed : int
        Generate a synthetic dataset of ``users`` profiles with ``seed``.
    source : Path, optional
        Import a chat export instead of generating data.
    source_format : str
        Format of ``source``: slack, discord, telegram, whatsapp or auto.
    derive_friends : int, optional
        With ``source``, add an accepted friendship between two people who
        each answered the other at least this many times; exports carry no
        friendship list.
    as_of : str or datetime.date, optional
        The as-of date of the marts; default: the date of the newest message.
    report_dir : Path or None
        Where the executed notebooks and HTML go; ``None`` skips the reports.
    graph_seed : int
        Seed of the community detection and sampled betweenness.
    strict : bool
        Load nothing when any row is invalid.
    reset : bool
        Empty the 11 chat tables before loading. Without it, generated data
        is refused when the warehouse holds profiles of another dataset.
    progress : callable, optional
        Called as ``progress(stage_number, stage_name, message)`` when a stage
        starts, for a command line to show.

    Returns
    -------
    PipelineResult

    Notes
    -----
    Loads are idempotent (rows are keyed by their ids), so running the
    pipeline twice with the same input leaves the same warehouse.
    """
    if (users is None) == (source is None):
        raise ConfigurationError(
            "give either a number of users to generate or a source export to import"
        )
    if users is not None and users < 1:
        raise ConfigurationError(f"invalid number of users {users}: give 1 or more")
    from chat_analytics.transform.runner import validate_as_of

    as_of = validate_as_of(as_of)

    def announce(stage: str, message: str) -> float:
        number = STAGES.index(stage) + 1
        logger.debug("[%d/%d] %s: %s", number, len(STAGES), stage, message)
        if progress is not None:
            progress(number, stage, message)
        return time.perf_counter()

    started = announce("database", "connecting to the warehouse")
    resolved = resolve_dsn(dsn)
    result = PipelineResult(dsn=resolved)
    result.stage_seconds["database"] = time.perf_counter() - started

    started = announce("schema", "creating the chat schema if missing")
    with connect(resolved) as connection:
        init_schema(connection)
    result.stage_seconds["schema"] = time.perf_counter() - started

    started = announce("data", _data_message(users, seed, source))
    if reset:
        reset_tables(resolved)
    tables = _read_source(users, seed, source, source_format, derive_friends)
    if source is None:
        _require_same_dataset(resolved, tables["profiles"]["id"].to_list(), seed)
    from chat_analytics.ingest.loader import load_tables

    report = load_tables(resolved, tables, strict=strict)
    result.load_summary = report.summary()
    result.rejected_rows = report.rejected
    result.table_rows = table_counts(resolved)
    result.stage_seconds["data"] = time.perf_counter() - started

    started = announce("graph", "computing friend-graph metrics")
    result.graph_summary = _run_graph(resolved, graph_seed, as_of)
    result.stage_seconds["graph"] = time.perf_counter() - started

    started = announce("build", "running dbt build")
    from chat_analytics.transform import build

    built = build(resolved, as_of=as_of)
    result.models_built = built.count("model", "success")
    result.tests_passed = built.count("test", "pass")
    result.unit_tests_passed = built.count("unit_test", "pass")
    result.stage_seconds["build"] = time.perf_counter() - started

    if report_dir is not None:
        started = announce("reports", f"executing notebooks into {report_dir}")
        from chat_analytics.reports.execute import execute_reports

        runs = execute_reports(Path(report_dir), dsn=resolved, as_of=as_of)
        result.reports = [run.html for run in runs]
        result.report_dir = Path(report_dir)
        result.stage_seconds["reports"] = time.perf_counter() - started
    return result


def _data_message(users: int | None, seed: int, source: Path | None) -> str:
    if source is not None:
        return f"importing {source}"
    return f"generating {users:,} users with seed {seed} and loading them"


def _read_source(
    users: int | None,
    seed: int,
    source: Path | None,
    source_format: str,
    derive_friends: int | None,
) -> dict:
    if source is not None:
        from chat_analytics.ingest.importers import ImportOptions, read_export

        options = ImportOptions(derive_friends=derive_friends)
        return read_export(Path(source), source_format, options)
    from chat_analytics.ingest.generate import generate

    return generate(users=users, seed=seed)


def _run_graph(dsn: str, seed: int, as_of: str | dt.date | None) -> str:
    from chat_analytics.graph import friend_graph, graph_metrics, write_graph_metrics

    metrics = graph_metrics(friend_graph(dsn, as_of=as_of), seed=seed)
    write_graph_metrics(dsn, metrics)
    louvain = metrics.communities.get("louvain")
    communities = ""
    if louvain is not None and louvain.modularity is not None:
        communities = (
            f", {louvain.count:,} Louvain communities "
            f"(modularity {louvain.modularity:.3f})"
        )
    return (
        f"{metrics.node_count:,} users, {metrics.edge_count:,} friendships, "
        f"betweenness {metrics.betweenness_method}{communities}"
    )
