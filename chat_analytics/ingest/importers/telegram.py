"""Read a Telegram Desktop JSON export (``result.json``) into raw rows.

``result.json`` contains either one chat (``name``, ``type``, ``id``,
``messages``) or the whole account (``chats.list`` and ``left_chats.list``).
Telegram user ids are unique across the platform, so the workspace part of
the stable ids is empty by default.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chat_analytics.ingest.importers.common import (
    ExportFormatError,
    ExportSource,
    RawChat,
    RawExport,
    from_unix,
    load_json,
)

__all__ = ["read_telegram", "is_telegram_export"]

logger = logging.getLogger(__name__)

RESULT_FILE = "result.json"
DIRECT_CHAT_TYPES = frozenset({"personal_chat", "bot_chat"})
# Text that the export writes in place of the path of a file it did not save.
NOT_INCLUDED_PREFIX = "(File not included"
CREATE_ACTIONS = frozenset({"create_group", "create_channel", "migrate_from_group"})
JOIN_ACTIONS = frozenset({"join_group_by_link", "join_group_by_request"})
INVITE_ACTIONS = frozenset({"invite_members", "create_group"})
# Content of media messages without a caption, by media type.
MEDIA_PLACEHOLDERS = {
    "sticker": "[sticker]",
    "voice_message": "[voice message]",
    "video_message": "[video message]",
    "video_file": "[video]",
    "audio_file": "[audio]",
    "animation": "[animation]",
}


def is_telegram_export(document: Any) -> bool:
    """Return whether a parsed JSON document is a Telegram Desktop ``result.json``."""
    if not isinstance(document, dict):
        return False
    if isinstance(document.get("chats"), dict):
        return isinstance(document["chats"].get("list"), list)
    return (
        isinstance(document.get("messages"), list)
        and ("type" in document or "name" in document)
        and "guild" not in document
    )


def _fail(where: str, problem: str) -> ExportFormatError:
    return ExportFormatError(
        f"{where}: {problem}; export the chat again from Telegram Desktop with "
        "the JSON format"
    )


def _text(value: Any, where: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """Return the plain text, the named mentions (user id, name) and the @handles.

    ``value`` is a string or a list of strings and entity objects.
    """
    if isinstance(value, str):
        return value, [], []
    if not isinstance(value, list):
        raise _fail(where, "text is neither a string nor a list of entities")
    parts: list[str] = []
    named: list[tuple[str, str]] = []
    handles: list[str] = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
            continue
        if not isinstance(part, dict):
            raise _fail(where, "a text entity is neither a string nor an object")
        text = str(part.get("text") or "")
        parts.append(text)
        if part.get("type") == "mention_name" and part.get("user_id") is not None:
            named.append((f"user{part['user_id']}", text))
        elif part.get("type") == "mention" and text:
            handles.append(text)
    return "".join(parts), named, handles


class _Clock:
    """Converts Telegram dates to naive UTC."""

    def __init__(self, timezone: str | None) -> None:
        self.zone = None
        if timezone is not None:
            try:
                self.zone = ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ExportFormatError(
                    f"time zone {timezone!r} is unknown; pass an IANA name such as "
                    "Europe/Berlin"
                ) from None

    def time(self, message: dict[str, Any], key: str, where: str) -> datetime | None:
        unix = message.get(f"{key}_unixtime")
        if unix not in (None, ""):
            try:
                return from_unix(unix)
            except (TypeError, ValueError, OverflowError):
                raise _fail(
                    where, f"{key}_unixtime {unix!r} is not a Unix time"
                ) from None
        local = message.get(key)
        if local in (None, ""):
            return None
        try:
            value = datetime.fromisoformat(str(local))
        except ValueError:
            raise _fail(where, f"{key} {local!r} is not ISO 8601") from None
        if self.zone is not None and value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        return value


class _Reader:
    """State of one export: the raw rows, file sizes, names seen, the clock."""

    def __init__(
        self, raw: RawExport, size_of: Callable[[str], int | None], clock: _Clock
    ) -> None:
        self.raw = raw
        self.size_of = size_of
        self.clock = clock
        # Service messages name invited members, not their ids; names of
        # senders seen anywhere in the export resolve them.
        self.ids_by_name: dict[str, str] = {}

    def file_size(self, message: dict[str, Any], key: str) -> int | None:
        """Return the size of the photo or file: declared, else measured on disk."""
        declared = message.get("photo_file_size" if key == "photo" else "file_size")
        if isinstance(declared, int):
            return declared
        path = message.get(key)
        if isinstance(path, str) and not path.startswith(NOT_INCLUDED_PREFIX):
            return self.size_of(path)
        return None


def _add_files(
    reader: _Reader,
    chat_id: str,
    message_id: str,
    message: dict[str, Any],
    created: datetime,
) -> bool:
    """Record the photo or file of a message; return whether it has one at all."""
    has_media = False
    for key in ("photo", "file"):
        path = message.get(key)
        if not isinstance(path, str) or not path:
            continue
        has_media = True
        included = not path.startswith(NOT_INCLUDED_PREFIX)
        name = message.get("file_name") if key == "file" else None
        name = name or (PurePosixPath(path).name if included else None)
        size = reader.file_size(message, key)
        # Without a size there is no row: file_size is required and 0 would be false.
        if size is None or not name:
            continue
        reader.raw.add_file(
            chat_id,
            message_id,
            file_key=key,
            file_name=name,
            file_size=size,
            file_type=message.get("mime_type") if key == "file" else None,
            file_path=path if included else "",
            created_at=created,
        )
    return has_media


def _placeholder(message: dict[str, Any], has_media: bool) -> str | None:
    media_type = message.get("media_type")
    if media_type == "sticker" and message.get("sticker_emoji"):
        return str(message["sticker_emoji"])
    if media_type in MEDIA_PLACEHOLDERS:
        return MEDIA_PLACEHOLDERS[media_type]
    if "photo" in message:
        return "[photo]"
    if isinstance(message.get("poll"), dict) and message["poll"].get("question"):
        return str(message["poll"]["question"])
    if "location_information" in message:
        return "[location]"
    if "contact_information" in message:
        return "[contact]"
    return "[file]" if has_media else None


def _author(
    reader: _Reader, message: dict[str, Any], field: str, where: str
) -> str | None:
    """Record the sender (``field`` "from") or actor ("actor") and return its id."""
    user_id = message.get(f"{field}_id")
    name = message.get(field)
    if user_id is None:
        if not name:
            return None
        # Old exports name senders without ids, so the name is used as the id.
        user_id = f"name:{name}"
    user_id = str(user_id)
    user = reader.raw.ensure_user(user_id, handle=name or "Deleted Account")
    if name and user.display_name in (user_id, "Deleted Account"):
        user.handle = user.display_name = str(name)
    if name:
        reader.ids_by_name.setdefault(str(name), user_id)
    return user_id


def _service_message(
    reader: _Reader,
    chat_id: str,
    message: dict[str, Any],
    created: datetime,
    where: str,
) -> None:
    raw = reader.raw
    action = str(message.get("action") or "service")
    actor = _author(reader, message, "actor", where)
    chat = raw.chats[chat_id]
    if action in CREATE_ACTIONS and actor is not None and chat.creator is None:
        chat.creator = actor
        if chat.created_at is None or created < chat.created_at:
            chat.created_at = created
    if actor is not None and action in JOIN_ACTIONS | CREATE_ACTIONS:
        raw.add_member(chat_id, actor, created)
    members = [str(name) for name in message.get("members") or [] if name]
    if action in INVITE_ACTIONS:
        for name in members:
            user_id = reader.ids_by_name.get(name)
            if user_id is not None:
                raw.add_member(chat_id, user_id, created)
    text, _, _ = _text(message.get("text") or "", where)
    if not text.strip():
        # For example: Alice: create group "Trip" (Bob, Carol)
        text = f"{message.get('actor') or 'Someone'}: {action.replace('_', ' ')}"
        if message.get("title"):
            text += f' "{message["title"]}"'
        if members:
            text += f" ({', '.join(members)})"
    raw.add_message(
        chat_id,
        str(message["id"]),
        kind="system",
        author=None,
        content=text,
        created_at=created,
        source=where,
    )


def _user_message(
    reader: _Reader,
    chat_id: str,
    bot_id: str | None,
    message: dict[str, Any],
    created: datetime,
    where: str,
) -> None:
    raw = reader.raw
    message_id = str(message["id"])
    author = _author(reader, message, "from", where)
    if author is None:
        raise _fail(where, "the message has neither from nor from_id")

    text, named, handles = _text(message.get("text", ""), where)
    mentions = []
    for user_id, name in named:
        raw.ensure_user(user_id, handle=name)
        mentions.append(user_id)
    has_media = _add_files(reader, chat_id, message_id, message, created)

    # A reply to a message of another chat has no counterpart in this one.
    reply_to = message.get("reply_to_message_id")
    peer = message.get("reply_to_peer_id")
    if peer is not None and str(peer) != chat_id:
        reply_to = None
    is_bot = author == bot_id
    raw.add_message(
        chat_id,
        message_id,
        kind="bot" if is_bot else "user",
        author=None if is_bot else author,
        bot_name=raw.users[author].handle if is_bot else None,
        content=text,
        placeholder=_placeholder(message, has_media),
        created_at=created,
        edited_at=reader.clock.time(message, "edited", where),
        mentions=None if is_bot else mentions,
        unresolved_mentions=None if is_bot else handles,
        reply_to=str(reply_to) if reply_to is not None else None,
        source=where,
    )


def _read_chat(reader: _Reader, chat: Any, where: str) -> None:
    if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
        raise _fail(where, "a chat has no messages list")
    chat_type = chat.get("type") or "unknown"
    name = chat.get("name")
    if chat.get("id") is not None:
        chat_id = str(chat["id"])
    elif name:
        chat_id = f"name:{name}"
    else:
        raise _fail(where, "a chat has neither id nor name")
    title = name or (
        "Saved Messages" if chat_type == "saved_messages" else "Deleted Account"
    )
    reader.raw.add_chat(
        chat_id,
        RawChat(
            title=str(title),
            kind="direct" if chat_type in DIRECT_CHAT_TYPES else "group",
        ),
    )
    # In a chat with a bot, the chat id is the bot's user id.
    bot_id = f"user{chat_id}" if chat_type == "bot_chat" else None
    if bot_id is not None:
        reader.raw.ensure_user(bot_id, handle=str(name or bot_id)).is_bot = True
    where = f"{where} chat {chat_id}"
    for index, message in enumerate(chat["messages"]):
        label = f"{where} message {index}"
        if not isinstance(message, dict) or message.get("id") is None:
            raise _fail(label, "a message has no id")
        label = f"{where} message id {message['id']}"
        created = reader.clock.time(message, "date", label)
        if created is None:
            raise _fail(label, "the message has no date")
        if message.get("type") == "service":
            _service_message(reader, chat_id, message, created, label)
        else:
            _user_message(reader, chat_id, bot_id, message, created, label)


def _collect_names(reader: _Reader, chats: list[Any]) -> None:
    """Map each sender's and actor's name to their id before member lists are read."""
    for chat in chats:
        messages = chat.get("messages") if isinstance(chat, dict) else None
        for message in messages if isinstance(messages, list) else []:
            if not isinstance(message, dict):
                continue
            for field in ("from", "actor"):
                name, user_id = message.get(field), message.get(f"{field}_id")
                if name and user_id is not None:
                    reader.ids_by_name.setdefault(str(name), str(user_id))


def read_telegram(
    path: str | Path, workspace: str | None = None, timezone: str | None = None
) -> RawExport:
    """Read a Telegram Desktop JSON export into a :class:`RawExport`.

    Parameters
    ----------
    path : str or pathlib.Path
        ``result.json``, the export folder that contains it, or a zip of it.
    workspace : str or None
        Workspace part of the stable ids; None leaves it empty.
    timezone : str or None
        Zone of the local ``date`` fields, used only for messages without
        ``date_unixtime``; None reads them as UTC.

    Raises
    ------
    ExportFormatError
        When ``result.json`` is missing or is not a Telegram export.
    """
    raw = RawExport("telegram", workspace or "")
    clock = _Clock(timezone)
    with ExportSource(path) as source:
        if source.kind == "file":
            name = source.names()[0]
            folder = Path(path).parent

            def size_of(relative: str) -> int | None:
                file = folder / relative
                return file.stat().st_size if file.is_file() else None

        else:
            root = source.find_root(RESULT_FILE)
            if root is None:
                raise ExportFormatError(
                    f"{path}: result.json not found; export the chat or account "
                    "from Telegram Desktop in JSON format"
                )
            name = root + RESULT_FILE

            def size_of(relative: str) -> int | None:
                return source.size(root + relative)

        where = source.describe(name)
        document = load_json(source, name)
        if not is_telegram_export(document):
            raise _fail(where, "expected a chat with messages or an account with chats")
        reader = _Reader(raw, size_of, clock)
        if isinstance(document.get("chats"), dict):
            chats = list(document["chats"]["list"])
            left = document.get("left_chats")
            if isinstance(left, dict) and isinstance(left.get("list"), list):
                chats.extend(left["list"])
        else:
            chats = [document]
        _collect_names(reader, chats)
        for chat in chats:
            _read_chat(reader, chat, where)
    logger.info(
        "read %d message(s) in %d chat(s) from %s", raw.message_count, len(chats), path
    )
    return raw
