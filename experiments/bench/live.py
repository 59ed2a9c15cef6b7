"""The live workshop app (sections 5 and 6 of ``make bench``; extra ``[viz]``).

5. The dashboard rendered headless with ``solara.render``: one Step click (simulate the
   day, collect its measures, redraw charts and feed), median seconds early in a default
   run and late in it, where the charts are longest.
6. The app in a real browser (headless chromium, where one is installed), served by
   ``spsim-viz``: the dashboard page's load (navigation to the first day line on screen,
   in a fresh context each time), a Step click to the new day on screen, and a week of
   play mode (submit to the next week's screen, the save included).
"""

import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from experiments.bench.record import Report

VIZ_STEP_MAX_S = 0.3  # live dashboard: one simulated day, step + render, median
PAGE_LOAD_MAX_S = 5.0  # live app: the dashboard page loads in a browser, median

VIZ_STEPS = 30  # Step clicks timed per phase of the run
VIZ_LATE_DAY = 400  # the late phase starts here (of 455 days): the longest charts
PAGE_LOADS = 5  # fresh browser contexts timed loading the dashboard
BROWSER_STEPS = 20  # Step clicks timed in the browser, click to the new day on screen


# -- section 5: the dashboard rendered headless ------------------------------------------------


def _rendered_dashboard() -> tuple[Any, Any]:
    """The dashboard rendered headless, and the model its session built (it keeps it private)."""
    import solara

    from sim.live import dashboard

    built: list[Any] = []
    original = dashboard.LiveModel.__init__

    def recording(self: Any, **settings: Any) -> None:
        original(self, **settings)
        built.append(self)

    dashboard.LiveModel.__init__ = recording  # type: ignore[method-assign]
    try:
        _box, rc = solara.render(dashboard.Dashboard(), handle_error=False)
    finally:
        dashboard.LiveModel.__init__ = original  # type: ignore[method-assign]
    return rc, built[0]


def time_step_clicks(step_button: Any, clicks: int) -> list[float]:
    """Wall seconds of each Step click: the day, its measures, and the redraw of the page."""
    samples = []
    for _ in range(clicks):
        start = time.perf_counter()
        step_button.click()
        samples.append(time.perf_counter() - start)
    return samples


def live_dashboard(report: Report) -> None:
    report.section(f"5. Live dashboard: one Step click, step + render (median of {VIZ_STEPS})")
    try:
        import ipyvuetify as v
    except ImportError:
        report.row("skipped", "", "(the [viz] extra is not installed)")
        return
    rc, model = _rendered_dashboard()
    step = rc.find(v.Btn, children=["Step"]).widget
    early = time_step_clicks(step, VIZ_STEPS)
    # Fast-forward without redrawing (the model still collects each day), then time again.
    forward = []
    while int(model.env.now) < VIZ_LATE_DAY:
        start = time.perf_counter()
        model.step()
        forward.append(time.perf_counter() - start)
    late = time_step_clicks(step, VIZ_STEPS)
    days = model.config.total_days
    report.figures["live_dashboard"] = {
        "scenario": "default",
        "simulated_days": days,
        "clicks_per_phase": VIZ_STEPS,
        "early_days": [0, VIZ_STEPS - 1],
        "late_days": [VIZ_LATE_DAY, VIZ_LATE_DAY + VIZ_STEPS - 1],
        "early_median_s": median(early),
        "late_median_s": median(late),
        "early_samples_s": early,
        "late_samples_s": late,
        "step_only_median_s": median(forward),
    }
    report.row("model step alone (LiveModel.step)", f"{median(forward):.4f} s", "median, no redraw")
    report.row(f"step + render, days 0-{VIZ_STEPS - 1}", f"{median(early):.3f} s", f"max {max(early):.3f} s")
    report.row(
        f"step + render, days {VIZ_LATE_DAY}-{VIZ_LATE_DAY + VIZ_STEPS - 1}",
        f"{median(late):.3f} s",
        f"max {max(late):.3f} s",
    )
    worse = max(median(early), median(late))
    report.target("live dashboard step + render (median)", worse, VIZ_STEP_MAX_S, "s", ".3f")


# -- section 6: the live app in a browser -------------------------------------------------------


def live_app_in_browser(report: Report) -> None:
    report.section("6. Live app in headless chromium: page load, Step click, a week of play (medians)")
    try:
        from playwright.sync_api import sync_playwright

        from sim.live.serve import CHROMIUM_FLAGS, chromium, served_app
    except ImportError:
        report.row("skipped", "", "(the [viz] extra or playwright is not installed)")
        return
    executable = chromium()
    if executable is None:
        report.row("skipped", "", "(no chromium: apt-get install chromium)")
        return
    with (
        tempfile.TemporaryDirectory() as scratch,
        served_app(Path(scratch) / "games") as address,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        loads = [_page_load(browser, address) for _ in range(PAGE_LOADS)]
        steps = _browser_steps(browser, address)
        weeks = _play_weeks(browser, address)
        browser.close()
    report.figures["live_app_browser"] = {
        "page_load_median_s": median(loads),
        "page_load_samples_s": loads,
        "step_click_median_s": median(steps),
        "step_click_samples_s": steps,
        "play_week_median_s": median(weeks),
        "play_week_samples_s": weeks,
    }
    report.row("dashboard page load", f"{median(loads):.2f} s", f"max {max(loads):.2f} s of {PAGE_LOADS}")
    report.row("Step click to the new day on screen", f"{median(steps):.3f} s", f"max {max(steps):.3f} s")
    report.row("play: submit a week to the next screen", f"{median(weeks):.2f} s", "simulate 7 days + save the game")
    report.target("live app page load (median)", median(loads), PAGE_LOAD_MAX_S, "s", ".2f")
    report.target("live app Step click to the new day on screen (median)", median(steps), VIZ_STEP_MAX_S, "s", ".3f")


def _page_load(browser: Any, address: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    start = time.perf_counter()
    page.goto(address + "/")
    page.locator(".spsim-day").wait_for(timeout=60_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def _browser_steps(browser: Any, address: str) -> list[float]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(address + "/")
    page.locator(".spsim-day").wait_for(timeout=60_000)
    samples = []
    for day in range(BROWSER_STEPS):
        start = time.perf_counter()
        page.get_by_role("button", name="Step", exact=True).click()
        page.locator(f'.spsim-chart-state[data-chart="profit"][data-day="{day}"]').wait_for(timeout=60_000)
        samples.append(time.perf_counter() - start)
    context.close()
    return samples


def _play_weeks(browser: Any, address: str, weeks: int = 4) -> list[float]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(address + "/play")
    page.get_by_label("Your name").fill("Bench")
    page.get_by_label("Weeks").fill(str(weeks + 1))
    page.get_by_text("Start game").click()
    samples = []
    for week in range(1, weeks + 1):
        page.get_by_text(f"Week {week} of {weeks + 1}").wait_for()
        orders = page.locator(".spsim-order input")
        for i in range(orders.count()):
            orders.nth(i).fill("50")
        start = time.perf_counter()
        page.get_by_text(f"Submit week {week}").click()
        next_week = page.get_by_text(f"Week {week + 1} of {weeks + 1}")
        confirm = page.locator(".spsim-play-confirm")
        next_week.or_(confirm).first.wait_for()
        if confirm.count():  # 50 units is over 10 weeks' demand of a slow SKU: the page asks, the bench confirms
            page.get_by_text(f"Submit week {week}").click()
        next_week.wait_for()
        samples.append(time.perf_counter() - start)
    context.close()
    return samples
