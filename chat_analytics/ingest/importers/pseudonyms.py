"""Pseudonyms for imported profiles and the real names they replace in text."""

from __future__ import annotations

import hashlib
import hmac
import re

import polars as pl

from chat_analytics.ingest.importers.common import RawExport, clean_text, stable_id

__all__ = ["DEFAULT_PSEUDONYM_KEY", "Pseudonyms", "scrub_names", "pseudonymize_text"]

# Public key of the pseudonyms when no key is given: the pseudonyms are then
# stable between runs but anyone can recompute them from a known platform id.
DEFAULT_PSEUDONYM_KEY = "chat-analytics-pseudonyms"
# Names shorter than this are not searched for in message text when
# pseudonymizing, because they match too many ordinary words.
MIN_SCRUBBED_NAME_CHARS = 3


class Pseudonyms:
    """Names derived by HMAC-SHA256 of the profile id, stable for one key."""

    def __init__(self, key: str | None) -> None:
        self._key = (key or DEFAULT_PSEUDONYM_KEY).encode("utf-8")

    def digest(self, profile_id: str) -> str:
        return hmac.new(
            self._key, profile_id.encode("ascii"), hashlib.sha256
        ).hexdigest()

    def username(self, profile_id: str) -> str:
        return f"user-{self.digest(profile_id)[:12]}"

    def display_name(self, profile_id: str) -> str:
        return f"User {self.digest(profile_id)[:6].upper()}"


def _scrub_pattern(names: list[str]) -> tuple[str, str]:
    """Return a Rust-regex detector and a Python regex that match whole names."""
    alternation = "|".join(re.escape(name) for name in names)
    detector = rf"(?:^|\W)(?:{alternation})(?:\W|$)"
    replacer = rf"(?<!\w)(?:{alternation})(?!\w)"
    return detector, replacer


def scrub_names(texts: pl.Series, replacements: dict[str, str]) -> pl.Series:
    """Replace whole-word occurrences of names in ``texts`` with their pseudonyms.

    Matching is case-sensitive; longer names win over their prefixes. Polars
    finds the rows that contain a name, and Python's ``re`` rewrites only those.
    """
    names = sorted(
        (name for name in replacements if len(name) >= MIN_SCRUBBED_NAME_CHARS),
        key=lambda name: (-len(name), name),
    )
    if not names or texts.is_empty():
        return texts
    detector, replacer = _scrub_pattern(names)
    hits = texts.str.contains(detector).fill_null(False)
    if not hits.any():
        return texts
    pattern = re.compile(replacer)
    values = texts.to_list()
    for index in hits.arg_true().to_list():
        values[index] = pattern.sub(
            lambda match: replacements[match.group(0)], values[index]
        )
    return pl.Series(texts.name, values, dtype=pl.String)


def pseudonymize_text(
    raw: RawExport,
    profiles: pl.DataFrame,
    profile_ids: dict[str, str],
    chats: pl.DataFrame,
    participants: pl.DataFrame,
    messages: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace the real names in chat titles and message text with the pseudonyms."""
    pseudonym = dict(
        zip(profiles["id"].to_list(), profiles["display_name"].to_list(), strict=True)
    )
    usernames = dict(
        zip(profiles["id"].to_list(), profiles["username"].to_list(), strict=True)
    )
    replacements: dict[str, str] = {}
    for user_id, profile_id in profile_ids.items():
        user = raw.users[user_id]
        for name, new in (
            (clean_text(user.display_name).strip(), pseudonym[profile_id]),
            (clean_text(user.handle).strip(), usernames[profile_id]),
        ):
            replacements.setdefault(name, new)
    replacements.pop("", None)

    direct = {
        stable_id(raw.platform, raw.workspace, "chat", chat_id)
        for chat_id, chat in raw.chats.items()
        if chat.kind == "direct"
    }
    members = (
        participants.group_by("chat_id")
        .agg(pl.col("user_id").replace_strict(pseudonym).sort().alias("names"))
        .rows_by_key("chat_id", unique=True)
    )
    titles = scrub_names(chats["title"], replacements).to_list()
    for index, chat_id in enumerate(chats["id"].to_list()):
        if chat_id in direct:
            names = members.get(chat_id, ([],))[0]
            titles[index] = "Direct chat: " + ", ".join(names)
    chats = chats.with_columns(pl.Series("title", titles, dtype=pl.String))
    messages = messages.with_columns(scrub_names(messages["content"], replacements))
    return chats, messages
