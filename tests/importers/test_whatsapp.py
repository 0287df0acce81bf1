"""The WhatsApp importer on Android and iOS text exports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from export_checks import (
    FIXTURES,
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
from chat_analytics.ingest.importers.whatsapp import chat_title
from chat_analytics.ingest.loader import load_tables

ANDROID = FIXTURES / "whatsapp" / "android" / "WhatsApp Chat with Hiking Club.txt"
DIRECT = FIXTURES / "whatsapp" / "direct" / "WhatsApp Chat with Maria.txt"
IOS = FIXTURES / "whatsapp" / "ios"
NNBSP = "\u202f"


def read(path: Path = ANDROID, **options: object) -> dict[str, pl.DataFrame]:
    return read_export(path, "whatsapp", ImportOptions(**options))


def ios_zip(tmp_path: Path) -> Path:
    return zip_folder(IOS, tmp_path / "WhatsApp Chat - Bergfreunde.zip")


def row(tables: dict[str, pl.DataFrame], content: str) -> dict:
    messages = tables["messages"]
    return messages.filter(pl.col("content") == content).row(0, named=True)


def ids_by_name(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    profiles = tables["profiles"]
    return dict(zip(profiles["display_name"], profiles["id"], strict=True))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- Android, US English: month first, 12-hour clock -----------------------------


def test_android_table_counts():
    assert table_counts(read()) == {
        "profiles": 5,
        "chats": 1,
        "chat_participants": 5,
        "messages": 16,
        "friends": 0,
        "file_attachments": 0,
    }


def test_android_message_kinds():
    # System: the encryption notice, created, two "added", joined, the
    # subject change and "left". The edit marker carries no time, so no
    # message counts as edited.
    assert message_kinds(read()["messages"]) == {
        "human": 9,
        "bot": 0,
        "system": 7,
        "deleted": 1,
        "edited": 0,
        "mentioning": 1,
    }


def test_month_first_and_twelve_hour_clock():
    tables = read()
    assert row(tables, "hi all, new here")["created_at"] == datetime(
        2020, 12, 31, 21, 16
    )
    midnight = tables["messages"].filter(pl.col("content") == "Happy new year!")
    assert sorted(midnight["created_at"].to_list()) == [
        datetime(2020, 12, 31, 23, 59),
        datetime(2021, 1, 1, 0, 0),
        datetime(2021, 1, 1, 0, 0),
    ]


def test_identical_messages_in_one_minute_stay_apart():
    messages = read()["messages"].filter(pl.col("content") == "Happy new year!")
    assert messages["id"].n_unique() == 3


def test_multiline_message_is_joined():
    tables = read()
    welcome = row(tables, "Welcome everyone!\nTrail map follows.\nBring water.")
    assert welcome["sender_id"] == ids_by_name(tables)["Alice Smith"]


def test_colon_in_text_and_edit_marker():
    tables = read()
    edited = row(tables, "Meet at 7: bring boots")
    assert edited["updated_at"] == edited["created_at"]


def test_system_lines_are_detected():
    system = read()["messages"].filter(pl.col("is_system_message"))
    contents = system["content"].to_list()
    assert contents[1] == 'Alice Smith created group "Hiking Club"'
    # A quoted colon does not make the subject change a message by a person.
    assert contents[5].startswith("Alice Smith changed the subject")
    assert contents[6] == "Carol left"
    assert system["sender_id"].null_count() == 7


def test_media_omitted_and_deleted():
    tables = read()
    media = row(tables, "[file]")
    assert media["sender_id"] == ids_by_name(tables)["Bob Jones"]
    deleted = row(tables, "This message was deleted")
    assert deleted["deleted_at"] == deleted["created_at"]


def test_members_from_system_lines():
    tables = read()
    ids = ids_by_name(tables)
    assert sorted(ids) == ["+1 555 0100", "Alice Smith", "Bob Jones", "Carol", "Dan"]
    participants = tables["chat_participants"]
    joined = dict(zip(participants["user_id"], participants["joined_at"], strict=True))
    assert joined[ids["Dan"]] == datetime(2020, 12, 30, 20, 1)
    assert joined[ids["+1 555 0100"]] == datetime(2020, 12, 31, 21, 15)
    chat = tables["chats"].row(0, named=True)
    assert chat["created_by"] == ids["Alice Smith"]
    assert chat["title"] == "Hiking Club"


def test_isolated_mention_resolves():
    tables = read()
    thanks = row(tables, "Thanks! @\u2068Alice Smith\u2069")
    assert thanks["mentioned_users"] == [ids_by_name(tables)["Alice Smith"]]


def test_timezone_option_converts_to_utc():
    berlin = read(timezone="Europe/Berlin")
    assert row(berlin, "hi all, new here")["created_at"] == datetime(
        2020, 12, 31, 20, 16
    )
    new_york = read(timezone="America/New_York")
    assert row(new_york, "hi all, new here")["created_at"] == datetime(
        2021, 1, 1, 2, 16
    )


def test_pseudonyms_replace_names_in_text():
    tables = read(pseudonymize=True)
    text = " ".join([*tables["messages"]["content"], *tables["chats"]["title"]])
    for real in ("Alice Smith", "Bob Jones", "Carol", "+1 555 0100"):
        assert real not in text
    assert "Hiking Club" in tables["chats"]["title"].to_list()


# -- iOS, German: brackets, day first, seconds, direction marks -------------------


def test_ios_zip_counts(tmp_path):
    tables = read(ios_zip(tmp_path))
    assert table_counts(tables) == {
        "profiles": 2,
        "chats": 1,
        "chat_participants": 2,
        "messages": 8,
        "friends": 0,
        "file_attachments": 1,
    }
    assert message_kinds(tables["messages"]) == {
        "human": 6,
        "bot": 0,
        "system": 2,
        "deleted": 1,
        "edited": 0,
        "mentioning": 0,
    }


def test_ios_zip_title_creator_and_times(tmp_path):
    tables = read(ios_zip(tmp_path))
    chat = tables["chats"].row(0, named=True)
    assert chat["title"] == "Bergfreunde"
    assert chat["created_by"] == ids_by_name(tables)["Anna"]
    assert row(tables, "Schade")["created_at"] == datetime(2021, 1, 13, 18, 46)
    assert row(tables, "Hallo Anna!\nWie geht's?")["created_at"] == datetime(
        2021, 1, 2, 10, 2, 30
    )


def test_ios_attached_file_in_zip(tmp_path):
    tables = read(ios_zip(tmp_path))
    files = tables["file_attachments"].row(0, named=True)
    assert files["file_name"] == "00000005-PHOTO-2021-01-02-10-05-00.jpg"
    assert files["file_size"] == 42
    assert files["file_type"] == "image/jpeg"
    message = tables["messages"].filter(pl.col("id") == files["message_id"])
    assert message["content"].item() == "[file]"
    assert files["user_id"] == ids_by_name(tables)["Ben"]


def test_ios_folder_reads_like_zip(tmp_path):
    from_zip, from_folder = read(ios_zip(tmp_path)), read(IOS)
    assert_frame_equal(
        from_zip["messages"].drop("id", "chat_id"),
        from_folder["messages"].drop("id", "chat_id"),
    )
    assert from_folder["chats"]["title"].to_list() == ["ios"]


# -- a 1:1 chat: day first, 24-hour clock ---------------------------------------


def test_direct_chat_counts():
    tables = read(DIRECT)
    assert table_counts(tables) == {
        "profiles": 2,
        "chats": 1,
        "chat_participants": 2,
        "messages": 6,
        "friends": 0,
        "file_attachments": 0,
    }
    assert row(tables, "Sí")["created_at"] == datetime(2021, 1, 1, 10, 5)


@pytest.mark.parametrize(
    ("minimum", "expected_time"),
    [
        (1, datetime(2020, 12, 31, 21, 17)),
        (2, datetime(2021, 1, 1, 10, 5)),
        (3, None),
    ],
)
def test_direct_chat_friendship(minimum, expected_time):
    # Maria, Tom, Maria, Tom, Maria: each answers the other twice.
    friends = read(DIRECT, derive_friends=minimum)["friends"]
    if expected_time is None:
        assert friends.is_empty()
    else:
        assert friends["created_at"].to_list() == [expected_time]


def test_group_chat_needs_replies_for_friendship():
    # Consecutive messages in a group are not answers: no explicit replies.
    assert read(derive_friends=1)["friends"].is_empty()


def test_pseudonymized_direct_title():
    tables = read(DIRECT, pseudonymize=True)
    title = tables["chats"]["title"].item()
    names = sorted(tables["profiles"]["display_name"].to_list())
    assert title == "Direct chat: " + ", ".join(names)


# -- date formats and encodings ---------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("31/12/2020, 21:15 - A: x", datetime(2020, 12, 31, 21, 15)),
        ("12/31/20, 9:15 PM - A: x", datetime(2020, 12, 31, 21, 15)),
        (f"12/31/20, 9:15{NNBSP}PM - A: x", datetime(2020, 12, 31, 21, 15)),
        ("[31.12.20, 21:15:03] A: x", datetime(2020, 12, 31, 21, 15, 3)),
        ("\u200e[31.12.20, 21:15:03] A: x", datetime(2020, 12, 31, 21, 15, 3)),
        ("[12/31/20, 9:15:03 PM] A: x", datetime(2020, 12, 31, 21, 15, 3)),
        ("2020-12-31, 21:15 - A: x", datetime(2020, 12, 31, 21, 15)),
        ("31.12.20, 21:15 \u2013 A: x", datetime(2020, 12, 31, 21, 15)),
        ("31/12/2020, 9:15 p. m. - A: x", datetime(2020, 12, 31, 21, 15)),
        ("31/12/2020 21:15 - A: x", datetime(2020, 12, 31, 21, 15)),
    ],
)
def test_header_formats(tmp_path, line, expected):
    path = write(tmp_path / "chat.txt", line + "\n")
    assert read(path)["messages"]["created_at"].to_list() == [expected]


def test_day_over_twelve_anywhere_decides_order(tmp_path):
    # 03/04 alone is ambiguous; 13/04 on the last line makes it day first.
    text = (
        "03/04/2021, 10:00 - A: x\n05/04/2021, 10:00 - B: y\n13/04/2021, 10:00 - A: z\n"
    )
    times = read(write(tmp_path / "chat.txt", text))["messages"]["created_at"]
    assert times.to_list()[0] == datetime(2021, 4, 3, 10, 0)


def test_ambiguous_dates_follow_chronology(tmp_path):
    # Read month first, 01/02 then 02/01 would go back in time.
    text = (
        "01/02/2021, 10:00 - A: x\n02/02/2021, 10:00 - B: y\n01/03/2021, 10:00 - A: z\n"
    )
    times = read(write(tmp_path / "chat.txt", text))["messages"]["created_at"]
    assert times.to_list() == [
        datetime(2021, 2, 1, 10),
        datetime(2021, 2, 2, 10),
        datetime(2021, 3, 1, 10),
    ]


def test_date_order_option_overrides(tmp_path):
    path = write(tmp_path / "chat.txt", "01/02/2021, 10:00 - A: x\n")
    assert read(path, date_order="mdy")["messages"]["created_at"].item() == datetime(
        2021, 1, 2, 10
    )
    assert read(path, date_order="dmy")["messages"]["created_at"].item() == datetime(
        2021, 2, 1, 10
    )


def test_utf16_with_bom(tmp_path):
    text = ANDROID.read_text(encoding="utf-8")
    path = write(tmp_path / "WhatsApp Chat with Hiking Club.txt", text, "utf-16")
    assert_frame_equal(read(path)["messages"], read()["messages"])


def test_utf16_without_bom(tmp_path):
    text = ANDROID.read_text(encoding="utf-8")
    path = write(tmp_path / "WhatsApp Chat with Hiking Club.txt", text, "utf-16-le")
    assert_frame_equal(read(path)["messages"], read()["messages"])


def test_utf8_bom_is_ignored(tmp_path):
    text = DIRECT.read_text(encoding="utf-8")
    path = write(tmp_path / "WhatsApp Chat with Maria.txt", text, "utf-8-sig")
    assert_frame_equal(read(path)["messages"], read(DIRECT)["messages"])


def test_latin1_file_is_rejected_with_line(tmp_path):
    text = "31/12/2020, 21:15 - Ana: ok\n31/12/2020, 21:16 - José: olá\n"
    path = write(tmp_path / "chat.txt", text, "latin-1")
    with pytest.raises(
        ExportFormatError, match=r"chat\.txt: line 2 is not valid UTF-8 \(byte 0xe9"
    ):
        read(path)


def test_latin1_file_with_encoding_option(tmp_path):
    text = "31/12/2020, 21:15 - Ana: ok\n31/12/2020, 21:16 - José: olá\n"
    path = write(tmp_path / "chat.txt", text, "latin-1")
    tables = read(path, encoding="latin-1")
    assert "José" in tables["profiles"]["display_name"].to_list()
    assert "olá" in tables["messages"]["content"].to_list()


def test_leading_lines_are_skipped(tmp_path):
    text = "exported by a phone\n31/12/2020, 21:15 - A: x\n"
    assert read(write(tmp_path / "chat.txt", text))["messages"].height == 1


def test_nul_bytes_are_removed(tmp_path):
    text = "31/12/2020, 21:15 - A: bad\x00byte\n"
    assert (
        read(write(tmp_path / "chat.txt", text))["messages"]["content"].item()
        == "badbyte"
    )


def test_chat_title_from_file_names():
    assert chat_title("WhatsApp Chat with Maria.txt") == "Maria"
    assert chat_title("_chat.txt", "WhatsApp Chat - Bergfreunde.zip") == "Bergfreunde"
    assert chat_title("WhatsApp-Chat mit Oma.txt") == "Oma"
    assert chat_title("family.txt") == "family"


# -- bad input ----------------------------------------------------------------------


def test_no_message_line(tmp_path):
    path = write(tmp_path / "chat.txt", "hello\nworld\n")
    with pytest.raises(ExportFormatError, match="no line starts with a date and time"):
        read(path)


def test_mixed_date_orders(tmp_path):
    text = "13/01/2021, 10:00 - A: x\n01/13/2021, 10:00 - B: y\n"
    with pytest.raises(ExportFormatError, match="line 1 puts the day first but line 2"):
        read(write(tmp_path / "chat.txt", text))


def test_mixed_clocks(tmp_path):
    text = "12/31/20, 9:15 PM - A: x\n12/31/20, 21:16 - B: y\n"
    with pytest.raises(ExportFormatError, match="line 1 has a 12-hour time"):
        read(write(tmp_path / "chat.txt", text))


def test_impossible_date(tmp_path):
    text = "31/12/2020, 21:15 - A: x\n31/02/2021, 10:00 - B: y\n"
    with pytest.raises(ExportFormatError, match="line 2 has an invalid date or time"):
        read(write(tmp_path / "chat.txt", text))


def test_zip_without_text_file(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"x")
    archive = zip_folder(folder, tmp_path / "chat.zip")
    with pytest.raises(ExportFormatError, match=r"no \.txt file found"):
        read(archive)


def test_unknown_timezone():
    with pytest.raises(ExportFormatError, match="time zone 'Nowhere/City' is unknown"):
        read(timezone="Nowhere/City")


# -- loading ------------------------------------------------------------------------


def test_reimport_is_idempotent(module_dsn, tmp_path):
    paths = (ANDROID, DIRECT, ios_zip(tmp_path))
    for path in paths:
        load_tables(module_dsn, read(path, derive_friends=1), strict=True)
    first = warehouse_counts(module_dsn)
    for path in paths:
        load_tables(module_dsn, read(path, derive_friends=1), strict=True)
    assert warehouse_counts(module_dsn) == first
    assert first["messages"] == 16 + 6 + 8
    assert first["friends"] == 1


def test_later_export_adds_only_new(fresh_dsn, tmp_path):
    load_tables(fresh_dsn, read(), strict=True)
    before = warehouse_counts(fresh_dsn)
    lines = ANDROID.read_text(encoding="utf-8").splitlines(keepends=True)
    # The later export starts mid-way and has one new message at the end.
    later_text = "".join(lines[7:]) + f"1/2/21, 8:00{NNBSP}AM - Dan: Still here\n"
    later = write(tmp_path / "WhatsApp Chat with Hiking Club.txt", later_text)
    report = load_tables(fresh_dsn, read(later), strict=True)
    assert warehouse_counts(fresh_dsn)["messages"] == before["messages"] + 1
    assert report.tables["messages"].inserted == 1
    assert report.rejected == 0
