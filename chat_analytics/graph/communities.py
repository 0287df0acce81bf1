"""Community detection: Louvain, label propagation and greedy modularity."""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx

__all__ = ["CommunityResult", "number_communities", "detect_communities"]

logger = logging.getLogger(__name__)

METHODS = ("louvain", "label_propagation", "greedy")


@dataclass(frozen=True)
class CommunityResult:
    """A partition of the nodes found by one method.

    Attributes
    ----------
    method : str
        ``louvain``, ``label_propagation`` or ``greedy``.
    status : str
        ``computed``, or ``skipped`` when the graph was larger than the
        method's node limit.
    membership : dict
        Community number of each node (0 is the largest community); empty
        when skipped.
    modularity : float or None
        Newman's modularity of the partition (unweighted); None when the
        graph has no edges, where modularity is undefined, or when skipped.
    seconds : float
        Time the method took.
    """

    method: str
    status: str
    membership: dict[Hashable, int]
    modularity: float | None
    seconds: float

    @property
    def count(self) -> int:
        """The number of communities."""
        return len(set(self.membership.values()))


def number_communities(
    communities: Iterable[Iterable[Hashable]],
) -> dict[Hashable, int]:
    """Number communities by size, largest first, ties by their smallest member as text.

    The numbers then depend on the partition alone, not on the order in which
    an algorithm returns the communities.

    Examples
    --------
    >>> number_communities([{3}, {1, 2}])
    {1: 0, 2: 0, 3: 1}
    """
    ordered = sorted(
        (sorted(community, key=str) for community in communities),
        key=lambda members: (-len(members), str(members[0])),
    )
    return {node: number for number, members in enumerate(ordered) for node in members}


def _modularity(G: nx.Graph, communities: list[set]) -> float | None:
    if G.number_of_edges() == 0:
        return None
    return float(nx.community.modularity(G, communities, weight=None))


def detect_communities(
    G: nx.Graph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    greedy_max_nodes: int = 10_000,
) -> dict[str, CommunityResult]:
    """Partition ``G`` with Louvain, label propagation and greedy modularity.

    Parameters
    ----------
    G : networkx.Graph
        An undirected graph; edge weights are ignored.
    seed : int
        Seed of Louvain, which visits nodes in a random order.
    resolution : float
        Resolution of Louvain and greedy modularity (1.0 is Newman's modularity).
    greedy_max_nodes : int
        Skip greedy modularity (Clauset-Newman-Moore) on larger graphs: its
        time grows faster than the other two methods'.

    Returns
    -------
    dict of str to CommunityResult
        Keyed by ``louvain``, ``label_propagation`` and ``greedy``.

    Notes
    -----
    Label propagation is networkx's semi-synchronous variant
    (``label_propagation_communities``), which has no random step: the same
    graph, built in the same node order, gives the same partition.

    Examples
    --------
    >>> results = detect_communities(nx.karate_club_graph(), seed=2)
    >>> round(results["louvain"].modularity, 6)
    0.418803
    """
    runners = {
        "louvain": lambda: nx.community.louvain_communities(
            G, weight=None, resolution=resolution, seed=seed
        ),
        "label_propagation": lambda: list(
            nx.community.label_propagation_communities(G)
        ),
        "greedy": lambda: nx.community.greedy_modularity_communities(
            G, weight=None, resolution=resolution
        ),
    }
    results = {}
    for method, run in runners.items():
        if method == "greedy" and G.number_of_nodes() > greedy_max_nodes:
            logger.info(
                "skipping greedy modularity: %d nodes is above the limit of %d",
                G.number_of_nodes(),
                greedy_max_nodes,
            )
            results[method] = CommunityResult(method, "skipped", {}, None, 0.0)
            continue
        started = time.perf_counter()
        communities = [set(c) for c in run()]
        modularity = _modularity(G, communities)
        seconds = time.perf_counter() - started
        logger.info(
            "%s: %d communities, modularity %s, %.2f s",
            method,
            len(communities),
            modularity,
            seconds,
        )
        results[method] = CommunityResult(
            method, "computed", number_communities(communities), modularity, seconds
        )
    return results
