"""The ``chat-analytics import`` command against a real PostgreSQL."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import polars as pl
import psycopg
from click.testing import CliRunner, Result
from export_checks import FIXTURES, warehouse_counts

from chat_analytics.cli import cli
from chat_analytics.ingest.importers import ImportOptions, read_export

SLACK = FIXTURES / "slack" / "workspace"
DISCORD = FIXTURES / "discord" / "server"
CLI = [sys.executable, "-m", "chat_analytics.cli"]


def invoke(*arguments: str) -> Result:
    return CliRunner().invoke(cli, ["import", *arguments], catch_exceptions=False)


def test_import_loads_and_reports(fresh_dsn):
    result = invoke("slack", str(SLACK), "--dsn", fresh_dsn)
    assert result.exit_code == 0, result.output
    assert "5 profiles, 5 chats, 13 chat_participants, 29 messages" in result.output
    assert "53 row(s) inserted, 0 already present, 0 rejected" in result.output
    assert warehouse_counts(fresh_dsn)["messages"] == 29


def test_second_import_inserts_nothing(fresh_dsn):
    invoke("slack", str(SLACK), "--dsn", fresh_dsn)
    result = invoke("auto", str(SLACK), "--dsn", fresh_dsn)
    assert "detected format: slack" in result.output
    assert "0 row(s) inserted, 53 already present" in result.output


def test_derive_friends_is_announced(fresh_dsn):
    result = invoke("auto", str(DISCORD), "--derive-friends", "3", "--dsn", fresh_dsn)
    assert result.exit_code == 0, result.output
    assert "derived 1 friendship(s) from reply turns" in result.output
    assert "inferred, not friend lists of the platform" in result.output
    assert warehouse_counts(fresh_dsn)["friends"] == 1


def test_dry_run_loads_nothing(fresh_dsn):
    result = invoke("discord", str(DISCORD), "--dry-run", "--dsn", fresh_dsn)
    assert "dry run: nothing loaded" in result.output
    assert sum(warehouse_counts(fresh_dsn).values()) == 0


def test_pseudonymize_with_key_from_environment(fresh_dsn):
    result = CliRunner().invoke(
        cli,
        ["import", "slack", str(SLACK), "--pseudonymize", "--dsn", fresh_dsn],
        env={"CHAT_ANALYTICS_PSEUDONYM_KEY": "secret"},
        catch_exceptions=False,
    )
    assert "replaced with pseudonyms" in result.output
    assert "secret" not in result.output
    with psycopg.connect(fresh_dsn) as connection:
        names = [
            row[0] for row in connection.execute("select username from chat.profiles")
        ]
    options = ImportOptions(pseudonymize=True, pseudonym_key="secret")
    expected = read_export(SLACK, "slack", options)["profiles"]["username"]
    assert sorted(names) == sorted(expected.to_list())


def conflicting_profile(dsn: str) -> None:
    """Insert a profile that takes Alice's username under another id."""
    alice = (
        read_export(SLACK, "slack")["profiles"]
        .filter(pl.col("display_name") == "Alice Adams")
        .row(0, named=True)
    )
    with psycopg.connect(dsn) as connection:
        connection.execute(
            "insert into chat.profiles (id, username, display_name, avatar_url, email)"
            " values (gen_random_uuid(), %s, 'Someone else', '', 'else@mail.test')",
            (alice["username"],),
        )


def test_rejected_row_loads_nothing(fresh_dsn, tmp_path):
    conflicting_profile(fresh_dsn)
    rejects = tmp_path / "rejects.csv"
    result = CliRunner().invoke(
        cli,
        ["import", "slack", str(SLACK), "--dsn", fresh_dsn, "--rejects", str(rejects)],
    )
    assert result.exit_code != 0
    counts = warehouse_counts(fresh_dsn)
    assert counts["profiles"] == 1
    assert counts["messages"] == 0
    with open(rejects, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["table"] == "profiles"
    assert "username" in rows[0]["reason"]


def test_skip_invalid_rows_loads_the_rest(fresh_dsn):
    conflicting_profile(fresh_dsn)
    result = invoke("slack", str(SLACK), "--dsn", fresh_dsn, "--skip-invalid-rows")
    assert result.exit_code == 0, result.output
    counts = warehouse_counts(fresh_dsn)
    # Alice's profile is rejected, and with it every row that points to her.
    assert counts["profiles"] == 5
    assert 0 < counts["messages"] < 29


def test_error_is_one_line_with_exit_status(tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    result = subprocess.run(
        [*CLI, "import", "auto", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "not a recognised chat export" in result.stderr
