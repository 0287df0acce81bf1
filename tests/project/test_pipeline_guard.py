"""The pipeline refuses to mix generated datasets and can empty the warehouse."""

from __future__ import annotations

import pytest

from chat_analytics.errors import ConfigurationError
from chat_analytics.ingest.generate import generate
from chat_analytics.ingest.loader import load_tables
from chat_analytics.pipeline import _require_same_dataset, reset_tables, table_counts


@pytest.fixture(scope="module")
def loaded(module_dsn: str) -> str:
    load_tables(module_dsn, generate(users=20, seed=1, days=30), strict=True)
    return module_dsn


def test_same_dataset_is_accepted(loaded: str) -> None:
    ids = generate(users=20, seed=1, days=30)["profiles"]["id"].to_list()
    _require_same_dataset(loaded, ids, seed=1)


def test_other_seed_is_refused_with_the_fix(loaded: str) -> None:
    ids = generate(users=20, seed=2, days=30)["profiles"]["id"].to_list()
    with pytest.raises(ConfigurationError, match="pass --reset"):
        _require_same_dataset(loaded, ids, seed=2)


def test_reset_empties_every_chat_table(fresh_dsn: str) -> None:
    load_tables(fresh_dsn, generate(users=50, seed=3, days=60), strict=True)
    assert table_counts(fresh_dsn)["profiles"] == 50
    reset_tables(fresh_dsn)
    assert set(table_counts(fresh_dsn).values()) == {0}
