"""Recognise the platform of an export from its files and their first bytes."""

from __future__ import annotations

import logging
import re
from pathlib import Path, PurePosixPath

from chat_analytics.ingest.importers.common import (
    PLATFORMS,
    ExportFormatError,
    ExportSource,
    decode_text,
)
from chat_analytics.ingest.importers.slack import LISTINGS
from chat_analytics.ingest.importers.whatsapp import looks_like_whatsapp

__all__ = ["detect_format"]

logger = logging.getLogger(__name__)

# Bytes read from the start of a file to recognise it.
HEAD_BYTES = 16_384
# JSON files peeked at in a folder before giving up on finding a Discord one.
MAX_PEEKED_FILES = 50
DISCORD_KEYS = re.compile(r'"guild"\s*:.*"channel"\s*:', re.DOTALL)
TELEGRAM_KEYS = re.compile(r'"(messages|chats)"\s*:')


def _head_text(source: ExportSource, name: str) -> str:
    """Return the start of a member as text, decoding leniently.

    Detection must not fail on encoding: the importer reports a bad
    encoding with the line, which is more useful than a failed detection.
    """
    head = source.read_head(name, HEAD_BYTES)
    try:
        return decode_text(head, source.describe(name))
    except ExportFormatError:
        return head.decode("latin-1")


def _evidence(source: ExportSource) -> dict[str, str]:
    """Return the platforms found, each with the file that shows it."""
    found: dict[str, str] = {}
    names = source.names()
    for name in names:
        base = PurePosixPath(name).name
        if base in ("users.json", *LISTINGS) and name.count("/") <= 1:
            found.setdefault("slack", name)
        elif base == "result.json" and TELEGRAM_KEYS.search(_head_text(source, name)):
            found.setdefault("telegram", name)
    peeked = 0
    for name in names:
        lower = name.lower()
        if lower.endswith(".txt") and "whatsapp" not in found:
            if looks_like_whatsapp(_head_text(source, name)):
                found["whatsapp"] = name
        elif (
            lower.endswith(".json")
            and "discord" not in found
            and peeked < MAX_PEEKED_FILES
        ):
            base = PurePosixPath(name).name
            if base in ("users.json", "result.json", *LISTINGS):
                continue
            peeked += 1
            if DISCORD_KEYS.search(_head_text(source, name)):
                found["discord"] = name
    return found


def detect_format(path: str | Path) -> str:
    """Return the platform of the export at ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        A folder, a zip archive or a single export file.

    Returns
    -------
    str
        One of ``slack``, ``discord``, ``telegram`` and ``whatsapp``.

    Raises
    ------
    ExportFormatError
        When no platform is recognised, or files of several platforms are
        mixed in one folder or archive.
    """
    with ExportSource(path) as source:
        found = _evidence(source)
    if len(found) > 1:
        listing = "; ".join(
            f"{platform} ({source.describe(name)})"
            for platform, name in sorted(found.items())
        )
        raise ExportFormatError(
            f"{path}: contains exports of several platforms: {listing}. Put each "
            "export in its own folder or pass the format explicitly"
        )
    if not found:
        raise ExportFormatError(
            f"{path}: not a recognised chat export. Expected a Slack export "
            "(users.json and channels.json), DiscordChatExporter JSON files, a "
            "Telegram result.json or a WhatsApp .txt/.zip export; pass the format "
            f"explicitly ({', '.join(PLATFORMS)}) if it is one of them"
        )
    platform = next(iter(found))
    logger.info("%s looks like a %s export (%s)", path, platform, found[platform])
    return platform
