"""``chat-analytics graph``: compute the friendship graph metrics and write them."""

from __future__ import annotations

import datetime as dt

import click

from chat_analytics.cli.common import as_of_option, dsn_option
from chat_analytics.graph import (
    friend_graph,
    graph_metrics,
    graph_schema,
    write_graph_metrics,
)
from chat_analytics.graph.metrics import (
    EXACT_BETWEENNESS_MAX_NODES,
    EXACT_CLOSENESS_MAX_NODES,
    GREEDY_MODULARITY_MAX_NODES,
)

__all__ = ["graph"]


def _format_modularity(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


@click.command()
@dsn_option
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="Seed of sampled betweenness and closeness and of Louvain.",
)
@as_of_option(
    "Leave out profiles and friend requests created after this "
    "date; default: the date of the newest message."
)
@click.option(
    "--computed-at",
    "computed_at",
    default=None,
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Timestamp (UTC) recorded for the run; default: midnight "
    "after the as-of date.",
)
@click.option(
    "--exact-betweenness-max-nodes",
    default=EXACT_BETWEENNESS_MAX_NODES,
    show_default=True,
    type=click.IntRange(min=0),
    help="Largest graph (nodes) that gets exact betweenness; larger "
    "ones sample sources.",
)
@click.option(
    "--exact-closeness-max-nodes",
    default=EXACT_CLOSENESS_MAX_NODES,
    show_default=True,
    type=click.IntRange(min=0),
    help="Largest component (nodes) that gets exact closeness.",
)
@click.option(
    "--greedy-max-nodes",
    default=GREEDY_MODULARITY_MAX_NODES,
    show_default=True,
    type=click.IntRange(min=0),
    help="Skip greedy modularity on graphs with more nodes.",
)
@click.option(
    "--schema",
    default=None,
    help="Schema of the graph tables; default: the dbt var graph_schema.",
)
def graph(
    dsn: str | None,
    seed: int,
    as_of: str | None,
    computed_at: dt.datetime | None,
    exact_betweenness_max_nodes: int,
    exact_closeness_max_nodes: int,
    greedy_max_nodes: int,
    schema: str | None,
) -> None:
    """Compute centralities and communities of the friendship graph and store them.

    The metrics replace the previous run in <schema>.user_graph_metrics and
    <schema>.graph_runs in one transaction; rebuild the graph models
    afterwards with 'chat-analytics build -s +activity_by_graph_segment'.
    """
    G = friend_graph(dsn, as_of=as_of)
    metrics = graph_metrics(
        G,
        seed=seed,
        exact_betweenness_max_nodes=exact_betweenness_max_nodes,
        exact_closeness_max_nodes=exact_closeness_max_nodes,
        greedy_modularity_max_nodes=greedy_max_nodes,
    )
    schema = schema or graph_schema()
    written = write_graph_metrics(dsn, metrics, computed_at=computed_at, schema=schema)
    summary = metrics.summary()
    click.echo(
        f"friend graph as of {summary['as_of_date']}: {summary['node_count']} users, "
        f"{summary['edge_count']} friendships"
    )
    betweenness = summary["betweenness_method"]
    if summary["betweenness_k"] is not None:
        betweenness += f" (k={summary['betweenness_k']}, seed={seed})"
    closeness = summary["closeness_method"]
    if summary["closeness_k"] is not None:
        closeness += f" (k={summary['closeness_k']}, seed={seed})"
    click.echo(
        f"betweenness: {betweenness}; closeness: {closeness}; "
        f"eigenvector: {summary['eigenvector_method']}"
    )
    for method in ("louvain", "label_propagation", "greedy"):
        if summary[f"{method}_status"] == "skipped":
            click.echo(f"{method}: skipped (more than {greedy_max_nodes} nodes)")
            continue
        click.echo(
            f"{method}: {summary[f'{method}_communities']} communities, "
            f"modularity {_format_modularity(summary[f'{method}_modularity'])}"
        )
    click.echo(f"wrote {written} rows to {schema}.user_graph_metrics")
