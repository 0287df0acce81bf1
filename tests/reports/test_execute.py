"""Notebook execution details that need no warehouse."""

from __future__ import annotations

from chat_analytics.reports.execute import _split_password


def test_split_password_removes_password_from_uri() -> None:
    dsn, password = _split_password("postgresql://ana:S3cret@db.internal:5433/chat")
    assert password == "S3cret"
    assert "S3cret" not in dsn
    assert dsn == "postgresql://ana@db.internal:5433/chat"


def test_split_password_of_key_value_dsn() -> None:
    dsn, password = _split_password("host=/tmp/run user=u password=pw dbname=x")
    assert password == "pw"
    assert dsn == "postgresql://u@/x?host=%2Ftmp%2Frun"


def test_split_password_keeps_dsn_without_password() -> None:
    original = "postgresql://postgres@/chat_analytics?host=%2Ftmp%2Frun"
    assert _split_password(original) == (original, None)


def test_split_password_of_none() -> None:
    assert _split_password(None) == (None, None)
