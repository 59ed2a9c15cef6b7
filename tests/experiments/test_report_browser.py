"""The report in a real browser: page 1 fits a 1280-pixel screen and holds what a decision needs.

Headless chromium (Debian's) opens ``report.html`` as a file, as a managing director would
from an e-mail: no server, no network (every chart is embedded).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.analysis import report
from sim.live.serve import CHROMIUM_FLAGS
from tests.browser import BROWSER_MARKS, playwright_and_chromium
from tests.experiments.test_decision import sweep as sweep  # the fixture: a small sweep of the arms

pytestmark = BROWSER_MARKS
playwright_api, EXECUTABLE = playwright_and_chromium()


@pytest.fixture(scope="module")
def page(sweep: Path) -> Iterator[Any]:
    report.write_report(sweep, target_fill_rate=0.97)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=EXECUTABLE, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        opened = context.new_page()
        opened.route(
            "**/*",
            lambda route: route.abort() if not route.request.url.startswith(("file:", "data:")) else route.continue_(),
        )
        opened.goto((sweep / "report" / "report.html").as_uri())
        yield opened
        browser.close()


def test_the_page_does_not_scroll_sideways_at_1280_pixels(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('img')].map(i => i.getBoundingClientRect().right))"
    )
    assert widest <= 1280


def test_page_one_holds_the_recommendation_the_gap_and_the_benefit_cost_chart(page: Any) -> None:
    summary = page.locator("section.summary")
    text = summary.inner_text()
    assert "Recommendation:" in text or "No lever pays here." in text
    assert "The alignment gap" in text
    chart = summary.locator("img[alt^='Benefit before its cost']")
    assert chart.count() == 1
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 1000", chart.element_handle())


def test_printing_puts_the_summary_alone_on_page_one(page: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('div.page-break')).breakBefore") == "page"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
