"""The dashboard and the workshop's pages on a projector, in a real browser: 1280×720, nothing under 16 px.

Set ``SPSIM_SCREENSHOTS`` to a folder to keep what the room would see
(``dashboard_1280x720.png``, and the charts and controls further down the page).
"""

from pathlib import Path
from typing import Any

from sim.live.controls import lever_controls
from sim.play.market import Market
from tests.browser import BROWSER_MARKS, SMALLEST_PX, TEXT_SIZES, playwright_and_chromium, screenshot

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium

LEVER = "regular_meetings"


def _small_text(page: Any, root: str = ".spsim-dashboard", least: int = 50) -> list[dict[str, Any]]:
    sizes: list[dict[str, Any]] = page.locator(root).evaluate(TEXT_SIZES)
    assert len(sizes) > least, "the check saw the page's text"
    return [size for size in sizes if size["px"] < SMALLEST_PX - 0.01]


def test_a_teams_week_and_the_console_read_from_the_back_of_the_room(page: Any, app: str, games: Path) -> None:
    teams = [("Purchasing", ["buyer 0"]), ("Sales", ["rep 0"])]
    market = Market.create(games.parent / "sessions", companies=2, name="Room", teams=teams, weeks=2, deadline_s=600)
    for team in market.companies[0].info.teams:
        page.goto(app + "/team")
        page.get_by_label("Team code").fill(team.code)
        page.get_by_role("button", name="Join").click()
        page.locator(".spsim-submit").first.wait_for()
        assert not _small_text(page, "body", 100), f"team {team.name}"
        screenshot(page, f"team_{team.name.lower()}_1280x720.png")
    page.goto(app + "/console")
    page.get_by_role("button", name="Open").first.click()
    page.locator(".spsim-console-team").nth(3).wait_for()  # both companies' two teams
    assert not _small_text(page, "body", 30), "the console, tabs included"
    screenshot(page, "console_1280x720.png")


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
    page.locator('.spsim-chart-state[data-day="230"]').nth(4).wait_for()  # every chart redrawn, not only the first
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
    screenshot(page, "dashboard_1280x720.png")
    page.locator(".spsim-feed").scroll_into_view_if_needed()
    screenshot(page, "dashboard_lower_charts.png")
    page.get_by_text("Levers", exact=True).scroll_into_view_if_needed()
    screenshot(page, "dashboard_levers.png")

    page.get_by_label("Jump to day").fill("12")
    page.get_by_role("button", name="Jump", exact=True).click()
    problem = page.locator(".spsim-jump-problem")
    problem.wait_for()
    assert problem.inner_text().startswith("Day 12 has passed: the run is at day 230")
    assert page.locator('.spsim-day[data-day="230"]').count() == 1, "the run stays where it was"


def test_play_at_a_month_a_second_moves_five_days_a_tick(page: Any, app: str) -> None:
    page.goto(app + "/")
    day = page.locator(".spsim-day")
    day.wait_for()
    page.get_by_label("Play speed").click(force=True)
    page.get_by_role("option", name="1 month a second").click()
    page.get_by_role("button", name="▶").click()
    # A redraw may show two ticks at once on a busy machine: wait for "at least", never for one value.
    page.wait_for_function("() => +document.querySelector('.spsim-day').dataset.daysSimulated >= 30")
    page.get_by_role("button", name="❚❚").click()
    played = int(day.get_attribute("data-days-simulated"))
    assert played >= 30 and played % 5 == 0, f"{played} days: not whole ticks of 5 days"
