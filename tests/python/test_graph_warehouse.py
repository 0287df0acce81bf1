"""The friend graph read from, and its metrics written to, a real warehouse.

The dataset is Zachary's karate club as profiles and accepted friend requests,
with reciprocal rows, pending and declined requests, a user without friends
and a profile created after the as-of date.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner
from support import insert_dataset, read_mart, read_relation, uid

from chat_analytics.cli import cli
from chat_analytics.errors import WarehouseError
from chat_analytics.graph import friend_graph, graph_metrics, write_graph_metrics
from chat_analytics.transform import build, run_dbt

AS_OF = dt.date(2025, 3, 31)
KARATE = nx.karate_club_graph()
MEMBERS = list(range(KARATE.number_of_nodes()))


def member(index: int) -> str:
    return uid(f"karate-{index}")


def profile(label: str, username: str, created_at: dt.datetime) -> dict:
    return {
        "id": uid(label),
        "username": username,
        "display_name": username.title(),
        "avatar_url": f"https://example.invalid/{username}.png",
        "email": f"{username}@example.invalid",
        "created_at": created_at,
        "updated_at": created_at,
    }


def friend_row(label: str, user: str, friend: str, status: str, day: int) -> dict:
    created = dt.datetime(2025, 2, 1) + dt.timedelta(days=day)
    return {
        "id": uid(f"friendship-{label}"),
        "user_id": user,
        "friend_id": friend,
        "status": status,
        "created_at": created,
        "updated_at": created + dt.timedelta(hours=5),
    }


def message_row(label: str, sender: str | None, at: dt.datetime, **extra) -> dict:
    # Every row carries the same keys, because insert_rows takes the column
    # list from the first row.
    return {
        "id": uid(f"message-{label}"),
        "chat_id": uid("chat-club"),
        "sender_id": sender,
        "content": "hello",
        "created_at": at,
        "updated_at": at,
        "deleted_at": None,
        "is_ai": False,
        "ai_character_id": None,
        **extra,
    }


def activity_messages() -> list[dict]:
    """Messages of member i: last window if i % 3 == 0, previous if i % 2 == 0."""
    rows = []
    for index in MEMBERS:
        if index % 3 == 0:
            rows.append(
                message_row(f"{index}-last", member(index), dt.datetime(2025, 3, 20, 9))
            )
        if index % 2 == 0:
            rows.append(
                message_row(f"{index}-prev", member(index), dt.datetime(2025, 2, 20, 9))
            )
        if index % 5 == 0:
            for repeat in range(2):
                rows.append(
                    message_row(
                        f"{index}-late-{repeat}",
                        member(index),
                        dt.datetime(2025, 3, 30, 10 + repeat),
                    )
                )
    # Window edges: as_of - 27 is the first day of the last 28 days and
    # as_of - 55 the first day of the previous 28 days.
    rows.append(message_row("edge-last", member(1), dt.datetime(2025, 3, 4, 0, 0)))
    rows.append(message_row("edge-prev", member(3), dt.datetime(2025, 2, 4, 0, 0)))
    rows.append(message_row("too-early", member(7), dt.datetime(2025, 2, 3, 23, 59)))
    rows.append(
        message_row(
            "deleted",
            member(11),
            dt.datetime(2025, 3, 25, 8),
            deleted_at=dt.datetime(2025, 3, 25, 9),
        )
    )
    rows.append(
        message_row(
            "ai",
            None,
            dt.datetime(2025, 3, 31, 12),
            is_ai=True,
            ai_character_id="helper",
        )
    )
    return rows


def karate_dataset() -> dict[str, list[dict]]:
    profiles = [
        profile(
            f"karate-{index}",
            f"member_{index:02d}",
            dt.datetime(2025, 1, 1) + dt.timedelta(days=index),
        )
        for index in MEMBERS
    ]
    profiles.append(profile("loner", "loner", dt.datetime(2025, 1, 20)))
    profiles.append(profile("late", "late_joiner", dt.datetime(2025, 4, 5)))
    friends = []
    for position, (u, v) in enumerate(sorted(KARATE.edges())):
        # The lower member sent the request on even positions, the higher on
        # odd ones, so both directions occur.
        sender, receiver = (u, v) if position % 2 == 0 else (v, u)
        friends.append(
            friend_row(f"{u}-{v}", member(sender), member(receiver), "accepted", 0)
        )
        if position % 5 == 0:
            friends.append(
                friend_row(f"{v}-{u}", member(receiver), member(sender), "accepted", 1)
            )
        elif position % 7 == 0:
            friends.append(
                friend_row(f"{v}-{u}", member(receiver), member(sender), "pending", 1)
            )
    non_edges = sorted(nx.non_edges(KARATE))[:6]
    for position, (u, v) in enumerate(non_edges):
        status = "pending" if position % 2 == 0 else "declined"
        friends.append(friend_row(f"{u}-{v}", member(u), member(v), status, 2))
    friends.append(
        friend_row("late", uid("late"), member(0), "accepted", 63)  # 2025-04-05
    )
    return {
        "profiles": profiles,
        "chats": [
            {
                "id": uid("chat-club"),
                "title": "Club",
                "created_by": member(0),
                "created_at": dt.datetime(2025, 1, 1),
                "updated_at": dt.datetime(2025, 1, 1),
            }
        ],
        "messages": activity_messages(),
        "friends": friends,
    }


@pytest.fixture(scope="module")
def warehouse(module_dsn: str) -> str:
    insert_dataset(module_dsn, karate_dataset())
    return module_dsn


@pytest.fixture(scope="module")
def mart_before_metrics(warehouse: str) -> pd.DataFrame:
    """Build the graph mart before any graph metrics exist, and read it."""
    build(warehouse, as_of=AS_OF, select=["+activity_by_graph_segment"])
    return read_mart(warehouse, "activity_by_graph_segment")


@pytest.fixture(scope="module")
def graph(warehouse: str) -> nx.Graph:
    return friend_graph(warehouse)


@pytest.fixture(scope="module")
def metrics(graph: nx.Graph):
    return graph_metrics(graph, seed=2)


@pytest.fixture(scope="module")
def written(warehouse: str, metrics, mart_before_metrics) -> str:
    write_graph_metrics(warehouse, metrics)
    build(warehouse, as_of=AS_OF, select=["+activity_by_graph_segment"])
    return warehouse


# -- friend_graph -------------------------------------------------------------


def test_friend_graph_edges_match_karate(graph):
    expected = {frozenset((member(u), member(v))) for u, v in KARATE.edges()}
    assert {frozenset(edge) for edge in graph.edges()} == expected
    assert graph.number_of_edges() == KARATE.number_of_edges()


def test_friend_graph_keeps_isolated_profile(graph):
    assert uid("loner") in graph
    assert graph.degree(uid("loner")) == 0
    assert graph.number_of_nodes() == len(MEMBERS) + 1


def test_friend_graph_as_of_leaves_out_later_rows(graph, warehouse):
    assert uid("late") not in graph
    assert graph.graph["as_of_date"] == AS_OF
    later = friend_graph(warehouse, as_of="2025-04-10")
    assert uid("late") in later
    assert later.has_edge(uid("late"), member(0))
    assert later.number_of_edges() == KARATE.number_of_edges() + 1


def test_friend_graph_node_attributes(graph):
    attributes = graph.nodes[member(5)]
    assert attributes == {
        "username": "member_05",
        "signup_date": dt.date(2025, 1, 6),
    }


def test_friend_graph_has_no_self_loops(graph):
    assert nx.number_of_selfloops(graph) == 0


# -- write_graph_metrics ----------------------------------------------------------


def test_graph_mart_empty_before_metrics(mart_before_metrics):
    assert mart_before_metrics.empty
    assert "segment_type" in mart_before_metrics.columns


def test_written_metrics_one_row_per_profile(written, metrics):
    stored = read_relation(written, "chat_graph", "user_graph_metrics", ["user_id"])
    assert len(stored) == len(MEMBERS) + 1
    assert sorted(map(str, stored["user_id"])) == sorted(metrics.users["user_id"])


def test_written_metrics_values(written, metrics):
    stored = read_relation(written, "chat_graph", "user_graph_metrics")
    stored = stored.set_index(stored["user_id"].map(str))
    expected = metrics.users.set_index("user_id")
    for column in ["degree", "core_number", "louvain_community", "triangles"]:
        for user_id, value in expected[column].items():
            assert stored.loc[user_id, column] == value, (column, user_id)
    for column in ["pagerank", "betweenness_centrality", "closeness_centrality"]:
        for user_id, value in expected[column].items():
            assert stored.loc[user_id, column] == pytest.approx(value), (
                column,
                user_id,
            )
    assert set(stored["computed_at"]) == {dt.datetime(2025, 4, 1)}


def test_written_run_row(written, metrics):
    runs = read_relation(written, "chat_graph", "graph_runs")
    assert len(runs) == 1
    run = runs.iloc[0]
    assert run["seed"] == 2
    assert run["as_of_date"] == AS_OF
    assert run["node_count"] == len(MEMBERS) + 1
    assert run["edge_count"] == KARATE.number_of_edges()
    assert run["betweenness_method"] == "exact"
    assert run["louvain_modularity"] == pytest.approx(metrics.modularity("louvain"))
    assert run["greedy_modularity"] == pytest.approx(metrics.modularity("greedy"))
    assert run["computed_at"] == dt.datetime(2025, 4, 1)


def test_failed_write_keeps_previous_run(written):
    # Karate's integer nodes are not user ids: the write fails half-way and
    # must leave the previous run as it was.
    with pytest.raises(WarehouseError, match="UUID"):
        write_graph_metrics(
            written, graph_metrics(KARATE), computed_at=dt.datetime(2030, 1, 1)
        )
    stored = read_relation(written, "chat_graph", "user_graph_metrics")
    runs = read_relation(written, "chat_graph", "graph_runs")
    assert len(stored) == len(MEMBERS) + 1
    assert runs["computed_at"].tolist() == [dt.datetime(2025, 4, 1)]


def test_graph_mart_matches_pandas(written, metrics):
    actual = read_mart(
        written, "activity_by_graph_segment", ["segment_type", "segment"]
    ).set_index(["segment_type", "segment"])
    expected = expected_segments(metrics.users)
    assert sorted(actual.index) == sorted(expected.index)
    for key, row in expected.iterrows():
        for column, value in row.items():
            stored = actual.loc[key, column]
            if value is None or (isinstance(value, float) and np.isnan(value)):
                assert stored is None, (key, column)
            else:
                assert stored == pytest.approx(value), (key, column)


def expected_segments(users: pd.DataFrame) -> pd.DataFrame:
    """Compute the graph mart in pandas from the dataset and the metrics."""
    last = {member(i): 0 for i in MEMBERS} | {uid("loner"): 0}
    previous = dict(last)
    window_start, previous_start = dt.date(2025, 3, 4), dt.date(2025, 2, 4)
    for row in activity_messages():
        if row["sender_id"] is None or row.get("deleted_at") or row.get("is_ai"):
            continue
        day = row["created_at"].date()
        if window_start <= day <= AS_OF:
            last[row["sender_id"]] += 1
        elif previous_start <= day < window_start:
            previous[row["sender_id"]] += 1
    frame = users.copy()
    frame["m28"] = frame["user_id"].map(last)
    frame["prev"] = frame["user_id"].map(previous)
    count = len(frame)

    def decile(values: pd.Series) -> pd.Series:
        at_most = values.map(lambda value: int((values <= value).sum()))
        return np.ceil(10 * at_most / count).astype(int)

    groupings = {
        "louvain_community": frame["louvain_community"].astype(int),
        "pagerank_decile": decile(frame["pagerank"]),
        "degree_centrality_decile": decile(frame["degree_centrality"]),
    }
    rows = []
    for segment_type, segments in groupings.items():
        for segment, group in frame.groupby(segments):
            active = int((group["m28"] > 0).sum())
            active_previous = int((group["prev"] > 0).sum())
            retained = int(((group["m28"] > 0) & (group["prev"] > 0)).sum())
            rows.append(
                {
                    "segment_type": segment_type,
                    "segment": int(segment),
                    "user_count": len(group),
                    "mean_degree": float(group["degree"].mean()),
                    "active_users_28d": active,
                    "active_share_28d": active / len(group),
                    "messages_28d": int(group["m28"].sum()),
                    "messages_per_user_28d": group["m28"].sum() / len(group),
                    "active_users_prev_28d": active_previous,
                    "retained_users_28d": retained,
                    "retention_rate_28d": (
                        retained / active_previous if active_previous else None
                    ),
                }
            )
    return pd.DataFrame(rows).set_index(["segment_type", "segment"])


def test_social_marts_agree_with_networkx(written, metrics):
    result = run_dbt(
        "build",
        dsn=written,
        as_of=AS_OF,
        select=["+friend_clustering", "+friend_components"],
        check=False,
    )
    built = {node.unique_id.split(".")[-1] for node in result.nodes
             if node.resource_type == "model" and node.status == "success"}  # fmt: skip
    if {"friend_clustering", "friend_components"} - built:
        pytest.skip("friend_clustering or friend_components did not build")
    users = metrics.users.set_index("user_id")
    clustering = read_mart(written, "friend_clustering")
    assert len(clustering) == int((users["degree"] > 0).sum())
    for row in clustering.itertuples():
        assert row.triangles == users.loc[row.user_id, "triangles"]
        assert row.clustering == pytest.approx(users.loc[row.user_id, "clustering"])
    components = read_mart(written, "friend_components")
    assert len(components) == len(users)
    for row in components.itertuples():
        assert row.component_id == users.loc[row.user_id, "component_id"]
        assert row.component_size == users.loc[row.user_id, "component_size"]


# -- command line -------------------------------------------------------------


def test_graph_command_prints_summary(written):
    runner = CliRunner()
    outcome = runner.invoke(
        cli,
        ["graph", "--dsn", written, "--seed", "2", "--computed-at", "2025-04-02"],
    )
    assert outcome.exit_code == 0, outcome.output
    assert "friend graph as of 2025-03-31: 35 users, 78 friendships" in outcome.output
    assert "betweenness: exact" in outcome.output
    assert "wrote 35 rows to chat_graph.user_graph_metrics" in outcome.output
    with psycopg.connect(written) as connection:
        stamps = connection.execute(
            "select computed_at from chat_graph.graph_runs"
        ).fetchall()
    assert stamps == [(dt.datetime(2025, 4, 2),)]
