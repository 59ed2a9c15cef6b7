"""A workshop in real browsers, step by step: the facilitator's console, each team's screen, the slides.

The steps of README.md's facilitator walkthrough, shared by its test (``tests/test_readme.py``)
and the workshop's browser test (``tests/live/test_workshop_browser.py``). A :class:`Room`
finds every button and field by the name a person reads on the screen and records the names
it used, so the README's test can check that each control the walkthrough names in bold was
used. Waits are on the page's own data attributes (the week, the team, the slide); the only
time waited for is a week's clock that has to run out.

:func:`play_four_weeks` plays the walkthrough's session: two teams in one company (purchasing
holds buyer 0, sales rep 0), each in its own browser context; the clock paused while the teams
sit down and submit; sales misses week 2's deadline; a supplier disruption injected in week
3; week 4 moves on when both have submitted; then the leaderboard and every debrief slide.
"""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sim.live.serve import CHROMIUM_FLAGS
from tests.browser import playwright_and_chromium

TIMEOUT_MS = 90_000  # a page's answer on a loaded machine: generous, and only ever a ceiling
MINUTES = "0.2"  # the clock: 12 s a week, a short wait for the missed deadline with room for a click under load
DEADLINE_S = round(float(MINUTES) * 60)
TEAMS = {"Purchasing": "buyer 0", "Sales": "rep 0"}
# What a team's screen shows, read in one go: the week, its seats, its forms, the agent's-rule notice.
SCREEN = """() => ({
    week: document.querySelector('.spsim-team-week')?.dataset.week ?? null,
    seats: Array.from(document.querySelectorAll('.spsim-team-seat-label')).map(e => e.dataset.seat),
    orders: document.querySelectorAll('.spsim-order').length,
    forecasts: document.querySelectorAll('.spsim-adjustment').length,
    agent: Array.from(document.querySelectorAll('.spsim-team-agent')).map(e => e.innerText.trim()).join(' '),
})"""


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's chromium, headless (the test is skipped where there is none), closed on leaving."""
    playwright_api, executable = playwright_and_chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Room:
    """The browsers of a workshop (each page in a context of its own: another laptop to the server)."""

    browser: Any
    address: str
    named: set[str] = field(default_factory=set)  # every button pressed and field filled, by its name
    contexts: list[Any] = field(default_factory=list)

    def laptop(self, path: str, viewport: dict[str, int] | None = None) -> Any:
        context = self.browser.new_context(viewport=viewport or {"width": 1300, "height": 1400})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(self.address + path)
        return page

    def press(self, page: Any, name: str) -> None:
        self.named.add(name)
        page.get_by_role("button", name=name, exact=True).click()

    def fill(self, page: Any, label: str, text: str) -> None:
        self.named.add(label)
        page.get_by_label(label, exact=True).fill(text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


# -- the facilitator ------------------------------------------------------------------------------


def create(room: Room, console: Any, name: str, weeks: int, minutes: str) -> dict[str, str]:
    """A session of one company with the default teams (purchasing: buyer 0, sales: rep 0); their codes."""
    room.fill(console, "Session name", name)
    room.fill(console, "Weeks", str(weeks))
    room.fill(console, "Minutes a week", minutes)
    room.fill(console, "Companies (tables)", "1")
    room.press(console, "Create session")
    console.locator('.spsim-console-week[data-week="1"]').wait_for()
    teams = console.locator(".spsim-console-team")
    teams.nth(len(TEAMS) - 1).wait_for()
    rows = teams.evaluate_all("rows => rows.map(r => [r.dataset.team, r.dataset.code])")
    return {str(team): str(code) for team, code in rows}


def pause(room: Room, console: Any, week: int) -> None:
    """Stop the clock in ``week`` (it must not have run out before the click landed)."""
    room.press(console, "Pause")
    console.locator(".spsim-console-clock", has_text="paused").wait_for()
    assert console.locator(f'.spsim-console-week[data-week="{week}"]').count() == 1, (
        f"the {DEADLINE_S} s clock ran out before Pause took effect in week {week}: the machine is too slow"
    )


def all_submitted(console: Any) -> None:
    console.locator('.spsim-console-team[data-status="submitted"]').nth(len(TEAMS) - 1).wait_for()


def inject_disruption(room: Room, console: Any, capacity_percent: str) -> str:
    """A supplier disruption from this week on (the Shock panel's first kind); the console's line for it."""
    room.fill(console, "Capacity left (%)", capacity_percent)
    room.press(console, "Inject")
    injected = console.locator('.spsim-console-shock[data-kind="disruption"]')
    injected.wait_for()
    return str(injected.inner_text())


def slides(room: Room, console: Any) -> list[dict[str, str]]:
    """Open the session's debrief slides from the console and page through every one with Next, then back one."""
    console.locator(".spsim-console-slides").first.click()
    shown = []
    index = 1
    while True:
        title = console.locator(f'.spsim-slide-title[data-index="{index}"]')
        title.wait_for()  # the slide is one element: its chart and text came with its title
        console.locator(".spsim-slide-count", has_text=re.compile(rf"^{index} / \d+$")).wait_for()
        count = str(console.locator(".spsim-slide-count").inner_text())
        shown.append(
            {
                "kind": str(title.get_attribute("data-kind")),
                "title": str(title.inner_text()),
                "text": str(console.locator(".spsim-slide-text").inner_text()),
                "count": count,
                "chart": str(console.locator(".spsim-slide-chart img").count()),
            }
        )
        if count == f"{index} / {index}":
            break
        room.press(console, "Next")
        index += 1
    if index > 1:
        room.press(console, "Previous")
        console.locator(f'.spsim-slide-title[data-index="{index - 1}"]').wait_for()
    return shown


def session_folder(console: Any) -> str:
    """The session's folder name, as the console's debrief link names it."""
    link = console.locator(".spsim-console-slides").first
    link.wait_for()
    found = re.search(r"session=([^&]+)", str(link.get_attribute("href")))
    assert found, "the debrief link names no session"
    return found.group(1)


# -- the teams -------------------------------------------------------------------------------------


def join(room: Room, page: Any, code: str) -> None:
    room.fill(page, "Team code", code)
    room.press(page, "Join")


def screen(page: Any, week: int, seat: str) -> dict[str, Any]:
    """What the team's screen shows once ``week`` is on it with the seat's form."""
    page.locator(f'.spsim-team-week[data-week="{week}"]').wait_for()
    page.locator(f'.spsim-team-seat-label[data-seat="{seat}"]').wait_for()
    page.locator(".spsim-submit").first.wait_for()
    return dict(page.evaluate(SCREEN))


def buy(room: Room, page: Any, week: int, units: str) -> None:
    """Purchasing orders ``units`` of every SKU of its family and submits (confirming if the page asks)."""
    orders = page.locator(".spsim-order input")
    orders.first.wait_for()
    for i in range(orders.count()):
        orders.nth(i).fill(units)
    _submit(room, page, week)


def sell(room: Room, page: Any, week: int, adjustment: str) -> None:
    room.fill(page, "Forecast adjustment (%)", adjustment)
    _submit(room, page, week)


def _submit(room: Room, page: Any, week: int) -> None:
    """Submit the week; the screen then says the team waits (the clock is paused: nothing moves on)."""
    room.press(page, f"Submit week {week}")
    waiting, confirm = page.locator(".spsim-team-waiting"), page.locator(".spsim-play-confirm")
    waiting.or_(confirm).first.wait_for()
    if not waiting.count():  # an order of over 10 weeks of a slow SKU's demand: the page asks, the team confirms
        room.press(page, f"Submit week {week}")
        waiting.wait_for()


# -- the walkthrough's session ----------------------------------------------------------------------


@dataclass
class Played:
    """What a test reads after :func:`play_four_weeks`."""

    folder: str  # the session's folder under the sessions folder
    seen: dict[str, list[dict[str, Any]]]  # each team's screen at weeks 1-4 (week 3: after sales missed week 2)
    waited_s: float  # how long sales' missed week 2 took to close, from Resume
    shock: str  # the console's line for the injected shock
    board: str  # the leaderboard's row for the session, once finished
    slides: list[dict[str, str]]


def play_four_weeks(room: Room, name: str, laptop_dies: bool = False) -> Played:
    """The README's walkthrough, four weeks of it (see the module's docstring).

    ``laptop_dies``: purchasing's first laptop dies once joined; a second one with the code is
    refused until the facilitator frees the team's screen, then plays.
    """
    console = room.laptop("/console")
    codes = create(room, console, name, weeks=4, minutes=MINUTES)
    pause(room, console, 1)  # people sit down: the clock waits
    assert set(codes) == set(TEAMS), codes
    purchasing = room.laptop("/team")
    join(room, purchasing, codes["Purchasing"])
    if laptop_dies:
        screen(purchasing, 1, TEAMS["Purchasing"])
        purchasing = room.laptop("/team")
        join(room, purchasing, codes["Purchasing"])
        purchasing.locator(".spsim-team-error", has_text="already playing on another screen").wait_for()
        room.press(console, "Free screen")
        console.locator('.spsim-console-team[data-team="Purchasing"][data-held="no"]').wait_for()
        join(room, purchasing, codes["Purchasing"])
    sales = room.laptop("/team")
    join(room, sales, codes["Sales"])
    seen: dict[str, list[dict[str, Any]]] = {"Purchasing": [], "Sales": []}

    def look(week: int) -> None:
        seen["Purchasing"].append(screen(purchasing, week, TEAMS["Purchasing"]))
        seen["Sales"].append(screen(sales, week, TEAMS["Sales"]))

    look(1)
    buy(room, purchasing, 1, "30")
    sell(room, sales, 1, "5")
    all_submitted(console)
    room.press(console, "Advance week")  # paused: the next week waits with a full clock
    console.locator('.spsim-console-week[data-week="2"]').wait_for()

    look(2)
    buy(room, purchasing, 2, "35")  # sales never submits week 2
    purchasing.get_by_text("waiting for Sales").wait_for()
    room.press(console, "Resume")
    started = time.monotonic()
    console.locator(".spsim-console-clock", has_text="left").wait_for()
    console.locator('.spsim-console-week[data-week="3"]').wait_for(timeout=(DEADLINE_S + 90) * 1000)
    waited_s = time.monotonic() - started
    pause(room, console, 3)
    sales.locator(".spsim-team-agent", has_text="The agent's rule decided week 2 for you").wait_for()
    seen["Sales"].append(screen(sales, 3, TEAMS["Sales"]))
    seen["Purchasing"].append(screen(purchasing, 3, TEAMS["Purchasing"]))

    shock = inject_disruption(room, console, "20")
    buy(room, purchasing, 3, "30")
    sell(room, sales, 3, "0")
    all_submitted(console)
    room.press(console, "Advance week")
    console.locator('.spsim-console-week[data-week="4"]').wait_for()

    look(4)
    sell(room, sales, 4, "-5")
    buy(room, purchasing, 4, "25")
    room.press(console, "Resume")  # both have submitted: the week moves on at once
    console.locator('.spsim-console-week[data-week="over"]').wait_for()
    purchasing.locator(".spsim-team-over").wait_for()
    sales.locator(".spsim-team-over").wait_for()
    finished = console.locator(f'.spsim-console-board-row[data-session="{name}"]', has_text="finished")
    finished.wait_for()  # the row of the last save: with the console's next look
    board = str(finished.inner_text())
    folder = session_folder(console)
    return Played(folder, seen, waited_s, shock, board, slides(room, console))
