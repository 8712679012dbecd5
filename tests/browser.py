"""Headless Debian Chromium driven by Playwright, shared by every page test in one session.

One `sync_playwright()` may run at a time in a process, so the page tests of `groundup serve`
and of the matmul animation share this one browser (the `browser` fixture in conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]

NO_BROWSER = ("no Chromium at /usr/bin/chromium (or no playwright): the page tests need "
              "Debian's browser, `apt-get install -y chromium`, and `pip install playwright`")


def missing_browser(chromium: Path = CHROMIUM) -> str | None:
    """Return why the page tests cannot run here (how to fix it), or None if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return NO_BROWSER
    return None if chromium.is_file() and os.access(chromium, os.X_OK) else NO_BROWSER


def skip_or_fail(reason: str, ci: bool) -> None:
    """Skip the test for `reason`; where CI is set, fail it (CI must run the page tests)."""
    (pytest.fail if ci else pytest.skip)(reason)


def launch_browser() -> Iterator[object]:
    """Yield headless Debian Chromium driven by Playwright; without it the test is skipped,
    or fails where CI is set."""
    reason = missing_browser()
    if reason:
        skip_or_fail(reason, ci=bool(os.environ.get("CI")))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
