"""Analyst helpers: retention matrices, lifecycle counts, active users, response times.

Each helper takes pandas (or polars) DataFrames with the columns its docstring
lists and checks them first. The ``load_*`` functions read those frames from
the chat tables of the warehouse. Activity follows the marts' definition: a
message that is not deleted, not a system message, not from AI and has a
sender counts as its sender's activity on its UTC date.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import polars as pl
import psycopg
from psycopg import sql

from chat_analytics.errors import ConfigurationError, WarehouseError
from chat_analytics.marts.fetch import ColumnType, fetch_arrow, to_pandas
from chat_analytics.warehouse.connection import redact_dsn, resolve_dsn
from chat_analytics.warehouse.schema import SCHEMA

__all__ = [
    "RetentionMatrix",
    "active_users",
    "lifecycle_counts",
    "load_conversation_messages",
    "load_profiles",
    "load_user_activity",
    "response_time_distribution",
    "retention_matrix",
]

logger = logging.getLogger(__name__)

Grain = Literal["day", "week", "month"]
GRAINS = ("day", "week", "month")
DEFINITIONS = ("on", "on_or_after")
LIFECYCLE_STATES = ("new", "returning", "resurrecting", "dormant")


# -- input checks -------------------------------------------------------------


def _as_pandas(frame: pd.DataFrame | pl.DataFrame, argument: str) -> pd.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame.to_pandas()
    if isinstance(frame, pd.DataFrame):
        return frame
    raise ConfigurationError(
        f"invalid {argument}: expected a pandas or polars DataFrame, "
        f"got {type(frame).__name__}"
    )


def _require_columns(
    frame: pd.DataFrame, columns: Sequence[str], argument: str
) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns))
        raise ConfigurationError(
            f"{argument} is missing the column {missing[0]!r} "
            f"(required: {', '.join(columns)}; found: {found})"
        )


def _to_dates(values: pd.Series, column: str) -> pd.Series:
    """Return ``values`` as ``datetime64[s]`` at midnight (dates, datetimes or text)."""
    try:
        converted = pd.to_datetime(values.astype(object), errors="raise")
    except (TypeError, ValueError) as error:
        raise ConfigurationError(
            f"column {column!r} must contain dates: {error}"
        ) from None
    return converted.dt.normalize().astype("datetime64[s]")


def _as_of_timestamp(as_of: str | dt.date | None, fallback: pd.Series) -> pd.Timestamp:
    if as_of is None:
        if fallback.empty or fallback.isna().all():
            raise ConfigurationError(
                "as_of is required when the activity frame has no rows"
            )
        return pd.Timestamp(fallback.max()).normalize()
    try:
        return pd.Timestamp(as_of).normalize()
    except ValueError:
        raise ConfigurationError(
            f"invalid as_of {as_of!r}: give a date as YYYY-MM-DD"
        ) from None


def _check_choice(value: str, choices: tuple[str, ...], argument: str) -> None:
    if value not in choices:
        raise ConfigurationError(
            f"invalid {argument} {value!r}: use one of {', '.join(choices)}"
        )


# -- periods --------------------------------------------------------------------


def _period_index(dates: pd.Series, grain: str) -> pd.Series:
    """Return a running period number: consecutive periods differ by one."""
    if grain == "month":
        return (dates.dt.year * 12 + dates.dt.month - 1).astype("int64")
    days = (dates - pd.Timestamp("1970-01-05")).dt.days  # 1970-01-05 is a Monday
    return (days // 7 if grain == "week" else days).astype("int64")


def _index_to_start(index: int, grain: str) -> pd.Timestamp:
    if grain == "month":
        return pd.Timestamp(year=index // 12, month=index % 12 + 1, day=1)
    monday = pd.Timestamp("1970-01-05")
    return monday + pd.Timedelta(days=index * 7 if grain == "week" else index)


def _period_end(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    """Return the last day of the period that starts on ``start``."""
    if grain == "day":
        return start
    if grain == "week":
        return start + pd.Timedelta(days=6)
    return start + pd.offsets.MonthEnd(0)


# -- loaders --------------------------------------------------------------------


def _end_literal(as_of: str | dt.date | None) -> sql.Composable:
    if as_of is None:
        return sql.Literal(None)
    try:
        date = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)
    except ValueError:
        raise ConfigurationError(
            f"invalid as_of {as_of!r}: give a date as YYYY-MM-DD"
        ) from None
    return sql.Literal(dt.datetime.combine(date + dt.timedelta(days=1), dt.time()))


def _fetch_query(
    dsn: str | None, query: sql.Composable, columns: list[ColumnType]
) -> pd.DataFrame:
    resolved = resolve_dsn(dsn)
    try:
        with psycopg.connect(resolved) as connection:
            text = query.as_string(connection)
    except psycopg.OperationalError as error:
        raise WarehouseError(
            f"cannot connect to the warehouse at {redact_dsn(resolved)}: "
            f"{str(error).strip()}"
        ) from None
    return to_pandas(fetch_arrow(resolved, text, columns), columns)


def load_user_activity(
    dsn: str | None = None, *, as_of: str | dt.date | None = None
) -> pd.DataFrame:
    """Read activity per user and UTC day from ``chat.messages``.

    Parameters
    ----------
    dsn : str, optional
        Warehouse connection string; by default the configured or embedded one.
    as_of : str or datetime.date, optional
        Leave out messages created after this date.

    Returns
    -------
    pandas.DataFrame
        ``user_id`` (string), ``activity_date`` (date) and ``messages``
        (activity messages that day), one row per user and active day.

    Examples
    --------
    >>> activity = load_user_activity(as_of="2025-06-30")  # doctest: +SKIP
    """
    query = sql.SQL(
        "select cast(sender_id as text), cast(created_at as date), count(*)"
        " from {messages}"
        " where deleted_at is null and not is_system_message and not is_ai"
        " and sender_id is not null and ({end} is null or created_at < {end})"
        " group by 1, 2 order by 1, 2"
    ).format(messages=sql.Identifier(SCHEMA, "messages"), end=_end_literal(as_of))
    columns = [
        ColumnType("user_id", "text", "string"),
        ColumnType("activity_date", "date", "date"),
        ColumnType("messages", "bigint", "integer"),
    ]
    return _fetch_query(dsn, query, columns)


def load_profiles(
    dsn: str | None = None, *, as_of: str | dt.date | None = None
) -> pd.DataFrame:
    """Read the profiles (never their e-mail addresses) from ``chat.profiles``.

    Returns
    -------
    pandas.DataFrame
        ``user_id``, ``username`` and ``signup_date`` (the UTC date of
        ``created_at``), profiles created after ``as_of`` left out.

    Examples
    --------
    >>> profiles = load_profiles(as_of="2025-06-30")  # doctest: +SKIP
    """
    query = sql.SQL(
        "select cast(id as text), username, cast(created_at as date) from {profiles}"
        " where {end} is null or created_at < {end} order by 1"
    ).format(profiles=sql.Identifier(SCHEMA, "profiles"), end=_end_literal(as_of))
    columns = [
        ColumnType("user_id", "text", "string"),
        ColumnType("username", "text", "string"),
        ColumnType("signup_date", "date", "date"),
    ]
    return _fetch_query(dsn, query, columns)


def load_conversation_messages(
    dsn: str | None = None, *, as_of: str | dt.date | None = None
) -> pd.DataFrame:
    """Read the messages that conversations are made of: not deleted, not system.

    Returns
    -------
    pandas.DataFrame
        ``chat_id``, ``message_id``, ``speaker_id`` (the sender, or
        ``ai:<ai_character_id>`` for AI messages), ``is_ai`` and
        ``created_at``, in chat and time order.

    Examples
    --------
    >>> messages = load_conversation_messages(as_of="2025-06-30")  # doctest: +SKIP
    """
    query = sql.SQL(
        "select cast(chat_id as text), cast(id as text),"
        " case when is_ai then 'ai:' || coalesce(ai_character_id, '')"
        " else cast(sender_id as text) end,"
        " is_ai, created_at from {messages}"
        " where deleted_at is null and not is_system_message"
        " and ({end} is null or created_at < {end})"
        " order by 1, 5, 2"
    ).format(messages=sql.Identifier(SCHEMA, "messages"), end=_end_literal(as_of))
    columns = [
        ColumnType("chat_id", "text", "string"),
        ColumnType("message_id", "text", "string"),
        ColumnType("speaker_id", "text", "string"),
        ColumnType("is_ai", "boolean", "boolean"),
        ColumnType("created_at", "timestamp", "timestamp"),
    ]
    return _fetch_query(dsn, query, columns)


# -- retention ------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionMatrix:
    """Cohort retention: signup cohorts by periods since signup.

    Attributes
    ----------
    rates : pandas.DataFrame
        Retention rate, index ``cohort`` (first day of the signup period),
        columns ``0 .. K`` (periods since signup). Cells after the as-of
        period are NaN.
    active_users : pandas.DataFrame
        Retained users of each cell (``Int64``; NA after the as-of period).
    cohort_size : pandas.Series
        Profiles that signed up in each cohort.
    is_complete : pandas.DataFrame
        True where the period had ended by the as-of date; False for the
        period that contains it and for cells after it.
    grain : str
        ``day``, ``week`` or ``month``.
    definition : str
        ``on`` or ``on_or_after``.
    as_of : pandas.Timestamp
        The as-of date.
    """

    rates: pd.DataFrame
    active_users: pd.DataFrame
    cohort_size: pd.Series
    is_complete: pd.DataFrame
    grain: str
    definition: str
    as_of: pd.Timestamp

    def to_long(self) -> pd.DataFrame:
        """Return one row per cohort and period, without the cells after the as-of date.

        Columns: ``cohort``, ``periods_since_signup``, ``cohort_size``,
        ``active_users``, ``retention_rate``, ``is_complete_period``.
        """
        rows = []
        for cohort in self.rates.index:
            for period in self.rates.columns:
                if pd.isna(self.active_users.loc[cohort, period]):
                    continue
                rows.append(
                    (
                        cohort,
                        int(period),
                        int(self.cohort_size.loc[cohort]),
                        int(self.active_users.loc[cohort, period]),
                        float(self.rates.loc[cohort, period]),
                        bool(self.is_complete.loc[cohort, period]),
                    )
                )
        return pd.DataFrame(
            rows,
            columns=[
                "cohort",
                "periods_since_signup",
                "cohort_size",
                "active_users",
                "retention_rate",
                "is_complete_period",
            ],
        ).astype({"cohort_size": "Int64", "active_users": "Int64"})


def retention_matrix(
    activity: pd.DataFrame | pl.DataFrame | None = None,
    profiles: pd.DataFrame | pl.DataFrame | None = None,
    *,
    grain: Grain = "month",
    definition: Literal["on", "on_or_after"] = "on",
    as_of: str | dt.date | None = None,
    dsn: str | None = None,
) -> RetentionMatrix:
    """Compute cohort retention: the share of each signup cohort active k periods later.

    Parameters
    ----------
    activity : DataFrame, optional
        Columns ``user_id`` and ``activity_date``; one row per user and
        active day or per message (repeats count once). By default read
        with :func:`load_user_activity`.
    profiles : DataFrame, optional
        Columns ``user_id`` and ``signup_date``. By default read with
        :func:`load_profiles`.
    grain : {"day", "week", "month"}
        Cohort and period length. Weeks are ISO weeks starting on Monday.
    definition : {"on", "on_or_after"}
        ``on``: a user counts in period k when active in that period.
        ``on_or_after`` (unbounded retention): when active in period k or any
        later period up to the as-of date.
    as_of : str or datetime.date, optional
        Last day of data; by default the newest ``activity_date``. Activity
        and profiles after it are left out.
    dsn : str, optional
        Warehouse to read from when a frame is not given.

    Returns
    -------
    RetentionMatrix
        Period 0 is the signup period. The period that contains the as-of
        date is marked incomplete (``is_complete`` False) unless the as-of
        date is its last day.

    Raises
    ------
    ConfigurationError
        When a required column is missing (the message names it) or an
        argument is invalid.

    Notes
    -----
    With ``on_or_after`` every cell can still grow while users return, so
    ``is_complete`` only records whether the period itself has ended. The
    ``cohort_retention`` mart marks the month of the as-of date incomplete
    even when the as-of date is its last day; here that month is complete.

    Examples
    --------
    >>> activity = pd.DataFrame(
    ...     {"user_id": ["a", "a", "b"],
    ...      "activity_date": ["2025-01-03", "2025-02-10", "2025-01-20"]}
    ... )
    >>> profiles = pd.DataFrame(
    ...     {"user_id": ["a", "b"], "signup_date": ["2025-01-01", "2025-01-15"]}
    ... )
    >>> matrix = retention_matrix(activity, profiles, as_of="2025-02-28")
    >>> matrix.rates.loc["2025-01-01"].tolist()
    [1.0, 0.5]
    """
    _check_choice(grain, GRAINS, "grain")
    _check_choice(definition, DEFINITIONS, "definition")
    if activity is None:
        activity = load_user_activity(dsn, as_of=as_of)
    if profiles is None:
        profiles = load_profiles(dsn, as_of=as_of)
    activity = _as_pandas(activity, "activity")
    profiles = _as_pandas(profiles, "profiles")
    _require_columns(activity, ["user_id", "activity_date"], "activity")
    _require_columns(profiles, ["user_id", "signup_date"], "profiles")

    active_dates = _to_dates(activity["activity_date"], "activity_date")
    as_of_day = _as_of_timestamp(as_of, active_dates)
    as_of_index = int(_period_index(pd.Series([as_of_day]), grain).iloc[0])
    as_of_complete = (
        _period_end(_index_to_start(as_of_index, grain), grain) <= as_of_day
    )

    signups = pd.DataFrame(
        {
            "user_id": profiles["user_id"].astype(str),
            "signup": _to_dates(profiles["signup_date"], "signup_date"),
        }
    )
    signups = signups[signups["signup"] <= as_of_day]
    signups["cohort_index"] = _period_index(signups["signup"], grain)

    active = pd.DataFrame(
        {"user_id": activity["user_id"].astype(str), "day": active_dates}
    )
    active = active[active["day"] <= as_of_day]
    active["period_index"] = _period_index(active["day"], grain)
    active = active.drop_duplicates(["user_id", "period_index"])
    active = active.merge(signups, on="user_id", how="inner")
    active["offset"] = active["period_index"] - active["cohort_index"]
    active = active[active["offset"] >= 0]
    if definition == "on_or_after":
        # A user counts at every period up to the last one they were active in.
        last = active.groupby(["user_id", "cohort_index"], as_index=False)[
            "offset"
        ].max()
        repeats = last["offset"].to_numpy() + 1
        active = pd.DataFrame(
            {
                "user_id": np.repeat(last["user_id"].to_numpy(), repeats),
                "cohort_index": np.repeat(last["cohort_index"].to_numpy(), repeats),
                "offset": np.concatenate([np.arange(r) for r in repeats])
                if len(repeats)
                else np.array([], dtype="int64"),
            }
        )

    cohort_indexes = sorted(signups["cohort_index"].unique().tolist())
    max_offset = as_of_index - cohort_indexes[0] if cohort_indexes else -1
    periods = list(range(max_offset + 1))
    cohorts = [_index_to_start(index, grain) for index in cohort_indexes]
    sizes = signups.groupby("cohort_index").size()
    counts = active.groupby(["cohort_index", "offset"]).size()

    index = pd.Index(cohorts, name="cohort")
    columns = pd.Index(periods, name="periods_since_signup")
    counted = (
        counts.unstack(fill_value=0)
        .reindex(index=cohort_indexes, columns=periods, fill_value=0)
        .to_numpy(dtype="float64")
    )
    cohort_column = np.array(cohort_indexes, dtype="int64")[:, None]
    period_row = np.array(periods, dtype="int64")[None, :]
    # A cell exists when its period starts on or before the as-of period.
    exists = cohort_column + period_row <= as_of_index
    elapsed = (cohort_column + period_row < as_of_index) | (exists & as_of_complete)
    size_values = sizes.reindex(cohort_indexes).to_numpy(dtype="float64")[:, None]
    counted = np.where(exists, counted, np.nan)
    active_users = pd.DataFrame(counted, index=index, columns=columns).astype("Int64")
    rates = pd.DataFrame(counted / size_values, index=index, columns=columns)
    complete = pd.DataFrame(elapsed, index=index, columns=columns)
    cohort_size = pd.Series(
        sizes.reindex(cohort_indexes).to_numpy(),
        index=index,
        name="cohort_size",
        dtype="Int64",
    )
    return RetentionMatrix(
        rates=rates,
        active_users=active_users,
        cohort_size=cohort_size,
        is_complete=complete,
        grain=grain,
        definition=definition,
        as_of=as_of_day,
    )


# -- lifecycle ------------------------------------------------------------------


def lifecycle_counts(
    activity: pd.DataFrame | pl.DataFrame | None = None,
    *,
    grain: Grain = "week",
    as_of: str | dt.date | None = None,
    dsn: str | None = None,
) -> pd.DataFrame:
    """Count users by lifecycle state in each period.

    For each user and period: ``new`` (first-ever active period),
    ``returning`` (active in this period and the previous one),
    ``resurrecting`` (active now, not in the previous period, but before),
    ``dormant`` (active in the previous period, not in this one).

    Parameters
    ----------
    activity : DataFrame, optional
        Columns ``user_id`` and ``activity_date``. By default read with
        :func:`load_user_activity`.
    grain : {"day", "week", "month"}
        Period length; weeks start on Monday.
    as_of : str or datetime.date, optional
        Last day of data; by default the newest ``activity_date``.
    dsn : str, optional
        Warehouse to read from when ``activity`` is not given.

    Returns
    -------
    pandas.DataFrame
        ``period_start``, ``lifecycle_state`` and ``user_count`` (``Int64``),
        every state in every period from the first active period to the as-of
        period, with zeros.

    Examples
    --------
    >>> activity = pd.DataFrame(
    ...     {"user_id": ["a", "a", "a"],
    ...      "activity_date": ["2025-01-06", "2025-01-13", "2025-01-27"]}
    ... )
    >>> counts = lifecycle_counts(activity, as_of="2025-01-27")
    >>> counts.pivot(index="period_start", columns="lifecycle_state",
    ...              values="user_count")["resurrecting"].tolist()
    [0, 0, 0, 1]
    """
    _check_choice(grain, GRAINS, "grain")
    if activity is None:
        activity = load_user_activity(dsn, as_of=as_of)
    activity = _as_pandas(activity, "activity")
    _require_columns(activity, ["user_id", "activity_date"], "activity")
    dates = _to_dates(activity["activity_date"], "activity_date")
    as_of_day = _as_of_timestamp(as_of, dates)
    frame = pd.DataFrame({"user_id": activity["user_id"].astype(str), "day": dates})
    frame = frame[frame["day"] <= as_of_day]
    frame["period"] = _period_index(frame["day"], grain)
    frame = frame.drop_duplicates(["user_id", "period"]).sort_values(
        ["user_id", "period"]
    )
    as_of_index = int(_period_index(pd.Series([as_of_day]), grain).iloc[0])
    columns = ["period_start", "lifecycle_state", "user_count"]
    if frame.empty:
        return pd.DataFrame(columns=columns).astype({"user_count": "Int64"})

    previous = frame.groupby("user_id")["period"].shift()
    first = previous.isna()
    states = np.where(
        first,
        "new",
        np.where(frame["period"] - previous == 1, "returning", "resurrecting"),
    )
    events = pd.DataFrame({"period": frame["period"].to_numpy(), "state": states})
    # A user is dormant in the period after each active period that is not
    # followed by activity in the next one.
    following = frame.groupby("user_id")["period"].shift(-1)
    gap = following.isna() | (following - frame["period"] > 1)
    dormant = pd.DataFrame(
        {"period": frame.loc[gap, "period"].to_numpy() + 1, "state": "dormant"}
    )
    events = pd.concat([events, dormant], ignore_index=True)
    first_index = int(frame["period"].min())
    events = events[events["period"] <= as_of_index]
    counts = events.groupby(["period", "state"]).size()
    rows = []
    for index in range(first_index, as_of_index + 1):
        start = _index_to_start(index, grain)
        for state in LIFECYCLE_STATES:
            rows.append((start, state, int(counts.get((index, state), 0))))
    return pd.DataFrame(rows, columns=columns).astype({"user_count": "Int64"})


# -- active users ---------------------------------------------------------------

DEFAULT_WINDOWS = {"dau": 1, "wau": 7, "mau": 28}


def active_users(
    activity: pd.DataFrame | pl.DataFrame | None = None,
    *,
    windows: Mapping[str, int] | None = None,
    as_of: str | dt.date | None = None,
    dsn: str | None = None,
) -> pd.DataFrame:
    """Count distinct active users in trailing windows ending on each day (DAU/WAU/MAU).

    Parameters
    ----------
    activity : DataFrame, optional
        Columns ``user_id`` and ``activity_date``. By default read with
        :func:`load_user_activity`.
    windows : mapping of str to int, optional
        Output column name to window length in days, the day included;
        by default ``{"dau": 1, "wau": 7, "mau": 28}``.
    as_of : str or datetime.date, optional
        Last day of the series; by default the newest ``activity_date``.
    dsn : str, optional
        Warehouse to read from when ``activity`` is not given.

    Returns
    -------
    pandas.DataFrame
        ``activity_date`` (``datetime64[s]``), one ``Int64`` column per
        window, and ``dau_over_mau`` (float, NaN when mau is 0) when the
        windows are the default ones. One row per day from the first active
        day to ``as_of``, zeros included.

    Examples
    --------
    >>> activity = pd.DataFrame(
    ...     {"user_id": ["a", "b", "a"],
    ...      "activity_date": ["2025-01-01", "2025-01-02", "2025-01-08"]}
    ... )
    >>> active_users(activity)["wau"].tolist()
    [1, 2, 2, 2, 2, 2, 2, 2]
    """
    windows = dict(DEFAULT_WINDOWS if windows is None else windows)
    for name, length in windows.items():
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise ConfigurationError(
                f"invalid window {name}={length!r}: give a whole number of days >= 1"
            )
    if activity is None:
        activity = load_user_activity(dsn, as_of=as_of)
    activity = _as_pandas(activity, "activity")
    _require_columns(activity, ["user_id", "activity_date"], "activity")
    dates = _to_dates(activity["activity_date"], "activity_date")
    as_of_day = _as_of_timestamp(as_of, dates)
    frame = pd.DataFrame({"user_id": activity["user_id"].astype(str), "day": dates})
    frame = frame[frame["day"] <= as_of_day].drop_duplicates()
    if frame.empty:
        empty = {"activity_date": pd.Series([], dtype="datetime64[s]")}
        empty.update({name: pd.Series([], dtype="Int64") for name in windows})
        return pd.DataFrame(empty)
    frame = frame.sort_values(["user_id", "day"])
    first_day = frame["day"].min()
    days = pd.date_range(first_day, as_of_day, freq="D").astype("datetime64[s]")
    day_number = (frame["day"] - first_day).dt.days.to_numpy()
    next_day = frame.groupby("user_id")["day"].shift(-1)
    next_number = (next_day - first_day).dt.days.to_numpy(
        dtype="float64", na_value=np.inf
    )
    result = {"activity_date": days}
    for name, length in windows.items():
        # Each active day covers the days up to length - 1 after it, until the
        # user's next active day takes over, so no user is counted twice.
        ends = np.minimum(day_number + length, next_number)
        change = np.zeros(len(days) + 1, dtype="int64")
        np.add.at(change, day_number, 1)
        np.add.at(change, np.minimum(ends, len(days)).astype("int64"), -1)
        result[name] = pd.array(np.cumsum(change)[: len(days)], dtype="Int64")
    output = pd.DataFrame(result)
    if windows == DEFAULT_WINDOWS:
        mau = output["mau"].astype("float64")
        output["dau_over_mau"] = output["dau"].astype("float64") / mau.where(mau > 0)
    return output


# -- response times -------------------------------------------------------------


def response_time_distribution(
    messages: pd.DataFrame | pl.DataFrame | None = None,
    *,
    as_of: str | dt.date | None = None,
    dsn: str | None = None,
) -> pd.DataFrame:
    """List every response of the conversations and its latency.

    A response is the first message of a run of consecutive messages by one
    speaker in a chat. Its latency is its ``created_at`` minus that of the
    message before it in the same chat.

    Parameters
    ----------
    messages : DataFrame, optional
        Columns ``chat_id``, ``speaker_id`` and ``created_at``; optional
        ``message_id`` (breaks ties of ``created_at``) and ``is_ai``
        (otherwise true for speakers starting with ``ai:``). Pass only
        messages that are not deleted and not system messages. By default
        read with :func:`load_conversation_messages`.
    as_of : str or datetime.date, optional
        Leave out messages created after this date.
    dsn : str, optional
        Warehouse to read from when ``messages`` is not given.

    Returns
    -------
    pandas.DataFrame
        ``chat_id``, ``speaker_id``, ``is_ai``, ``created_at`` and
        ``response_seconds`` (float), one row per response, plus
        ``message_id`` when given.

    Examples
    --------
    >>> messages = pd.DataFrame(
    ...     {"chat_id": ["c", "c", "c"], "speaker_id": ["u1", "u1", "ai:bot"],
    ...      "created_at": pd.to_datetime(["2025-01-01 10:00:00", "2025-01-01 10:01:00",
    ...                                    "2025-01-01 10:01:30"])}
    ... )
    >>> response_time_distribution(messages)["response_seconds"].tolist()
    [30.0]
    """
    if messages is None:
        messages = load_conversation_messages(dsn, as_of=as_of)
    messages = _as_pandas(messages, "messages")
    _require_columns(messages, ["chat_id", "speaker_id", "created_at"], "messages")
    frame = messages.copy()
    try:
        frame["created_at"] = pd.to_datetime(frame["created_at"]).astype(
            "datetime64[us]"
        )
    except (TypeError, ValueError) as error:
        raise ConfigurationError(
            f"column 'created_at' must contain timestamps: {error}"
        ) from None
    if as_of is not None:
        end = _as_of_timestamp(as_of, frame["created_at"]) + pd.Timedelta(days=1)
        frame = frame[frame["created_at"] < end]
    if "is_ai" not in frame.columns:
        frame["is_ai"] = frame["speaker_id"].astype(str).str.startswith("ai:")
    order = ["chat_id", "created_at"] + (
        ["message_id"] if "message_id" in frame.columns else []
    )
    frame = frame.sort_values(order, kind="stable")
    previous_speaker = frame.groupby("chat_id")["speaker_id"].shift()
    previous_at = frame.groupby("chat_id")["created_at"].shift()
    is_response = (
        (previous_speaker.notna() & (frame["speaker_id"] != previous_speaker))
        .fillna(False)
        .astype(bool)
    )
    responses = frame.loc[is_response].copy()
    responses["response_seconds"] = (
        responses["created_at"] - previous_at[is_response]
    ).dt.total_seconds()
    keep = ["chat_id"] + (["message_id"] if "message_id" in frame.columns else [])
    keep += ["speaker_id", "is_ai", "created_at", "response_seconds"]
    return responses[keep].reset_index(drop=True)
