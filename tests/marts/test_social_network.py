"""Known-answer tests of the eight social network marts.

The hand-built dataset has eleven profiles that exist on the as-of date and
one created after it:

- Component {alice, bob, carol, dave, erin, frank}: the triangle alice, bob,
  carol (alice -> bob and bob -> alice are both accepted), dave joined to bob
  and carol, erin and frank hanging off dave.
- Component {grace, heidi, ivan}: a path.
- judy and ken have no friends, only pending and declined requests.
- Pending and declined requests run in both directions. erin -> frank was
  accepted exactly at the end of the as-of date, so it was still pending
  then; erin -> dave was accepted after the early as-of date.
- carol -> erin and mallory -> alice were sent after the as-of date.
- Chat ``launch`` has the invitation cycle alice -> bob -> carol -> alice,
  chat ``deep`` a chain of four accepted invitations.

A second database is built with an as-of date inside the data. A third
contains Zachary's karate club, isolated profiles and a small separate
component, to compare degree centrality, degrees of separation, clustering
and components with networkx. Expected values are written out below or
computed here with networkx and pandas from the same rows, never read back
from the SQL under test.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pandas as pd
import psycopg
import pytest
from support import insert_dataset, read_mart, ts, uid

from chat_analytics.transform import build
from chat_analytics.warehouse import EmbeddedServer, init_schema

AS_OF = "2024-03-31"
EARLY_AS_OF = "2024-02-15"
KARATE_AS_OF = "2024-06-30"
MARTS = [
    "friend_network_summary",
    "friend_recommendations",
    "friend_degrees_of_separation",
    "friend_request_dynamics",
    "friend_clustering",
    "friend_activity_correlation",
    "invitation_cascades",
    "friend_components",
]
KARATE_MARTS = [
    "friend_network_summary",
    "friend_degrees_of_separation",
    "friend_clustering",
    "friend_components",
]


def end_of(day: str) -> dt.datetime:
    """Return the first instant after the date ``day``."""
    return ts(day) + dt.timedelta(days=1)


def user(label: str) -> str:
    return uid(f"user:{label}")


def chat(label: str) -> str:
    return uid(f"chat:{label}")


def profile(label: str, created_at: str) -> dict:
    return {
        "id": user(label),
        "username": label,
        "display_name": label.title(),
        "avatar_url": f"https://example.org/{label}.png",
        "email": f"{label}@example.org",
        "created_at": ts(created_at),
        "updated_at": ts(created_at),
    }


PROFILES = {
    "alice": "2024-01-05",
    "bob": "2024-01-10",
    "carol": "2024-01-20",
    "dave": "2024-02-03",
    "erin": "2024-02-10",
    "frank": "2024-02-20",
    "grace": "2024-02-01",
    "heidi": "2024-03-05",
    "ivan": "2024-03-06",
    "judy": "2024-01-15",
    "ken": "2024-03-25",
    "mallory": "2024-04-05",
}

# (number, requester, recipient, stored status, created_at, updated_at)
REQUESTS = [
    (1, "alice", "bob", "accepted", "2024-01-12 00:00:00", "2024-01-12 13:00:00"),
    (2, "bob", "alice", "accepted", "2024-01-15 00:00:00", "2024-01-16 00:00:00"),
    (3, "carol", "alice", "accepted", "2024-01-22 00:00:00", "2024-01-22 06:00:00"),
    (4, "bob", "carol", "accepted", "2024-01-25 00:00:00", "2024-01-27 00:00:00"),
    (5, "dave", "bob", "accepted", "2024-02-05 00:00:00", "2024-02-05 12:00:00"),
    (6, "carol", "dave", "accepted", "2024-02-06 00:00:00", "2024-02-06 01:00:00"),
    (7, "erin", "dave", "accepted", "2024-02-12 00:00:00", "2024-02-16 10:00:00"),
    (8, "dave", "frank", "accepted", "2024-02-21 00:00:00", "2024-02-21 03:00:00"),
    (9, "grace", "heidi", "accepted", "2024-03-06 00:00:00", "2024-03-06 02:00:00"),
    (10, "ivan", "heidi", "accepted", "2024-03-07 00:00:00", "2024-03-08 00:00:00"),
    (11, "erin", "bob", "declined", "2024-02-13 00:00:00", "2024-02-14 00:00:00"),
    # Accepted at the first instant after the as-of date: pending as of it.
    (12, "erin", "frank", "accepted", "2024-03-01 00:00:00", "2024-04-01 00:00:00"),
    # Sent after the as-of date.
    (13, "carol", "erin", "pending", "2024-04-03 00:00:00", "2024-04-03 00:00:00"),
    (14, "heidi", "ken", "pending", "2024-03-26 00:00:00", "2024-03-26 00:00:00"),
    (15, "judy", "alice", "declined", "2024-01-20 00:00:00", "2024-01-21 00:00:00"),
    (16, "alice", "grace", "declined", "2024-02-02 00:00:00", "2024-02-03 00:00:00"),
    (17, "ken", "judy", "pending", "2024-03-28 00:00:00", "2024-03-28 00:00:00"),
    # From a profile created after the as-of date.
    (18, "mallory", "alice", "accepted", "2024-04-06 00:00:00", "2024-04-06 00:00:00"),
]

# Accepted friendships as of AS_OF and the month their earliest accepted
# request was sent, worked out by hand from REQUESTS.
EDGES_AS_OF = {
    ("alice", "bob"): "2024-01-01",
    ("alice", "carol"): "2024-01-01",
    ("bob", "carol"): "2024-01-01",
    ("bob", "dave"): "2024-02-01",
    ("carol", "dave"): "2024-02-01",
    ("dave", "erin"): "2024-02-01",
    ("dave", "frank"): "2024-02-01",
    ("grace", "heidi"): "2024-03-01",
    ("heidi", "ivan"): "2024-03-01",
}
EDGES_EARLY = [
    ("alice", "bob"),
    ("alice", "carol"),
    ("bob", "carol"),
    ("bob", "dave"),
    ("carol", "dave"),
]
USERS_AS_OF = [name for name, day in PROFILES.items() if day <= AS_OF]
USERS_EARLY = [name for name, day in PROFILES.items() if day <= EARLY_AS_OF]

CHATS = {
    # label: (creator, created_at)
    "lounge": ("alice", "2024-01-01"),
    "launch": ("alice", "2024-02-01"),
    "quiet": ("bob", "2024-02-05"),
    "deep": ("grace", "2024-03-01"),
    "late": ("carol", "2024-03-20"),
}

# (chat, inviter, invitee, status, created_at)
INVITATIONS = [
    ("launch", "alice", "bob", "accepted", "2024-02-02"),
    ("launch", "bob", "carol", "accepted", "2024-02-03"),
    # Closes the cycle alice -> bob -> carol -> alice.
    ("launch", "carol", "alice", "accepted", "2024-02-20"),
    ("launch", "carol", "dave", "declined", "2024-02-04"),
    ("launch", "bob", "erin", "pending", "2024-02-10"),
    # dave never joined, so this chain does not start at the creator.
    ("launch", "dave", "frank", "accepted", "2024-02-25"),
    # Sent after the as-of date.
    ("launch", "alice", "judy", "accepted", "2024-04-02"),
    ("quiet", "bob", "dave", "pending", "2024-02-06"),
    ("deep", "grace", "heidi", "accepted", "2024-03-02"),
    ("deep", "heidi", "ivan", "accepted", "2024-03-03"),
    ("deep", "ivan", "judy", "accepted", "2024-03-04"),
    ("deep", "judy", "ken", "accepted", "2024-03-26"),
    ("deep", "heidi", "alice", "declined", "2024-03-05"),
    ("late", "carol", "dave", "accepted", "2024-04-02"),
]

# (chat, sender, created_at, kind); kind is activity, ai, system or deleted.
MESSAGE_SPECS = [
    ("lounge", "alice", "2024-01-10 09:00:00", "activity"),
    ("lounge", "alice", "2024-01-11 09:00:00", "activity"),
    ("lounge", "alice", "2024-01-20 09:00:00", "activity"),
    ("lounge", "bob", "2024-01-12 09:00:00", "activity"),
    ("lounge", None, "2024-01-15 09:00:00", "ai"),
    ("lounge", None, "2024-01-16 09:00:00", "system"),
    ("lounge", "alice", "2024-01-25 09:00:00", "deleted"),
    ("lounge", "alice", "2024-02-03 09:00:00", "activity"),
    ("lounge", "dave", "2024-02-06 09:00:00", "activity"),
    ("lounge", "dave", "2024-02-07 09:00:00", "activity"),
    ("lounge", "carol", "2024-02-07 10:00:00", "activity"),
    ("lounge", "carol", "2024-02-08 10:00:00", "activity"),
    ("lounge", "dave", "2024-02-09 09:00:00", "activity"),
    ("lounge", "dave", "2024-02-11 09:00:00", "activity"),
    ("lounge", "bob", "2024-02-12 09:00:00", "activity"),
    ("lounge", "frank", "2024-02-22 09:00:00", "activity"),
    ("lounge", "alice", "2024-03-02 09:00:00", "activity"),
    ("lounge", "alice", "2024-03-03 09:00:00", "activity"),
    ("lounge", "bob", "2024-03-05 09:00:00", "activity"),
    ("lounge", "carol", "2024-03-09 09:00:00", "activity"),
    ("lounge", "frank", "2024-03-15 09:00:00", "activity"),
    ("lounge", "frank", "2024-03-16 09:00:00", "activity"),
    ("lounge", "erin", "2024-03-20 09:00:00", "activity"),
    ("lounge", "dave", "2024-03-30 09:00:00", "activity"),
    ("lounge", "alice", "2024-04-03 09:00:00", "activity"),
    ("launch", "bob", "2024-02-10 09:00:00", "activity"),
    ("launch", "erin", "2024-02-14 09:00:00", "activity"),
    ("launch", "carol", "2024-03-10 09:00:00", "deleted"),
    ("launch", "frank", "2024-04-02 09:00:00", "activity"),
    ("deep", "heidi", "2024-03-10 09:00:00", "activity"),
    ("deep", "heidi", "2024-03-11 09:00:00", "activity"),
    ("deep", "ivan", "2024-03-12 09:00:00", "activity"),
    ("deep", "ken", "2024-03-26 09:00:00", "activity"),
    ("deep", "judy", "2024-03-27 09:00:00", "deleted"),
]


def message_row(number: int, spec: tuple) -> dict:
    chat_label, sender, created_at, kind = spec
    created = ts(created_at)
    return {
        "id": uid(f"message:{number}"),
        "chat_id": chat(chat_label),
        "sender_id": user(sender) if sender else None,
        "content": f"message {number}",
        "is_ai": kind == "ai",
        "ai_character_id": "sage" if kind == "ai" else None,
        "created_at": created,
        "updated_at": created,
        "deleted_at": created + dt.timedelta(hours=1) if kind == "deleted" else None,
        "mentioned_users": None,
        "is_system_message": kind == "system",
    }


DATASET = {
    "profiles": [profile(name, day) for name, day in PROFILES.items()],
    "chats": [
        {
            "id": chat(label),
            "title": label.title(),
            "created_by": user(creator),
            "created_at": ts(created_at),
            "updated_at": ts(created_at),
        }
        for label, (creator, created_at) in CHATS.items()
    ],
    "friends": [
        {
            "id": uid(f"friend:{number}"),
            "user_id": user(requester),
            "friend_id": user(recipient),
            "status": status,
            "created_at": ts(created_at),
            "updated_at": ts(updated_at),
        }
        for number, requester, recipient, status, created_at, updated_at in REQUESTS
    ],
    "messages": [
        message_row(number, spec) for number, spec in enumerate(MESSAGE_SPECS)
    ],
    "chat_invitations": [
        {
            "id": uid(f"invitation:{chat_label}:{invitee}"),
            "chat_id": chat(chat_label),
            "inviting_user_id": user(inviter),
            "invited_user_id": user(invitee),
            "status": status,
            "created_at": ts(created_at),
        }
        for chat_label, inviter, invitee, status, created_at in INVITATIONS
    ],
}

LABELS = {user(name): name for name in PROFILES} | {
    chat(label): label for label in CHATS
}


def graph_of(users: list[str], edges) -> nx.Graph:
    """Return the friendship graph on user ids for labelled users and edges."""
    graph = nx.Graph()
    graph.add_nodes_from(user(name) for name in users)
    graph.add_edges_from((user(a), user(b)) for a, b in edges)
    return graph


def build_marts(dsn: str, dataset: dict, as_of: str, marts: list[str]) -> str:
    insert_dataset(dsn, dataset)
    build(dsn, as_of=as_of, select=[f"+{name}" for name in marts])
    return dsn


def new_database(pg_server: EmbeddedServer, name: str) -> str:
    dsn = pg_server.create_database(name, replace=True)
    with psycopg.connect(dsn) as connection:
        init_schema(connection)
    return dsn


@pytest.fixture(scope="module")
def dsn(module_dsn: str) -> str:
    """Database with the dataset and the marts built as of AS_OF."""
    return build_marts(module_dsn, DATASET, AS_OF, MARTS)


@pytest.fixture(scope="module")
def early_dsn(pg_server: EmbeddedServer) -> str:
    """Second database with the same dataset, built as of EARLY_AS_OF."""
    database_dsn = new_database(pg_server, "t_test_social_network_early")
    return build_marts(database_dsn, DATASET, EARLY_AS_OF, MARTS)


def labelled(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Replace the ids in ``columns`` by their labels."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(LABELS)
    return frame


def rows_by(frame: pd.DataFrame, key: str) -> dict[str, dict]:
    return {row[key]: row for row in frame.to_dict("records")}


# ---------------------------------------------------------------------------
# friend_network_summary (2)
# ---------------------------------------------------------------------------

# friend_count, pending_sent, pending_received, declined_sent,
# declined_received, acceptance_rate_sent; worked out by hand from REQUESTS.
SUMMARY_AS_OF = {
    "alice": (2, 0, 0, 1, 1, 0.5),
    "bob": (3, 0, 0, 0, 1, 1.0),
    "carol": (3, 0, 0, 0, 0, 1.0),
    "dave": (4, 0, 0, 0, 0, 1.0),
    "erin": (1, 1, 0, 1, 0, 0.5),
    "frank": (1, 0, 1, 0, 0, None),
    "grace": (1, 0, 0, 0, 1, 1.0),
    "heidi": (2, 1, 0, 0, 0, None),
    "ivan": (1, 0, 0, 0, 0, 1.0),
    "judy": (0, 0, 1, 1, 0, 0.0),
    "ken": (0, 1, 1, 0, 0, None),
}
SUMMARY_EARLY = {
    "alice": (2, 0, 0, 1, 1, 0.5),
    "bob": (3, 0, 0, 0, 1, 1.0),
    "carol": (3, 0, 0, 0, 0, 1.0),
    # erin -> dave was accepted the day after the early as-of date.
    "dave": (2, 0, 1, 0, 0, 1.0),
    "erin": (0, 1, 0, 1, 0, 0.0),
    "grace": (0, 0, 0, 0, 1, None),
    "judy": (0, 0, 0, 1, 0, 0.0),
}
SUMMARY_COLUMNS = [
    "friend_count",
    "pending_sent",
    "pending_received",
    "declined_sent",
    "declined_received",
    "acceptance_rate_sent",
]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("dsn", SUMMARY_AS_OF), ("early_dsn", SUMMARY_EARLY)],
    ids=["as_of", "early"],
)
def test_network_summary_counts(request, fixture, expected):
    mart = labelled(
        read_mart(request.getfixturevalue(fixture), "friend_network_summary"),
        "user_id",
    )
    assert sorted(mart["user_id"]) == sorted(expected)
    rows = rows_by(mart, "user_id")
    for name, values in expected.items():
        *counts, rate = values
        assert [rows[name][column] for column in SUMMARY_COLUMNS[:-1]] == counts, name
        if rate is None:
            assert rows[name]["acceptance_rate_sent"] is None, name
        else:
            assert rows[name]["acceptance_rate_sent"] == pytest.approx(rate), name


@pytest.mark.parametrize(
    ("fixture", "users", "edges"),
    [
        ("dsn", USERS_AS_OF, list(EDGES_AS_OF)),
        ("early_dsn", USERS_EARLY, EDGES_EARLY),
    ],
    ids=["as_of", "early"],
)
def test_network_summary_degree_centrality(request, fixture, users, edges):
    mart = read_mart(request.getfixturevalue(fixture), "friend_network_summary")
    expected = nx.degree_centrality(graph_of(users, edges))
    actual = dict(zip(mart["user_id"], mart["degree_centrality"], strict=True))
    assert actual == pytest.approx(expected)


def test_network_summary_has_no_email(dsn):
    mart = read_mart(dsn, "friend_network_summary")
    assert [column for column in mart.columns if "mail" in column] == []


# ---------------------------------------------------------------------------
# friend_recommendations (4)
# ---------------------------------------------------------------------------


def by_id(*names: str) -> list[str]:
    """Return labels sorted by the byte order of their user ids."""
    return [LABELS[identifier] for identifier in sorted(user(n) for n in names)]


def test_recommendations_as_of(dsn):
    mart = labelled(
        read_mart(dsn, "friend_recommendations", ["user_id", "recommendation_rank"]),
        "user_id",
        "candidate_user_id",
    )
    actual = {
        (row["user_id"], row["recommendation_rank"]): (
            row["candidate_user_id"],
            row["mutual_friends"],
        )
        for row in mart.to_dict("records")
    }
    # alice -> dave through bob and carol. bob's erin is out (declined
    # request) and so are erin -> frank (accepted only after the as-of
    # date); carol -> erin was sent after it and does not count. carol and
    # frank each have two candidates with one mutual friend: id order.
    carol_first, carol_second = by_id("erin", "frank")
    frank_first, frank_second = by_id("bob", "carol")
    expected = {
        ("alice", 1): ("dave", 2),
        ("bob", 1): ("frank", 1),
        ("carol", 1): (carol_first, 1),
        ("carol", 2): (carol_second, 1),
        ("dave", 1): ("alice", 2),
        ("erin", 1): ("carol", 1),
        ("frank", 1): (frank_first, 1),
        ("frank", 2): (frank_second, 1),
        ("grace", 1): ("ivan", 1),
        ("ivan", 1): ("grace", 1),
    }
    assert actual == expected


def test_recommendations_match_networkx(dsn):
    """Every two-hop pair without a request, ranked, from networkx."""
    graph = graph_of(USERS_AS_OF, EDGES_AS_OF)
    requested = {
        frozenset((user(requester), user(recipient)))
        for _, requester, recipient, _, created_at, _ in REQUESTS
        if ts(created_at) < end_of(AS_OF)
        and recipient != "mallory"
        and requester != "mallory"
    }
    expected = []
    for node in graph:
        candidates = {}
        for friend in graph[node]:
            for candidate in graph[friend]:
                if candidate != node and frozenset((node, candidate)) not in requested:
                    candidates[candidate] = len(
                        set(graph[node]) & set(graph[candidate])
                    )
        ranked = sorted(candidates.items(), key=lambda item: (-item[1], item[0]))
        for rank, (candidate, mutual) in enumerate(ranked[:10], start=1):
            expected.append((node, candidate, mutual, rank))
    mart = read_mart(dsn, "friend_recommendations")
    actual = list(mart.itertuples(index=False, name=None))
    assert sorted(actual) == sorted(expected)


def test_recommendations_early(early_dsn):
    mart = labelled(
        read_mart(early_dsn, "friend_recommendations"), "user_id", "candidate_user_id"
    )
    actual = {
        (row["user_id"], row["candidate_user_id"], row["mutual_friends"])
        for row in mart.to_dict("records")
    }
    # Triangle alice, bob, carol plus dave on bob and carol.
    assert actual == {("alice", "dave", 2), ("dave", "alice", 2)}


# ---------------------------------------------------------------------------
# friend_degrees_of_separation (8)
# ---------------------------------------------------------------------------


def expected_separation(graph: nx.Graph) -> set[tuple[str, str, int]]:
    """Shortest hops from the five highest-degree nodes, ties by id."""
    sources = sorted(graph, key=lambda node: (-graph.degree(node), node))[:5]
    sources = [node for node in sources if graph.degree(node) > 0]
    return {
        (source, target, hops)
        for source in sources
        for target, hops in nx.single_source_shortest_path_length(
            graph, source, cutoff=6
        ).items()
        if target != source
    }


def test_degrees_of_separation_sources(dsn):
    mart = labelled(read_mart(dsn, "friend_degrees_of_separation"), "source_user_id")
    # dave has 4 friends, bob and carol 3, alice and heidi 2 (both make it).
    assert set(mart["source_user_id"]) == {"dave", "bob", "carol", "alice", "heidi"}


def test_degrees_of_separation_hops(dsn):
    mart = labelled(
        read_mart(dsn, "friend_degrees_of_separation"),
        "source_user_id",
        "target_user_id",
    )
    rows = {
        (row["source_user_id"], row["target_user_id"]): row["hops"]
        for row in mart.to_dict("records")
    }
    assert rows[("alice", "erin")] == 3
    assert rows[("heidi", "ivan")] == 1
    assert ("heidi", "alice") not in rows
    assert ("alice", "judy") not in rows


@pytest.mark.parametrize(
    ("fixture", "users", "edges"),
    [
        ("dsn", USERS_AS_OF, list(EDGES_AS_OF)),
        ("early_dsn", USERS_EARLY, EDGES_EARLY),
    ],
    ids=["as_of", "early"],
)
def test_degrees_of_separation_match_networkx(request, fixture, users, edges):
    mart = read_mart(request.getfixturevalue(fixture), "friend_degrees_of_separation")
    actual = set(mart.itertuples(index=False, name=None))
    assert actual == expected_separation(graph_of(users, edges))


# ---------------------------------------------------------------------------
# friend_request_dynamics (12)
# ---------------------------------------------------------------------------

# month: requests, accepted, declined, pending, hours to accept; by hand.
DYNAMICS_AS_OF = {
    dt.date(2024, 1, 1): (5, 4, 1, 0, [13, 24, 6, 48]),
    dt.date(2024, 2, 1): (6, 4, 2, 0, [12, 1, 106, 3]),
    dt.date(2024, 3, 1): (5, 2, 0, 3, [2, 24]),
}
DYNAMICS_EARLY = {
    dt.date(2024, 1, 1): (5, 4, 1, 0, [13, 24, 6, 48]),
    dt.date(2024, 2, 1): (5, 2, 2, 1, [12, 1]),
}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("dsn", DYNAMICS_AS_OF), ("early_dsn", DYNAMICS_EARLY)],
    ids=["as_of", "early"],
)
def test_request_dynamics(request, fixture, expected):
    mart = read_mart(
        request.getfixturevalue(fixture), "friend_request_dynamics", ["month"]
    )
    assert list(mart["month"]) == list(expected)
    for row in mart.to_dict("records"):
        requests, accepted, declined, pending, hours = expected[row["month"]]
        assert row["requests"] == requests
        assert row["accepted"] == accepted
        assert row["declined"] == declined
        assert row["pending"] == pending
        assert row["acceptance_rate"] == pytest.approx(accepted / (accepted + declined))
        assert row["median_hours_to_accept"] == pytest.approx(np.median(hours))
        assert row["p90_hours_to_accept"] == pytest.approx(np.percentile(hours, 90))


def test_request_dynamics_known_percentiles(dsn):
    january = read_mart(dsn, "friend_request_dynamics", ["month"]).iloc[0]
    # Hours 6, 13, 24 and 48: median (13 + 24) / 2, p90 24 + 0.7 * 24.
    assert january["median_hours_to_accept"] == pytest.approx(18.5)
    assert january["p90_hours_to_accept"] == pytest.approx(40.8)


# ---------------------------------------------------------------------------
# friend_clustering (16)
# ---------------------------------------------------------------------------


def assert_clustering_matches(mart: pd.DataFrame, graph: nx.Graph) -> None:
    triangles = nx.triangles(graph)
    clustering = nx.clustering(graph, weight=None)
    with_friends = {node for node in graph if graph.degree(node) > 0}
    assert set(mart["user_id"]) == with_friends
    for row in mart.to_dict("records"):
        node = row["user_id"]
        assert row["friend_count"] == graph.degree(node), node
        assert row["triangles"] == triangles[node], node
        assert row["clustering"] == pytest.approx(clustering[node]), node


def test_clustering_by_hand(dsn):
    mart = labelled(read_mart(dsn, "friend_clustering"), "user_id")
    rows = rows_by(mart, "user_id")
    # bob: friends alice, carol, dave; alice-carol and carol-dave are friends.
    assert rows["bob"]["triangles"] == 2
    assert rows["bob"]["clustering"] == pytest.approx(2 / 3)
    assert rows["dave"]["triangles"] == 1
    assert rows["dave"]["clustering"] == pytest.approx(1 / 6)
    assert rows["erin"]["clustering"] == 0
    assert "judy" not in rows


def test_clustering_matches_networkx(dsn):
    mart = read_mart(dsn, "friend_clustering")
    assert_clustering_matches(mart, graph_of(USERS_AS_OF, EDGES_AS_OF))


# ---------------------------------------------------------------------------
# friend_activity_correlation (20)
# ---------------------------------------------------------------------------


def monthly_activity(as_of: str) -> pd.DataFrame:
    """Activity messages per sender and month, from the message rows."""
    messages = pd.DataFrame(DATASET["messages"])
    is_activity = (
        messages["deleted_at"].isna()
        & ~messages["is_system_message"]
        & ~messages["is_ai"]
        & messages["sender_id"].notna()
        & (messages["created_at"] < end_of(as_of))
    )
    activity = messages[is_activity]
    months = activity["created_at"].dt.to_period("M").dt.start_time.dt.date
    return activity.groupby([activity["sender_id"], months]).size()


def test_activity_correlation_matches_pandas(dsn):
    counts = monthly_activity(AS_OF)
    months = [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    mart = read_mart(dsn, "friend_activity_correlation", ["month"])
    assert list(mart["month"]) == months
    for row in mart.to_dict("records"):
        month = row["month"]
        edges = [
            edge for edge, created in EDGES_AS_OF.items() if ts(created).date() <= month
        ]
        graph = graph_of([], edges)
        own = pd.Series(
            {node: counts.get((node, month), 0) for node in graph}, dtype=float
        )
        friends_mean = pd.Series(
            {node: np.mean([own[friend] for friend in graph[node]]) for node in graph}
        )
        assert row["users_with_friends"] == graph.number_of_nodes()
        assert row["activity_correlation"] == pytest.approx(own.corr(friends_mean))


def test_activity_correlation_cohort_share(dsn):
    mart = read_mart(dsn, "friend_activity_correlation", ["month"])
    # Same signup month: the January triangle; then dave-erin, dave-frank;
    # then heidi-ivan.
    assert list(mart["same_cohort_friendship_share"]) == pytest.approx(
        [3 / 3, 5 / 7, 6 / 9]
    )


def test_activity_correlation_early(early_dsn):
    mart = read_mart(early_dsn, "friend_activity_correlation", ["month"])
    assert list(mart["month"]) == [dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    assert list(mart["users_with_friends"]) == [3, 4]


# ---------------------------------------------------------------------------
# invitation_cascades (24)
# ---------------------------------------------------------------------------

# invitations, accepted, declined, pending, max_cascade_depth,
# invitees_who_posted; by hand.
CASCADES_AS_OF = {
    # The invitation back to alice closes a cycle: depth 2. Only bob of the
    # accepted invitees posted by the as-of date (carol's post is deleted,
    # frank's is later, erin's invitation is pending).
    "launch": (6, 4, 1, 1, 2, 1),
    "quiet": (1, 0, 0, 1, 0, 0),
    # grace -> heidi -> ivan -> judy -> ken; judy's only post is deleted.
    "deep": (5, 4, 1, 0, 4, 3),
}
CASCADES_EARLY = {
    "launch": (4, 2, 1, 1, 2, 1),
    "quiet": (1, 0, 0, 1, 0, 0),
}
CASCADE_COLUMNS = [
    "invitations",
    "accepted",
    "declined",
    "pending",
    "max_cascade_depth",
    "invitees_who_posted",
]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("dsn", CASCADES_AS_OF), ("early_dsn", CASCADES_EARLY)],
    ids=["as_of", "early"],
)
def test_invitation_cascades(request, fixture, expected):
    mart = labelled(
        read_mart(request.getfixturevalue(fixture), "invitation_cascades"), "chat_id"
    )
    assert sorted(mart["chat_id"]) == sorted(expected)
    rows = rows_by(mart, "chat_id")
    for label, values in expected.items():
        actual = tuple(rows[label][column] for column in CASCADE_COLUMNS)
        assert actual == values, label


def test_invitation_acceptance_rate(dsn):
    rows = rows_by(
        labelled(read_mart(dsn, "invitation_cascades"), "chat_id"), "chat_id"
    )
    assert rows["launch"]["acceptance_rate"] == pytest.approx(0.8)
    assert rows["deep"]["acceptance_rate"] == pytest.approx(0.8)
    assert rows["quiet"]["acceptance_rate"] is None


# ---------------------------------------------------------------------------
# friend_components (28)
# ---------------------------------------------------------------------------


def expected_components(graph: nx.Graph) -> dict[str, tuple[str, int]]:
    expected = {}
    for component in nx.connected_components(graph):
        for node in component:
            expected[node] = (min(component), len(component))
    return expected


def test_components_by_hand(dsn):
    mart = labelled(read_mart(dsn, "friend_components"), "user_id", "component_id")
    rows = rows_by(mart, "user_id")
    first = by_id("alice", "bob", "carol", "dave", "erin", "frank")[0]
    assert rows["frank"]["component_id"] == first
    assert rows["frank"]["component_size"] == 6
    assert rows["ivan"]["component_id"] == by_id("grace", "heidi", "ivan")[0]
    assert rows["ivan"]["component_size"] == 3
    assert rows["judy"]["component_id"] == "judy"
    assert rows["judy"]["component_size"] == 1
    assert "mallory" not in rows


@pytest.mark.parametrize(
    ("fixture", "users", "edges"),
    [
        ("dsn", USERS_AS_OF, list(EDGES_AS_OF)),
        ("early_dsn", USERS_EARLY, EDGES_EARLY),
    ],
    ids=["as_of", "early"],
)
def test_components_match_networkx(request, fixture, users, edges):
    mart = read_mart(request.getfixturevalue(fixture), "friend_components")
    actual = {
        row["user_id"]: (row["component_id"], row["component_size"])
        for row in mart.to_dict("records")
    }
    assert actual == expected_components(graph_of(users, edges))


# ---------------------------------------------------------------------------
# Zachary's karate club
# ---------------------------------------------------------------------------

KARATE_EXTRA_EDGES = [
    ("extra-0", "extra-1"),
    ("extra-1", "extra-2"),
    ("extra-2", "extra-0"),
    ("extra-2", "extra-3"),
]
KARATE_ISOLATED = ["lone-0", "lone-1", "lone-2"]


def karate_graph() -> nx.Graph:
    """The karate club on labels 'karate-<n>', a triangle with a tail, and loners."""
    club = nx.relabel_nodes(nx.karate_club_graph(), lambda node: f"karate-{node}")
    graph = nx.Graph()
    graph.add_nodes_from(club)
    graph.add_edges_from(club.edges())
    graph.add_edges_from(KARATE_EXTRA_EDGES)
    graph.add_nodes_from(KARATE_ISOLATED)
    return graph


def karate_dataset(graph: nx.Graph) -> dict:
    nodes = sorted(graph)
    profiles = [
        profile(
            label, (dt.datetime(2024, 1, 1) + dt.timedelta(hours=index)).isoformat()
        )
        for index, label in enumerate(nodes)
    ]
    friends = []
    for index, (a, b) in enumerate(
        sorted(tuple(sorted(edge)) for edge in graph.edges())
    ):
        requester, recipient = (a, b) if index % 2 == 0 else (b, a)
        created = dt.datetime(2024, 2, 1) + dt.timedelta(hours=index)
        friends.append((requester, recipient, "accepted", created))
        if index % 7 == 0:
            # The reverse request, accepted too: still one edge.
            friends.append((recipient, requester, "accepted", created))
    # Requests that are not friendships.
    friends.append(("karate-0", "karate-9", "declined", dt.datetime(2024, 3, 1)))
    friends.append(("karate-33", "lone-0", "pending", dt.datetime(2024, 3, 1)))
    return {
        "profiles": profiles,
        "friends": [
            {
                "id": uid(f"karate-friend:{index}"),
                "user_id": user(requester),
                "friend_id": user(recipient),
                "status": status,
                "created_at": created,
                "updated_at": created + dt.timedelta(hours=1),
            }
            for index, (requester, recipient, status, created) in enumerate(friends)
        ],
    }


@pytest.fixture(scope="module")
def karate() -> nx.Graph:
    """The karate graph on user ids."""
    return nx.relabel_nodes(karate_graph(), user)


@pytest.fixture(scope="module")
def karate_dsn(pg_server: EmbeddedServer) -> str:
    database_dsn = new_database(pg_server, "t_test_social_network_karate")
    return build_marts(
        database_dsn, karate_dataset(karate_graph()), KARATE_AS_OF, KARATE_MARTS
    )


def test_karate_separation_matches_networkx(karate_dsn, karate):
    mart = read_mart(karate_dsn, "friend_degrees_of_separation")
    actual = set(mart.itertuples(index=False, name=None))
    assert actual == expected_separation(karate)


def test_karate_clustering_matches_networkx(karate_dsn, karate):
    assert_clustering_matches(read_mart(karate_dsn, "friend_clustering"), karate)


def test_karate_components_match_networkx(karate_dsn, karate):
    mart = read_mart(karate_dsn, "friend_components")
    actual = {
        row["user_id"]: (row["component_id"], row["component_size"])
        for row in mart.to_dict("records")
    }
    expected = expected_components(karate)
    assert actual == expected
    assert sorted(size for _, size in set(expected.values())) == [1, 1, 1, 4, 34]


def test_karate_degree_centrality_matches_networkx(karate_dsn, karate):
    mart = read_mart(karate_dsn, "friend_network_summary")
    actual = dict(zip(mart["user_id"], mart["degree_centrality"], strict=True))
    assert actual == pytest.approx(nx.degree_centrality(karate))
