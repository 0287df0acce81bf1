"""Importers of Slack, Discord, Telegram and WhatsApp exports into the chat tables.

:func:`read_export` reads an export into polars frames of the chat tables,
without touching a database; :func:`chat_analytics.ingest.loader.load_tables`
loads them. The mapping of each platform is described in ``docs/importers.md``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chat_analytics.ingest.importers.build import IMPORTED_TABLES, build_tables
from chat_analytics.ingest.importers.common import (
    PLATFORMS,
    ExportFormatError,
    ImportOptions,
    RawExport,
)
from chat_analytics.ingest.importers.detect import detect_format
from chat_analytics.ingest.importers.discord import read_discord
from chat_analytics.ingest.importers.slack import read_slack
from chat_analytics.ingest.importers.telegram import read_telegram
from chat_analytics.ingest.importers.whatsapp import read_whatsapp

__all__ = [
    "FORMATS",
    "IMPORTED_TABLES",
    "ExportFormatError",
    "ImportOptions",
    "detect_format",
    "read_raw",
    "read_export",
]

# Values of the format argument: a platform, or "auto" to detect it.
FORMATS = (*PLATFORMS, "auto")


def read_raw(path: str | Path, platform: str, options: ImportOptions) -> RawExport:
    """Read the export at ``path`` of a known ``platform`` into raw rows."""
    if platform == "slack":
        return read_slack(path, options.workspace)
    if platform == "discord":
        return read_discord(path, options.workspace)
    if platform == "telegram":
        return read_telegram(path, options.workspace, options.timezone)
    if platform == "whatsapp":
        return read_whatsapp(
            path,
            options.workspace,
            encoding=options.encoding,
            date_order=options.date_order,
            timezone=options.timezone,
        )
    raise ExportFormatError(
        f"unknown format {platform!r}; use one of {', '.join(FORMATS)}"
    )


def read_export(
    path: str | Path,
    format: str = "auto",
    options: ImportOptions | None = None,
) -> dict[str, pl.DataFrame]:
    """Read a chat export into frames of the chat tables.

    Parameters
    ----------
    path : str or pathlib.Path
        The export: a folder, a zip archive or a single file.
    format : str, default "auto"
        ``slack``, ``discord``, ``telegram``, ``whatsapp``, or ``auto`` to
        detect it from the files.
    options : ImportOptions or None
        Pseudonyms, derived friendships, time zone and parsing settings.

    Returns
    -------
    dict of str to polars.DataFrame
        Frames for ``profiles``, ``chats``, ``chat_participants``,
        ``messages``, ``friends`` and ``file_attachments``, ready for
        :func:`chat_analytics.ingest.loader.load_tables`. The same input
        always gives the same frames, ids included.

    Raises
    ------
    ExportFormatError
        When the format is unknown or undetectable, or a file is missing or
        malformed; the message names the file and the fix.

    Examples
    --------
    >>> tables = read_export("data/slack_export_2016")  # doctest: +SKIP
    >>> tables["messages"].height  # doctest: +SKIP
    158
    """
    options = options or ImportOptions()
    if format not in FORMATS:
        raise ExportFormatError(
            f"unknown format {format!r}; use one of {', '.join(FORMATS)}"
        )
    platform = detect_format(path) if format == "auto" else format
    raw = read_raw(path, platform, options)
    return build_tables(raw, options)
