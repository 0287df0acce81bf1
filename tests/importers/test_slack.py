"""The Slack importer on hand-written fixtures and on the bundled 2016 export."""

from __future__ import annotations

import json
import shutil
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

WORKSPACE = FIXTURES / "slack" / "workspace"
BUNDLED = Path(__file__).resolve().parents[2] / "data" / "slack_export_2016"


def read(path: Path = WORKSPACE, **options: object) -> dict[str, pl.DataFrame]:
    return read_export(path, "slack", ImportOptions(**options))


def profile_of(tables: dict[str, pl.DataFrame], display_name: str) -> dict:
    profiles = tables["profiles"]
    return profiles.filter(pl.col("display_name") == display_name).row(0, named=True)


def chat_of(tables: dict[str, pl.DataFrame], title: str) -> dict:
    return tables["chats"].filter(pl.col("title") == title).row(0, named=True)


# -- the hand-written workspace ---------------------------------------------------


def test_workspace_table_counts():
    assert table_counts(read()) == {
        "profiles": 5,
        "chats": 5,
        "chat_participants": 13,
        "messages": 29,
        "friends": 0,
        "file_attachments": 1,
    }


def test_workspace_message_kinds():
    # 4 system: two joins, a leave, the tombstone; 3 bots: ci, deployer and
    # the bot user helperbot; deleted: the tombstone and the deleted "oops";
    # edited: "Edited text" and the message_changed target.
    assert message_kinds(read()["messages"]) == {
        "human": 22,
        "bot": 3,
        "system": 4,
        "deleted": 2,
        "edited": 2,
        "mentioning": 2,
    }


def test_bot_messages_have_characters_and_no_sender():
    messages = read()["messages"].filter(pl.col("is_ai"))
    assert sorted(messages["ai_character_id"].to_list()) == [
        "bot:ci",
        "bot:deployer",
        "bot:helperbot",
    ]
    assert messages["sender_id"].null_count() == 3


def test_bot_attachment_fallback_becomes_content():
    messages = read()["messages"]
    row = messages.filter(pl.col("ai_character_id") == "bot:deployer")
    assert row["content"].item() == "Deploy finished"


def test_system_messages_have_no_sender():
    system = read()["messages"].filter(pl.col("is_system_message"))
    assert system["sender_id"].null_count() == system.height
    assert "<@U003> has left the channel" in system["content"].to_list()


def test_profiles_are_people_not_bots():
    tables = read()
    names = sorted(tables["profiles"]["display_name"].to_list())
    assert names == [
        "Alice Adams",
        "Bob Brown",
        "Carol Clark",
        "Dave Davis",
        "Ghost Writer",
    ]


def test_profile_fields():
    tables = read()
    alice = profile_of(tables, "Alice Adams")
    assert alice["username"] == f"alice#{alice['id'][:8]}"
    assert alice["user_role"] == "admin"
    assert alice["avatar_url"] == "https://avatars.example.invalid/alice-72.png"
    assert alice["email"] == f"slack-{alice['id']}@import.invalid"
    assert alice["created_at"] == datetime(2021, 3, 1, 9, 0, 0)
    assert profile_of(tables, "Bob Brown")["user_role"] == "user"


def test_real_email_is_never_imported():
    emails = read()["profiles"]["email"].to_list()
    assert all(email.endswith("@import.invalid") for email in emails)
    assert "alice@example.com" not in emails


def test_listed_user_without_activity_is_profile():
    dave = profile_of(read(), "Dave Davis")
    # Dave appears nowhere but users.json: he is first seen at the export start.
    assert dave["created_at"] == datetime(2021, 3, 1, 9, 0, 0)


def test_unknown_author_gets_stand_in_profile():
    ghost = profile_of(read(), "Ghost Writer")
    assert ghost["username"].startswith("ghost#")
    assert ghost["created_at"] == datetime(2021, 3, 2, 9, 2, 0, 300)


def test_chat_titles_and_creators():
    tables = read()
    ids = dict(
        zip(tables["profiles"]["display_name"], tables["profiles"]["id"], strict=True)
    )
    titles = sorted(tables["chats"]["title"].to_list())
    assert titles == [
        "#general",
        "#random",
        "#secret",
        "Direct message: alice, bob",
        "Group direct message: alice, bob, carol",
    ]
    assert chat_of(tables, "#general")["created_by"] == ids["Alice Adams"]
    assert chat_of(tables, "#random")["created_by"] == ids["Bob Brown"]
    # dms.json names no creator: the first poster created the chat.
    assert (
        chat_of(tables, "Direct message: alice, bob")["created_by"]
        == ids["Alice Adams"]
    )
    assert (
        chat_of(tables, "Group direct message: alice, bob, carol")["created_by"]
        == (ids["Carol Clark"])
    )


def test_chat_without_messages_keeps_listing_times():
    random = chat_of(read(), "#random")
    assert random["created_at"] == datetime(2021, 3, 1, 9, 1, 40)
    assert random["updated_at"] == datetime(2021, 3, 1, 9, 1, 40)


def test_participant_join_times():
    tables = read()
    general = chat_of(tables, "#general")["id"]
    ids = dict(
        zip(tables["profiles"]["id"], tables["profiles"]["display_name"], strict=True)
    )
    rows = tables["chat_participants"].filter(pl.col("chat_id") == general)
    joined = {
        ids[user]: at
        for user, at in zip(rows["user_id"], rows["joined_at"], strict=True)
    }
    assert joined == {
        "Alice Adams": datetime(2021, 3, 1, 9, 0, 0),  # creator, at creation
        "Bob Brown": datetime(2021, 3, 1, 9, 1, 0, 200),  # channel_join
        "Carol Clark": datetime(2021, 3, 1, 9, 12, 0, 1300),  # first post
        "Ghost Writer": datetime(2021, 3, 2, 9, 2, 0, 300),  # first post
    }


def test_mentions_resolve_to_profiles():
    tables = read()
    ids = dict(
        zip(tables["profiles"]["display_name"], tables["profiles"]["id"], strict=True)
    )
    messages = tables["messages"]
    hello = messages.filter(pl.col("content").str.starts_with("Hello"))
    assert hello["mentioned_users"].item().to_list() == [ids["Bob Brown"]]
    assert mentions(messages, "Hello <@U002> and <!channel>, welcome") == [
        {"type": "user", "user_id": ids["Bob Brown"], "platform_user_id": "U002"},
        {"type": "broadcast", "target": "channel"},
    ]
    thanks = messages.filter(pl.col("content") == "Thanks <@U001|alice>!")
    assert thanks["mentioned_users"].item().to_list() == [ids["Alice Adams"]]


def test_edit_and_delete_events_apply():
    messages = read()["messages"]
    changed = messages.filter(pl.col("content") == "changed text").row(0, named=True)
    assert changed["updated_at"] == datetime(2021, 3, 2, 9, 5, 0)
    assert messages.filter(pl.col("content") == "original").is_empty()
    oops = messages.filter(pl.col("content") == "oops wrong channel").row(0, named=True)
    assert oops["deleted_at"] == datetime(2021, 3, 2, 9, 1, 0, 200)
    edited = messages.filter(pl.col("content") == "Edited text").row(0, named=True)
    assert edited["updated_at"] == datetime(2021, 3, 1, 9, 10, 0)


def test_tombstone_is_deleted_system_message():
    row = read()["messages"].filter(pl.col("content") == "This message was deleted.")
    assert row["is_system_message"].item() is True
    assert row["deleted_at"].item() == row["created_at"].item()


def test_file_share_becomes_attachment():
    tables = read()
    files = tables["file_attachments"]
    row = files.row(0, named=True)
    assert row["file_name"] == "report.pdf"
    assert row["file_size"] == 2048
    assert row["file_type"] == "application/pdf"
    # The permalink, never the private URL with its access token.
    assert row["file_path"] == "https://example.slack.com/files/U001/F001/report.pdf"
    message = tables["messages"].filter(pl.col("id") == row["message_id"])
    assert message["content"].item() == "[file]"
    assert row["user_id"] == profile_of(tables, "Alice Adams")["id"]


def test_nul_bytes_are_removed():
    contents = read()["messages"]["content"].to_list()
    assert "nullbyte" in contents
    assert not any("\x00" in text for text in contents)


def test_out_of_order_message_keeps_its_time():
    row = read()["messages"].filter(pl.col("content") == "Out of order message")
    assert row["created_at"].item() == datetime(2021, 3, 2, 8, 58, 20)


def test_reading_twice_gives_identical_frames():
    first, second = read(), read()
    for name in first:
        assert_frame_equal(first[name], second[name])


def test_zip_with_top_folder_reads_like_folder(tmp_path):
    archive = zip_folder(
        WORKSPACE, tmp_path / "export.zip", prefix="Acme Slack export/"
    )
    from_zip, from_folder = read(archive), read()
    for name in from_folder:
        assert_frame_equal(from_zip[name], from_folder[name])


def test_workspace_option_changes_every_id():
    default, other = read(), read(workspace="other")
    assert set(default["profiles"]["id"]).isdisjoint(other["profiles"]["id"])
    assert set(default["messages"]["id"]).isdisjoint(other["messages"]["id"])


# -- derived friendships and pseudonyms ----------------------------------------


@pytest.mark.parametrize(
    ("minimum", "expected_time"),
    [
        # Bob answers Alice 4 times (thread: 2, direct: 2) and Alice answers
        # Bob 3 times (thread: 1, direct: 2); the pair forms when the slower
        # direction reaches the minimum.
        (1, datetime(2021, 3, 1, 9, 4, 0, 500)),
        (2, datetime(2021, 3, 1, 9, 7, 0, 300)),
        (3, datetime(2021, 3, 1, 9, 10, 0, 600)),
        (4, None),
    ],
)
def test_derived_friendship_threshold(minimum, expected_time):
    tables = read(derive_friends=minimum)
    friends = tables["friends"]
    if expected_time is None:
        assert friends.is_empty()
        return
    ids = {profile_of(tables, name)["id"] for name in ("Alice Adams", "Bob Brown")}
    row = friends.row(0, named=True)
    assert friends.height == 1
    assert {row["user_id"], row["friend_id"]} == ids
    assert row["user_id"] < row["friend_id"]
    assert row["status"] == "accepted"
    assert row["created_at"] == expected_time


def test_pseudonyms_replace_names_everywhere():
    tables = read(pseudonymize=True)
    profiles = tables["profiles"]
    assert all(name.startswith("user-") for name in profiles["username"])
    assert all(name.startswith("User ") for name in profiles["display_name"])
    assert set(profiles["avatar_url"]) == {""}
    text = " ".join(
        [
            *tables["chats"]["title"],
            *tables["messages"]["content"],
            *profiles["username"],
            *profiles["display_name"],
        ]
    )
    for real in ("Alice", "alice", "Bob Brown", "Carol", "carol", "Ghost Writer"):
        assert real not in text
    data = tables["messages"]["mentions_data"].drop_nulls().to_list()
    assert all("platform_user_id" not in entry for entry in data)


def test_pseudonyms_keep_ids_and_direct_titles():
    plain, hidden = read(), read(pseudonymize=True)
    assert plain["profiles"]["id"].to_list() == hidden["profiles"]["id"].to_list()
    bob = hidden["profiles"].filter(
        pl.col("id") == profile_of(plain, "Bob Brown")["id"]
    )
    assert f"Thanks <@U001|{hidden['profiles']['username'][0]}>!" in (
        hidden["messages"]["content"].to_list()
    )
    titles = hidden["chats"]["title"].to_list()
    assert any(
        title.startswith("Direct chat: ") and bob["display_name"].item() in title
        for title in titles
    )


def test_pseudonyms_stable_per_key():
    first = read(pseudonymize=True, pseudonym_key="k1")
    again = read(pseudonymize=True, pseudonym_key="k1")
    other = read(pseudonymize=True, pseudonym_key="k2")
    assert (
        first["profiles"]["username"].to_list()
        == again["profiles"]["username"].to_list()
    )
    assert set(first["profiles"]["username"]).isdisjoint(other["profiles"]["username"])


# -- the bundled real export ---------------------------------------------------


def test_bundled_export_counts():
    tables = read(BUNDLED)
    assert table_counts(tables) == {
        "profiles": 4,
        "chats": 2,
        "chat_participants": 8,
        "messages": 158,
        "friends": 0,
        "file_attachments": 3,
    }
    # 94 GitHub integration posts, 8 joins and 3 integrations added, one
    # edit; 14 plain messages address someone with <@U...>.
    assert message_kinds(tables["messages"]) == {
        "human": 53,
        "bot": 94,
        "system": 11,
        "deleted": 0,
        "edited": 1,
        "mentioning": 14,
    }


def test_bundled_bot_is_named_from_bot_add():
    messages = read(BUNDLED)["messages"]
    assert messages.filter(pl.col("is_ai"))["ai_character_id"].unique().to_list() == [
        "bot:github"
    ]


def test_bundled_license_is_kept():
    assert (BUNDLED / "LICENSE.source-archive").is_file()


# -- bad input -----------------------------------------------------------------


def test_missing_users_file(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    (export / "users.json").unlink()
    with pytest.raises(ExportFormatError, match=r"users\.json is missing"):
        read(export)


def test_missing_listings(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    for name in ("channels.json", "groups.json", "dms.json", "mpims.json"):
        (export / name).unlink()
    with pytest.raises(ExportFormatError, match="none of channels.json"):
        read(export)


def test_malformed_json_names_file_and_line(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    day = export / "general" / "2021-03-01.json"
    day.write_text('[\n  {"type": "message",\n  "ts": }\n]', encoding="utf-8")
    with pytest.raises(
        ExportFormatError, match=r"2021-03-01\.json: invalid JSON at line 3"
    ):
        read(export)


def test_message_without_ts(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    day = export / "secret" / "2021-03-01.json"
    day.write_text(json.dumps([{"type": "message", "user": "U001", "text": "x"}]))
    with pytest.raises(ExportFormatError, match=r"secret/2021-03-01\.json message 0"):
        read(export)


def test_user_message_without_user(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    day = export / "secret" / "2021-03-01.json"
    day.write_text(json.dumps([{"type": "message", "text": "x", "ts": "1614589400.1"}]))
    with pytest.raises(ExportFormatError, match="has no user id"):
        read(export)


def test_identical_duplicate_is_kept_once(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    # The same day written twice, as overlapping downloads do.
    shutil.copy(
        export / "secret" / "2021-03-01.json", export / "secret" / "2021-03-02.json"
    )
    assert read(export)["messages"].height == 29


def test_conflicting_duplicate_raises(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    day = export / "secret" / "2021-03-02.json"
    day.write_text(
        json.dumps(
            [
                {
                    "type": "message",
                    "user": "U002",
                    "text": "x",
                    "ts": "1614589400.000100",
                }
            ]
        )
    )
    with pytest.raises(
        ExportFormatError, match="message id 1614589400.000100 occurs 2 times"
    ):
        read(export)


def test_listing_of_wrong_shape(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    (export / "channels.json").write_text('{"channels": []}')
    with pytest.raises(
        ExportFormatError, match="expected a JSON list of conversations"
    ):
        read(export)


def test_missing_path():
    with pytest.raises(ExportFormatError, match="no such file or folder"):
        read(FIXTURES / "slack" / "absent")


# -- loading into PostgreSQL ---------------------------------------------------


def test_reimport_is_idempotent(module_dsn):
    tables = read()
    load_tables(module_dsn, tables, strict=True)
    first = warehouse_counts(module_dsn)
    report = load_tables(module_dsn, read(), strict=True)
    assert warehouse_counts(module_dsn) == first
    assert report.inserted == 0
    assert first == table_counts(tables)


def test_overlapping_later_export_adds_only_new(fresh_dsn, tmp_path):
    load_tables(fresh_dsn, read(), strict=True)
    before = warehouse_counts(fresh_dsn)

    later = copy_fixture("slack/workspace", tmp_path / "later")
    # The later export lacks the first day of #general but has a new day.
    (later / "general" / "2021-03-01.json").unlink()
    (later / "general" / "2021-03-03.json").write_text(
        json.dumps(
            [
                {
                    "type": "message",
                    "user": "U002",
                    "text": "new one",
                    "ts": "1614762000.000100",
                },
                {
                    "type": "message",
                    "user": "U005",
                    "text": "dave speaks",
                    "ts": "1614762060.000200",
                },
            ]
        )
    )

    report = load_tables(fresh_dsn, read(later), strict=True)
    after = warehouse_counts(fresh_dsn)
    assert after["messages"] == before["messages"] + 2
    # Dave posts for the first time, so he becomes a participant of #general.
    assert after["chat_participants"] == before["chat_participants"] + 1
    assert after["profiles"] == before["profiles"]
    assert report.tables["messages"].inserted == 2
    assert report.rejected == 0


def test_invalid_utf8_json_names_line(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    day = export / "secret" / "2021-03-01.json"
    day.write_bytes(
        '[\n{"type": "message", "user": "U001", "text": "café", "ts": "1.0"}\n]'.encode(
            "latin-1"
        )
    )
    with pytest.raises(
        ExportFormatError, match="line 2 is not valid UTF-8 \\(byte 0xe9"
    ):
        read(export)


def test_utf16_json_is_read(tmp_path):
    export = copy_fixture("slack/workspace", tmp_path / "export")
    day = export / "secret" / "2021-03-01.json"
    day.write_bytes(day.read_text(encoding="utf-8").encode("utf-16"))
    assert read(export)["messages"].height == 29
