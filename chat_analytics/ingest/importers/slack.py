"""Read a Slack workspace export (folder or zip) into raw rows.

The export has ``users.json``, one listing per conversation type
(``channels.json``, ``groups.json``, ``mpims.json``, ``dms.json``) and one
folder per conversation with a JSON file of messages per day. Public and
private channels and group DMs are stored in a folder named after the
conversation, direct messages in a folder named after their ``D...`` id.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from chat_analytics.ingest.importers.common import (
    ExportFormatError,
    ExportSource,
    RawChat,
    RawExport,
    RawUser,
    from_unix,
    load_json,
)

__all__ = ["LISTINGS", "read_slack"]

logger = logging.getLogger(__name__)

# Listing file of each conversation type and whether its chats are 1:1 chats.
LISTINGS = {
    "channels.json": "group",
    "groups.json": "group",
    "mpims.json": "group",
    "dms.json": "direct",
}
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
# Subtypes that Slack writes for events rather than for a person's message:
# joins and leaves, renames, topic changes, integrations and pins.
SYSTEM_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "group_join",
        "group_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_topic",
        "group_purpose",
        "group_name",
        "group_archive",
        "group_unarchive",
        "channel_convert_to_private",
        "channel_convert_to_public",
        "channel_posting_permissions",
        "bot_add",
        "bot_remove",
        "bot_enable",
        "bot_disable",
        "app_conversation_join",
        "pinned_item",
        "unpinned_item",
        "reminder_add",
        "sh_room_created",
        "huddle_thread",
        "joiner_notification",
    }
)
JOIN_SUBTYPES = frozenset(
    {"channel_join", "group_join", "app_conversation_join", "joiner_notification"}
)
LEAVE_SUBTYPES = frozenset({"channel_leave", "group_leave"})
# Subtypes of messages that a person wrote.
USER_SUBTYPES = frozenset(
    {
        None,
        "file_share",
        "file_comment",
        "thread_broadcast",
        "me_message",
        "reply_broadcast",
    }
)
# Events that change or remove an earlier message instead of adding one.
EVENT_SUBTYPES = frozenset({"message_changed", "message_deleted", "message_replied"})
DELETED_SUBTYPES = frozenset({"tombstone"})
SLACKBOT = "USLACKBOT"
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
BROADCAST_MENTION = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
BOT_SERVICE = re.compile(r"/services/(B[A-Z0-9]+)\|([^>]+)>")


def _fail(where: str, problem: str) -> ExportFormatError:
    return ExportFormatError(
        f"{where}: {problem}; the file is not in Slack's export format, so export "
        "the workspace again or remove the file"
    )


def _users(where: str, users: Any, raw: RawExport) -> None:
    if not isinstance(users, list):
        raise _fail(where, "expected a JSON list of users")
    for index, user in enumerate(users):
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            raise _fail(where, f"entry {index} has no string id")
        profile = user.get("profile") or {}
        handle = user.get("name") or profile.get("display_name") or user["id"]
        display = (
            profile.get("real_name")
            or user.get("real_name")
            or profile.get("display_name")
            or handle
        )
        avatar = next(
            (
                profile[key]
                for key in ("image_192", "image_72", "image_512", "image_48")
                if profile.get(key)
            ),
            "",
        )
        is_admin = any(
            user.get(key) for key in ("is_admin", "is_owner", "is_primary_owner")
        )
        raw.add_user(
            user["id"],
            RawUser(
                handle=handle,
                display_name=display,
                avatar_url=avatar,
                role="admin" if is_admin else "user",
                is_bot=bool(user.get("is_bot")) or user["id"] == SLACKBOT,
                deleted=bool(user.get("deleted")),
            ),
        )


def _workspace(source: ExportSource, root: str, raw_users: list[Any]) -> str:
    teams = Counter(
        user.get("team_id") or (user.get("profile") or {}).get("team")
        for user in raw_users
        if isinstance(user, dict)
    )
    teams.pop(None, None)
    teams.pop("", None)
    if teams:
        return teams.most_common(1)[0][0]
    logger.warning(
        "%s: users.json names no team_id, so ids are derived without a workspace "
        "id; pass a workspace name to keep two such workspaces apart",
        source.describe(root + "users.json"),
    )
    return ""


def _conversation_title(listing: str, entry: dict[str, Any], raw: RawExport) -> str:
    def names(members: list[str]) -> str:
        return ", ".join(
            sorted(raw.users[m].handle if m in raw.users else m for m in members)
        )

    members = [m for m in entry.get("members") or [] if isinstance(m, str)]
    if listing == "dms.json":
        return "Direct message: " + names(members)
    if listing == "mpims.json":
        return "Group direct message: " + names(members)
    return "#" + str(entry.get("name") or entry["id"])


def _conversations(source: ExportSource, root: str, raw: RawExport) -> dict[str, str]:
    """Record the listed conversations; return the map from folder to chat id."""
    folders: dict[str, str] = {}
    found_listing = False
    for listing, kind in LISTINGS.items():
        name = root + listing
        if not source.exists(name):
            continue
        found_listing = True
        entries = load_json(source, name)
        if not isinstance(entries, list):
            raise _fail(source.describe(name), "expected a JSON list of conversations")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise _fail(source.describe(name), f"entry {index} has no string id")
            created = entry.get("created")
            raw.add_chat(
                entry["id"],
                RawChat(
                    title=_conversation_title(listing, entry, raw),
                    kind=kind,
                    created_at=from_unix(created)
                    if created not in (None, "", 0, "0")
                    else None,
                    creator=entry.get("creator") or None,
                ),
            )
            for member in entry.get("members") or []:
                if isinstance(member, str):
                    raw.add_member(entry["id"], member, None)
            folder = (
                entry["id"]
                if listing == "dms.json"
                else entry.get("name") or entry["id"]
            )
            folders[folder] = entry["id"]
    if not found_listing:
        raise ExportFormatError(
            f"{source.describe(root or '.')}: none of {', '.join(LISTINGS)} is in the "
            "export; pass the folder or zip of a complete Slack export"
        )
    return folders


def _day_files(source: ExportSource, root: str) -> dict[str, list[str]]:
    """Return the day files per conversation folder, in date order."""
    per_folder: dict[str, list[str]] = {}
    for name in source.names():
        if not name.startswith(root):
            continue
        path = PurePosixPath(name[len(root) :])
        if len(path.parts) == 2 and DAY_FILE.match(path.name):
            per_folder.setdefault(path.parts[0], []).append(name)
    return {folder: sorted(files) for folder, files in per_folder.items()}


def _file_path(file: dict[str, Any]) -> str:
    """Return where the file lives, without the access token some URLs carry."""
    for key in ("permalink", "url_private", "url_private_download"):
        url = file.get(key)
        if isinstance(url, str) and url:
            parts = urlsplit(url)
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return ""


def _attachment_text(message: dict[str, Any]) -> str:
    """Return the fallback text of the rich attachments that integrations post."""
    texts = []
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            text = (
                attachment.get("fallback")
                or attachment.get("text")
                or attachment.get("pretext")
                or attachment.get("title")
            )
            if isinstance(text, str) and text.strip():
                texts.append(text)
    return "\n".join(texts)


class _Channel:
    """Messages of one conversation and the edit and deletion events about them."""

    def __init__(self, chat_id: str) -> None:
        self.chat_id = chat_id
        self.messages: list[tuple[dict[str, Any], str]] = []
        self.edits: dict[str, tuple[str | None, datetime]] = {}
        self.deletions: dict[str, datetime] = {}


def _read_channel(source: ExportSource, files: list[str], chat_id: str) -> _Channel:
    channel = _Channel(chat_id)
    for name in files:
        where = source.describe(name)
        day = load_json(source, name)
        if not isinstance(day, list):
            raise _fail(where, "expected a JSON list of messages")
        for index, message in enumerate(day):
            source_label = f"{where} message {index}"
            if not isinstance(message, dict):
                raise _fail(source_label, "expected a JSON object")
            if message.get("type", "message") != "message":
                continue
            if "ts" not in message:
                raise _fail(source_label, "the message has no ts (timestamp)")
            subtype = message.get("subtype")
            if subtype in EVENT_SUBTYPES:
                _note_event(channel, message, source_label)
                continue
            channel.messages.append((message, source_label))
    return channel


def _timestamp(value: Any, where: str) -> datetime:
    try:
        return from_unix(value)
    except (TypeError, ValueError, OverflowError):
        raise _fail(where, f"ts {value!r} is not a Unix time") from None


def _note_event(channel: _Channel, message: dict[str, Any], where: str) -> None:
    at = _timestamp(message["ts"], where)
    if message.get("subtype") == "message_changed":
        new = message.get("message") or {}
        if isinstance(new, dict) and "ts" in new:
            edited = (new.get("edited") or {}).get("ts")
            channel.edits[str(new["ts"])] = (
                new.get("text"),
                _timestamp(edited, where) if edited else at,
            )
    elif message.get("subtype") == "message_deleted":
        deleted_ts = message.get("deleted_ts") or (
            message.get("previous_message") or {}
        ).get("ts")
        if deleted_ts:
            channel.deletions[str(deleted_ts)] = at


def _bot_name(message: dict[str, Any], bot_names: dict[str, str]) -> str:
    profile = message.get("bot_profile") or {}
    bot_id = message.get("bot_id")
    return (
        message.get("username")
        or profile.get("name")
        or bot_names.get(bot_id or "")
        or bot_id
        or "unknown"
    )


def _add_message(
    raw: RawExport,
    channel: _Channel,
    message: dict[str, Any],
    where: str,
    bot_names: dict[str, str],
) -> None:
    ts = str(message["ts"])
    created = _timestamp(ts, where)
    subtype = message.get("subtype")
    text = message.get("text") or ""
    if not isinstance(text, str):
        raise _fail(where, "text is not a string")
    user = message.get("user")
    if subtype == "file_comment" and isinstance(message.get("comment"), dict):
        user = message["comment"].get("user") or user
    edited_at = None
    if isinstance(message.get("edited"), dict) and message["edited"].get("ts"):
        edited_at = _timestamp(message["edited"]["ts"], where)
    if ts in channel.edits:
        new_text, edited_at = channel.edits[ts]
        text = new_text if isinstance(new_text, str) else text
    deleted_at = channel.deletions.get(ts)

    is_bot = (
        subtype == "bot_message"
        or (message.get("bot_id") and not user)
        or user == SLACKBOT
    )
    bot_name = None
    if subtype in DELETED_SUBTYPES or message.get("hidden"):
        # A tombstone keeps the place of a deleted thread parent. Its author is
        # unknown, so Slackbot is named instead.
        kind = "user" if user and user != SLACKBOT else "system"
        deleted_at = deleted_at or created
    elif is_bot:
        kind = "bot"
        if not text.strip():
            text = _attachment_text(message)
        bot_name = "slackbot" if user == SLACKBOT else _bot_name(message, bot_names)
    elif subtype in SYSTEM_SUBTYPES or (subtype not in USER_SUBTYPES and not user):
        kind = "system"
    else:
        kind = "user"
    if kind == "user" and not user:
        raise _fail(where, "a user message has no user id")

    if kind == "user":
        embedded = message.get("user_profile") or {}
        raw.ensure_user(
            user,
            handle=embedded.get("name") or embedded.get("display_name"),
            display_name=embedded.get("real_name"),
        )
    if subtype in JOIN_SUBTYPES and user:
        raw.ensure_user(user)
        raw.add_member(channel.chat_id, user, created)
    elif subtype in LEAVE_SUBTYPES and user:
        raw.ensure_user(user)
        raw.add_member(channel.chat_id, user, None)

    legacy_file_text = subtype in ("file_share", "file_comment") and "file" in message
    mentions = broadcasts = None
    if kind == "user" and not legacy_file_text:
        mentions = USER_MENTION.findall(text)
        broadcasts = BROADCAST_MENTION.findall(text)
    thread = message.get("thread_ts")
    raw.add_message(
        channel.chat_id,
        ts,
        kind=kind,
        author=user if kind == "user" else None,
        bot_name=bot_name,
        content=text,
        created_at=created,
        edited_at=edited_at,
        deleted_at=deleted_at,
        mentions=mentions,
        broadcasts=broadcasts,
        thread_id=str(thread) if thread else None,
        source=where,
    )
    if subtype == "file_comment":
        return
    files = message.get("files")
    if not isinstance(files, list):
        files = [message["file"]] if isinstance(message.get("file"), dict) else []
    for position, file in enumerate(files):
        _add_file(raw, channel.chat_id, ts, position, file, created)


def _add_file(
    raw: RawExport,
    chat_id: str,
    ts: str,
    position: int,
    file: Any,
    created: datetime,
) -> None:
    if not isinstance(file, dict) or file.get("mode") in (
        "tombstone",
        "hidden_by_limit",
    ):
        return
    size = file.get("size")
    name = file.get("name") or file.get("title")
    # A file without a size (an external link, a file deleted before the
    # export) has no row: file_size is required and 0 would be false.
    if not isinstance(size, int) or not name:
        return
    file_created = file.get("created")
    raw.add_file(
        chat_id,
        ts,
        file_key=str(file.get("id") or position),
        file_name=str(name),
        file_size=size,
        file_type=file.get("mimetype") or None,
        file_path=_file_path(file),
        created_at=from_unix(file_created) if file_created else created,
    )


def _export_root(source: ExportSource) -> str:
    for marker in ("users.json", *LISTINGS):
        root = source.find_root(marker)
        if root is not None:
            return root
    raise ExportFormatError(
        f"{source.path}: no users.json or conversation listing found; pass the "
        "folder or zip of a Slack workspace export"
    )


def read_slack(path: str | Path, workspace: str | None = None) -> RawExport:
    """Read a Slack workspace export into a :class:`RawExport`.

    Parameters
    ----------
    path : str or pathlib.Path
        The unpacked export folder or its zip archive.
    workspace : str or None
        Workspace part of the stable ids; None uses the most common
        ``team_id`` of ``users.json``.

    Raises
    ------
    ExportFormatError
        When ``users.json`` or every conversation listing is missing, or a
        file is not valid JSON in Slack's layout.
    """
    with ExportSource(path) as source:
        root = _export_root(source)
        users_name = root + "users.json"
        if not source.exists(users_name):
            raise ExportFormatError(
                f"{source.describe(users_name)}: users.json is missing, so authors "
                "cannot be named; pass the folder or zip that contains users.json "
                "and the conversation listings"
            )
        raw_users = load_json(source, users_name)
        if not isinstance(raw_users, list):
            raise _fail(source.describe(users_name), "expected a JSON list of users")
        raw = RawExport(
            "slack",
            workspace if workspace is not None else _workspace(source, root, raw_users),
        )
        _users(source.describe(users_name), raw_users, raw)
        folders = _conversations(source, root, raw)
        day_files = _day_files(source, root)
        channels: list[_Channel] = []
        for folder, files in day_files.items():
            chat_id = folders.get(folder)
            if chat_id is None:
                logger.warning(
                    "%s: folder is in no conversation listing; importing it as a "
                    "channel named after the folder",
                    source.describe(root + folder),
                )
                chat_id = folder
                raw.add_chat(chat_id, RawChat(title="#" + folder))
            channels.append(_read_channel(source, files, chat_id))

    bot_names: dict[str, str] = {}
    for channel in channels:
        for message, _ in channel.messages:
            for bot_id, name in BOT_SERVICE.findall(message.get("text") or ""):
                bot_names.setdefault(bot_id, name)
            if message.get("bot_id") and message.get("username"):
                bot_names.setdefault(message["bot_id"], message["username"])
    for channel in channels:
        for message, where in channel.messages:
            _add_message(raw, channel, message, where, bot_names)
    logger.info(
        "read %d message(s) in %d conversation(s) from %s",
        raw.message_count,
        len(channels),
        path,
    )
    return raw
