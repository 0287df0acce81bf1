"""Known-answer tests of the user activity marts on a hand-built dataset.

The dataset runs from a profile created on 2020-09-15 to a deleted message on
2021-04-02. One build uses the as-of date 2021-02-15, so rows created on
2021-02-16 or later must be left out everywhere. A second build uses the
default as-of date, which is the date of the newest message of any kind
(2021-04-02).
Every mart is compared in full with values computed by pandas from the same
rows, and the tricky cases are also written out by hand.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import psycopg
import pytest
from support import day, days_between, insert_dataset, read_mart, ts, uid

from chat_analytics.transform import run_dbt
from chat_analytics.warehouse import EmbeddedServer, init_schema

pytestmark = pytest.mark.slow

AS_OF = dt.date(2021, 2, 15)
DEFAULT_AS_OF = dt.date(2021, 4, 2)

MARTS = [
    "user_activity_leaderboard",
    "daily_active_users",
    "cohort_retention",
    "user_engagement_segments",
    "user_lifecycle",
    "activity_concentration",
    "user_churn_risk",
    "anonymous_chat_activity",
]


# label, username, created_at. Usernames "Carol" and "Ivan" are capitalised
# so that byte order ("C" < "b") differs from a linguistic collation.
PROFILES = [
    ("mallory", "mallory", "2020-09-15 12:00"),  # never sends anything
    ("alice", "alice", "2020-10-05 09:00"),
    ("bob", "bob", "2020-10-20 09:00"),
    ("carol", "Carol", "2020-11-03 09:00"),
    ("dave", "dave", "2020-11-15 09:00"),
    ("ivan", "Ivan", "2020-11-20 09:00"),
    ("erin", "erin", "2020-12-01 09:00"),  # only a deleted message
    ("judy", "judy", "2020-12-01 10:00"),
    ("frank", "frank", "2020-12-10 09:00"),
    ("grace", "grace", "2020-12-29 09:00"),
    ("kim", "kim", "2021-02-01 09:00"),
    ("heidi", "heidi", "2021-02-20 09:00"),  # after the as-of date
]

# label, creator, created_at, current AI character
CHATS = [
    ("general", "alice", "2020-10-05 09:30", None),
    ("side", "alice", "2020-10-05 10:30", None),
    ("ai_room", "frank", "2020-12-10 09:30", "helper"),
]

# label, sender, chat, created_at, kind. Kinds: "human" (an activity
# message), "deleted", "system" (no sender), "ai" (no sender) and
# "ai_with_sender" (an AI message that still carries a sender_id).
MESSAGES = [
    ("a1", "alice", "general", "2020-10-05 10:00", "human"),
    ("a2", "alice", "side", "2020-10-05 11:00", "human"),
    ("a3", "alice", "general", "2020-10-06 09:00", "human"),
    ("a4", "alice", "general", "2020-11-10 09:00", "human"),
    ("a5", "alice", "general", "2020-12-28 08:00", "human"),
    ("a6", "alice", "general", "2021-01-03 22:00", "human"),
    ("a7", "alice", "general", "2021-01-04 09:00", "human"),
    ("a8", "alice", "general", "2021-01-20 10:00", "human"),
    ("a9", "alice", "side", "2021-01-25 10:00", "human"),
    ("a10", "alice", "general", "2021-02-01 10:00", "human"),
    ("a11", "alice", "general", "2021-02-10 10:00", "human"),
    ("a12", "alice", "general", "2021-02-10 10:01", "human"),
    ("a13", "alice", "general", "2021-02-10 10:02", "human"),
    ("a14", "alice", "general", "2021-02-15 23:59:59", "human"),
    ("a15", "alice", "general", "2021-02-16 00:00:00", "human"),
    ("a16", "alice", "general", "2021-03-01 10:00", "human"),
    ("a17", "alice", "general", "2021-04-02 12:00", "deleted"),
    ("b1", "bob", "general", "2020-10-21 09:00", "human"),
    ("b2", "bob", "general", "2020-11-25 09:00", "human"),
    ("b3", "bob", "side", "2021-01-10 09:00", "human"),
    ("b4", "bob", "side", "2021-02-14 09:00", "human"),
    ("b5", "bob", "general", "2021-02-14 10:00", "human"),
    ("b6", "bob", "general", "2021-02-15 08:00", "deleted"),
    ("c1", "carol", "general", "2020-11-03 10:00", "human"),
    ("c2", "carol", "general", "2020-12-03 10:00", "human"),
    ("c3", "carol", "general", "2021-01-02 10:00", "human"),
    ("c4", "carol", "side", "2021-02-05 10:00", "human"),
    ("c5", "carol", "general", "2021-02-14 11:00", "human"),
    ("d1", "dave", "general", "2020-11-15 10:00", "human"),
    ("d2", "dave", "general", "2020-11-15 10:30", "human"),
    ("d3", "dave", "side", "2020-11-18 10:00", "human"),
    ("d4", "dave", "general", "2020-11-20 10:00", "human"),
    ("d5", "dave", "general", "2020-11-20 11:00", "human"),
    ("i1", "ivan", "general", "2020-12-20 10:00", "human"),
    ("i2", "ivan", "general", "2021-01-16 10:00", "human"),
    ("e1", "erin", "general", "2020-12-05 10:00", "deleted"),
    ("j1", "judy", "general", "2020-12-21 10:00", "human"),
    ("f1", "frank", "ai_room", "2020-12-10 10:00", "human"),
    ("f_ai1", None, "ai_room", "2020-12-10 10:00:05", "ai"),
    ("f2", "frank", "ai_room", "2020-12-30 10:00", "human"),
    ("f_ai2", "frank", "ai_room", "2020-12-30 10:00:05", "ai_with_sender"),
    ("f3", "frank", "ai_room", "2021-01-05 10:00", "human"),
    ("f4", "frank", "ai_room", "2021-01-06 10:00", "human"),
    ("f5", "frank", "ai_room", "2021-01-06 11:00", "human"),
    ("sys1", None, "general", "2021-01-06 12:00", "system"),
    ("f6", "frank", "ai_room", "2021-02-03 10:00", "human"),
    ("f7", "frank", "ai_room", "2021-02-12 10:00", "human"),
    ("g1", "grace", "general", "2021-01-02 12:00", "human"),
    ("g2", "grace", "general", "2021-01-02 13:00", "human"),
    ("g3", "grace", "side", "2021-01-03 12:00", "human"),
    ("g4", "grace", "side", "2021-01-03 13:00", "human"),
    ("g5", "grace", "general", "2021-01-19 10:00", "human"),
    ("k1", "kim", "general", "2021-02-02 10:00", "human"),
    ("h1", "heidi", "general", "2021-02-21 10:00", "human"),
    ("h2", "heidi", "side", "2021-03-01 11:00", "human"),
]

# label, join_code, created_at, expires_at
ANONYMOUS_CHATS = [
    ("unused", "UNUSED", "2021-01-01 09:00", "2021-03-01 00:00"),
    ("expired", "EXPIRED", "2021-01-05 09:00", "2021-01-10 00:00"),
    ("live", "LIVE", "2021-02-10 09:00", None),
    ("boundary", "BOUNDARY", "2021-02-01 09:00", "2021-02-16 00:00"),
    ("null_guests", None, "2021-01-20 09:00", None),
    ("late", "LATE", "2021-02-20 09:00", "2021-02-27 00:00"),
]

# label, chat, guest_id, created_at (join time)
ANONYMOUS_CHAT_USERS = [
    ("join_g1", "unused", "g1", "2021-01-01 09:10"),
    ("join_g2", "expired", "g2", "2021-01-05 09:30"),
    ("join_g3", "expired", "g3", "2021-01-05 09:40"),
    ("join_g4", "expired", "g4", "2021-01-06 09:00"),  # never writes
    ("join_anonymous", "expired", None, "2021-01-06 09:30"),
    ("join_g5", "live", "g5", "2021-02-10 09:10"),
    ("join_g6", "live", "g6", "2021-02-16 00:00"),  # after the as-of date
    ("join_g8", "boundary", "g8", "2021-02-01 09:10"),
    ("join_g9", "null_guests", "g9", "2021-01-20 09:10"),
]

# label, chat, guest_id, created_at
ANONYMOUS_MESSAGES = [
    ("am1", "expired", "g2", "2021-01-05 10:00"),
    ("am2", "expired", "g2", "2021-01-06 10:00"),
    ("am3", "expired", None, "2021-01-07 10:00"),
    ("am4", "expired", "g3", "2021-01-09 23:00"),
    ("am5", "expired", "g2", "2021-01-10 00:00"),  # exactly at expiry
    ("am6", "expired", "g3", "2021-01-11 10:00"),
    ("am7", "live", "g5", "2021-02-11 10:00"),
    ("am8", "live", "g7", "2021-02-12 10:00"),  # g7 never joined
    ("am9", "live", "g5", "2021-02-16 09:00"),  # after the as-of date
    ("am10", "boundary", "g8", "2021-02-02 10:00"),
    ("am11", "null_guests", None, "2021-01-21 10:00"),
]


def dataset() -> dict[str, list[dict[str, object]]]:
    """Return the rows of the chat tables as insert_dataset expects them."""
    profiles = [
        {
            "id": uid(label),
            "username": username,
            "display_name": username.title(),
            "avatar_url": f"https://example.test/{label}.png",
            "email": f"{label}@example.test",
            "created_at": ts(created_at),
            "updated_at": ts(created_at),
        }
        for label, username, created_at in PROFILES
    ]
    chats = [
        {
            "id": uid(label),
            "title": label,
            "created_by": uid(creator),
            "created_at": ts(created_at),
            "updated_at": ts(created_at),
            "current_ai_character_id": character,
        }
        for label, creator, created_at, character in CHATS
    ]
    messages = []
    for label, sender, chat, created_at, kind in MESSAGES:
        created = ts(created_at)
        messages.append(
            {
                "id": uid(label),
                "chat_id": uid(chat),
                "sender_id": uid(sender) if sender else None,
                "content": f"text of {label}",
                "is_ai": kind in ("ai", "ai_with_sender"),
                "ai_character_id": "helper" if kind.startswith("ai") else None,
                "created_at": created,
                "updated_at": created,
                "deleted_at": (
                    created + dt.timedelta(minutes=5) if kind == "deleted" else None
                ),
                "is_system_message": kind == "system",
            }
        )
    anonymous_chats = [
        {
            "id": uid(label),
            "join_code": code,
            "created_at": ts(created_at),
            "expires_at": ts(expires_at) if expires_at else None,
        }
        for label, code, created_at, expires_at in ANONYMOUS_CHATS
    ]
    anonymous_chat_users = [
        {
            "id": uid(label),
            "chat_id": uid(chat),
            "guest_id": guest,
            "created_at": ts(created_at),
        }
        for label, chat, guest, created_at in ANONYMOUS_CHAT_USERS
    ]
    anonymous_messages = [
        {
            "id": uid(label),
            "chat_id": uid(chat),
            "guest_id": guest,
            "content": f"text of {label}",
            "created_at": ts(created_at),
        }
        for label, chat, guest, created_at in ANONYMOUS_MESSAGES
    ]
    return {
        "profiles": profiles,
        "chats": chats,
        "messages": messages,
        "anonymous_chats": anonymous_chats,
        "anonymous_chat_users": anonymous_chat_users,
        "anonymous_messages": anonymous_messages,
    }


def build_marts(dsn: str, as_of: dt.date | None) -> None:
    insert_dataset(dsn, dataset())
    # Cautious indirect selection runs only the tests whose every parent is
    # built here. dbt's default (eager) would also run relationship tests
    # that reach into models of other categories, which are not built.
    run_dbt(
        "build",
        dsn=dsn,
        as_of=as_of,
        select=[f"+{name}" for name in MARTS],
        extra_args=["--indirect-selection", "cautious"],
    )


@pytest.fixture(scope="module")
def as_of_dsn(module_dsn: str) -> str:
    """Return a database with the marts built as of 2021-02-15."""
    build_marts(module_dsn, AS_OF)
    return module_dsn


@pytest.fixture(scope="module")
def default_dsn(pg_server: EmbeddedServer) -> str:
    """Return a database with the marts built with the default as-of date."""
    dsn = pg_server.create_database("t_user_activity_default_as_of", replace=True)
    with psycopg.connect(dsn) as connection:
        init_schema(connection)
    build_marts(dsn, None)
    return dsn


# ---------------------------------------------------------------------------
# Reference computations in pandas, from the same rows as the warehouse.
# ---------------------------------------------------------------------------


def end_of(as_of: dt.date) -> dt.datetime:
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())


def profiles_frame(as_of: dt.date) -> pd.DataFrame:
    """Profiles created by the end of ``as_of``."""
    frame = pd.DataFrame(
        [
            {
                "user_id": uid(label),
                "username": username,
                "created_at": ts(created_at),
            }
            for label, username, created_at in PROFILES
        ]
    )
    frame = frame[frame["created_at"] < end_of(as_of)].copy()
    frame["signup_date"] = [value.date() for value in frame["created_at"]]
    return frame


def activity_frame(as_of: dt.date) -> pd.DataFrame:
    """Activity messages created by the end of ``as_of``."""
    rows = [
        {
            "user_id": uid(sender),
            "chat_id": uid(chat),
            "created_at": ts(created_at),
        }
        for _, sender, chat, created_at, kind in MESSAGES
        if kind == "human" and ts(created_at) < end_of(as_of)
    ]
    frame = pd.DataFrame(rows)
    frame["activity_date"] = [value.date() for value in frame["created_at"]]
    return frame


def month_of(value: dt.date) -> dt.date:
    return value.replace(day=1)


def monday_of(value: dt.date) -> dt.date:
    return value - dt.timedelta(days=value.isoweekday() - 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    current = month_of(first)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def expected_leaderboard(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    profiles = profiles_frame(DEFAULT_AS_OF).set_index("user_id")
    per_user = activity.groupby("user_id").agg(
        messages_sent=("chat_id", "size"),
        active_days=("activity_date", "nunique"),
        chats_active_in=("chat_id", "nunique"),
        first_message_at=("created_at", "min"),
        last_message_at=("created_at", "max"),
    )
    per_user["username"] = profiles.loc[per_user.index, "username"]
    per_user["signup_month"] = [
        month_of(value) for value in profiles.loc[per_user.index, "signup_date"]
    ]
    cohort_totals = per_user.groupby("signup_month")["messages_sent"].sum()
    records = []
    for user_id, row in per_user.iterrows():
        records.append(
            {
                "user_id": user_id,
                "username": row["username"],
                "signup_month": row["signup_month"],
                "messages_sent": int(row["messages_sent"]),
                "active_days": int(row["active_days"]),
                "chats_active_in": int(row["chats_active_in"]),
                "first_message_at": row["first_message_at"].to_pydatetime(),
                "last_message_at": row["last_message_at"].to_pydatetime(),
                "messages_per_active_day": row["messages_sent"] / row["active_days"],
                "cohort_message_share": row["messages_sent"]
                / cohort_totals[row["signup_month"]],
            }
        )

    def rank_key(record: dict[str, object]) -> tuple:
        # Byte order of the username, as collate "C" compares text.
        return (
            -record["messages_sent"],
            record["username"].encode(),
            record["user_id"].encode(),
        )

    records.sort(key=rank_key)
    cohort_positions: dict[dt.date, int] = {}
    for position, record in enumerate(records, start=1):
        record["rank_overall"] = position
        cohort = record["signup_month"]
        cohort_positions[cohort] = cohort_positions.get(cohort, 0) + 1
        record["rank_in_cohort"] = cohort_positions[cohort]
    return records


def series_start(as_of: dt.date) -> dt.date:
    return min(
        activity_frame(as_of)["activity_date"].min(),
        profiles_frame(as_of)["signup_date"].min(),
    )


def expected_daily_active_users(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    profiles = profiles_frame(as_of)
    user_dates = activity[["user_id", "activity_date"]].drop_duplicates()

    def users_in_window(last: dt.date, days: int) -> pd.Series:
        first = last - dt.timedelta(days=days - 1)
        inside = user_dates["activity_date"].between(first, last)
        return user_dates.loc[inside]

    records = []
    for current in days_between(series_start(as_of), as_of):
        dau = users_in_window(current, 1)["user_id"].nunique()
        mau_28d = users_in_window(current, 28)["user_id"].nunique()
        window_60 = users_in_window(current, 60)
        spans = window_60.groupby("user_id")["activity_date"].agg(
            lambda dates: (max(dates) - min(dates)).days
        )
        records.append(
            {
                "activity_date": current,
                "dau": dau,
                "wau": users_in_window(current, 7)["user_id"].nunique(),
                "mau_28d": mau_28d,
                "mau_30d": users_in_window(current, 30)["user_id"].nunique(),
                "dau_over_mau_28d": ratio(dau, mau_28d),
                "new_users": int((profiles["signup_date"] == current).sum()),
                "r30v2_users": int((spans > 30).sum()),
            }
        )
    return records


def expected_cohort_retention(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    profiles = profiles_frame(as_of)
    profiles["cohort_month"] = [month_of(value) for value in profiles["signup_date"]]
    activity["month"] = [month_of(value) for value in activity["activity_date"]]
    active_by_month = activity.groupby("month")["user_id"].agg(set)
    records = []
    months = months_between(profiles["cohort_month"].min(), as_of)
    for cohort_index, cohort in enumerate(months):
        members = set(profiles.loc[profiles["cohort_month"] == cohort, "user_id"])
        for offset, month in enumerate(months[cohort_index:]):
            active = members & active_by_month.get(month, set())
            records.append(
                {
                    "cohort_month": cohort,
                    "cohort_size": len(members),
                    "months_since_signup": offset,
                    "active_users": len(active),
                    "retention_rate": ratio(len(active), len(members)),
                    "is_complete_period": month < month_of(as_of),
                }
            )
    return records


def window_counts(as_of: dt.date, first_offset: int, last_offset: int) -> pd.Series:
    """Activity messages per user from as_of - first_offset to as_of - last_offset."""
    activity = activity_frame(as_of)
    first = as_of - dt.timedelta(days=first_offset)
    last = as_of - dt.timedelta(days=last_offset)
    inside = activity[activity["activity_date"].between(first, last)]
    return inside.groupby("user_id").size()


def expected_engagement_segments(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    profiles = profiles_frame(as_of)
    recent = activity[activity["activity_date"] >= as_of - dt.timedelta(days=27)]
    messages_28d = recent.groupby("user_id").size()
    chats_28d = recent.groupby("user_id")["chat_id"].nunique()
    last_active = activity.groupby("user_id")["activity_date"].max()

    # numpy's default "linear" method is percentile_cont. Without recent
    # users no threshold is needed, because every profile is never_active or
    # dormant.
    recent_counts = messages_28d.to_numpy()
    if len(recent_counts):
        power_threshold = np.quantile(recent_counts, 0.9)
        regular_threshold = np.quantile(recent_counts, 0.5)

    records = []
    for user_id in profiles["user_id"]:
        messages = int(messages_28d.get(user_id, 0))
        if user_id not in last_active:
            segment = "never_active"
        elif messages == 0:
            segment = "dormant"
        elif messages >= power_threshold:
            segment = "power"
        elif messages >= regular_threshold:
            segment = "regular"
        else:
            segment = "casual"
        records.append(
            {
                "user_id": user_id,
                "recency_days": (
                    (as_of - last_active[user_id]).days
                    if user_id in last_active
                    else None
                ),
                "messages_28d": messages,
                "chats_28d": int(chats_28d.get(user_id, 0)),
                "segment": segment,
            }
        )
    return records


LIFECYCLE_STATES = ["new", "returning", "resurrecting", "dormant"]


def expected_lifecycle(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    activity["week_start"] = [monday_of(value) for value in activity["activity_date"]]
    active_by_week = activity.groupby("week_start")["user_id"].agg(set)
    records = []
    week = monday_of(activity["activity_date"].min())
    seen_before: set[str] = set()
    previous: set[str] = set()
    while week <= as_of:
        current = active_by_week.get(week, set())
        counts = {
            "new": len(current - seen_before),
            "returning": len(current & previous),
            "resurrecting": len((current - previous) & seen_before),
            "dormant": len(previous - current),
        }
        for state in LIFECYCLE_STATES:
            records.append(
                {
                    "week_start": week,
                    "lifecycle_state": state,
                    "user_count": counts[state],
                }
            )
        seen_before |= current
        previous = current
        week += dt.timedelta(days=7)
    return records


def gini_by_mean_difference(values: list[int]) -> float:
    """Gini coefficient as the mean absolute difference over twice the mean."""
    array = np.array(values, dtype=float)
    differences = np.abs(array[:, None] - array[None, :]).sum()
    return differences / (2 * len(array) ** 2 * array.mean())


def expected_concentration(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    activity["month"] = [month_of(value) for value in activity["activity_date"]]
    per_user_month = activity.groupby(["month", "user_id"]).size()
    records = []
    for month in months_between(activity["activity_date"].min(), as_of):
        if month not in per_user_month.index.get_level_values("month"):
            records.append(
                {
                    "month": month,
                    "active_users": 0,
                    "messages": 0,
                    "top_1pct_share": None,
                    "top_10pct_share": None,
                    "gini": None,
                }
            )
            continue
        counts = per_user_month.loc[month].sort_values(ascending=False)
        n = len(counts)
        total = int(counts.sum())
        ascending = np.sort(counts.to_numpy())
        ranks = np.arange(1, n + 1)
        gini = 2 * (ranks * ascending).sum() / (n * total) - (n + 1) / n
        records.append(
            {
                "month": month,
                "active_users": n,
                "messages": total,
                "top_1pct_share": counts.iloc[: math.ceil(0.01 * n)].sum() / total,
                "top_10pct_share": counts.iloc[: math.ceil(0.10 * n)].sum() / total,
                "gini": gini,
            }
        )
    return records


def expected_churn_risk(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    last_active = activity.groupby("user_id")["created_at"].max()
    recent = window_counts(as_of, 27, 0)
    previous = window_counts(as_of, 55, 28)
    records = []
    for user_id, last_at in last_active.items():
        days_since = (as_of - last_at.date()).days
        messages_28d = int(recent.get(user_id, 0))
        messages_prev_28d = int(previous.get(user_id, 0))
        if days_since > 56:
            risk = "churned"
        elif days_since > 28 or messages_28d < 0.5 * messages_prev_28d:
            risk = "high"
        elif messages_28d < messages_prev_28d:
            risk = "medium"
        else:
            risk = "low"
        records.append(
            {
                "user_id": user_id,
                "last_active_at": last_at.to_pydatetime(),
                "days_since_last_active": days_since,
                "messages_28d": messages_28d,
                "messages_prev_28d": messages_prev_28d,
                "activity_change": ratio(
                    messages_28d - messages_prev_28d, messages_prev_28d
                ),
                "churn_risk": risk,
            }
        )
    return records


def expected_anonymous_chats(as_of: dt.date) -> list[dict[str, object]]:
    end = end_of(as_of)
    joins = pd.DataFrame(ANONYMOUS_CHAT_USERS, columns=["label", "chat", "guest", "at"])
    joins = joins[joins["at"].map(ts) < end]
    messages = pd.DataFrame(
        ANONYMOUS_MESSAGES, columns=["label", "chat", "guest", "at"]
    )
    messages["at"] = messages["at"].map(ts)
    messages = messages[messages["at"] < end]
    records = []
    for label, code, created_at, expires_at in ANONYMOUS_CHATS:
        if ts(created_at) >= end:
            continue
        expires = ts(expires_at) if expires_at else None
        chat_joins = joins[joins["chat"] == label]
        chat_messages = messages[messages["chat"] == label]
        with_guest = chat_messages[chat_messages["guest"].notna()]
        active_guests = with_guest["guest"].nunique()
        if chat_messages.empty:
            status = "never_used"
        elif expires is not None and expires < end:
            status = "expired"
        else:
            status = "active"
        records.append(
            {
                "anonymous_chat_id": uid(label),
                "join_code": code,
                "created_at": ts(created_at),
                "expires_at": expires,
                "guest_count": chat_joins["guest"].dropna().nunique(),
                "active_guest_count": active_guests,
                "message_count": len(chat_messages),
                "first_message_at": (
                    chat_messages["at"].min().to_pydatetime()
                    if not chat_messages.empty
                    else None
                ),
                "last_message_at": (
                    chat_messages["at"].max().to_pydatetime()
                    if not chat_messages.empty
                    else None
                ),
                "messages_per_active_guest": ratio(len(with_guest), active_guests),
                "messages_after_expiry": (
                    int((chat_messages["at"] >= expires).sum()) if expires else 0
                ),
                "status": status,
            }
        )
    return records


# ---------------------------------------------------------------------------
# Comparison helpers
# ---------------------------------------------------------------------------


def approximate(record: dict[str, object]) -> dict[str, object]:
    """Wrap float values in pytest.approx so a dict comparison tolerates rounding."""
    return {
        key: pytest.approx(value) if isinstance(value, float) else value
        for key, value in record.items()
    }


def assert_mart_equals(
    mart: pd.DataFrame, expected: list[dict[str, object]], key: list[str]
) -> None:
    """Assert that ``mart`` has exactly the ``expected`` rows, columns in order."""
    assert list(mart.columns) == list(expected[0])
    actual = sorted(mart.to_dict("records"), key=lambda row: [row[k] for k in key])
    expected_rows = sorted(expected, key=lambda row: [row[k] for k in key])
    assert len(actual) == len(expected_rows)
    for actual_row, expected_row in zip(actual, expected_rows, strict=True):
        assert actual_row == approximate(expected_row)


def by_label(mart: pd.DataFrame, column: str = "user_id") -> dict[str, dict]:
    """Index mart rows by the dataset label of their id column."""
    labels = {uid(label): label for label, *_ in PROFILES + ANONYMOUS_CHATS}
    return {labels[row[column]]: row for row in mart.to_dict("records")}


# ---------------------------------------------------------------------------
# user_activity_leaderboard
# ---------------------------------------------------------------------------


def test_leaderboard_matches_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "user_activity_leaderboard")
    assert_mart_equals(mart, expected_leaderboard(AS_OF), ["user_id"])


def test_leaderboard_matches_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "user_activity_leaderboard")
    assert_mart_equals(mart, expected_leaderboard(DEFAULT_AS_OF), ["user_id"])


def test_leaderboard_ranks_ties_by_byte_order(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "user_activity_leaderboard", ["rank_overall"])
    # bob, Carol, dave and grace all sent 5 messages, and byte order puts
    # "Carol" first. judy and kim tie at 1.
    assert list(mart["username"]) == [
        "alice", "frank", "Carol", "bob", "dave", "grace", "Ivan", "judy", "kim",
    ]  # fmt: skip
    assert list(mart["messages_sent"]) == [14, 7, 5, 5, 5, 5, 2, 1, 1]
    rows = by_label(mart)
    assert rows["carol"]["rank_in_cohort"] == 1
    assert rows["dave"]["rank_in_cohort"] == 2
    assert rows["ivan"]["rank_in_cohort"] == 3


def test_leaderboard_counts_only_activity(as_of_dsn: str) -> None:
    rows = by_label(read_mart(as_of_dsn, "user_activity_leaderboard"))
    # erin sent only a deleted message and mallory nothing. heidi signed up
    # after the as-of date.
    assert set(rows) == {
        "alice", "bob", "carol", "dave", "ivan", "judy", "frank", "grace", "kim",
    }  # fmt: skip
    # frank's AI message with his sender_id and the deleted b6 do not count.
    assert rows["frank"]["messages_sent"] == 7
    assert rows["bob"]["messages_sent"] == 5
    # a15 at 2021-02-16 00:00:00 is after the as-of date.
    assert rows["alice"]["last_message_at"] == ts("2021-02-15 23:59:59")
    assert rows["alice"]["active_days"] == 11
    assert rows["alice"]["chats_active_in"] == 2
    assert rows["alice"]["messages_per_active_day"] == pytest.approx(14 / 11)
    assert rows["alice"]["cohort_message_share"] == pytest.approx(14 / 19)
    assert rows["alice"]["signup_month"] == day("2020-10-01")


# ---------------------------------------------------------------------------
# daily_active_users
# ---------------------------------------------------------------------------


def test_daily_active_users_matches_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "daily_active_users")
    assert_mart_equals(mart, expected_daily_active_users(AS_OF), ["activity_date"])


def test_daily_active_users_matches_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "daily_active_users")
    expected = expected_daily_active_users(DEFAULT_AS_OF)
    assert_mart_equals(mart, expected, ["activity_date"])


def test_daily_active_users_series_bounds(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "daily_active_users", ["activity_date"])
    # The first day is mallory's signup, before any activity.
    assert mart["activity_date"].iloc[0] == day("2020-09-15")
    assert mart["activity_date"].iloc[-1] == AS_OF
    assert len(mart) == (AS_OF - day("2020-09-15")).days + 1
    first = mart.iloc[0].to_dict()
    assert first["dau"] == 0
    assert first["mau_28d"] == 0
    assert first["dau_over_mau_28d"] is None
    assert first["new_users"] == 1


def test_daily_active_users_known_days(as_of_dsn: str) -> None:
    rows = {
        row["activity_date"]: row
        for row in read_mart(as_of_dsn, "daily_active_users").to_dict("records")
    }
    # carol and grace are active on Saturday 2021-01-02. The week to Sunday
    # 2021-01-03 also has alice (12-28, 01-03) and frank (12-30).
    assert rows[day("2021-01-02")]["dau"] == 2
    assert rows[day("2021-01-03")]["wau"] == 4
    # r30v2 on 2020-12-03 counts alice (10-05 to 11-10) and bob (10-21 to
    # 11-25). carol's 11-03 and 12-03 are exactly 30 days apart and do not
    # count.
    assert rows[day("2020-12-03")]["r30v2_users"] == 2
    assert rows[day("2020-12-04")]["r30v2_users"] == 2
    # On 12-05 alice's 10-06 has left the 60-day window.
    assert rows[day("2020-12-05")]["r30v2_users"] == 1
    # On the as-of date: alice, bob, carol and frank.
    assert rows[AS_OF]["r30v2_users"] == 4
    # heidi signs up on 2021-02-20, after the as-of date.
    assert sum(row["new_users"] for row in rows.values()) == 11


# ---------------------------------------------------------------------------
# cohort_retention
# ---------------------------------------------------------------------------


def test_cohort_retention_matches_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "cohort_retention")
    expected = expected_cohort_retention(AS_OF)
    assert_mart_equals(mart, expected, ["cohort_month", "months_since_signup"])


def test_cohort_retention_matches_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "cohort_retention")
    expected = expected_cohort_retention(DEFAULT_AS_OF)
    assert_mart_equals(mart, expected, ["cohort_month", "months_since_signup"])


def test_cohort_retention_known_cells(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "cohort_retention")
    cells = {
        (row["cohort_month"], row["months_since_signup"]): row
        for row in mart.to_dict("records")
    }
    # Six cohorts from 2020-09 to 2021-02, each to the as-of month.
    assert len(cells) == 6 + 5 + 4 + 3 + 2 + 1
    october = [cells[(day("2020-10-01"), offset)] for offset in range(5)]
    assert [row["active_users"] for row in october] == [2, 2, 1, 2, 2]
    assert [row["retention_rate"] for row in october] == [1.0, 1.0, 0.5, 1.0, 1.0]
    assert [row["is_complete_period"] for row in october] == [True] * 4 + [False]
    # mallory's cohort is never active, which is a rate of zero, not NULL.
    assert cells[(day("2020-09-01"), 0)]["retention_rate"] == 0.0
    # No profile was created in January 2021, so size 0 and NULL rates.
    january = cells[(day("2021-01-01"), 1)]
    assert january["cohort_size"] == 0
    assert january["active_users"] == 0
    assert january["retention_rate"] is None


# ---------------------------------------------------------------------------
# user_engagement_segments
# ---------------------------------------------------------------------------


def test_engagement_segments_matches_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "user_engagement_segments")
    assert_mart_equals(mart, expected_engagement_segments(AS_OF), ["user_id"])


def test_engagement_segments_matches_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "user_engagement_segments")
    expected = expected_engagement_segments(DEFAULT_AS_OF)
    assert_mart_equals(mart, expected, ["user_id"])


def test_engagement_segments_known_segments(as_of_dsn: str) -> None:
    rows = by_label(read_mart(as_of_dsn, "user_engagement_segments"))
    # messages_28d of the recent users: alice 7, bob 2, carol 2, frank 2,
    # grace 1, kim 1. percentile_cont: 90th = 2 + 0.5 * (7 - 2) = 4.5,
    # median = 2, so 2 is "regular" (at or above the median).
    segments = {label: row["segment"] for label, row in rows.items()}
    assert segments == {
        "mallory": "never_active",
        "erin": "never_active",
        "alice": "power",
        "bob": "regular",
        "carol": "regular",
        "frank": "regular",
        "grace": "casual",
        "kim": "casual",
        "dave": "dormant",
        "ivan": "dormant",
        "judy": "dormant",
    }
    assert rows["erin"]["recency_days"] is None
    assert rows["dave"]["recency_days"] == 87
    assert rows["alice"]["recency_days"] == 0
    assert rows["alice"]["chats_28d"] == 2


# ---------------------------------------------------------------------------
# user_lifecycle
# ---------------------------------------------------------------------------


def test_lifecycle_matches_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "user_lifecycle")
    expected = expected_lifecycle(AS_OF)
    assert_mart_equals(mart, expected, ["week_start", "lifecycle_state"])


def test_lifecycle_matches_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "user_lifecycle")
    expected = expected_lifecycle(DEFAULT_AS_OF)
    assert_mart_equals(mart, expected, ["week_start", "lifecycle_state"])


def test_lifecycle_across_year_boundary(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "user_lifecycle")
    counts = {
        (row["week_start"], row["lifecycle_state"]): row["user_count"]
        for row in mart.to_dict("records")
    }
    # In the ISO week from Monday 2020-12-28 to Sunday 2021-01-03, grace is
    # new, alice, carol and frank come back after a gap, and judy (12-21)
    # goes dormant.
    boundary = day("2020-12-28")
    assert counts[(boundary, "new")] == 1
    assert counts[(boundary, "returning")] == 0
    assert counts[(boundary, "resurrecting")] == 3
    assert counts[(boundary, "dormant")] == 1
    # Next week: alice and frank return, bob (Sunday 01-10) resurrects,
    # carol and grace go dormant.
    following = day("2021-01-04")
    assert counts[(following, "new")] == 0
    assert counts[(following, "returning")] == 2
    assert counts[(following, "resurrecting")] == 1
    assert counts[(following, "dormant")] == 2
    # A week without any activity still has its four rows.
    quiet = day("2020-10-12")
    assert [counts[(quiet, state)] for state in LIFECYCLE_STATES] == [0, 0, 0, 1]
    assert min(week for week, _ in counts) == day("2020-10-05")
    assert max(week for week, _ in counts) == day("2021-02-15")


# ---------------------------------------------------------------------------
# activity_concentration
# ---------------------------------------------------------------------------


def test_concentration_matches_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "activity_concentration")
    assert_mart_equals(mart, expected_concentration(AS_OF), ["month"])


def test_concentration_matches_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "activity_concentration")
    assert_mart_equals(mart, expected_concentration(DEFAULT_AS_OF), ["month"])


def test_concentration_gini_equals_mean_difference(default_dsn: str) -> None:
    activity = activity_frame(DEFAULT_AS_OF)
    activity["month"] = [month_of(value) for value in activity["activity_date"]]
    mart = read_mart(default_dsn, "activity_concentration")
    for row in mart.to_dict("records"):
        counts = activity[activity["month"] == row["month"]].groupby("user_id").size()
        if counts.empty:
            assert row["gini"] is None
        else:
            assert row["gini"] == pytest.approx(gini_by_mean_difference(list(counts)))


def test_concentration_known_month(as_of_dsn: str) -> None:
    rows = {
        row["month"]: row
        for row in read_mart(as_of_dsn, "activity_concentration").to_dict("records")
    }
    # February to the 15th: alice 5, bob 2, carol 2, frank 2, kim 1.
    february = rows[day("2021-02-01")]
    assert february["active_users"] == 5
    assert february["messages"] == 12
    assert february["top_1pct_share"] == pytest.approx(5 / 12)
    assert february["top_10pct_share"] == pytest.approx(5 / 12)
    # 2 * (1*1 + 2*2 + 3*2 + 4*2 + 5*5) / (5 * 12) - 6 / 5 = 4 / 15
    assert february["gini"] == pytest.approx(4 / 15)


def test_concentration_month_without_activity(default_dsn: str) -> None:
    rows = {
        row["month"]: row
        for row in read_mart(default_dsn, "activity_concentration").to_dict("records")
    }
    # The default as-of date falls in April, which has only a deleted message.
    april = rows[day("2021-04-01")]
    assert april["active_users"] == 0
    assert april["messages"] == 0
    assert april["top_1pct_share"] is None
    assert april["gini"] is None


# ---------------------------------------------------------------------------
# user_churn_risk
# ---------------------------------------------------------------------------


def test_churn_risk_matches_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "user_churn_risk")
    assert_mart_equals(mart, expected_churn_risk(AS_OF), ["user_id"])


def test_churn_risk_matches_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "user_churn_risk")
    assert_mart_equals(mart, expected_churn_risk(DEFAULT_AS_OF), ["user_id"])


@pytest.mark.parametrize(
    ("label", "risk", "days_since", "recent", "previous"),
    [
        ("dave", "churned", 87, 0, 0),
        # 56 days is not more than 56, but it is more than 28.
        ("judy", "high", 56, 0, 0),
        ("ivan", "high", 30, 0, 1),
        # 1 message against 4 is below half.
        ("grace", "high", 27, 1, 4),
        # 2 against 4 is exactly half, so only "medium".
        ("frank", "medium", 3, 2, 4),
        ("alice", "low", 0, 7, 3),
        ("kim", "low", 13, 1, 0),
    ],
)
def test_churn_risk_rule_order(
    as_of_dsn: str, label: str, risk: str, days_since: int, recent: int, previous: int
) -> None:
    row = by_label(read_mart(as_of_dsn, "user_churn_risk"))[label]
    assert row["churn_risk"] == risk
    assert row["days_since_last_active"] == days_since
    assert row["messages_28d"] == recent
    assert row["messages_prev_28d"] == previous


def test_churn_risk_activity_change(as_of_dsn: str) -> None:
    rows = by_label(read_mart(as_of_dsn, "user_churn_risk"))
    assert rows["frank"]["activity_change"] == pytest.approx(-0.5)
    assert rows["alice"]["activity_change"] == pytest.approx(4 / 3)
    assert rows["kim"]["activity_change"] is None


# ---------------------------------------------------------------------------
# anonymous_chat_activity
# ---------------------------------------------------------------------------

ANONYMOUS_COLUMNS = [
    "anonymous_chat_id", "join_code", "created_at", "expires_at", "guest_count",
    "active_guest_count", "message_count", "first_message_at", "last_message_at",
    "messages_per_active_guest", "messages_after_expiry", "status",
]  # fmt: skip


def test_anonymous_chats_match_pandas(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "anonymous_chat_activity")
    assert_mart_equals(mart, expected_anonymous_chats(AS_OF), ["anonymous_chat_id"])


def test_anonymous_chats_match_pandas_default_as_of(default_dsn: str) -> None:
    mart = read_mart(default_dsn, "anonymous_chat_activity")
    expected = expected_anonymous_chats(DEFAULT_AS_OF)
    assert_mart_equals(mart, expected, ["anonymous_chat_id"])


def test_anonymous_chats_known_rows(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "anonymous_chat_activity")
    assert list(mart.columns) == ANONYMOUS_COLUMNS
    rows = by_label(mart, "anonymous_chat_id")
    # The chat created on 2021-02-20 is after the as-of date.
    assert set(rows) == {"unused", "expired", "live", "boundary", "null_guests"}
    values = {
        label: [row[column] for column in ANONYMOUS_COLUMNS[4:]]
        for label, row in rows.items()
    }
    # guests, active guests, messages, first, last, per active guest,
    # after expiry, status
    assert values["unused"] == [1, 0, 0, None, None, None, 0, "never_used"]
    # g4 joins but never writes, and a join and a message have no guest_id.
    # The message at exactly expires_at and the one after it count as after
    # expiry. 5 messages carry a guest_id for 2 active guests.
    assert values["expired"] == [
        3, 2, 6, ts("2021-01-05 10:00"), ts("2021-01-11 10:00"), 2.5, 2, "expired",
    ]  # fmt: skip
    # g7 writes without a join row. g6's join and g5's second message come
    # after the as-of date.
    assert values["live"] == [
        1, 2, 2, ts("2021-02-11 10:00"), ts("2021-02-12 10:00"), 1.0, 0, "active",
    ]  # fmt: skip
    # Expiring at 2021-02-16 00:00, the end of the as-of date, is not before
    # it.
    assert values["boundary"] == [
        1, 1, 1, ts("2021-02-02 10:00"), ts("2021-02-02 10:00"), 1.0, 0, "active",
    ]  # fmt: skip
    assert values["null_guests"] == [
        1, 0, 1, ts("2021-01-21 10:00"), ts("2021-01-21 10:00"), None, 0, "active",
    ]  # fmt: skip
    assert rows["null_guests"]["join_code"] is None


def test_anonymous_chats_default_as_of_statuses(default_dsn: str) -> None:
    rows = by_label(
        read_mart(default_dsn, "anonymous_chat_activity"), "anonymous_chat_id"
    )
    statuses = {label: row["status"] for label, row in rows.items()}
    assert statuses == {
        "unused": "never_used",
        "expired": "expired",
        "live": "active",
        "boundary": "expired",
        "null_guests": "active",
        "late": "never_used",
    }
    assert rows["live"]["guest_count"] == 2
    assert rows["live"]["message_count"] == 3
    assert rows["live"]["messages_per_active_guest"] == pytest.approx(1.5)
