"""Closeness centrality: exact for small components, estimated for large ones."""

from __future__ import annotations

import logging
from collections.abc import Hashable

import networkx as nx
import numpy as np

__all__ = ["closeness_by_component"]

logger = logging.getLogger(__name__)

# Rows of the pivot-distance matrix computed at once (float64, so 64 rows of a
# 100,000-node component take 51 MB).
PIVOT_BATCH = 64


def _sampled_component_closeness(
    G: nx.Graph, component: list[Hashable], k: int, rng: np.random.Generator
) -> np.ndarray:
    """Estimate the distance sums of a connected ``component`` from ``k`` pivots.

    For a node v, the sum of distances to the other n_c nodes of its component
    is estimated as ``n_c / k`` times the sum of its distances from ``k`` pivots
    drawn uniformly without replacement, an unbiased estimate. The result is
    the estimated sum for each node.
    """
    from scipy import sparse
    from scipy.sparse import csgraph

    index = {node: position for position, node in enumerate(component)}
    rows, columns = [], []
    for u, v in G.subgraph(component).edges():
        rows.append(index[u])
        columns.append(index[v])
    size = len(component)
    adjacency = sparse.coo_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(size, size)
    ).tocsr()
    pivots = rng.choice(size, size=k, replace=False)
    totals = np.zeros(size)
    for start in range(0, k, PIVOT_BATCH):
        batch = pivots[start : start + PIVOT_BATCH]
        distances = csgraph.shortest_path(
            adjacency, method="D", directed=False, unweighted=True, indices=batch
        )
        totals += distances.sum(axis=0)
    return totals * size / k


def closeness_by_component(
    G: nx.Graph,
    *,
    exact_max_nodes: int,
    k: int,
    seed: int,
) -> tuple[dict[Hashable, float], dict[Hashable, str], dict[Hashable, int]]:
    """Compute closeness centrality as ``nx.closeness_centrality`` defines it.

    With the Wasserman-Faust correction that networkx applies by default, the
    closeness of v is ``(r - 1) / (n - 1) * (r - 1) / S(v)``, where r is the
    size of v's component, n the number of nodes and S(v) the sum of its
    distances to the rest of its component. Components of at most
    ``exact_max_nodes`` nodes get the exact value; larger ones get S(v)
    estimated from ``k`` pivots, seeded by ``seed``.

    Returns
    -------
    tuple of dict
        Closeness, method (``exact`` or ``sampled``) and number of source
        nodes used (the component size when exact), by node.
    """
    n = G.number_of_nodes()
    closeness: dict[Hashable, float] = {}
    method: dict[Hashable, str] = {}
    sources: dict[Hashable, int] = {}
    if n <= exact_max_nodes:
        closeness = nx.closeness_centrality(G)
        method = dict.fromkeys(G, "exact")
        for component in nx.connected_components(G):
            sources.update(dict.fromkeys(component, len(component)))
        return closeness, method, sources
    rng = np.random.default_rng(seed)
    # Sorted so that the pivots drawn depend on the seed alone, never on the
    # order in which networkx yields the components.
    components = sorted(
        (sorted(c, key=str) for c in nx.connected_components(G)),
        key=lambda c: (-len(c), str(c[0])),
    )
    for component in components:
        size = len(component)
        if size == 1:
            closeness[component[0]] = 0.0
            method[component[0]] = "exact"
            sources[component[0]] = 1
            continue
        scale = (size - 1) / (n - 1)
        if size <= exact_max_nodes or size <= k:
            part = nx.closeness_centrality(G.subgraph(component))
            for node, value in part.items():
                closeness[node] = value * scale
            method.update(dict.fromkeys(component, "exact"))
            sources.update(dict.fromkeys(component, size))
            continue
        totals = _sampled_component_closeness(G, component, k, rng)
        logger.info("closeness of a %d-node component from %d pivots", size, k)
        for node, total in zip(component, totals, strict=True):
            closeness[node] = scale * (size - 1) / total if total > 0 else 0.0
        method.update(dict.fromkeys(component, "sampled"))
        sources.update(dict.fromkeys(component, k))
    return closeness, method, sources
