"""What every browser test needs: Playwright and Debian's chromium, or a skip of the module that says why.

pytestmark = BROWSER_MARKS
playwright_api, EXECUTABLE = playwright_and_chromium()
"""

from typing import Any

import pytest

from sim.live.serve import chromium

# Browser tests are slow, and share one group so xdist runs them on one worker, one at a time.
BROWSER_MARKS = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


def playwright_and_chromium() -> tuple[Any, str]:
    """Playwright's sync API and the chromium executable, or skip the calling module."""
    api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    executable = chromium()
    if executable is None:
        pytest.skip(
            "no chromium on this machine: install Debian's (apt-get install chromium) or set SPSIM_CHROMIUM",
            allow_module_level=True,
        )
    return api, executable
