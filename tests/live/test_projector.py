"""The dashboard on a projector, in a real browser: 1280×720, nothing under 16 px, the run moved on by hand.

Set ``SPSIM_SCREENSHOTS`` to a folder to keep what the room would see
(``dashboard_1280x720.png``, and the charts and controls further down the page).
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.live.controls import lever_controls
from sim.live.serve import served_app
from tests.browser import BROWSER_MARKS, playwright_and_chromium

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium

PROJECTOR = {"width": 1280, "height": 720}
SMALLEST_PX = 16
LEVER = "regular_meetings"

# Every visible element with text of its own in the dashboard, and the size its text is drawn at:
# the computed font size times the scale it is drawn at (an SVG's viewBox, a CSS transform).
TEXT_SIZES = """
root => {
  const found = [];
  for (const el of root.querySelectorAll('*')) {
    const own = Array.from(el.childNodes)
      .filter(n => n.nodeType === 3 && n.textContent.trim())
      .map(n => n.textContent.trim());
    if (!own.length) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || style.display === 'none'
        || Number(style.opacity) === 0) continue;
    let scale = 1;
    const svg = el.closest('svg');
    if (svg) scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (let node = svg || el; node && node !== document; node = node.parentNode) {
      const transform = node.nodeType === 1 ? getComputedStyle(node).transform : 'none';
      if (transform && transform !== 'none') {  // Vuetify shrinks a field's label so
        const m = new DOMMatrix(transform);
        scale *= Math.hypot(m.a, m.b);
      }
    }
    found.push({text: own.join(' ').slice(0, 60), px: parseFloat(style.fontSize) * scale, tag: el.tagName});
  }
  return found;
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("projector") / "games") as address:
        yield address


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PROJECTOR)
    opened = context.new_page()
    opened.set_default_timeout(60_000)  # the first page on a busy 2-core machine
    yield opened
    context.close()


def _screenshot(page: Any, name: str) -> None:
    """Keep what the room sees, where ``SPSIM_SCREENSHOTS`` says (nothing when it is unset)."""
    folder = os.environ.get("SPSIM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def _small_text(page: Any) -> list[dict[str, Any]]:
    sizes: list[dict[str, Any]] = page.locator(".spsim-dashboard").evaluate(TEXT_SIZES)
    assert len(sizes) > 50, "the check saw the page's text"
    return [size for size in sizes if size["px"] < SMALLEST_PX - 0.01]


def test_the_dashboard_reads_from_the_back_of_the_room(page: Any, app: str) -> None:
    page.goto(app + "/")
    page.locator(".spsim-day").wait_for()
    page.get_by_label("Scenario").click(force=True)
    page.get_by_role("option", name="disruption").click()
    page.get_by_label(LEVER.replace("_", " ")).check(force=True)
    page.get_by_role("button", name="Reset").click()
    page.locator(".spsim-run", has_text="disruption").wait_for()

    page.get_by_role("button", name="Skip the warm-up (90 days)").click()
    page.locator('.spsim-day[data-day="89"]').wait_for()
    page.get_by_label("Jump to day").fill("230")
    page.get_by_role("button", name="Jump", exact=True).click()
    page.locator('.spsim-day[data-day="230"]').wait_for()
    assert page.locator('.spsim-chart-state[data-day="230"]').count() == 5
    page.locator(".spsim-baseline").first.wait_for()  # the silo, simulated on a thread
    assert page.locator(".spsim-baseline").count() == 5, "every chart has its silo line"
    assert page.locator(".spsim-shock", has_text="supplier disruption").count() == 5

    sliders = [c for c in lever_controls()[LEVER] if c.kind in ("int", "float")]
    values = page.locator(".spsim-slider-value").all_inner_texts()
    assert len(values) == len(sliders) and all(value.strip() for value in values), "every slider shows its value"

    widths = page.locator(".spsim-chart-svg svg").evaluate_all("s => s.map(e => e.getBoundingClientRect().width)")
    assert len(widths) == 5 and min(widths) >= 360, f"charts fill the screen two a row: {widths}"
    small = _small_text(page)
    assert small == [], f"no text under 16 px: {small}"
    _screenshot(page, "dashboard_1280x720.png")
    page.locator(".spsim-feed").scroll_into_view_if_needed()
    _screenshot(page, "dashboard_lower_charts.png")
    page.get_by_text("Levers", exact=True).scroll_into_view_if_needed()
    _screenshot(page, "dashboard_levers.png")

    page.get_by_label("Jump to day").fill("12")
    page.get_by_role("button", name="Jump", exact=True).click()
    problem = page.locator(".spsim-jump-problem")
    problem.wait_for()
    assert problem.inner_text().startswith("Day 12 has passed: the run is at day 230")
    assert page.locator('.spsim-day[data-day="230"]').count() == 1, "the run stays where it was"


def test_play_runs_a_month_a_second(page: Any, app: str) -> None:
    page.goto(app + "/")
    day = page.locator(".spsim-day")
    day.wait_for()
    page.get_by_label("Play speed").click(force=True)
    page.get_by_role("option", name="1 month a second").click()
    page.get_by_role("button", name="▶").click()
    page.locator('.spsim-day[data-days-simulated="5"]').wait_for()  # the first tick: 5 days
    started = int(day.get_attribute("data-days-simulated"))
    page.wait_for_timeout(3_000)
    page.get_by_role("button", name="❚❚").click()
    played = int(day.get_attribute("data-days-simulated")) - started
    # 90 days at a month a second; a busy shared machine gets less, two days a second far less.
    assert played >= 45, f"{played} days in 3 s"
