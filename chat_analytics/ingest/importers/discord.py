"""Read DiscordChatExporter JSON exports (one file per channel) into raw rows.

Each file contains ``guild``, ``channel`` and ``messages``. A path may be one
file, a folder of such files or a zip of them. Discord ids (snowflakes) are
unique across the whole platform, so the workspace part of the stable ids is
empty by default and the same person gets one profile in every guild.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from chat_analytics.ingest.importers.common import (
    ExportFormatError,
    ExportSource,
    RawChat,
    RawExport,
    RawUser,
    load_json,
    parse_iso_utc,
)

__all__ = ["read_discord", "is_discord_export"]

logger = logging.getLogger(__name__)

DIRECT_CHANNEL_TYPES = frozenset({"DirectTextChat"})
THREAD_CHANNEL_TYPES = frozenset(
    {"GuildPublicThread", "GuildPrivateThread", "GuildNewsThread"}
)
# Message types that carry what a person (or a bot) wrote. Every other type
# (joins, calls, pins, renames, boosts) is an event, stored as a system message.
USER_MESSAGE_TYPES = frozenset(
    {
        "Default",
        "Reply",
        "ThreadStarterMessage",
        "ChatInputCommand",
        "ContextMenuCommand",
    }
)
RECIPIENT_ADD_TYPES = frozenset({"RecipientAdd"})
BROADCAST_MENTION = re.compile(r"(?<!\w)@(everyone|here)\b")


def is_discord_export(document: Any) -> bool:
    """Return whether a parsed JSON document has DiscordChatExporter's layout."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("channel"), dict)
        and isinstance(document.get("messages"), list)
        and "guild" in document
    )


def _fail(where: str, problem: str) -> ExportFormatError:
    return ExportFormatError(
        f"{where}: {problem}; export the channel again with DiscordChatExporter "
        "in JSON format"
    )


def _record_author(raw: RawExport, author: dict[str, Any]) -> str:
    user_id = str(author["id"])
    name = author.get("name") or user_id
    known = raw.users.get(user_id)
    if known is None or known.handle == user_id:
        raw.add_user(
            user_id,
            RawUser(
                handle=name,
                display_name=author.get("nickname") or name,
                avatar_url=author.get("avatarUrl") or "",
                is_bot=bool(author.get("isBot")),
                deleted=name == "Deleted User"
                and author.get("discriminator") == "0000",
            ),
        )
    return user_id


def _title(guild: dict[str, Any], channel: dict[str, Any]) -> str:
    name = channel.get("name") or str(channel.get("id"))
    channel_type = channel.get("type")
    if channel_type in DIRECT_CHANNEL_TYPES:
        return f"Direct message: {name}"
    if channel_type == "DirectGroupTextChat":
        return f"Group direct message: {name}"
    guild_name = guild.get("name") if isinstance(guild, dict) else None
    return f"#{name} ({guild_name})" if guild_name else f"#{name}"


def _embed_text(message: dict[str, Any]) -> str:
    parts = []
    for embed in message.get("embeds") or []:
        if isinstance(embed, dict):
            for key in ("title", "description"):
                value = embed.get(key)
                if isinstance(value, str) and value.strip():
                    parts.append(value)
    return "\n".join(parts)


def _timestamp(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise _fail(where, f"timestamp {value!r} is not ISO 8601 text")
    try:
        return parse_iso_utc(value)
    except ValueError:
        raise _fail(where, f"timestamp {value!r} is not ISO 8601") from None


def _read_channel(raw: RawExport, document: Any, where: str) -> int:
    if not is_discord_export(document):
        raise _fail(where, "expected an object with guild, channel and messages")
    guild = document.get("guild") or {}
    channel = document["channel"]
    if channel.get("id") is None:
        raise _fail(where, "the channel has no id")
    chat_id = str(channel["id"])
    channel_type = channel.get("type")
    raw.add_chat(
        chat_id,
        RawChat(
            title=_title(guild, channel),
            kind="direct" if channel_type in DIRECT_CHANNEL_TYPES else "group",
        ),
    )
    thread = chat_id if channel_type in THREAD_CHANNEL_TYPES else None
    for index, message in enumerate(document["messages"]):
        label = f"{where} message {index}"
        if not isinstance(message, dict):
            raise _fail(label, "expected a JSON object")
        _add_message(raw, chat_id, thread, message, label)
    return len(document["messages"])


def _add_message(
    raw: RawExport,
    chat_id: str,
    thread: str | None,
    message: dict[str, Any],
    label: str,
) -> None:
    if message.get("id") is None:
        raise _fail(label, "the message has no id")
    message_id = str(message["id"])
    label = f"{label} (id {message_id})"
    author = message.get("author")
    if not isinstance(author, dict) or author.get("id") is None:
        raise _fail(label, "the message has no author id")
    author_id = _record_author(raw, author)
    created = _timestamp(message.get("timestamp"), label)
    edited = message.get("timestampEdited")
    edited_at = _timestamp(edited, label) if edited else None
    message_type = message.get("type") or "Default"
    content = message.get("content") or ""
    if not isinstance(content, str):
        raise _fail(label, "content is not a string")

    mentioned = []
    for mention in message.get("mentions") or []:
        if isinstance(mention, dict) and mention.get("id") is not None:
            mentioned.append(_record_author(raw, mention))

    if message_type not in USER_MESSAGE_TYPES:
        # The author of an event (a join, a pin, a call) is in the chat.
        if not raw.users[author_id].is_bot:
            raw.add_member(chat_id, author_id, created)
        if message_type in RECIPIENT_ADD_TYPES:
            for user_id in mentioned:
                raw.add_member(chat_id, user_id, created)
        raw.add_message(
            chat_id,
            message_id,
            kind="system",
            author=None,
            content=content,
            placeholder=f"[{message_type}]",
            created_at=created,
            edited_at=edited_at,
            source=label,
        )
        return

    is_bot = raw.users[author_id].is_bot
    if is_bot and not content.strip():
        content = _embed_text(message)
    placeholder = "[sticker]" if message.get("stickers") else None
    if placeholder is None and message.get("embeds") and not message.get("attachments"):
        placeholder = "[embed]"
    reference = message.get("reference") or {}
    reply_to = None
    if isinstance(reference, dict) and reference.get("messageId"):
        same_channel = str(reference.get("channelId") or chat_id) == chat_id
        reply_to = str(reference["messageId"]) if same_channel else None
    raw.add_message(
        chat_id,
        message_id,
        kind="bot" if is_bot else "user",
        author=None if is_bot else author_id,
        bot_name=raw.users[author_id].handle if is_bot else None,
        content=content,
        placeholder=placeholder,
        created_at=created,
        edited_at=edited_at,
        mentions=mentioned if not is_bot else None,
        broadcasts=BROADCAST_MENTION.findall(content) if not is_bot else None,
        reply_to=reply_to,
        thread_id=thread,
        source=label,
    )
    for position, attachment in enumerate(message.get("attachments") or []):
        if not isinstance(attachment, dict):
            continue
        size = attachment.get("fileSizeBytes")
        name = (
            attachment.get("fileName")
            or PurePosixPath(str(attachment.get("url") or "")).name
        )
        if not isinstance(size, int) or not name:
            continue
        raw.add_file(
            chat_id,
            message_id,
            file_key=str(attachment.get("id") or position),
            file_name=name,
            file_size=size,
            file_type=None,
            file_path=str(attachment.get("url") or ""),
            created_at=created,
        )


def read_discord(path: str | Path, workspace: str | None = None) -> RawExport:
    """Read DiscordChatExporter JSON files into a :class:`RawExport`.

    Parameters
    ----------
    path : str or pathlib.Path
        One exported channel file, a folder of them, or a zip of them. In a
        folder or zip, JSON files that are not channel exports are skipped.
    workspace : str or None
        Workspace part of the stable ids; None leaves it empty because Discord
        ids are unique across guilds.

    Raises
    ------
    ExportFormatError
        When no file is a channel export, or a channel file is malformed.
    """
    raw = RawExport("discord", workspace or "")
    channels = 0
    with ExportSource(path) as source:
        names = [name for name in source.names() if name.lower().endswith(".json")]
        for name in names:
            document = load_json(source, name)
            if source.kind != "file" and not is_discord_export(document):
                logger.info("%s: not a channel export, skipped", source.describe(name))
                continue
            _read_channel(raw, document, source.describe(name))
            channels += 1
        if channels == 0:
            raise ExportFormatError(
                f"{path}: no DiscordChatExporter JSON file found; export the "
                "channels with DiscordChatExporter in JSON format"
            )
    logger.info(
        "read %d message(s) in %d channel(s) from %s", raw.message_count, channels, path
    )
    return raw
