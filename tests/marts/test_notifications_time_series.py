"""Known-answer tests of the notification and time-series marts.

The hand-built dataset has a few activity messages in January 2024, nothing
from February to October 2024 (a constant series of zeros), then daily
activity from November 2024 with a drop to zero on 2025-01-20 and a spike on
2025-02-10. Notifications start in the week of 2025-01-06, skip the week of
2025-01-20 entirely, and come in three types, one of which (mention) goes to
a user whose messages sit on the edges of the conversion windows.

One build uses the as-of date 2025-03-16 (a Sunday), before the newest rows.
Rows created on 2025-03-17 or later must be left out of every mart of that
build. A second build uses the default as-of date, the date of the newest
message of any kind (2025-03-20). Every mart is compared row by row with
values computed by pandas and numpy from the same rows, and the tricky cases
are also written out by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import psycopg
import pytest
from support import day, days_between, insert_dataset, read_mart, ts, uid

from chat_analytics.transform import build
from chat_analytics.warehouse import EmbeddedServer, init_schema

pytestmark = pytest.mark.slow

AS_OF = dt.date(2025, 3, 16)
DEFAULT_AS_OF = dt.date(2025, 3, 20)

MARTS = [
    "notification_funnel",
    "notification_engagement_trend",
    "notification_activity_correlation",
    "activity_heatmap",
    "message_volume_forecast",
    "period_over_period",
    "activity_anomalies",
]


# ---------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------

# label, created_at
PROFILES = [
    ("alice", "2023-12-20 09:00"),
    ("bob", "2024-01-08 09:00"),
    ("carol", "2024-12-05 09:00"),
    ("nina", "2025-01-02 09:00"),
    ("erin", "2025-02-25 09:00"),  # never active
    ("dave", "2025-03-18 09:00"),  # after the as-of date
]

# label, creator, created_at
CHATS = [
    ("general", "alice", "2024-01-08 10:00"),
    ("team", "bob", "2025-01-05 10:00"),
    ("late", "carol", "2025-03-18 12:00"),  # after the as-of date
]

# Hand-placed messages: label, sender, chat, created_at, kind. Kinds: "human"
# (an activity message), "deleted", "system" (no sender), "ai" (no sender)
# and "ai_with_sender" (an AI message that still carries a sender_id).
HAND_MESSAGES = [
    # The first activity day is 2024-01-10; 2024-01 has 3 activity messages.
    ("early1", "alice", "general", "2024-01-10 09:15", "human"),
    ("early2", "bob", "general", "2024-01-10 14:40", "human"),
    ("early3", "alice", "general", "2024-01-11 20:05", "human"),
    ("early4", "bob", "general", "2024-01-12 03:30", "deleted"),
    ("early5", None, "general", "2024-01-12 08:00", "system"),
    # Nina's messages around her mention notifications (see NOTIFICATIONS).
    ("nina0", "nina", "team", "2025-01-15 12:00:00", "human"),
    ("nina1", "nina", "team", "2025-02-03 09:00:00", "human"),
    ("nina2", "nina", "team", "2025-02-03 10:00:00", "human"),
    ("nina3", "nina", "team", "2025-02-04 10:00:30", "human"),
    ("nina4", "nina", "team", "2025-02-06 12:00:00", "human"),
    ("nina5", "nina", "team", "2025-02-07 12:30:00", "deleted"),
    ("nina6", "nina", "team", "2025-02-08 12:00:01", "human"),
    ("nina7", "nina", "team", "2025-03-17 00:10:00", "human"),
    # Messages that are not activity.
    ("ai1", None, "team", "2025-02-12 11:00", "ai"),
    ("ai2", "alice", "team", "2025-02-12 11:05", "ai_with_sender"),
    ("system1", None, "team", "2025-02-13 12:00", "system"),
    ("deleted1", "alice", "general", "2025-03-01 10:00", "deleted"),
    # At the exact end of the as-of date: out of the as-of build.
    ("boundary", "alice", "general", "2025-03-17 00:00:00", "human"),
    # The newest message of any kind sets the default as-of date.
    ("newest", None, "general", "2025-03-20 15:00", "system"),
]

DROP_DAY = day("2025-01-20")
SPIKE_DAY = day("2025-02-10")


def generated_message_count(date: dt.date) -> int:
    """Return the number of generated activity messages on ``date``."""
    if date == DROP_DAY:
        return 0
    if date == SPIKE_DAY:
        return 40
    if date < day("2024-12-01"):
        return 3
    return 4 + date.toordinal() % 3


def generated_messages() -> list[tuple[str, str, str, str, str]]:
    """Return the daily activity messages from 2024-11-01 to 2025-03-19."""
    rows = []
    date = day("2024-11-01")
    while date <= day("2025-03-19"):
        senders = (
            ["alice", "bob"] if date < day("2024-12-05") else ["alice", "bob", "carol"]
        )
        chats = ["general"] if date < day("2025-01-06") else ["general", "team"]
        ordinal = date.toordinal()
        for k in range(generated_message_count(date)):
            created = dt.datetime.combine(date, dt.time()) + dt.timedelta(
                hours=(3 + 5 * k + ordinal) % 24, minutes=(7 * k) % 60
            )
            rows.append(
                (
                    f"gen-{date.isoformat()}-{k}",
                    senders[(ordinal + k) % len(senders)],
                    chats[k % len(chats)],
                    created.isoformat(sep=" "),
                    "human",
                )
            )
        date += dt.timedelta(days=1)
    return rows


MESSAGES = HAND_MESSAGES + generated_messages()

# Hand-placed notifications: label, user, type, created_at, seen_at, is_read.
HAND_NOTIFICATIONS = [
    # Nina's mentions, against her messages above:
    # n0: her only message within 24 hours is at the same instant: not
    #     converted.
    ("n0", "nina", "mention", "2025-01-15 12:00", None, False),
    # n1: a message at the same instant (not counted), the next one at
    #     exactly 1 hour: converted within 1 and 24 hours, 60 minutes.
    ("n1", "nina", "mention", "2025-02-03 09:00", "2025-02-03 09:05", True),
    # n2: next message 1 hour 30 seconds later: only within 24 hours.
    ("n2", "nina", "mention", "2025-02-04 09:00", "2025-02-04 10:30", False),
    # n3: next message exactly 24 hours later: within 24 hours.
    ("n3", "nina", "mention", "2025-02-05 12:00", None, True),
    # n4: a deleted message after 30 minutes, the next activity message 24
    #     hours and 1 second later: not converted.
    ("n4", "nina", "mention", "2025-02-07 12:00", "2025-02-08 12:00", False),
    # n5: the next message comes after the as-of date, and so does seen_at.
    ("n5", "nina", "mention", "2025-03-16 23:30", "2025-03-17 08:00", False),
    # Seen after the as-of date: not seen in the as-of build.
    ("late_seen", "bob", "message", "2025-03-15 22:00", "2025-03-18 08:00", True),
    # A type that first occurs after the as-of date.
    ("digest1", "alice", "digest", "2025-03-17 10:00", None, False),
    # After the default as-of date: in no build.
    ("digest2", "alice", "digest", "2025-03-21 09:00", None, False),
]

EMPTY_WEEK = day("2025-01-20")


def generated_notifications() -> list[tuple]:
    """Return the generated notifications from 2025-01-06 to 2025-03-19.

    A 'message' notification comes on each day with an even ordinal, and a
    'friend_request' one on each Monday of February. The week of 2025-01-20
    has none.
    """
    rows = []
    date = day("2025-01-06")
    while date <= day("2025-03-19"):
        ordinal = date.toordinal()
        in_empty_week = EMPTY_WEEK <= date < EMPTY_WEEK + dt.timedelta(days=7)
        if ordinal % 2 == 0 and not in_empty_week:
            created = dt.datetime.combine(date, dt.time(8, 17)) + dt.timedelta(
                hours=ordinal % 5
            )
            seen = (
                None
                if ordinal % 4 == 1
                else created + dt.timedelta(minutes=(ordinal % 7) * 13, seconds=30)
            )
            rows.append(
                (
                    f"msg-{date.isoformat()}",
                    ["alice", "bob", "carol"][ordinal % 3],
                    "message",
                    created.isoformat(sep=" "),
                    seen.isoformat(sep=" ") if seen else None,
                    ordinal % 3 == 0,
                )
            )
        if date.month == 2 and date.isoweekday() == 1:
            created = dt.datetime.combine(date, dt.time(18, 45))
            seen = created + dt.timedelta(minutes=200) if date.day < 15 else None
            rows.append(
                (
                    f"fr-{date.isoformat()}",
                    "bob",
                    "friend_request",
                    created.isoformat(sep=" "),
                    seen.isoformat(sep=" ") if seen else None,
                    date.day < 10,
                )
            )
        date += dt.timedelta(days=1)
    return rows


NOTIFICATIONS = HAND_NOTIFICATIONS + generated_notifications()


def dataset() -> dict[str, list[dict[str, object]]]:
    """Return the rows of the chat tables as insert_dataset expects them."""
    profiles = [
        {
            "id": uid(label),
            "username": label,
            "display_name": label.title(),
            "avatar_url": f"https://example.test/{label}.png",
            "email": f"{label}@example.test",
            "created_at": ts(created_at),
            "updated_at": ts(created_at),
        }
        for label, created_at in PROFILES
    ]
    chats = [
        {
            "id": uid(label),
            "title": label,
            "created_by": uid(creator),
            "created_at": ts(created_at),
            "updated_at": ts(created_at),
        }
        for label, creator, created_at in CHATS
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
    notifications = [
        {
            "id": uid(label),
            "user_id": uid(user),
            "type": kind,
            "title": f"title of {label}",
            "message": f"text of {label}",
            "created_at": ts(created_at),
            "updated_at": ts(created_at),
            "seen_at": ts(seen_at) if seen_at else None,
            "read": is_read,
        }
        for label, user, kind, created_at, seen_at, is_read in NOTIFICATIONS
    ]
    return {
        "profiles": profiles,
        "chats": chats,
        "messages": messages,
        "notifications": notifications,
    }


def build_marts(dsn: str, as_of: dt.date | None) -> None:
    insert_dataset(dsn, dataset())
    build(dsn, as_of=as_of, select=[f"+{name}" for name in MARTS])


@pytest.fixture(scope="module")
def as_of_dsn(module_dsn: str) -> str:
    """Return a database with the marts built as of 2025-03-16."""
    build_marts(module_dsn, AS_OF)
    return module_dsn


@pytest.fixture(scope="module")
def default_dsn(pg_server: EmbeddedServer) -> Iterator[str]:
    """Return a database with the marts built with the default as-of date."""
    dsn = pg_server.create_database(
        "t_notifications_time_series_default_as_of", replace=True
    )
    with psycopg.connect(dsn) as connection:
        init_schema(connection)
    build_marts(dsn, None)
    return dsn


# ---------------------------------------------------------------------------
# Reference computations in pandas and numpy, from the same rows.
# ---------------------------------------------------------------------------


def end_of(as_of: dt.date) -> dt.datetime:
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())


def monday_of(value: dt.date) -> dt.date:
    return value - dt.timedelta(days=value.isoweekday() - 1)


def month_of(value: dt.date) -> dt.date:
    return value.replace(day=1)


def weeks_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return days_between(monday_of(first), monday_of(last))[::7]


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    current = month_of(first)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def percent_change(value: float, earlier: float | None) -> float | None:
    if earlier is None or earlier == 0:
        return None
    return 100.0 * (value - earlier) / earlier


def activity_frame(as_of: dt.date) -> pd.DataFrame:
    """Activity messages created by the end of ``as_of``."""
    rows = [
        {"user": sender, "created_at": ts(created_at)}
        for _, sender, _, created_at, kind in MESSAGES
        if kind == "human" and ts(created_at) < end_of(as_of)
    ]
    frame = pd.DataFrame(rows)
    frame["date"] = [value.date() for value in frame["created_at"]]
    return frame


def notifications_frame(as_of: dt.date) -> pd.DataFrame:
    """Notifications created by the end of ``as_of``; seen_at as of then."""
    rows = []
    for _, user, kind, created_at, seen_at, is_read in NOTIFICATIONS:
        created = ts(created_at)
        if created >= end_of(as_of):
            continue
        seen = ts(seen_at) if seen_at else None
        if seen is not None and seen >= end_of(as_of):
            seen = None
        rows.append(
            {
                "user": user,
                "type": kind,
                "created_at": created,
                "seen_at": seen,
                "is_read": is_read,
                "week_start": monday_of(created.date()),
            }
        )
    return pd.DataFrame(rows)


def daily_counts(as_of: dt.date) -> pd.Series:
    """Activity messages per day from the first activity day to ``as_of``."""
    activity = activity_frame(as_of)
    counts = activity.groupby("date").size()
    days = days_between(min(activity["date"]), as_of)
    return counts.reindex(days, fill_value=0).astype(int)


def quantile(values: list[float], fraction: float) -> float | None:
    """Continuous percentile, as percentile_cont interpolates."""
    if not values:
        return None
    return float(np.percentile(values, 100 * fraction))


def expected_funnel(as_of: dt.date) -> list[dict[str, object]]:
    notifications = notifications_frame(as_of)
    weeks = weeks_between(min(notifications["created_at"]).date(), as_of)
    rows = []
    for week in weeks:
        for kind in sorted(set(notifications["type"])):
            group = notifications[
                (notifications["week_start"] == week) & (notifications["type"] == kind)
            ]
            seen = group[group["seen_at"].notna()]
            minutes = [
                (row.seen_at - row.created_at).total_seconds() / 60
                for row in seen.itertuples()
            ]
            rows.append(
                {
                    "week_start": week,
                    "type": kind,
                    "sent": len(group),
                    "seen": len(seen),
                    "read": int(group["is_read"].sum()),
                    "seen_rate": ratio(len(seen), len(group)),
                    "read_rate": ratio(int(group["is_read"].sum()), len(group)),
                    "median_minutes_to_seen": quantile(minutes, 0.5),
                    "p90_minutes_to_seen": quantile(minutes, 0.9),
                }
            )
    return rows


def expected_trend(as_of: dt.date) -> list[dict[str, object]]:
    notifications = notifications_frame(as_of)
    weeks = weeks_between(min(notifications["created_at"]).date(), as_of)
    totals = [int((notifications["week_start"] == week).sum()) for week in weeks]
    reads = [
        int(notifications.loc[notifications["week_start"] == week, "is_read"].sum())
        for week in weeks
    ]
    rates = [ratio(read, total) for read, total in zip(reads, totals, strict=True)]
    rows = []
    for index, week in enumerate(weeks):
        window = range(max(0, index - 3), index + 1)
        window_rates = [rates[i] for i in window if rates[i] is not None]
        previous = totals[index - 1] if index > 0 else None
        rows.append(
            {
                "week_start": week,
                "notifications": totals[index],
                "read_count": reads[index],
                "read_rate": rates[index],
                "notifications_ma4": float(np.mean([totals[i] for i in window])),
                "read_rate_ma4": (
                    float(np.mean(window_rates)) if window_rates else None
                ),
                "wow_change": None if previous is None else totals[index] - previous,
                "wow_change_pct": percent_change(totals[index], previous),
            }
        )
    return rows


def expected_correlation(as_of: dt.date) -> list[dict[str, object]]:
    notifications = notifications_frame(as_of)
    activity = activity_frame(as_of)
    rows = []
    for kind in sorted(set(notifications["type"])):
        group = notifications[notifications["type"] == kind]
        minutes_to_next = []
        converted_1h = 0
        converted_24h = 0
        for notification in group.itertuples():
            later = activity[
                (activity["user"] == notification.user)
                & (activity["created_at"] > notification.created_at)
            ]
            if later.empty:
                continue
            delay = min(later["created_at"]) - notification.created_at
            if delay <= dt.timedelta(hours=1):
                converted_1h += 1
            if delay <= dt.timedelta(hours=24):
                converted_24h += 1
                minutes_to_next.append(delay.total_seconds() / 60)
        rows.append(
            {
                "type": kind,
                "notifications": len(group),
                "converted_1h": converted_1h,
                "converted_24h": converted_24h,
                "conversion_rate_1h": converted_1h / len(group),
                "conversion_rate_24h": converted_24h / len(group),
                "median_minutes_to_next_message": quantile(minutes_to_next, 0.5),
                "read_rate": float(group["is_read"].mean()),
            }
        )
    return rows


def expected_heatmap(as_of: dt.date) -> list[dict[str, object]]:
    activity = activity_frame(as_of)
    notifications = notifications_frame(as_of)
    for frame in (activity, notifications):
        frame["weekday"] = [value.isoweekday() for value in frame["created_at"]]
        frame["hour"] = [value.hour for value in frame["created_at"]]
    weeks = len(weeks_between(min(activity["date"]), as_of))
    rows = []
    for weekday in range(1, 8):
        for hour in range(24):
            slot = activity[
                (activity["weekday"] == weekday) & (activity["hour"] == hour)
            ]
            notified = notifications[
                (notifications["weekday"] == weekday) & (notifications["hour"] == hour)
            ]
            rows.append(
                {
                    "iso_weekday": weekday,
                    "hour": hour,
                    "messages": len(slot),
                    "active_users": slot["user"].nunique(),
                    "notifications": len(notified),
                    "message_share": len(slot) / len(activity),
                    "messages_per_week": len(slot) / weeks,
                }
            )
    return rows


def expected_forecast(as_of: dt.date) -> list[dict[str, object]]:
    counts = daily_counts(as_of)
    history = pd.DataFrame({"messages": counts.to_numpy()}, index=counts.index)
    history["day_index"] = np.arange(len(history), dtype=float)
    history["ma7"] = history["messages"].rolling(7, min_periods=1).mean()
    history["ma28"] = history["messages"].rolling(28, min_periods=1).mean()

    # The line is fitted on the last 90 days, the weekday index on the last 84.
    fitted = history.tail(90)
    slope, intercept = np.polyfit(fitted["day_index"], fitted["messages"], 1)
    recent = history.tail(84)
    weekdays = [date.isoweekday() for date in recent.index]
    weekday_means = recent["messages"].groupby(weekdays).mean()
    weekday_index = weekday_means / recent["messages"].mean()

    first = counts.index[0]
    rows = []
    for date in days_between(first, as_of + dt.timedelta(days=14)):
        trend = intercept + slope * (date - first).days
        index = float(weekday_index[date.isoweekday()])
        is_forecast = date > as_of
        rows.append(
            {
                "activity_date": date,
                "messages": None if is_forecast else int(history.at[date, "messages"]),
                "ma7": None if is_forecast else float(history.at[date, "ma7"]),
                "ma28": None if is_forecast else float(history.at[date, "ma28"]),
                "trend": float(trend),
                "weekday_index": index,
                "forecast": max(float(trend) * index, 0.0),
                "is_forecast": is_forecast,
            }
        )
    return rows


MEASURES = ["messages", "active_users", "new_users", "new_chats", "notifications"]


def expected_period_over_period(as_of: dt.date) -> list[dict[str, object]]:
    end = end_of(as_of)
    activity = activity_frame(as_of)
    notifications = notifications_frame(as_of)
    activity["month"] = [month_of(date) for date in activity["date"]]
    new_users = [
        month_of(ts(created).date()) for _, created in PROFILES if ts(created) < end
    ]
    new_chats = [
        month_of(ts(created).date()) for _, _, created in CHATS if ts(created) < end
    ]
    notification_months = [month_of(t.date()) for t in notifications["created_at"]]
    first = min(new_users + new_chats + notification_months + list(activity["month"]))

    totals = []
    for month in months_between(first, as_of):
        in_month = activity[activity["month"] == month]
        totals.append(
            {
                "month": month,
                "messages": len(in_month),
                "active_users": in_month["user"].nunique(),
                "new_users": new_users.count(month),
                "new_chats": new_chats.count(month),
                "notifications": notification_months.count(month),
            }
        )

    rows = []
    for index, total in enumerate(totals):
        row = dict(total)
        for measure in MEASURES:
            previous = totals[index - 1][measure] if index >= 1 else None
            year_earlier = totals[index - 12][measure] if index >= 12 else None
            row[f"{measure}_mom_pct"] = percent_change(total[measure], previous)
            row[f"{measure}_yoy_pct"] = percent_change(total[measure], year_earlier)
        rows.append(row)
    return rows


def expected_anomalies(as_of: dt.date) -> list[dict[str, object]]:
    counts = daily_counts(as_of)
    values = counts.to_numpy()
    rows = []
    for index, date in enumerate(counts.index):
        history = values[max(0, index - 28) : index]
        mean = float(np.mean(history)) if len(history) >= 1 else None
        stddev = float(np.std(history, ddof=1)) if len(history) >= 2 else None
        z_score = (values[index] - mean) / stddev if stddev not in (None, 0.0) else None
        is_anomaly = z_score is not None and abs(z_score) >= 3 and len(history) >= 14
        direction = None
        if is_anomaly:
            direction = "spike" if z_score > 0 else "drop"
        rows.append(
            {
                "activity_date": date,
                "messages": int(values[index]),
                "trailing_mean_28": mean,
                "trailing_stddev_28": stddev,
                "z_score": z_score,
                "is_anomaly": is_anomaly,
                "direction": direction,
            }
        )
    return rows


# ---------------------------------------------------------------------------
# Comparison helpers
# ---------------------------------------------------------------------------


def approximate(record: dict[str, object]) -> dict[str, object]:
    """Wrap float values in pytest.approx so a dict comparison tolerates rounding."""
    return {
        key: pytest.approx(value, rel=1e-9, abs=1e-9)
        if isinstance(value, float)
        else value
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


def rows_by(mart: pd.DataFrame, *key: str) -> dict[object, dict[str, object]]:
    """Index mart rows by the value (or tuple of values) of ``key``."""
    records = mart.to_dict("records")
    if len(key) == 1:
        return {row[key[0]]: row for row in records}
    return {tuple(row[k] for k in key): row for row in records}


# ---------------------------------------------------------------------------
# notification_funnel
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ["as_of", "default"])
def test_funnel_matches_pandas(build: str, request: pytest.FixtureRequest) -> None:
    dsn = request.getfixturevalue(f"{build}_dsn")
    as_of = AS_OF if build == "as_of" else DEFAULT_AS_OF
    mart = read_mart(dsn, "notification_funnel")
    assert_mart_equals(mart, expected_funnel(as_of), ["week_start", "type"])


def test_funnel_week_without_notifications(as_of_dsn: str) -> None:
    rows = rows_by(read_mart(as_of_dsn, "notification_funnel"), "week_start", "type")
    for kind in ["friend_request", "mention", "message"]:
        row = rows[(EMPTY_WEEK, kind)]
        assert row["sent"] == 0
        assert row["seen"] == 0
        assert row["read"] == 0
        assert row["seen_rate"] is None
        assert row["read_rate"] is None
        assert row["median_minutes_to_seen"] is None
        assert row["p90_minutes_to_seen"] is None


def test_funnel_every_type_every_week(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "notification_funnel")
    weeks = weeks_between(day("2025-01-06"), AS_OF)
    assert sorted(set(mart["type"])) == ["friend_request", "mention", "message"]
    assert len(mart) == 3 * len(weeks)
    assert sorted(set(mart["week_start"])) == weeks


def test_funnel_mention_weeks_by_hand(as_of_dsn: str, default_dsn: str) -> None:
    rows = rows_by(read_mart(as_of_dsn, "notification_funnel"), "week_start", "type")
    # n1 seen after 5 minutes, n2 after 90, n3 never, n4 after 1440; n1 and n3
    # read.
    week = rows[(day("2025-02-03"), "mention")]
    assert week["sent"] == 4
    assert week["seen"] == 3
    assert week["read"] == 2
    assert week["seen_rate"] == pytest.approx(0.75)
    assert week["read_rate"] == pytest.approx(0.5)
    assert week["median_minutes_to_seen"] == pytest.approx(90.0)
    assert week["p90_minutes_to_seen"] == pytest.approx(90 + 0.8 * (1440 - 90))
    # n5 was seen after the end of the as-of date.
    as_of_week = rows[(day("2025-03-10"), "mention")]
    assert as_of_week["sent"] == 1
    assert as_of_week["seen"] == 0
    assert as_of_week["median_minutes_to_seen"] is None
    default_rows = rows_by(
        read_mart(default_dsn, "notification_funnel"), "week_start", "type"
    )
    assert default_rows[(day("2025-03-10"), "mention")]["seen"] == 1
    assert default_rows[(day("2025-03-10"), "mention")][
        "median_minutes_to_seen"
    ] == pytest.approx(510.0)


def test_funnel_type_after_as_of_left_out(as_of_dsn: str, default_dsn: str) -> None:
    assert "digest" not in set(read_mart(as_of_dsn, "notification_funnel")["type"])
    default_rows = rows_by(
        read_mart(default_dsn, "notification_funnel"), "week_start", "type"
    )
    # digest1 (2025-03-17) counts in the default build, with zeros in every
    # earlier week; digest2 (2025-03-21) is after the default as-of date.
    assert default_rows[(day("2025-03-17"), "digest")]["sent"] == 1
    assert default_rows[(day("2025-01-06"), "digest")]["sent"] == 0
    assert max(read_mart(default_dsn, "notification_funnel")["week_start"]) == day(
        "2025-03-17"
    )


# ---------------------------------------------------------------------------
# notification_engagement_trend
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ["as_of", "default"])
def test_trend_matches_pandas(build: str, request: pytest.FixtureRequest) -> None:
    dsn = request.getfixturevalue(f"{build}_dsn")
    as_of = AS_OF if build == "as_of" else DEFAULT_AS_OF
    mart = read_mart(dsn, "notification_engagement_trend")
    assert_mart_equals(mart, expected_trend(as_of), ["week_start"])


def test_trend_empty_week(as_of_dsn: str) -> None:
    rows = rows_by(read_mart(as_of_dsn, "notification_engagement_trend"), "week_start")
    empty = rows[EMPTY_WEEK]
    before = rows[EMPTY_WEEK - dt.timedelta(days=7)]
    after = rows[EMPTY_WEEK + dt.timedelta(days=7)]
    assert empty["notifications"] == 0
    assert empty["read_count"] == 0
    assert empty["read_rate"] is None
    assert empty["wow_change"] == -before["notifications"]
    assert empty["wow_change_pct"] == pytest.approx(-100.0)
    assert after["wow_change"] == after["notifications"]
    assert after["wow_change_pct"] is None


def test_trend_first_week(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "notification_engagement_trend", ["week_start"])
    first = mart.iloc[0]
    assert first["week_start"] == day("2025-01-06")
    assert first["wow_change"] is None
    assert first["wow_change_pct"] is None
    assert first["notifications_ma4"] == pytest.approx(first["notifications"])
    assert mart.iloc[-1]["week_start"] == day("2025-03-10")


# ---------------------------------------------------------------------------
# notification_activity_correlation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ["as_of", "default"])
def test_correlation_matches_pandas(build: str, request: pytest.FixtureRequest) -> None:
    dsn = request.getfixturevalue(f"{build}_dsn")
    as_of = AS_OF if build == "as_of" else DEFAULT_AS_OF
    mart = read_mart(dsn, "notification_activity_correlation")
    assert_mart_equals(mart, expected_correlation(as_of), ["type"])


def test_correlation_window_edges(as_of_dsn: str) -> None:
    row = rows_by(read_mart(as_of_dsn, "notification_activity_correlation"), "type")[
        "mention"
    ]
    # n1 converts within 1 hour (60 minutes), n2 (60.5) and n3 (1440) within
    # 24 hours; n0, n4 and n5 do not convert.
    assert row["notifications"] == 6
    assert row["converted_1h"] == 1
    assert row["converted_24h"] == 3
    assert row["conversion_rate_1h"] == pytest.approx(1 / 6)
    assert row["conversion_rate_24h"] == pytest.approx(0.5)
    assert row["median_minutes_to_next_message"] == pytest.approx(60.5)
    assert row["read_rate"] == pytest.approx(2 / 6)


def test_correlation_message_after_as_of(default_dsn: str) -> None:
    row = rows_by(read_mart(default_dsn, "notification_activity_correlation"), "type")[
        "mention"
    ]
    # With the default as-of date, n5 converts within 1 hour (40 minutes).
    assert row["converted_1h"] == 2
    assert row["converted_24h"] == 4
    assert row["median_minutes_to_next_message"] == pytest.approx(60.25)


# ---------------------------------------------------------------------------
# activity_heatmap
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ["as_of", "default"])
def test_heatmap_matches_pandas(build: str, request: pytest.FixtureRequest) -> None:
    dsn = request.getfixturevalue(f"{build}_dsn")
    as_of = AS_OF if build == "as_of" else DEFAULT_AS_OF
    mart = read_mart(dsn, "activity_heatmap")
    assert_mart_equals(mart, expected_heatmap(as_of), ["iso_weekday", "hour"])


def test_heatmap_weeks_span(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "activity_heatmap")
    assert len(mart) == 168
    # ISO weeks from Monday 2024-01-08 (first activity on 2024-01-10) to
    # Monday 2025-03-10 (the as-of date 2025-03-16 is a Sunday): 62 weeks.
    weeks = 62
    assert mart["messages_per_week"].sum() * weeks == pytest.approx(
        mart["messages"].sum()
    )
    assert mart["message_share"].sum() == pytest.approx(1.0)
    assert mart["messages"].sum() == len(activity_frame(AS_OF))


def test_heatmap_totals(as_of_dsn: str, default_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "activity_heatmap")
    # Notifications created by the end of 2025-03-16 count; digest1, digest2
    # and the generated ones after that date do not.
    created = [ts(row[3]) for row in NOTIFICATIONS]
    assert mart["notifications"].sum() == sum(t < end_of(AS_OF) for t in created)
    # Only activity messages count: the deleted, system and AI messages and
    # the message at exactly 2025-03-17 00:00 do not.
    human = [ts(row[3]) for row in MESSAGES if row[4] == "human"]
    assert mart["messages"].sum() == sum(t < end_of(AS_OF) for t in human)
    default_mart = read_mart(default_dsn, "activity_heatmap")
    assert default_mart["messages"].sum() == sum(
        t < end_of(DEFAULT_AS_OF) for t in human
    )


# ---------------------------------------------------------------------------
# message_volume_forecast
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ["as_of", "default"])
def test_forecast_matches_numpy(build: str, request: pytest.FixtureRequest) -> None:
    dsn = request.getfixturevalue(f"{build}_dsn")
    as_of = AS_OF if build == "as_of" else DEFAULT_AS_OF
    mart = read_mart(dsn, "message_volume_forecast")
    assert_mart_equals(mart, expected_forecast(as_of), ["activity_date"])


def test_forecast_future_days(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "message_volume_forecast", ["activity_date"])
    future = mart[mart["is_forecast"]]
    assert list(future["activity_date"]) == days_between(
        day("2025-03-17"), day("2025-03-30")
    )
    assert all(value is None for value in future["messages"])
    assert all(value is None for value in future["ma7"])
    assert all(value is None for value in future["ma28"])
    assert all(value is not None for value in future["forecast"])
    assert mart.iloc[0]["activity_date"] == day("2024-01-10")
    # The message at exactly 2025-03-17 00:00 is after the as-of date.
    assert mart.iloc[-15]["activity_date"] == AS_OF


def test_forecast_trend_is_a_line(as_of_dsn: str) -> None:
    mart = read_mart(as_of_dsn, "message_volume_forecast", ["activity_date"])
    steps = np.diff(mart["trend"].astype(float))
    assert steps == pytest.approx(np.full(len(steps), steps[0]))
    # Each weekday occurs 12 times in the 84 days, so the indexes average 1.
    history = mart[~mart["is_forecast"].astype(bool)]
    indexes = history.tail(84)["weekday_index"].astype(float)
    assert indexes.mean() == pytest.approx(1.0)


# ---------------------------------------------------------------------------
# period_over_period
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ["as_of", "default"])
def test_period_over_period_matches_pandas(
    build: str, request: pytest.FixtureRequest
) -> None:
    dsn = request.getfixturevalue(f"{build}_dsn")
    as_of = AS_OF if build == "as_of" else DEFAULT_AS_OF
    mart = read_mart(dsn, "period_over_period")
    assert_mart_equals(mart, expected_period_over_period(as_of), ["month"])


def test_period_over_period_by_hand(as_of_dsn: str) -> None:
    rows = rows_by(read_mart(as_of_dsn, "period_over_period"), "month")
    # The series starts with alice's signup in 2023-12, before any message.
    assert min(rows) == day("2023-12-01")
    assert max(rows) == day("2025-03-01")
    assert rows[day("2023-12-01")]["messages"] == 0
    assert rows[day("2023-12-01")]["new_users"] == 1
    assert rows[day("2023-12-01")]["messages_mom_pct"] is None

    # 2024-01: 3 activity messages by 2 users, bob signs up, a chat starts.
    january = rows[day("2024-01-01")]
    assert january["messages"] == 3
    assert january["active_users"] == 2
    assert january["new_users"] == 1
    assert january["new_chats"] == 1
    assert january["messages_mom_pct"] is None
    assert january["new_users_mom_pct"] == pytest.approx(0.0)

    # No month before 2024-12 has a month a year earlier in the series.
    assert rows[day("2024-11-01")]["messages_yoy_pct"] is None
    # 2024-12 against 2023-12: no messages then (NULL), one signup each.
    december = rows[day("2024-12-01")]
    assert december["messages_yoy_pct"] is None
    assert december["new_users_yoy_pct"] == pytest.approx(0.0)

    # 2024-02 had no messages at all.
    assert rows[day("2024-02-01")]["messages"] == 0
    assert rows[day("2024-03-01")]["messages_mom_pct"] is None

    # 2025-01 against 2024-01's 3 messages.
    january_2025 = rows[day("2025-01-01")]
    assert january_2025["messages_yoy_pct"] == pytest.approx(
        100.0 * (january_2025["messages"] - 3) / 3
    )
    # 2025-03 leaves out dave (2025-03-18) and the late chat.
    assert rows[day("2025-03-01")]["new_users"] == 0
    assert rows[day("2025-03-01")]["new_chats"] == 0


# ---------------------------------------------------------------------------
# activity_anomalies
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ["as_of", "default"])
def test_anomalies_match_numpy(build: str, request: pytest.FixtureRequest) -> None:
    dsn = request.getfixturevalue(f"{build}_dsn")
    as_of = AS_OF if build == "as_of" else DEFAULT_AS_OF
    mart = read_mart(dsn, "activity_anomalies")
    assert_mart_equals(mart, expected_anomalies(as_of), ["activity_date"])


def test_anomalies_constant_series(as_of_dsn: str) -> None:
    rows = rows_by(read_mart(as_of_dsn, "activity_anomalies"), "activity_date")
    quiet = rows[day("2024-06-01")]
    assert quiet["messages"] == 0
    assert quiet["trailing_mean_28"] == 0.0
    assert quiet["trailing_stddev_28"] == 0.0
    assert quiet["z_score"] is None
    assert quiet["is_anomaly"] is False
    assert quiet["direction"] is None
    # The first day after months of zeros: still a constant history.
    restart = rows[day("2024-11-01")]
    assert restart["messages"] == 3
    assert restart["z_score"] is None
    assert restart["is_anomaly"] is False


def test_anomalies_first_days(as_of_dsn: str) -> None:
    rows = rows_by(read_mart(as_of_dsn, "activity_anomalies"), "activity_date")
    first = rows[day("2024-01-10")]
    assert first["messages"] == 2
    assert first["trailing_mean_28"] is None
    assert first["trailing_stddev_28"] is None
    assert first["is_anomaly"] is False
    second = rows[day("2024-01-11")]
    assert second["trailing_mean_28"] == 2.0
    assert second["trailing_stddev_28"] is None


def test_anomalies_spike_and_drop(as_of_dsn: str) -> None:
    rows = rows_by(read_mart(as_of_dsn, "activity_anomalies"), "activity_date")
    drop = rows[DROP_DAY]
    assert drop["messages"] == 0
    assert drop["is_anomaly"] is True
    assert drop["direction"] == "drop"
    assert drop["z_score"] < -3
    spike = rows[SPIKE_DAY]
    assert spike["is_anomaly"] is True
    assert spike["direction"] == "spike"
    assert spike["z_score"] > 3
    normal = rows[day("2025-03-05")]
    assert normal["is_anomaly"] is False
    assert normal["direction"] is None
