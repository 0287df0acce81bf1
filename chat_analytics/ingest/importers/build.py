"""Turn a :class:`RawExport` into frames of the chat tables, with stable UUIDs.

Every id is a UUIDv5 of the platform, the workspace and the platform's own id.
Importing the same export twice, or a later export that overlaps an earlier
one, therefore produces the same ids for the same users, chats and messages.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

import polars as pl

from chat_analytics.ingest.importers.common import (
    DELETED_PLACEHOLDER,
    EMPTY_PLACEHOLDER,
    FILE_COLUMNS,
    FILE_PLACEHOLDER,
    MESSAGE_COLUMNS,
    ExportFormatError,
    ImportOptions,
    RawExport,
    clean_text,
    stable_id,
    stable_ids,
)
from chat_analytics.ingest.importers.friends import (
    FRIENDS_SCHEMA,
    derive_friendships,
    reply_turns,
)
from chat_analytics.ingest.importers.pseudonyms import Pseudonyms, pseudonymize_text

__all__ = ["IMPORTED_TABLES", "build_tables"]

logger = logging.getLogger(__name__)

# The chat tables that exports fill; the other five (notifications, the
# anonymous chat tables, chat_invitations) have no counterpart in any export.
IMPORTED_TABLES = (
    "profiles",
    "chats",
    "chat_participants",
    "messages",
    "friends",
    "file_attachments",
)
# Column limits of the chat schema.
MAX_NAME_CHARS = 255
MAX_HANDLE_CHARS = 200
MAX_FILE_TYPE_CHARS = 100
INT32_MAX = 2**31 - 1
# Domain of the placeholder e-mail addresses; the .invalid top-level domain is
# reserved by RFC 2606 and RFC 6761, so these can never be delivered.
EMAIL_DOMAIN = "import.invalid"
BOT_CHARACTER_PREFIX = "bot:"
# Role of the stand-in profile that creates chats in which no person is known.
PLACEHOLDER_ROLE = "system"

_DATETIME = pl.Datetime("us")
_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "profiles": {
        "id": pl.String,
        "username": pl.String,
        "display_name": pl.String,
        "avatar_url": pl.String,
        "created_at": _DATETIME,
        "updated_at": _DATETIME,
        "ai_character_id": pl.String,
        "user_role": pl.String,
        "email": pl.String,
        "bio": pl.String,
        "last_username_changed_at": _DATETIME,
        "prompt_username_setup": pl.Boolean,
    },
    "chats": {
        "id": pl.String,
        "title": pl.String,
        "created_at": _DATETIME,
        "updated_at": _DATETIME,
        "current_ai_character_id": pl.String,
        "created_by": pl.String,
    },
    "chat_participants": {
        "chat_id": pl.String,
        "user_id": pl.String,
        "joined_at": _DATETIME,
    },
    "messages": {
        "id": pl.String,
        "chat_id": pl.String,
        "sender_id": pl.String,
        "content": pl.String,
        "is_ai": pl.Boolean,
        "ai_character_id": pl.String,
        "created_at": _DATETIME,
        "updated_at": _DATETIME,
        "deleted_at": _DATETIME,
        "mentioned_users": pl.List(pl.String),
        "is_system_message": pl.Boolean,
        "mentions_data": pl.String,
    },
    "friends": FRIENDS_SCHEMA,
    "file_attachments": {
        "id": pl.String,
        "message_id": pl.String,
        "chat_id": pl.String,
        "user_id": pl.String,
        "file_name": pl.String,
        "file_size": pl.Int64,
        "file_type": pl.String,
        "file_path": pl.String,
        "created_at": _DATETIME,
    },
}
_RAW_MESSAGE_SCHEMA: dict[str, pl.DataType] = {
    "chat": pl.String,
    "message": pl.String,
    "kind": pl.String,
    "author": pl.String,
    "bot_name": pl.String,
    "content": pl.String,
    "placeholder": pl.String,
    "created_at": _DATETIME,
    "edited_at": _DATETIME,
    "deleted_at": _DATETIME,
    "mentions": pl.List(pl.String),
    "broadcasts": pl.List(pl.String),
    "unresolved": pl.List(pl.String),
    "reply_to": pl.String,
    "thread": pl.String,
    "source": pl.String,
}
_RAW_FILE_SCHEMA: dict[str, pl.DataType] = {
    "chat": pl.String,
    "message": pl.String,
    "file_key": pl.String,
    "file_name": pl.String,
    "file_size": pl.Int64,
    "file_type": pl.String,
    "file_path": pl.String,
    "created_at": _DATETIME,
}
assert tuple(_RAW_MESSAGE_SCHEMA) == MESSAGE_COLUMNS
assert tuple(_RAW_FILE_SCHEMA) == FILE_COLUMNS


def _handle(text: str) -> str:
    handle = re.sub(r"\s+", "_", clean_text(text).strip())
    return handle[:MAX_HANDLE_CHARS] or "user"


class _Ids:
    """Stable ids of one export's users, chats, messages and files."""

    def __init__(self, platform: str, workspace: str) -> None:
        self.platform = platform
        self.workspace = workspace
        self._chats: dict[str, str] = {}

    def user(self, user_id: str) -> str:
        return stable_id(self.platform, self.workspace, "user", user_id)

    def chat(self, chat_id: str) -> str:
        known = self._chats.get(chat_id)
        if known is None:
            known = stable_id(self.platform, self.workspace, "chat", chat_id)
            self._chats[chat_id] = known
        return known

    def messages(self, chats: pl.Series, messages: pl.Series) -> pl.Series:
        """Return the ids of messages ``(chat, message)``, in order."""
        keys = (chats + "\x00" + messages).to_list()
        values = stable_ids((self.platform, self.workspace, "message"), keys)
        return pl.Series(values, dtype=pl.String)

    def files(
        self, chats: pl.Series, messages: pl.Series, keys: pl.Series
    ) -> pl.Series:
        """Return the ids of files ``(chat, message, file key)``, in order."""
        names = (chats + "\x00" + messages + "\x00" + keys).to_list()
        values = stable_ids((self.platform, self.workspace, "file"), names)
        return pl.Series(values, dtype=pl.String)


def _raw_messages(raw: RawExport) -> pl.DataFrame:
    frames = [pl.DataFrame(raw.messages, schema=_RAW_MESSAGE_SCHEMA)]
    frames.extend(frame.cast(_RAW_MESSAGE_SCHEMA) for frame in raw.message_frames)
    return pl.concat(frames, how="vertical").with_row_index("position")


def _apply_bot_authors(raw: RawExport, messages: pl.DataFrame) -> pl.DataFrame:
    """Turn messages of users that the export marks as bots into bot messages."""
    bots = {user_id: user.handle for user_id, user in raw.users.items() if user.is_bot}
    if not bots:
        return messages
    is_bot_author = (pl.col("kind") == "user") & pl.col("author").is_in(list(bots))
    return messages.with_columns(
        pl.when(is_bot_author)
        .then(pl.lit("bot"))
        .otherwise(pl.col("kind"))
        .alias("kind"),
        pl.when(is_bot_author & pl.col("bot_name").is_null())
        .then(pl.col("author").replace_strict(bots, default=None))
        .otherwise(pl.col("bot_name"))
        .alias("bot_name"),
    )


def _drop_duplicates(messages: pl.DataFrame) -> pl.DataFrame:
    """Keep one row per (chat, message id).

    Copies that agree on author and time are the same message seen twice, for
    example in overlapping export files, and the copy with the latest edit is
    kept. Copies that disagree mean the export is inconsistent.
    """
    counts = messages.group_by("chat", "message").agg(
        pl.len().alias("copies"),
        pl.col("author").n_unique().alias("authors"),
        pl.col("created_at").n_unique().alias("times"),
        pl.col("source").first().alias("first_source"),
        pl.col("source").last().alias("last_source"),
    )
    conflicts = counts.filter((pl.col("authors") > 1) | (pl.col("times") > 1))
    if conflicts.height:
        first = conflicts.sort("first_source").row(0, named=True)
        raise ExportFormatError(
            f"message id {first['message']} occurs {first['copies']} times with "
            f"different authors or times ({first['first_source']} and "
            f"{first['last_source']}; {conflicts.height} such id(s) in all); the "
            "export mixes different conversations under one id, so import the "
            "files separately"
        )
    duplicates = counts.filter(pl.col("copies") > 1).height
    if duplicates == 0:
        return messages
    logger.warning(
        "%d message id(s) occur more than once with the same author and time; "
        "keeping the most recently edited copy of each",
        duplicates,
    )
    return (
        messages.sort(
            ["chat", "message", "edited_at", "position"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
        .unique(["chat", "message"], keep="first", maintain_order=True)
        .sort("position")
    )


def _check_chats(raw: RawExport, messages: pl.DataFrame) -> None:
    unknown = set(messages.get_column("chat").unique().to_list()) - set(raw.chats)
    if unknown:
        raise ValueError(
            f"{raw.platform} importer recorded messages of unknown chats: "
            f"{sorted(unknown)[:5]}"
        )


def _first_seen_times(
    raw: RawExport, messages: pl.DataFrame, chat_created: dict[str, datetime]
) -> dict[str, datetime]:
    """Return the earliest time each platform user appears in the export.

    Posts, joins and chat creation carry a time. A user known only from a
    member list gets the creation time of the earliest such chat.
    """
    seen: dict[str, datetime] = {}
    listed: dict[str, datetime] = {}

    def note(times: dict[str, datetime], user_id: str, at: datetime) -> None:
        known = times.get(user_id)
        if known is None or at < known:
            times[user_id] = at

    posters = (
        messages.filter(pl.col("kind") == "user")
        .group_by("author")
        .agg(pl.col("created_at").min())
    )
    for user_id, at in posters.iter_rows():
        note(seen, user_id, at)
    for chat_id, chat in raw.chats.items():
        for user_id, joined_at in chat.members.items():
            if joined_at is None:
                note(listed, user_id, chat_created[chat_id])
            else:
                note(seen, user_id, joined_at)
        if chat.creator is not None:
            note(seen, chat.creator, chat_created[chat_id])
    return {**listed, **seen}


def _chat_times(
    raw: RawExport, messages: pl.DataFrame, export_start: datetime
) -> tuple[dict[str, datetime], dict[str, datetime]]:
    """Return each chat's created_at and updated_at."""
    bounds = messages.group_by("chat").agg(
        pl.col("created_at").min().alias("first"),
        pl.max_horizontal(pl.col("created_at"), pl.col("edited_at"))
        .max()
        .alias("last"),
    )
    first = dict(zip(bounds["chat"].to_list(), bounds["first"].to_list(), strict=True))
    last = dict(zip(bounds["chat"].to_list(), bounds["last"].to_list(), strict=True))
    created: dict[str, datetime] = {}
    updated: dict[str, datetime] = {}
    for chat_id, chat in raw.chats.items():
        start = chat.created_at or first.get(chat_id) or export_start
        created[chat_id] = start
        end = last.get(chat_id)
        updated[chat_id] = max(start, end) if end is not None else start
    return created, updated


def _profiles(
    raw: RawExport,
    ids: _Ids,
    first_seen: dict[str, datetime],
    export_start: datetime,
    pseudonyms: Pseudonyms | None,
) -> tuple[pl.DataFrame, dict[str, str]]:
    """Return the profiles frame and the map from platform user id to profile id."""
    columns: dict[str, list[Any]] = {name: [] for name in _SCHEMAS["profiles"]}
    profile_ids: dict[str, str] = {}
    for user_id, user in raw.users.items():
        if user.is_bot:
            continue
        profile_id = ids.user(user_id)
        profile_ids[user_id] = profile_id
        if pseudonyms is not None:
            username = pseudonyms.username(profile_id)
            display_name = pseudonyms.display_name(profile_id)
            avatar_url = ""
        else:
            username = f"{_handle(user.handle)}#{profile_id[:8]}"
            display_name = clean_text(user.display_name).strip()[:MAX_NAME_CHARS]
            display_name = display_name or _handle(user.handle)
            avatar_url = clean_text(user.avatar_url)
        seen = first_seen.get(user_id, export_start)
        columns["id"].append(profile_id)
        columns["username"].append(username)
        columns["display_name"].append(display_name)
        columns["avatar_url"].append(avatar_url)
        columns["created_at"].append(seen)
        columns["updated_at"].append(seen)
        columns["ai_character_id"].append(None)
        columns["user_role"].append(user.role)
        columns["email"].append(f"{raw.platform}-{profile_id}@{EMAIL_DOMAIN}")
        columns["bio"].append(None)
        columns["last_username_changed_at"].append(None)
        columns["prompt_username_setup"].append(False)
    return pl.DataFrame(columns, schema=_SCHEMAS["profiles"]), profile_ids


def _placeholder_profile(
    raw: RawExport, ids: _Ids, at: datetime
) -> tuple[str, dict[str, Any]]:
    """Return the id and row of the stand-in creator of chats without a known person."""
    profile_id = stable_id(raw.platform, raw.workspace, "placeholder-creator")
    row = {
        "id": profile_id,
        "username": f"unknown-creator#{profile_id[:8]}",
        "display_name": "Unknown creator",
        "avatar_url": "",
        "created_at": at,
        "updated_at": at,
        "ai_character_id": None,
        "user_role": PLACEHOLDER_ROLE,
        "email": f"{raw.platform}-{profile_id}@{EMAIL_DOMAIN}",
        "bio": None,
        "last_username_changed_at": None,
        "prompt_username_setup": False,
    }
    return profile_id, row


def _chats_and_participants(
    raw: RawExport,
    ids: _Ids,
    messages: pl.DataFrame,
    profile_ids: dict[str, str],
    created: dict[str, datetime],
    updated: dict[str, datetime],
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Return the chats and chat_participants frames.

    The third value lists the chats whose creator had to be the placeholder
    profile, because no person is known in them.
    """
    posters = (
        messages.filter(pl.col("kind") == "user")
        .sort("created_at", "position")
        .group_by("chat", "author", maintain_order=True)
        .agg(pl.col("created_at").first())
    )
    # Posts, joins and creating the chat give a join time. A member list gives
    # none, so a member known only from it joins when the chat starts.
    joined: dict[tuple[str, str], datetime] = {}
    listed: set[tuple[str, str]] = set()

    def note(chat_id: str, user_id: str, at: datetime) -> None:
        if user_id not in profile_ids:
            return
        key = (chat_id, user_id)
        known = joined.get(key)
        if known is None or at < known:
            joined[key] = at

    first_poster: dict[str, str] = {}
    for chat_id, user_id, at in posters.iter_rows():
        note(chat_id, user_id, at)
        if user_id in profile_ids:
            first_poster.setdefault(chat_id, user_id)
    for chat_id, chat in raw.chats.items():
        for user_id, at in chat.members.items():
            if at is not None:
                note(chat_id, user_id, at)
            elif user_id in profile_ids:
                listed.add((chat_id, user_id))

    chat_columns: dict[str, list[Any]] = {name: [] for name in _SCHEMAS["chats"]}
    orphans: list[str] = []
    for chat_id, chat in raw.chats.items():
        creator = chat.creator if chat.creator in profile_ids else None
        if creator is None:
            creator = first_poster.get(chat_id)
        if creator is None:
            members = [
                (at or created[chat_id], user_id)
                for user_id, at in chat.members.items()
                if user_id in profile_ids
            ]
            creator = min(members)[1] if members else None
        if creator is not None:
            note(chat_id, creator, created[chat_id])
            creator_id = profile_ids[creator]
        else:
            orphans.append(chat_id)
            creator_id = ""
        chat_columns["id"].append(ids.chat(chat_id))
        chat_columns["title"].append(
            clean_text(chat.title).strip()[:MAX_NAME_CHARS] or chat_id
        )
        chat_columns["created_at"].append(created[chat_id])
        chat_columns["updated_at"].append(updated[chat_id])
        chat_columns["current_ai_character_id"].append(None)
        chat_columns["created_by"].append(creator_id)
    chats = pl.DataFrame(chat_columns, schema=_SCHEMAS["chats"])
    for chat_id, user_id in listed - joined.keys():
        joined[(chat_id, user_id)] = created[chat_id]

    participant_columns: dict[str, list[Any]] = {
        "chat_id": [ids.chat(chat_id) for chat_id, _ in joined],
        "user_id": [profile_ids[user_id] for _, user_id in joined],
        "joined_at": list(joined.values()),
    }
    participants = pl.DataFrame(
        participant_columns, schema=_SCHEMAS["chat_participants"]
    ).sort("chat_id", "joined_at", "user_id")
    return chats, participants, orphans


def _content() -> pl.Expr:
    """Return the content expression: text without NUL, or a placeholder when blank.

    The frame it runs on needs a boolean ``has_files`` column.
    """
    text = pl.col("content").fill_null("").str.replace_all("\x00", "", literal=True)
    return (
        pl.when(text.str.strip_chars() != "")
        .then(text)
        .when(pl.col("placeholder").is_not_null() & (pl.col("placeholder") != ""))
        .then(pl.col("placeholder"))
        .when(pl.col("has_files"))
        .then(pl.lit(FILE_PLACEHOLDER))
        .when(pl.col("deleted_at").is_not_null())
        .then(pl.lit(DELETED_PLACEHOLDER))
        .otherwise(pl.lit(EMPTY_PLACEHOLDER))
    )


def _mentions(
    mentions: list[str] | None,
    broadcasts: list[str] | None,
    unresolved: list[str] | None,
    profile_ids: dict[str, str],
    pseudonymize: bool,
) -> tuple[list[str] | None, str | None]:
    """Return mentioned_users and mentions_data of one message."""
    mentioned: list[str] = []
    data: list[dict[str, str]] = []
    for user_id in mentions or ():
        profile_id = profile_ids.get(user_id)
        if profile_id is not None:
            if profile_id not in mentioned:
                mentioned.append(profile_id)
            entry = {"type": "user", "user_id": profile_id}
        else:
            entry = {"type": "unresolved"}
        if not pseudonymize:
            entry["platform_user_id"] = user_id
        data.append(entry)
    for target in broadcasts or ():
        data.append({"type": "broadcast", "target": target})
    for text in unresolved or ():
        entry = {"type": "unresolved"}
        if not pseudonymize:
            entry["text"] = clean_text(text)
        data.append(entry)
    if not data:
        return None, None
    return (mentioned or None), json.dumps(data, ensure_ascii=False)


def _mention_columns(
    messages: pl.DataFrame, profile_ids: dict[str, str], pseudonymize: bool
) -> tuple[pl.Series, pl.Series]:
    """Return mentioned_users and mentions_data; only rows with mentions run Python."""
    mentioned: list[list[str] | None] = [None] * messages.height
    data: list[str | None] = [None] * messages.height
    has_any = (
        messages["mentions"].is_not_null()
        | messages["broadcasts"].is_not_null()
        | messages["unresolved"].is_not_null()
    ) & (messages["kind"] != "system")
    rows = messages.with_row_index("index").filter(has_any)
    for index, mentions, broadcasts, unresolved in rows.select(
        "index", "mentions", "broadcasts", "unresolved"
    ).iter_rows():
        mentioned[index], data[index] = _mentions(
            mentions, broadcasts, unresolved, profile_ids, pseudonymize
        )
    return (
        pl.Series("mentioned_users", mentioned, dtype=pl.List(pl.String)),
        pl.Series("mentions_data", data, dtype=pl.String),
    )


def _messages(
    ids: _Ids,
    messages: pl.DataFrame,
    profile_ids: dict[str, str],
    files: pl.DataFrame,
    pseudonymize: bool,
) -> pl.DataFrame:
    """Return the messages frame, built column by column."""
    chat_ids = {chat: ids.chat(chat) for chat in messages["chat"].unique()}
    with_files = (
        files.select("chat", "message")
        .unique()
        .with_columns(pl.lit(True).alias("has_files"))
    )
    frame = messages.join(
        with_files, on=["chat", "message"], how="left", maintain_order="left"
    ).with_columns(pl.col("has_files").fill_null(False))
    mentioned, mentions_data = _mention_columns(frame, profile_ids, pseudonymize)

    bot_name = (
        pl.col("bot_name").fill_null("").str.replace_all("\x00", "", literal=True)
    )
    bot_name = pl.when(bot_name == "").then(pl.lit("unknown")).otherwise(bot_name)
    edited = pl.col("edited_at").is_not_null() & (
        pl.col("edited_at") > pl.col("created_at")
    )
    result = frame.select(
        ids.messages(frame["chat"], frame["message"]).alias("id"),
        pl.col("chat")
        .replace_strict(chat_ids, return_dtype=pl.String)
        .alias("chat_id"),
        pl.when(pl.col("kind") == "user")
        .then(
            pl.col("author").replace_strict(
                profile_ids, default=None, return_dtype=pl.String
            )
        )
        .alias("sender_id"),
        _content().alias("content"),
        (pl.col("kind") == "bot").alias("is_ai"),
        pl.when(pl.col("kind") == "bot")
        .then((pl.lit(BOT_CHARACTER_PREFIX) + bot_name).str.slice(0, MAX_NAME_CHARS))
        .alias("ai_character_id"),
        "created_at",
        pl.when(edited)
        .then(pl.col("edited_at"))
        .otherwise(pl.col("created_at"))
        .alias("updated_at"),
        "deleted_at",
        mentioned,
        (pl.col("kind") == "system").alias("is_system_message"),
        mentions_data,
    )

    missing = result.filter(
        (pl.col("sender_id").is_null())
        & ~pl.col("is_ai")
        & ~pl.col("is_system_message")
    )
    if missing.height:
        raise ValueError(f"{missing.height} user message(s) have no sender profile")
    return result.cast(_SCHEMAS["messages"])


def _files(
    ids: _Ids,
    messages: pl.DataFrame,
    files: pl.DataFrame,
    profile_ids: dict[str, str],
) -> pl.DataFrame:
    """Return the file_attachments frame for files of messages that were kept."""
    senders = messages.select(
        "chat",
        "message",
        pl.when(pl.col("kind") == "user")
        .then(
            pl.col("author").replace_strict(
                profile_ids, default=None, return_dtype=pl.String
            )
        )
        .alias("user_id"),
    )
    kept_files = files.join(
        senders, on=["chat", "message"], how="inner", maintain_order="left"
    )
    in_range = pl.col("file_size").is_between(0, INT32_MAX)
    too_large = kept_files.filter(~in_range).height
    if too_large:
        logger.warning(
            "left out %d file(s) of 2 GiB or more: file_attachments.file_size is a "
            "32-bit integer",
            too_large,
        )
    kept_files = kept_files.filter(in_range)
    chat_ids = {chat: ids.chat(chat) for chat in kept_files["chat"].unique()}
    name = pl.col("file_name").fill_null("").str.replace_all("\x00", "", literal=True)
    return kept_files.select(
        ids.files(
            kept_files["chat"], kept_files["message"], kept_files["file_key"]
        ).alias("id"),
        ids.messages(kept_files["chat"], kept_files["message"]).alias("message_id"),
        pl.col("chat")
        .replace_strict(chat_ids, return_dtype=pl.String)
        .alias("chat_id"),
        "user_id",
        pl.when(name == "")
        .then(pl.lit("file"))
        .otherwise(name.str.slice(0, MAX_NAME_CHARS))
        .alias("file_name"),
        "file_size",
        pl.col("file_type")
        .fill_null("")
        .str.replace_all("\x00", "", literal=True)
        .str.slice(0, MAX_FILE_TYPE_CHARS)
        .alias("file_type"),
        pl.col("file_path")
        .fill_null("")
        .str.replace_all("\x00", "", literal=True)
        .alias("file_path"),
        "created_at",
    ).cast(_SCHEMAS["file_attachments"])


# -- entry point ---------------------------------------------------------------


def build_tables(raw: RawExport, options: ImportOptions) -> dict[str, pl.DataFrame]:
    """Return frames of the imported chat tables for ``raw``.

    Parameters
    ----------
    raw : RawExport
        Users, chats, messages and files as a platform importer read them.
    options : ImportOptions
        Pseudonyms and derived friendships.

    Returns
    -------
    dict of str to polars.DataFrame
        ``profiles``, ``chats``, ``chat_participants``, ``messages``,
        ``friends`` and ``file_attachments``, in the dtypes that
        :func:`chat_analytics.ingest.loader.load_tables` reads.

    Raises
    ------
    ExportFormatError
        When the export contains no message, or one message id is used for two
        different messages.
    """
    if raw.message_count == 0:
        raise ExportFormatError(
            f"the {raw.platform} export contains no messages; check that the path "
            "is a complete export with its message files"
        )
    workspace = options.workspace if options.workspace is not None else raw.workspace
    raw.workspace = workspace
    ids = _Ids(raw.platform, workspace)
    messages = _raw_messages(raw)
    _check_chats(raw, messages)
    messages = _apply_bot_authors(raw, messages)
    messages = _drop_duplicates(messages)
    for author in messages.filter(pl.col("kind") == "user")["author"].unique():
        raw.ensure_user(author)
    for chat in raw.chats.values():
        for user_id in chat.members:
            raw.ensure_user(user_id)
        if chat.creator is not None:
            raw.ensure_user(chat.creator)

    export_start = messages["created_at"].min()
    created, updated = _chat_times(raw, messages, export_start)
    export_start = min([export_start, *created.values()])
    first_seen = _first_seen_times(raw, messages, created)
    pseudonyms = Pseudonyms(options.pseudonym_key) if options.pseudonymize else None
    profiles, profile_ids = _profiles(raw, ids, first_seen, export_start, pseudonyms)
    chats, participants, orphans = _chats_and_participants(
        raw, ids, messages, profile_ids, created, updated
    )
    if orphans:
        placeholder_id, row = _placeholder_profile(raw, ids, export_start)
        profiles = pl.concat(
            [profiles, pl.DataFrame([row], schema=_SCHEMAS["profiles"])]
        )
        chats = chats.with_columns(
            pl.when(pl.col("created_by") == "")
            .then(pl.lit(placeholder_id))
            .otherwise(pl.col("created_by"))
            .alias("created_by")
        )
        logger.info(
            "%d chat(s) have no known person, so a placeholder profile creates them",
            len(orphans),
        )

    files = pl.DataFrame(raw.files, schema=_RAW_FILE_SCHEMA).unique(
        ["chat", "message", "file_key"], keep="first", maintain_order=True
    )
    message_frame = _messages(ids, messages, profile_ids, files, options.pseudonymize)
    attachments = _files(ids, messages, files, profile_ids)
    if pseudonyms is not None:
        chats, message_frame = pseudonymize_text(
            raw, profiles, profile_ids, chats, participants, message_frame
        )

    if options.derive_friends is not None:
        turns = reply_turns(raw, messages, profile_ids)
        friends = derive_friendships(turns, options.derive_friends)
    else:
        friends = pl.DataFrame(schema=_SCHEMAS["friends"])

    tables = {
        "profiles": profiles,
        "chats": chats,
        "chat_participants": participants,
        "messages": message_frame,
        "friends": friends,
        "file_attachments": attachments,
    }
    logger.info(
        "%s export: %s",
        raw.platform,
        ", ".join(f"{frame.height} {name}" for name, frame in tables.items()),
    )
    return tables
