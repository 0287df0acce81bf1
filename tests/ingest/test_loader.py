"""The validating bulk loader and the ``load`` command, against a real PostgreSQL."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import polars as pl
import psycopg
import pytest
from psycopg import sql

from chat_analytics.errors import LoadError, WarehouseError
from chat_analytics.ingest.loader import (
    LoadReport,
    RejectedRowsError,
    load_directory,
    load_tables,
)
from chat_analytics.ingest.validate import TABLE_SPECS, Kind
from chat_analytics.warehouse import EmbeddedServer
from chat_analytics.warehouse.schema import TABLES

CLI = [sys.executable, "-m", "chat_analytics.cli"]
T0 = datetime(2024, 3, 1, 9, 0, 0)


def uid(label: str) -> str:
    """Return a stable UUID for a readable label such as 'alice'."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"loader-test:{label}"))


def at(minutes: int) -> datetime:
    return T0.replace(minute=minutes % 60, hour=9 + minutes // 60)


def valid_dataset() -> dict[str, pl.DataFrame]:
    """Return a small valid dataset with rows in all 11 tables.

    profiles omits user_role and prompt_username_setup, so their defaults
    apply. messages has user, system and AI messages.
    """
    people = ["alice", "bob", "carol", "dave"]
    profiles = pl.DataFrame(
        {
            "id": [uid(p) for p in people],
            "username": people,
            "display_name": [p.title() for p in people],
            "avatar_url": [f"https://img.test/{p}.png" for p in people],
            "email": [f"{p}@mail.test" for p in people],
            "bio": ["likes tea", None, None, None],
            "created_at": [at(i) for i in range(4)],
            "updated_at": [at(i) for i in range(4)],
        }
    )

    chats = pl.DataFrame(
        {
            "id": [uid("general"), uid("pair")],
            "title": ["General", "Bob and Dave"],
            "created_by": [uid("alice"), uid("bob")],
            "created_at": [at(10), at(11)],
            "updated_at": [at(10), at(11)],
        }
    )

    participants = pl.DataFrame(
        {
            "chat_id": [uid("general")] * 3 + [uid("pair")] * 2,
            "user_id": [
                uid("alice"),
                uid("bob"),
                uid("carol"),
                uid("bob"),
                uid("dave"),
            ],
            "joined_at": [at(12)] * 5,
        }
    )

    messages = pl.DataFrame(
        {
            "id": [uid(f"m{i}") for i in range(1, 6)],
            "chat_id": [uid("general")] * 4 + [uid("pair")],
            "sender_id": [uid("alice"), uid("bob"), None, None, uid("dave")],
            "content": [
                "hello @bob",
                "hi alice",
                "carol joined the chat",
                "Here is a summary.",
                'quote " backslash \\ and\nnewline, comma\r\n\ttab',
            ],
            "is_ai": [False, False, False, True, False],
            "ai_character_id": [None, None, None, "helper", None],
            "created_at": [at(20 + i) for i in range(5)],
            "updated_at": [at(20 + i) for i in range(5)],
            "deleted_at": [None, None, None, None, at(40)],
            "mentioned_users": [["bob"], None, None, None, ['a"b', "c\\d", None, ""]],
            "is_system_message": [False, False, True, False, False],
            "mentions_data": ['{"users": ["bob"]}', None, None, None, None],
        }
    )

    friends = pl.DataFrame(
        {
            "id": [uid("f1"), uid("f2"), uid("f3")],
            "user_id": [uid("alice"), uid("bob"), uid("carol")],
            "friend_id": [uid("bob"), uid("carol"), uid("dave")],
            "status": ["accepted", "pending", "declined"],
            "created_at": [at(30)] * 3,
            "updated_at": [at(31)] * 3,
        }
    )

    notifications = pl.DataFrame(
        {
            "id": [uid("n1"), uid("n2")],
            "user_id": [uid("bob"), uid("carol")],
            "type": ["message", "friend_request"],
            "title": ["New message", "Friend request"],
            "message": ["alice mentioned you", "bob wants to be friends"],
            "data": ['{"message_id": "m1"}', None],
            "created_at": [at(21), at(31)],
            "read": [True, False],
            "updated_at": [at(22), at(31)],
        }
    )

    attachments = pl.DataFrame(
        {
            "id": [uid("a1")],
            "message_id": [uid("m1")],
            "chat_id": [uid("general")],
            "user_id": [uid("alice")],
            "file_name": ["photo.png"],
            "file_size": [20_480],
            "file_type": ["image/png"],
            "file_path": ["uploads/photo.png"],
            "created_at": [at(20)],
        }
    )

    anonymous_chats = pl.DataFrame(
        {"id": [uid("anon")], "join_code": ["JOIN42"], "created_at": [at(50)]}
    )

    anonymous_users = pl.DataFrame(
        {
            "id": [uid("guest")],
            "chat_id": [uid("anon")],
            "guest_id": ["guest-1"],
            "created_at": [at(51)],
        }
    )

    anonymous_messages = pl.DataFrame(
        {
            "id": [uid("am1")],
            "chat_id": [uid("anon")],
            "guest_id": ["guest-1"],
            "content": ["anyone here?"],
            "created_at": [at(52)],
        }
    )

    invitations = pl.DataFrame(
        {
            "id": [uid("i1")],
            "chat_id": [uid("general")],
            "inviting_user_id": [uid("alice")],
            "invited_user_id": [uid("dave")],
            "status": ["pending"],
            "created_at": [at(33)],
        }
    )

    return {
        "profiles": profiles,
        "chats": chats,
        "chat_participants": participants,
        "messages": messages,
        "friends": friends,
        "notifications": notifications,
        "file_attachments": attachments,
        "anonymous_chats": anonymous_chats,
        "anonymous_chat_users": anonymous_users,
        "anonymous_messages": anonymous_messages,
        "chat_invitations": invitations,
    }


VALID_COUNTS = {
    "profiles": 4,
    "chats": 2,
    "chat_participants": 5,
    "messages": 5,
    "friends": 3,
    "notifications": 2,
    "file_attachments": 1,
    "anonymous_chats": 1,
    "anonymous_chat_users": 1,
    "anonymous_messages": 1,
    "chat_invitations": 1,
}


def table_counts(dsn: str) -> dict[str, int]:
    counts = {}
    with psycopg.connect(dsn) as connection:
        for table in TABLES:
            query = sql.SQL("select count(*) from {}").format(
                sql.Identifier("chat", table)
            )
            counts[table] = connection.execute(query).fetchone()[0]
    return counts


def table_checksums(dsn: str) -> dict[str, str | None]:
    """Return an md5 over the sorted text of every row, per table."""
    checksums = {}
    with psycopg.connect(dsn) as connection:
        for table in TABLES:
            query = sql.SQL(
                "select md5(string_agg(t::text, '|' order by t::text)) from {} as t"
            ).format(sql.Identifier("chat", table))
            checksums[table] = connection.execute(query).fetchone()[0]
    return checksums


def insert_row(frame: pl.DataFrame, changes: dict, position: int = 1) -> pl.DataFrame:
    """Return ``frame`` with a changed copy of its row 0 inserted at ``position``."""
    row = frame.row(0, named=True) | changes
    new = pl.DataFrame([row], schema=frame.schema, orient="row")
    return pl.concat([frame.head(position), new, frame.slice(position)])


def with_string_column(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    if frame.schema[column] == pl.Datetime:
        return frame.with_columns(pl.col(column).dt.strftime("%Y-%m-%d %H:%M:%S"))
    return frame.with_columns(pl.col(column).cast(pl.String))


def rejections(report: LoadReport) -> list[tuple[str, int]]:
    return [(row.table, row.row_number) for row in report.rejected_rows]


# -- the valid dataset ---------------------------------------------------------


def test_valid_dataset_loads_every_row(fresh_dsn: str) -> None:
    report = load_tables(fresh_dsn, valid_dataset())
    assert report.rejected_rows == []
    assert report.inserted == sum(VALID_COUNTS.values())
    assert report.skipped == 0
    for table, expected in VALID_COUNTS.items():
        assert report.tables[table].inserted == expected, table
    assert table_counts(fresh_dsn) == VALID_COUNTS


def test_valid_dataset_values_round_trip(fresh_dsn: str) -> None:
    load_tables(fresh_dsn, valid_dataset())
    with psycopg.connect(fresh_dsn) as connection:
        content, mentioned, deleted_at = connection.execute(
            "select content, mentioned_users, deleted_at from chat.messages "
            "where id = %s",
            (uid("m5"),),
        ).fetchone()
        role, prompt, bio = connection.execute(
            "select user_role, prompt_username_setup, bio from chat.profiles "
            "where username = 'alice'"
        ).fetchone()
        mentions = connection.execute(
            "select mentions_data from chat.messages where id = %s", (uid("m1"),)
        ).fetchone()[0]
        system_sender = connection.execute(
            "select sender_id from chat.messages where is_system_message"
        ).fetchone()[0]
        file_size = connection.execute(
            "select file_size from chat.file_attachments"
        ).fetchone()[0]
    assert content == 'quote " backslash \\ and\nnewline, comma\r\n\ttab'
    assert mentioned == ['a"b', "c\\d", None, ""]
    assert deleted_at == at(40)
    assert role == "user"
    assert prompt is False
    assert bio == "likes tea"
    assert mentions == {"users": ["bob"]}
    assert system_sender is None
    assert file_size == 20_480


def test_loading_twice_changes_nothing(fresh_dsn: str) -> None:
    first = load_tables(fresh_dsn, valid_dataset())
    counts = table_counts(fresh_dsn)
    checksums = table_checksums(fresh_dsn)
    second = load_tables(fresh_dsn, valid_dataset())
    assert first.inserted == 26
    assert second.inserted == 0
    assert second.skipped == 26
    assert second.rejected == 0
    assert table_counts(fresh_dsn) == counts
    assert table_checksums(fresh_dsn) == checksums


def test_existing_primary_key_is_skipped_not_updated(fresh_dsn: str) -> None:
    load_tables(fresh_dsn, valid_dataset())
    changed = valid_dataset()["chats"].with_columns(title=pl.lit("Renamed"))
    report = load_tables(fresh_dsn, {"chats": changed})
    with psycopg.connect(fresh_dsn) as connection:
        titles = connection.execute(
            "select title from chat.chats order by title"
        ).fetchall()
    assert report.tables["chats"].skipped == 2
    assert report.tables["chats"].inserted == 0
    assert titles == [("Bob and Dave",), ("General",)]


def test_child_rows_may_reference_warehouse_rows(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    load_tables(fresh_dsn, {"profiles": dataset["profiles"], "chats": dataset["chats"]})
    report = load_tables(fresh_dsn, {"messages": dataset["messages"]})
    assert report.rejected_rows == []
    assert report.tables["messages"].inserted == 5


def test_timestamps_and_uuids_as_strings_load(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    profiles = dataset["profiles"].with_columns(
        pl.col("created_at").dt.strftime("%Y-%m-%dT%H:%M:%S.%6f"),
        pl.col("updated_at").dt.strftime("%Y-%m-%d %H:%M:%S+02:00"),
        pl.col("id").str.to_uppercase(),
    )
    report = load_tables(fresh_dsn, {"profiles": profiles})
    with psycopg.connect(fresh_dsn) as connection:
        created, updated = connection.execute(
            "select created_at, updated_at from chat.profiles where id = %s",
            (uid("alice"),),
        ).fetchone()
    assert report.tables["profiles"].inserted == 4
    assert created == at(0)
    # 09:00 at UTC+02:00 is 07:00 UTC.
    assert updated == at(0).replace(hour=7)


# -- rejected rows -------------------------------------------------------------


# Each case inserts one row at position 1 of a table of the valid dataset: a
# copy of the table's row 0 with these changes. The row must be rejected with
# a reason that contains the given text.
BAD_ROWS: list[tuple[str, str, dict, str]] = [
    (
        "self_friendship",
        "friends",
        {"id": uid("bad"), "friend_id": uid("alice")},
        "user_id equals friend_id",
    ),
    (
        "duplicate_username",
        "profiles",
        {"id": uid("eve"), "email": "eve@mail.test"},
        "duplicate username 'alice' in the batch (first at row 0)",
    ),
    (
        "duplicate_email",
        "profiles",
        {"id": uid("eve"), "username": "eve"},
        "duplicate email in the batch (first at row 0)",
    ),
    (
        "empty_content",
        "messages",
        {"id": uid("bad"), "content": ""},
        "content is empty",
    ),
    (
        "system_message_with_sender",
        "messages",
        {"id": uid("bad"), "is_system_message": True},
        "system message has a sender_id",
    ),
    (
        "missing_chat",
        "messages",
        {"id": uid("bad"), "chat_id": uid("nowhere")},
        f"chat_id {uid('nowhere')} not found in chats",
    ),
    (
        "missing_sender",
        "messages",
        {"id": uid("bad"), "sender_id": uid("nobody")},
        f"sender_id {uid('nobody')} not found in profiles",
    ),
    (
        "nul_byte",
        "messages",
        {"id": uid("bad"), "content": "before\x00after"},
        "content contains a NUL byte",
    ),
    (
        "nul_byte_in_array",
        "messages",
        {"id": uid("bad"), "mentioned_users": ["ok", "b\x00d"]},
        "mentioned_users contains a NUL byte",
    ),
    (
        "malformed_uuid",
        "messages",
        {"id": "not-a-uuid"},
        "id is not a valid UUID: 'not-a-uuid'",
    ),
    (
        "nul_byte_in_uuid",
        "messages",
        {"id": "ab\x00cd"},
        "id is not a valid UUID: 'ab\\x00cd'",
    ),
    (
        "not_null",
        "profiles",
        {"id": uid("eve"), "username": None, "email": "eve@mail.test"},
        "username is null (NOT NULL column)",
    ),
    (
        "friend_status",
        "friends",
        {
            "id": uid("bad"),
            "user_id": uid("dave"),
            "friend_id": uid("alice"),
            "status": "blocked",
        },
        "status is not one of pending, accepted, declined: 'blocked'",
    ),
    (
        "invitation_status",
        "chat_invitations",
        {
            "id": uid("bad"),
            "invited_user_id": uid("bob"),
            "status": "maybe",
        },
        "status is not one of pending, accepted, declined: 'maybe'",
    ),
    (
        "duplicate_primary_key",
        "chats",
        {"title": "Copy of General"},
        f"duplicate id '{uid('general')}' in the batch (first at row 0)",
    ),
    (
        "duplicate_friend_pair",
        "friends",
        {"id": uid("bad"), "status": "pending"},
        f"duplicate (user_id, friend_id) '{uid('alice')}', '{uid('bob')}' "
        "in the batch (first at row 0)",
    ),
    (
        "duplicate_invitation_pair",
        "chat_invitations",
        {"id": uid("bad")},
        "duplicate (chat_id, invited_user_id)",
    ),
    (
        "duplicate_participant",
        "chat_participants",
        {"joined_at": at(59)},
        "duplicate (chat_id, user_id)",
    ),
    (
        "duplicate_join_code",
        "anonymous_chats",
        {"id": uid("bad")},
        "duplicate join_code 'JOIN42' in the batch (first at row 0)",
    ),
    (
        "invalid_json",
        "messages",
        {"id": uid("bad"), "mentions_data": '{"users": ['},
        "mentions_data is not valid JSON",
    ),
    (
        "too_long",
        "profiles",
        {"id": uid("eve"), "username": "e" * 256, "email": "e@x.test"},
        "username is longer than 255 characters",
    ),
    (
        "integer_range",
        "file_attachments",
        {"id": uid("bad"), "file_size": 3_000_000_000},
        "file_size is outside the integer range",
    ),
]


@pytest.mark.parametrize(
    ("table", "changes", "reason"),
    [pytest.param(t, c, r, id=name) for name, t, c, r in BAD_ROWS],
)
def test_bad_row_is_rejected_and_others_load(
    fresh_dsn: str, table: str, changes: dict, reason: str
) -> None:
    dataset = valid_dataset()
    dataset[table] = insert_row(dataset[table], changes, position=1)
    report = load_tables(fresh_dsn, dataset)
    assert rejections(report) == [(table, 1)]
    assert reason in report.rejected_rows[0].reason
    assert report.tables[table].rejected == 1
    assert table_counts(fresh_dsn) == VALID_COUNTS


def test_rejected_row_reports_its_key(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    dataset["messages"] = insert_row(
        dataset["messages"], {"id": uid("bad"), "content": ""}, position=3
    )
    report = load_tables(fresh_dsn, dataset)
    assert len(report.rejected_rows) == 1
    rejected = report.rejected_rows[0]
    assert rejected.table == "messages"
    assert rejected.row_number == 3
    assert rejected.key == uid("bad")


def test_malformed_timestamp_is_rejected(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    messages = with_string_column(dataset["messages"], "created_at")
    dataset["messages"] = insert_row(
        messages, {"id": uid("bad"), "created_at": "2024-02-30 10:00:00"}
    )
    report = load_tables(fresh_dsn, dataset)
    assert rejections(report) == [("messages", 1)]
    assert report.rejected_rows[0].reason == (
        "created_at is not a valid timestamp: '2024-02-30 10:00:00'"
    )
    assert table_counts(fresh_dsn) == VALID_COUNTS


def test_boolean_strings_are_parsed(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    messages = dataset["messages"].with_columns(
        pl.col("is_ai").cast(pl.String).str.to_uppercase()
    )
    dataset["messages"] = insert_row(messages, {"id": uid("bad"), "is_ai": "maybe"})
    report = load_tables(fresh_dsn, dataset)
    with psycopg.connect(fresh_dsn) as connection:
        ai_messages = connection.execute(
            "select id::text from chat.messages where is_ai"
        ).fetchall()
    assert rejections(report) == [("messages", 1)]
    assert report.rejected_rows[0].reason == "is_ai is not a valid boolean: 'maybe'"
    assert ai_messages == [(uid("m4"),)]


def test_rejected_parent_cascades_to_children(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    # eve's display name has a NUL byte, so her chat, its participant and its
    # message are rejected along with her profile.
    dataset["profiles"] = insert_row(
        dataset["profiles"],
        {
            "id": uid("eve"),
            "username": "eve",
            "email": "eve@mail.test",
            "display_name": "E\x00ve",
        },
        position=4,
    )
    dataset["chats"] = insert_row(
        dataset["chats"],
        {"id": uid("eve-chat"), "created_by": uid("eve")},
        position=2,
    )
    dataset["chat_participants"] = insert_row(
        dataset["chat_participants"],
        {"chat_id": uid("eve-chat"), "user_id": uid("alice")},
        position=5,
    )
    dataset["messages"] = insert_row(
        dataset["messages"],
        {"id": uid("eve-message"), "chat_id": uid("eve-chat"), "sender_id": uid("eve")},
        position=5,
    )
    report = load_tables(fresh_dsn, dataset)
    assert rejections(report) == [
        ("profiles", 4),
        ("chats", 2),
        ("chat_participants", 5),
        ("messages", 5),
    ]
    reasons = [row.reason for row in report.rejected_rows]
    assert reasons[0] == (
        "display_name contains a NUL byte, which PostgreSQL text cannot store"
    )
    assert reasons[1] == f"created_by {uid('eve')} refers to a rejected profiles row"
    assert reasons[2] == f"chat_id {uid('eve-chat')} refers to a rejected chats row"
    assert reasons[3] == (
        f"chat_id {uid('eve-chat')} refers to a rejected chats row; "
        f"sender_id {uid('eve')} refers to a rejected profiles row"
    )
    assert table_counts(fresh_dsn) == VALID_COUNTS


def test_row_with_several_faults_lists_them_all(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    dataset["friends"] = insert_row(
        dataset["friends"],
        {"id": uid("bad"), "friend_id": uid("alice"), "status": "blocked"},
    )
    report = load_tables(fresh_dsn, dataset)
    assert rejections(report) == [("friends", 1)]
    assert report.rejected_rows[0].reason == (
        "status is not one of pending, accepted, declined: 'blocked'; "
        "user_id equals friend_id (a user cannot befriend themselves)"
    )


# Rows that clash with a unique key of a row already in the warehouse.
WAREHOUSE_CONFLICTS = [
    (
        "username",
        "profiles",
        {"id": uid("eve"), "email": "eve@mail.test"},
        f"username 'alice' already belongs to profiles row {uid('alice')}",
    ),
    (
        "email",
        "profiles",
        {"id": uid("eve"), "username": "eve"},
        f"email already belongs to profiles row {uid('alice')}",
    ),
    (
        "friend_pair",
        "friends",
        {"id": uid("other-friendship")},
        f"(user_id, friend_id) already exists as friends row {uid('f1')}",
    ),
    (
        "invitation_pair",
        "chat_invitations",
        {"id": uid("other-invitation")},
        "(chat_id, invited_user_id) already exists as chat_invitations row "
        + uid("i1"),
    ),
    (
        "join_code",
        "anonymous_chats",
        {"id": uid("other-anon")},
        f"join_code 'JOIN42' already belongs to anonymous_chats row {uid('anon')}",
    ),
]


@pytest.mark.parametrize(
    ("table", "changes", "reason"),
    [pytest.param(t, c, r, id=name) for name, t, c, r in WAREHOUSE_CONFLICTS],
)
def test_unique_clash_with_warehouse_is_rejected(
    fresh_dsn: str, table: str, changes: dict, reason: str
) -> None:
    load_tables(fresh_dsn, valid_dataset())
    checksums = table_checksums(fresh_dsn)
    # The batch is one new row, a copy of the table's first row with a new id.
    batch = insert_row(valid_dataset()[table], changes, position=0).head(1)
    report = load_tables(fresh_dsn, {table: batch})
    assert rejections(report) == [(table, 0)]
    assert report.rejected_rows[0].reason == reason
    assert report.tables[table].inserted == 0
    assert table_checksums(fresh_dsn) == checksums


def test_strict_mode_loads_nothing(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    dataset["messages"] = insert_row(
        dataset["messages"], {"id": uid("bad"), "content": ""}
    )
    dataset["friends"] = insert_row(
        dataset["friends"], {"id": uid("bad"), "friend_id": uid("alice")}
    )
    with pytest.raises(
        RejectedRowsError, match="strict load rejected 2 of 28"
    ) as error:
        load_tables(fresh_dsn, dataset, strict=True)
    assert "messages row 1" in str(error.value)
    assert "content is empty" in str(error.value)
    assert rejections(error.value.report) == [("messages", 1), ("friends", 1)]
    assert error.value.report.committed is False
    assert set(table_counts(fresh_dsn).values()) == {0}


def test_strict_mode_loads_valid_data(fresh_dsn: str) -> None:
    report = load_tables(fresh_dsn, valid_dataset(), strict=True)
    assert report.inserted == 26
    assert table_counts(fresh_dsn) == VALID_COUNTS


# -- errors in the input's structure ------------------------------------------


def test_unknown_column_is_an_error(module_dsn: str) -> None:
    profiles = valid_dataset()["profiles"].with_columns(nickname=pl.lit("x"))
    with pytest.raises(LoadError, match=r"unknown column profiles\.nickname"):
        load_tables(module_dsn, {"profiles": profiles})


def test_unknown_table_is_an_error(module_dsn: str) -> None:
    with pytest.raises(LoadError, match="unknown table 'users'"):
        load_tables(module_dsn, {"users": valid_dataset()["profiles"]})


def test_missing_required_column_is_an_error(module_dsn: str) -> None:
    profiles = valid_dataset()["profiles"].drop("email")
    with pytest.raises(LoadError, match="profiles is missing the required column"):
        load_tables(module_dsn, {"profiles": profiles})


def test_unusable_dtype_is_an_error(module_dsn: str) -> None:
    chats = valid_dataset()["chats"].with_columns(pl.col("created_at").dt.epoch("s"))
    with pytest.raises(LoadError, match=r"chats\.created_at has dtype Int64"):
        load_tables(module_dsn, {"chats": chats})


def test_spec_matches_database_catalog(module_dsn: str) -> None:
    kinds = {
        "uuid": Kind.UUID,
        "character varying": Kind.TEXT,
        "text": Kind.TEXT,
        "timestamp without time zone": Kind.TIMESTAMP,
        "boolean": Kind.BOOLEAN,
        "integer": Kind.INTEGER,
        "ARRAY": Kind.TEXT_ARRAY,
        "jsonb": Kind.JSONB,
    }
    with psycopg.connect(module_dsn) as connection:
        rows = connection.execute(
            "select table_name, column_name, data_type, is_nullable = 'YES', "
            "column_default is not null, character_maximum_length "
            "from information_schema.columns where table_schema = 'chat' "
            "order by table_name, ordinal_position"
        ).fetchall()
    catalog = {}
    for table, column, data_type, nullable, has_default, max_length in rows:
        catalog.setdefault(table, []).append(
            (column, kinds[data_type], nullable, has_default, max_length)
        )
    for name, spec in TABLE_SPECS.items():
        expected = [
            (c.name, c.kind, c.nullable, c.has_default, c.max_length)
            for c in spec.columns
        ]
        assert catalog[name] == expected, name


# -- transactions --------------------------------------------------------------


def wait_for_lock_waiters(dsn: str, count: int) -> list[tuple[int, str]]:
    """Wait until ``count`` backends of the database wait for a lock.

    Returns the pid and the query of each waiting backend.
    """
    with psycopg.connect(dsn, autocommit=True) as watcher:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "select pid, query from pg_stat_activity "
                "where datname = current_database() and wait_event_type = 'Lock'"
            ).fetchall()
            if len(waiting) >= count:
                return waiting
            time.sleep(0.05)
    raise AssertionError(f"fewer than {count} backends waited for a lock in 60 s")


def test_interrupted_load_leaves_warehouse_unchanged(fresh_dsn: str) -> None:
    dataset = valid_dataset()
    load_tables(fresh_dsn, {"profiles": dataset["profiles"], "chats": dataset["chats"]})
    counts = table_counts(fresh_dsn)
    checksums = table_checksums(fresh_dsn)

    # A SHARE lock on chat_invitations lets the loader stage, check and insert
    # into the ten tables before it, and then blocks its insert there. So
    # terminating its backend interrupts a load that has written ten tables.
    blocker = psycopg.connect(fresh_dsn)
    blocker.execute("lock table chat.chat_invitations in share mode")
    errors: list[BaseException] = []

    def run_load() -> None:
        try:
            load_tables(fresh_dsn, dataset)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)

    thread = threading.Thread(target=run_load)
    thread.start()
    try:
        [(pid, query)] = wait_for_lock_waiters(fresh_dsn, 1)
        assert query.startswith('insert into "chat"."chat_invitations"')
        with psycopg.connect(fresh_dsn, autocommit=True) as watcher:
            # The load has inserted into chat.messages in its open transaction.
            messages_locks = watcher.execute(
                "select count(*) from pg_locks where pid = %s "
                "and relation = 'chat.messages'::regclass "
                "and mode = 'RowExclusiveLock'",
                (pid,),
            ).fetchone()[0]
            assert messages_locks == 1
            watcher.execute("select pg_terminate_backend(%s)", (pid,))
    finally:
        blocker.rollback()
        blocker.close()
        thread.join(timeout=60)
    assert len(errors) == 1
    assert isinstance(errors[0], WarehouseError)
    assert "rolled back" in str(errors[0])
    assert table_counts(fresh_dsn) == counts
    assert table_checksums(fresh_dsn) == checksums


def load_concurrently(dsn: str, batches: list[dict]) -> list[LoadReport]:
    """Run one load per batch in threads, all started while chat.profiles is locked.

    A SHARE lock on chat.profiles blocks every insert into it, so each load is
    inside its transaction before any of them can finish. With the load lock,
    the first load waits at its insert and the others at the lock.
    """
    reports: list[LoadReport | None] = [None] * len(batches)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            reports[index] = load_tables(dsn, batches[index])
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    with psycopg.connect(dsn) as blocker:
        blocker.execute("lock table chat.profiles in share mode")
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(dsn, len(batches))
        blocker.rollback()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return [report for report in reports if report is not None]


def test_concurrent_loads_equal_one_load(fresh_dsn: str) -> None:
    reports = load_concurrently(fresh_dsn, [valid_dataset(), valid_dataset()])
    inserted = sorted(report.inserted for report in reports)
    skipped = sorted(report.skipped for report in reports)
    assert inserted == [0, 26]
    assert skipped == [0, 26]
    assert table_counts(fresh_dsn) == VALID_COUNTS


def test_concurrent_loads_see_each_others_rows(fresh_dsn: str) -> None:
    # Two batches claim the username "carol" for different ids. Whichever load
    # takes the lock second must see the first one's row and reject its own.
    carol = valid_dataset()["profiles"].slice(2, 1)
    other_carol = carol.with_columns(
        id=pl.lit(uid("carol-2")), email=pl.lit("carol2@mail.test")
    )
    reports = load_concurrently(
        fresh_dsn, [{"profiles": carol}, {"profiles": other_carol}]
    )
    assert sorted(report.inserted for report in reports) == [0, 1]
    assert sorted(report.rejected for report in reports) == [0, 1]
    with psycopg.connect(fresh_dsn) as connection:
        carols = connection.execute(
            "select count(*) from chat.profiles where username = 'carol'"
        ).fetchone()[0]
    assert carols == 1


# -- load_directory and the command line ----------------------------------------


def write_parquet_folder(folder: Path, dataset: dict[str, pl.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in dataset.items():
        frame.write_parquet(folder / f"{table}.parquet")
    return folder


def test_load_directory_reads_parquet_files(fresh_dsn: str, tmp_path: Path) -> None:
    folder = write_parquet_folder(tmp_path / "data", valid_dataset())
    (folder / "README.txt").write_text("ignored")
    report = load_directory(fresh_dsn, folder)
    assert report.inserted == 26
    assert table_counts(fresh_dsn) == VALID_COUNTS


def run_cli(*args: str, dsn: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["CHAT_ANALYTICS_DSN"] = dsn
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_cli_loads_folder_and_writes_rejects(
    pg_server: EmbeddedServer, tmp_path: Path
) -> None:
    # A database without the chat schema: the command creates it first.
    dsn = pg_server.create_database("t_loader_cli_happy_path", replace=True)
    dataset = valid_dataset()
    dataset["messages"] = insert_row(
        dataset["messages"], {"id": uid("bad"), "content": ""}
    )
    folder = write_parquet_folder(tmp_path / "data", dataset)
    rejects = tmp_path / "rejects.csv"
    result = run_cli("load", str(folder), "--rejects", str(rejects), dsn=dsn)
    assert result.returncode == 0, result.stderr
    assert "26 row(s) inserted, 0 already present, 1 rejected" in result.stdout
    assert f"messages row 1 ({uid('bad')}): content is empty" in result.stdout
    with open(rejects, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["table", "row_number", "key", "reason"],
        ["messages", "1", uid("bad"), "content is empty"],
    ]
    assert table_counts(dsn) == VALID_COUNTS


def test_cli_strict_failure_exits_nonzero(fresh_dsn: str, tmp_path: Path) -> None:
    dataset = valid_dataset()
    dataset["friends"] = insert_row(
        dataset["friends"], {"id": uid("bad"), "friend_id": uid("alice")}
    )
    folder = write_parquet_folder(tmp_path / "data", dataset)
    rejects = tmp_path / "rejects.csv"
    result = run_cli(
        "load", str(folder), "--strict", "--rejects", str(rejects), dsn=fresh_dsn
    )
    assert result.returncode == 1
    assert "nothing loaded: strict mode rejected 1 row(s)" in result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: strict load rejected 1 of 27 row(s)")
    assert len(rejects.read_text().splitlines()) == 2
    assert set(table_counts(fresh_dsn).values()) == {0}


def test_cli_fails_when_every_row_is_rejected(
    fresh_dsn: str, tmp_path: Path
) -> None:
    messages = valid_dataset()["messages"]
    folder = write_parquet_folder(tmp_path / "data", {"messages": messages})
    result = run_cli("load", str(folder), dsn=fresh_dsn)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: every one of the")
    assert "nothing was loaded" in last_line
    assert set(table_counts(fresh_dsn).values()) == {0}


def _prepare_missing_folder(folder: Path) -> None:
    pass


def _prepare_empty_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "notes.txt").write_text("no data here")


def _prepare_bad_parquet(folder: Path) -> None:
    write_parquet_folder(folder, {"profiles": valid_dataset()["profiles"]})
    (folder / "messages.parquet").write_bytes(b"this is not parquet")


def _prepare_unknown_table(folder: Path) -> None:
    write_parquet_folder(folder, {"profiles": valid_dataset()["profiles"]})
    valid_dataset()["profiles"].write_parquet(folder / "users.parquet")


CLI_ERRORS = [
    ("missing_folder", _prepare_missing_folder, "", "not found"),
    ("no_parquet_files", _prepare_empty_folder, "", "no .parquet files in"),
    ("unreadable_parquet", _prepare_bad_parquet, "/messages.parquet", "as Parquet"),
    (
        "unknown_table_file",
        _prepare_unknown_table,
        "/users.parquet",
        "unknown table file",
    ),
]


@pytest.mark.parametrize(
    ("prepare", "path_suffix", "message"),
    [pytest.param(p, s, m, id=name) for name, p, s, m in CLI_ERRORS],
)
def test_cli_input_error_is_one_line(
    module_dsn: str, tmp_path: Path, prepare: Callable, path_suffix: str, message: str
) -> None:
    folder = tmp_path / "data"
    prepare(folder)
    result = run_cli("load", str(folder), dsn=module_dsn)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert f"{folder}{path_suffix}" in lines[0]
    assert message in lines[0]
