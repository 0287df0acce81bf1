"""Plots of the marts and helpers, as matplotlib figures.

Every function builds a new :class:`matplotlib.figure.Figure` without pyplot,
so nothing is shown, no global state changes and figures are freed with their
last reference. A notebook displays the returned figure; a script saves it
with ``figure.savefig(path)``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
import polars as pl
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from chat_analytics.analysis import RetentionMatrix
from chat_analytics.errors import ConfigurationError

__all__ = [
    "FRIEND_GRAPH_MAX_NODES",
    "plot_active_users",
    "plot_activity_heatmap",
    "plot_cohort_retention",
    "plot_degree_distribution",
    "plot_friend_graph",
    "plot_lifecycle",
    "plot_message_forecast",
    "plot_response_times",
    "plot_retention_curves",
]

logger = logging.getLogger(__name__)

# Above this many nodes a drawing of the graph is an unreadable blot and the
# spring layout takes long; plot_degree_distribution suits large graphs.
FRIEND_GRAPH_MAX_NODES = 500
FIGURE_SIZE = (9.0, 5.0)
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LIFECYCLE_COLORS = {
    "new": "#4c72b0",
    "returning": "#55a868",
    "resurrecting": "#8172b2",
    "dormant": "#c44e52",
}


def _frame(data: pd.DataFrame | pl.DataFrame, columns: Sequence[str], argument: str):
    if isinstance(data, pl.DataFrame):
        data = data.to_pandas()
    if not isinstance(data, pd.DataFrame):
        raise ConfigurationError(
            f"invalid {argument}: expected a pandas or polars DataFrame, "
            f"got {type(data).__name__}"
        )
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise ConfigurationError(
            f"{argument} is missing the column {missing[0]!r} "
            f"(required: {', '.join(columns)})"
        )
    return data


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype(object))


def _new_figure(size: tuple[float, float] = FIGURE_SIZE) -> tuple[Figure, object]:
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _no_data(axes, text: str = "No data") -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes)


# -- retention --------------------------------------------------------------------


def _retention_grid(
    retention: RetentionMatrix | pd.DataFrame | pl.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Return rates and completeness (cohort by period) and the period name."""
    if isinstance(retention, RetentionMatrix):
        return retention.rates, retention.is_complete, retention.grain
    frame = _frame(
        retention,
        ["cohort_month", "months_since_signup", "retention_rate", "is_complete_period"],
        "retention",
    )
    cohorts = _dates(frame["cohort_month"]).dt.date
    grid = pd.DataFrame(
        {
            "cohort": cohorts,
            "period": frame["months_since_signup"].astype("int64"),
            "rate": frame["retention_rate"].astype("float64"),
            "complete": frame["is_complete_period"].astype("boolean").fillna(False),
        }
    )
    rates = grid.pivot(index="cohort", columns="period", values="rate")
    complete = grid.pivot(index="cohort", columns="period", values="complete")
    return rates, complete.fillna(False).astype(bool), "month"


def plot_cohort_retention(
    retention: RetentionMatrix | pd.DataFrame | pl.DataFrame,
    *,
    title: str = "Cohort retention",
) -> Figure:
    """Draw a heatmap of retention by signup cohort and periods since signup.

    Parameters
    ----------
    retention : RetentionMatrix or DataFrame
        A :func:`~chat_analytics.analysis.retention_matrix` result, or the
        ``cohort_retention`` mart (columns ``cohort_month``,
        ``months_since_signup``, ``retention_rate``, ``is_complete_period``).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Cells of periods that had not ended by the as-of date are hatched and
        their labels are in italics, so that a partial period does not read
        as a drop.

    Examples
    --------
    >>> figure = plot_cohort_retention(load_mart("cohort_retention"))  # doctest: +SKIP
    >>> figure.savefig("retention.png")  # doctest: +SKIP
    """
    rates, complete, grain = _retention_grid(retention)
    figure, axes = _new_figure((10.0, max(3.0, 0.4 * len(rates) + 1.5)))
    axes.set_title(title)
    axes.set_xlabel(f"{grain.capitalize()}s since signup")
    axes.set_ylabel("Signup cohort")
    if rates.empty:
        _no_data(axes)
        return figure
    values = rates.to_numpy(dtype="float64")
    image = axes.imshow(
        np.ma.masked_invalid(values), aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0
    )
    figure.colorbar(image, ax=axes, label="Retention rate")
    axes.set_xticks(range(len(rates.columns)), [str(c) for c in rates.columns])
    axes.set_yticks(
        range(len(rates.index)),
        [pd.Timestamp(c).strftime("%Y-%m-%d") for c in rates.index],
    )
    annotate = values.size <= 400
    for row in range(values.shape[0]):
        for column in range(values.shape[1]):
            value = values[row, column]
            if np.isnan(value):
                continue
            is_complete = bool(complete.iloc[row, column])
            if not is_complete:
                axes.add_patch(_hatch_patch(column, row))
            if annotate:
                axes.text(
                    column,
                    row,
                    f"{value:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value < 0.5 else "black",
                    style="normal" if is_complete else "italic",
                )
    return figure


def _hatch_patch(column: int, row: int):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (column - 0.5, row - 0.5),
        1,
        1,
        fill=False,
        hatch="///",
        edgecolor="grey",
        linewidth=0,
    )


def plot_retention_curves(
    retention: RetentionMatrix | pd.DataFrame | pl.DataFrame,
    *,
    max_cohorts: int = 12,
    title: str = "Retention curves",
) -> Figure:
    """Draw one retention curve per cohort (the latest ``max_cohorts`` cohorts).

    Parameters
    ----------
    retention : RetentionMatrix or DataFrame
        As in :func:`plot_cohort_retention`.
    max_cohorts : int
        Draw at most this many cohorts, the most recent ones.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Solid lines over complete periods; the last, incomplete period of a
        cohort is joined with a dotted segment.

    Examples
    --------
    >>> figure = plot_retention_curves(retention_matrix(grain="week"))  # doctest: +SKIP
    """
    rates, complete, grain = _retention_grid(retention)
    figure, axes = _new_figure()
    axes.set_title(title)
    axes.set_xlabel(f"{grain.capitalize()}s since signup")
    axes.set_ylabel("Retention rate")
    if rates.empty:
        _no_data(axes)
        return figure
    for cohort in rates.index[-max_cohorts:]:
        series = rates.loc[cohort].dropna()
        done = complete.loc[cohort, series.index].astype(bool)
        label = pd.Timestamp(cohort).strftime("%Y-%m-%d")
        solid = series[done.to_numpy()]
        (line,) = axes.plot(solid.index, solid.to_numpy(), marker="o", label=label)
        partial = series[~done.to_numpy()]
        if not partial.empty:
            joined = pd.concat([solid.tail(1), partial])
            axes.plot(
                joined.index,
                joined.to_numpy(),
                linestyle=":",
                marker="o",
                color=line.get_color(),
                markerfacecolor="none",
            )
    axes.set_ylim(0, 1.05)
    axes.legend(title="Cohort", fontsize=7, ncols=2)
    return figure


# -- activity ---------------------------------------------------------------------


def plot_active_users(
    active: pd.DataFrame | pl.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    title: str = "Active users",
) -> Figure:
    """Draw daily, weekly and monthly active users over time.

    Parameters
    ----------
    active : DataFrame
        ``activity_date`` and the count columns: the ``daily_active_users``
        mart (``dau``, ``wau``, ``mau_28d``) or
        :func:`~chat_analytics.analysis.active_users` (``dau``, ``wau``, ``mau``).
    columns : sequence of str, optional
        The count columns to draw; by default those of the two sources above
        that are present.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> figure = plot_active_users(load_mart("daily_active_users"))  # doctest: +SKIP
    """
    frame = _frame(active, ["activity_date"], "active")
    if columns is None:
        columns = [c for c in ("dau", "wau", "mau_28d", "mau") if c in frame.columns]
        if not columns:
            raise ConfigurationError(
                "active has none of the columns dau, wau, mau_28d, mau; "
                "pass columns= with the ones to draw"
            )
    frame = _frame(frame, ["activity_date", *columns], "active")
    figure, axes = _new_figure()
    axes.set_title(title)
    axes.set_xlabel("Date")
    axes.set_ylabel("Active users")
    if frame.empty:
        _no_data(axes)
        return figure
    frame = frame.sort_values("activity_date")
    dates = _dates(frame["activity_date"])
    for column in columns:
        axes.plot(dates, frame[column].astype("float64"), label=column.upper())
    axes.legend()
    figure.autofmt_xdate()
    return figure


def plot_lifecycle(
    lifecycle: pd.DataFrame | pl.DataFrame,
    *,
    title: str = "User lifecycle",
) -> Figure:
    """Draw stacked bars of lifecycle states per period, dormant users below zero.

    Parameters
    ----------
    lifecycle : DataFrame
        ``lifecycle_state``, ``user_count`` and the period, either
        ``week_start`` (the ``user_lifecycle`` mart) or ``period_start``
        (:func:`~chat_analytics.analysis.lifecycle_counts`).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        ``new``, ``returning`` and ``resurrecting`` stack upwards; ``dormant``
        hangs below the axis as a negative bar.

    Examples
    --------
    >>> figure = plot_lifecycle(load_mart("user_lifecycle"))  # doctest: +SKIP
    """
    frame = _frame(lifecycle, ["lifecycle_state", "user_count"], "lifecycle")
    period = "week_start" if "week_start" in frame.columns else "period_start"
    frame = _frame(frame, [period, "lifecycle_state", "user_count"], "lifecycle")
    figure, axes = _new_figure()
    axes.set_title(title)
    axes.set_xlabel("Period start")
    axes.set_ylabel("Users")
    if frame.empty:
        _no_data(axes)
        return figure
    table = frame.assign(period=_dates(frame[period])).pivot_table(
        index="period",
        columns="lifecycle_state",
        values="user_count",
        aggfunc="sum",
        fill_value=0,
    )
    periods = table.index
    width = _bar_width(periods)
    bottom = np.zeros(len(periods))
    for state in ("new", "returning", "resurrecting"):
        values = table.get(state, pd.Series(0, index=periods)).to_numpy(dtype="float64")
        axes.bar(
            periods,
            values,
            width=width,
            bottom=bottom,
            label=state,
            color=LIFECYCLE_COLORS[state],
        )
        bottom += values
    dormant = table.get("dormant", pd.Series(0, index=periods)).to_numpy(
        dtype="float64"
    )
    axes.bar(
        periods,
        -dormant,
        width=width,
        label="dormant",
        color=LIFECYCLE_COLORS["dormant"],
    )
    axes.axhline(0, color="black", linewidth=0.8)
    axes.legend()
    figure.autofmt_xdate()
    return figure


def _bar_width(periods: pd.DatetimeIndex) -> float:
    if len(periods) < 2:
        return 5.0
    spacing = np.diff(periods.to_numpy()).min() / np.timedelta64(1, "D")
    return max(0.8 * spacing, 0.5)


def plot_activity_heatmap(
    heatmap: pd.DataFrame | pl.DataFrame,
    *,
    value: str = "messages",
    title: str = "Activity by weekday and hour (UTC)",
) -> Figure:
    """Draw a weekday by hour heatmap.

    Parameters
    ----------
    heatmap : DataFrame
        ``iso_weekday`` (1 = Monday), ``hour`` (0-23) and ``value``, such as
        the ``activity_heatmap`` mart.
    value : str
        The column to colour by.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Missing weekday-hour cells count as zero.

    Examples
    --------
    >>> figure = plot_activity_heatmap(load_mart("activity_heatmap"))  # doctest: +SKIP
    """
    frame = _frame(heatmap, ["iso_weekday", "hour", value], "heatmap")
    grid = np.zeros((7, 24))
    for weekday, hour, amount in zip(
        frame["iso_weekday"], frame["hour"], frame[value], strict=True
    ):
        if pd.notna(weekday) and pd.notna(hour) and pd.notna(amount):
            grid[int(weekday) - 1, int(hour)] = float(amount)
    figure, axes = _new_figure((11.0, 4.0))
    axes.set_title(title)
    axes.set_xlabel("Hour of day (UTC)")
    axes.set_ylabel("Weekday")
    image = axes.imshow(grid, aspect="auto", cmap="magma")
    figure.colorbar(image, ax=axes, label=value.replace("_", " ").capitalize())
    axes.set_xticks(range(0, 24, 2))
    axes.set_yticks(range(7), WEEKDAY_LABELS)
    if frame.empty:
        _no_data(axes)
    return figure


def plot_response_times(
    responses: pd.DataFrame | pl.DataFrame,
    *,
    bins: int = 50,
    title: str = "Response times",
) -> Figure:
    """Draw a histogram of response latencies on a logarithmic time axis.

    Parameters
    ----------
    responses : DataFrame
        ``response_seconds`` and optionally ``is_ai``, such as
        :func:`~chat_analytics.analysis.response_time_distribution` returns.
    bins : int
        Number of logarithmic bins.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        With ``is_ai``, AI and human responses are drawn apart; the median of
        each is marked. Latencies of 0 s are drawn in the first bin (0.1 s).

    Examples
    --------
    >>> figure = plot_response_times(response_time_distribution())  # doctest: +SKIP
    """
    frame = _frame(responses, ["response_seconds"], "responses")
    figure, axes = _new_figure()
    axes.set_title(title)
    axes.set_xlabel("Response time (seconds, log scale)")
    axes.set_ylabel("Responses")
    seconds = frame["response_seconds"].astype("float64")
    valid = seconds.notna() & (seconds >= 0)
    if not valid.any():
        _no_data(axes)
        return figure
    clipped = seconds[valid].clip(lower=0.1)
    edges = np.logspace(
        np.log10(0.1), np.log10(max(clipped.max(), 1.0)) + 0.01, bins + 1
    )
    groups = [("all responses", clipped)]
    if "is_ai" in frame.columns:
        is_ai = frame.loc[valid, "is_ai"].astype("boolean").fillna(False).to_numpy(bool)
        groups = [("human", clipped[~is_ai]), ("AI", clipped[is_ai])]
    for label, values in groups:
        if values.empty:
            continue
        (_, _, patches) = axes.hist(values, bins=edges, alpha=0.6, label=label)
        color = patches[0].get_facecolor()
        axes.axvline(
            values.median(),
            color=color,
            linestyle="--",
            alpha=1.0,
            label=f"median {label}: {values.median():.0f} s",
        )
    axes.set_xscale("log")
    axes.legend()
    return figure


def plot_message_forecast(
    forecast: pd.DataFrame | pl.DataFrame,
    *,
    history_days: int | None = 180,
    title: str = "Message volume and forecast",
) -> Figure:
    """Draw daily messages, their moving averages and the forecast.

    Parameters
    ----------
    forecast : DataFrame
        The ``message_volume_forecast`` mart: ``activity_date``, ``messages``,
        ``forecast`` and ``is_forecast``; ``ma7`` and ``ma28`` are drawn when
        present.
    history_days : int or None
        Show only this many days of history before the forecast; None for all.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        History as bars, moving averages as lines, the forecast as a dashed
        line over the future days.

    Examples
    --------
    >>> forecast = load_mart("message_volume_forecast")  # doctest: +SKIP
    >>> figure = plot_message_forecast(forecast)  # doctest: +SKIP
    """
    frame = _frame(
        forecast, ["activity_date", "messages", "forecast", "is_forecast"], "forecast"
    )
    figure, axes = _new_figure()
    axes.set_title(title)
    axes.set_xlabel("Date")
    axes.set_ylabel("Messages per day")
    if frame.empty:
        _no_data(axes)
        return figure
    frame = frame.assign(day=_dates(frame["activity_date"])).sort_values("day")
    future = frame["is_forecast"].astype("boolean").fillna(False).to_numpy(bool)
    history = frame[~future]
    if history_days is not None and not history.empty:
        start = history["day"].max() - pd.Timedelta(days=history_days - 1)
        history = history[history["day"] >= start]
    axes.bar(
        history["day"],
        history["messages"].astype("float64"),
        width=0.8,
        color="#c0c8d8",
        label="messages",
    )
    for column, style in (("ma7", "-"), ("ma28", "-")):
        if column in frame.columns:
            axes.plot(
                history["day"],
                history[column].astype("float64"),
                style,
                label=column.upper(),
            )
    projected = frame[future]
    if not projected.empty:
        axes.plot(
            projected["day"],
            projected["forecast"].astype("float64"),
            "--",
            color="#c44e52",
            label="forecast",
        )
        axes.axvline(projected["day"].min(), color="grey", linewidth=0.8)
    axes.legend()
    figure.autofmt_xdate()
    return figure


# -- graph ------------------------------------------------------------------------


def plot_friend_graph(
    G: nx.Graph,
    communities: dict | pd.Series | None = None,
    *,
    max_nodes: int = FRIEND_GRAPH_MAX_NODES,
    sample: bool = False,
    seed: int = 0,
    title: str = "Friend graph",
) -> Figure:
    """Draw the friend graph with nodes coloured by community.

    Parameters
    ----------
    G : networkx.Graph
        The graph, such as :func:`~chat_analytics.graph.friend_graph` returns.
    communities : dict or pandas.Series, optional
        Community number by node (for example the ``louvain_community``
        column indexed by ``user_id``); nodes without one are grey.
    max_nodes : int
        Largest graph drawn whole.
    sample : bool
        Above ``max_nodes``, draw the subgraph of the ``max_nodes`` nodes with
        the highest degree (ties by node as text) instead of raising.
    seed : int
        Seed of the spring layout.
    title : str
        Figure title; the number of nodes drawn is appended.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigurationError
        When ``G`` has more than ``max_nodes`` nodes and ``sample`` is false;
        use :func:`plot_degree_distribution` for large graphs.

    Examples
    --------
    >>> from chat_analytics.graph import graph_metrics
    >>> G = nx.karate_club_graph()
    >>> users = graph_metrics(G, seed=2).users.set_index("user_id")
    >>> figure = plot_friend_graph(G, users["louvain_community"])
    >>> figure.axes[0].get_title()
    'Friend graph'
    """
    n = G.number_of_nodes()
    if n > max_nodes:
        if not sample:
            raise ConfigurationError(
                f"the graph has {n} nodes, above max_nodes={max_nodes}; pass "
                "sample=True to draw the most connected nodes, raise max_nodes, "
                "or use plot_degree_distribution"
            )
        ranked = sorted(G.degree(), key=lambda item: (-item[1], str(item[0])))
        G = G.subgraph([node for node, _ in ranked[:max_nodes]])
        logger.info("drawing %d of %d nodes, the most connected", max_nodes, n)
    figure, axes = _new_figure((8.0, 8.0))
    shown = G.number_of_nodes()
    axes.set_title(f"{title} ({shown} of {n} users)" if shown < n else title)
    axes.set_axis_off()
    if shown == 0:
        _no_data(axes)
        return figure
    position = nx.spring_layout(G, seed=seed)
    membership = _membership(G, communities)
    numbers = sorted({c for c in membership.values() if c is not None})
    palette = ListedColormap(
        [
            "#4c72b0",
            "#dd8452",
            "#55a868",
            "#c44e52",
            "#8172b3",
            "#937860",
            "#da8bc3",
            "#8c8c8c",
            "#ccb974",
            "#64b5cd",
        ]
    )
    colors = [
        palette(numbers.index(membership[node]) % palette.N)
        if membership.get(node) is not None
        else "#d0d0d0"
        for node in G
    ]
    degrees = np.array([G.degree(node) for node in G], dtype="float64")
    sizes = 20 + 80 * degrees / max(degrees.max(), 1.0)
    nx.draw_networkx_edges(G, position, ax=axes, alpha=0.25, width=0.6)
    nx.draw_networkx_nodes(
        G, position, ax=axes, node_color=colors, node_size=sizes, linewidths=0
    )
    return figure


def _membership(G: nx.Graph, communities: dict | pd.Series | None) -> dict:
    if communities is None:
        return {}
    if isinstance(communities, pd.Series):
        communities = communities.to_dict()
    by_text = {str(node): value for node, value in communities.items()}
    result = {}
    for node in G:
        value = communities.get(node, by_text.get(str(node)))
        result[node] = None if value is None or pd.isna(value) else int(value)
    return result


def plot_degree_distribution(
    G: nx.Graph | pd.Series | Sequence[int],
    *,
    title: str = "Degree distribution",
) -> Figure:
    """Draw how many users have each number of friends, on log-log axes.

    Parameters
    ----------
    G : networkx.Graph or sequence of int
        A graph, or the degrees themselves (such as the ``degree`` column of
        the graph metrics).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Users without friends (degree 0) cannot sit on a log axis; their
        count is given in the legend.

    Examples
    --------
    >>> figure = plot_degree_distribution(friend_graph())  # doctest: +SKIP
    """
    if isinstance(G, nx.Graph):
        degrees = np.array([degree for _, degree in G.degree()], dtype="int64")
    else:
        degrees = pd.Series(G).dropna().astype("int64").to_numpy()
    figure, axes = _new_figure()
    axes.set_title(title)
    axes.set_xlabel("Friends (degree, log scale)")
    axes.set_ylabel("Users (log scale)")
    if degrees.size == 0:
        _no_data(axes)
        return figure
    values, counts = np.unique(degrees, return_counts=True)
    positive = values > 0
    isolated = int(counts[~positive].sum())
    if positive.any():
        axes.loglog(
            values[positive],
            counts[positive],
            "o",
            markersize=4,
            label=f"{int(counts[positive].sum())} users with friends",
        )
    else:
        _no_data(axes, "No user has friends")
    if isolated:
        axes.plot([], [], " ", label=f"{isolated} users without friends")
    axes.legend()
    return figure
