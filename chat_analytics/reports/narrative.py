"""Tables, figures and computed conclusions for the report notebooks.

Every helper accepts an empty mart and then shows a "No data" note instead of
failing: a Slack export has no notifications, for example. Conclusions are
:class:`Conclusion` objects whose numbers come from the DataFrames passed in,
so a report never states a number that was typed by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import platform
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata

import pandas as pd

from chat_analytics.errors import ChatAnalyticsError

__all__ = [
    "NO_DATA",
    "Conclusion",
    "configure_kernel",
    "describe_scope",
    "figure_title",
    "load_optional",
    "no_data",
    "package_versions",
    "resolve_as_of",
    "show_figure",
    "show_table",
]

logger = logging.getLogger(__name__)

# The words that start every note about a missing input, so that readers and
# tests can find them.
NO_DATA = "No data"
FIGURE_DPI = 100
VERSION_PACKAGES = (
    "chat-analytics",
    "pandas",
    "polars",
    "networkx",
    "dbt-core",
    "matplotlib",
)


@dataclass(frozen=True)
class Conclusion:
    """A sentence or two of Markdown and the numbers it states.

    Attributes
    ----------
    text : str
        Markdown shown in the notebook; numbers are in bold.
    values : dict
        The numbers of ``text`` before formatting, keyed by name.
    """

    text: str
    values: Mapping[str, object] = field(default_factory=dict)

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def no_data(note: str) -> Conclusion:
    """Return the note shown in place of a table, figure or conclusion.

    Examples
    --------
    >>> no_data("the export has no notifications.").text
    '**No data:** the export has no notifications.'
    """
    return Conclusion(f"**{NO_DATA}:** {note}")


def configure_kernel() -> None:
    """Keep the notebook's stderr empty by printing package log records to stdout.

    Records of the ``chat_analytics`` loggers at WARNING or above are printed
    to stdout, so they stay visible in the report without marking it as
    failed. Calling it again adds no second handler.
    """
    package_logger = logging.getLogger("chat_analytics")
    if not any(getattr(h, "_report_handler", False) for h in package_logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._report_handler = True  # type: ignore[attr-defined]
        package_logger.addHandler(handler)
    package_logger.propagate = False


def resolve_as_of(dsn: str | None, as_of: str | dt.date | None) -> dt.date | None:
    """Return the as-of date of a report: ``as_of``, else the newest message's date.

    Returns None when ``as_of`` is None and the warehouse has no messages.

    Raises
    ------
    ConfigurationError
        When ``as_of`` is not a ``YYYY-MM-DD`` date.
    """
    from chat_analytics.errors import ConfigurationError
    from chat_analytics.graph import default_as_of_date

    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    if as_of is None:
        return default_as_of_date(dsn)
    try:
        return dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise ConfigurationError(
            f"invalid as_of {as_of!r}: give a date as YYYY-MM-DD"
        ) from None


def describe_scope(dsn: str | None, as_of: dt.date | None) -> Conclusion:
    """State which warehouse a report reads (password hidden) and its as-of date."""
    from chat_analytics.warehouse.connection import redact_dsn, resolve_dsn

    where = redact_dsn(resolve_dsn(dsn))
    when = "no as-of date (no messages)" if as_of is None else f"as of **{as_of}**"
    return Conclusion(f"Warehouse `{where}`, {when}.", {"as_of": as_of})


def load_optional(
    name: str, dsn: str | None = None, *, schema: str | None = None, **options
) -> pd.DataFrame:
    """Load a relation with ``load_mart``, or return an empty frame if it is missing.

    Use it for relations that a warehouse may lack, such as the graph metrics
    before ``chat-analytics graph`` has run. ``options`` go to
    :func:`chat_analytics.marts.load_mart`.

    Returns
    -------
    pandas.DataFrame
        The rows, or an empty DataFrame without columns when ``schema.name``
        does not exist.
    """
    from chat_analytics.marts import load_mart, relation_columns
    from chat_analytics.transform import marts_schema
    from chat_analytics.warehouse.connection import connect

    schema = schema or marts_schema()
    with connect(dsn) as connection:
        exists = bool(relation_columns(connection, schema, name))
    if not exists:
        logger.info("relation %s.%s does not exist; shown as no data", schema, name)
        return pd.DataFrame()
    return load_mart(name, dsn=dsn, schema=schema, **options)


def show_table(
    frame: pd.DataFrame,
    caption: str,
    empty_note: str,
    *,
    rows: int = 10,
    columns: list[str] | None = None,
    formats: Mapping[str, str] | None = None,
) -> object:
    """Return the first ``rows`` rows of ``frame`` as a captioned table, or a note.

    Parameters
    ----------
    frame : pandas.DataFrame or polars.DataFrame
        The rows to show, already sorted.
    caption : str
        Caption above the table.
    empty_note : str
        Shown after "No data:" when ``frame`` has no rows.
    rows : int
        Maximum number of rows shown.
    columns : list of str, optional
        Columns to show, in order; by default all of them.
    formats : mapping of str to str, optional
        Format strings by column, such as ``{"share": "{:.1%}"}``. Other
        numbers get thousands separators and 3 decimals.

    Returns
    -------
    pandas.io.formats.style.Styler or Conclusion
        A styled table without the index, or the note.
    """
    if not isinstance(frame, pd.DataFrame):
        frame = frame.to_pandas()
    if frame.empty:
        return no_data(empty_note)
    shown = frame.head(rows)
    if columns is not None:
        shown = shown[columns]
    styler = shown.style.set_caption(caption).hide(axis="index")
    styler = styler.format(precision=3, thousands=",", na_rep="n/a")
    if formats:
        styler = styler.format(dict(formats), subset=list(formats), na_rep="n/a")
    return styler


def figure_title(figure) -> str:
    """Return the title of a matplotlib Figure: its suptitle, else its first axes title.

    Raises
    ------
    ChatAnalyticsError
        When the figure has no title, which every report figure needs.
    """
    suptitle = figure.get_suptitle() if hasattr(figure, "get_suptitle") else ""
    if suptitle:
        return suptitle
    for axes in figure.get_axes():
        if axes.get_title():
            return axes.get_title()
    raise ChatAnalyticsError(
        "the report figure has no title; set one with fig.suptitle() or ax.set_title()"
    )


def show_figure(
    frame: pd.DataFrame,
    draw: Callable[[pd.DataFrame], object],
    empty_note: str,
) -> None:
    """Display the Figure that ``draw(frame)`` returns as a PNG, or a note if empty.

    The PNG is rendered here rather than by the notebook's matplotlib
    backend, so a figure shows exactly once whichever backend is active.
    The figure's title becomes the ``alt`` text of the PNG output, where
    tests and readers of the notebook file find it.
    """
    from IPython.display import Image, display
    from matplotlib import pyplot as plt

    if frame is None or len(frame) == 0:
        display(no_data(empty_note))
        return
    figure = draw(frame)
    title = figure_title(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(figure)
    display(
        Image(data=buffer.getvalue(), format="png"),
        metadata={"image/png": {"alt": title}},
    )


def package_versions() -> pd.DataFrame:
    """Return the Python and package versions that the report ran with.

    Returns
    -------
    pandas.DataFrame
        Columns ``package`` and ``version``; ``not installed`` for a missing one.
    """
    rows = [("python", platform.python_version())]
    for name in VERSION_PACKAGES:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return pd.DataFrame(rows, columns=["package", "version"])
