"""Read the accepted friendships of the warehouse into a networkx graph."""

from __future__ import annotations

import datetime as dt
import logging

import networkx as nx
from psycopg import sql

from chat_analytics.errors import ConfigurationError
from chat_analytics.warehouse.connection import connect
from chat_analytics.warehouse.schema import SCHEMA

__all__ = ["friend_graph", "default_as_of_date"]

logger = logging.getLogger(__name__)

# Profiles and accepted requests created before the end of the as-of date.
PROFILES_QUERY = """
select
    cast(id as text) as user_id,
    username,
    cast(created_at as date) as signup_date
from {profiles}
where {end_at} is null or created_at < {end_at}
order by cast(id as text) collate "C"
"""
# One row per unordered pair, whichever user sent the request, and whether
# one or both of the directions were accepted.
EDGES_QUERY = """
select
    least(cast(user_id as text) collate "C", cast(friend_id as text)) as first_id,
    greatest(cast(user_id as text) collate "C", cast(friend_id as text))
        as second_id
from {friends}
where
    status = 'accepted'
    and user_id <> friend_id
    and ({end_at} is null or created_at < {end_at})
group by 1, 2
order by 1, 2
"""
AS_OF_QUERY = "select cast(max(created_at) as date) from {messages}"


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(
            f"invalid as-of date {value!r}: give a date as YYYY-MM-DD"
        ) from None


def default_as_of_date(dsn: str | None = None) -> dt.date | None:
    """Return the date of the newest message, the default as-of date of the marts.

    Returns None when there are no messages.

    Examples
    --------
    >>> default_as_of_date()  # doctest: +SKIP
    datetime.date(2025, 12, 31)
    """
    query = sql.SQL(AS_OF_QUERY).format(messages=sql.Identifier(SCHEMA, "messages"))
    with connect(dsn) as connection:
        return connection.execute(query).fetchone()[0]


def friend_graph(
    dsn: str | None = None, *, as_of: str | dt.date | None = None
) -> nx.Graph:
    """Build the undirected graph of accepted friendships.

    Every profile is a node, friends or not. An accepted ``chat.friends`` row
    joins its two users; rows in both directions make one edge, and a row from
    a user to themselves makes none.

    Parameters
    ----------
    dsn : str, optional
        Warehouse connection string; by default the configured or embedded one.
    as_of : str or datetime.date, optional
        Leave out profiles and friend requests created after this date (as
        the marts do). By default the date of the newest message; with no
        messages at all, nothing is left out.

    Returns
    -------
    networkx.Graph
        Nodes are user ids (UUID text) with the attributes ``username`` and
        ``signup_date`` (a date). ``G.graph["as_of_date"]`` is the as-of date
        used, or None.

    Examples
    --------
    >>> G = friend_graph(as_of="2025-06-30")  # doctest: +SKIP
    >>> G.number_of_nodes(), G.number_of_edges()  # doctest: +SKIP
    (10000, 48211)
    >>> sorted(G.nodes[next(iter(G))])  # doctest: +SKIP
    ['signup_date', 'username']
    """
    as_of_date = _as_date(as_of)
    with connect(dsn) as connection:
        if as_of_date is None:
            query = sql.SQL(AS_OF_QUERY).format(
                messages=sql.Identifier(SCHEMA, "messages")
            )
            as_of_date = connection.execute(query).fetchone()[0]
        end_at = (
            None
            if as_of_date is None
            else dt.datetime.combine(as_of_date + dt.timedelta(days=1), dt.time())
        )
        end_literal = sql.Literal(end_at)
        profiles = connection.execute(
            sql.SQL(PROFILES_QUERY).format(
                profiles=sql.Identifier(SCHEMA, "profiles"), end_at=end_literal
            )
        ).fetchall()
        edges = connection.execute(
            sql.SQL(EDGES_QUERY).format(
                friends=sql.Identifier(SCHEMA, "friends"), end_at=end_literal
            )
        ).fetchall()
    G = nx.Graph(as_of_date=as_of_date)
    G.add_nodes_from(
        (user_id, {"username": username, "signup_date": signup_date})
        for user_id, username, signup_date in profiles
    )
    # An accepted request between profiles created after the as-of date
    # cannot be older than them, but an edge must never add a node without
    # attributes.
    G.add_edges_from((u, v) for u, v in edges if u in G and v in G)
    logger.info(
        "friend graph as of %s: %d users, %d friendships",
        as_of_date,
        G.number_of_nodes(),
        G.number_of_edges(),
    )
    return G
