"""What the live app's browser tests share: one headless chromium per test module, and the app it drives."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.live.serve import CHROMIUM_FLAGS, served_app
from tests.browser import PROJECTOR, playwright_and_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, closed when the module's tests are done (skipped where there is none)."""
    playwright_api, executable = playwright_and_chromium()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def games(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The games folder of the module's app (its sessions beside it), empty at the start."""
    return tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2]) / "games"


@pytest.fixture(scope="module")
def app(games: Path) -> Iterator[str]:
    """``spsim viz`` on ``games``, stopped when the module's tests are done."""
    with served_app(games) as address:
        yield address


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh context the size of a room's projector (a module may want another size: its own ``page``)."""
    context = browser.new_context(viewport=PROJECTOR)
    opened = context.new_page()
    opened.set_default_timeout(60_000)  # the first page on a busy 2-core machine
    yield opened
    context.close()
