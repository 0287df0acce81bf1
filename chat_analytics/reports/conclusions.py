"""The conclusions of the report notebooks, computed from the marts.

Each ``describe_*`` function takes the DataFrame of one mart, as
:func:`chat_analytics.marts.load_mart` returns it, and returns a
:class:`~chat_analytics.reports.narrative.Conclusion`: Markdown with the
numbers in bold, and the same numbers unformatted in ``values``. An empty mart
gives a "No data" note. Shares are printed as percentages with one decimal.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from chat_analytics.reports.narrative import Conclusion, no_data

__all__ = [
    "CHURN_RISKS",
    "HEALTH_STATUSES",
    "LIFECYCLE_STATES",
    "SEGMENTS",
    "cohort_summary",
    "community_activity",
    "describe_active_users",
    "describe_anomalies",
    "describe_ai_characters",
    "describe_attachments",
    "describe_churn",
    "describe_clustering",
    "describe_communities",
    "describe_concentration",
    "describe_conversation_health",
    "describe_friend_network",
    "describe_heatmap",
    "describe_leaderboard",
    "describe_lifecycle",
    "describe_mentions",
    "describe_month_over_month",
    "describe_notification_conversion",
    "describe_notifications",
    "describe_recommendations",
    "describe_requests",
    "describe_response_times",
    "describe_retention",
    "describe_segment_activity",
    "describe_sessions",
    "describe_signups",
    "describe_turn_taking",
    "funnel_by_type",
    "top_central_users",
    "value_counts",
]

# The classes of the marts' status columns, in the order that tables show them.
LIFECYCLE_STATES = ("new", "returning", "resurrecting", "dormant")
CHURN_RISKS = ("low", "medium", "high", "churned")
HEALTH_STATUSES = ("thriving", "stable", "at_risk", "dead")
SEGMENTS = ("power", "regular", "casual", "dormant", "never_active")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
            "Sunday")  # fmt: skip


def _count(value: int, noun: str = "") -> str:
    """Format a count in bold, followed by ``noun`` in the singular or plural."""
    number = f"**{int(value):,}**"
    if not noun:
        return number
    if int(value) != 1:
        noun = noun[:-1] + "ies" if re.search(r"[^aeiou]y$", noun) else noun + "s"
    return f"{number} {noun}"


def _size(byte_count: float) -> str:
    """Format a number of bytes in bold with a decimal unit (kB, MB, GB)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if byte_count >= scale:
            return f"**{byte_count / scale:,.1f}** {unit}"
    return f"**{int(byte_count):,}** bytes"


def _share(value: float) -> str:
    return f"**{value:.1%}**"


def _number(value: float, digits: int = 1) -> str:
    return f"**{value:,.{digits}f}**"


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else float(numerator) / float(denominator)


def _row_at(frame: pd.DataFrame, key: str, as_of: dt.date | None) -> pd.Series:
    """Return the last row with ``key`` on or before ``as_of`` (any row if None)."""
    rows = frame if as_of is None else frame[frame[key] <= as_of]
    if rows.empty:
        rows = frame
    return rows.sort_values(key).iloc[-1]


def value_counts(
    frame: pd.DataFrame, column: str, order: tuple[str, ...]
) -> pd.DataFrame:
    """Count the rows of each value of ``column``, in ``order``, zeros included.

    Returns
    -------
    pandas.DataFrame
        Columns ``column``, ``count`` and ``share`` (a fraction); no rows
        when ``frame`` is empty, so that tables show a "No data" note.

    Examples
    --------
    >>> frame = pd.DataFrame({"risk": ["low", "high", "low"]})
    >>> value_counts(frame, "risk", ("low", "high", "churned"))["count"].tolist()
    [2, 1, 0]
    """
    if frame.empty:
        return pd.DataFrame({column: [], "count": [], "share": []})
    counts = frame[column].value_counts()
    numbers = [int(counts.get(value, 0)) for value in order]
    total = sum(numbers)
    return pd.DataFrame(
        {
            column: list(order),
            "count": numbers,
            "share": [n / total for n in numbers],
        }
    )


# Cohorts and activity --------------------------------------------------------


def cohort_summary(retention: pd.DataFrame, leaderboard: pd.DataFrame) -> pd.DataFrame:
    """Summarise each signup cohort: size, senders, messages and first-month retention.

    Parameters
    ----------
    retention : pandas.DataFrame
        The ``cohort_retention`` mart.
    leaderboard : pandas.DataFrame
        The ``user_activity_leaderboard`` mart.

    Returns
    -------
    pandas.DataFrame
        One row per ``cohort_month``: ``signups``, ``senders`` (users of the
        cohort with an activity message ever), ``messages_sent``,
        ``messages_per_sender`` and ``first_month_retention`` (the share of
        the cohort active in its signup month).
    """
    first = retention[retention["months_since_signup"] == 0]
    sizes = first[["cohort_month", "cohort_size", "retention_rate"]].rename(
        columns={"cohort_size": "signups", "retention_rate": "first_month_retention"}
    )
    activity = (
        leaderboard.groupby("signup_month")
        .agg(senders=("user_id", "size"), messages_sent=("messages_sent", "sum"))
        .reset_index()
        .rename(columns={"signup_month": "cohort_month"})
    )
    summary = sizes.merge(activity, on="cohort_month", how="left")
    summary["senders"] = summary["senders"].fillna(0).astype("Int64")
    summary["messages_sent"] = summary["messages_sent"].fillna(0).astype("Int64")
    summary["messages_per_sender"] = (
        summary["messages_sent"] / summary["senders"].replace(0, pd.NA)
    ).astype("Float64")
    columns = ["cohort_month", "signups", "senders", "messages_sent",
               "messages_per_sender", "first_month_retention"]  # fmt: skip
    return summary[columns].sort_values("cohort_month").reset_index(drop=True)


def describe_signups(retention: pd.DataFrame) -> Conclusion:
    """State how many users signed up, in how many cohorts, and the largest cohort."""
    sizes = retention.drop_duplicates("cohort_month")[["cohort_month", "cohort_size"]]
    if sizes.empty or sizes["cohort_size"].sum() == 0:
        return no_data("no profiles were created up to the as-of date.")
    largest = sizes.sort_values(
        ["cohort_size", "cohort_month"], ascending=[False, True]
    )
    largest = largest.iloc[0]
    values = {
        "signups": int(sizes["cohort_size"].sum()),
        "cohorts": len(sizes),
        "largest_cohort_month": largest["cohort_month"],
        "largest_cohort_size": int(largest["cohort_size"]),
    }
    text = (
        f"{_count(values['signups'], 'user')} signed up in "
        f"{_count(values['cohorts'], 'monthly cohort')}. The largest cohort, "
        f"{values['largest_cohort_month']:%Y-%m}, has "
        f"{_count(values['largest_cohort_size'], 'user')}."
    )
    return Conclusion(text, values)


def describe_leaderboard(leaderboard: pd.DataFrame) -> Conclusion:
    """State how many users sent messages, who sent the most and the top ten's share."""
    if leaderboard.empty:
        return no_data("no user has sent an activity message.")
    ranked = leaderboard.sort_values("rank_overall")
    top = ranked.iloc[0]
    total = int(ranked["messages_sent"].sum())
    values = {
        "senders": len(ranked),
        "messages": total,
        "top_username": str(top["username"]),
        "top_messages": int(top["messages_sent"]),
        "top_10_share": _ratio(ranked["messages_sent"].head(10).sum(), total),
    }
    text = (
        f"{_count(values['senders'], 'user')} sent "
        f"{_count(total, 'activity message')}. The most active, "
        f"**{values['top_username']}**, sent {_count(values['top_messages'])}"
    )
    if len(ranked) > 10:
        text += (
            f"; the ten most active users sent {_share(values['top_10_share'])} "
            f"of all messages"
        )
    return Conclusion(text + ".", values)


def describe_concentration(
    concentration: pd.DataFrame, as_of: dt.date | None = None
) -> Conclusion:
    """State how concentrated the messages of the as-of month are (top 10%, Gini)."""
    active = concentration[concentration["active_users"] > 0]
    if active.empty:
        return no_data("no month has an active user.")
    row = _row_at(active, "month", as_of)
    values = {
        "month": row["month"],
        "active_users": int(row["active_users"]),
        "top_10pct_share": float(row["top_10pct_share"]),
        "gini": float(row["gini"]),
    }
    text = (
        f"In {values['month']:%Y-%m}, the top 10% of the "
        f"{_count(values['active_users'], 'active user')} sent "
        f"{_share(values['top_10pct_share'])} of the messages "
        f"(Gini coefficient {_number(values['gini'], 2)})."
    )
    return Conclusion(text, values)


# Retention and lifecycle -----------------------------------------------------


def describe_retention(retention: pd.DataFrame) -> Conclusion:
    """State month-1 and month-3 retention, pooled over the complete cohort months.

    A cohort's month ``m`` counts only when that calendar month has fully
    elapsed (``is_complete_period``). Pooled retention is the cohorts' active
    users over their summed sizes, so large cohorts weigh more.
    """
    values: dict[str, object] = {}
    parts = []
    for months in (1, 3):
        rows = retention[
            (retention["months_since_signup"] == months)
            & retention["is_complete_period"].fillna(False).astype(bool)
        ]
        rate = _ratio(rows["active_users"].sum(), rows["cohort_size"].sum())
        values[f"month_{months}_retention"] = rate
        values[f"month_{months}_cohorts"] = len(rows)
        if rate is not None:
            parts.append(
                f"{_share(rate)} of users were active {months} month"
                f"{'s' if months > 1 else ''} after the month they signed up "
                f"({_count(len(rows), 'cohort')})"
            )
    if not parts:
        return no_data("no cohort has a complete month after its signup month.")
    return Conclusion("; ".join(parts) + ".", values)


def describe_active_users(
    dau: pd.DataFrame, as_of: dt.date | None = None
) -> Conclusion:
    """State DAU, WAU, 28-day MAU, stickiness and R30v2 users on the as-of date."""
    if dau.empty or dau["mau_28d"].max() == 0:
        return no_data("no user was active on any day.")
    row = _row_at(dau, "activity_date", as_of)
    last_28 = dau[dau["activity_date"] <= row["activity_date"]].tail(28)
    stickiness = last_28["dau_over_mau_28d"].astype("Float64").mean()
    values = {
        "date": row["activity_date"],
        "dau": int(row["dau"]),
        "wau": int(row["wau"]),
        "mau_28d": int(row["mau_28d"]),
        "stickiness_28d": None if pd.isna(stickiness) else float(stickiness),
        "r30v2_users": int(row["r30v2_users"]),
    }
    stickiness_text = "n/a" if values["stickiness_28d"] is None else _share(stickiness)
    text = (
        f"On {values['date']:%Y-%m-%d}: DAU {_count(values['dau'])}, WAU "
        f"{_count(values['wau'])}, MAU (28 days) {_count(values['mau_28d'])}. "
        f"Mean stickiness (DAU/MAU) over the last 28 days: {stickiness_text}. "
        f"R30v2 retained users: {_count(values['r30v2_users'])}."
    )
    return Conclusion(text, values)


def describe_lifecycle(
    lifecycle: pd.DataFrame, as_of: dt.date | None = None
) -> Conclusion:
    """State the lifecycle counts of the last ISO week that ended by the as-of date."""
    if lifecycle.empty or lifecycle["user_count"].sum() == 0:
        return no_data("no user was active in any week.")
    weeks = sorted(lifecycle["week_start"].unique())
    complete = [
        week for week in weeks if as_of is None or week + dt.timedelta(days=6) <= as_of
    ]
    week = complete[-1] if complete else weeks[-1]
    rows = lifecycle[lifecycle["week_start"] == week]
    counts = {
        state: int(rows.loc[rows["lifecycle_state"] == state, "user_count"].sum())
        for state in LIFECYCLE_STATES
    }
    values = {"week_start": week, **counts}
    listed = ", ".join(f"{_count(counts[state])} {state}" for state in LIFECYCLE_STATES)
    text = f"In the week of {week:%Y-%m-%d}: {listed}."
    return Conclusion(text, values)


def describe_churn(churn: pd.DataFrame) -> Conclusion:
    """State how many users who ever sent a message fall in each churn-risk class."""
    if churn.empty:
        return no_data("no user has sent an activity message.")
    counts = value_counts(churn, "churn_risk", CHURN_RISKS)
    values = dict(zip(counts["churn_risk"], counts["count"], strict=True))
    values["users"] = len(churn)
    listed = ", ".join(f"{_count(values[risk])} {risk}" for risk in CHURN_RISKS)
    text = f"Of {_count(len(churn))} users who ever sent a message: {listed}."
    return Conclusion(text, values)


# Conversations ---------------------------------------------------------------


def describe_sessions(sessions: pd.DataFrame) -> Conclusion:
    """State the number of sessions and their median length in messages and minutes."""
    if sessions.empty:
        return no_data("no chat has a non-deleted message.")
    values = {
        "sessions": len(sessions),
        "chats": int(sessions["chat_id"].nunique()),
        "median_messages": float(sessions["message_count"].median()),
        "median_minutes": float(sessions["duration_minutes"].median()),
        "ai_session_share": float((sessions["ai_messages"] > 0).mean()),
    }
    text = (
        f"{_count(values['sessions'], 'session')} in "
        f"{_count(values['chats'], 'chat')}. The median session has "
        f"{_number(values['median_messages'])} "
        f"messages and lasts {_number(values['median_minutes'])} minutes; "
        f"{_share(values['ai_session_share'])} of sessions include an AI message."
    )
    return Conclusion(text, values)


def describe_turn_taking(turns: pd.DataFrame) -> Conclusion:
    """State the median speaker-switch rate and run length, and human-to-AI switches."""
    if turns.empty:
        return no_data("no chat has a non-system, non-deleted message.")
    multi = turns[turns["distinct_speakers"] > 1]
    values = {
        "chats": len(turns),
        "multi_speaker_chats": len(multi),
        "median_switch_rate": (
            None if multi.empty else float(multi["speaker_switch_rate"].median())
        ),
        "median_run_length": float(turns["avg_run_length"].median()),
        "human_to_ai_switches": int(turns["human_to_ai_switches"].sum()),
    }
    switch = (
        "n/a"
        if values["median_switch_rate"] is None
        else _share(values["median_switch_rate"])
    )
    text = (
        f"{_count(values['multi_speaker_chats'])} of {_count(values['chats'])} "
        f"chats have more than one speaker; in those, the median speaker-switch "
        f"rate is {switch}. The median run is {_number(values['median_run_length'])}"
        f" messages long, and humans handed over to an AI "
        f"{_count(values['human_to_ai_switches'], 'time')}."
    )
    return Conclusion(text, values)


def describe_response_times(responses: pd.DataFrame) -> Conclusion:
    """State the median over chats of the per-chat median response times."""
    if responses.empty:
        return no_data("no chat has a switch of speaker.")
    human = responses["human_median_response_seconds"].dropna()
    ai = responses["ai_median_response_seconds"].dropna()
    values = {
        "chats": len(responses),
        "responses": int(responses["responses"].sum()),
        "median_seconds": float(responses["median_response_seconds"].median()),
        "human_median_seconds": None if human.empty else float(human.median()),
        "ai_median_seconds": None if ai.empty else float(ai.median()),
    }
    text = (
        f"{_count(values['responses'], 'response')} in "
        f"{_count(values['chats'], 'chat')}. In the typical chat (median over "
        f"chats), the median response "
        f"comes after {_number(values['median_seconds'])} seconds"
    )
    if values["human_median_seconds"] is not None:
        text += f"; humans take {_number(values['human_median_seconds'])} seconds"
    if values["ai_median_seconds"] is not None:
        text += f", AI characters {_number(values['ai_median_seconds'])} seconds"
    return Conclusion(text + ".", values)


def describe_conversation_health(health: pd.DataFrame) -> Conclusion:
    """State how many chats are thriving, stable, at risk and dead."""
    if health.empty:
        return no_data("the warehouse has no chats.")
    counts = value_counts(health, "health_status", HEALTH_STATUSES)
    values = dict(zip(counts["health_status"], counts["count"], strict=True))
    values["chats"] = len(health)
    listed = ", ".join(
        f"{_count(values[status])} {status.replace('_', ' ')}"
        for status in HEALTH_STATUSES
    )
    return Conclusion(f"Of {_count(len(health))} chats: {listed}.", values)


def describe_ai_characters(ai: pd.DataFrame) -> Conclusion:
    """State the AI character with the most messages and its human reply rate."""
    posting = ai[ai["ai_messages"] > 0]
    if posting.empty:
        return no_data("no AI character has posted a message.")
    top = posting.sort_values(["ai_messages", "ai_character_id"],
                              ascending=[False, True]).iloc[0]  # fmt: skip
    values = {
        "characters": len(posting),
        "ai_messages": int(posting["ai_messages"].sum()),
        "top_character": str(top["ai_character_id"]),
        "top_messages": int(top["ai_messages"]),
        "top_reply_rate": None
        if pd.isna(top["reply_rate"])
        else float(top["reply_rate"]),
    }
    text = (
        f"{_count(values['characters'], 'AI character')} posted "
        f"{_count(values['ai_messages'], 'message')}. The busiest, "
        f"**{values['top_character']}**, posted {_count(values['top_messages'])}"
    )
    if values["top_reply_rate"] is not None:
        text += f", and humans replied to {_share(values['top_reply_rate'])} of them"
    return Conclusion(text + ".", values)


def describe_mentions(mentions: pd.DataFrame) -> Conclusion:
    """State the number of mentions, reciprocal pairs and replies within an hour."""
    if mentions.empty:
        return no_data("no activity message mentions another user.")
    total = int(mentions["mentions"].sum())
    replied = (mentions["replied_within_1h_share"] * mentions["mentions"]).sum()
    values = {
        "pairs": len(mentions),
        "mentions": total,
        "reciprocal_share": float(mentions["is_reciprocal"].astype(bool).mean()),
        "replied_within_1h_share": _ratio(replied, total),
    }
    text = (
        f"{_count(total, 'mention')} between {_count(values['pairs'], 'pair')} of "
        f"users; {_share(values['reciprocal_share'])} of the pairs mention each "
        f"other, and {_share(values['replied_within_1h_share'])} of mentions got "
        f"a message from the mentioned user in the same chat within an hour."
    )
    return Conclusion(text, values)


def describe_attachments(files: pd.DataFrame) -> Conclusion:
    """State the number and total size of files and the most shared MIME family."""
    if files.empty or files["files"].sum() == 0:
        return no_data("no message has a file attachment.")
    families = (
        files.groupby("mime_family")["files"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    values = {
        "files": int(files["files"].sum()),
        "total_bytes": int(files["total_bytes"].sum()),
        "top_family": str(families.index[0]),
        "top_family_files": int(families.iloc[0]),
    }
    text = (
        f"{_count(values['files'], 'file')}, {_size(values['total_bytes'])} in "
        f"total; the most shared family is **{values['top_family']}** with "
        f"{_count(values['top_family_files'], 'file')}."
    )
    return Conclusion(text, values)


def describe_heatmap(heatmap: pd.DataFrame) -> Conclusion:
    """State the weekday and hour (UTC) with the most activity messages."""
    if heatmap.empty or heatmap["messages"].sum() == 0:
        return no_data("no activity message was sent.")
    top = heatmap.sort_values(["messages", "iso_weekday", "hour"],
                              ascending=[False, True, True]).iloc[0]  # fmt: skip
    values = {
        "iso_weekday": int(top["iso_weekday"]),
        "hour": int(top["hour"]),
        "messages": int(top["messages"]),
        "share": float(top["message_share"]),
    }
    text = (
        f"The busiest hour is **{WEEKDAYS[values['iso_weekday'] - 1]} "
        f"{values['hour']:02d}:00** UTC, with {_count(values['messages'])} "
        f"messages ({_share(values['share'])} of all)."
    )
    return Conclusion(text, values)


# Notifications and trends ----------------------------------------------------


def funnel_by_type(funnel: pd.DataFrame) -> pd.DataFrame:
    """Sum the ``notification_funnel`` mart over its weeks, one row per type.

    Returns
    -------
    pandas.DataFrame
        ``type``, ``sent``, ``seen``, ``read``, ``seen_rate`` and
        ``read_rate`` (NaN for a type never sent), by ``sent`` descending.
    """
    if funnel.empty:
        return funnel
    totals = funnel.groupby("type")[["sent", "seen", "read"]].sum().reset_index()
    sent = totals["sent"].astype("float64").where(totals["sent"] > 0)
    totals["seen_rate"] = totals["seen"] / sent
    totals["read_rate"] = totals["read"] / sent
    return totals.sort_values(["sent", "type"], ascending=[False, True]).reset_index(
        drop=True
    )


def describe_notifications(funnel: pd.DataFrame) -> Conclusion:
    """State how many notifications were sent and the shares seen and read."""
    if funnel.empty or funnel["sent"].sum() == 0:
        return no_data("no notification was sent.")
    sent = int(funnel["sent"].sum())
    values = {
        "sent": sent,
        "seen_rate": float(funnel["seen"].sum()) / sent,
        "read_rate": float(funnel["read"].sum()) / sent,
        "types": int(funnel.loc[funnel["sent"] > 0, "type"].nunique()),
    }
    text = (
        f"{_count(sent, 'notification')} of {_count(values['types'], 'type')} "
        f"were sent; {_share(values['seen_rate'])} were seen and "
        f"{_share(values['read_rate'])} read."
    )
    return Conclusion(text, values)


def describe_notification_conversion(correlation: pd.DataFrame) -> Conclusion:
    """State which notification type most often leads to a message within 24 hours."""
    if correlation.empty:
        return no_data("no notification was sent.")
    sent = correlation[correlation["notifications"] > 0]
    if sent.empty:
        return no_data("no notification was sent.")
    top = sent.sort_values(
        ["conversion_rate_24h", "type"], ascending=[False, True]
    ).iloc[0]
    values = {
        "type": str(top["type"]),
        "conversion_rate_24h": float(top["conversion_rate_24h"]),
        "conversion_rate_1h": float(top["conversion_rate_1h"]),
    }
    text = (
        f"**{values['type']}** notifications convert best: "
        f"{_share(values['conversion_rate_24h'])} of them were followed by an "
        f"activity message of the notified user within 24 hours "
        f"({_share(values['conversion_rate_1h'])} within an hour)."
    )
    return Conclusion(text, values)


def describe_month_over_month(
    periods: pd.DataFrame, as_of: dt.date | None = None
) -> Conclusion:
    """State the messages and active users of the as-of month and their change."""
    if periods.empty or periods["messages"].sum() == 0:
        return no_data("no activity message was sent.")
    row = _row_at(periods, "month", as_of)
    change = row["messages_mom_pct"]
    values = {
        "month": row["month"],
        "messages": int(row["messages"]),
        "active_users": int(row["active_users"]),
        "messages_mom_pct": None if pd.isna(change) else float(change),
    }
    text = (
        f"In {values['month']:%Y-%m}, {_count(values['active_users'], 'active user')}"
        f" sent {_count(values['messages'], 'activity message')}"
    )
    if values["messages_mom_pct"] is not None:
        text += f", {values['messages_mom_pct']:+.1f}% against the month before"
    return Conclusion(text + ".", values)


def describe_anomalies(anomalies: pd.DataFrame) -> Conclusion:
    """State how many days were spikes or drops of activity, and the latest one."""
    if anomalies.empty:
        return no_data("no activity message was sent.")
    flagged = anomalies[anomalies["is_anomaly"].fillna(False).astype(bool)]
    values = {
        "days": len(anomalies),
        "spikes": int((flagged["direction"] == "spike").sum()),
        "drops": int((flagged["direction"] == "drop").sum()),
        "latest": None if flagged.empty else flagged["activity_date"].max(),
    }
    text = (
        f"Of {_count(values['days'], 'day')}, {_count(values['spikes'], 'spike')}"
        f" and {_count(values['drops'], 'drop')} of activity lie at least three "
        f"standard deviations from the mean of the 28 days before"
    )
    if values["latest"] is not None:
        text += f"; the latest is on {values['latest']:%Y-%m-%d}"
    return Conclusion(text + ".", values)


# Social graph ----------------------------------------------------------------


def describe_friend_network(summary: pd.DataFrame) -> Conclusion:
    """State how many users have friends and the median friend count among them."""
    if summary.empty:
        return no_data("the warehouse has no profiles.")
    with_friends = summary[summary["friend_count"] > 0]
    values = {
        "users": len(summary),
        "users_with_friends": len(with_friends),
        "median_friends": (
            None if with_friends.empty else float(with_friends["friend_count"].median())
        ),
        "friendships": int(summary["friend_count"].sum()) // 2,
    }
    if with_friends.empty:
        return no_data(
            f"none of the {len(summary):,} users has an accepted friend request."
        )
    text = (
        f"{_count(values['users_with_friends'])} of {_count(values['users'])} "
        f"users have at least one friend, with {_count(values['friendships'])} "
        f"friendships in all; the median user with friends has "
        f"{_number(values['median_friends'])} friends."
    )
    return Conclusion(text, values)


def describe_requests(dynamics: pd.DataFrame) -> Conclusion:
    """State the number of friend requests and the accepted share of decided ones."""
    if dynamics.empty or dynamics["requests"].sum() == 0:
        return no_data("no friend request was sent.")
    accepted = int(dynamics["accepted"].sum())
    declined = int(dynamics["declined"].sum())
    values = {
        "requests": int(dynamics["requests"].sum()),
        "accepted": accepted,
        "declined": declined,
        "pending": int(dynamics["pending"].sum()),
        "acceptance_rate": _ratio(accepted, accepted + declined),
    }
    rate = (
        "n/a"
        if values["acceptance_rate"] is None
        else _share(values["acceptance_rate"])
    )
    text = (
        f"{_count(values['requests'], 'friend request')}: "
        f"{_count(accepted)} accepted, {_count(declined)} declined and "
        f"{_count(values['pending'])} pending. {rate} of the requests that got "
        f"an answer were accepted."
    )
    return Conclusion(text, values)


def describe_recommendations(recommendations: pd.DataFrame) -> Conclusion:
    """State how many users get recommendations and their best one's mutual friends."""
    if recommendations.empty:
        return no_data("no user has a friend of a friend who is not yet a contact.")
    best = recommendations[recommendations["recommendation_rank"] == 1]
    values = {
        "users": int(recommendations["user_id"].nunique()),
        "recommendations": len(recommendations),
        "median_best_mutual_friends": float(best["mutual_friends"].median()),
    }
    text = (
        f"{_count(values['users'], 'user')} get "
        f"{_count(values['recommendations'], 'recommendation')}; the top "
        f"recommendation of the median user shares "
        f"{_number(values['median_best_mutual_friends'])} mutual friends."
    )
    return Conclusion(text, values)


def describe_clustering(
    clustering: pd.DataFrame, components: pd.DataFrame
) -> Conclusion:
    """State the number of connected components, the largest one and mean clustering.

    Parameters
    ----------
    clustering : pandas.DataFrame
        The ``friend_clustering`` mart (users with at least one friend).
    components : pandas.DataFrame
        The ``friend_components`` mart (every profile).
    """
    if components.empty:
        return no_data("the warehouse has no profiles.")
    sizes = components.drop_duplicates("component_id")["component_size"]
    values = {
        "components": len(sizes),
        "largest_component": int(sizes.max()),
        "largest_share": float(sizes.max()) / len(components),
        "mean_clustering": (
            None if clustering.empty else float(clustering["clustering"].mean())
        ),
    }
    text = (
        f"The friendship graph has "
        f"{_count(values['components'], 'connected component')}, counting users "
        f"without friends as their own; the largest "
        f"holds {_count(values['largest_component'], 'user')} "
        f"({_share(values['largest_share'])})"
    )
    if values["mean_clustering"] is not None:
        text += (
            f". Users with friends have a mean clustering coefficient of "
            f"{_number(values['mean_clustering'], 3)}"
        )
    return Conclusion(text + ".", values)


def top_central_users(metrics: pd.DataFrame, graph, rows: int = 10) -> pd.DataFrame:
    """Return the users with the highest PageRank, with their usernames.

    Parameters
    ----------
    metrics : pandas.DataFrame
        The per-user graph metrics (``user_graph_metrics``).
    graph : networkx.Graph
        The friend graph, whose nodes carry a ``username`` attribute.
    rows : int
        Number of users returned.

    Returns
    -------
    pandas.DataFrame
        ``username``, ``degree``, ``pagerank``, ``betweenness_centrality``,
        ``closeness_centrality``, ``clustering`` and ``louvain_community``,
        by PageRank descending (ties by user id).
    """
    columns = ["username", "degree", "pagerank", "betweenness_centrality",
               "closeness_centrality", "clustering", "louvain_community"]  # fmt: skip
    if metrics.empty:
        return pd.DataFrame(columns=columns)
    top = metrics.sort_values(["pagerank", "user_id"], ascending=[False, True])
    top = top.head(rows).copy()
    names = {str(node): data.get("username") for node, data in graph.nodes(data=True)}
    top["username"] = [names.get(str(user)) for user in top["user_id"]]
    return top[columns].reset_index(drop=True)


def describe_communities(metrics: pd.DataFrame, runs: pd.DataFrame) -> Conclusion:
    """State the number of Louvain communities, the largest one and the modularity.

    Parameters
    ----------
    metrics : pandas.DataFrame
        The per-user graph metrics (``user_graph_metrics``).
    runs : pandas.DataFrame
        The run summary (``graph_runs``), one row.
    """
    if metrics.empty or runs.empty:
        return no_data("no graph metrics have been computed for this warehouse.")
    with_friends = metrics[metrics["degree"] > 0]
    sizes = with_friends["louvain_community"].dropna().value_counts()
    if sizes.empty:
        return no_data("no user has a friend, so there are no communities.")
    modularity = runs["louvain_modularity"].iloc[0]
    values = {
        "users_with_friends": len(with_friends),
        "communities": len(sizes),
        "largest_size": int(sizes.iloc[0]),
        "largest_share": float(sizes.iloc[0]) / len(with_friends),
        "modularity": None if pd.isna(modularity) else float(modularity),
    }
    text = (
        f"Louvain splits the {_count(values['users_with_friends'])} users with "
        f"friends into {_count(values['communities'], 'community')}; the largest "
        f"has {_count(values['largest_size'])} of them "
        f"({_share(values['largest_share'])})"
    )
    if values["modularity"] is not None:
        text += f", and the modularity is {_number(values['modularity'], 3)}"
    return Conclusion(text + ".", values)


def community_activity(segments: pd.DataFrame) -> pd.DataFrame:
    """Return the Louvain community rows of ``activity_by_graph_segment``, by community.

    An empty ``segments`` (no graph metrics) gives an empty frame.
    """
    if segments.empty:
        return segments
    rows = segments[segments["segment_type"] == "louvain_community"]
    return rows.sort_values("segment").reset_index(drop=True)


def describe_segment_activity(segments: pd.DataFrame) -> Conclusion:
    """State which Louvain community has the largest share of users active lately.

    Communities of one user (users without friends) are left out.
    """
    communities = community_activity(segments)
    if not communities.empty:
        communities = communities[communities["user_count"] >= 2]
    if communities.empty:
        return no_data("no community of two or more users was found.")
    top = communities.sort_values(
        ["active_share_28d", "segment"], ascending=[False, True]
    ).iloc[0]
    values = {
        "segment": int(top["segment"]),
        "user_count": int(top["user_count"]),
        "active_share_28d": float(top["active_share_28d"]),
    }
    text = (
        f"Of the communities of two or more users, community "
        f"**{values['segment']}** ({_count(values['user_count'], 'user')}) has the "
        f"largest share of users active in the last 28 days: "
        f"{_share(values['active_share_28d'])}."
    )
    return Conclusion(text, values)
