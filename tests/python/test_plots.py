"""Every plot renders to PNG with its title and axis labels, without pyplot."""

from __future__ import annotations

import io

import matplotlib
import networkx as nx
import pandas as pd
import polars as pl
import pytest
from matplotlib.figure import Figure

from chat_analytics.analysis import (
    active_users,
    lifecycle_counts,
    response_time_distribution,
    retention_matrix,
)
from chat_analytics.errors import ConfigurationError
from chat_analytics.graph import graph_metrics
from chat_analytics.reports.plots import (
    plot_active_users,
    plot_activity_heatmap,
    plot_cohort_retention,
    plot_degree_distribution,
    plot_friend_graph,
    plot_lifecycle,
    plot_message_forecast,
    plot_response_times,
    plot_retention_curves,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ACTIVITY = pd.DataFrame(
    {
        "user_id": ["a", "a", "b", "b", "c", "a"],
        "activity_date": [
            "2025-01-03",
            "2025-02-10",
            "2025-01-20",
            "2025-03-15",
            "2025-02-05",
            "2025-03-02",
        ],
    }
)
PROFILES = pd.DataFrame(
    {
        "user_id": ["a", "b", "c"],
        "signup_date": ["2025-01-01", "2025-01-15", "2025-02-03"],
    }
)


def render(figure: Figure) -> bytes:
    assert isinstance(figure, Figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def labels(figure: Figure) -> tuple[str, str, str]:
    axes = figure.axes[0]
    return axes.get_title(), axes.get_xlabel(), axes.get_ylabel()


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """Fail when a plot function opened a pyplot figure."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


def cohort_mart() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cohort_month": pd.to_datetime(
                ["2025-01-01", "2025-01-01", "2025-02-01"]
            ).date,
            "cohort_size": [10, 10, 4],
            "months_since_signup": [0, 1, 0],
            "active_users": [10, 4, 2],
            "retention_rate": [1.0, 0.4, 0.5],
            "is_complete_period": [True, False, False],
        }
    )


def test_cohort_heatmap_from_helper():
    matrix = retention_matrix(ACTIVITY, PROFILES, as_of="2025-03-20")
    figure = plot_cohort_retention(matrix)
    assert render(figure).startswith(PNG_SIGNATURE)
    assert labels(figure) == (
        "Cohort retention",
        "Months since signup",
        "Signup cohort",
    )


def test_cohort_heatmap_from_mart_hatches_incomplete():
    figure = plot_cohort_retention(cohort_mart(), title="Retention by cohort")
    render(figure)
    assert labels(figure)[0] == "Retention by cohort"
    hatched = [patch for patch in figure.axes[0].patches if patch.get_hatch()]
    assert len(hatched) == 2
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert texts == ["100%", "40%", "50%"]


def test_cohort_heatmap_accepts_polars():
    figure = plot_cohort_retention(pl.from_pandas(cohort_mart()))
    assert render(figure).startswith(PNG_SIGNATURE)


def test_cohort_heatmap_missing_column():
    with pytest.raises(ConfigurationError, match="missing the column 'retention_rate'"):
        plot_cohort_retention(cohort_mart().drop(columns="retention_rate"))


def test_retention_curves():
    matrix = retention_matrix(ACTIVITY, PROFILES, grain="week", as_of="2025-03-20")
    figure = plot_retention_curves(matrix)
    render(figure)
    assert labels(figure) == (
        "Retention curves",
        "Weeks since signup",
        "Retention rate",
    )
    assert figure.axes[0].get_legend() is not None


def test_active_users_lines_from_helper():
    figure = plot_active_users(active_users(ACTIVITY, as_of="2025-03-20"))
    render(figure)
    assert labels(figure) == ("Active users", "Date", "Active users")
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend == ["DAU", "WAU", "MAU"]


def test_active_users_lines_from_mart():
    mart = pd.DataFrame(
        {
            "activity_date": pd.date_range("2025-01-01", periods=3).date,
            "dau": [1, 2, 3],
            "wau": [1, 3, 4],
            "mau_28d": [1, 3, 5],
        }
    )
    figure = plot_active_users(mart)
    render(figure)
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend == ["DAU", "WAU", "MAU_28D"]


def test_lifecycle_dormant_below_zero():
    counts = lifecycle_counts(ACTIVITY, grain="month", as_of="2025-03-20")
    figure = plot_lifecycle(counts)
    render(figure)
    assert labels(figure) == ("User lifecycle", "Period start", "Users")
    heights = [bar.get_height() for bar in figure.axes[0].patches]
    assert min(heights) < 0
    dormant = counts[counts["lifecycle_state"] == "dormant"]["user_count"].sum()
    assert -sum(h for h in heights if h < 0) == dormant


def test_lifecycle_from_weekly_mart():
    mart = pd.DataFrame(
        {
            "week_start": ["2025-01-06"] * 4,
            "lifecycle_state": ["new", "returning", "resurrecting", "dormant"],
            "user_count": [3, 1, 0, 2],
        }
    )
    figure = plot_lifecycle(mart)
    render(figure)
    heights = sorted(bar.get_height() for bar in figure.axes[0].patches)
    assert heights == [-2, 0, 1, 3]


def test_activity_heatmap_grid():
    heatmap = pd.DataFrame(
        {
            "iso_weekday": [weekday for weekday in range(1, 8) for _ in range(24)],
            "hour": list(range(24)) * 7,
            "messages": list(range(168)),
        }
    )
    figure = plot_activity_heatmap(heatmap)
    render(figure)
    assert labels(figure) == (
        "Activity by weekday and hour (UTC)",
        "Hour of day (UTC)",
        "Weekday",
    )
    grid = figure.axes[0].images[0].get_array()
    assert grid.shape == (7, 24)
    assert grid[6, 23] == 167
    ticks = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert ticks[0] == "Mon"


def test_response_time_histogram():
    messages = pd.DataFrame(
        {
            "chat_id": ["c"] * 4,
            "speaker_id": ["u1", "ai:x", "u1", "ai:x"],
            "created_at": pd.to_datetime(
                [
                    "2025-01-01 10:00:00",
                    "2025-01-01 10:00:02",
                    "2025-01-01 10:05:02",
                    "2025-01-01 10:05:05",
                ]
            ),
        }
    )
    figure = plot_response_times(response_time_distribution(messages))
    render(figure)
    assert labels(figure) == (
        "Response times",
        "Response time (seconds, log scale)",
        "Responses",
    )
    assert figure.axes[0].get_xscale() == "log"


def test_message_forecast_with_history():
    days = pd.date_range("2025-01-01", periods=20)
    future = [False] * 14 + [True] * 6
    forecast = pd.DataFrame(
        {
            "activity_date": days.date,
            "messages": [10.0] * 14 + [None] * 6,
            "ma7": [10.0] * 14 + [None] * 6,
            "forecast": [11.0] * 20,
            "is_forecast": future,
        }
    )
    figure = plot_message_forecast(forecast)
    render(figure)
    assert labels(figure) == ("Message volume and forecast", "Date", "Messages per day")
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend == ["MA7", "forecast", "messages"]
    assert len(figure.axes[0].patches) == 14


def test_friend_graph_coloured_by_community():
    G = nx.karate_club_graph()
    users = graph_metrics(G, seed=2).users
    communities = dict(zip(users["user_id"], users["louvain_community"], strict=True))
    figure = plot_friend_graph(G, communities)
    render(figure)
    assert figure.axes[0].get_title() == "Friend graph"
    nodes = figure.axes[0].collections[-1]
    assert len({tuple(color) for color in nodes.get_facecolors()}) == 4


def test_friend_graph_rejects_large_graph():
    with pytest.raises(ConfigurationError, match="above max_nodes=20"):
        plot_friend_graph(nx.path_graph(30), max_nodes=20)


def test_friend_graph_samples_most_connected():
    figure = plot_friend_graph(nx.star_graph(30), max_nodes=10, sample=True)
    render(figure)
    assert figure.axes[0].get_title() == "Friend graph (10 of 31 users)"


def test_degree_distribution_counts_isolated():
    G = nx.star_graph(5)
    G.add_nodes_from(["x", "y"])
    figure = plot_degree_distribution(G)
    render(figure)
    assert labels(figure) == (
        "Degree distribution",
        "Friends (degree, log scale)",
        "Users (log scale)",
    )
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend == ["6 users with friends", "2 users without friends"]


@pytest.mark.parametrize(
    ("function", "frame"),
    [
        (plot_active_users, pd.DataFrame({"activity_date": [], "dau": []})),
        (
            plot_lifecycle,
            pd.DataFrame({"week_start": [], "lifecycle_state": [], "user_count": []}),
        ),
        (
            plot_message_forecast,
            pd.DataFrame(
                {"activity_date": [], "messages": [], "forecast": [], "is_forecast": []}
            ),
        ),
        (plot_response_times, pd.DataFrame({"response_seconds": []})),
    ],
    ids=["active_users", "lifecycle", "forecast", "response_times"],
)
def test_empty_input_says_no_data(function, frame):
    figure = function(frame)
    render(figure)
    assert [text.get_text() for text in figure.axes[0].texts] == ["No data"]


def test_backend_untouched():
    backend = matplotlib.get_backend()
    render(plot_degree_distribution([1, 2, 2, 3]))
    assert matplotlib.get_backend() == backend
