"""The report notebooks run top to bottom on a generated warehouse and show its numbers.

One module-scoped warehouse of 300 generated users is loaded, its graph
metrics written and its marts built; then every notebook is executed once.
The numbers that the conclusions state are parsed from the executed
notebooks and compared with the marts and with the generated rows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import nbformat
import networkx as nx
import polars as pl
import pytest

from chat_analytics.marts import load_mart
from chat_analytics.reports.browser import check_reports, find_chromium
from chat_analytics.reports.execute import execute_reports, notebooks_dir

pytestmark = pytest.mark.slow

USERS = 300
SEED = 5
AS_OF = dt.date(2025, 12, 31)
NOTEBOOKS = ("cohorts", "conversations", "notifications", "retention", "social_graph")
# The alt text (figure title) of every PNG output, in order, per notebook.
FIGURES = {
    "cohorts": ["Cohort retention"],
    "retention": [
        "Cohort retention",
        "Retention curves",
        "Active users",
        "User lifecycle",
    ],
    "conversations": [
        "Activity by weekday and hour (UTC)",
        "Response times",
        "Message volume and forecast",
    ],
    "social_graph": ["Degree distribution", "Friend graph"],
    "notifications": [],
}
VERSION_PACKAGES = ["python", "chat-analytics", "pandas", "polars", "networkx",
                    "dbt-core", "matplotlib"]  # fmt: skip
NUMBER = r"\*\*([\d,]+(?:\.\d+)?)%?\*\*"


def write_graph_metrics_for(dsn: str, as_of: dt.date | None) -> None:
    """Compute and store the friend-graph metrics, as ``chat-analytics graph`` does."""
    from chat_analytics.graph import friend_graph, graph_metrics, write_graph_metrics

    graph = friend_graph(dsn, as_of=as_of)
    write_graph_metrics(dsn, graph_metrics(graph, seed=0))


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    from chat_analytics.ingest.generate import generate

    return generate(users=USERS, seed=SEED)


@pytest.fixture(scope="module")
def reports(module_dsn: str, tables, tmp_path_factory) -> Path:
    from chat_analytics.ingest.loader import load_tables
    from chat_analytics.transform import build

    report = load_tables(module_dsn, tables, strict=True)
    assert report.rejected == 0
    write_graph_metrics_for(module_dsn, AS_OF)
    build(module_dsn, as_of=AS_OF)
    out_dir = tmp_path_factory.mktemp("reports")
    execute_reports(out_dir, dsn=module_dsn, as_of=AS_OF)
    return out_dir


def executed(reports: Path, name: str) -> nbformat.NotebookNode:
    return nbformat.read(reports / f"{name}.ipynb", as_version=4)


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]


def markdown_outputs(notebook: nbformat.NotebookNode) -> str:
    texts = [
        output["data"]["text/markdown"]
        for output in outputs(notebook)
        if "text/markdown" in output.get("data", {})
    ]
    return "\n".join(texts)


def numbers_after(text: str, pattern: str) -> list[float]:
    """Return the bold numbers of the first match of ``pattern``.

    In ``pattern``, ``{n}`` stands for one bold number such as ``**1,234**``
    or ``**51.9%**``.
    """
    regex = re.escape(pattern).replace(re.escape("{n}"), NUMBER)
    match = re.search(regex, text)
    assert match is not None, f"no output matches {pattern!r}"
    return [float(group.replace(",", "")) for group in match.groups()]


def activity_messages(tables) -> pl.DataFrame:
    messages = tables["messages"]
    return messages.filter(
        pl.col("deleted_at").is_null()
        & ~pl.col("is_system_message")
        & ~pl.col("is_ai")
        & pl.col("sender_id").is_not_null()
    )


# The committed notebooks ------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_notebook_has_no_outputs(name: str) -> None:
    notebook = nbformat.read(notebooks_dir() / f"{name}.ipynb", as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] for cell in code_cells)
    assert all(cell.execution_count is None for cell in code_cells)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_notebook_layout(name: str) -> None:
    notebook = nbformat.read(notebooks_dir() / f"{name}.ipynb", as_version=4)
    tagged = [
        cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])
    ]
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith("# ")
    assert len(tagged) == 1
    assert tagged[0].source == "dsn = None\nas_of = None"
    assert "package_versions()" in notebook.cells[-1].source


def test_notebook_folder_has_every_report() -> None:
    names = {path.stem for path in notebooks_dir().glob("*.ipynb")}
    assert set(NOTEBOOKS) <= names


# Execution --------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_no_error_or_stderr(reports: Path, name: str) -> None:
    found = outputs(executed(reports, name))
    errors = [o for o in found if o["output_type"] == "error"]
    stderr = [o for o in found if o.get("name") == "stderr"]
    assert errors == []
    assert stderr == []


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_shows_expected_figures(reports: Path, name: str) -> None:
    images = [
        o for o in outputs(executed(reports, name)) if "image/png" in o.get("data", {})
    ]
    titles = [o["metadata"]["image/png"]["alt"] for o in images]
    assert len(images) == len(FIGURES[name])
    assert titles == FIGURES[name]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_records_versions(reports: Path, name: str) -> None:
    last = executed(reports, name).cells[-1]
    html = last.outputs[0]["data"]["text/html"]
    for package in VERSION_PACKAGES:
        assert f">{package}<" in html


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_states_as_of_date(reports: Path, name: str) -> None:
    assert f"as of **{AS_OF}**" in markdown_outputs(executed(reports, name))


def test_index_links_every_report(reports: Path) -> None:
    index = (reports / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOKS:
        assert f'href="{name}.html"' in index


# Numbers in the conclusions ---------------------------------------------------


def test_cohorts_state_signups(reports: Path, tables) -> None:
    text = markdown_outputs(executed(reports, "cohorts"))
    signups, cohorts = numbers_after(text, "{n} users signed up in {n} monthly")
    months = tables["profiles"]["created_at"].dt.truncate("1mo").n_unique()
    assert signups == tables["profiles"].height
    assert cohorts == months


def test_cohorts_state_leaderboard(reports: Path, module_dsn: str, tables) -> None:
    text = markdown_outputs(executed(reports, "cohorts"))
    senders, messages = numbers_after(text, "{n} users sent {n} activity messages")
    leaderboard = load_mart("user_activity_leaderboard", dsn=module_dsn)
    top = leaderboard.sort_values("rank_overall").iloc[0]
    activity = activity_messages(tables)
    assert senders == activity["sender_id"].n_unique()
    assert messages == activity.height
    assert f"The most active, **{top['username']}**" in text


def test_retention_states_month_one(reports: Path, module_dsn: str) -> None:
    text = markdown_outputs(executed(reports, "retention"))
    (rate,) = numbers_after(text, "{n} of users were active 1 month after")
    retention = load_mart("cohort_retention", dsn=module_dsn)
    month_one = retention[
        (retention["months_since_signup"] == 1) & retention["is_complete_period"]
    ]
    expected = month_one["active_users"].sum() / month_one["cohort_size"].sum()
    assert rate == pytest.approx(100 * expected, abs=0.05)


def test_retention_states_dau_of_as_of_date(reports: Path, tables) -> None:
    text = markdown_outputs(executed(reports, "retention"))
    (dau,) = numbers_after(text, "DAU {n}")
    activity = activity_messages(tables)
    on_as_of = activity.filter(pl.col("created_at").dt.date() == AS_OF)
    assert dau == on_as_of["sender_id"].n_unique()


def test_retention_states_churn_counts(reports: Path, module_dsn: str) -> None:
    text = markdown_outputs(executed(reports, "retention"))
    counts = numbers_after(text, ": {n} low, {n} medium, {n} high, {n} churned")
    churn = load_mart("user_churn_risk", dsn=module_dsn)
    expected = churn["churn_risk"].value_counts()
    assert counts == [expected.get(risk, 0) for risk in
                      ("low", "medium", "high", "churned")]  # fmt: skip


def test_conversations_state_sessions(reports: Path, module_dsn: str) -> None:
    text = markdown_outputs(executed(reports, "conversations"))
    sessions, chats = numbers_after(text, "{n} sessions in {n} chats")
    mart = load_mart("conversation_sessions", dsn=module_dsn)
    assert sessions == len(mart)
    assert chats == mart["chat_id"].nunique()


def test_conversations_state_health(reports: Path, module_dsn: str, tables) -> None:
    text = markdown_outputs(executed(reports, "conversations"))
    counts = numbers_after(
        text, "Of {n} chats: {n} thriving, {n} stable, {n} at risk, {n} dead"
    )
    health = load_mart("conversation_health", dsn=module_dsn)
    statuses = health["health_status"].value_counts()
    assert counts[0] == tables["chats"].height
    assert counts[1:] == [statuses.get(status, 0) for status in
                          ("thriving", "stable", "at_risk", "dead")]  # fmt: skip


def test_social_graph_states_friendships(reports: Path, tables) -> None:
    text = markdown_outputs(executed(reports, "social_graph"))
    with_friends, users, friendships = numbers_after(
        text, "{n} of {n} users have at least one friend, with {n} friendships"
    )
    accepted = tables["friends"].filter(
        (pl.col("status") == "accepted") & (pl.col("user_id") != pl.col("friend_id"))
    )
    graph = nx.Graph()
    graph.add_edges_from(accepted.select("user_id", "friend_id").iter_rows())
    assert users == tables["profiles"].height
    assert with_friends == graph.number_of_nodes()
    assert friendships == graph.number_of_edges()


def test_social_graph_states_communities(reports: Path, module_dsn: str) -> None:
    from chat_analytics.graph import graph_schema

    text = markdown_outputs(executed(reports, "social_graph"))
    users, communities = numbers_after(
        text, "Louvain splits the {n} users with friends into {n} communities"
    )
    metrics = load_mart("user_graph_metrics", dsn=module_dsn, schema=graph_schema())
    with_friends = metrics[metrics["degree"] > 0]
    assert users == len(with_friends)
    assert communities == with_friends["louvain_community"].nunique()


def test_notifications_state_funnel(reports: Path, tables) -> None:
    text = markdown_outputs(executed(reports, "notifications"))
    sent, types, seen, read = numbers_after(
        text, "{n} notifications of {n} types were sent; {n} were seen and {n} read"
    )
    notifications = tables["notifications"]
    assert sent == notifications.height
    assert types == notifications["type"].n_unique()
    expected_seen = notifications["seen_at"].is_not_null().mean()
    assert seen == pytest.approx(100 * expected_seen, abs=0.05)


# The rendered pages in a browser ----------------------------------------------


def test_reports_render_without_errors_in_chromium(
    reports: Path, tmp_path: Path
) -> None:
    if find_chromium() is None:
        if os.environ.get("CHAT_ANALYTICS_REQUIRE_BROWSER") == "1":
            pytest.fail("CHAT_ANALYTICS_REQUIRE_BROWSER=1 but no Chromium is installed")
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    checks = check_reports(reports, tmp_path / "screenshots")
    problems = {check.page.name: check.problem for check in checks if check.problem}
    assert {check.page.name for check in checks} >= {f"{n}.html" for n in NOTEBOOKS}
    assert problems == {}
