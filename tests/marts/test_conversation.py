"""Known-answer tests of the seven conversation marts on a hand-built dataset.

The dataset has six chats that exist on the as-of date and one created after it:

- ``planning``: speaker runs of humans and the AI character ``sage`` with system
  and deleted messages between them. It has a gap of exactly 30 minutes (no new
  session) and one of 30 minutes 1 second (new session). Two of its messages
  share an instant and are ordered by message id, against insertion order. One
  message mentions a user twice, the sender, a later profile and an unknown id.
- ``muse_room``: the AI character ``muse``, a reply four weeks later and a
  deleted ``sage`` message that must not count for ``sage``.
- ``quiet`` and ``side``: one message each. ``quiet``'s current AI character
  ``ghost`` never posts.
- ``empty``: a system message only.
- ``archive``: mentions replied to exactly one hour later (inside the window),
  one hour and one second later and at the same instant (outside the window).
  A deleted and an AI message mention someone too.
- ``late`` and a few messages, files and a participant dated after the as-of
  date, which every mart leaves out.

Expected values are written out below or computed here with pandas and the
standard library from the same rows, never read back from the SQL under test.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import pandas as pd
import psycopg
import pytest
from support import insert_dataset, read_mart, ts, uid

from chat_analytics.transform import run_dbt
from chat_analytics.warehouse import EmbeddedServer, init_schema

AS_OF = "2024-03-31"
EARLY_AS_OF = "2024-03-10"
MARTS = [
    "conversation_sessions",
    "turn_taking",
    "response_times",
    "conversation_health",
    "ai_character_engagement",
    "mention_network",
    "file_sharing_patterns",
]

USERS = ["alice", "bob", "carol", "dave", "erin"]
CHATS = ["planning", "muse_room", "quiet", "empty", "archive", "side", "late"]
UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"


def seconds(start: str, end: str) -> float:
    return (ts(end) - ts(start)).total_seconds()


def user(label: str) -> str:
    return uid(f"user:{label}")


def chat(label: str) -> str:
    return uid(f"chat:{label}")


def message_id(number: int) -> str:
    # Explicit ids, so that their byte order is the order of the numbers.
    return f"00000000-0000-4000-8000-{number:012d}"


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


def chat_row(label: str, creator: str, created_at: str, ai: str | None) -> dict:
    return {
        "id": chat(label),
        "title": label.replace("_", " ").title(),
        "created_by": user(creator),
        "created_at": ts(created_at),
        "updated_at": ts(created_at),
        "current_ai_character_id": ai,
    }


def participants(label: str, users: Iterable[str], joined_at: str) -> list[dict]:
    return [
        {"chat_id": chat(label), "user_id": user(name), "joined_at": ts(joined_at)}
        for name in users
    ]


def message(
    number: int,
    chat_label: str,
    created_at: str,
    *,
    sender: str | None = None,
    ai: str | None = None,
    system: bool = False,
    deleted_at: str | None = None,
    mentions: list[str] | None = None,
) -> dict:
    return {
        "id": message_id(number),
        "chat_id": chat(chat_label),
        "sender_id": user(sender) if sender else None,
        "content": f"message {number}",
        "is_ai": ai is not None,
        "ai_character_id": ai,
        "created_at": ts(created_at),
        "updated_at": ts(created_at),
        "deleted_at": ts(deleted_at) if deleted_at else None,
        "mentioned_users": mentions,
        "is_system_message": system,
    }


def attachment(
    label: str,
    number: int | None,
    chat_label: str | None,
    uploader: str | None,
    size: int,
    file_type: str,
    created_at: str,
) -> dict:
    return {
        "id": uid(f"file:{label}"),
        "message_id": message_id(number) if number else None,
        "chat_id": chat(chat_label) if chat_label else None,
        "user_id": user(uploader) if uploader else None,
        "file_name": f"{label}.bin",
        "file_size": size,
        "file_type": file_type,
        "file_path": f"files/{label}.bin",
        "created_at": ts(created_at),
    }


DAY = "2024-03-30"
MESSAGES = [
    # planning, 2024-03-30. Conversation order and speaker runs:
    # alice x3 | sage x2 | bob | sage | alice || carol | bob | sage x2 | alice
    # where || is the only session split.
    message(101, "planning", f"{DAY} 10:00:00", sender="alice"),
    message(102, "planning", f"{DAY} 10:01:00", sender="alice"),
    message(103, "planning", f"{DAY} 10:02:00", system=True),
    message(104, "planning", f"{DAY} 10:03:00", sender="alice"),
    message(105, "planning", f"{DAY} 10:05:00", ai="sage"),
    message(106, "planning", f"{DAY} 10:05:30", ai="sage"),
    message(107, "planning", f"{DAY} 10:06:00", sender="bob"),
    message(
        108, "planning", f"{DAY} 10:08:00", sender="bob", deleted_at=f"{DAY} 10:09:00"
    ),
    message(109, "planning", f"{DAY} 10:10:00", ai="sage"),
    # Exactly 30 minutes after 109: the same session.
    message(110, "planning", f"{DAY} 10:40:00", sender="alice"),
    # A system message would bridge the next gap if it counted.
    message(111, "planning", f"{DAY} 10:55:00", system=True),
    # 30 minutes 1 second after 110: a new session.
    message(112, "planning", f"{DAY} 11:10:01", sender="carol"),
    # 114 is inserted before 113; the id puts 113 (bob) first.
    message(114, "planning", f"{DAY} 11:11:00", ai="sage"),
    message(113, "planning", f"{DAY} 11:11:00", sender="bob"),
    message(115, "planning", f"{DAY} 11:12:00", ai="sage"),
    message(
        116,
        "planning",
        f"{DAY} 11:20:00",
        sender="alice",
        mentions=[user("bob"), user("bob"), user("alice"), user("erin"), UNKNOWN_ID],
    ),
    # After the as-of date.
    message(
        117, "planning", "2024-04-01 09:00:00", sender="alice", mentions=[user("carol")]
    ),
    # muse_room.
    message(
        201, "muse_room", "2024-02-20 09:00:00", sender="dave", mentions=[user("bob")]
    ),
    message(202, "muse_room", "2024-02-20 09:00:40", ai="muse"),
    message(
        203,
        "muse_room",
        "2024-02-20 09:01:00",
        ai="muse",
        deleted_at="2024-02-20 09:05:00",
    ),
    message(204, "muse_room", "2024-02-20 09:02:00", sender="bob"),
    message(205, "muse_room", "2024-03-20 12:00:00", ai="muse"),
    message(206, "muse_room", "2024-03-20 12:00:30", sender="dave"),
    message(
        207,
        "muse_room",
        "2024-03-20 12:05:00",
        ai="sage",
        deleted_at="2024-03-20 12:06:00",
    ),
    # quiet: one message.
    message(301, "quiet", "2024-03-25 08:00:00", sender="carol"),
    # empty: a system message only.
    message(401, "empty", "2024-03-28 12:00:00", system=True),
    # archive, 2023-12-01. Runs: bob | muse | alice | bob x2 | alice.
    message(
        501, "archive", "2023-12-01 10:00:00", sender="bob", mentions=[user("alice")]
    ),
    message(
        502,
        "archive",
        "2023-12-01 10:30:00",
        sender="bob",
        deleted_at="2023-12-01 10:31:00",
        mentions=[user("alice")],
    ),
    message(503, "archive", "2023-12-01 10:45:00", ai="muse", mentions=[user("alice")]),
    # Exactly one hour after 501: a reply to its mention of alice.
    message(
        504, "archive", "2023-12-01 11:00:00", sender="alice", mentions=[user("bob")]
    ),
    # One hour and one second after 504: too late to reply to its mention.
    message(505, "archive", "2023-12-01 12:00:01", sender="bob"),
    message(
        506, "archive", "2023-12-01 13:00:00", sender="bob", mentions=[user("alice")]
    ),
    # The same instant as 506: not after the mention, so no reply.
    message(507, "archive", "2023-12-01 13:00:00", sender="alice"),
    # side: one message, by alice within the hour after 506 but in another chat.
    message(601, "side", "2023-12-01 13:30:00", sender="alice"),
    # late: created after the as-of date.
    message(701, "late", "2024-04-01 10:00:00", ai="late-bot"),
]

DATASET = {
    "profiles": [
        profile("alice", "2023-11-01 00:00:00"),
        profile("bob", "2023-11-01 00:00:00"),
        profile("carol", "2023-11-01 00:00:00"),
        profile("dave", "2023-11-01 00:00:00"),
        profile("erin", "2024-04-01 00:00:00"),
    ],
    "chats": [
        chat_row("planning", "alice", "2024-03-01 00:00:00", "sage"),
        chat_row("muse_room", "bob", "2024-02-01 00:00:00", "muse"),
        chat_row("quiet", "carol", "2024-03-20 00:00:00", "ghost"),
        chat_row("empty", "dave", "2024-03-01 00:00:00", None),
        chat_row("archive", "alice", "2023-11-30 00:00:00", None),
        chat_row("side", "alice", "2023-11-30 00:00:00", None),
        chat_row("late", "alice", "2024-04-01 00:00:00", "late-bot"),
    ],
    "chat_participants": [
        *participants("planning", ["alice", "bob", "carol"], "2024-03-01 00:00:00"),
        *participants("muse_room", ["bob", "dave", "carol"], "2024-02-01 00:00:00"),
        *participants("muse_room", ["erin"], "2024-04-01 00:00:00"),
        *participants("quiet", ["carol", "alice"], "2024-03-20 00:00:00"),
        *participants("empty", ["dave"], "2024-03-01 00:00:00"),
        *participants("archive", ["alice", "bob"], "2023-11-30 00:00:00"),
        *participants("side", ["alice"], "2023-11-30 00:00:00"),
        *participants("late", ["alice"], "2024-04-01 00:00:00"),
    ],
    "messages": MESSAGES,
    "file_attachments": [
        attachment(
            "f1", 501, "archive", "bob", 1000, "image/png", "2023-12-01 10:00:00"
        ),
        attachment(
            "f2", 504, "archive", "alice", 3000, "IMAGE/JPEG", "2023-12-01 11:00:00"
        ),
        attachment("f3", 505, "archive", "bob", 500, "pdf", "2023-12-01 12:00:01"),
        attachment(
            "f4", 201, "muse_room", "dave", 2048, "/octet-stream", "2024-02-20 09:00:00"
        ),
        attachment(
            "f5",
            201,
            "muse_room",
            "dave",
            4096,
            "application/pdf",
            "2024-02-20 09:00:00",
        ),
        attachment("f6", 101, "planning", "alice", 700, "image/gif", f"{DAY} 10:00:00"),
        attachment("f7", 116, "planning", "alice", 100, "image/png", f"{DAY} 11:20:00"),
        # Attached to a deleted message: a file, but no attached message.
        attachment("f10", 108, "planning", "bob", 900, "image/png", f"{DAY} 10:08:00"),
        # No chat or uploader, so it counts for neither.
        attachment("f9", 301, None, None, 50, "text/plain", "2024-03-25 08:00:00"),
        # After the as-of date, with a family seen nowhere else.
        attachment(
            "f8", 117, "planning", "alice", 10, "video/mp4", "2024-04-01 09:00:00"
        ),
    ],
}

LABELS = {user(name): name for name in USERS} | {chat(name): name for name in CHATS}


def _build(dsn: str, as_of: str) -> str:
    insert_dataset(dsn, DATASET)
    # Buildable selection leaves out the tests of models outside the selection
    # that share a parent with it, such as relationships tests to profiles.
    run_dbt(
        "build",
        dsn=dsn,
        as_of=as_of,
        select=[f"+{name}" for name in MARTS],
        extra_args=["--indirect-selection", "buildable"],
    )
    return dsn


@pytest.fixture(scope="module")
def dsn(module_dsn: str) -> str:
    """Database with the dataset and the marts built as of AS_OF."""
    return _build(module_dsn, AS_OF)


@pytest.fixture(scope="module")
def early_dsn(pg_server: EmbeddedServer) -> str:
    """Second database with the same dataset, built as of EARLY_AS_OF."""
    database_dsn = pg_server.create_database("t_test_conversation_early", replace=True)
    with psycopg.connect(database_dsn) as connection:
        init_schema(connection)
    return _build(database_dsn, EARLY_AS_OF)


def read_labelled(dsn: str, mart: str, key: list[str]) -> dict[tuple, dict]:
    """Read a mart into {key tuple: row}, with user and chat ids as labels."""
    frame = read_mart(dsn, mart)
    rows = {}
    for record in frame.to_dict("records"):
        labelled = {
            column: LABELS.get(value, value) if isinstance(value, str) else value
            for column, value in record.items()
        }
        rows[tuple(labelled[column] for column in key)] = labelled
    assert len(rows) == len(frame), f"{mart}: key {key} is not unique"
    return rows


def approximate(row: dict) -> dict:
    return {
        column: pytest.approx(value) if isinstance(value, float) else value
        for column, value in row.items()
    }


def assert_rows(actual: dict[tuple, dict], expected: list[dict], key: list[str]):
    expected_by_key = {tuple(row[column] for column in key): row for row in expected}
    assert sorted(actual) == sorted(expected_by_key)
    for row_key, expected_row in expected_by_key.items():
        assert actual[row_key] == approximate(expected_row), row_key


def median(values: list[float]) -> float:
    return float(pd.Series(values).quantile(0.5))


def quantile(values: list[float], fraction: float) -> float:
    # pandas' default linear interpolation is percentile_cont.
    return float(pd.Series(values).quantile(fraction))


def entropy_bits(counts: list[int]) -> float:
    total = sum(counts)
    return -sum(count / total * math.log2(count / total) for count in counts)


# --- conversation_sessions -------------------------------------------------

SESSION_KEY = ["chat_id", "session_number"]


def session(
    chat_label: str,
    number: int,
    start: str,
    end: str,
    messages: int,
    humans: int,
    ai: int,
) -> dict:
    return {
        "chat_id": chat_label,
        "session_number": number,
        "session_start": ts(start),
        "session_end": ts(end),
        "message_count": messages,
        "human_senders": humans,
        "ai_messages": ai,
        "duration_minutes": seconds(start, end) / 60,
    }


ARCHIVE_SESSIONS = [
    # 502 (deleted, 10:30) would have bridged the 45 minutes to 503.
    session("archive", 1, "2023-12-01 10:00:00", "2023-12-01 10:00:00", 1, 1, 0),
    session("archive", 2, "2023-12-01 10:45:00", "2023-12-01 11:00:00", 2, 1, 1),
    session("archive", 3, "2023-12-01 12:00:01", "2023-12-01 12:00:01", 1, 1, 0),
    session("archive", 4, "2023-12-01 13:00:00", "2023-12-01 13:00:00", 2, 2, 0),
    session("side", 1, "2023-12-01 13:30:00", "2023-12-01 13:30:00", 1, 1, 0),
]


def test_sessions_split_after_more_than_30_minutes(dsn):
    expected = [
        session("planning", 1, f"{DAY} 10:00:00", f"{DAY} 10:40:00", 8, 2, 3),
        session("planning", 2, f"{DAY} 11:10:01", f"{DAY} 11:20:00", 5, 3, 2),
        session("muse_room", 1, "2024-02-20 09:00:00", "2024-02-20 09:02:00", 3, 2, 1),
        session("muse_room", 2, "2024-03-20 12:00:00", "2024-03-20 12:00:30", 2, 1, 1),
        session("quiet", 1, "2024-03-25 08:00:00", "2024-03-25 08:00:00", 1, 1, 0),
        *ARCHIVE_SESSIONS,
    ]
    actual = read_labelled(dsn, "conversation_sessions", SESSION_KEY)
    assert_rows(actual, expected, SESSION_KEY)


def test_sessions_durations_by_hand(dsn):
    actual = read_labelled(dsn, "conversation_sessions", SESSION_KEY)
    assert actual[("planning", 1)]["duration_minutes"] == pytest.approx(40.0)
    assert actual[("planning", 2)]["duration_minutes"] == pytest.approx(599 / 60)
    assert actual[("quiet", 1)]["duration_minutes"] == 0.0


def test_sessions_early_as_of(early_dsn):
    expected = [
        session("muse_room", 1, "2024-02-20 09:00:00", "2024-02-20 09:02:00", 3, 2, 1),
        *ARCHIVE_SESSIONS,
    ]
    actual = read_labelled(early_dsn, "conversation_sessions", SESSION_KEY)
    assert_rows(actual, expected, SESSION_KEY)


# --- turn_taking -----------------------------------------------------------


def turns(
    chat_label: str,
    run_lengths: list[tuple[str, int]],
    human_to_ai: int,
) -> dict:
    """Expected turn_taking row from the speaker runs written out by hand."""
    messages = sum(length for _, length in run_lengths)
    per_speaker: dict[str, int] = {}
    for speaker, length in run_lengths:
        per_speaker[speaker] = per_speaker.get(speaker, 0) + length
    count = len(run_lengths)
    return {
        "chat_id": chat_label,
        "messages": messages,
        "turns": count,
        "speaker_switch_rate": (count - 1) / (messages - 1) if messages > 1 else None,
        "avg_run_length": messages / count,
        "distinct_speakers": len(per_speaker),
        "dominant_speaker_share": max(per_speaker.values()) / messages,
        "speaker_entropy_bits": entropy_bits(list(per_speaker.values())),
        "human_to_ai_switches": human_to_ai,
    }


PLANNING_RUNS = [
    ("alice", 3),
    ("sage", 2),
    ("bob", 1),
    ("sage", 1),
    ("alice", 1),
    ("carol", 1),
    ("bob", 1),
    ("sage", 2),
    ("alice", 1),
]
ARCHIVE_RUNS = [("bob", 1), ("muse", 1), ("alice", 1), ("bob", 2), ("alice", 1)]


def test_turn_taking_counts_runs(dsn):
    expected = [
        turns("planning", PLANNING_RUNS, human_to_ai=3),
        turns(
            "muse_room",
            [("dave", 1), ("muse", 1), ("bob", 1), ("muse", 1), ("dave", 1)],
            human_to_ai=2,
        ),
        turns("quiet", [("carol", 1)], human_to_ai=0),
        turns("archive", ARCHIVE_RUNS, human_to_ai=1),
        turns("side", [("alice", 1)], human_to_ai=0),
    ]
    actual = read_labelled(dsn, "turn_taking", ["chat_id"])
    assert_rows(actual, expected, ["chat_id"])


def test_turn_taking_by_hand(dsn):
    planning = read_labelled(dsn, "turn_taking", ["chat_id"])[("planning",)]
    assert planning["turns"] == 9
    assert planning["speaker_switch_rate"] == pytest.approx(8 / 12)
    assert planning["dominant_speaker_share"] == pytest.approx(5 / 13)
    quiet = read_labelled(dsn, "turn_taking", ["chat_id"])[("quiet",)]
    assert quiet["speaker_switch_rate"] is None
    assert quiet["speaker_entropy_bits"] == 0.0


def test_turn_taking_early_as_of(early_dsn):
    expected = [
        turns("muse_room", [("dave", 1), ("muse", 1), ("bob", 1)], human_to_ai=1),
        turns("archive", ARCHIVE_RUNS, human_to_ai=1),
        turns("side", [("alice", 1)], human_to_ai=0),
    ]
    actual = read_labelled(early_dsn, "turn_taking", ["chat_id"])
    assert_rows(actual, expected, ["chat_id"])
    assert actual[("muse_room",)]["speaker_entropy_bits"] == pytest.approx(math.log2(3))


# --- response_times --------------------------------------------------------


def response_row(chat_label: str, ai: list[float], human: list[float]) -> dict:
    latencies = ai + human
    return {
        "chat_id": chat_label,
        "responses": len(latencies),
        "median_response_seconds": median(latencies),
        "p90_response_seconds": quantile(latencies, 0.9),
        "ai_median_response_seconds": median(ai) if ai else None,
        "human_median_response_seconds": median(human) if human else None,
    }


# Latency of each run's first message after the chat's first run, split by
# whether an AI character or a human responds.
PLANNING_AI = [
    seconds(f"{DAY} 10:03:00", f"{DAY} 10:05:00"),
    # The deleted 10:08 message is skipped: measured from 10:06.
    seconds(f"{DAY} 10:06:00", f"{DAY} 10:10:00"),
    seconds(f"{DAY} 11:11:00", f"{DAY} 11:11:00"),
]
PLANNING_HUMAN = [
    seconds(f"{DAY} 10:05:30", f"{DAY} 10:06:00"),
    seconds(f"{DAY} 10:10:00", f"{DAY} 10:40:00"),
    seconds(f"{DAY} 10:40:00", f"{DAY} 11:10:01"),
    seconds(f"{DAY} 11:10:01", f"{DAY} 11:11:00"),
    seconds(f"{DAY} 11:12:00", f"{DAY} 11:20:00"),
]
MUSE_ROOM_AI = [
    seconds("2024-02-20 09:00:00", "2024-02-20 09:00:40"),
    seconds("2024-02-20 09:02:00", "2024-03-20 12:00:00"),
]
MUSE_ROOM_HUMAN = [
    seconds("2024-02-20 09:00:40", "2024-02-20 09:02:00"),
    seconds("2024-03-20 12:00:00", "2024-03-20 12:00:30"),
]
ARCHIVE_AI = [seconds("2023-12-01 10:00:00", "2023-12-01 10:45:00")]
ARCHIVE_HUMAN = [
    seconds("2023-12-01 10:45:00", "2023-12-01 11:00:00"),
    seconds("2023-12-01 11:00:00", "2023-12-01 12:00:01"),
    seconds("2023-12-01 13:00:00", "2023-12-01 13:00:00"),
]


def test_response_times_per_chat(dsn):
    expected = [
        response_row("planning", PLANNING_AI, PLANNING_HUMAN),
        response_row("muse_room", MUSE_ROOM_AI, MUSE_ROOM_HUMAN),
        response_row("archive", ARCHIVE_AI, ARCHIVE_HUMAN),
    ]
    actual = read_labelled(dsn, "response_times", ["chat_id"])
    assert_rows(actual, expected, ["chat_id"])


def test_response_times_by_hand(dsn):
    planning = read_labelled(dsn, "response_times", ["chat_id"])[("planning",)]
    # Latencies 0, 30, 59, 120, 240, 480, 1800, 1801.
    assert planning["responses"] == 8
    assert planning["median_response_seconds"] == pytest.approx(180.0)
    assert planning["p90_response_seconds"] == pytest.approx(1800.3)
    assert planning["ai_median_response_seconds"] == pytest.approx(120.0)
    assert planning["human_median_response_seconds"] == pytest.approx(480.0)


def test_response_times_early_as_of(early_dsn):
    expected = [
        response_row("muse_room", MUSE_ROOM_AI[:1], MUSE_ROOM_HUMAN[:1]),
        response_row("archive", ARCHIVE_AI, ARCHIVE_HUMAN),
    ]
    actual = read_labelled(early_dsn, "response_times", ["chat_id"])
    assert_rows(actual, expected, ["chat_id"])


# --- conversation_health ---------------------------------------------------


def health(
    chat_label: str,
    *,
    participants: int,
    active_28d: int,
    posting: int,
    messages_28d: int,
    messages_prev_28d: int,
    deleted: int,
    system: int,
    total: int,
    last_message: str | None,
    as_of: str,
    recent_latencies: list[float],
) -> dict:
    """Expected conversation_health row, with the documented score formula."""
    participation = active_28d / participants if participants else 0.0
    if messages_28d == 0:
        trend = 0.0
    elif messages_prev_28d == 0:
        trend = 1.0
    else:
        trend = min(1.0, messages_28d / messages_prev_28d)
    deleted_share = deleted / total if total else None
    non_deleted = 1 - deleted_share if total else 0.0
    responsiveness = (
        3600 / (3600 + median(recent_latencies)) if recent_latencies else 0.0
    )
    score = 35 * participation + 25 * trend + 15 * non_deleted + 25 * responsiveness
    days = (
        (dt.date.fromisoformat(as_of) - dt.date.fromisoformat(last_message)).days
        if last_message
        else None
    )
    if days is None or days >= 56:
        status = "dead"
    elif score >= 70:
        status = "thriving"
    elif score >= 40:
        status = "stable"
    else:
        status = "at_risk"
    return {
        "chat_id": chat_label,
        "title": chat_label.replace("_", " ").title(),
        "participants": participants,
        "active_participants_28d": active_28d,
        "participation_ratio": posting / participants if participants else None,
        "messages_28d": messages_28d,
        "messages_prev_28d": messages_prev_28d,
        "deleted_share": deleted_share,
        "system_share": system / total if total else None,
        "days_since_last_message": days,
        "health_score": score,
        "health_status": status,
    }


def test_conversation_health_as_of(dsn):
    expected = [
        health(
            "planning",
            participants=3,
            active_28d=3,
            posting=3,
            messages_28d=13,
            messages_prev_28d=0,
            deleted=1,
            system=2,
            total=16,
            last_message="2024-03-30",
            as_of=AS_OF,
            recent_latencies=PLANNING_AI + PLANNING_HUMAN,
        ),
        health(
            # erin joined after the as-of date; the deleted sage message
            # counts for deleted_share only.
            "muse_room",
            participants=3,
            active_28d=1,
            posting=2,
            messages_28d=2,
            messages_prev_28d=3,
            deleted=2,
            system=0,
            total=7,
            last_message="2024-03-20",
            as_of=AS_OF,
            recent_latencies=[MUSE_ROOM_AI[1], MUSE_ROOM_HUMAN[1]],
        ),
        health(
            "quiet",
            participants=2,
            active_28d=1,
            posting=1,
            messages_28d=1,
            messages_prev_28d=0,
            deleted=0,
            system=0,
            total=1,
            last_message="2024-03-25",
            as_of=AS_OF,
            recent_latencies=[],
        ),
        health(
            # A system message keeps no chat alive.
            "empty",
            participants=1,
            active_28d=0,
            posting=0,
            messages_28d=0,
            messages_prev_28d=0,
            deleted=0,
            system=1,
            total=1,
            last_message=None,
            as_of=AS_OF,
            recent_latencies=[],
        ),
        health(
            "archive",
            participants=2,
            active_28d=0,
            posting=2,
            messages_28d=0,
            messages_prev_28d=0,
            deleted=1,
            system=0,
            total=7,
            last_message="2023-12-01",
            as_of=AS_OF,
            recent_latencies=[],
        ),
        health(
            "side",
            participants=1,
            active_28d=0,
            posting=1,
            messages_28d=0,
            messages_prev_28d=0,
            deleted=0,
            system=0,
            total=1,
            last_message="2023-12-01",
            as_of=AS_OF,
            recent_latencies=[],
        ),
    ]
    actual = read_labelled(dsn, "conversation_health", ["chat_id"])
    assert_rows(actual, expected, ["chat_id"])


def test_conversation_health_scores_by_hand(dsn):
    actual = read_labelled(dsn, "conversation_health", ["chat_id"])
    # 35 * 3/3 + 25 * 1 + 15 * 15/16 + 25 * 3600 / (3600 + 180)
    assert actual[("planning",)]["health_score"] == pytest.approx(97.872024, abs=1e-6)
    assert actual[("planning",)]["health_status"] == "thriving"
    # 35 * 1/3 + 25 * 2/3 + 15 * 5/7 + 25 * 3600 / (3600 + 1258155)
    assert actual[("muse_room",)]["health_score"] == pytest.approx(39.118948, abs=1e-6)
    assert actual[("muse_room",)]["health_status"] == "at_risk"
    # 35 * 1/2 + 25 * 1 + 15 * 1 + 0
    assert actual[("quiet",)]["health_score"] == pytest.approx(57.5)
    assert actual[("quiet",)]["health_status"] == "stable"
    assert actual[("empty",)]["health_score"] == pytest.approx(15.0)
    assert actual[("empty",)]["health_status"] == "dead"


def test_conversation_health_early_as_of(early_dsn):
    expected = [
        health(
            # Created before the as-of date, but every message comes later.
            "planning",
            participants=3,
            active_28d=0,
            posting=0,
            messages_28d=0,
            messages_prev_28d=0,
            deleted=0,
            system=0,
            total=0,
            last_message=None,
            as_of=EARLY_AS_OF,
            recent_latencies=[],
        ),
        health(
            "muse_room",
            participants=3,
            active_28d=2,
            posting=2,
            messages_28d=3,
            messages_prev_28d=0,
            deleted=1,
            system=0,
            total=4,
            last_message="2024-02-20",
            as_of=EARLY_AS_OF,
            recent_latencies=[MUSE_ROOM_AI[0], MUSE_ROOM_HUMAN[0]],
        ),
        health(
            "empty",
            participants=1,
            active_28d=0,
            posting=0,
            messages_28d=0,
            messages_prev_28d=0,
            deleted=0,
            system=0,
            total=0,
            last_message=None,
            as_of=EARLY_AS_OF,
            recent_latencies=[],
        ),
        health(
            "archive",
            participants=2,
            active_28d=0,
            posting=2,
            messages_28d=0,
            messages_prev_28d=0,
            deleted=1,
            system=0,
            total=7,
            last_message="2023-12-01",
            as_of=EARLY_AS_OF,
            recent_latencies=[],
        ),
        health(
            "side",
            participants=1,
            active_28d=0,
            posting=1,
            messages_28d=0,
            messages_prev_28d=0,
            deleted=0,
            system=0,
            total=1,
            last_message="2023-12-01",
            as_of=EARLY_AS_OF,
            recent_latencies=[],
        ),
    ]
    actual = read_labelled(early_dsn, "conversation_health", ["chat_id"])
    assert_rows(actual, expected, ["chat_id"])
    assert actual[("muse_room",)]["health_status"] == "thriving"


# --- ai_character_engagement -----------------------------------------------


def engagement(
    character: str,
    chats_using: int,
    ai_messages: int,
    users_engaged: int,
    human_replies: int,
    latencies: list[float],
) -> dict:
    return {
        "ai_character_id": character,
        "chats_using": chats_using,
        "ai_messages": ai_messages,
        "users_engaged": users_engaged,
        "human_replies": human_replies,
        "reply_rate": human_replies / ai_messages if ai_messages else None,
        "median_ai_response_seconds": median(latencies) if latencies else None,
    }


def test_ai_character_engagement(dsn):
    expected = [
        # Humans in planning: alice, bob, carol. Replies: 107, 110, 116.
        engagement("sage", 1, 5, 3, 3, PLANNING_AI),
        # Humans: dave and bob in muse_room, bob and alice in archive.
        # Replies: 204, 206, 504.
        engagement("muse", 1, 3, 3, 3, MUSE_ROOM_AI + ARCHIVE_AI),
        # Only a current_ai_character_id.
        engagement("ghost", 1, 0, 0, 0, []),
    ]
    actual = read_labelled(dsn, "ai_character_engagement", ["ai_character_id"])
    assert_rows(actual, expected, ["ai_character_id"])


def test_ai_character_engagement_early_as_of(early_dsn):
    expected = [
        engagement("sage", 1, 0, 0, 0, []),
        engagement("muse", 1, 2, 3, 2, MUSE_ROOM_AI[:1] + ARCHIVE_AI),
    ]
    actual = read_labelled(early_dsn, "ai_character_engagement", ["ai_character_id"])
    assert_rows(actual, expected, ["ai_character_id"])


# --- mention_network -------------------------------------------------------

MENTION_KEY = ["mentioner_id", "mentioned_id"]


def mention(
    mentioner: str,
    mentioned: str,
    mentions: int,
    first: str,
    reciprocal: bool,
    replied: int,
) -> dict:
    return {
        "mentioner_id": mentioner,
        "mentioned_id": mentioned,
        "mentions": mentions,
        "first_mention_at": ts(first),
        "is_reciprocal": reciprocal,
        "replied_within_1h_share": replied / mentions,
    }


def test_mention_network(dsn):
    expected = [
        # 504 replies to 501 exactly an hour later. After 506 come only 507
        # at the same instant and 601 in another chat.
        mention("bob", "alice", 2, "2023-12-01 10:00:00", True, 1),
        # 504 (replied to 1 h 1 s later) and 116 (bob named twice, counted once).
        mention("alice", "bob", 2, "2023-12-01 11:00:00", True, 0),
        mention("dave", "bob", 1, "2024-02-20 09:00:00", False, 1),
    ]
    actual = read_labelled(dsn, "mention_network", MENTION_KEY)
    assert_rows(actual, expected, MENTION_KEY)


def test_mention_network_early_as_of(early_dsn):
    expected = [
        mention("bob", "alice", 2, "2023-12-01 10:00:00", True, 1),
        mention("alice", "bob", 1, "2023-12-01 11:00:00", True, 0),
        mention("dave", "bob", 1, "2024-02-20 09:00:00", False, 1),
    ]
    actual = read_labelled(early_dsn, "mention_network", MENTION_KEY)
    assert_rows(actual, expected, MENTION_KEY)


# --- file_sharing_patterns -------------------------------------------------

FILE_KEY = ["month", "mime_family"]


def expected_file_rows(as_of: str) -> list[dict]:
    """Compute file_sharing_patterns with pandas from the dataset rows."""
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    messages = pd.DataFrame(DATASET["messages"])
    messages = messages[messages["created_at"] < end]
    files = pd.DataFrame(DATASET["file_attachments"])
    files = files[files["created_at"] < end].copy()

    family = files["file_type"].str.split("/").str[0].str.lower()
    files["mime_family"] = family.where(
        files["file_type"].str.contains("/") & (family != ""), "unknown"
    )
    files["month"] = files["created_at"].dt.to_period("M")

    non_deleted = messages[messages["deleted_at"].isna()].copy()
    non_deleted["month"] = non_deleted["created_at"].dt.to_period("M")
    non_deleted["attached"] = non_deleted["id"].isin(files["message_id"])

    months = pd.period_range(files["month"].min(), pd.Period(as_of, "M"), freq="M")
    rows = []
    for month in months:
        month_messages = non_deleted[non_deleted["month"] == month]
        rate = (
            month_messages["attached"].sum() / len(month_messages)
            if len(month_messages)
            else None
        )
        for family_name in sorted(files["mime_family"].unique()):
            group = files[
                (files["month"] == month) & (files["mime_family"] == family_name)
            ]
            sizes = group["file_size"].astype(float)
            rows.append(
                {
                    "month": month.start_time.date(),
                    "mime_family": family_name,
                    "files": len(group),
                    "total_bytes": int(sizes.sum()),
                    "median_bytes": float(sizes.quantile(0.5)) if len(group) else None,
                    "p95_bytes": float(sizes.quantile(0.95)) if len(group) else None,
                    "uploaders": group["user_id"].nunique(),
                    "chats_with_files": group["chat_id"].nunique(),
                    "message_attachment_rate": float(rate)
                    if rate is not None
                    else None,
                }
            )
    return rows


def test_file_sharing_patterns(dsn):
    expected = expected_file_rows(AS_OF)
    actual = read_labelled(dsn, "file_sharing_patterns", FILE_KEY)
    assert_rows(actual, expected, FILE_KEY)


def test_file_sharing_patterns_by_hand(dsn):
    actual = read_labelled(dsn, "file_sharing_patterns", FILE_KEY)
    families = {family for _, family in actual}
    # IMAGE/JPEG is image, and "pdf" and "/octet-stream" are unknown. The
    # video family appears only after the as-of date.
    assert families == {"application", "image", "text", "unknown"}
    december_images = actual[(dt.date(2023, 12, 1), "image")]
    assert december_images["files"] == 2
    assert december_images["median_bytes"] == pytest.approx(2000.0)
    assert december_images["p95_bytes"] == pytest.approx(2900.0)
    assert december_images["message_attachment_rate"] == pytest.approx(3 / 7)
    january = actual[(dt.date(2024, 1, 1), "image")]
    assert january["files"] == 0
    assert january["median_bytes"] is None
    assert january["message_attachment_rate"] is None
    march_images = actual[(dt.date(2024, 3, 1), "image")]
    assert march_images["files"] == 3
    assert march_images["uploaders"] == 2
    assert march_images["message_attachment_rate"] == pytest.approx(3 / 19)
    march_text = actual[(dt.date(2024, 3, 1), "text")]
    assert march_text["files"] == 1
    assert march_text["uploaders"] == 0
    assert march_text["chats_with_files"] == 0


def test_file_sharing_patterns_early_as_of(early_dsn):
    expected = expected_file_rows(EARLY_AS_OF)
    actual = read_labelled(early_dsn, "file_sharing_patterns", FILE_KEY)
    assert_rows(actual, expected, FILE_KEY)
    assert len(actual) == 12
