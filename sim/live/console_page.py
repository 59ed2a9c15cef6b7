"""The facilitator's console: create a session, hand out the codes, run the weeks, show the leaderboard.

One page for the facilitator's laptop (and the projector): the sessions, a form for a
new one (market, seed, levers, weeks, minutes a week, the teams and their seats), and for
the session chosen its teams with their codes, whether their screen is held and whether
they have submitted this week, the clock, **Advance week** (the agents' rule for every
seat not submitted), **Pause**/**Resume**, and the live leaderboard of every session.
The page looks every second (:func:`~sim.live.team_page.use_clock`), so a passed
deadline advances the week even if no team's screen is open.

CSS classes a browser test can read: ``spsim-console-create``, ``spsim-console-error``,
``spsim-console-session`` (one listed, ``data-name``), ``spsim-console-week``
(``data-week``), ``spsim-console-clock``, ``spsim-console-team`` (``data-team``,
``data-code``, ``data-status`` = submitted or waiting, ``data-held`` = yes or no),
``spsim-console-history``, ``spsim-console-board-row`` (``data-session``, ``data-teams``).
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import solara

from sim.live.prose import Prose
from sim.live.team_page import REVISION, Label, use_clock
from sim.play.game import lever_names, scenario_names
from sim.play.info import PlayError
from sim.play.session import Session
from sim.play.session_board import board
from sim.play.session_hub import adopt, list_sessions, open_session
from sim.play.session_info import parse_teams

DEFAULT_TEAMS = "Purchasing: buyer 0\nSales: rep 0"


@dataclass(frozen=True)
class NewSession:
    """What the facilitator chose for a new session (as typed)."""

    name: str = "Table 1"
    scenario: str = "default"
    seed: str = "1"
    weeks: str = "4"
    minutes: str = "5"  # a week's time on the clock; 0 = no clock
    levers: tuple[str, ...] = ()
    teams: str = DEFAULT_TEAMS


@solara.component
def ConsolePage(sessions: Path) -> None:
    chosen = solara.use_reactive(cast(Session | None, None))
    listed = solara.use_reactive(0)  # bumped when a session is created: the list is read again
    clock = use_clock(chosen.value)  # handed down: a child re-renders only when what it is given changes
    solara.Title("Console · spsim")
    with solara.Column(classes=["spsim-console"], style={"max-width": "1200px"}):
        Prose("## Facilitator's console")
        with solara.Columns([1, 1]):
            with solara.Column():
                SessionList(sessions, (listed.value, clock // REVISION), on_open=chosen.set)
                CreateForm(sessions, on_created=lambda s: (chosen.set(s), listed.set(listed.value + 1)))
            with solara.Column():
                if chosen.value is not None:
                    SessionControl(chosen.value, clock)
                Leaderboard(sessions, 0 if chosen.value is None else chosen.value.info.revision)


@solara.component
def SessionList(sessions: Path, listed: tuple[int, int], on_open: solara.Callable[[Session], None]) -> None:
    error = solara.use_reactive("")
    found = solara.use_memo(lambda: list_sessions(sessions), [listed])  # read again on a new session or save

    def pick(folder: Path) -> None:
        try:
            on_open(open_session(folder))
        except PlayError as problem:
            error.set(str(problem))

    with solara.Card("Sessions"):
        if not found:
            solara.Text("None yet: create one below.")
        for info in found[:12]:
            state = "finished" if info["finished"] else f"week {info['weeks_played'] + 1} of {info['weeks_planned']}"
            with solara.Row(style={"align-items": "center"}):
                Label(f"{info['name']} · {state} · {info['folder'].name}", ["spsim-console-session"], name=info["name"])
                solara.Button("Open", on_click=lambda f=info["folder"]: pick(f), text=True)
        if error.value:
            solara.Error(error.value, classes=["spsim-console-error"])


@solara.component
def CreateForm(sessions: Path, on_created: solara.Callable[[Session], object]) -> None:
    form = solara.use_reactive(NewSession())
    error = solara.use_reactive("")
    value = form.value

    def change(**changes: object) -> None:
        form.set(NewSession(**{**value.__dict__, **changes}))

    def create() -> None:
        try:
            session = Session.create(
                sessions,
                name=value.name,
                teams=parse_teams(value.teams),
                weeks=_whole(value.weeks, "weeks"),
                scenario=value.scenario,
                seed=_whole(value.seed, "seed"),
                levers=value.levers,
                deadline_s=round(_number(value.minutes, "minutes a week") * 60),
            )
        except PlayError as problem:
            error.set(str(problem))
            return
        error.set("")
        on_created(adopt(session))

    with solara.Card("New session", classes=["spsim-console-create"]):
        solara.InputText("Session name", value=value.name, on_value=lambda v: change(name=v), continuous_update=True)
        with solara.Row():
            solara.InputText("Weeks", value=value.weeks, on_value=lambda v: change(weeks=v), continuous_update=True)
            solara.InputText(
                "Minutes a week", value=value.minutes, on_value=lambda v: change(minutes=v), continuous_update=True
            )
            solara.InputText("Seed", value=value.seed, on_value=lambda v: change(seed=v), continuous_update=True)
        solara.Select("Market", values=scenario_names(), value=value.scenario, on_value=lambda v: change(scenario=v))
        solara.SelectMultiple(
            "Levers on", values=list(value.levers), all_values=lever_names(), on_value=lambda v: change(levers=tuple(v))
        )
        solara.InputTextArea(
            "Teams (one a line: Name: seat, seat)",
            value=value.teams,
            on_value=lambda v: change(teams=v),
            continuous_update=True,
        )
        solara.Text("Seats: buyer 0-3, rep 0-4 in the default market; the agents play every other seat.")
        if error.value:
            solara.Error(error.value, classes=["spsim-console-error"])
        solara.Button("Create session", on_click=create, color="primary")


@solara.component
def SessionControl(session: Session, clock: int) -> None:
    error = solara.use_reactive("")
    acted = solara.use_reactive(0)  # bumped by a button: the card shows the change at once
    _ = acted.value  # read, so the card subscribes to it (solara re-renders only the readers of a value)
    info = session.info

    def act(action: solara.Callable[[], object]) -> None:
        try:
            action()
            error.set("")
        except PlayError as problem:
            error.set(str(problem))
        acted.set(acted.value + 1)

    with solara.Card(f"Session: {info.name}"):
        if session.finished:
            Label(f"Finished: {info.weeks_planned} weeks played", ["spsim-console-week"], week="over")
        else:
            Label(
                f"Week {session.week} of {info.weeks_planned} · day {session.week_day}",
                ["spsim-console-week"],
                week=str(session.week),
            )
        left = session.seconds_left()
        shown = "paused" if info.paused else ("no clock: advance by hand" if left is None else f"{_mmss(left)} left")
        Label(f"Clock: {shown}", ["spsim-console-clock"])
        waiting = session.waiting()
        for team in info.teams:
            status = "waiting" if team.name in waiting else "submitted"
            held = "yes" if team.holder else "no"
            with solara.Row(style={"align-items": "center"}):
                Label(
                    f"{team.name} · code {team.code} · {', '.join(team.seats)} · "
                    f"{'joined' if team.holder else 'not joined'} · this week: {status}",
                    ["spsim-console-team"],
                    team=team.name,
                    code=team.code,
                    status=status,
                    held=held,
                )
                if team.holder:
                    solara.Button(
                        "Free screen", on_click=lambda n=team.name: act(lambda: session.release(n)), text=True
                    )
        if not session.finished:
            with solara.Row():
                solara.Button("Advance week", on_click=lambda: act(session.advance), color="primary")
                if info.paused:
                    solara.Button("Resume", on_click=lambda: act(lambda: session.pause(False)))
                else:
                    solara.Button("Pause", on_click=lambda: act(lambda: session.pause(True)))
        if error.value:
            solara.Error(error.value, classes=["spsim-console-error"])
        rows = [
            f"week {week}: " + ", ".join(f"{team} {how}" for team, how in record.items())
            for week, record in enumerate(info.decided, start=1)
        ]
        if rows:
            Prose("\n".join(f"- {row}" for row in rows).replace("agent", "**agent's rule**"))
            Label("; ".join(rows), ["spsim-console-history"])
        solara.Text("Teams join at /team with their code.")


@solara.component
def Leaderboard(sessions: Path, revision: int) -> None:
    rows = solara.use_memo(lambda: board(sessions), [revision])
    with solara.Card("Leaderboard (company score: operating profit less excess stock)"):
        if not rows:
            solara.Text("No weeks played yet.")
        for rank, row in enumerate(rows, start=1):
            company = f"{row.company:,.0f}" if math.isfinite(row.company) else "—"
            teams = " · ".join(f"{name} ({department}): {score:,.0f}" for name, department, score in row.teams)
            Label(
                f"{rank}. {row.session} · {row.week} · company {company} · {teams}",
                ["spsim-console-board-row"],
                session=row.session,
                teams=",".join(name for name, _, _ in row.teams),
            )


def _mmss(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return f"{whole // 60}:{whole % 60:02d}"


def _whole(text: str, name: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise PlayError(f"{name}: {text!r} is not a whole number") from None


def _number(text: str, name: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise PlayError(f"{name}: {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise PlayError(f"{name}: {text!r} must be 0 (no clock) or more")
    return value
