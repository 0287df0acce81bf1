"""``chat-analytics run`` and ``chat-analytics report``."""

from __future__ import annotations

from pathlib import Path

import click

from chat_analytics.cli.common import as_of_option, dsn_option

__all__ = ["report", "run"]

FORMATS = ["auto", "slack", "discord", "telegram", "whatsapp"]


@click.command()
@dsn_option
@click.option(
    "--users",
    type=click.IntRange(min=1),
    default=None,
    help="Generate this many synthetic users (default 2000 without --source).",
)
@click.option(
    "--seed",
    type=int,
    default=42,
    show_default=True,
    help="Seed of the synthetic data.",
)
@click.option(
    "--source",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Import this chat export instead of generating data.",
)
@click.option(
    "--format",
    "source_format",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Format of --source.",
)
@click.option(
    "--derive-friends",
    type=click.IntRange(min=1),
    default=None,
    metavar="K",
    help="With --source, befriend people who each answered the other K times.",
)
@as_of_option("As-of date of the marts; default: the date of the newest message.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the executed notebooks and HTML reports.",
)
@click.option("--no-reports", is_flag=True, help="Skip the notebook reports.")
@click.option(
    "--graph-seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of community detection and sampled betweenness.",
)
@click.option("--strict", is_flag=True, help="Load nothing when any row is invalid.")
@click.option(
    "--reset",
    is_flag=True,
    help="Empty the 11 chat tables before loading (deletes their data).",
)
def run(
    dsn: str | None,
    users: int | None,
    seed: int,
    source: Path | None,
    source_format: str,
    derive_friends: int | None,
    as_of: str | None,
    out_dir: Path,
    no_reports: bool,
    graph_seed: int,
    strict: bool,
    reset: bool,
) -> None:
    """Run the whole pipeline: database, schema, data, graph, dbt build, reports.

    Running it twice with the same input leaves the same warehouse: loads are
    keyed by row ids, and marts are rebuilt.
    """
    from chat_analytics.pipeline import STAGES, run_pipeline

    if users is not None and source is not None:
        raise click.UsageError("give --users or --source, not both")
    if users is None and source is None:
        users = 2000
    if derive_friends is not None and source is None:
        raise click.UsageError("--derive-friends needs --source")

    def progress(number: int, stage: str, message: str) -> None:
        click.echo(f"[{number}/{len(STAGES)}] {stage}: {message}", err=True)

    result = run_pipeline(
        dsn=dsn,
        users=users,
        seed=seed,
        source=source,
        source_format=source_format,
        derive_friends=derive_friends,
        as_of=as_of,
        report_dir=None if no_reports else out_dir,
        graph_seed=graph_seed,
        strict=strict,
        reset=reset,
        progress=progress,
    )
    click.echo(result.summary())


@click.command()
@dsn_option
@as_of_option("As-of date passed to the notebooks; default: the newest message.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the executed notebooks and HTML reports.",
)
@click.option(
    "--notebook",
    "names",
    multiple=True,
    help="Run only this notebook (file name without .ipynb; repeatable).",
)
@click.option(
    "--cell-timeout",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    help="Seconds a single cell may run.",
)
def report(
    dsn: str | None,
    as_of: str | None,
    out_dir: Path,
    names: tuple[str, ...],
    cell_timeout: int,
) -> None:
    """Execute the report notebooks and write notebooks, HTML and index.html."""
    from chat_analytics.reports.execute import execute_reports

    runs = execute_reports(
        out_dir, dsn=dsn, as_of=as_of, names=names, cell_timeout=cell_timeout
    )
    for item in runs:
        click.echo(f"{item.name}: {item.html} ({item.seconds:.1f} s)")
    click.echo(f"index: {out_dir / 'index.html'}")
