"""Execute the report notebooks with papermill and render them to offline HTML."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chat_analytics.errors import ChatAnalyticsError, ConfigurationError

__all__ = [
    "NotebookRun",
    "ReportError",
    "execute_reports",
    "notebooks_dir",
    "render_html",
]

logger = logging.getLogger(__name__)

NOTEBOOKS_VARIABLE = "CHAT_ANALYTICS_NOTEBOOKS"
KERNEL_NAME = "python3"
DEFAULT_CELL_TIMEOUT_SECONDS = 600
TEMPLATES = Path(__file__).resolve().parent / "templates"
# A tag or attribute that makes a browser fetch something from another host.
REMOTE_REFERENCE = re.compile(
    r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""",
    re.IGNORECASE,
)


def _ipc_kernel_manager() -> type:
    """Return a kernel manager class whose kernels talk over Unix sockets.

    Jupyter's default transport opens TCP ports on the loopback address. With
    IPC the kernel and papermill exchange messages through socket files, so no
    port is open and the kernel no longer warns about unencrypted TCP traffic.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IpcKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

    return IpcKernelManager


class ReportError(ChatAnalyticsError):
    """A report notebook failed; the message names the notebook, cell and error."""


@dataclass(frozen=True)
class NotebookRun:
    """One executed report: where its notebook and HTML are, and how long it took."""

    name: str
    notebook: Path
    html: Path
    seconds: float


def notebooks_dir() -> Path:
    """Return the folder of the report notebooks.

    ``CHAT_ANALYTICS_NOTEBOOKS`` when set, else the repository's ``notebooks/``.
    """
    configured = os.environ.get(NOTEBOOKS_VARIABLE)
    path = (
        Path(configured).expanduser()
        if configured
        else Path(__file__).resolve().parents[2] / "notebooks"
    )
    if not path.is_dir() or not any(path.glob("*.ipynb")):
        raise ConfigurationError(
            f"no report notebooks in {path}; set {NOTEBOOKS_VARIABLE} to the "
            "folder of the chat-analytics notebooks"
        )
    return path


def render_html(notebook_path: Path, html_path: Path) -> Path:
    """Render an executed notebook to HTML that loads nothing from the network.

    Raises
    ------
    ReportError
        When the rendered page still references a remote script, style or image.
    """
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4))
    remote = REMOTE_REFERENCE.search(body)
    if remote is not None:
        raise ReportError(
            f"{html_path.name} would load {remote.group(0)!r} from the network; "
            "the offline template must leave such references out"
        )
    html_path.write_text(body, encoding="utf-8")
    return html_path


def _failure(name: str, executed: Path, error: Exception) -> ReportError:
    """Describe a papermill failure by notebook, cell and error."""
    import nbformat

    cell_text = ""
    try:
        notebook = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        notebook = None
    code_cells = (
        []
        if notebook is None
        else [cell for cell in notebook.cells if cell.cell_type == "code"]
    )
    for number, cell in enumerate(code_cells, start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            first_line = cell.source.splitlines()[0][:60] if cell.source else ""
            cell_text = f" in code cell {number} ({first_line!r})"
            break
    name_of_error = getattr(error, "ename", type(error).__name__)
    value = getattr(error, "evalue", str(error))
    summary = " ".join(str(value).split())[:300]
    return ReportError(
        f"notebook {name} failed{cell_text}: {name_of_error}: {summary} "
        f"(executed copy: {executed})"
    )


def execute_reports(
    out_dir: Path,
    *,
    dsn: str | None = None,
    as_of: str | dt.date | None = None,
    names: Sequence[str] = (),
    cell_timeout: int = DEFAULT_CELL_TIMEOUT_SECONDS,
) -> list[NotebookRun]:
    """Execute the report notebooks; write them, their HTML and an index to ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Output folder; created if missing. Earlier reports in it are replaced.
    dsn : str, optional
        Warehouse connection string passed to each notebook's ``dsn``
        parameter; ``None`` lets the notebook use the configured or embedded
        warehouse.
    as_of : str or datetime.date, optional
        The ``as_of`` parameter of each notebook; ``None`` means the date of
        the newest message.
    names : sequence of str
        Run only these notebooks (file stems); default: all of them.
    cell_timeout : int
        Seconds a single cell may run before the run fails.

    Returns
    -------
    list of NotebookRun

    Raises
    ------
    ReportError
        When a cell fails or times out; the message names the notebook, the
        cell and the error.
    """
    source_dir = notebooks_dir()
    sources = sorted(source_dir.glob("*.ipynb"))
    if names:
        wanted = set(names)
        unknown = wanted - {path.stem for path in sources}
        if unknown:
            raise ConfigurationError(
                f"unknown report notebooks {sorted(unknown)}; choose from "
                f"{[path.stem for path in sources]}"
            )
        sources = [path for path in sources if path.stem in wanted]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The DSN lands in each notebook's parameters cell and so in its HTML; a
    # password travels to the kernel in PGPASSWORD instead, which libpq reads.
    dsn, password = _split_password(dsn)
    parameters = {
        "dsn": dsn,
        "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else as_of,
    }
    runs: list[NotebookRun] = []
    saved_password = os.environ.get("PGPASSWORD")
    if password is not None:
        os.environ["PGPASSWORD"] = password
    try:
        for source in sources:
            runs.append(_execute_one(source, out_dir, parameters, cell_timeout))
    finally:
        if password is not None:
            if saved_password is None:
                os.environ.pop("PGPASSWORD", None)
            else:
                os.environ["PGPASSWORD"] = saved_password
    _write_index(out_dir, runs)
    return runs


def _split_password(dsn: str | None) -> tuple[str | None, str | None]:
    """Return ``dsn`` without its password, and the password (or None)."""
    if dsn is None:
        return None, None
    from psycopg.conninfo import conninfo_to_dict

    from chat_analytics.warehouse.connection import to_uri

    params = conninfo_to_dict(dsn)
    password = params.pop("password", None)
    if password is None:
        return dsn, None
    return to_uri(params), str(password)


def _execute_one(
    source: Path, out_dir: Path, parameters: dict, cell_timeout: int
) -> NotebookRun:
    import papermill

    executed = out_dir / source.name
    started = time.perf_counter()
    logger.info("executing notebook %s", source.name)
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            execution_timeout=cell_timeout,
            cwd=str(out_dir),
            progress_bar=False,
            log_output=False,
            kernel_manager_class=_ipc_kernel_manager(),
        )
    # PapermillExecutionError for a failing cell; other exceptions for a
    # kernel that died or a cell that timed out.
    except Exception as error:
        raise _failure(source.stem, executed, error) from None
    html_path = render_html(executed, out_dir / f"{source.stem}.html")
    seconds = time.perf_counter() - started
    logger.info("notebook %s done in %.1f s", source.name, seconds)
    return NotebookRun(source.stem, executed, html_path, seconds)


def _title_of(notebook_path: Path) -> str:
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook_path.stem


def _write_index(out_dir: Path, runs: Sequence[NotebookRun]) -> Path:
    items = "\n".join(
        f'    <li><a href="{html.escape(run.html.name)}">'
        f"{html.escape(_title_of(run.notebook))}</a></li>"
        for run in runs
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>chat-analytics reports</title>
<style>
  body {{ font-family: sans-serif; margin: 2rem auto; max-width: 40rem; }}
  li {{ margin: 0.4rem 0; }}
</style>
</head>
<body>
  <h1>chat-analytics reports</h1>
  <ul>
{items}
  </ul>
</body>
</html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
