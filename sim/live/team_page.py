"""A team's screen in a session: enter the team's code, then play the team's own seats, week by week.

The first browser to enter a code holds the team (:meth:`Session.claim`): another
browser with the same code is refused, so no laptop but the team's can submit for it
(the facilitator's console can free a team whose laptop died). The screen shows only the
team's seats — each seat's briefing, the play page's own order or forecast form and the
seat's history charts —
and, once the week moved on without the team, that the agent's rule decided it.

The screen looks at the shared session every second (:func:`use_clock`): a week the
other team completed, or the facilitator advanced, appears without a reload; the look
also lets the week's deadline advance the session if it passed.

CSS classes a browser test can read: ``spsim-team-join``, ``spsim-team-error``,
``spsim-team-week`` (``data-week``), ``spsim-team-clock``, ``spsim-team-agent`` (the
agent's rule decided the last week), ``spsim-team-waiting``,
``spsim-team-seat`` (a seat's card), ``spsim-team-seat-label`` (``data-seat``), ``spsim-team-over``.
"""

import contextlib
import html
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import solara

from sim.live.play_page import PLAY_CSS, BuyerForm, SalesForm, SeatHistory
from sim.live.prose import Prose
from sim.play.game import Game
from sim.play.info import PlayError
from sim.play.seat import Decision
from sim.play.session import Session
from sim.play.session_hub import find_team, open_session
from sim.play.session_info import BY_AGENT, BY_BOTH

TICK_S = 1.0
REVISION = 100_000  # use_clock's value is revision * REVISION + seconds left: // REVISION is the save


@dataclass(frozen=True)
class Hand:
    """A seat's submit for the play page's forms: they only call ``submit(decision)``."""

    session: Session
    team: str
    holder: str
    seat: str
    week: int

    def submit(self, decision: Decision) -> None:
        self.session.submit(self.team, self.holder, self.seat, decision, self.week)


@solara.component
def Label(text: str, classes: list[str], **data: str) -> None:
    """A line of text with data attributes a test (and the projector's CSS) can read."""
    attributes = {f"data-{key}": value for key, value in data.items()}
    solara.HTML(tag="div", unsafe_innerHTML=html.escape(text), classes=classes, attributes=attributes)


def use_clock(session: Session | None) -> int:
    """Re-render when the session moves on (or every second while a clock runs); let a passed deadline advance it."""
    seen = solara.use_reactive(0)

    def watch(cancel: threading.Event) -> None:
        while session is not None and not cancel.wait(TICK_S):
            with contextlib.suppress(PlayError):  # busy or unsaveable: the next look tries again
                session.expire()
            left = session.seconds_left()
            seen.set(session.info.revision * REVISION + (int(left) if left is not None else 0))

    solara.use_thread(watch, dependencies=[session], intrusive_cancel=False)
    return int(seen.value)


@solara.component
def TeamPage(sessions: Path) -> None:
    """The team's page: its code, then its seats' screens."""
    joined = solara.use_reactive(cast(tuple[Session, str] | None, None))
    code = solara.use_reactive("")
    error = solara.use_reactive("")
    holder = solara.get_session_id()  # this browser (its cookie): a second browser is another holder

    def join() -> None:
        try:
            folder, team = find_team(sessions, code.value)
            session = open_session(folder)
            session.claim(team.code, holder)
        except PlayError as problem:
            error.set(str(problem))
            return
        error.set("")
        joined.set((session, team.name))

    solara.Title("Team · spsim")
    solara.Style(PLAY_CSS)
    with solara.Column(classes=["spsim-team"], style={"max-width": "1100px"}):
        if joined.value is None:
            Prose("## Join your team\nThe facilitator gives each team its code.")
            with solara.Card(classes=["spsim-team-join"]):
                solara.InputText("Team code", value=code, continuous_update=True)
                if error.value:
                    solara.Error(error.value, classes=["spsim-team-error"])
                solara.Button("Join", on_click=join, color="primary")
        else:
            TeamScreen(*joined.value, holder=holder)


@solara.component
def TeamScreen(session: Session, team_name: str, holder: str) -> None:
    clock = use_clock(session)
    moved = solara.use_reactive(0)  # bumped by a submit: this screen shows the seat as submitted at once
    info = session.info
    team = info.team(team_name)
    Prose(f"## Team {team.name} · {info.name}")
    _last_week(session, team_name)
    if session.finished:
        Label(f"The session is over: {info.weeks_planned} weeks played.", ["spsim-team-over"])
        Prose("The facilitator shows the leaderboard and the debrief.")
        return
    left = session.seconds_left()
    Label(
        f"Week {session.week} of {info.weeks_planned} · day {session.week_day} · {info.scenario} market",
        ["spsim-team-week"],
        week=str(session.week),
    )
    clock_text = "paused by the facilitator" if info.paused else ("" if left is None else f"{_mmss(left)} left")
    if clock_text:
        Label(f"Clock: {clock_text}", ["spsim-team-clock"])
    if team.holder != holder:
        solara.Error("The facilitator freed this team's screen: enter the code again.", classes=["spsim-team-error"])
        return
    for seat in team.seats:
        if seat in session.submitted(team):
            others = [name for name in session.waiting() if name != team.name]
            waiting = f"waiting for {', '.join(others)}" if others else "waiting for the facilitator"
            Label(f"{seat}: week {session.week} submitted; {waiting}.", ["spsim-team-waiting"], seat=seat)
        else:
            SeatScreen(
                session, team.name, holder, seat, session.week, clock + moved.value, lambda: moved.set(moved.value + 1)
            )


def _last_week(session: Session, team_name: str) -> None:
    if not session.info.decided:
        return
    week = len(session.info.decided)
    how = session.info.decided[-1].get(team_name)
    if how == BY_AGENT:
        text = f"The agent's rule decided week {week} for you: the week closed before you submitted."
    elif how == BY_BOTH:
        text = f"The agent's rule decided part of week {week} for you: some of your seats had not submitted."
    else:
        return
    solara.Warning(text, classes=["spsim-team-agent"])


@solara.component
def SeatScreen(
    session: Session, team: str, holder: str, seat: str, week: int, clock: int, on_moved: Callable[[], None]
) -> None:
    """One seat's week: its numbers, what it is rewarded for, its messages, its form."""
    briefing = solara.use_memo(lambda: session.briefing(seat), [session, seat, week])
    with solara.Card(f"Seat: {seat}", classes=["spsim-team-seat"]):
        Label(f"Your seat: {seat}. Your decision for it is below.", ["spsim-team-seat-label"], seat=seat)
        with solara.Columns([1, 1]):
            Prose("\n".join(["| | |", "|---|---|"] + [f"| {k} | **{v}** |" for k, v in briefing.kpis.items()]))
            Prose("\n".join(f"- {line}" for line in briefing.incentives))
        with solara.Column(gap="2px"):
            for message in briefing.messages[-6:]:
                solara.Text(message, classes=["spsim-play-message"])
        Prose("\n".join(f"- {note}" for note in briefing.notes))
        hand = cast(Game, Hand(session, team, holder, seat, week))  # the forms call only .submit(decision)
        if briefing.role == "buyer":
            BuyerForm(hand, briefing, on_moved)
        else:
            SalesForm(hand, briefing, on_moved)
    SeatHistory(session.model, session.seats[seat], session.info.first_decision_day, briefing.day)


def _mmss(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return f"{whole // 60}:{whole % 60:02d}"
