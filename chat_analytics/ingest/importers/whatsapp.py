"""Read WhatsApp chat exports (``.txt``, or a ``.zip`` with the text and media).

A WhatsApp export is the text of one chat, one message per line start::

    12/31/20, 9:15 PM - Alice: Happy new year          (Android, US English)
    31/12/2020, 21:15 - Alice: Happy new year          (Android, most locales)
    [31.12.20, 21:15:03] Alice: Happy new year         (iOS)

Lines that do not start with a date continue the message above. Lines
without a ``Name:`` part are system events. The date order (day or month
first) and the clock (12 or 24 hours) are decided once for the whole file,
because a single line such as ``01/02/21`` is ambiguous.

The export has no ids: a person is identified by the name the exporting phone
shows, and a message by its chat, time, author, text and position among
identical messages.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import polars as pl

from chat_analytics.ingest.importers.common import (
    DELETED_PLACEHOLDER,
    FILE_PLACEHOLDER,
    ExportFormatError,
    ExportSource,
    RawChat,
    RawExport,
    decode_text,
)

__all__ = ["read_whatsapp", "looks_like_whatsapp", "chat_title"]

logger = logging.getLogger(__name__)

# Characters that may sit between the parts of a header: space, no-break
# space and the narrow no-break space that recent versions put before AM/PM.
_SPACE = r"[ \x{00A0}\x{202F}]"
# One header line: optional direction marks, optional "[", the date as three
# numbers, the time with optional seconds and AM/PM, then "]" (iOS) or " - "
# (Android), then the rest. Digits are spelled [0-9] because \d also matches
# other scripts' digits, which int() would not read the same way.
HEADER_PATTERN = (
    r"^[\x{200E}\x{200F}\x{FEFF}]*(?P<bracket>\[)?"
    r"(?P<a>[0-9]{1,4})[./-](?P<b>[0-9]{1,2})[./-](?P<c>[0-9]{1,4})\.?,?"
    rf"{_SPACE}+(?P<hour>[0-9]{{1,2}})[:.](?P<minute>[0-9]{{2}})"
    r"(?:[:.](?P<second>[0-9]{2}))?"
    rf"(?:{_SPACE}*(?P<ampm>[AaPp]\.?{_SPACE}?[Mm]\.?))?"
    rf"(?:\]|{_SPACE}+[-\x{{2013}}]){_SPACE}?(?P<rest>.*)$"
)
# "Name: text"; the name stops at the first colon followed by a space.
SENDER_PATTERN = r"^(?P<name>[^:]{1,200}?): (?P<text>.*)$"
# Quotes occur in system lines such as: X changed the subject to "a: b".
QUOTE_CHARACTERS = '"“”«»„'
LRM = "\u200e"
# Marks that wrap names and phone numbers (left-to-right embedding, pop
# directional formatting, first strong isolate, pop directional isolate).
NAME_MARKS = "\u200e\u200f\u202a\u202b\u202c\u2066\u2067\u2068\u2069"
MEDIA_OMITTED = frozenset(
    {
        "<Media omitted>",
        "image omitted",
        "video omitted",
        "audio omitted",
        "sticker omitted",
        "GIF omitted",
        "document omitted",
        "Contact card omitted",
    }
)
DELETED_TEXTS = frozenset(
    {
        "This message was deleted",
        "This message was deleted.",
        "You deleted this message",
        "You deleted this message.",
    }
)
EDITED_SUFFIX = "<This message was edited>"
ATTACHED_IOS = re.compile(r"^<attached: (?P<name>[^>]+)>\s*")
ATTACHED_ANDROID = re.compile(r"^(?P<name>\S[^\n]*?) \(file attached\)\s*")
MENTION = re.compile(r"@\u2068([^\u2069]+)\u2069")
# English system lines that change who is in the chat.
CREATED_GROUP = re.compile(r"^(?P<actor>.+?) created group [\"“](?P<title>.*)[\"”]$")
ADDED = re.compile(r"^(?P<actor>.+?) added (?P<names>.+)$")
JOINED = re.compile(r"^(?P<actor>.+?) joined using this group's invite link$")
GROUP_EVENT = re.compile(
    r" (created group|added|removed|left|joined using this group's invite link)\b"
)
# Prefixes of the text file's name before the chat's name, per language.
TITLE_PREFIXES = (
    "WhatsApp Chat with ",
    "WhatsApp Chat - ",
    "WhatsApp-Chat mit ",
    "Chat de WhatsApp con ",
    "Conversa do WhatsApp com ",
    "WhatsApp Chat met ",
    "Discussion WhatsApp avec ",
    "Chat WhatsApp con ",
)
GENERIC_TEXT_NAMES = frozenset({"_chat.txt", "chat.txt"})


def chat_title(file_name: str, container: str | None = None) -> str:
    """Return the chat's name from the export's file name (or its zip's name)."""
    for name in (file_name, container):
        if not name:
            continue
        stem = PurePosixPath(name).name
        if stem in GENERIC_TEXT_NAMES:
            continue
        stem = re.sub(r"\.(txt|zip)$", "", stem, flags=re.IGNORECASE)
        for prefix in TITLE_PREFIXES:
            if stem.startswith(prefix):
                return stem[len(prefix) :].strip() or stem
        return stem
    return "WhatsApp chat"


def looks_like_whatsapp(text: str) -> bool:
    """Return whether one of the first lines of ``text`` is a WhatsApp header."""
    head = pl.Series(text[:20_000].split("\n")[:50], dtype=pl.String)
    return bool(head.str.contains(HEADER_PATTERN).any())


def _fail(where: str, problem: str) -> ExportFormatError:
    return ExportFormatError(f"{where}: {problem}")


@dataclass(frozen=True)
class _Format:
    """Date order and clock of one file."""

    date_order: str
    twelve_hour: bool


def _decide_format(headers: pl.DataFrame, where: str, forced: str | None) -> _Format:
    """Decide the date order and clock from every header line of the file."""
    has_ampm = headers["ampm"].is_not_null()
    if has_ampm.any() and not has_ampm.all():
        first_12 = headers.filter(has_ampm)["line_number"][0]
        first_24 = headers.filter(~has_ampm)["line_number"][0]
        raise _fail(
            where,
            f"line {first_12} has a 12-hour time with AM/PM but line {first_24} "
            "has none; the file mixes two exports, so split it",
        )
    twelve_hour = bool(has_ampm.any())
    if forced is not None:
        return _Format(forced, twelve_hour)

    numbers = headers.select(
        pl.col("a").cast(pl.Int32),
        pl.col("b").cast(pl.Int32),
        pl.col("a").str.len_chars().alias("a_digits"),
        "line_number",
    )
    if (numbers["a_digits"] == 4).any():
        return _Format("ymd", twelve_hour)

    day_first = numbers.filter(pl.col("a") > 12)
    month_first = numbers.filter(pl.col("b") > 12)
    if day_first.height and month_first.height:
        raise _fail(
            where,
            f"line {day_first['line_number'][0]} puts the day first but line "
            f"{month_first['line_number'][0]} puts the month first; the file "
            "mixes two exports, so split it or pass the date order",
        )
    if day_first.height:
        return _Format("dmy", twelve_hour)
    if month_first.height:
        return _Format("mdy", twelve_hour)

    order = _order_by_monotony(headers, twelve_hour)
    logger.warning(
        "%s: no day or month above 12, so the date order is ambiguous; using %s. "
        "Pass the date order if that is wrong",
        where,
        order,
    )
    return _Format(order, twelve_hour)


def _order_by_monotony(headers: pl.DataFrame, twelve_hour: bool) -> str:
    """Pick the date order under which the messages go back in time least often.

    A tie (for example a chat of one day) is decided by the clock: US English
    exports use month first with a 12-hour clock.
    """
    backsteps = {}
    for order in ("dmy", "mdy"):
        times = _timestamps(headers, _Format(order, twelve_hour))
        backsteps[order] = int((times.diff().dt.total_microseconds() < 0).sum())
    if backsteps["dmy"] != backsteps["mdy"]:
        return min(backsteps, key=backsteps.__getitem__)
    return "mdy" if twelve_hour else "dmy"


def _timestamps(headers: pl.DataFrame, form: _Format) -> pl.Series:
    """Return the naive local datetimes of the header lines (null when invalid)."""
    parts = {
        "dmy": ("c", "b", "a"),
        "mdy": ("c", "a", "b"),
        "ymd": ("a", "b", "c"),
    }[form.date_order]
    year, month, day = (pl.col(name).cast(pl.Int32) for name in parts)
    year = pl.when(year < 100).then(year + 2000).otherwise(year)
    # Parsing the date as text turns impossible dates such as 31 February
    # into null; pl.datetime would raise for the whole column instead.
    date = pl.format(
        "{}-{}-{}",
        year.cast(pl.String).str.zfill(4),
        month.cast(pl.String).str.zfill(2),
        day.cast(pl.String).str.zfill(2),
    ).str.to_date("%Y-%m-%d", strict=False)

    hour = pl.col("hour").cast(pl.Int32)
    minute = pl.col("minute").cast(pl.Int32)
    second = pl.col("second").cast(pl.Int32).fill_null(0)
    valid_time = minute.is_between(0, 59) & second.is_between(0, 59)
    if form.twelve_hour:
        valid_time = valid_time & hour.is_between(1, 12)
        is_pm = pl.col("ampm").str.to_lowercase().str.starts_with("p")
        hour = (hour % 12) + pl.when(is_pm).then(12).otherwise(0)
    else:
        valid_time = valid_time & hour.is_between(0, 23)

    moment = date.cast(pl.Datetime("us")) + pl.duration(
        hours=hour, minutes=minute, seconds=second
    )
    return headers.select(
        pl.when(valid_time).then(moment).otherwise(None).alias("created_at")
    ).to_series()


def _to_utc(times: pl.Series, timezone: str | None, where: str) -> pl.Series:
    if timezone is None:
        return times
    try:
        zoned = times.dt.replace_time_zone(
            timezone, ambiguous="earliest", non_existent="null"
        )
    except pl.exceptions.ComputeError as error:
        raise ExportFormatError(
            f"time zone {timezone!r} is unknown ({error}); pass an IANA name such as "
            "Europe/Berlin"
        ) from None
    if zoned.null_count() > times.null_count():
        raise _fail(
            where,
            f"some times do not exist in {timezone} (they fall in a daylight-saving "
            "gap); check the time zone",
        )
    return zoned.dt.convert_time_zone("UTC").dt.replace_time_zone(None)


def _parse_lines(text: str, where: str, options_order: str | None) -> pl.DataFrame:
    """Return one row per message: line number, local time, name and text."""
    lines = pl.DataFrame(
        {"line": pl.Series(text.split("\n"), dtype=pl.String)}
    ).with_columns(
        pl.col("line").str.strip_suffix("\r"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line_number"),
    )
    lines = lines.with_columns(
        pl.col("line").str.extract_groups(HEADER_PATTERN).alias("header")
    ).unnest("header")
    lines = lines.with_columns(
        pl.col("a").is_not_null().cum_sum().alias("message_index")
    )

    headers = lines.filter(pl.col("a").is_not_null())
    if headers.is_empty():
        raise _fail(
            where,
            "no line starts with a date and time as WhatsApp writes them (for "
            "example '31/12/2020, 21:15 - Name: text'); check that this is a "
            "WhatsApp chat export",
        )
    leading = lines.filter(
        (pl.col("message_index") == 0) & (pl.col("line").str.strip_chars() != "")
    )
    if leading.height:
        logger.warning(
            "%s: %d line(s) before the first message are not messages; skipped",
            where,
            leading.height,
        )

    form = _decide_format(headers, where, options_order)
    times = _timestamps(headers, form)
    invalid = headers.filter(times.is_null())
    if invalid.height:
        row = invalid.row(0, named=True)
        raise _fail(
            where,
            f"line {row['line_number']} has an invalid date or time "
            f"({row['line'][:40]!r}) under the {form.date_order} date order; pass "
            "the right date order or fix the line",
        )

    continuation = (
        lines.filter(pl.col("a").is_null() & (pl.col("message_index") > 0))
        .group_by("message_index")
        .agg(pl.col("line").str.join("\n").alias("more"))
    )
    messages = (
        headers.select("message_index", "line_number", "rest")
        .with_columns(times.alias("created_at"))
        .join(continuation, on="message_index", how="left")
        .sort("message_index")
    )
    sender = pl.col("rest").str.extract_groups(SENDER_PATTERN)
    messages = messages.with_columns(sender.alias("sender")).unnest("sender")
    body = (
        pl.when(pl.col("name").is_not_null())
        .then(pl.col("text"))
        .otherwise(pl.col("rest"))
    )
    return messages.select(
        "line_number",
        "created_at",
        pl.col("name").str.strip_chars(NAME_MARKS + " ").alias("name"),
        # Blank lines at the end of a message (and of the file) are dropped.
        pl.when(pl.col("more").is_not_null())
        .then(body + pl.lit("\n") + pl.col("more"))
        .otherwise(body)
        .str.strip_chars_end("\n")
        .alias("text"),
    )


class _ChatReader:
    """Turns the parsed lines of one chat into raw messages."""

    def __init__(
        self, raw: RawExport, source: ExportSource, chat_id: str, folder: str
    ) -> None:
        self.raw = raw
        self.source = source
        self.chat_id = chat_id
        self.folder = folder
        self.group_events = 0
        self.creator: str | None = None

    def person(self, name: str) -> str:
        name = name.strip(NAME_MARKS + " ")
        self.raw.ensure_user(name, handle=name, display_name=name)
        return name

    def system(self, text: str, created: datetime, names: set[str]) -> None:
        line = text.strip(NAME_MARKS + " ")
        if GROUP_EVENT.search(line):
            self.group_events += 1
        created_group = CREATED_GROUP.match(line)
        added = ADDED.match(line)
        joined = JOINED.match(line)
        if created_group and created_group["actor"] != "You":
            actor = self.person(created_group["actor"])
            self.creator = self.creator or actor
            self.raw.add_member(self.chat_id, actor, created)
        elif joined and joined["actor"] != "You":
            self.raw.add_member(self.chat_id, self.person(joined["actor"]), created)
        elif added:
            if added["actor"] != "You" and added["actor"] in names:
                self.raw.add_member(self.chat_id, added["actor"], None)
            for name in re.split(r", | and ", added["names"]):
                if name and name != "You":
                    self.raw.add_member(self.chat_id, self.person(name), created)

    def attachment(self, message_id: str, name: str, created: datetime) -> bool:
        """Record an attached file that the export contains; return whether it does."""
        member = self.folder + name
        size = self.source.size(member)
        if size is None:
            return False
        self.raw.add_file(
            self.chat_id,
            message_id,
            file_key=name,
            file_name=name,
            file_size=size,
            file_type=None,
            file_path=name,
            created_at=created,
        )
        return True


def _message_ids(messages: pl.DataFrame) -> pl.Series:
    """Return ids from time, author, text and the position among identical messages.

    The ids stay the same when a later export of the chat starts earlier or
    ends later, so overlapping exports add only the new messages.
    """
    keys = messages.select(
        pl.concat_str(
            pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%S"),
            pl.col("name").fill_null(""),
            pl.col("text"),
            pl.int_range(pl.len()).over("created_at", "name", "text").cast(pl.String),
            separator="\x00",
        )
    ).to_series()
    digests = [
        hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] for key in keys.to_list()
    ]
    return pl.Series("message", digests, dtype=pl.String)


def _sender_flag() -> pl.Expr:
    """Return whether a parsed line is a person's message rather than an event."""
    quotes = "[" + re.escape(QUOTE_CHARACTERS) + "]"
    text = pl.col("text")
    # iOS marks events (and media) with a left-to-right mark after "Name: ".
    ios_event = (
        text.str.starts_with(LRM)
        & ~text.str.strip_chars_start(LRM).str.contains(
            r"^(<attached: |This message was deleted|You deleted this)"
        )
        & ~text.str.strip_chars(LRM).is_in(list(MEDIA_OMITTED))
    )
    return (
        pl.col("name").is_not_null() & ~pl.col("name").str.contains(quotes) & ~ios_event
    )


def _system_rows(
    reader: _ChatReader, messages: pl.DataFrame, names: set[str]
) -> pl.DataFrame:
    """Return the raw rows of event lines and record the members they name."""
    events = messages.filter(~pl.col("is_sender")).with_columns(
        pl.when(pl.col("name").is_null() | pl.col("text").str.starts_with(LRM))
        .then(pl.col("text"))
        .otherwise(pl.col("name") + ": " + pl.col("text"))
        .str.strip_chars_start(LRM)
        .alias("content")
    )
    for content, created in events.select("content", "created_at").iter_rows():
        reader.system(content, created, names)
    return events.with_columns(
        pl.lit("system").alias("kind"),
        pl.lit(None, dtype=pl.String).alias("author"),
        pl.lit(None, dtype=pl.String).alias("placeholder"),
        pl.lit(None, dtype=pl.Datetime("us")).alias("edited_at"),
        pl.lit(None, dtype=pl.Datetime("us")).alias("deleted_at"),
        pl.lit(None, dtype=pl.List(pl.String)).alias("mentions"),
    )


def _sender_rows(
    reader: _ChatReader, messages: pl.DataFrame, names: set[str]
) -> pl.DataFrame:
    """Return the raw rows of people's messages, with edits, deletions and media."""
    rows = messages.filter(pl.col("is_sender"))
    for name in rows["name"].unique().to_list():
        reader.person(name)

    # Remove the edit marker first, so the checks below see the plain text.
    text = pl.col("text")
    edited = text.str.strip_chars_end().str.ends_with(EDITED_SUFFIX)
    unmarked = (
        pl.when(edited)
        .then(
            text.str.strip_chars_end()
            .str.strip_suffix(EDITED_SUFFIX)
            .str.strip_chars_end(LRM + " ")
        )
        .otherwise(text)
    )
    rows = rows.with_columns(edited.alias("edited"), unmarked.alias("text"))

    bare = text.str.strip_chars().str.strip_chars(LRM)
    leading = text.str.strip_chars_start(LRM)
    rows = rows.with_columns(
        bare.is_in(list(DELETED_TEXTS)).alias("deleted"),
        bare.is_in(list(MEDIA_OMITTED)).alias("omitted"),
        pl.coalesce(
            leading.str.extract(ATTACHED_IOS.pattern, 1),
            text.str.extract(ATTACHED_ANDROID.pattern, 1),
        )
        .str.strip_chars(LRM)
        .alias("attached"),
    )
    caption = pl.coalesce(
        pl.when(leading.str.contains(ATTACHED_IOS.pattern)).then(
            leading.str.replace(ATTACHED_IOS.pattern, "")
        ),
        pl.when(text.str.contains(ATTACHED_ANDROID.pattern)).then(
            text.str.replace(ATTACHED_ANDROID.pattern, "")
        ),
    )
    rows = rows.with_columns(
        pl.when(pl.col("deleted"))
        .then(bare)
        .when(pl.col("omitted"))
        .then(pl.lit(""))
        .when(pl.col("attached").is_not_null())
        .then(caption)
        .otherwise(text)
        .alias("content"),
        pl.when(pl.col("deleted"))
        .then(pl.lit(DELETED_PLACEHOLDER))
        .when(pl.col("omitted") | pl.col("attached").is_not_null())
        .then(pl.lit(FILE_PLACEHOLDER))
        .alias("placeholder"),
    )

    with_files = rows.filter(pl.col("attached").is_not_null())
    for message_id, file_name, created in with_files.select(
        "message", "attached", "created_at"
    ).iter_rows():
        reader.attachment(message_id, file_name, created)

    mentioned = (
        pl.col("content")
        .str.extract_all(MENTION.pattern)
        .list.eval(pl.element().str.slice(2, None).str.strip_suffix("\u2069"))
        .list.eval(pl.element().filter(pl.element().is_in(list(names))))
    )
    return rows.with_columns(
        pl.lit("user").alias("kind"),
        pl.col("name").alias("author"),
        # The export marks an edit but not its time.
        pl.when(pl.col("edited")).then(pl.col("created_at")).alias("edited_at"),
        pl.when(pl.col("deleted")).then(pl.col("created_at")).alias("deleted_at"),
        pl.when(mentioned.list.len() > 0).then(mentioned).alias("mentions"),
    )


def _read_chat(
    raw: RawExport,
    source: ExportSource,
    name: str,
    title: str,
    encoding: str | None,
    date_order: str | None,
    timezone: str | None,
) -> None:
    where = source.describe(name)
    text = decode_text(source.read_bytes(name), where, encoding)
    messages = _parse_lines(text, where, date_order)
    messages = messages.with_columns(_to_utc(messages["created_at"], timezone, where))
    chat_id = title
    raw.add_chat(chat_id, RawChat(title=title))
    folder = PurePosixPath(name).parent.as_posix()
    reader = _ChatReader(raw, source, chat_id, "" if folder == "." else folder + "/")

    messages = messages.with_columns(
        _message_ids(messages), _sender_flag().alias("is_sender")
    )
    names = set(messages.filter(pl.col("is_sender"))["name"].unique().to_list())
    columns = [
        "line_number",
        "message",
        "kind",
        "author",
        "content",
        "placeholder",
        "created_at",
        "edited_at",
        "deleted_at",
        "mentions",
    ]
    rows = pl.concat(
        [
            _system_rows(reader, messages, names).select(columns),
            _sender_rows(reader, messages, names).select(columns),
        ]
    ).sort("line_number")

    raw.add_messages(
        rows.select(
            pl.lit(chat_id).alias("chat"),
            "message",
            "kind",
            "author",
            pl.lit(None, dtype=pl.String).alias("bot_name"),
            "content",
            "placeholder",
            "created_at",
            "edited_at",
            "deleted_at",
            "mentions",
            pl.lit(None, dtype=pl.List(pl.String)).alias("broadcasts"),
            pl.lit(None, dtype=pl.List(pl.String)).alias("unresolved"),
            pl.lit(None, dtype=pl.String).alias("reply_to"),
            pl.lit(None, dtype=pl.String).alias("thread"),
            (pl.lit(f"{where} line ") + pl.col("line_number").cast(pl.String)).alias(
                "source"
            ),
        )
    )

    chat = raw.chats[chat_id]
    chat.creator = reader.creator
    if len(names) == 2 and reader.group_events == 0:
        chat.kind = "direct"


def read_whatsapp(
    path: str | Path,
    workspace: str | None = None,
    *,
    encoding: str | None = None,
    date_order: str | None = None,
    timezone: str | None = None,
) -> RawExport:
    """Read WhatsApp text exports into a :class:`RawExport`.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.txt`` export, a ``.zip`` export (text and media), or a folder of
        them; each text file is one chat.
    workspace : str or None
        Workspace part of the stable ids; None leaves it empty. WhatsApp
        identifies people by the names one phone shows, so give each phone's
        exports their own workspace when they come from several phones.
    encoding, date_order, timezone : str or None
        See :class:`~chat_analytics.ingest.importers.common.ImportOptions`.

    Raises
    ------
    ExportFormatError
        When no text file is found, a file is not valid text in the encoding,
        no line is a WhatsApp message, or the dates are inconsistent.
    """
    raw = RawExport("whatsapp", workspace or "")
    with ExportSource(path) as source:
        texts = [name for name in source.names() if name.lower().endswith(".txt")]
        if not texts:
            raise ExportFormatError(
                f"{path}: no .txt file found; pass the chat's .txt export or the "
                ".zip that WhatsApp created"
            )
        container = source.path.name if source.kind != "file" else None
        for name in texts:
            _read_chat(
                raw,
                source,
                name,
                chat_title(name, container),
                encoding,
                date_order,
                timezone,
            )
    logger.info(
        "read %d message(s) in %d chat(s) from %s", raw.message_count, len(texts), path
    )
    return raw
