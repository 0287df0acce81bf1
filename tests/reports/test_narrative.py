"""Report helpers on small hand-built frames: tables, notes, figures, conclusions."""

from __future__ import annotations

import datetime as dt
import logging
import sys

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from chat_analytics.errors import ChatAnalyticsError  # noqa: E402
from chat_analytics.reports import conclusions  # noqa: E402
from chat_analytics.reports.narrative import (  # noqa: E402
    NO_DATA,
    Conclusion,
    configure_kernel,
    figure_title,
    no_data,
    package_versions,
    resolve_as_of,
    show_figure,
    show_table,
)

D = dt.date


def _retention() -> pd.DataFrame:
    # Two cohorts: January (10 users) and February (4 users); March is the
    # as-of month, so its cells are incomplete.
    rows = [
        (D(2025, 1, 1), 10, 0, 6, True),
        (D(2025, 1, 1), 10, 1, 5, True),
        (D(2025, 1, 1), 10, 2, 2, False),
        (D(2025, 2, 1), 4, 0, 4, True),
        (D(2025, 2, 1), 4, 1, 1, False),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["cohort_month", "cohort_size", "months_since_signup",
                 "active_users", "is_complete_period"],
    )  # fmt: skip
    frame["retention_rate"] = frame["active_users"] / frame["cohort_size"]
    return frame


def _leaderboard() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["u1", "u2", "u3"],
            "username": ["ana", "bob", "cy"],
            "signup_month": [D(2025, 1, 1), D(2025, 1, 1), D(2025, 2, 1)],
            "messages_sent": [60, 30, 10],
            "rank_overall": [1, 2, 3],
        }
    )


def test_no_data_note_starts_with_marker() -> None:
    note = no_data("nothing here.")
    assert note.text == f"**{NO_DATA}:** nothing here."
    assert note._repr_markdown_() == note.text


def test_show_table_of_empty_frame_is_note() -> None:
    shown = show_table(pd.DataFrame({"a": []}), "Caption", "the mart is empty.")
    assert isinstance(shown, Conclusion)
    assert shown.text == "**No data:** the mart is empty."


def test_show_table_keeps_rows_and_columns() -> None:
    frame = pd.DataFrame({"a": range(20), "b": range(20), "c": range(20)})
    shown = show_table(frame, "First rows", "empty", rows=5, columns=["c", "a"])
    html = shown.to_html()
    assert shown.data.shape == (5, 2)
    assert list(shown.data.columns) == ["c", "a"]
    assert "First rows" in html


def test_show_table_accepts_polars() -> None:
    import polars as pl

    shown = show_table(pl.DataFrame({"a": [1, 2]}), "Polars", "empty")
    assert shown.data["a"].tolist() == [1, 2]


def test_show_table_formats_shares() -> None:
    frame = pd.DataFrame({"share": [0.1234], "count": [12345]})
    html = show_table(frame, "Shares", "empty", formats={"share": "{:.1%}"}).to_html()
    assert "12.3%" in html
    assert "12,345" in html


def test_figure_title_prefers_suptitle() -> None:
    figure = Figure()
    axes = figure.add_subplot()
    axes.set_title("Axes title")
    assert figure_title(figure) == "Axes title"
    figure.suptitle("Figure title")
    assert figure_title(figure) == "Figure title"


def test_figure_without_title_raises() -> None:
    figure = Figure()
    figure.add_subplot()
    with pytest.raises(ChatAnalyticsError, match="no title"):
        figure_title(figure)


def test_show_figure_shows_note_for_empty_frame(monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    show_figure(pd.DataFrame(), lambda frame: Figure(), "no rows.")
    assert shown[0][0].text == "**No data:** no rows."


def test_show_figure_stores_title_as_alt(monkeypatch) -> None:
    from IPython.display import Image

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))

    def draw(frame: pd.DataFrame) -> Figure:
        figure = Figure()
        figure.add_subplot().set_title("Rows")
        return figure

    show_figure(pd.DataFrame({"a": [1]}), draw, "no rows.")
    (image,), keywords = shown[0]
    assert isinstance(image, Image)
    assert image.data.startswith(b"\x89PNG")
    assert keywords["metadata"] == {"image/png": {"alt": "Rows"}}


def test_package_versions_lists_required_packages() -> None:
    versions = package_versions()
    assert list(versions["package"]) == [
        "python", "chat-analytics", "pandas", "polars", "networkx", "dbt-core",
        "matplotlib",
    ]  # fmt: skip
    assert versions.loc[0, "version"] == ".".join(map(str, sys.version_info[:3]))


def test_configure_kernel_logs_to_stdout(capsys) -> None:
    package_logger = logging.getLogger("chat_analytics")
    saved = (list(package_logger.handlers), package_logger.propagate)
    try:
        configure_kernel()
        configure_kernel()
        logging.getLogger("chat_analytics.test").warning("slow query %s", 7)
    finally:
        package_logger.handlers[:] = saved[0]
        package_logger.propagate = saved[1]
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.count("slow query 7") == 1


def test_resolve_as_of_parses_text() -> None:
    assert resolve_as_of(None, "2025-03-04") == D(2025, 3, 4)
    assert resolve_as_of(None, D(2025, 3, 4)) == D(2025, 3, 4)


def test_resolve_as_of_rejects_bad_date() -> None:
    with pytest.raises(ValueError, match="invalid as_of '2025-13-01'"):
        resolve_as_of(None, "2025-13-01")


def test_cohort_summary_counts_senders() -> None:
    summary = conclusions.cohort_summary(_retention(), _leaderboard())
    assert summary["signups"].tolist() == [10, 4]
    assert summary["senders"].tolist() == [2, 1]
    assert summary["messages_sent"].tolist() == [90, 10]
    assert summary["messages_per_sender"].tolist() == [45.0, 10.0]
    assert summary["first_month_retention"].tolist() == [0.6, 1.0]


def test_describe_signups() -> None:
    result = conclusions.describe_signups(_retention())
    assert result.values["signups"] == 14
    assert result.values["cohorts"] == 2
    assert result.values["largest_cohort_month"] == D(2025, 1, 1)
    assert "**14** users signed up in **2** monthly cohorts" in result.text


def test_describe_signups_of_empty_mart_is_note() -> None:
    result = conclusions.describe_signups(_retention().head(0))
    assert result.text.startswith("**No data:**")


def test_describe_retention_uses_complete_periods() -> None:
    result = conclusions.describe_retention(_retention())
    # Only January's month 1 is complete: 5 of 10.
    assert result.values["month_1_retention"] == 0.5
    assert result.values["month_1_cohorts"] == 1
    assert result.values["month_3_retention"] is None
    assert "**50.0%** of users were active 1 month after" in result.text


def test_describe_leaderboard() -> None:
    result = conclusions.describe_leaderboard(_leaderboard())
    assert result.values["top_username"] == "ana"
    assert result.values["top_10_share"] == 1.0
    assert "**3** users sent **100** activity messages" in result.text


def test_describe_active_users_picks_as_of_row() -> None:
    days = pd.date_range("2025-01-01", periods=30).date
    dau = pd.DataFrame(
        {
            "activity_date": days,
            "dau": range(30),
            "wau": range(30),
            "mau_28d": [100] * 30,
            "dau_over_mau_28d": [d / 100 for d in range(30)],
            "r30v2_users": [3] * 30,
        }
    )
    result = conclusions.describe_active_users(dau, D(2025, 1, 20))
    assert result.values["dau"] == 19
    # Rows 0 to 19 are on or before the as-of date: mean of 0.00 to 0.19.
    assert result.values["stickiness_28d"] == pytest.approx(0.095)
    assert "DAU **19**" in result.text


def test_describe_lifecycle_takes_last_complete_week() -> None:
    states = ["new", "returning", "resurrecting", "dormant"]
    lifecycle = pd.DataFrame(
        {
            "week_start": [D(2025, 1, 6)] * 4 + [D(2025, 1, 13)] * 4,
            "lifecycle_state": states * 2,
            "user_count": [1, 2, 3, 4, 9, 9, 9, 9],
        }
    )
    # 2025-01-18 is a Saturday, so the week of the 13th has not ended.
    result = conclusions.describe_lifecycle(lifecycle, D(2025, 1, 18))
    assert result.values["week_start"] == D(2025, 1, 6)
    assert result.values["dormant"] == 4
    sunday = conclusions.describe_lifecycle(lifecycle, D(2025, 1, 19))
    assert sunday.values["week_start"] == D(2025, 1, 13)


def test_describe_churn_counts_every_class() -> None:
    churn = pd.DataFrame({"churn_risk": ["low", "low", "churned"]})
    result = conclusions.describe_churn(churn)
    assert result.values == {"low": 2, "medium": 0, "high": 0, "churned": 1,
                             "users": 3}  # fmt: skip


def test_describe_mentions_weights_replies_by_mentions() -> None:
    mentions = pd.DataFrame(
        {
            "mentions": [3, 1],
            "is_reciprocal": [True, False],
            "replied_within_1h_share": [1 / 3, 1.0],
        }
    )
    result = conclusions.describe_mentions(mentions)
    assert result.values["replied_within_1h_share"] == pytest.approx(0.5)
    assert result.values["reciprocal_share"] == 0.5


def test_describe_attachments_of_zero_files_is_note() -> None:
    files = pd.DataFrame({"mime_family": ["image"], "files": [0], "total_bytes": [0]})
    assert conclusions.describe_attachments(files).text.startswith("**No data:**")


def test_describe_heatmap_names_weekday() -> None:
    heatmap = pd.DataFrame(
        {
            "iso_weekday": [1, 7],
            "hour": [9, 22],
            "messages": [5, 8],
            "message_share": [5 / 13, 8 / 13],
        }
    )
    result = conclusions.describe_heatmap(heatmap)
    assert "**Sunday 22:00** UTC" in result.text


def test_describe_requests_rate_over_answered() -> None:
    dynamics = pd.DataFrame(
        {"requests": [10], "accepted": [6], "declined": [2], "pending": [2]}
    )
    result = conclusions.describe_requests(dynamics)
    assert result.values["acceptance_rate"] == 0.75


def test_describe_friend_network_without_friends_is_note() -> None:
    summary = pd.DataFrame({"friend_count": [0, 0]})
    result = conclusions.describe_friend_network(summary)
    assert result.text.startswith("**No data:**")


def test_describe_communities_leaves_out_isolates() -> None:
    metrics = pd.DataFrame(
        {
            "degree": [2, 1, 1, 1, 0],
            "louvain_community": pd.array([0, 0, 0, 1, 2], "Int64"),
        }
    )
    runs = pd.DataFrame({"louvain_modularity": [0.25]})
    result = conclusions.describe_communities(metrics, runs)
    assert result.values["communities"] == 2
    assert result.values["largest_share"] == 0.75
    assert "modularity is **0.250**" in result.text


def test_describe_communities_without_metrics() -> None:
    result = conclusions.describe_communities(pd.DataFrame(), pd.DataFrame())
    assert result.text.startswith("**No data:**")


def test_value_counts_keeps_order_and_zeros() -> None:
    frame = pd.DataFrame({"status": ["dead", "dead", "stable"]})
    counts = conclusions.value_counts(frame, "status", ("thriving", "stable", "dead"))
    assert counts["count"].tolist() == [0, 1, 2]
    assert counts["share"].tolist() == pytest.approx([0, 1 / 3, 2 / 3])


def test_describe_attachments_singular_and_size() -> None:
    files = pd.DataFrame({"mime_family": ["text"], "files": [1], "total_bytes": [1500]})
    result = conclusions.describe_attachments(files)
    assert result.text.startswith("**1** file, **1.5** kB in total")


def test_describe_leaderboard_of_few_users_omits_top_ten() -> None:
    result = conclusions.describe_leaderboard(_leaderboard())
    assert "ten most active" not in result.text


def test_funnel_by_type_sums_weeks() -> None:
    funnel = pd.DataFrame(
        {
            "type": ["mention", "message", "mention", "message"],
            "sent": [2, 0, 2, 0],
            "seen": [1, 0, 2, 0],
            "read": [1, 0, 0, 0],
        }
    )
    totals = conclusions.funnel_by_type(funnel)
    assert totals["type"].tolist() == ["mention", "message"]
    assert totals["seen_rate"].iloc[0] == 0.75
    assert pd.isna(totals["seen_rate"].iloc[1])


def test_describe_notifications_of_nothing_sent_is_note() -> None:
    funnel = pd.DataFrame({"type": ["mention"], "sent": [0], "seen": [0], "read": [0]})
    result = conclusions.describe_notifications(funnel)
    assert result.text == "**No data:** no notification was sent."


def test_describe_anomalies_counts_directions() -> None:
    anomalies = pd.DataFrame(
        {
            "activity_date": [D(2025, 1, 1), D(2025, 1, 2), D(2025, 1, 3)],
            "is_anomaly": pd.array([True, False, True], "boolean"),
            "direction": ["spike", None, "drop"],
        }
    )
    result = conclusions.describe_anomalies(anomalies)
    assert result.values["spikes"] == 1
    assert result.values["drops"] == 1
    assert result.values["latest"] == D(2025, 1, 3)


def test_describe_month_over_month_uses_as_of_month() -> None:
    periods = pd.DataFrame(
        {
            "month": [D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)],
            "messages": [10, 15, 99],
            "active_users": [2, 3, 4],
            "messages_mom_pct": [None, 50.0, 560.0],
        }
    )
    result = conclusions.describe_month_over_month(periods, D(2025, 2, 20))
    assert result.values["messages"] == 15
    assert "+50.0% against the month before" in result.text
