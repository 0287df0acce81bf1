"""Side tables of the synthetic generator: notifications, files, anonymous chats."""

from __future__ import annotations

import numpy as np
import polars as pl

from chat_analytics.ingest import generate_params as params
from chat_analytics.ingest import generate_text as text
from chat_analytics.ingest.generate_base import (
    SECONDS_PER_HOUR,
    Calendar,
    choose_phrases,
    fixed_width_strings,
    gather,
    lognormal,
    random_hex,
    random_stream,
    random_uuids,
    rank_within_groups,
    timestamps,
)
from chat_analytics.ingest.generate_chats import Chats
from chat_analytics.ingest.generate_messages import HUMAN, Messages
from chat_analytics.ingest.generate_people import (
    FRIEND_ACCEPTED,
    Friendships,
    Population,
)

NOTIFICATION_TYPES = (
    "message",
    "mention",
    "friend_request",
    "friend_accepted",
    "chat_invitation",
)
MESSAGE, MENTION, FRIEND_REQUEST, FRIEND_ACCEPTED_TYPE, CHAT_INVITATION = range(5)
# Crockford's base32 alphabet: no I, L, O or U, so codes read back unambiguously.
JOIN_CODE_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)


def notifications_table(
    seed: int,
    calendar: Calendar,
    people: Population,
    friends: Friendships,
    chats: Chats,
    messages: Messages,
) -> pl.DataFrame:
    """Notify users of messages, mentions, friend requests and invitations.

    Each notification is created seconds after its event. Users in an active
    spell see most notifications within minutes; others see few, hours later.
    A read notification has always been seen first.
    """
    rng = random_stream(seed, "notifications")
    accepted = np.flatnonzero(friends.status == FRIEND_ACCEPTED)
    invitations = np.arange(len(chats.invitation_chat))
    notify, mention = messages.notify_row, messages.mention_row
    events = [
        _events(
            MESSAGE,
            messages.notify_user,
            messages.created[notify],
            messages.sender[notify],
            chat=messages.chat[notify],
            message_row=notify,
        ),
        _events(
            MENTION,
            messages.mention_user,
            messages.created[mention],
            messages.sender[mention],
            chat=messages.chat[mention],
            message_row=mention,
        ),
        _events(
            FRIEND_REQUEST,
            friends.friend,
            friends.created,
            friends.user,
            friend_row=np.arange(friends.size),
        ),
        _events(
            FRIEND_ACCEPTED_TYPE,
            friends.user[accepted],
            friends.updated[accepted],
            friends.friend[accepted],
            friend_row=accepted,
        ),
        _events(
            CHAT_INVITATION,
            chats.invitation_invitee,
            chats.invitation_created,
            chats.invitation_inviter,
            chat=chats.invitation_chat,
            invitation=invitations,
        ),
    ]
    kind, user, at, actor, chat, message_row, friend_row, invitation = (
        np.concatenate(column) for column in zip(*events, strict=True)
    )

    created = (
        at
        + lognormal(
            rng,
            params.NOTIFICATION_DELAY_MEDIAN_SECONDS,
            params.NOTIFICATION_DELAY_SIGMA,
            len(at),
        )
        / SECONDS_PER_HOUR
    )
    keep = np.flatnonzero(created < calendar.hours)
    keep = keep[np.argsort(created[keep], kind="stable")]
    kind, user, created, actor, chat = (
        kind[keep],
        user[keep],
        created[keep],
        actor[keep],
        chat[keep],
    )
    message_row, friend_row, invitation = (
        message_row[keep],
        friend_row[keep],
        invitation[keep],
    )
    count = len(keep)

    active = people.is_active(user, created)
    seen_chance = np.where(
        active, params.SEEN_PROBABILITY_ACTIVE, params.SEEN_PROBABILITY_INACTIVE
    )
    seen_median = np.where(
        active, params.SEEN_DELAY_MEDIAN_ACTIVE, params.SEEN_DELAY_MEDIAN_INACTIVE
    )
    seen = created + lognormal(rng, seen_median, params.SEEN_DELAY_SIGMA, count)
    seen = np.where(
        (rng.random(count) < seen_chance) & (seen < calendar.hours), seen, np.nan
    )
    read_at = (
        seen
        + lognormal(
            rng, params.READ_DELAY_MEDIAN_SECONDS, params.READ_DELAY_SIGMA, count
        )
        / SECONDS_PER_HOUR
    )
    read = (
        ~np.isnan(seen)
        & (rng.random(count) < params.READ_PROBABILITY)
        & (read_at < calendar.hours)
    )
    updated = np.where(read, read_at, np.where(np.isnan(seen), created, seen))

    ids = fixed_width_strings(
        random_uuids(random_stream(seed, "notifications.id"), count)
    )
    frame = pl.DataFrame(
        {
            "kind": kind,
            "actor": people.display_name.gather(actor),
            "actor_id": people.user_id.gather(actor),
            "chat_title": gather(chats.title, chat),
            "chat_id": gather(chats.ids, chat),
            "message_id": gather(messages.ids, message_row),
            "friend_request_id": gather(friends.ids, friend_row),
            "invitation_id": gather(chats.invitation_ids, invitation),
        }
    )
    texts = frame.select(
        _by_kind(
            "New message",
            "You were mentioned",
            "New friend request",
            "Friend request accepted",
            "Chat invitation",
        ).alias("title"),
        _by_kind(
            pl.col("actor") + " sent a message in " + pl.col("chat_title"),
            pl.col("actor") + " mentioned you in " + pl.col("chat_title"),
            pl.col("actor") + " sent you a friend request",
            pl.col("actor") + " accepted your friend request",
            pl.col("actor") + " invited you to " + pl.col("chat_title"),
        ).alias("message"),
        _by_kind(
            _json_object(chat_id="chat_id", message_id="message_id"),
            _json_object(chat_id="chat_id", message_id="message_id"),
            _json_object(friend_request_id="friend_request_id", user_id="actor_id"),
            _json_object(friend_request_id="friend_request_id", user_id="actor_id"),
            _json_object(invitation_id="invitation_id", chat_id="chat_id"),
        ).alias("data"),
    )
    return pl.DataFrame(
        {
            "id": ids,
            "user_id": people.user_id.gather(user),
            "type": pl.Series(NOTIFICATION_TYPES).gather(kind),
            "title": texts["title"],
            "message": texts["message"],
            "data": texts["data"],
            "created_at": timestamps(calendar, created),
            "read": read,
            "updated_at": timestamps(calendar, updated),
            "seen_at": timestamps(calendar, seen),
        }
    )


def _events(
    kind: int,
    user: np.ndarray,
    at: np.ndarray,
    actor: np.ndarray,
    *,
    chat: np.ndarray | None = None,
    message_row: np.ndarray | None = None,
    friend_row: np.ndarray | None = None,
    invitation: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """Return the columns of one kind of notification event; -1 where unused."""
    none = np.full(len(user), -1)

    def given(column: np.ndarray | None) -> np.ndarray:
        return none if column is None else column

    return (
        np.full(len(user), kind),
        user,
        at,
        actor,
        given(chat),
        given(message_row),
        given(friend_row),
        given(invitation),
    )


def _by_kind(*values: str | pl.Expr) -> pl.Expr:
    """Pick one value per notification type, in the order of NOTIFICATION_TYPES."""
    exprs = [pl.lit(value) if isinstance(value, str) else value for value in values]
    expression = pl.when(pl.col("kind") == 0).then(exprs[0])
    for code, value in enumerate(exprs[1:-1], start=1):
        expression = expression.when(pl.col("kind") == code).then(value)
    return expression.otherwise(exprs[-1])


def _json_object(**columns: str) -> pl.Expr:
    """Build a JSON object of string fields; the values must need no escaping (ids)."""
    pieces: list[pl.Expr] = []
    for position, (key, column) in enumerate(columns.items()):
        separator = "{" if position == 0 else ", "
        pieces += [pl.lit(f'{separator}"{key}": "'), pl.col(column), pl.lit('"')]
    return pl.concat_str([*pieces, pl.lit("}")])


def attachments_table(
    seed: int, calendar: Calendar, people: Population, chats: Chats, messages: Messages
) -> pl.DataFrame:
    """Attach files to a share of human messages, plus a few uploads never sent."""
    rng = random_stream(seed, "file_attachments")
    human = np.flatnonzero(messages.kind == HUMAN)
    carrying = human[rng.random(len(human)) < params.ATTACHMENT_SHARE]
    doubled = carrying[rng.random(len(carrying)) < params.SECOND_ATTACHMENT_SHARE]
    row = np.sort(np.concatenate([carrying, doubled]), kind="stable")
    orphans = (
        rng.binomial(len(row), params.ORPHAN_ATTACHMENT_SHARE) if len(human) else 0
    )
    orphan_row = (
        np.sort(rng.choice(human, size=orphans)) if orphans else np.zeros(0, np.int64)
    )
    row = np.concatenate([row, orphan_row])
    linked = np.concatenate(
        [np.ones(len(row) - orphans, bool), np.zeros(orphans, bool)]
    )
    order = np.argsort(messages.created[row], kind="stable")
    row, linked = row[order], linked[order]
    count = len(row)

    shares = np.array([entry[1] for entry in params.FILE_TYPES])
    file_type = rng.choice(len(shares), size=count, p=shares / shares.sum())
    medians = np.array([entry[4] for entry in params.FILE_TYPES], dtype=np.float64)
    sigmas = np.array([entry[5] for entry in params.FILE_TYPES])
    size = medians[file_type] * np.exp(sigmas[file_type] * rng.standard_normal(count))
    size = np.clip(np.ceil(size), 1, params.MAX_FILE_SIZE).astype(np.int32)

    ids = fixed_width_strings(
        random_uuids(random_stream(seed, "file_attachments.id"), count)
    )
    chat_id = chats.ids.gather(messages.chat[row])
    stems = pl.Series([entry[2] for entry in params.FILE_TYPES]).gather(file_type)
    extensions = pl.Series([entry[3] for entry in params.FILE_TYPES]).gather(file_type)
    number = pl.Series(rng.integers(1, 10_000, count)).cast(pl.String).str.zfill(4)
    file_name = stems + "_" + number + "." + extensions
    return pl.DataFrame(
        {
            "id": ids,
            "message_id": gather(messages.ids, np.where(linked, row, -1)),
            "chat_id": chat_id,
            "user_id": people.user_id.gather(messages.sender[row]),
            "file_name": file_name,
            "file_size": pl.Series(size, dtype=pl.Int32),
            "file_type": pl.Series([entry[0] for entry in params.FILE_TYPES]).gather(
                file_type
            ),
            "file_path": "attachments/" + chat_id + "/" + ids + "/" + file_name,
            "created_at": timestamps(calendar, messages.created[row]),
        }
    )


def anonymous_tables(
    seed: int, calendar: Calendar, users: int
) -> dict[str, pl.DataFrame]:
    """Build ``anonymous_chats``, ``anonymous_chat_users`` and ``anonymous_messages``.

    Guests join after a chat is created and before it expires; their messages
    stop at expiry except in the few chats that keep accepting them.
    """
    rng = random_stream(seed, "anonymous")
    years = calendar.hours / (365 * 24)
    count = int(rng.poisson(params.ANONYMOUS_CHATS_PER_USER_YEAR * users * years))
    created = calendar.sample_signups(rng, count)
    expires = created + rng.choice(params.EXPIRY_HOURS, size=count)
    expires = np.where(rng.random(count) < params.NO_EXPIRY_SHARE, np.nan, expires)
    deadline = np.where(np.isnan(expires), np.inf, expires)
    late = rng.random(count) < params.LATE_ANONYMOUS_CHAT_SHARE
    unused = rng.random(count) < params.UNUSED_ANONYMOUS_CHAT_SHARE

    # Join codes: an odd multiplier is invertible modulo 32**8, so distinct
    # chat numbers give distinct codes.
    digits = params.JOIN_CODE_LENGTH
    modulus = 32**digits
    multiplier = int(rng.integers(0, modulus // 2)) * 2 + 1
    offset = int(rng.integers(0, modulus))
    value = (
        np.arange(count, dtype=np.uint64) * np.uint64(multiplier) + np.uint64(offset)
    ) % np.uint64(modulus)
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(5)
    code_digits = (value[:, None] >> shifts[None, :]) & np.uint64(31)
    join_code = fixed_width_strings(
        JOIN_CODE_ALPHABET[code_digits.astype(np.int64)],
        valid=rng.random(count) >= params.NULL_JOIN_CODE_SHARE,
    )
    chat_ids = fixed_width_strings(
        random_uuids(random_stream(seed, "anonymous_chats.id"), count)
    )

    guests = rng.geometric(params.GUESTS_P, count) - unused
    guest_chat = np.repeat(np.arange(count), guests)
    joined = created[guest_chat] + lognormal(
        rng,
        params.GUEST_JOIN_DELAY_MEDIAN,
        params.GUEST_JOIN_DELAY_SIGMA,
        len(guest_chat),
    )
    admitted = (joined < calendar.hours) & (joined < deadline[guest_chat])
    guest_chat, joined = guest_chat[admitted], joined[admitted]
    order = np.argsort(joined, kind="stable")
    guest_chat, joined = guest_chat[order], joined[order]
    guest_count = len(guest_chat)
    has_guest_id = rng.random(guest_count) >= params.NULL_GUEST_ID_SHARE
    guest_text = np.concatenate(
        [
            np.tile(np.frombuffer(b"guest_", np.uint8), (guest_count, 1)),
            random_hex(rng, guest_count, 12),
        ],
        axis=1,
    )
    guest_id = fixed_width_strings(guest_text, valid=has_guest_id)
    guest_row_ids = fixed_width_strings(
        random_uuids(random_stream(seed, "anonymous_chat_users.id"), guest_count)
    )

    posts = np.floor(
        lognormal(
            rng, params.GUEST_MESSAGES_MEDIAN, params.GUEST_MESSAGES_SIGMA, guest_count
        )
    ).astype(np.int64)
    posts = np.where(unused[guest_chat], 0, posts)
    author = np.repeat(np.arange(guest_count), posts)
    delay = (
        lognormal(
            rng,
            params.GUEST_MESSAGE_DELAY_MEDIAN_SECONDS,
            params.GUEST_MESSAGE_DELAY_SIGMA,
            len(author),
        )
        / SECONDS_PER_HOUR
    )
    elapsed = np.cumsum(delay)
    first = np.maximum.accumulate(
        np.where(rank_within_groups(author) == 0, np.arange(len(author)), 0)
    )
    sent = joined[author] + elapsed - elapsed[first] + delay[first]
    chat_of = guest_chat[author]
    allowed = (sent < calendar.hours) & ((sent < deadline[chat_of]) | late[chat_of])
    author, sent = author[allowed], sent[allowed]
    order = np.argsort(sent, kind="stable")
    author, sent = author[order], sent[order]
    message_ids = fixed_width_strings(
        random_uuids(random_stream(seed, "anonymous_messages.id"), len(author))
    )

    return {
        "anonymous_chats": pl.DataFrame(
            {
                "id": chat_ids,
                "join_code": join_code,
                "created_at": timestamps(calendar, created),
                "expires_at": timestamps(calendar, expires, within_period=False),
            }
        ),
        "anonymous_chat_users": pl.DataFrame(
            {
                "id": guest_row_ids,
                "chat_id": chat_ids.gather(guest_chat),
                "guest_id": guest_id,
                "created_at": timestamps(calendar, joined),
            }
        ),
        "anonymous_messages": pl.DataFrame(
            {
                "id": message_ids,
                "chat_id": chat_ids.gather(guest_chat[author]),
                "guest_id": guest_id.gather(author),
                "content": choose_phrases(rng, text.GUEST_PHRASES, len(author)),
                "created_at": timestamps(calendar, sent),
            }
        ),
    }
