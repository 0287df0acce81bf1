"""The marts as DataFrames: the catalogue read from dbt and a loader through Arrow."""

from chat_analytics.marts.catalogue import (
    DATE_KEY_COLUMNS,
    ColumnInfo,
    MartInfo,
    catalogue,
    list_marts,
    load_manifest,
    mart_info,
)
from chat_analytics.marts.fetch import ColumnType, fetch_relation, relation_columns
from chat_analytics.marts.loader import load_mart

__all__ = [
    "DATE_KEY_COLUMNS",
    "ColumnInfo",
    "ColumnType",
    "MartInfo",
    "catalogue",
    "fetch_relation",
    "list_marts",
    "load_manifest",
    "load_mart",
    "mart_info",
    "relation_columns",
]
