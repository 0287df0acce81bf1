"""Per-user graph metrics of the friendship graph, computed with networkx.

Every algorithm is called as ``nx.<function>``, so networkx dispatches it to an
installed backend when one is enabled, for example with nx-parallel installed::

    NETWORKX_BACKEND_PRIORITY=parallel chat-analytics graph

or ``nx.config.backend_priority.algos = ["parallel"]`` in Python
(``NETWORKX_AUTOMATIC_BACKENDS`` is the older name of the variable). Without a
backend, networkx's own implementations run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from chat_analytics.errors import ConfigurationError
from chat_analytics.graph.closeness import closeness_by_component
from chat_analytics.graph.communities import CommunityResult, detect_communities

__all__ = [
    "EXACT_BETWEENNESS_MAX_NODES",
    "EXACT_CLOSENESS_MAX_NODES",
    "GREEDY_MODULARITY_MAX_NODES",
    "GraphMetrics",
    "graph_metrics",
]

logger = logging.getLogger(__name__)

# Exact betweenness runs one Brandes pass per node, so its time grows with
# n * m. In benchmarks/bench_graph.py (networkx 3.6.1, 2 shared cores, mean
# degree 10), 1,000 nodes took 2.5 s and 2,000 nodes 16 s. Above the limit,
# k sampled sources make the time grow with m alone: k = 100 took 7 s on
# 10,000 nodes and 200 s on 100,000 nodes (480,000 edges).
EXACT_BETWEENNESS_MAX_NODES = 2_000
BETWEENNESS_SAMPLES = 100
# Exact closeness is one breadth-first search per node: 3.3 s on the same
# 2,000-node graph, so an estimated 20 s at this limit. Larger components
# are estimated from pivots in C (scipy), 11 s on 100,000 nodes.
EXACT_CLOSENESS_MAX_NODES = 5_000
CLOSENESS_SAMPLES = 256
# Greedy modularity (Clauset-Newman-Moore) took 50 s on 10,000 nodes and
# 48,000 edges in the same benchmark, and grows faster than linearly.
GREEDY_MODULARITY_MAX_NODES = 10_000
EIGENVECTOR_MAX_ITERATIONS = 1_000

USER_COLUMNS = {
    "user_id": "string",
    "degree": "Int64",
    "degree_centrality": "float64",
    "betweenness_centrality": "float64",
    "betweenness_method": "string",
    "betweenness_k": "Int64",
    "closeness_centrality": "float64",
    "closeness_method": "string",
    "closeness_k": "Int64",
    "pagerank": "float64",
    "eigenvector_centrality": "float64",
    "eigenvector_method": "string",
    "clustering": "float64",
    "triangles": "Int64",
    "core_number": "Int64",
    "component_id": "string",
    "component_size": "Int64",
    "louvain_community": "Int64",
    "label_propagation_community": "Int64",
    "greedy_community": "Int64",
}


@dataclass
class GraphMetrics:
    """Per-user metrics of a graph and a summary of the run.

    Attributes
    ----------
    users : pandas.DataFrame
        One row per node, with the columns listed in :func:`graph_metrics`.
    seed : int
        Seed of sampled betweenness, sampled closeness and Louvain.
    node_count, edge_count : int
        Size of the graph.
    as_of_date : datetime.date or None
        ``G.graph["as_of_date"]`` of the graph, if set.
    betweenness_method, closeness_method : str
        ``exact``, ``sampled``, or ``mixed`` (closeness only, when some
        components were sampled); ``none`` for a graph without nodes.
    betweenness_k : int or None
        Number of sampled sources; None when exact.
    closeness_k : int or None
        Number of pivots per sampled component; None when exact.
    eigenvector_method : str
        ``power_iteration`` (``nx.eigenvector_centrality``),
        ``per_component`` (the fallback) or ``none``.
    communities : dict of str to CommunityResult
        Louvain, label propagation and greedy modularity.
    resolution : float
        Resolution of Louvain and greedy modularity.
    networkx_version : str
        The networkx version that computed the metrics.
    seconds : dict of str to float
        Time per step.
    """

    users: pd.DataFrame
    seed: int
    node_count: int
    edge_count: int
    as_of_date: dt.date | None
    betweenness_method: str
    betweenness_k: int | None
    closeness_method: str
    closeness_k: int | None
    eigenvector_method: str
    communities: dict[str, CommunityResult]
    resolution: float = 1.0
    networkx_version: str = nx.__version__
    seconds: dict[str, float] = field(default_factory=dict)

    def modularity(self, method: str) -> float | None:
        """Return the modularity of the partition found by ``method``."""
        return self.communities[method].modularity

    def summary(self) -> dict:
        """Return the run's parameters and results as a flat dict.

        Examples
        --------
        >>> result = graph_metrics(nx.karate_club_graph(), seed=2)
        >>> result.summary()["louvain_communities"]
        4
        """
        summary = {
            "seed": self.seed,
            "as_of_date": self.as_of_date,
            "node_count": self.node_count,
            "edge_count": self.edge_count,
            "betweenness_method": self.betweenness_method,
            "betweenness_k": self.betweenness_k,
            "closeness_method": self.closeness_method,
            "closeness_k": self.closeness_k,
            "eigenvector_method": self.eigenvector_method,
            "resolution": self.resolution,
        }
        for method, result in self.communities.items():
            summary[f"{method}_status"] = result.status
            summary[f"{method}_communities"] = result.count
            summary[f"{method}_modularity"] = result.modularity
        summary["networkx_version"] = self.networkx_version
        return summary


def _leading_eigenvector(component: nx.Graph) -> dict[Hashable, float]:
    """Return the unit-length leading eigenvector of a connected graph.

    ``nx.eigenvector_centrality_numpy`` (ARPACK's Arnoldi method) comes first.
    When it does not converge, as on long paths whose two largest eigenvalues
    nearly coincide, the symmetric Lanczos solver ``scipy.sparse.linalg.eigsh``
    gets a second try. A component where both fail gets NaN.
    """
    from scipy.sparse.linalg import ArpackNoConvergence, eigsh

    size = component.number_of_nodes()
    if size == 2:
        return dict.fromkeys(component, 1 / np.sqrt(2))
    try:
        return nx.eigenvector_centrality_numpy(component, max_iter=max(1_000, size))
    except ArpackNoConvergence:
        pass
    nodes = list(component)
    adjacency = nx.to_scipy_sparse_array(component, nodelist=nodes, dtype=float)
    try:
        _, vectors = eigsh(adjacency, k=1, which="LA", maxiter=max(10_000, 10 * size))
    except ArpackNoConvergence:
        logger.warning(
            "eigenvector centrality of a %d-node component did not converge; "
            "its values are NaN",
            size,
        )
        return dict.fromkeys(component, float("nan"))
    vector = np.abs(vectors[:, 0])
    vector /= np.linalg.norm(vector)
    return dict(zip(nodes, vector.tolist(), strict=True))


def _eigenvector_per_component(G: nx.Graph) -> dict[Hashable, float]:
    """Leading eigenvector of each component, joined into one unit vector.

    A component's vector has unit length within the component and is then
    scaled by the square root of its share of the nodes. Isolated nodes get 0.
    """
    n = G.number_of_nodes()
    values: dict[Hashable, float] = {}
    for component in nx.connected_components(G):
        if len(component) == 1:
            values.update(dict.fromkeys(component, 0.0))
            continue
        part = _leading_eigenvector(G.subgraph(component))
        weight = np.sqrt(len(component) / n)
        values.update({node: float(value) * weight for node, value in part.items()})
    return values


def _eigenvector(G: nx.Graph) -> tuple[dict[Hashable, float], str]:
    try:
        values = nx.eigenvector_centrality(G, max_iter=EIGENVECTOR_MAX_ITERATIONS)
        return values, "power_iteration"
    except nx.PowerIterationFailedConvergence:
        logger.warning(
            "eigenvector centrality did not converge in %d iterations; "
            "computing it per connected component instead",
            EIGENVECTOR_MAX_ITERATIONS,
        )
        return _eigenvector_per_component(G), "per_component"


def _component_ids(G: nx.Graph) -> tuple[dict[Hashable, str], dict[Hashable, int]]:
    ids: dict[Hashable, str] = {}
    sizes: dict[Hashable, int] = {}
    for component in nx.connected_components(G):
        smallest = min(str(node) for node in component)
        ids.update(dict.fromkeys(component, smallest))
        sizes.update(dict.fromkeys(component, len(component)))
    return ids, sizes


def _sorted_nodes(G: nx.Graph) -> list[Hashable]:
    try:
        return sorted(G)
    except TypeError:
        return sorted(G, key=str)


def _check_limit(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"invalid {name} {value!r}: give an integer >= 0")


def graph_metrics(
    G: nx.Graph,
    seed: int = 0,
    *,
    exact_betweenness_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    betweenness_k: int = BETWEENNESS_SAMPLES,
    exact_closeness_max_nodes: int = EXACT_CLOSENESS_MAX_NODES,
    closeness_k: int = CLOSENESS_SAMPLES,
    greedy_modularity_max_nodes: int = GREEDY_MODULARITY_MAX_NODES,
    resolution: float = 1.0,
) -> GraphMetrics:
    """Compute centralities, clustering, cores and communities of every node.

    Parameters
    ----------
    G : networkx.Graph
        An undirected graph, such as :func:`friend_graph` returns. Edge
        weights are ignored.
    seed : int
        Seed of every random step: sampled betweenness and closeness, Louvain.
    exact_betweenness_max_nodes : int
        Exact betweenness up to this many nodes; above, ``betweenness_k``
        sources sampled with ``seed``.
    betweenness_k : int
        Number of sampled sources of betweenness on large graphs.
    exact_closeness_max_nodes : int
        Exact closeness for connected components up to this size; larger
        components are estimated from ``closeness_k`` pivots.
    closeness_k : int
        Number of pivots per large component.
    greedy_modularity_max_nodes : int
        Skip greedy modularity above this many nodes.
    resolution : float
        Resolution of Louvain and greedy modularity.

    Returns
    -------
    GraphMetrics
        ``users`` has one row per node, sorted by node: ``user_id`` (the node),
        ``degree``, ``degree_centrality``, ``betweenness_centrality``
        (normalized), ``betweenness_method`` (``exact``/``sampled``),
        ``betweenness_k`` (sources used: n when exact), ``closeness_centrality``
        (Wasserman-Faust corrected, as networkx's default), ``closeness_method``,
        ``closeness_k`` (sources used), ``pagerank`` (alpha 0.85),
        ``eigenvector_centrality``, ``eigenvector_method``, ``clustering``,
        ``triangles``, ``core_number``, ``component_id`` (the smallest node of
        the component, compared as text), ``component_size``,
        ``louvain_community``, ``label_propagation_community`` and
        ``greedy_community`` (numbered from 0, largest first; NA when skipped).

    Notes
    -----
    A graph without nodes gives an empty ``users`` frame with the same
    columns. On a graph without edges every centrality is networkx's value
    for isolated nodes (0, except PageRank 1/n and the eigenvector's uniform
    vector), every node is its own community and modularities are None.
    When power iteration of the eigenvector centrality fails to converge,
    the leading eigenvector of each connected component is computed with
    ``nx.eigenvector_centrality_numpy`` (or scipy's ``eigsh`` when that fails
    too) and the parts are joined, each scaled by the square root of its share
    of the nodes; ``eigenvector_method`` is then ``per_component``. A
    component where both solvers fail gets NaN, with a logged warning.

    Examples
    --------
    >>> result = graph_metrics(nx.karate_club_graph(), seed=2)
    >>> int(result.users.loc[0, "degree"])
    16
    >>> round(result.modularity("louvain"), 6)
    0.418803
    """
    for name, value in [
        ("exact_betweenness_max_nodes", exact_betweenness_max_nodes),
        ("exact_closeness_max_nodes", exact_closeness_max_nodes),
        ("greedy_modularity_max_nodes", greedy_modularity_max_nodes),
    ]:
        _check_limit(name, value)
    for name, value in [("betweenness_k", betweenness_k), ("closeness_k", closeness_k)]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise ConfigurationError(f"invalid {name} {value!r}: give an integer >= 2")
    if G.is_directed() or G.is_multigraph():
        raise ConfigurationError(
            f"graph_metrics needs an undirected simple graph, got {type(G).__name__}; "
            "convert it with nx.Graph(G.to_undirected())"
        )
    if nx.number_of_selfloops(G):
        G = G.copy()
        G.remove_edges_from(list(nx.selfloop_edges(G)))
    n = G.number_of_nodes()
    nodes = _sorted_nodes(G)
    seconds: dict[str, float] = {}

    def timed(step: str, function: Callable):
        started = time.perf_counter()
        value = function()
        seconds[step] = time.perf_counter() - started
        logger.info("%s: %.2f s", step, seconds[step])
        return value

    if n == 0:
        empty = pd.DataFrame(
            {name: pd.Series([], dtype=dtype) for name, dtype in USER_COLUMNS.items()}
        )
        return GraphMetrics(
            users=empty,
            seed=seed,
            node_count=0,
            edge_count=0,
            as_of_date=G.graph.get("as_of_date"),
            betweenness_method="none",
            betweenness_k=None,
            closeness_method="none",
            closeness_k=None,
            eigenvector_method="none",
            communities=detect_communities(G, seed=seed, resolution=resolution),
            resolution=resolution,
            seconds=seconds,
        )

    degree = dict(G.degree())
    degree_centrality = timed("degree_centrality", lambda: nx.degree_centrality(G))
    sampled = n > exact_betweenness_max_nodes and n > betweenness_k
    betweenness = timed(
        "betweenness",
        lambda: nx.betweenness_centrality(
            G, k=betweenness_k if sampled else None, normalized=True, seed=seed
        ),
    )
    closeness, closeness_methods, closeness_sources = timed(
        "closeness",
        lambda: closeness_by_component(
            G, exact_max_nodes=exact_closeness_max_nodes, k=closeness_k, seed=seed
        ),
    )
    pagerank = timed("pagerank", lambda: nx.pagerank(G, alpha=0.85, weight=None))
    eigenvector, eigenvector_method = timed("eigenvector", lambda: _eigenvector(G))
    clustering = timed("clustering", lambda: nx.clustering(G))
    triangles = timed("triangles", lambda: nx.triangles(G))
    core_number = timed("core_number", lambda: nx.core_number(G))
    component_ids, component_sizes = timed("components", lambda: _component_ids(G))
    communities = timed(
        "communities",
        lambda: detect_communities(
            G,
            seed=seed,
            resolution=resolution,
            greedy_max_nodes=greedy_modularity_max_nodes,
        ),
    )
    for method, result in communities.items():
        seconds[method] = result.seconds

    def community_column(method: str) -> pd.Series:
        membership = communities[method].membership
        return pd.Series([membership.get(node) for node in nodes], dtype="Int64")

    users = pd.DataFrame(
        {
            "user_id": pd.Series([str(node) for node in nodes], dtype="string"),
            "degree": pd.Series([degree[v] for v in nodes], dtype="Int64"),
            "degree_centrality": [degree_centrality[v] for v in nodes],
            "betweenness_centrality": [betweenness[v] for v in nodes],
            "betweenness_method": pd.Series(
                ["sampled" if sampled else "exact"] * n, dtype="string"
            ),
            "betweenness_k": pd.Series(
                [betweenness_k if sampled else n] * n, dtype="Int64"
            ),
            "closeness_centrality": [closeness[v] for v in nodes],
            "closeness_method": pd.Series(
                [closeness_methods[v] for v in nodes], dtype="string"
            ),
            "closeness_k": pd.Series(
                [closeness_sources[v] for v in nodes], dtype="Int64"
            ),
            "pagerank": [pagerank[v] for v in nodes],
            "eigenvector_centrality": [eigenvector[v] for v in nodes],
            "eigenvector_method": pd.Series([eigenvector_method] * n, dtype="string"),
            "clustering": [float(clustering[v]) for v in nodes],
            "triangles": pd.Series([triangles[v] for v in nodes], dtype="Int64"),
            "core_number": pd.Series([core_number[v] for v in nodes], dtype="Int64"),
            "component_id": pd.Series(
                [component_ids[v] for v in nodes], dtype="string"
            ),
            "component_size": pd.Series(
                [component_sizes[v] for v in nodes], dtype="Int64"
            ),
            "louvain_community": community_column("louvain"),
            "label_propagation_community": community_column("label_propagation"),
            "greedy_community": community_column("greedy"),
        }
    ).astype(USER_COLUMNS)
    closeness_kinds = set(closeness_methods.values())
    closeness_method = closeness_kinds.pop() if len(closeness_kinds) == 1 else "mixed"
    return GraphMetrics(
        users=users,
        seed=seed,
        node_count=n,
        edge_count=G.number_of_edges(),
        as_of_date=G.graph.get("as_of_date"),
        betweenness_method="sampled" if sampled else "exact",
        betweenness_k=betweenness_k if sampled else None,
        closeness_method=closeness_method,
        closeness_k=None if closeness_method == "exact" else closeness_k,
        eigenvector_method=eigenvector_method,
        communities=communities,
        resolution=resolution,
        seconds=seconds,
    )
