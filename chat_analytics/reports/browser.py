"""Open rendered reports in headless Chromium, take screenshots and look for errors."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chat_analytics.errors import ChatAnalyticsError

__all__ = ["BrowserCheck", "check_reports", "find_chromium"]

logger = logging.getLogger(__name__)

# Markers of a cell that raised or wrote to stderr. nbconvert renders error
# and stderr outputs with this MIME type, and an uncaught exception prints a
# traceback. Report notebooks write nothing to stderr.
ERROR_MARKERS = (
    'data-mime-type="application/vnd.jupyter.stderr"',
    "Traceback (most recent call last)",
)
# The flags keep Chromium from calling home: this machine has no network, and
# the background requests would otherwise fail at every start.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@dataclass(frozen=True)
class BrowserCheck:
    """The outcome for one page: its screenshot and any problem found."""

    page: Path
    screenshot: Path
    problem: str | None


def find_chromium() -> str | None:
    """Return the path of a Chromium executable, or None when none is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run_chromium(
    chromium: str, profile: Path, *args: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_reports(report_dir: Path, screenshot_dir: Path) -> list[BrowserCheck]:
    """Load every HTML page of ``report_dir`` in headless Chromium.

    Each page gets a full-width screenshot in ``screenshot_dir``. A page fails
    when Chromium cannot load it, when the screenshot is missing or blank, or
    when its rendered DOM shows an error output or a traceback.

    Raises
    ------
    ChatAnalyticsError
        When no Chromium is installed (Debian: ``apt-get install chromium``).
    """
    chromium = find_chromium()
    if chromium is None:
        raise ChatAnalyticsError(
            "no Chromium found; install it (Debian: apt-get install chromium)"
        )
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    checks = []
    with tempfile.TemporaryDirectory() as profile:
        for page in sorted(Path(report_dir).glob("*.html")):
            screenshot = screenshot_dir / f"{page.stem}.png"
            checks.append(_check_page(chromium, Path(profile), page, screenshot))
    return checks


def _check_page(
    chromium: str, profile: Path, page: Path, screenshot: Path
) -> BrowserCheck:
    url = page.resolve().as_uri()
    shot = _run_chromium(
        chromium, profile, f"--screenshot={screenshot}", "--window-size=1280,2400", url
    )
    if shot.returncode != 0 or not screenshot.exists():
        return BrowserCheck(
            page, screenshot, f"Chromium could not load it: {shot.stderr[-300:]}"
        )
    if _is_blank(screenshot):
        return BrowserCheck(page, screenshot, "the screenshot is blank")
    dom = _run_chromium(chromium, profile, "--dump-dom", url)
    if dom.returncode != 0 or "<body" not in dom.stdout:
        return BrowserCheck(page, screenshot, "Chromium returned no document")
    for marker in ERROR_MARKERS:
        if marker in dom.stdout:
            return BrowserCheck(
                page, screenshot, f"the page shows an error ({marker!r})"
            )
    logger.info("page %s loaded, screenshot %s", page.name, screenshot)
    return BrowserCheck(page, screenshot, None)


def _is_blank(screenshot: Path) -> bool:
    from PIL import Image

    with Image.open(screenshot) as image:
        colours = image.convert("L").getextrema()
    return colours[0] == colours[1]
