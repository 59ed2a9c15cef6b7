"""What the live app's browser tests share: one headless chromium per test module."""

from collections.abc import Iterator
from typing import Any

import pytest

from sim.live.serve import CHROMIUM_FLAGS
from tests.browser import playwright_and_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, closed when the module's tests are done (skipped where there is none)."""
    playwright_api, executable = playwright_and_chromium()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
