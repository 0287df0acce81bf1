"""The whole dbt project on generated data: build, tests, docs and lint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat_analytics.transform import build, dbt_environment, run_dbt

pytestmark = pytest.mark.slow

USERS = 1500
SEED = 11
CATEGORIES = {
    "user_activity",
    "social_network",
    "conversation",
    "notifications",
    "time_series",
}


@pytest.fixture(scope="module")
def built(module_dsn: str):
    from chat_analytics.ingest.generate import generate
    from chat_analytics.ingest.loader import load_tables

    report = load_tables(module_dsn, generate(users=USERS, seed=SEED), strict=True)
    assert report.rejected == 0
    return build(module_dsn)


def test_build_passes_every_test(built) -> None:
    assert built.success
    assert built.failed == []
    assert built.count("test", "pass") > 100


def test_build_makes_the_thirty_marts(built) -> None:
    manifest = json.loads((built.target_path / "manifest.json").read_text())
    marts = {
        node["name"]: node["config"]["meta"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and "/marts/" in node["original_file_path"]
    }
    numbered = {meta.get("query_number") for meta in marts.values()}
    assert set(range(1, 31)) <= numbered
    assert {meta.get("category") for meta in marts.values()} >= CATEGORIES


def test_every_mart_column_is_documented(built) -> None:
    manifest = json.loads((built.target_path / "manifest.json").read_text())
    undocumented = []
    for node in manifest["nodes"].values():
        if (
            node["resource_type"] != "model"
            or "/marts/" not in node["original_file_path"]
        ):
            continue
        description = node["description"].strip()
        if "One row per" not in description and "rows," not in description:
            undocumented.append(f"{node['name']}: description has no grain")
        for column, spec in node["columns"].items():
            if not spec.get("description"):
                undocumented.append(f"{node['name']}.{column}")
    assert undocumented == []


def test_no_mart_exposes_email(built, module_dsn: str) -> None:
    import psycopg

    with psycopg.connect(module_dsn) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name "
            "from information_schema.columns "
            "where table_schema like 'analytics%%' and column_name ilike '%%mail%%'"
        ).fetchall()
    assert columns == []


def test_docs_generate_works_offline(built, module_dsn: str) -> None:
    result = run_dbt("docs generate", dsn=module_dsn)
    assert result.success
    catalog = json.loads((result.target_path / "catalog.json").read_text())
    assert len(catalog["nodes"]) > 40
    assert (result.target_path / "index.html").stat().st_size > 10_000


def test_sqlfluff_passes_on_every_model(
    built, module_dsn: str, project_root: Path
) -> None:
    env = dict(os.environ, **dbt_environment(module_dsn))
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "sqlfluff"),
            "lint",
            "models",
            "--format",
            "json",
            "--nofail",
        ],
        cwd=project_root / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    files = json.loads(result.stdout)
    violations = [
        f"{item['filepath']}:{v['start_line_no']} {v['code']} {v['description']}"
        for item in files
        for v in item["violations"]
    ]
    assert len(files) > 40
    assert violations == []


def test_reader_role_can_select_marts(built, module_dsn: str) -> None:
    import psycopg

    with psycopg.connect(module_dsn, autocommit=True) as connection:
        connection.execute("drop role if exists test_analyst")
        connection.execute("create role test_analyst login")
        connection.execute("grant chat_analytics_reader to test_analyst")
        try:
            with connection.transaction():
                connection.execute("set local role test_analyst")
                rows = connection.execute(
                    "select count(*) from analytics.daily_active_users"
                ).fetchone()[0]
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    with connection.transaction():
                        connection.execute("select count(*) from chat.profiles")
        finally:
            connection.execute("reset role")
            connection.execute("drop role test_analyst")
    assert rows > 0
