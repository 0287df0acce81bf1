"""Friendships derived from reply turns, since exports have no friend lists."""

from __future__ import annotations

import polars as pl

from chat_analytics.ingest.importers.common import RawExport, stable_id

__all__ = ["FRIENDS_SCHEMA", "reply_turns", "derive_friendships"]

FRIENDS_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String,
    "user_id": pl.String,
    "friend_id": pl.String,
    "status": pl.String,
    "created_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
}


def reply_turns(
    raw: RawExport, messages: pl.DataFrame, profile_ids: dict[str, str]
) -> pl.DataFrame:
    """Return one row per answer: ``answerer``, ``answered`` (profile ids) and ``at``.

    In a direct chat every message that follows a message of the other person
    is an answer. In a group chat, an explicit reply answers the author of
    the message it replies to, and within a thread each message answers the
    author of the thread message just before it. Deleted messages, bots and
    system messages take no part; answering oneself does not count.
    """
    people = messages.filter(pl.col("kind") == "user").with_columns(
        pl.col("author").replace_strict(profile_ids).alias("person"),
        pl.col("chat")
        .is_in(
            [chat_id for chat_id, chat in raw.chats.items() if chat.kind == "direct"]
        )
        .alias("direct"),
    )
    live = people.filter(pl.col("deleted_at").is_null())
    turn_columns = ["answerer", "answered", "at"]

    direct = (
        live.filter(pl.col("direct"))
        .sort("chat", "created_at", "position")
        .with_columns(pl.col("person").shift(1).over("chat").alias("previous"))
        .select(
            pl.col("person").alias("answerer"),
            pl.col("previous").alias("answered"),
            pl.col("created_at").alias("at"),
        )
    )
    group = live.filter(~pl.col("direct"))
    replies = (
        group.filter(pl.col("reply_to").is_not_null())
        .join(
            people.select(
                "chat",
                pl.col("message").alias("reply_to"),
                pl.col("person").alias("answered"),
            ),
            on=["chat", "reply_to"],
            how="inner",
        )
        .select(
            pl.col("person").alias("answerer"),
            "answered",
            pl.col("created_at").alias("at"),
        )
    )
    threads = (
        group.filter(pl.col("thread").is_not_null())
        .sort("chat", "thread", "created_at", "position")
        .with_columns(
            pl.col("person").shift(1).over("chat", "thread").alias("previous")
        )
        .select(
            pl.col("person").alias("answerer"),
            pl.col("previous").alias("answered"),
            pl.col("created_at").alias("at"),
        )
    )
    turns = pl.concat([direct, replies, threads]).select(turn_columns)
    return turns.filter(
        pl.col("answered").is_not_null() & (pl.col("answerer") != pl.col("answered"))
    )


def derive_friendships(turns: pl.DataFrame, minimum: int) -> pl.DataFrame:
    """Return friendships of pairs who each answered the other ``minimum`` times.

    One row per unordered pair, with ``user_id`` the smaller profile id. The
    friendship's time is the answer that made both directions reach the minimum.
    """
    reached = (
        turns.sort("at")
        .with_columns(
            pl.int_range(1, pl.len() + 1).over("answerer", "answered").alias("count")
        )
        .filter(pl.col("count") == minimum)
        .select("answerer", "answered", "at")
    )
    pairs = reached.join(
        reached,
        left_on=["answerer", "answered"],
        right_on=["answered", "answerer"],
        how="inner",
        suffix="_back",
    ).filter(pl.col("answerer") < pl.col("answered"))
    pairs = pairs.select(
        pl.col("answerer").alias("user_id"),
        pl.col("answered").alias("friend_id"),
        pl.max_horizontal("at", "at_back").alias("created_at"),
    ).sort("user_id", "friend_id")
    ids = [
        stable_id("friendship", user_id, friend_id)
        for user_id, friend_id in zip(pairs["user_id"], pairs["friend_id"], strict=True)
    ]
    return pl.DataFrame(
        {
            "id": ids,
            "user_id": pairs["user_id"],
            "friend_id": pairs["friend_id"],
            "status": ["accepted"] * pairs.height,
            "created_at": pairs["created_at"],
            "updated_at": pairs["created_at"],
        },
        schema=FRIENDS_SCHEMA,
    )
