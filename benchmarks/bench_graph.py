"""Measure graph metrics and community detection on synthetic friend graphs.

Run from the repository root::

    .venv/bin/python benchmarks/bench_graph.py [--sizes 10000 100000] [--seed 0]

Each graph has planted communities: users are split into groups of
``--community-size``, every user draws ``--mean-degree / 2`` friends, a share
``--mixing`` of them anywhere in the graph and the rest within the own group
(seeded with numpy). :func:`chat_analytics.graph.graph_metrics` runs with its
default limits, and the seconds of every step are printed, along with the
methods it chose (exact or sampled) and the modularities.

``--exact-sizes`` also times exact betweenness and closeness
(``nx.betweenness_centrality`` and ``nx.closeness_centrality`` without
sampling) on smaller graphs of the same kind. Those times set the limits
``EXACT_BETWEENNESS_MAX_NODES`` and ``EXACT_CLOSENESS_MAX_NODES``.
"""

from __future__ import annotations

import argparse
import os
import time

import networkx as nx
import numpy as np

from chat_analytics.graph import graph_metrics


def planted_partition(
    users: int, community_size: int, mean_degree: float, mixing: float, seed: int
) -> nx.Graph:
    """Return a graph of ``users`` nodes with planted communities, seeded."""
    rng = np.random.default_rng(seed)
    edges = int(users * mean_degree / 2)
    sources = rng.integers(0, users, edges)
    inside = rng.random(edges) >= mixing
    group_start = sources // community_size * community_size
    group_targets = np.minimum(
        group_start + rng.integers(0, community_size, edges), users - 1
    )
    targets = np.where(inside, group_targets, rng.integers(0, users, edges))
    G = nx.Graph()
    G.add_nodes_from(range(users))
    G.add_edges_from(zip(sources.tolist(), targets.tolist(), strict=True))
    G.remove_edges_from(list(nx.selfloop_edges(G)))
    return G


def time_exact(G: nx.Graph) -> tuple[float, float]:
    started = time.perf_counter()
    nx.betweenness_centrality(G)
    betweenness = time.perf_counter() - started
    started = time.perf_counter()
    nx.closeness_centrality(G)
    return betweenness, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--exact-sizes", type=int, nargs="*", default=[1_000, 2_000])
    parser.add_argument("--community-size", type=int, default=100)
    parser.add_argument("--mean-degree", type=float, default=10.0)
    parser.add_argument("--mixing", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    print(
        f"networkx {nx.__version__}, cpus: {os.cpu_count()}, load average at "
        f"start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )

    def build(users: int) -> nx.Graph:
        return planted_partition(
            users,
            arguments.community_size,
            arguments.mean_degree,
            arguments.mixing,
            arguments.seed,
        )

    for users in arguments.exact_sizes:
        G = build(users)
        betweenness, closeness = time_exact(G)
        print(
            f"exact on {users:,} nodes / {G.number_of_edges():,} edges: "
            f"betweenness {betweenness:.1f} s, closeness {closeness:.1f} s",
            flush=True,
        )
    for users in arguments.sizes:
        started = time.perf_counter()
        G = build(users)
        built = time.perf_counter() - started
        print(
            f"\n{users:,} users, {G.number_of_edges():,} friendships "
            f"(built in {built:.1f} s)",
            flush=True,
        )
        started = time.perf_counter()
        metrics = graph_metrics(G, seed=arguments.seed)
        total = time.perf_counter() - started
        for step, seconds in metrics.seconds.items():
            print(f"  {step:22} {seconds:8.2f} s")
        print(f"  {'total':22} {total:8.2f} s")
        summary = metrics.summary()
        print(
            f"  betweenness {summary['betweenness_method']} "
            f"(k={summary['betweenness_k']}), closeness "
            f"{summary['closeness_method']} (k={summary['closeness_k']}), "
            f"eigenvector {summary['eigenvector_method']}"
        )
        for method in ("louvain", "label_propagation", "greedy"):
            print(
                f"  {method}: {summary[f'{method}_status']}, "
                f"{summary[f'{method}_communities']} communities, "
                f"modularity {summary[f'{method}_modularity']}"
            )
        print(
            f"  load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}",
            flush=True,
        )


if __name__ == "__main__":
    main()
