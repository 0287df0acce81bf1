"""The Discord importer on DiscordChatExporter JSON fixtures."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from export_checks import (
    FIXTURES,
    copy_fixture,
    mentions,
    message_kinds,
    table_counts,
    warehouse_counts,
    zip_folder,
)
from polars.testing import assert_frame_equal

from chat_analytics.ingest.importers import (
    ExportFormatError,
    ImportOptions,
    read_export,
)
from chat_analytics.ingest.loader import load_tables

SERVER = FIXTURES / "discord" / "server"
GENERAL = SERVER / "Acme - general [100].json"


def read(path: Path = SERVER, **options: object) -> dict[str, pl.DataFrame]:
    return read_export(path, "discord", ImportOptions(**options))


def ids_by_name(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    profiles = tables["profiles"]
    return dict(zip(profiles["display_name"], profiles["id"], strict=True))


def test_server_table_counts():
    assert table_counts(read()) == {
        "profiles": 4,
        "chats": 3,
        "chat_participants": 7,
        "messages": 21,
        "friends": 0,
        "file_attachments": 2,
    }


def test_server_message_kinds():
    # System: the join, the pin and the recipient added to the group DM.
    assert message_kinds(read()["messages"]) == {
        "human": 16,
        "bot": 2,
        "system": 3,
        "deleted": 0,
        "edited": 1,
        "mentioning": 2,
    }


def test_single_channel_file():
    tables = read(GENERAL)
    assert tables["messages"].height == 14
    assert tables["chats"]["title"].to_list() == ["#general (Acme)"]


def test_bot_author_is_ai_without_profile():
    tables = read()
    bots = tables["messages"].filter(pl.col("is_ai"))
    assert bots["ai_character_id"].to_list() == ["bot:CI", "bot:CI"]
    assert bots["sender_id"].null_count() == 2
    # The embed's title and description stand in for the empty content.
    assert bots["content"].to_list() == ["Build passed", "Deploy\nv2 is live"]
    assert "CI" not in tables["profiles"]["display_name"].to_list()


def test_deleted_user_keeps_own_profile():
    tables = read()
    deleted = tables["profiles"].filter(pl.col("display_name") == "Deleted User")
    assert deleted.height == 1
    assert deleted["username"].item().startswith("Deleted_User#")
    message = tables["messages"].filter(
        pl.col("content") == "message from a deleted account"
    )
    assert message["sender_id"].item() == deleted["id"].item()


def test_mentioned_user_becomes_profile():
    tables = read()
    ids = ids_by_name(tables)
    assert sorted(ids) == ["Alice A.", "Bob", "Carol", "Deleted User"]
    data = mentions(tables["messages"], "@everyone meeting at noon, @carol too")
    assert data == [
        {"type": "user", "user_id": ids["Carol"], "platform_user_id": "1005"},
        {"type": "broadcast", "target": "everyone"},
    ]


def test_times_are_utc():
    messages = read()["messages"]
    shifted = messages.filter(pl.col("content") == "answering alice")
    assert shifted["created_at"].item() == datetime(2022, 5, 1, 10, 11)
    precise = messages.filter(pl.col("content").str.starts_with("@everyone"))
    assert precise["created_at"].item() == datetime(2022, 5, 1, 10, 12, 0, 123456)
    edited = messages.filter(pl.col("content") == "typo fixed")
    assert edited["updated_at"].item() == datetime(2022, 5, 1, 10, 9)


def test_placeholders_for_empty_content():
    contents = read()["messages"]["content"].to_list()
    assert "[file]" in contents
    assert "[sticker]" in contents
    assert "[GuildMemberJoin]" in contents
    assert "[ChannelPinnedMessage]" in contents


def test_attachments():
    files = read()["file_attachments"].sort("file_name")
    assert files["file_name"].to_list() == ["map.pdf", "photo.png"]
    assert files["file_size"].to_list() == [4096, 1234]
    assert files["file_type"].to_list() == ["application/pdf", "image/png"]


def test_participants_and_creators():
    tables = read()
    ids = ids_by_name(tables)
    chats = dict(zip(tables["chats"]["title"], tables["chats"]["id"], strict=True))
    participants = tables["chat_participants"]
    trio = participants.filter(pl.col("chat_id") == chats["Group direct message: trio"])
    # Alice added Carol: the event's author and its mention are both members.
    assert sorted(trio["user_id"]) == sorted([ids["Alice A."], ids["Carol"]])
    general = participants.filter(pl.col("chat_id") == chats["#general (Acme)"])
    assert sorted(general["user_id"]) == sorted(
        [ids["Alice A."], ids["Bob"], ids["Deleted User"]]
    )
    creators = dict(
        zip(tables["chats"]["title"], tables["chats"]["created_by"], strict=True)
    )
    assert creators["#general (Acme)"] == ids["Alice A."]
    assert creators["Direct message: bob"] == ids["Alice A."]


@pytest.mark.parametrize(
    ("minimum", "expected_time"),
    [
        # Bob answers Alice 4 times (2 replies, 2 turns in the DM) and Alice
        # answers Bob 3 times (1 reply, 2 turns); the cross-channel reply
        # points outside the export and does not count.
        (1, datetime(2022, 5, 1, 10, 10)),
        (3, datetime(2022, 5, 2, 8, 4)),
        (4, None),
    ],
)
def test_derived_friendships(minimum, expected_time):
    tables = read(derive_friends=minimum)
    friends = tables["friends"]
    if expected_time is None:
        assert friends.is_empty()
        return
    ids = ids_by_name(tables)
    assert friends.height == 1
    assert {friends["user_id"].item(), friends["friend_id"].item()} == {
        ids["Alice A."],
        ids["Bob"],
    }
    assert friends["created_at"].item() == expected_time


def test_pseudonyms_hide_names():
    tables = read(pseudonymize=True)
    text = " ".join(
        [
            *tables["profiles"]["display_name"],
            *tables["profiles"]["username"],
            *tables["chats"]["title"],
            *tables["messages"]["content"],
        ]
    )
    for real in ("alice", "Alice A.", "carol", "Carol"):
        assert real not in text
    assert read(pseudonymize=True)["profiles"].equals(tables["profiles"])


def test_zip_of_channel_files(tmp_path):
    archive = zip_folder(SERVER, tmp_path / "discord.zip")
    from_zip, from_folder = read(archive), read()
    for name in from_folder:
        assert_frame_equal(from_zip[name], from_folder[name])


def test_other_json_in_folder_is_skipped(tmp_path):
    export = copy_fixture("discord/server", tmp_path / "export")
    (export / "notes.json").write_text('{"hello": "world"}')
    assert read(export)["messages"].height == 21


# -- bad input ------------------------------------------------------------------


def write_channel(path: Path, messages: list[dict]) -> Path:
    document = json.loads(GENERAL.read_text(encoding="utf-8"))
    document["messages"] = messages
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def message(number: int, **fields: object) -> dict:
    base = {
        "id": str(number),
        "type": "Default",
        "timestamp": "2022-05-01T10:00:00+00:00",
        "content": "text",
        "author": {"id": "1001", "name": "alice", "isBot": False},
    }
    base.update(fields)
    return base


def test_malformed_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(
        '{"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": [', "utf-8"
    )
    with pytest.raises(
        ExportFormatError, match=r"broken\.json: invalid JSON at line 1"
    ):
        read(path)


def test_file_of_other_layout(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"messages": []}', encoding="utf-8")
    with pytest.raises(
        ExportFormatError, match="expected an object with guild, channel"
    ):
        read(path)


def test_folder_without_channel_files(tmp_path):
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    with pytest.raises(
        ExportFormatError, match="no DiscordChatExporter JSON file found"
    ):
        read(tmp_path)


def test_message_without_author(tmp_path):
    path = write_channel(tmp_path / "c.json", [message(1, author=None)])
    with pytest.raises(
        ExportFormatError, match=r"message 0 \(id 1\): the message has no author"
    ):
        read(path)


def test_invalid_timestamp(tmp_path):
    path = write_channel(tmp_path / "c.json", [message(1, timestamp="yesterday")])
    with pytest.raises(
        ExportFormatError, match="timestamp 'yesterday' is not ISO 8601"
    ):
        read(path)


def test_conflicting_duplicate_id(tmp_path):
    path = write_channel(
        tmp_path / "c.json",
        [message(1), message(1, timestamp="2022-05-01T11:00:00+00:00")],
    )
    with pytest.raises(ExportFormatError, match="message id 1 occurs 2 times"):
        read(path)


def test_identical_duplicate_keeps_latest_edit(tmp_path):
    path = write_channel(
        tmp_path / "c.json",
        [
            message(1, content="first"),
            message(1, content="second", timestampEdited="2022-05-01T10:30:00+00:00"),
        ],
    )
    messages = read(path)["messages"]
    assert messages["content"].to_list() == ["second"]


def test_messages_out_of_order(tmp_path):
    path = write_channel(
        tmp_path / "c.json",
        [
            message(2, timestamp="2022-05-01T12:00:00+00:00", content="late"),
            message(1, timestamp="2022-05-01T09:00:00+00:00", content="early"),
        ],
    )
    tables = read(path)
    assert tables["chats"]["created_at"].item() == datetime(2022, 5, 1, 9)
    assert tables["chat_participants"]["joined_at"].item() == datetime(2022, 5, 1, 9)


# -- loading ---------------------------------------------------------------------


def test_reimport_is_idempotent(module_dsn):
    load_tables(module_dsn, read(derive_friends=1), strict=True)
    first = warehouse_counts(module_dsn)
    load_tables(module_dsn, read(derive_friends=1), strict=True)
    assert warehouse_counts(module_dsn) == first
    assert first["messages"] == 21
    assert first["friends"] == 1


def test_later_export_adds_only_new(fresh_dsn, tmp_path):
    load_tables(fresh_dsn, read(GENERAL), strict=True)
    before = warehouse_counts(fresh_dsn)
    document = json.loads(GENERAL.read_text(encoding="utf-8"))
    document["messages"] = document["messages"][5:] + [
        message(2100, content="brand new", timestamp="2022-05-05T10:00:00+00:00")
    ]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(document), encoding="utf-8")
    report = load_tables(fresh_dsn, read(later), strict=True)
    assert warehouse_counts(fresh_dsn)["messages"] == before["messages"] + 1
    assert report.tables["messages"].inserted == 1
