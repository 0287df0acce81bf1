"""Parts shared by the chat-export importers: errors, options, file access, raw rows.

Each platform module reads its export into a :class:`RawExport`, which stores
users, chats, memberships, messages and files with the platform's own ids.
:mod:`chat_analytics.ingest.importers.build` then turns it into the 11 chat
tables with stable UUIDs.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl

from chat_analytics.errors import ChatAnalyticsError

__all__ = [
    "NAMESPACE",
    "PLATFORMS",
    "FILE_PLACEHOLDER",
    "DELETED_PLACEHOLDER",
    "EMPTY_PLACEHOLDER",
    "ExportFormatError",
    "ImportOptions",
    "ExportSource",
    "RawUser",
    "RawChat",
    "RawExport",
    "stable_id",
    "stable_ids",
    "decode_text",
    "load_json",
    "from_unix",
    "parse_iso_utc",
    "guess_mime_type",
    "clean_text",
]

logger = logging.getLogger(__name__)

# Root of every UUIDv5 that the importers derive from platform ids. Changing it
# would give every imported row a new id, so re-imports would duplicate data.
NAMESPACE = uuid.UUID("6f1c2a4e-8f3b-5d7a-9c0e-3b5d7f9a1c2e")
PLATFORMS = ("slack", "discord", "telegram", "whatsapp")

# Contents of messages whose text is empty: the schema rejects empty content.
FILE_PLACEHOLDER = "[file]"
DELETED_PLACEHOLDER = "[deleted]"
EMPTY_PLACEHOLDER = "[empty]"

DEFAULT_MIME_TYPE = "application/octet-stream"
# Extensions that the mimetypes module of some platforms does not know.
EXTRA_MIME_TYPES = {
    ".opus": "audio/ogg",
    ".webp": "image/webp",
    ".tgs": "application/x-tgsticker",
    ".vcf": "text/vcard",
    ".heic": "image/heic",
    ".m4a": "audio/mp4",
}


class ExportFormatError(ChatAnalyticsError, ValueError):
    """An export is missing, malformed or of an unknown format.

    The message names the file (and the line or message id when known) and
    how to fix the input.
    """


@dataclass(frozen=True)
class ImportOptions:
    """Settings of one import.

    Attributes
    ----------
    pseudonymize : bool
        Replace names and handles with pseudonyms derived by HMAC-SHA256 of the
        profile id, and drop platform ids from ``mentions_data``.
    pseudonym_key : str or None
        HMAC key of the pseudonyms; None uses a fixed public key, so anyone can
        recompute the pseudonym of a known platform id.
    derive_friends : int or None
        When set to K, add an accepted friendship between two people who each
        answered the other at least K times.
    workspace : str or None
        Overrides the workspace part of every stable id (see the importers
        documentation); None derives it from the export.
    timezone : str or None
        IANA time zone of local timestamps that carry no offset (WhatsApp
        times, Telegram ``date`` without ``date_unixtime``); None reads them
        as UTC.
    date_order : str or None
        ``"dmy"``, ``"mdy"`` or ``"ymd"`` for WhatsApp dates; None detects it
        from the whole file.
    encoding : str or None
        Text encoding of WhatsApp files; None detects UTF-8 and UTF-16 and
        rejects anything else.
    """

    pseudonymize: bool = False
    pseudonym_key: str | None = None
    derive_friends: int | None = None
    workspace: str | None = None
    timezone: str | None = None
    date_order: str | None = None
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.derive_friends is not None and self.derive_friends < 1:
            raise ExportFormatError(
                f"derive_friends must be at least 1, got {self.derive_friends}; "
                "pass the minimum number of answers in each direction"
            )
        if self.date_order not in (None, "dmy", "mdy", "ymd"):
            raise ExportFormatError(
                f"date_order {self.date_order!r} is invalid; use dmy, mdy or ymd"
            )
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ExportFormatError(
                    f"encoding {self.encoding!r} is unknown; use a Python codec "
                    "name such as utf-8, utf-16 or cp1252"
                ) from None


def stable_ids(prefix: tuple[str, ...], keys: Iterable[str]) -> list[str]:
    """Return ``stable_id(*prefix, key)`` for each key, hashing the prefix once.

    The result equals :func:`uuid.uuid5` of the NUL-joined parts; building
    the text directly is about three times faster than ``uuid.UUID``, which
    matters for 100,000 messages.
    """
    head = hashlib.sha1(
        NAMESPACE.bytes + "".join(part + "\x00" for part in prefix).encode()
    )
    result = []
    for key in keys:
        digest = head.copy()
        digest.update(key.encode("utf-8"))
        text = digest.hexdigest()
        # Version 5 in the high nibble of byte 6, RFC 4122 variant in byte 8.
        variant = "89ab"[int(text[16], 16) & 3]
        result.append(
            f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{variant}{text[17:20]}-{text[20:32]}"
        )
    return result


def stable_id(*parts: str) -> str:
    """Return the UUIDv5 of ``parts`` joined by NUL under :data:`NAMESPACE`.

    NUL cannot occur in the parts' text, so different part lists never join
    to the same name.
    """
    return stable_ids(parts[:-1], [parts[-1]])[0]


class ExportSource:
    """Read-only view of an export that is a folder, a zip archive or one file.

    Member names are POSIX paths relative to the folder or archive; a single
    file has its own name as the only member.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise ExportFormatError(
                f"{self.path}: no such file or folder; pass the path of the "
                "unpacked export folder, its zip archive or its main file"
            )
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_dir():
            self.kind = "folder"
            self._names = sorted(
                child.relative_to(self.path).as_posix()
                for child in self.path.rglob("*")
                if child.is_file()
            )
        elif zipfile.is_zipfile(self.path):
            self.kind = "zip"
            try:
                self._zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile as error:
                raise ExportFormatError(
                    f"{self.path}: damaged zip archive ({error}); download or "
                    "create the archive again"
                ) from error
            self._names = sorted(
                info.filename for info in self._zip.infolist() if not info.is_dir()
            )
        else:
            self.kind = "file"
            self._names = [self.path.name]
        self._members = set(self._names)

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the zip archive, if any."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def names(self) -> list[str]:
        """Return the member names, sorted."""
        return list(self._names)

    def exists(self, name: str) -> bool:
        """Return whether ``name`` is a member."""
        return name in self._members

    def describe(self, name: str) -> str:
        """Return a path for messages: ``archive.zip:member`` or the file path."""
        if self.kind == "zip":
            return f"{self.path}:{name}"
        if self.kind == "file":
            return str(self.path)
        return str(self.path / name)

    def read_bytes(self, name: str) -> bytes:
        """Return the content of member ``name``."""
        if name not in self._members:
            raise ExportFormatError(
                f"{self.describe(name)}: file is missing from the export; export "
                "the workspace or chat again with all files"
            )
        if self._zip is not None:
            try:
                return self._zip.read(name)
            except (zipfile.BadZipFile, zlib.error, OSError) as error:
                raise ExportFormatError(
                    f"{self.describe(name)}: cannot read from the archive ({error}); "
                    "create the archive again"
                ) from error
        if self.kind == "file":
            return self.path.read_bytes()
        return (self.path / name).read_bytes()

    def read_head(self, name: str, size: int) -> bytes:
        """Return up to ``size`` bytes from the start of member ``name``."""
        if self._zip is not None:
            with self._zip.open(name) as handle:
                return handle.read(size)
        path = self.path if self.kind == "file" else self.path / name
        with open(path, "rb") as handle:
            return handle.read(size)

    def size(self, name: str) -> int | None:
        """Return the size in bytes of member ``name``, or None when it is absent."""
        if name not in self._members:
            return None
        if self._zip is not None:
            return self._zip.getinfo(name).file_size
        if self.kind == "file":
            return self.path.stat().st_size
        return (self.path / name).stat().st_size

    def find_root(self, marker: str) -> str | None:
        """Return the folder prefix ("" or "dir/") of the shallowest ``marker`` member.

        Archives often wrap the export in one top-level folder; this finds it.
        """
        candidates = [
            name for name in self._names if PurePosixPath(name).name == marker
        ]
        if not candidates:
            return None
        best = min(candidates, key=lambda name: (name.count("/"), name))
        parent = PurePosixPath(best).parent.as_posix()
        return "" if parent == "." else parent + "/"


def _utf8_error(
    error: UnicodeDecodeError, data: bytes, where: str
) -> ExportFormatError:
    line = data.count(b"\n", 0, error.start) + 1
    byte = data[error.start]
    return ExportFormatError(
        f"{where}: line {line} is not valid UTF-8 (byte 0x{byte:02x} at offset "
        f"{error.start}); the file may be Latin-1 or Windows-1252. Save it as "
        "UTF-8 or pass the encoding (for example --encoding cp1252)"
    )


def _looks_utf16(data: bytes) -> str | None:
    """Return "utf-16-le" or "utf-16-be" when a BOM-less sample is UTF-16 text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, where: str, encoding: str | None = None) -> str:
    """Decode export bytes to text.

    With ``encoding`` None, a UTF-8, UTF-16 or UTF-32 byte order mark selects
    the codec, BOM-less UTF-16 is recognised by its NUL bytes, and everything
    else must be valid UTF-8.

    Raises
    ------
    ExportFormatError
        When the bytes are invalid in the chosen encoding; the message names
        the line and the offending byte.
    """
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ExportFormatError(
                f"{where}: line {line} is not valid {encoding} (byte "
                f"0x{data[error.start]:02x} at offset {error.start}); pass the "
                "encoding the file was saved in"
            ) from error
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, codec in boms:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise ExportFormatError(
                    f"{where}: starts with a {codec} byte order mark but byte "
                    f"{error.start} is invalid in {codec}; save the file again"
                ) from error
    utf16 = _looks_utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _utf8_error(error, data, where) from error


def load_json(source: ExportSource, name: str) -> Any:
    """Read and parse the JSON member ``name`` of ``source``.

    Raises
    ------
    ExportFormatError
        When the file is missing, not UTF-8 or UTF-16 text, or not valid JSON.
    """
    where = source.describe(name)
    text = decode_text(source.read_bytes(name), where)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportFormatError(
            f"{where}: invalid JSON at line {error.lineno} column {error.colno} "
            f"({error.msg}); the file is damaged or cut short, so export it again"
        ) from error


_EPOCH = datetime(1970, 1, 1)


def from_unix(seconds: float | int | str) -> datetime:
    """Return the naive UTC datetime of a Unix time in seconds (number or text).

    Text such as Slack's ``"1452837318.000002"`` is split at the dot, so the
    microseconds survive exactly; a float would round them.
    """
    if isinstance(seconds, str):
        whole, _, fraction = seconds.strip().partition(".")
        if fraction:
            if not (whole.lstrip("-").isdigit() and fraction.isdigit()):
                raise ValueError(f"not a Unix time: {seconds!r}")
            micros = int(fraction[:6].ljust(6, "0"))
            return _EPOCH + timedelta(seconds=int(whole), microseconds=micros)
    return _EPOCH + timedelta(seconds=float(seconds))


def parse_iso_utc(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; convert it to naive UTC when it has an offset.

    A timestamp without offset is returned unchanged (the caller decides its
    zone). Raises ValueError when the text is not ISO 8601.
    """
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def clean_text(text: str | None) -> str:
    """Remove NUL characters, which PostgreSQL text cannot store."""
    if not text:
        return ""
    return text.replace("\x00", "") if "\x00" in text else text


def guess_mime_type(file_name: str) -> str:
    """Return the MIME type implied by a file name's extension."""
    import mimetypes

    suffix = PurePosixPath(file_name).suffix.lower()
    if suffix in EXTRA_MIME_TYPES:
        return EXTRA_MIME_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(file_name, strict=False)
    return guessed or DEFAULT_MIME_TYPE


@dataclass
class RawUser:
    """One person or bot as the export names them, keyed by the platform id."""

    handle: str
    display_name: str
    avatar_url: str = ""
    role: str = "user"
    is_bot: bool = False
    deleted: bool = False


@dataclass
class RawChat:
    """One conversation: ``kind`` is ``"direct"`` for a 1:1 chat, else ``"group"``.

    ``members`` maps platform user ids to their join time, or None when the
    export lists the member without a time.
    """

    title: str
    kind: str = "group"
    created_at: datetime | None = None
    creator: str | None = None
    members: dict[str, datetime | None] = field(default_factory=dict)


MESSAGE_KINDS = ("user", "bot", "system")


class RawExport:
    """Rows of one export with the platform's ids, collected column-wise.

    A message is identified by ``(chat id, message id)``. ``kind`` is
    ``"user"`` for a person's message, ``"bot"`` for a bot or integration and
    ``"system"`` for joins, renames and similar events.
    """

    def __init__(self, platform: str, workspace: str) -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}")
        self.platform = platform
        self.workspace = workspace
        self.users: dict[str, RawUser] = {}
        self.chats: dict[str, RawChat] = {}
        self.messages: dict[str, list[Any]] = {name: [] for name in MESSAGE_COLUMNS}
        # Messages that an importer built as whole frames (see add_messages).
        self.message_frames: list[pl.DataFrame] = []
        self.files: dict[str, list[Any]] = {name: [] for name in FILE_COLUMNS}

    def add_user(self, user_id: str, user: RawUser) -> None:
        """Record ``user``; a later record of the same id replaces the earlier one."""
        self.users[user_id] = user

    def ensure_user(
        self, user_id: str, handle: str | None = None, display_name: str | None = None
    ) -> RawUser:
        """Return the user ``user_id``, adding a stand-in when the export has none."""
        user = self.users.get(user_id)
        if user is None:
            user = RawUser(
                handle=handle or user_id, display_name=display_name or handle or user_id
            )
            self.users[user_id] = user
        return user

    def add_chat(self, chat_id: str, chat: RawChat) -> RawChat:
        """Record ``chat`` unless a chat with this id exists; return the stored one."""
        return self.chats.setdefault(chat_id, chat)

    def add_member(
        self, chat_id: str, user_id: str, joined_at: datetime | None
    ) -> None:
        """Record ``user_id`` as a member of ``chat_id``, keeping the earliest time."""
        members = self.chats[chat_id].members
        known = members.get(user_id)
        if user_id not in members or (
            joined_at is not None and (known is None or joined_at < known)
        ):
            members[user_id] = joined_at

    def add_message(
        self,
        chat_id: str,
        message_id: str,
        *,
        kind: str,
        author: str | None,
        content: str,
        created_at: datetime,
        source: str,
        bot_name: str | None = None,
        edited_at: datetime | None = None,
        deleted_at: datetime | None = None,
        mentions: list[str] | None = None,
        broadcasts: list[str] | None = None,
        unresolved_mentions: list[str] | None = None,
        reply_to: str | None = None,
        thread_id: str | None = None,
        placeholder: str | None = None,
    ) -> None:
        """Record one message.

        ``source`` names the file and position for error messages.
        ``placeholder`` is the content used when ``content`` is blank. Without
        one, the builder uses ``[file]``, ``[deleted]`` or ``[empty]``.
        """
        columns = self.messages
        columns["chat"].append(chat_id)
        columns["message"].append(message_id)
        columns["kind"].append(kind)
        columns["author"].append(author)
        columns["bot_name"].append(bot_name)
        columns["content"].append(content)
        columns["placeholder"].append(placeholder)
        columns["created_at"].append(created_at)
        columns["edited_at"].append(edited_at)
        columns["deleted_at"].append(deleted_at)
        # None, not [], for no mentions: polars builds a list column from
        # 100,000 empty lists a hundred times slower than from None.
        columns["mentions"].append(mentions or None)
        columns["broadcasts"].append(broadcasts or None)
        columns["unresolved"].append(unresolved_mentions or None)
        columns["reply_to"].append(reply_to)
        columns["thread"].append(thread_id)
        columns["source"].append(source)

    def add_messages(self, frame: pl.DataFrame) -> None:
        """Record many messages at once: a frame with the columns of add_message.

        ``mentions``, ``broadcasts`` and ``unresolved`` are List(String) and may
        be null; the other columns follow :data:`MESSAGE_COLUMNS`.
        """
        missing = set(MESSAGE_COLUMNS) - set(frame.columns)
        if missing:
            raise ValueError(f"message frame lacks columns {sorted(missing)}")
        self.message_frames.append(frame.select(MESSAGE_COLUMNS))

    def add_file(
        self,
        chat_id: str,
        message_id: str,
        *,
        file_key: str,
        file_name: str,
        file_size: int,
        file_type: str | None,
        file_path: str,
        created_at: datetime,
    ) -> None:
        """Record one file of message ``(chat_id, message_id)``.

        ``file_key`` must be unique within the message (a platform file id or
        the position in the message's file list).
        """
        columns = self.files
        columns["chat"].append(chat_id)
        columns["message"].append(message_id)
        columns["file_key"].append(file_key)
        columns["file_name"].append(file_name)
        columns["file_size"].append(file_size)
        columns["file_type"].append(file_type or guess_mime_type(file_name))
        columns["file_path"].append(file_path)
        columns["created_at"].append(created_at)

    @property
    def message_count(self) -> int:
        """Number of messages recorded so far."""
        framed = sum(frame.height for frame in self.message_frames)
        return len(self.messages["chat"]) + framed


MESSAGE_COLUMNS = (
    "chat",
    "message",
    "kind",
    "author",
    "bot_name",
    "content",
    "placeholder",
    "created_at",
    "edited_at",
    "deleted_at",
    "mentions",
    "broadcasts",
    "unresolved",
    "reply_to",
    "thread",
    "source",
)
FILE_COLUMNS = (
    "chat",
    "message",
    "file_key",
    "file_name",
    "file_size",
    "file_type",
    "file_path",
    "created_at",
)
