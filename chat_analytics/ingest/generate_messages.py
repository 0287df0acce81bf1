"""Conversations of the synthetic generator: sessions, turn-taking and messages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chat_analytics.ingest import generate_params as params
from chat_analytics.ingest import generate_text as text
from chat_analytics.ingest.generate_base import (
    HOURS_PER_DAY,
    SECONDS_PER_HOUR,
    Calendar,
    expand_ranges,
    fixed_width_strings,
    gather,
    lognormal,
    random_stream,
    random_uuids,
    rank_within_groups,
    spread,
    timestamps,
)
from chat_analytics.ingest.generate_chats import GROUP, Chats
from chat_analytics.ingest.generate_people import Population

# Kinds of message row before assembly.
HUMAN, AI_REPLY, SYSTEM = 0, 1, 2


@dataclass(frozen=True)
class Sessions:
    """Candidate conversations and, per session, the people who could speak.

    Each session owns a block of "seats": one per chat member, then one for the
    AI character in chats that have one (user -1). A seat's weight is the
    member's activity weight when they had joined and were in an active spell
    at the session start, else 0.
    """

    chat: np.ndarray
    start: np.ndarray
    seat_start: np.ndarray
    human_seats: np.ndarray
    human_weight: np.ndarray
    ai_weight: np.ndarray
    seat_session: np.ndarray
    seat_user: np.ndarray
    seat_joined: np.ndarray
    seat_weight: np.ndarray


@dataclass(frozen=True)
class Messages:
    """Rows of ``chat.messages`` as arrays, ordered by creation time, plus events.

    ``sender`` is -1 for AI and system messages. The ``notify_*`` and
    ``mention_*`` arrays give (message row, user) pairs for notifications.
    """

    ids: pl.Series
    chat: np.ndarray
    sender: np.ndarray
    kind: np.ndarray
    created: np.ndarray
    frame: pl.DataFrame
    notify_row: np.ndarray
    notify_user: np.ndarray
    mention_row: np.ndarray
    mention_user: np.ndarray

    @property
    def size(self) -> int:
        return len(self.chat)


def build_sessions(
    rng: np.random.Generator, calendar: Calendar, people: Population, chats: Chats
) -> Sessions:
    """Draw session starts per chat and the seats of each session."""
    members = chats.member_count
    member_weight = people.weight[chats.member_user]
    mean_weight = np.bincount(
        chats.member_chat, member_weight, minlength=chats.size
    ) / np.maximum(members, 1)
    low = chats.created
    high = np.minimum(chats.life_end, calendar.hours)
    active_days = (
        calendar.to_activity(high) - calendar.to_activity(low)
    ) / HOURS_PER_DAY
    expected = (
        params.SESSIONS_PER_ACTIVE_DAY[chats.kind]
        * mean_weight**params.SESSION_WEIGHT_EXPONENT
        * active_days
    )
    chat = np.repeat(np.arange(chats.size), rng.poisson(expected))
    start = calendar.sample_between(rng, low[chat], high[chat])
    order = np.lexsort((start, chat))
    chat, start = chat[order], start[order]
    count = len(chat)

    has_ai = (chats.character[chat] >= 0).astype(np.int64)
    human_seats = members[chat]
    seats = human_seats + has_ai
    seat_start = np.cumsum(seats) - seats
    total = int(seats.sum())
    seat_session = np.repeat(np.arange(count), seats)
    seat_user = np.full(total, -1, dtype=np.int64)
    seat_joined = np.zeros(total, dtype=bool)
    seat_weight = np.zeros(total)

    human = expand_ranges(seat_start, human_seats)
    member = expand_ranges(chats.member_offset[chat], human_seats)
    user = chats.member_user[member]
    at = start[seat_session[human]]
    joined = chats.member_joined[member] <= at
    seat_user[human] = user
    seat_joined[human] = joined
    seat_weight[human] = np.where(
        joined & people.is_active(user, at), people.weight[user], 0.0
    )
    human_weight = np.bincount(seat_session, seat_weight, minlength=count)
    ai_weight = np.where(has_ai > 0, params.AI_PICK_WEIGHT * human_weight, 0.0)
    ai_seat = (seat_start + human_seats)[has_ai > 0]
    seat_weight[ai_seat] = ai_weight[has_ai > 0]
    seat_joined[ai_seat] = True
    return Sessions(
        chat=chat,
        start=start,
        seat_start=seat_start,
        human_seats=human_seats,
        human_weight=human_weight,
        ai_weight=ai_weight,
        seat_session=seat_session,
        seat_user=seat_user,
        seat_joined=seat_joined,
        seat_weight=seat_weight,
    )


def _pick_seats(
    rng: np.random.Generator,
    sessions: Sessions,
    cumulative: np.ndarray,
    session: np.ndarray,
    mass: np.ndarray,
) -> np.ndarray:
    """Draw one seat per row, weighted, among the seats of its session.

    The AI seat is a candidate only where ``mass`` includes its weight; the
    clip keeps a rounding error at the boundary from picking it otherwise.
    """
    low = sessions.seat_start[session]
    target = cumulative[low] + rng.random(len(session)) * mass
    seat = np.searchsorted(cumulative, target, side="right") - 1
    with_ai = mass > sessions.human_weight[session]
    last = low + sessions.human_seats[session] + with_ai - 1
    return np.clip(seat, low, last)


def build_messages(
    seed: int, calendar: Calendar, people: Population, chats: Chats
) -> Messages:
    """Generate conversations, system messages, mentions, edits and deletions."""
    rng = random_stream(seed, "messages")
    sessions = build_sessions(rng, calendar, people, chats)
    cumulative = np.concatenate([[0.0], np.cumsum(sessions.seat_weight)])

    # Sessions without a member present do not happen.
    happening = np.flatnonzero(sessions.human_weight > 0)
    kind = chats.kind[sessions.chat[happening]]
    length = 1 + np.floor(
        lognormal(
            rng,
            params.SESSION_MESSAGES_MEDIAN[kind],
            params.SESSION_MESSAGES_SIGMA,
            len(happening),
        )
    ).astype(np.int64)
    session = np.repeat(happening, length)
    position = rank_within_groups(session)
    rows = len(session)

    # Turn-taking: a row either picks a speaker (weighted by activity, AI
    # included after the first row) or keeps the previous one.
    picks = (position == 0) | (rng.random(rows) < params.SPEAKER_PICK_PROBABILITY)
    mass = np.where(
        position == 0,
        sessions.human_weight[session],
        sessions.human_weight[session] + sessions.ai_weight[session],
    )
    picked = _pick_seats(rng, sessions, cumulative, session, mass)
    seat = picked[np.maximum.accumulate(np.where(picks, np.arange(rows), 0))]

    # Mentions name other members present in the chat; the mentioned user, if
    # active, takes the next turn when that row picks a speaker.
    chat = sessions.chat[session]
    chat_kind = chats.kind[chat]
    mention_one, mention_two = _draw_mentions(rng, sessions, session, seat, chat_kind)
    next_row = np.arange(1, rows + 1)
    follows = (next_row < rows) & (mention_one >= 0)
    follows[follows] &= session[next_row[follows]] == session[follows]
    follows[follows] &= picks[next_row[follows]]
    follows[follows] &= sessions.seat_weight[mention_one[follows]] > 0
    picked[next_row[follows]] = mention_one[follows]
    seat = picked[np.maximum.accumulate(np.where(picks, np.arange(rows), 0))]
    speaker = sessions.seat_user[seat]
    for mention in (mention_one, mention_two):
        stale = (mention >= 0) & (
            (speaker < 0) | (sessions.seat_user[np.maximum(mention, 0)] == speaker)
        )
        mention[stale] = -1
    swap = (mention_one < 0) & (mention_two >= 0)
    mention_one[swap], mention_two[swap] = mention_two[swap], -1

    created = (
        sessions.start[session]
        + _delays(rng, session, position, seat, speaker) / SECONDS_PER_HOUR
    )
    happened = created < calendar.hours
    conversation = {
        "chat": chat[happened],
        "sender": speaker[happened],
        "kind": np.where(speaker[happened] >= 0, HUMAN, AI_REPLY),
        "created": created[happened],
        "mention_one": np.where(mention_one >= 0, sessions.seat_user[mention_one], -1)[
            happened
        ],
        "mention_two": np.where(mention_two >= 0, sessions.seat_user[mention_two], -1)[
            happened
        ],
        "first": (position == 0)[happened],
        "session": session[happened],
    }
    system = _system_messages(chats)
    return _assemble(seed, rng, calendar, people, chats, sessions, conversation, system)


def _draw_mentions(
    rng: np.random.Generator,
    sessions: Sessions,
    session: np.ndarray,
    seat: np.ndarray,
    chat_kind: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return up to two mentioned seats per row (-1 for none)."""
    rows = len(session)
    speaker = sessions.seat_user[seat]
    members = sessions.human_seats[session]
    low = sessions.seat_start[session]

    def draw(chance: np.ndarray, other_than: np.ndarray) -> np.ndarray:
        candidate = low + np.floor(rng.random(rows) * members).astype(np.int64)
        user = sessions.seat_user[candidate]
        usable = (
            (rng.random(rows) < chance)
            & (speaker >= 0)
            & sessions.seat_joined[candidate]
            & (user != speaker)
            & (candidate != other_than)
        )
        return np.where(usable, candidate, -1)

    first = draw(params.MENTION_PROBABILITY[chat_kind], np.full(rows, -1))
    second = draw(np.where(first >= 0, params.SECOND_MENTION_SHARE, 0.0), first)
    return first, second


def _delays(
    rng: np.random.Generator,
    session: np.ndarray,
    position: np.ndarray,
    seat: np.ndarray,
    speaker: np.ndarray,
) -> np.ndarray:
    """Return each row's time since its session start, in seconds."""
    rows = len(session)
    previous = np.concatenate([[-1], seat[:-1]])
    switched = seat != previous
    same = lognormal(
        rng,
        params.SAME_SPEAKER_DELAY_MEDIAN_SECONDS,
        params.SAME_SPEAKER_DELAY_SIGMA,
        rows,
    )
    reply = lognormal(
        rng, params.REPLY_DELAY_MEDIAN_SECONDS, params.REPLY_DELAY_SIGMA, rows
    )
    long_reply = lognormal(
        rng, params.LONG_REPLY_DELAY_MEDIAN_SECONDS, params.LONG_REPLY_DELAY_SIGMA, rows
    )
    reply = np.where(rng.random(rows) < params.LONG_REPLY_SHARE, long_reply, reply)
    ai_reply = lognormal(
        rng, params.AI_REPLY_DELAY_MEDIAN_SECONDS, params.AI_REPLY_DELAY_SIGMA, rows
    )
    gap = np.where(switched, np.where(speaker < 0, ai_reply, reply), same)
    gap = np.where(position == 0, 0.0, gap)
    elapsed = np.cumsum(gap)
    session_first = np.maximum.accumulate(np.where(position == 0, np.arange(rows), 0))
    return elapsed - elapsed[session_first]


def _system_messages(chats: Chats) -> dict[str, np.ndarray]:
    """Return the system messages: group created, member joined, character changed."""
    groups = np.flatnonzero(chats.kind == GROUP)
    joins = np.flatnonzero(chats.member_invited)
    switches = np.flatnonzero(chats.previous_character >= 0)
    return {
        "chat": np.concatenate([groups, chats.member_chat[joins], switches]),
        "created": np.concatenate(
            [
                chats.created[groups],
                chats.member_joined[joins],
                chats.switch_at[switches],
            ]
        ),
        # The subject: a user for "created" and "joined", a character for a switch.
        "subject": np.concatenate(
            [chats.creator[groups], chats.member_user[joins], chats.character[switches]]
        ),
        "event": np.concatenate(
            [
                np.zeros(len(groups), np.int64),
                np.ones(len(joins), np.int64),
                np.full(len(switches), 2),
            ]
        ),
    }


def _assemble(
    seed: int,
    rng: np.random.Generator,
    calendar: Calendar,
    people: Population,
    chats: Chats,
    sessions: Sessions,
    conversation: dict[str, np.ndarray],
    system: dict[str, np.ndarray],
) -> Messages:
    conversation_rows = len(conversation["chat"])
    system_rows = len(system["chat"])
    chat = np.concatenate([conversation["chat"], system["chat"]])
    sender = np.concatenate([conversation["sender"], np.full(system_rows, -1)])
    kind = np.concatenate([conversation["kind"], np.full(system_rows, SYSTEM)])
    created = np.concatenate([conversation["created"], system["created"]])
    order = np.argsort(created, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    chat, sender, kind, created = (
        chat[order],
        sender[order],
        kind[order],
        created[order],
    )
    rows = len(chat)

    mention_one = np.concatenate(
        [conversation["mention_one"], np.full(system_rows, -1)]
    )[order]
    mention_two = np.concatenate(
        [conversation["mention_two"], np.full(system_rows, -1)]
    )[order]
    event = np.concatenate([np.full(conversation_rows, -1), system["event"]])[order]
    subject = np.concatenate([np.full(conversation_rows, -1), system["subject"]])[order]

    # AI messages before a character switch come from the previous character.
    earlier = (chats.previous_character[chat] >= 0) & (created < chats.switch_at[chat])
    character = np.where(earlier, chats.previous_character[chat], chats.character[chat])
    character = np.where(kind == AI_REPLY, character, -1)

    deleted, updated = _deletions_and_edits(rng, calendar, kind, created)
    ids = fixed_width_strings(random_uuids(random_stream(seed, "messages.id"), rows))
    frame = pl.DataFrame(
        {
            "id": ids,
            "chat_id": chats.ids.gather(chat),
            "sender_id": gather(people.user_id, sender),
            "content": _content(
                rng, people, kind, event, subject, mention_one, mention_two
            ),
            "is_ai": kind == AI_REPLY,
            "ai_character_id": gather(
                pl.Series([key for key, _ in text.AI_CHARACTERS]), character
            ),
            "created_at": timestamps(calendar, created),
            "updated_at": timestamps(calendar, updated),
            "deleted_at": timestamps(calendar, deleted),
            "mentioned_users": _mentioned_users(people, mention_one, mention_two),
            "is_system_message": kind == SYSTEM,
            "mentions_data": _mentions_data(people, mention_one, mention_two),
        }
    )

    # "message" notifications: everyone present but the speaker hears about a
    # new conversation in a direct chat; in groups, a share of them does.
    first_rows = np.flatnonzero(conversation["first"])
    first_session = conversation["session"][first_rows]
    seat_counts = sessions.human_seats[first_session]
    seat = expand_ranges(sessions.seat_start[first_session], seat_counts)
    origin = np.repeat(first_rows, seat_counts)
    recipient = sessions.seat_user[seat]
    group = chats.kind[conversation["chat"][origin]] == GROUP
    notified = (
        sessions.seat_joined[seat]
        & (recipient != conversation["sender"][origin])
        & (~group | (rng.random(len(seat)) < params.GROUP_MESSAGE_NOTIFY_SHARE))
    )
    mentioned = np.concatenate(
        [np.flatnonzero(mention_one >= 0), np.flatnonzero(mention_two >= 0)]
    )
    return Messages(
        ids=ids,
        chat=chat,
        sender=sender,
        kind=kind,
        created=created,
        frame=frame,
        notify_row=rank[origin[notified]],
        notify_user=recipient[notified],
        mention_row=mentioned,
        mention_user=np.concatenate(
            [mention_one[mention_one >= 0], mention_two[mention_two >= 0]]
        ),
    )


def _deletions_and_edits(
    rng: np.random.Generator, calendar: Calendar, kind: np.ndarray, created: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return deleted_at (NaN when kept) and updated_at, both before the end."""
    rows = len(kind)
    share = np.select(
        [kind == HUMAN, kind == AI_REPLY],
        [params.HUMAN_DELETE_SHARE, params.AI_DELETE_SHARE],
        0.0,
    )
    delete_delay = lognormal(
        rng, params.DELETE_DELAY_MEDIAN_SECONDS, params.DELETE_DELAY_SIGMA, rows
    )
    deleted = created + delete_delay / SECONDS_PER_HOUR
    deleted = np.where(
        (rng.random(rows) < share) & (deleted < calendar.hours), deleted, np.nan
    )
    edit_delay = lognormal(
        rng, params.EDIT_DELAY_MEDIAN_SECONDS, params.EDIT_DELAY_SIGMA, rows
    )
    edited = created + edit_delay / SECONDS_PER_HOUR
    edits = (
        (kind == HUMAN)
        & (rng.random(rows) < params.EDIT_SHARE)
        & (edited < calendar.hours)
    )
    updated = np.where(edits, edited, created)
    updated = np.fmax(updated, deleted)
    return deleted, updated


def _content(
    rng: np.random.Generator,
    people: Population,
    kind: np.ndarray,
    event: np.ndarray,
    subject: np.ndarray,
    mention_one: np.ndarray,
    mention_two: np.ndarray,
) -> pl.Series:
    """Build message text: phrases, "@username " prefixes and system notices."""
    rows = len(kind)
    # Every human text is a phrase, optionally followed by ", " and a second one.
    phrases = pl.Series(text.HUMAN_PHRASES)
    seconds = pl.Series(text.SECOND_PHRASES)
    combined = (
        pl.DataFrame(
            {
                "phrase": phrases.gather(
                    np.repeat(np.arange(len(phrases)), len(seconds) + 1)
                ),
                "second": gather(
                    seconds, np.tile(np.arange(-1, len(seconds)), len(phrases))
                ),
            }
        )
        .select(
            pl.when(pl.col("second").is_null())
            .then(pl.col("phrase"))
            .otherwise(pl.col("phrase") + ", " + pl.col("second"))
        )
        .to_series()
    )
    phrase = rng.integers(0, len(phrases), rows)
    second = np.where(
        rng.random(rows) < params.SECOND_PHRASE_SHARE,
        rng.integers(0, len(seconds), rows),
        -1,
    )
    human_text = phrase * (len(seconds) + 1) + second + 1
    ai_text = len(combined) + rng.integers(0, len(text.AI_PHRASES), rows)
    index = np.where(kind == HUMAN, human_text, ai_text)
    vocabulary = pl.concat([combined, pl.Series(text.AI_PHRASES)])

    mentioning = np.flatnonzero(mention_one >= 0)
    name_two = gather(people.username, mention_two[mentioning])
    prefix = "@" + people.username.gather(mention_one[mentioning])
    prefix = pl.select(
        pl.when(name_two.is_null())
        .then(prefix + " ")
        .otherwise(prefix + " @" + name_two + " ")
    ).to_series()
    mention_text = prefix + combined.gather(human_text[mentioning])
    index[mentioning] = len(vocabulary) + np.arange(len(mentioning))

    system = np.flatnonzero(kind == SYSTEM)
    character_names = pl.Series([name for _, name in text.AI_CHARACTERS])
    system_event = event[system]
    user_subject = np.where(system_event < 2, subject[system], -1)
    character_subject = np.where(system_event == 2, subject[system], -1)
    system_text = (
        pl.DataFrame(
            {
                "event": system_event,
                "user_name": gather(people.display_name, user_subject),
                "character_name": gather(character_names, character_subject),
            }
        )
        .select(
            pl.when(pl.col("event") == 0)
            .then(pl.col("user_name") + " created the group")
            .when(pl.col("event") == 1)
            .then(pl.col("user_name") + " joined the group")
            .otherwise(
                pl.col("character_name") + " is now the AI character of this chat"
            )
        )
        .to_series()
    )
    index[system] = len(vocabulary) + len(mentioning) + np.arange(len(system))
    return pl.concat([vocabulary, mention_text, system_text]).gather(index)


def _mentioned_users(
    people: Population, mention_one: np.ndarray, mention_two: np.ndarray
) -> pl.Series:
    rows = np.flatnonzero(mention_one >= 0)
    lists = (
        pl.DataFrame(
            {
                "one": people.user_id.gather(mention_one[rows]),
                "two": gather(people.user_id, mention_two[rows]),
            }
        )
        .select(pl.concat_list("one", "two").list.drop_nulls())
        .to_series()
    )
    return spread(lists, rows, len(mention_one))


def _mentions_data(
    people: Population, mention_one: np.ndarray, mention_two: np.ndarray
) -> pl.Series:
    """Build the JSON array of mentions; ``offset`` is the character position of '@'."""
    rows = np.flatnonzero(mention_one >= 0)
    frame = pl.DataFrame(
        {
            "id_one": people.user_id.gather(mention_one[rows]),
            "name_one": people.username.gather(mention_one[rows]),
            "id_two": gather(people.user_id, mention_two[rows]),
            "name_two": gather(people.username, mention_two[rows]),
        }
    )

    def entry(user_id: str, username: str, offset: pl.Expr) -> pl.Expr:
        return pl.concat_str(
            pl.lit('{"user_id": "'),
            pl.col(user_id),
            pl.lit('", "username": "'),
            pl.col(username),
            pl.lit('", "offset": '),
            offset.cast(pl.String),
            pl.lit("}"),
        )

    first = entry("id_one", "name_one", pl.lit(0))
    second = entry("id_two", "name_two", pl.col("name_one").str.len_chars() + 2)
    data = frame.select(
        pl.when(pl.col("id_two").is_not_null())
        .then(pl.concat_str(pl.lit("["), first, pl.lit(", "), second, pl.lit("]")))
        .otherwise(pl.concat_str(pl.lit("["), first, pl.lit("]")))
    ).to_series()
    return spread(data, rows, len(mention_one))
