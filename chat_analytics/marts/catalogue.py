"""The catalogue of marts, read from the manifest that ``dbt parse`` writes."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chat_analytics.errors import ConfigurationError
from chat_analytics.transform import dbt_project_dir, run_dbt

__all__ = [
    "DATE_KEY_COLUMNS",
    "ColumnInfo",
    "MartInfo",
    "list_marts",
    "catalogue",
    "mart_info",
    "load_manifest",
]

logger = logging.getLogger(__name__)

# Names of the date columns that key a mart by period, in the order that a
# mart's date key is searched for: the first of its columns with one of these
# names is the key that ``load_mart(start=..., end=...)`` filters on.
DATE_KEY_COLUMNS = ("activity_date", "week_start", "month", "cohort_month")
# Folders of the dbt project whose changes make a manifest out of date.
PROJECT_FOLDERS = ("models", "macros", "tests")


@dataclass(frozen=True)
class ColumnInfo:
    """A documented column of a mart.

    Attributes
    ----------
    name : str
        Column name.
    description : str
        The column's description from the model's YAML file.
    data_type : str or None
        The declared ``data_type``, when the YAML file gives one.
    """

    name: str
    description: str
    data_type: str | None = None


@dataclass(frozen=True)
class MartInfo:
    """One mart of the dbt project.

    Attributes
    ----------
    number : int
        The query number (``meta.query_number``).
    name : str
        The dbt model name, which is also the table name.
    category : str
        ``meta.category``, such as ``user_activity`` or ``graph``.
    description : str
        The model description; it ends with the grain ("One row per ...").
    columns : tuple of ColumnInfo
        The documented columns, in the order of the YAML file.
    date_key : str or None
        The date column that keys the mart by period, or None.
    schema : str
        The schema that dbt builds the mart in.
    """

    number: int
    name: str
    category: str
    description: str
    columns: tuple[ColumnInfo, ...]
    date_key: str | None
    schema: str

    def column_frame(self) -> pd.DataFrame:
        """Return the documented columns as a DataFrame (name, description, data_type).

        Examples
        --------
        >>> mart_info("daily_active_users").column_frame().head(2)  # doctest: +SKIP
        """
        return pd.DataFrame(
            [(c.name, c.description, c.data_type) for c in self.columns],
            columns=["name", "description", "data_type"],
        )


def date_key_of(column_names: list[str]) -> str | None:
    """Return the first of ``column_names`` that is in :data:`DATE_KEY_COLUMNS`."""
    for name in column_names:
        if name in DATE_KEY_COLUMNS:
            return name
    return None


def _newest_project_change(project: Path) -> float:
    newest = (project / "dbt_project.yml").stat().st_mtime
    for folder in PROJECT_FOLDERS:
        for path in (project / folder).rglob("*"):
            if path.suffix in (".sql", ".yml", ".yaml") and path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


# Manifest path per (project folder, database), for reuse within a process.
_manifest_paths: dict[tuple[str, str | None], Path] = {}


def load_manifest(
    *, dsn: str | None = None, manifest: str | Path | None = None
) -> dict:
    """Read the dbt manifest, running ``dbt parse`` when it is missing or out of date.

    Parameters
    ----------
    dsn : str, optional
        Warehouse connection string; it selects dbt's target folder.
    manifest : str or Path, optional
        A ``manifest.json`` to read as it is, such as one written by your own
        ``dbt parse``; no dbt command runs then.

    Returns
    -------
    dict
        The parsed manifest.

    Raises
    ------
    ConfigurationError
        When ``manifest`` does not exist.
    BuildError
        When ``dbt parse`` fails.

    Notes
    -----
    The manifest of the previous ``dbt parse`` in this process is reused while
    no ``.sql`` or ``.yml`` file of the project is newer than it. The first
    call in a process runs ``dbt parse``, which takes a few seconds.

    Examples
    --------
    >>> manifest = load_manifest()  # doctest: +SKIP
    >>> manifest["metadata"]["project_name"]  # doctest: +SKIP
    'chat_analytics'
    """
    if manifest is not None:
        path = Path(manifest).expanduser()
        if not path.is_file():
            raise ConfigurationError(
                f"manifest {path} not found; run 'dbt parse' or pass the path "
                "of target/manifest.json"
            )
        return json.loads(path.read_text(encoding="utf-8"))
    project = dbt_project_dir()
    key = (str(project), dsn)
    path = _manifest_paths.get(key)
    if (
        path is None
        or not path.is_file()
        or path.stat().st_mtime < _newest_project_change(project)
    ):
        logger.info("running dbt parse to read the mart catalogue")
        result = run_dbt("parse", dsn=dsn)
        path = Path(result.target_path) / "manifest.json"
        _manifest_paths[key] = path
    return json.loads(path.read_text(encoding="utf-8"))


def _mart_from_node(node: dict) -> MartInfo | None:
    meta = {**(node.get("meta") or {}), **(node.get("config", {}).get("meta") or {})}
    number = meta.get("query_number")
    if number is None or node.get("fqn", [None, None])[1] != "marts":
        return None
    columns = tuple(
        ColumnInfo(
            name=column["name"],
            description=(column.get("description") or "").strip(),
            data_type=column.get("data_type"),
        )
        for column in node.get("columns", {}).values()
    )
    date_key = meta.get("date_key") or date_key_of([c.name for c in columns])
    return MartInfo(
        number=int(number),
        name=node["name"],
        category=str(meta.get("category") or node["fqn"][2]),
        description=" ".join((node.get("description") or "").split()),
        columns=columns,
        date_key=date_key,
        schema=node["schema"],
    )


def list_marts(
    *, dsn: str | None = None, manifest: str | Path | None = None
) -> list[MartInfo]:
    """Return every mart of the dbt project that has a ``meta.query_number``.

    Parameters
    ----------
    dsn : str, optional
        Warehouse connection string (selects dbt's target folder).
    manifest : str or Path, optional
        Read this ``manifest.json`` instead of running ``dbt parse``.

    Returns
    -------
    list of MartInfo
        Sorted by query number.

    Examples
    --------
    >>> [mart.name for mart in list_marts()][:2]  # doctest: +SKIP
    ['user_activity_leaderboard', 'friend_network_summary']
    """
    nodes = load_manifest(dsn=dsn, manifest=manifest).get("nodes", {})
    marts = []
    for node in nodes.values():
        if node.get("resource_type") != "model":
            continue
        mart = _mart_from_node(node)
        if mart is not None:
            marts.append(mart)
    return sorted(marts, key=lambda mart: (mart.number, mart.name))


def catalogue(
    *, dsn: str | None = None, manifest: str | Path | None = None
) -> pd.DataFrame:
    """Return the mart catalogue as a DataFrame, one row per mart.

    Parameters
    ----------
    dsn : str, optional
        Warehouse connection string (selects dbt's target folder).
    manifest : str or Path, optional
        Read this ``manifest.json`` instead of running ``dbt parse``.

    Returns
    -------
    pandas.DataFrame
        Columns ``number``, ``name``, ``category``, ``description``,
        ``date_key`` (None when the mart has no period key) and ``columns``
        (the list of column names), sorted by number.

    Examples
    --------
    >>> catalogue().query("category == 'graph'")[["number", "name"]]  # doctest: +SKIP
        number                        name
    30      31  activity_by_graph_segment
    """
    marts = list_marts(dsn=dsn, manifest=manifest)
    return pd.DataFrame(
        {
            "number": pd.array([m.number for m in marts], dtype="Int64"),
            "name": [m.name for m in marts],
            "category": [m.category for m in marts],
            "description": [m.description for m in marts],
            "date_key": [m.date_key for m in marts],
            "columns": [[c.name for c in m.columns] for m in marts],
        }
    )


def mart_info(
    name_or_number: str | int,
    *,
    dsn: str | None = None,
    manifest: str | Path | None = None,
) -> MartInfo:
    """Return the catalogue entry of one mart, by name or query number.

    Parameters
    ----------
    name_or_number : str or int
        A mart name such as ``"daily_active_users"``, or its query number
        (``5`` or ``"5"``).
    dsn, manifest
        As in :func:`list_marts`.

    Returns
    -------
    MartInfo

    Raises
    ------
    ConfigurationError
        When no mart has that name or number; the message lists close matches.

    Examples
    --------
    >>> mart_info(5).name  # doctest: +SKIP
    'daily_active_users'
    """
    marts = list_marts(dsn=dsn, manifest=manifest)
    return find_mart(marts, name_or_number)


def find_mart(marts: list[MartInfo], name_or_number: str | int) -> MartInfo:
    """Return the mart with that name or number; raise with close matches if none."""
    number = _as_number(name_or_number)
    if number is not None:
        for mart in marts:
            if mart.number == number:
                return mart
        numbers = sorted({mart.number for mart in marts})
        raise ConfigurationError(
            f"no mart has query number {number}; the catalogue has numbers "
            f"{_number_ranges(numbers)}"
        )
    name = str(name_or_number)
    for mart in marts:
        if mart.name == name:
            return mart
    raise ConfigurationError(unknown_mart_message(name, [m.name for m in marts]))


def unknown_mart_message(name: str, known: list[str]) -> str:
    """Return the error message for an unknown mart ``name``, with close matches."""
    import difflib

    matches = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    if matches:
        hint = "did you mean " + " or ".join(repr(match) for match in matches) + "?"
    else:
        hint = "see chat_analytics.catalogue() for the list of marts"
    return f"unknown mart {name!r}; {hint}"


def _as_number(name_or_number: str | int) -> int | None:
    if isinstance(name_or_number, bool):
        raise ConfigurationError(
            f"invalid mart {name_or_number!r}: give a mart name or query number"
        )
    if isinstance(name_or_number, int):
        return name_or_number
    text = str(name_or_number).strip()
    return int(text) if text.isdigit() else None


def _number_ranges(numbers: list[int]) -> str:
    if not numbers:
        return "none (no mart has meta.query_number yet)"
    ranges = []
    start = previous = numbers[0]
    for number in numbers[1:] + [None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        ranges.append(f"{start}" if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    return ", ".join(ranges)
