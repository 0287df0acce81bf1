"""The Telegram importer on Telegram Desktop ``result.json`` fixtures."""

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

GROUP = FIXTURES / "telegram" / "group"
ACCOUNT = FIXTURES / "telegram" / "account"


def read(path: Path = GROUP, **options: object) -> dict[str, pl.DataFrame]:
    return read_export(path, "telegram", ImportOptions(**options))


def ids_by_name(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    profiles = tables["profiles"]
    return dict(zip(profiles["display_name"], profiles["id"], strict=True))


def content_row(tables: dict[str, pl.DataFrame], content: str) -> dict:
    messages = tables["messages"]
    return messages.filter(pl.col("content") == content).row(0, named=True)


# -- a single exported chat -----------------------------------------------------


def test_group_table_counts():
    assert table_counts(read()) == {
        "profiles": 5,
        "chats": 1,
        "chat_participants": 5,
        "messages": 16,
        "friends": 0,
        "file_attachments": 2,
    }


def test_group_message_kinds():
    assert message_kinds(read()["messages"]) == {
        "human": 13,
        "bot": 0,
        "system": 3,
        "deleted": 0,
        "edited": 1,
        "mentioning": 1,
    }


def test_profiles_include_deleted_account():
    names = sorted(read()["profiles"]["display_name"].to_list())
    # Erin is invited by name only, with no id anywhere, so has no profile.
    assert names == ["Alice", "Bob", "Carol", "Dave", "Deleted Account"]


def test_create_group_sets_creator_and_members():
    tables = read()
    ids = ids_by_name(tables)
    chat = tables["chats"].row(0, named=True)
    assert chat["title"] == "Trip planning"
    assert chat["created_by"] == ids["Alice"]
    assert chat["created_at"] == datetime(2023, 6, 1, 10, 0)
    participants = tables["chat_participants"]
    joined = dict(zip(participants["user_id"], participants["joined_at"], strict=True))
    # Bob and Carol are named in create_group before they post.
    assert joined[ids["Bob"]] == datetime(2023, 6, 1, 10, 0)
    assert joined[ids["Carol"]] == datetime(2023, 6, 1, 10, 0)
    assert joined[ids["Dave"]] == datetime(2023, 6, 1, 10, 12)


def test_service_messages_are_system():
    system = read()["messages"].filter(pl.col("is_system_message"))
    assert system["content"].to_list() == [
        'Alice: create group "Trip planning" (Bob, Carol)',
        "Alice: invite members (Erin)",
        "Dave: join group by link",
    ]
    assert system["sender_id"].null_count() == 3


def test_text_entities_and_mentions():
    tables = read()
    ids = ids_by_name(tables)
    hello = content_row(tables, "Hi Bob and everyone!")
    assert hello["mentioned_users"] == [ids["Bob"]]
    assert mentions(tables["messages"], "hello @carol_t") == [
        {"type": "unresolved", "text": "@carol_t"}
    ]


def test_media_placeholders_and_files():
    tables = read()
    contents = tables["messages"]["content"].to_list()
    for placeholder in ("[photo]", "[video]", "😀", "Which day?", "[location]"):
        assert placeholder in contents
    files = tables["file_attachments"].sort("file_name")
    assert files["file_name"].to_list() == [
        "photo_1@01-06-2023_10-03-00.jpg",
        "plan.pdf",
    ]
    # The photo's size is measured on disk; the PDF's is declared.
    assert files["file_size"].to_list() == [26, 500]
    assert files["file_type"].to_list() == ["image/jpeg", "application/pdf"]


def test_unix_time_wins_over_local_date():
    tables = read()
    edited = content_row(tables, "Let's go on Friday")
    assert edited["created_at"] == datetime(2023, 6, 1, 10, 7)
    assert edited["updated_at"] == datetime(2023, 6, 1, 10, 10)


def test_local_date_uses_timezone_option():
    text = "an old export wrote local time only"
    assert content_row(read(), text)["created_at"] == datetime(2023, 6, 1, 12, 9)
    berlin = read(timezone="Europe/Berlin")
    assert content_row(berlin, text)["created_at"] == datetime(2023, 6, 1, 10, 9)


def test_result_file_zip_and_folder_agree(tmp_path):
    archive = zip_folder(
        GROUP, tmp_path / "telegram.zip", prefix="ChatExport_2023-06-02/"
    )
    folder = read()
    for other in (read(GROUP / "result.json"), read(archive)):
        for name in folder:
            assert_frame_equal(other[name], folder[name])


def test_replies_without_mutual_answers_make_no_friends():
    # Bob answers Alice and Alice answers Dave: neither pair is mutual.
    assert read(derive_friends=1)["friends"].is_empty()


def test_pseudonyms_drop_handles_and_names():
    tables = read(pseudonymize=True)
    data = tables["messages"]["mentions_data"].drop_nulls().to_list()
    assert all("carol_t" not in entry for entry in data)
    text = " ".join(
        [*tables["messages"]["content"], *tables["profiles"]["display_name"]]
    )
    for real in ("Alice", "Carol", "Dave"):
        assert real not in text


# -- a whole-account export -------------------------------------------------------


def test_account_table_counts():
    tables = read(ACCOUNT)
    assert table_counts(tables) == {
        "profiles": 2,
        "chats": 4,
        "chat_participants": 6,
        "messages": 9,
        "friends": 0,
        "file_attachments": 0,
    }
    assert message_kinds(tables["messages"]) == {
        "human": 7,
        "bot": 1,
        "system": 1,
        "deleted": 0,
        "edited": 0,
        "mentioning": 0,
    }


def test_account_includes_left_chats_and_saved_messages():
    titles = sorted(read(ACCOUNT)["chats"]["title"].to_list())
    assert titles == ["Bob", "Old club", "Saved Messages", "WeatherBot"]


def test_bot_chat_answers_are_bot_messages():
    tables = read(ACCOUNT)
    bot = content_row(tables, "Sunny, 25 degrees")
    assert bot["is_ai"] is True
    assert bot["ai_character_id"] == "bot:WeatherBot"
    assert bot["sender_id"] is None
    assert "WeatherBot" not in tables["profiles"]["display_name"].to_list()


@pytest.mark.parametrize(("minimum", "expected"), [(1, 1), (2, 0)])
def test_personal_chat_friendship(minimum, expected):
    # ping (Alice), pong (Bob), again (Alice), pong again (Bob): Bob answers
    # twice, Alice once.
    friends = read(ACCOUNT, derive_friends=minimum)["friends"]
    assert friends.height == expected
    if expected:
        assert friends["created_at"].item() == datetime(2023, 7, 1, 10, 2)


def test_same_person_same_id_in_both_exports():
    group, account = ids_by_name(read()), ids_by_name(read(ACCOUNT))
    assert group["Alice"] == account["Alice"]
    assert group["Bob"] == account["Bob"]


# -- bad input ------------------------------------------------------------------


def write_chat(path: Path, messages: list[dict]) -> Path:
    document = {"name": "T", "type": "private_group", "id": 1, "messages": messages}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def note(number: int, **fields: object) -> dict:
    base = {
        "id": number,
        "type": "message",
        "date": "2023-06-01T12:00:00",
        "date_unixtime": "1685613600",
        "from": "Alice",
        "from_id": "user101",
        "text": "x",
    }
    base.update(fields)
    return base


def test_missing_result_json(tmp_path):
    (tmp_path / "messages.html").write_text("<html></html>", encoding="utf-8")
    with pytest.raises(ExportFormatError, match="result.json not found"):
        read(tmp_path)


def test_malformed_result_json(tmp_path):
    export = copy_fixture("telegram/group", tmp_path / "export")
    (export / "result.json").write_text('{\n "name": "x",\n "messages": [}\n', "utf-8")
    with pytest.raises(
        ExportFormatError, match=r"result\.json: invalid JSON at line 3"
    ):
        read(export)


def test_not_a_telegram_document(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{"foo": 1}', encoding="utf-8")
    with pytest.raises(ExportFormatError, match="expected a chat with messages"):
        read(path)


def test_message_without_id(tmp_path):
    path = write_chat(tmp_path / "result.json", [{"type": "message", "text": "x"}])
    with pytest.raises(
        ExportFormatError, match="chat 1 message 0: a message has no id"
    ):
        read(path)


def test_message_without_date(tmp_path):
    path = write_chat(
        tmp_path / "result.json", [note(1, date=None, date_unixtime=None)]
    )
    with pytest.raises(
        ExportFormatError, match="message id 1: the message has no date"
    ):
        read(path)


def test_text_of_wrong_type(tmp_path):
    path = write_chat(tmp_path / "result.json", [note(1, text=42)])
    with pytest.raises(ExportFormatError, match="text is neither a string nor a list"):
        read(path)


def test_unknown_timezone():
    with pytest.raises(ExportFormatError, match="time zone 'Mars/Olympus' is unknown"):
        read(timezone="Mars/Olympus")


def test_conflicting_duplicate_id(tmp_path):
    path = write_chat(
        tmp_path / "result.json",
        [note(1), note(1, from_id="user102", **{"from": "Bob"})],
    )
    with pytest.raises(ExportFormatError, match="message id 1 occurs 2 times"):
        read(path)


def test_messages_out_of_order(tmp_path):
    path = write_chat(
        tmp_path / "result.json",
        [note(2, date_unixtime="1685617200"), note(1, date_unixtime="1685613600")],
    )
    tables = read(path)
    assert tables["chats"]["created_at"].item() == datetime(2023, 6, 1, 10, 0)
    assert tables["profiles"]["created_at"].item() == datetime(2023, 6, 1, 10, 0)


# -- loading ---------------------------------------------------------------------


def test_reimport_is_idempotent(module_dsn):
    for path in (GROUP, ACCOUNT):
        load_tables(module_dsn, read(path), strict=True)
    first = warehouse_counts(module_dsn)
    for path in (GROUP, ACCOUNT):
        load_tables(module_dsn, read(path), strict=True)
    assert warehouse_counts(module_dsn) == first
    # Alice and Bob are shared by the two exports: 5 + 2 - 2 profiles.
    assert first["profiles"] == 5
    assert first["messages"] == 25


def test_later_export_adds_only_new(fresh_dsn, tmp_path):
    load_tables(fresh_dsn, read(), strict=True)
    before = warehouse_counts(fresh_dsn)
    later = copy_fixture("telegram/group", tmp_path / "later")
    document = json.loads((later / "result.json").read_text(encoding="utf-8"))
    document["messages"] = document["messages"][8:] + [
        note(17, date_unixtime="1685700000", text="next day")
    ]
    (later / "result.json").write_text(json.dumps(document), encoding="utf-8")
    report = load_tables(fresh_dsn, read(later), strict=True)
    assert warehouse_counts(fresh_dsn)["messages"] == before["messages"] + 1
    assert report.tables["messages"].inserted == 1
    assert report.rejected == 0
