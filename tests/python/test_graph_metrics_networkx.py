"""Graph metrics and communities against networkx's own results on canonical graphs."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from chat_analytics.errors import ConfigurationError
from chat_analytics.graph import detect_communities, graph_metrics, number_communities

CENTRALITY_COLUMNS = [
    "degree_centrality",
    "betweenness_centrality",
    "closeness_centrality",
    "pagerank",
    "eigenvector_centrality",
    "clustering",
]


@pytest.fixture(scope="module")
def karate() -> nx.Graph:
    return nx.karate_club_graph()


@pytest.fixture(scope="module")
def karate_metrics(karate: nx.Graph):
    return graph_metrics(karate, seed=2)


def by_node(metrics, column: str) -> dict[str, object]:
    users = metrics.users
    return dict(zip(users["user_id"], users[column], strict=True))


def partition_of(metrics, column: str) -> set[frozenset[str]]:
    groups = metrics.users.groupby(column)["user_id"].agg(frozenset)
    return set(groups)


def as_text(communities) -> set[frozenset[str]]:
    return {frozenset(str(node) for node in community) for community in communities}


def test_louvain_matches_networkx_partition(karate, karate_metrics):
    expected = nx.community.louvain_communities(karate, seed=2, weight=None)
    assert partition_of(karate_metrics, "louvain_community") == as_text(expected)


def test_louvain_modularity_of_karate(karate_metrics):
    assert karate_metrics.modularity("louvain") == pytest.approx(0.418803, abs=1e-6)


def test_greedy_modularity_of_karate(karate, karate_metrics):
    expected = nx.community.greedy_modularity_communities(karate, weight=None)
    assert partition_of(karate_metrics, "greedy_community") == as_text(expected)
    assert karate_metrics.modularity("greedy") == pytest.approx(0.380671, abs=1e-6)


def test_label_propagation_matches_networkx(karate, karate_metrics):
    expected = list(nx.community.label_propagation_communities(karate))
    assert partition_of(karate_metrics, "label_propagation_community") == as_text(
        expected
    )
    modularity = nx.community.modularity(karate, expected, weight=None)
    assert karate_metrics.modularity("label_propagation") == pytest.approx(modularity)


@pytest.mark.parametrize(
    ("column", "function"),
    [
        ("degree_centrality", nx.degree_centrality),
        ("betweenness_centrality", nx.betweenness_centrality),
        ("closeness_centrality", nx.closeness_centrality),
        ("pagerank", lambda G: nx.pagerank(G, weight=None)),
        (
            "eigenvector_centrality",
            lambda G: nx.eigenvector_centrality(G, max_iter=1000),
        ),
        ("clustering", nx.clustering),
        ("triangles", nx.triangles),
        ("core_number", nx.core_number),
        ("degree", lambda G: dict(G.degree())),
    ],
)
def test_karate_column_equals_networkx(karate, karate_metrics, column, function):
    expected = {str(node): value for node, value in function(karate).items()}
    actual = by_node(karate_metrics, column)
    assert actual.keys() == expected.keys()
    for node, value in expected.items():
        assert actual[node] == pytest.approx(value, rel=1e-9, abs=1e-12), node


def test_karate_methods_are_exact(karate_metrics):
    users = karate_metrics.users
    assert set(users["betweenness_method"]) == {"exact"}
    assert set(users["betweenness_k"]) == {34}
    assert set(users["closeness_method"]) == {"exact"}
    assert set(users["eigenvector_method"]) == {"power_iteration"}
    assert karate_metrics.betweenness_k is None


def test_karate_weighted_edges_are_ignored(karate, karate_metrics):
    # karate_club_graph carries edge weights; the friend graph has none, so
    # every metric must treat edges as unweighted.
    weighted = nx.pagerank(karate)
    unweighted = nx.pagerank(karate, weight=None)
    assert weighted[0] != pytest.approx(unweighted[0])
    assert by_node(karate_metrics, "pagerank")["0"] == pytest.approx(unweighted[0])


def test_karate_single_component(karate_metrics):
    users = karate_metrics.users
    assert set(users["component_id"]) == {"0"}
    assert set(users["component_size"]) == {34}


def test_same_seed_gives_same_result(karate):
    first = graph_metrics(karate, seed=7).users
    second = graph_metrics(karate, seed=7).users
    pd.testing.assert_frame_equal(first, second)


def test_community_numbers_largest_first():
    numbers = number_communities([{"c"}, {"b", "a"}, {"e", "d"}])
    assert numbers == {"a": 0, "b": 0, "d": 1, "e": 1, "c": 2}


# -- large-graph paths ---------------------------------------------------------


@pytest.fixture(scope="module")
def two_components() -> nx.Graph:
    G = nx.disjoint_union(nx.karate_club_graph(), nx.path_graph(5))
    G.add_node(99)
    return G


def test_sampled_betweenness_uses_seeded_sources(two_components):
    metrics = graph_metrics(
        two_components, seed=3, exact_betweenness_max_nodes=10, betweenness_k=12
    )
    expected = nx.betweenness_centrality(two_components, k=12, seed=3)
    actual = by_node(metrics, "betweenness_centrality")
    for node, value in expected.items():
        assert actual[str(node)] == pytest.approx(value), node
    assert set(metrics.users["betweenness_method"]) == {"sampled"}
    assert set(metrics.users["betweenness_k"]) == {12}
    assert metrics.betweenness_k == 12


def test_sampled_closeness_near_exact(two_components):
    metrics = graph_metrics(
        two_components, seed=1, exact_closeness_max_nodes=10, closeness_k=30
    )
    exact = nx.closeness_centrality(two_components)
    users = metrics.users.set_index("user_id")
    for node, value in exact.items():
        estimate = users.loc[str(node), "closeness_centrality"]
        assert estimate == pytest.approx(value, rel=0.1), node
    karate_rows = users.loc[[str(node) for node in range(34)]]
    assert set(karate_rows["closeness_method"]) == {"sampled"}
    assert set(karate_rows["closeness_k"]) == {30}
    path_rows = users.loc[[str(node) for node in range(34, 39)]]
    assert set(path_rows["closeness_method"]) == {"exact"}
    # The path component is small enough to be exact: same values as networkx.
    for node in range(34, 39):
        assert users.loc[str(node), "closeness_centrality"] == pytest.approx(
            exact[node]
        )
    assert metrics.closeness_method == "mixed"


def test_eigenvector_fallback_on_long_path():
    # Power iteration cannot separate the two largest eigenvalues of a long
    # path within 1,000 iterations, so the per-component solver takes over.
    G = nx.path_graph(300)
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.eigenvector_centrality(G, max_iter=1000)
    metrics = graph_metrics(G)
    expected = nx.eigenvector_centrality_numpy(G, max_iter=5000)
    actual = by_node(metrics, "eigenvector_centrality")
    for node, value in expected.items():
        assert actual[str(node)] == pytest.approx(value, abs=1e-6), node
    assert metrics.eigenvector_method == "per_component"
    assert set(metrics.users["eigenvector_method"]) == {"per_component"}


def test_greedy_skipped_above_limit(karate):
    metrics = graph_metrics(karate, greedy_modularity_max_nodes=10)
    assert metrics.communities["greedy"].status == "skipped"
    assert metrics.modularity("greedy") is None
    assert metrics.users["greedy_community"].isna().all()


# -- edge cases -------------------------------------------------------------------


def test_empty_graph_gives_empty_frame(karate_metrics):
    metrics = graph_metrics(nx.Graph())
    assert metrics.users.empty
    assert list(metrics.users.columns) == list(karate_metrics.users.columns)
    assert dict(metrics.users.dtypes) == dict(karate_metrics.users.dtypes)
    assert metrics.node_count == 0
    assert metrics.modularity("louvain") is None
    assert metrics.betweenness_method == "none"


def test_edgeless_graph_gives_isolated_values():
    metrics = graph_metrics(nx.empty_graph(3))
    users = metrics.users
    assert users["degree"].tolist() == [0, 0, 0]
    assert users["betweenness_centrality"].tolist() == [0.0, 0.0, 0.0]
    assert users["closeness_centrality"].tolist() == [0.0, 0.0, 0.0]
    assert users["clustering"].tolist() == [0.0, 0.0, 0.0]
    assert users["core_number"].tolist() == [0, 0, 0]
    assert users["pagerank"].tolist() == pytest.approx([1 / 3] * 3)
    assert users["louvain_community"].nunique() == 3
    assert users["component_size"].tolist() == [1, 1, 1]
    for method in ("louvain", "label_propagation", "greedy"):
        assert metrics.modularity(method) is None


def test_one_node_graph():
    metrics = graph_metrics(nx.empty_graph(1))
    row = metrics.users.iloc[0]
    assert row["degree"] == 0
    assert row["degree_centrality"] == 1.0  # networkx's value for n = 1
    assert row["pagerank"] == 1.0
    assert row["louvain_community"] == 0
    assert metrics.modularity("louvain") is None


def test_disconnected_graph_components():
    G = nx.disjoint_union(nx.path_graph(3), nx.complete_graph(4))
    metrics = graph_metrics(G)
    users = metrics.users.set_index("user_id")
    assert users.loc["0", "component_id"] == "0"
    assert users.loc["5", "component_id"] == "3"
    assert users.loc["0", "component_size"] == 3
    assert users.loc["5", "component_size"] == 4
    expected = nx.closeness_centrality(G)
    for node, value in expected.items():
        assert users.loc[str(node), "closeness_centrality"] == pytest.approx(value)
    assert metrics.modularity("louvain") == pytest.approx(
        nx.community.modularity(G, [{0, 1, 2}, {3, 4, 5, 6}])
    )


def test_self_loops_are_dropped():
    G = nx.path_graph(3)
    G.add_edge(1, 1)
    metrics = graph_metrics(G)
    assert by_node(metrics, "degree") == {"0": 1, "1": 2, "2": 1}


def test_directed_graph_rejected():
    with pytest.raises(ConfigurationError, match="undirected simple graph"):
        graph_metrics(nx.DiGraph([(0, 1)]))


@pytest.mark.parametrize(
    ("argument", "value"),
    [("betweenness_k", 1), ("closeness_k", 0), ("exact_betweenness_max_nodes", -1)],
)
def test_invalid_limits_rejected(argument, value):
    with pytest.raises(ConfigurationError, match=argument):
        graph_metrics(nx.path_graph(3), **{argument: value})


def test_detect_communities_on_empty_graph():
    results = detect_communities(nx.Graph(), seed=0)
    assert {result.count for result in results.values()} == {0}
