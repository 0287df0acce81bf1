"""The report notebooks on the bundled Slack export, where several marts are empty.

The export has four people, two channels and no friendships, notifications,
invitations or anonymous chats, so the reports must show "No data" notes
where a generated warehouse shows tables and conclusions.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from chat_analytics.reports.execute import execute_reports

pytestmark = pytest.mark.slow

EXPORT = Path(__file__).resolve().parents[2] / "data" / "slack_export_2016"
NOTEBOOKS = ("cohorts", "conversations", "notifications", "retention", "social_graph")


@pytest.fixture(scope="module")
def slack_tables():
    from chat_analytics.ingest.importers import read_export

    return read_export(EXPORT, "slack")


@pytest.fixture(scope="module")
def reports(module_dsn: str, slack_tables, tmp_path_factory) -> Path:
    from chat_analytics.graph import friend_graph, graph_metrics, write_graph_metrics
    from chat_analytics.ingest.loader import load_tables
    from chat_analytics.transform import build

    load_tables(module_dsn, slack_tables, strict=True)
    graph = friend_graph(module_dsn)
    write_graph_metrics(module_dsn, graph_metrics(graph, seed=0))
    build(module_dsn)
    out_dir = tmp_path_factory.mktemp("slack_reports")
    # No as-of date: the reports take the date of the newest message.
    execute_reports(out_dir, dsn=module_dsn)
    return out_dir


def cell_outputs(reports: Path, name: str) -> list[dict]:
    notebook = nbformat.read(reports / f"{name}.ipynb", as_version=4)
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]


def markdown(reports: Path, name: str) -> str:
    return "\n".join(
        output["data"]["text/markdown"]
        for output in cell_outputs(reports, name)
        if "text/markdown" in output.get("data", {})
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_slack_report_has_no_error_or_stderr(reports: Path, name: str) -> None:
    found = cell_outputs(reports, name)
    assert [o for o in found if o["output_type"] == "error"] == []
    assert [o for o in found if o.get("name") == "stderr"] == []


def test_slack_reports_use_newest_message_date(reports: Path, slack_tables) -> None:
    newest = slack_tables["messages"]["created_at"].max().date()
    for name in NOTEBOOKS:
        assert f"as of **{newest}**" in markdown(reports, name)


def test_slack_cohorts_count_export_members(reports: Path, slack_tables) -> None:
    users = slack_tables["profiles"].height
    assert f"**{users}** users signed up" in markdown(reports, "cohorts")


@pytest.mark.parametrize(
    "note",
    [
        "**No data:** none of the 4 users has an accepted friend request.",
        "**No data:** no friend request was sent.",
        "**No data:** no user has a friend of a friend who is not yet a contact.",
        "**No data:** no user has a friend, so there are no communities.",
    ],
)
def test_slack_social_graph_notes_missing_friends(reports: Path, note: str) -> None:
    assert note in markdown(reports, "social_graph")


def test_slack_churn_table_notes_no_high_risk(reports: Path) -> None:
    text = markdown(reports, "retention")
    assert "**No data:** no user is at high risk of churning." in text


def test_slack_notifications_note_no_notifications(reports: Path) -> None:
    text = markdown(reports, "notifications")
    # Two conclusions and three tables: the funnel, its weekly trend and the
    # conversion by type.
    assert text.count("**No data:** no notification was sent.") == 5
