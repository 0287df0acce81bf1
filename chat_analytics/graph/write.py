"""Write graph metrics to the warehouse, where dbt reads them as a source."""

from __future__ import annotations

import datetime as dt
import logging
from importlib import resources

import numpy as np
import pandas as pd
import psycopg
import yaml
from psycopg import sql

from chat_analytics.errors import ConfigurationError, WarehouseError
from chat_analytics.graph.metrics import GraphMetrics
from chat_analytics.transform import dbt_project_dir
from chat_analytics.warehouse.connection import connect

__all__ = [
    "DEFAULT_GRAPH_SCHEMA",
    "graph_schema",
    "graph_tables_ddl",
    "create_graph_tables",
    "write_graph_metrics",
]

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_SCHEMA = "chat_graph"

METRIC_COLUMNS = (
    "user_id",
    "degree",
    "degree_centrality",
    "betweenness_centrality",
    "betweenness_method",
    "betweenness_k",
    "closeness_centrality",
    "closeness_method",
    "closeness_k",
    "pagerank",
    "eigenvector_centrality",
    "eigenvector_method",
    "clustering",
    "triangles",
    "core_number",
    "component_id",
    "component_size",
    "louvain_community",
    "label_propagation_community",
    "greedy_community",
)


RUN_COLUMNS = (
    "computed_at",
    "as_of_date",
    "seed",
    "node_count",
    "edge_count",
    "betweenness_method",
    "betweenness_k",
    "closeness_method",
    "closeness_k",
    "eigenvector_method",
    "louvain_status",
    "louvain_communities",
    "louvain_modularity",
    "label_propagation_status",
    "label_propagation_communities",
    "label_propagation_modularity",
    "greedy_status",
    "greedy_communities",
    "greedy_modularity",
    "resolution",
    "networkx_version",
)


def graph_schema() -> str:
    """Return the schema of the graph tables: the dbt var ``graph_schema``.

    The value comes from ``vars`` in ``dbt_project.yml``; a project without
    the var uses ``chat_graph``. A ``--vars`` override given to dbt on the
    command line is not seen here, so pass the same ``schema`` to
    :func:`write_graph_metrics`.

    Examples
    --------
    >>> graph_schema()  # doctest: +SKIP
    'chat_graph'
    """
    project_file = dbt_project_dir() / "dbt_project.yml"
    settings = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    value = (settings.get("vars") or {}).get("graph_schema")
    return str(value) if value else DEFAULT_GRAPH_SCHEMA


def graph_tables_ddl(schema: str | None = None) -> sql.Composed:
    """Return the DDL of ``user_graph_metrics`` and ``graph_runs`` in ``schema``.

    Examples
    --------
    >>> with connect() as connection:  # doctest: +SKIP
    ...     print(graph_tables_ddl("chat_graph").as_string(connection))
    """
    text = (
        resources.files("chat_analytics.graph")
        .joinpath("sql/graph_metrics.sql")
        .read_text(encoding="utf-8")
    )
    return sql.SQL(text).format(schema=sql.Identifier(schema or graph_schema()))


def create_graph_tables(
    connection: psycopg.Connection, schema: str | None = None
) -> None:
    """Create the graph schema and its two tables unless they exist.

    Runs in the caller's transaction; nothing is committed here.

    Examples
    --------
    >>> with connect() as connection:  # doctest: +SKIP
    ...     create_graph_tables(connection)
    """
    connection.execute(graph_tables_ddl(schema))


def _computed_at(metrics: GraphMetrics, computed_at: dt.datetime | None) -> dt.datetime:
    if computed_at is not None:
        if not isinstance(computed_at, dt.datetime):
            raise ConfigurationError(
                f"invalid computed_at {computed_at!r}: give a datetime"
            )
        if computed_at.tzinfo is not None:
            computed_at = computed_at.astimezone(dt.UTC).replace(tzinfo=None)
        return computed_at
    if metrics.as_of_date is None:
        raise ConfigurationError(
            "the graph has no as-of date, so computed_at cannot default to it; "
            "pass computed_at explicitly"
        )
    return dt.datetime.combine(metrics.as_of_date + dt.timedelta(days=1), dt.time())


def _value(value: object) -> object:
    """Return ``value`` as a plain Python object, with NA and NaN as None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_graph_metrics(
    dsn: str | None,
    metrics: GraphMetrics,
    *,
    computed_at: dt.datetime | None = None,
    schema: str | None = None,
) -> int:
    """Replace the graph metrics in the warehouse with ``metrics``, atomically.

    In one transaction, the tables are created if needed, the rows of the
    previous run are deleted, one row per user goes to
    ``<schema>.user_graph_metrics`` and one row describing the run to
    ``<schema>.graph_runs``. Readers see the old run or the new one, never a mix.

    Parameters
    ----------
    dsn : str or None
        Warehouse connection string; None for the configured or embedded one.
    metrics : GraphMetrics
        The result of :func:`graph_metrics` on a graph of user ids (UUIDs),
        such as :func:`friend_graph` returns.
    computed_at : datetime.datetime, optional
        Timestamp of the run (UTC). By default the end of the graph's as-of
        date (midnight after it), so that the same data gives the same rows.
    schema : str, optional
        The graph schema; by default the dbt var ``graph_schema``.

    Returns
    -------
    int
        Rows written to ``user_graph_metrics``.

    Raises
    ------
    ConfigurationError
        When ``computed_at`` is missing and the graph has no as-of date.
    WarehouseError
        When a node is not a UUID or the write fails; nothing is changed then.

    Examples
    --------
    >>> G = friend_graph(as_of="2025-06-30")  # doctest: +SKIP
    >>> write_graph_metrics(None, graph_metrics(G, seed=0))  # doctest: +SKIP
    10000
    """
    schema = schema or graph_schema()
    timestamp = _computed_at(metrics, computed_at)
    metrics_table = sql.Identifier(schema, "user_graph_metrics")
    runs_table = sql.Identifier(schema, "graph_runs")
    summary = metrics.summary()
    run_row = {
        "computed_at": timestamp,
        **{key: summary[key] for key in RUN_COLUMNS if key != "computed_at"},
    }
    users = metrics.users
    with connect(dsn) as connection:
        try:
            with connection.transaction():
                # Serialise writers; plain readers are not blocked.
                connection.execute(
                    "select pg_advisory_xact_lock(hashtext('chat_analytics.graph'))"
                )
                create_graph_tables(connection, schema)
                connection.execute(sql.SQL("delete from {}").format(metrics_table))
                connection.execute(sql.SQL("delete from {}").format(runs_table))
                copy = sql.SQL("copy {} ({}) from stdin").format(
                    metrics_table,
                    sql.SQL(", ").join(
                        map(sql.Identifier, [*METRIC_COLUMNS, "computed_at"])
                    ),
                )
                with connection.cursor().copy(copy) as writer:
                    for row in users[list(METRIC_COLUMNS)].itertuples(
                        index=False, name=None
                    ):
                        writer.write_row([*map(_value, row), timestamp])
                connection.execute(
                    sql.SQL("insert into {} ({}) values ({})").format(
                        runs_table,
                        sql.SQL(", ").join(map(sql.Identifier, run_row)),
                        sql.SQL(", ").join(sql.Placeholder() * len(run_row)),
                    ),
                    [_value(value) for value in run_row.values()],
                )
        except psycopg.errors.InvalidTextRepresentation as error:
            raise WarehouseError(
                f"writing graph metrics failed: {str(error).strip()}; the graph's "
                "nodes must be user ids (UUIDs), as friend_graph() returns"
            ) from None
        except psycopg.Error as error:
            raise WarehouseError(
                f"writing graph metrics to schema {schema} failed: {str(error).strip()}"
            ) from None
    logger.info(
        "wrote graph metrics of %d users to %s.user_graph_metrics",
        len(users),
        schema,
    )
    return len(users)
