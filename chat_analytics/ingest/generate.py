"""Generate a synthetic, deterministic chat product in the 11 tables of ``chat``.

:func:`generate` returns one polars DataFrame per table with the columns of
``chat_analytics/warehouse/sql/schema.sql``; :func:`write_parquet` writes them
to a folder that ``chat-analytics load DIR`` reads. The same arguments give the
same rows, byte for byte: every random draw, UUIDs included, comes from numpy
generators seeded with ``seed`` and a fixed name per stage, and nothing reads
the clock.

What the data models (the parameters are constants in ``generate_params``):

- **Signups** fall in ``[start, start + days)``. The daily signup rate grows
  exponentially to 3 times its first-day value by the last day, so later
  monthly cohorts are larger.
- **Daily and weekly cycles** (UTC): every event time follows an intensity
  that is lowest at 3-4 h (about 0.12 of the 20 h peak) and lower on Saturday
  and Sunday (0.72 and 0.68 of Monday). In periods of 60 days or more, the day
  at 62 % of the period has an outage (0.25 of normal activity) and the day
  at 81 % a viral spike (2.4 times normal).
- **Heavy-tailed activity**: each user has a lognormal activity weight
  (median 1, sigma 0.9), and 10 % of users are never active. With 10,000
  users over 365 days (seed 7), 1.02 million messages result, a third of the
  users never post, and the top 10 % of users send 66 % of human messages.
- **Churn and comebacks**: a user is active in up to 4 spells. The first
  starts at signup and lasts a lognormal 60 days (median). After a quiet gap
  (median 45 days), the user comes back with probability 0.5 for another
  spell (median 35 days). Users post only in conversations that start inside
  their spells, and they accept requests and see notifications mostly then.
- **Communities and friendships**: users belong to planted communities of
  about 150 (Dirichlet sizes), and 85 % of friend requests stay inside the
  requester's community (a planted-partition graph). Users send about 0.075
  requests per active day, scaled by sociability (the square root of the
  activity weight), preferring targets who are active within 3 days. The
  target decides a few hours after they are next active: accept (0.80 inside
  a community, 0.55 across), decline (0.12) or ignore. Requests ignored or
  undecided at the end are pending. There is never a self-friendship and at
  most one row per unordered pair, except that 1 % of accepted pairs also
  have the reverse row, both accepted.
- **Chats**: 55 % of accepted friendships open a direct (1:1) chat. Users
  also open AI chats (themselves and an AI character) and group chats (the
  creator and 1 + Geometric(0.4) others at creation, a lognormal number of
  invitations later, mostly within the creator's community; 15 % with an AI
  character). 10 % of chats with a character had another one before a
  switch. Each chat has a lognormal life after which no conversation starts.
- **Conversations**: sessions start at random times in a chat's life at a
  rate set by the members' activity, and happen only if some member has
  joined and is in an active spell. Each next message picks a new speaker
  with probability 0.7 (weighted by activity, the AI character included),
  else the same speaker goes on. Reply delays are lognormal: 40 s median for a
  reply (7 % take about 1.5 h), 15 s for the same speaker going on, 4 s for an
  AI reply. AI messages have ``is_ai`` true, ``ai_character_id`` set and no
  sender. Group chats carry system messages (no sender) when created, when a
  member joins and when the AI character changes.
- **Message details**: 3 % of human and 1 % of AI messages are soft-deleted
  (``deleted_at`` set), 4 % of human messages are edited (``updated_at``
  later). 7 % of human messages in groups and 1 % in direct chats mention
  members (``mentioned_users`` with their ids, ``mentions_data`` a JSON array
  of ``{"user_id", "username", "offset"}`` where ``offset`` is the position of
  the ``@username`` in ``content``). When the message after a mention picks a
  new speaker, the mentioned user speaks if they are active.
- **Invitations**: members who join a group after its creation were invited
  by a member who had already joined, so invitations cascade. The invitee
  decides a few hours after they are next active: accept (0.70), decline
  (0.15) or ignore. Invitations ignored or undecided at the end are pending
  (29 % of them at 10,000 users). There is one row per (chat, invitee).
- **Notifications** of types ``message``, ``mention``, ``friend_request``,
  ``friend_accepted`` and ``chat_invitation`` are created about 1.5 s after
  their event. A user inside an active spell sees 90 % of them (about 20 min
  later, median); other users see 20 %, hours later; 70 % of seen ones are
  read. ``read`` implies ``seen_at``.
- **File attachments** go with 3.5 % of human messages (12 % of those carry a
  second file), with MIME types such as image/jpeg, image/png,
  application/pdf and video/mp4 and lognormal sizes per type, capped at
  2**31 - 1 bytes; 1 % more are uploads never sent (``message_id`` NULL).
- **Anonymous chats** (0.04 per user per year) have unique 8-character join
  codes (2 % NULL), expire after 1 h, 1 day, 7 days or 30 days (25 % never),
  and have guests who join and post until expiry; 15 % are never used and
  5 % keep accepting messages after expiry.

Every timestamp is before ``start + days`` except ``anonymous_chats.expires_at``,
a deadline that may lie after it. Participants join before their first
message, and messages follow their chat's creation and their sender's signup.
E-mail addresses use the reserved domain ``example.invalid``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from numbers import Integral
from pathlib import Path

import numpy as np
import polars as pl

from chat_analytics.errors import ConfigurationError
from chat_analytics.ingest.generate_base import Calendar
from chat_analytics.ingest.generate_chats import (
    build_chats,
    chats_table,
    invitations_table,
    participants_table,
)
from chat_analytics.ingest.generate_events import (
    anonymous_tables,
    attachments_table,
    notifications_table,
)
from chat_analytics.ingest.generate_messages import build_messages
from chat_analytics.ingest.generate_params import GENERATOR_VERSION
from chat_analytics.ingest.generate_people import (
    build_friendships,
    build_population,
    favourite_characters,
    friends_table,
    profiles_table,
)
from chat_analytics.warehouse.schema import TABLES

__all__ = [
    "GENERATOR_VERSION",
    "GeneratedTables",
    "GenerationSettings",
    "generate",
    "write_parquet",
]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
DEFAULT_START = date(2025, 1, 1)
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class GenerationSettings:
    """The arguments of one :func:`generate` call, stored in manifest.json."""

    seed: int
    users: int
    start: date
    days: int
    generator_version: str = GENERATOR_VERSION


class GeneratedTables(dict[str, pl.DataFrame]):
    """The 11 tables by name, in foreign-key order, with the settings that made them."""

    def __init__(self, tables: dict[str, pl.DataFrame], settings: GenerationSettings):
        super().__init__(tables)
        self.settings = settings


def generate(
    users: int,
    seed: int,
    start: date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
) -> GeneratedTables:
    """Generate the 11 chat tables for ``users`` users over ``days`` days.

    Parameters
    ----------
    users : int
        Number of profiles, at least 1. 10,000 users over 365 days give about
        a million messages. The count grows linearly with ``users`` and more
        slowly than ``days``, because users churn.
    seed : int
        Seed of every random draw, at least 0. The same arguments give
        identical tables.
    start : datetime.date
        First day of the period (UTC midnight).
    days : int
        Length of the period in days, at least 1. Every timestamp falls in
        ``[start, start + days)``, except ``anonymous_chats.expires_at``.

    Returns
    -------
    GeneratedTables
        A dict from table name to DataFrame, in the foreign-key order of
        ``chat_analytics.warehouse.schema.TABLES``. Column names follow
        ``schema.sql``; UUIDs are lower-case text, timestamps ``Datetime("us")``
        without time zone meaning UTC, ``text[]`` a list of strings and
        ``jsonb`` a string of JSON text.

    Raises
    ------
    ConfigurationError
        If an argument is out of range.

    Notes
    -----
    Memory and time grow linearly with ``users * days``. The models behind
    the data are described in this module's docstring.

    Examples
    --------
    >>> tables = generate(users=50, seed=1, days=30)
    >>> tables["profiles"].height
    50
    """
    settings = _validate(users, seed, start, days)
    users, seed, days = settings.users, settings.seed, settings.days
    began = time.perf_counter()
    calendar = Calendar.build(settings.start, days)
    logger.info(
        "generating %d users over %d days from %s with seed %d",
        users, days, settings.start, seed,
    )  # fmt: skip

    people = build_population(seed, calendar, users)
    favourite = favourite_characters(seed, users)
    friends = build_friendships(seed, calendar, people)
    chats = build_chats(seed, calendar, people, friends, favourite)
    logger.info(
        "drew %d friend rows, %d chats and %d participants",
        friends.size, chats.size, len(chats.member_chat),
    )  # fmt: skip
    messages = build_messages(seed, calendar, people, chats)
    logger.info("drew %d messages", messages.size)

    last_change = chats.created.copy()
    np.maximum.at(last_change, messages.chat, messages.created)
    tables = {
        "profiles": profiles_table(seed, calendar, people, favourite),
        "chats": chats_table(calendar, people, chats, last_change),
        "chat_participants": participants_table(calendar, people, chats),
        "messages": messages.frame,
        "friends": friends_table(calendar, people, friends),
        "notifications": notifications_table(
            seed, calendar, people, friends, chats, messages
        ),
        "file_attachments": attachments_table(seed, calendar, people, chats, messages),
        **anonymous_tables(seed, calendar, users),
        "chat_invitations": invitations_table(calendar, people, chats),
    }
    ordered = {name: tables[name] for name in TABLES}
    logger.info(
        "generated %d rows in %.1f s",
        sum(frame.height for frame in ordered.values()),
        time.perf_counter() - began,
    )
    return GeneratedTables(ordered, settings)


def _validate(users: int, seed: int, start: date, days: int) -> GenerationSettings:
    if isinstance(users, bool) or not isinstance(users, Integral) or users < 1:
        raise ConfigurationError(
            f"invalid number of users {users!r}: use an integer of at least 1"
        )
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ConfigurationError(f"invalid seed {seed!r}: use an integer of at least 0")
    if not isinstance(start, date):
        raise ConfigurationError(
            f"invalid start {start!r}: use a datetime.date such as date(2025, 1, 1)"
        )
    if isinstance(days, bool) or not isinstance(days, Integral) or days < 1:
        raise ConfigurationError(
            f"invalid number of days {days!r}: use an integer of at least 1"
        )
    start_day = date(start.year, start.month, start.day)
    users, seed, days = int(users), int(seed), int(days)
    if date.max - start_day < timedelta(days=days):
        raise ConfigurationError(
            f"invalid period: {start_day} plus {days} days passes year 9999; "
            "use an earlier start or fewer days"
        )
    return GenerationSettings(seed=seed, users=users, start=start_day, days=days)


def write_parquet(tables: dict[str, pl.DataFrame], out_dir: str | Path) -> Path:
    """Write one ``<table>.parquet`` per table and a ``manifest.json`` to ``out_dir``.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        Tables by name, usually the result of :func:`generate`. When it is a
        :class:`GeneratedTables`, the manifest records its settings.
    out_dir : str or pathlib.Path
        Folder to write to; created with its parents when missing. Files of
        the same names are replaced.

    Returns
    -------
    pathlib.Path
        The folder written to.

    Raises
    ------
    ConfigurationError
        If ``out_dir`` exists and is not a folder.

    Notes
    -----
    The manifest contains ``generator_version``, ``seed``, ``users``, ``start``
    (``YYYY-MM-DD``), ``days``, ``end`` (the first day after the period) and
    ``row_counts`` per table. The files are byte for byte the same for the
    same tables.
    """
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(
            f"output path {str(folder)!r} is a file: pass a folder path"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_parquet(folder / f"{name}.parquet", compression="zstd")
        logger.info("wrote %d rows to %s", frame.height, folder / f"{name}.parquet")

    manifest: dict[str, object] = {"generator_version": GENERATOR_VERSION}
    settings = getattr(tables, "settings", None)
    if isinstance(settings, GenerationSettings):
        manifest.update(asdict(settings))
        manifest["start"] = settings.start.isoformat()
        manifest["end"] = (settings.start + timedelta(days=settings.days)).isoformat()
    manifest["row_counts"] = {name: frame.height for name, frame in tables.items()}
    (folder / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    return folder
