"""The embedded server, connection resolution and the db/init commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy

from chat_analytics.warehouse import EmbeddedServer, redact_dsn, resolve_dsn, to_uri
from chat_analytics.warehouse.embedded import _bin_dir

CLI = [sys.executable, "-m", "chat_analytics.cli"]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture()
def cli_env(
    pg_server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.pop("CHAT_ANALYTICS_DSN", None)
    env["CHAT_ANALYTICS_HOME"] = str(pg_server.home)
    return env


def test_server_listens_on_unix_socket_only(pg_server: EmbeddedServer) -> None:
    with psycopg.connect(pg_server.dsn()) as connection:
        listen = connection.execute("show listen_addresses").fetchone()[0]
        address = connection.execute("select inet_server_addr()").fetchone()[0]
    assert listen == ""
    assert address is None


def test_start_twice_reuses_running_server(pg_server: EmbeddedServer) -> None:
    first = pg_server.status().pid
    again = pg_server.start()
    assert again.pid == first


def test_data_survives_stop_and_start(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "home")
    try:
        server.start()
        with psycopg.connect(server.dsn(), autocommit=True) as connection:
            connection.execute("create table kept (x int)")
            connection.execute("insert into kept values (7)")
        assert server.stop() is True
        assert server.status().running is False
        server.start()
        with psycopg.connect(server.dsn()) as connection:
            assert connection.execute("select x from kept").fetchone() == (7,)
    finally:
        server.stop()
    assert server.stop() is False


def test_dsn_works_for_sqlalchemy(pg_server: EmbeddedServer) -> None:
    url = pg_server.dsn().replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sqlalchemy.text("select 41 + 1")).scalar() == 42
    engine.dispose()


def test_dsn_works_for_psql(pg_server: EmbeddedServer) -> None:
    result = subprocess.run(
        [str(_bin_dir() / "psql"), pg_server.dsn(), "-Atc", "select 6 * 7"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert result.stdout.strip() == "42"


def test_configured_dsn_wins_and_starts_nothing(
    pg_server: EmbeddedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_ANALYTICS_HOME", str(tmp_path / "unused"))
    monkeypatch.setenv("CHAT_ANALYTICS_DSN", pg_server.dsn())
    resolved = resolve_dsn()
    assert "chat_analytics" in resolved
    assert not (tmp_path / "unused" / "pgdata").exists()


def test_redact_dsn_hides_password() -> None:
    redacted = redact_dsn("postgresql://ana:s3cret@db.internal:5433/chat")
    assert "s3cret" not in redacted
    assert redacted == "postgresql://ana:***@db.internal:5433/chat"


def test_to_uri_keeps_socket_folder_in_query() -> None:
    uri = to_uri({"user": "postgres", "host": "/tmp/x y", "dbname": "d"})
    assert uri == "postgresql://postgres@/d?host=%2Ftmp%2Fx%20y"


def test_cli_url_status_and_init(cli_env: dict[str, str]) -> None:
    url = run_cli("db", "url", env=cli_env)
    assert url.returncode == 0, url.stderr
    status = run_cli("db", "status", env=cli_env)
    assert status.returncode == 0
    assert status.stdout.startswith("running")
    init = run_cli("init", "--dsn", url.stdout.strip(), env=cli_env)
    assert init.returncode == 0, init.stderr
    assert init.stdout.strip() == "schema chat is ready"


def test_cli_rejects_start_with_external_server(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, CHAT_ANALYTICS_DSN="postgresql://someone@/db?host=/nowhere")
    result = run_cli("db", "start", env=env)
    assert result.returncode == 1
    assert "external server is configured" in result.stderr


def test_cli_unreachable_server_is_one_line_error(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, CHAT_ANALYTICS_DSN="postgresql://x:pw123@/db?host=/nowhere")
    result = run_cli("init", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot connect to the warehouse")
    assert "pw123" not in result.stderr


def test_cli_invalid_dsn_is_reported(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, CHAT_ANALYTICS_DSN="host=a port")
    result = run_cli("init", env=env)
    assert result.returncode == 1
    assert "invalid connection string" in result.stderr


def test_every_command_has_help(cli_env: dict[str, str]) -> None:
    from chat_analytics.cli import cli

    names = [name for name in cli.commands]
    assert {"db", "init", "build"} <= set(names)
    for name in names:
        result = run_cli(name, "--help", env=cli_env)
        assert result.returncode == 0, name
        assert "Usage:" in result.stdout
