"""Detecting the platform of an export, and unknown or mixed exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from export_checks import FIXTURES, zip_folder

from chat_analytics.ingest.importers import (
    ExportFormatError,
    ImportOptions,
    detect_format,
    read_export,
)

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "slack_export_2016"
ANDROID = FIXTURES / "whatsapp" / "android" / "WhatsApp Chat with Hiking Club.txt"


@pytest.mark.parametrize(
    ("path", "platform"),
    [
        (FIXTURES / "slack" / "workspace", "slack"),
        (BUNDLED, "slack"),
        (FIXTURES / "discord" / "server", "discord"),
        (FIXTURES / "discord" / "server" / "Acme - general [100].json", "discord"),
        (FIXTURES / "telegram" / "group", "telegram"),
        (FIXTURES / "telegram" / "account" / "result.json", "telegram"),
        (FIXTURES / "whatsapp" / "android", "whatsapp"),
        (ANDROID, "whatsapp"),
        (FIXTURES / "whatsapp" / "ios", "whatsapp"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_detects_fixture(path, platform):
    assert detect_format(path) == platform


@pytest.mark.parametrize(
    ("folder", "platform"),
    [
        ("slack/workspace", "slack"),
        ("discord/server", "discord"),
        ("telegram/group", "telegram"),
        ("whatsapp/ios", "whatsapp"),
    ],
)
def test_detects_zip(tmp_path, folder, platform):
    archive = zip_folder(FIXTURES / folder, tmp_path / "export.zip", prefix="top/")
    assert detect_format(archive) == platform


def test_auto_format_reads_like_explicit():
    auto = read_export(FIXTURES / "discord" / "server")
    explicit = read_export(FIXTURES / "discord" / "server", "discord")
    assert auto["messages"].equals(explicit["messages"])


def test_mixed_export_is_rejected(tmp_path):
    shutil.copytree(FIXTURES / "slack" / "workspace", tmp_path / "mixed")
    shutil.copy(ANDROID, tmp_path / "mixed" / "chat.txt")
    with pytest.raises(
        ExportFormatError, match=r"several platforms: slack \(.*\); whatsapp"
    ):
        detect_format(tmp_path / "mixed")


def test_unknown_folder_is_rejected(tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ExportFormatError, match="not a recognised chat export"):
        detect_format(tmp_path)


def test_empty_folder_is_rejected(tmp_path):
    with pytest.raises(ExportFormatError, match="not a recognised chat export"):
        detect_format(tmp_path)


def test_plain_text_is_not_whatsapp(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\nmilk\n", encoding="utf-8")
    with pytest.raises(ExportFormatError, match="pass the format explicitly"):
        detect_format(path)


def test_latin1_whatsapp_is_detected_then_rejected(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_bytes("31/12/2020, 21:16 - José: olá\n".encode("latin-1"))
    assert detect_format(path) == "whatsapp"
    with pytest.raises(ExportFormatError, match="line 1 is not valid UTF-8"):
        read_export(path)


def test_unknown_format_name():
    with pytest.raises(ExportFormatError, match="unknown format 'irc'"):
        read_export(ANDROID, "irc")


def test_invalid_options():
    with pytest.raises(ExportFormatError, match="derive_friends must be at least 1"):
        ImportOptions(derive_friends=0)
    with pytest.raises(ExportFormatError, match="date_order 'dym' is invalid"):
        ImportOptions(date_order="dym")
    with pytest.raises(ExportFormatError, match="encoding 'klingon' is unknown"):
        ImportOptions(encoding="klingon")


def test_damaged_zip(tmp_path):
    archive = zip_folder(FIXTURES / "slack" / "workspace", tmp_path / "export.zip")
    data = archive.read_bytes()
    # Keep the central directory but damage the first member's data.
    archive.write_bytes(data[:40] + b"\x00" * 200 + data[240:])
    with pytest.raises(ExportFormatError):
        read_export(archive, "slack")
