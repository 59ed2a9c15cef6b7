"""The facilitator's console: create a session, hand out the codes, run the weeks, show the leaderboard.

One page for the facilitator's laptop (and the projector): the sessions, a form for a
new one (market, seed, levers, weeks, minutes a week, the teams and their seats, and how
many companies play the market side by side, one per table: :mod:`sim.play.market`), and
for the session chosen each company's teams with their codes, whether their screen is held
and whether they have submitted this week, each company's clock, **Advance week** (the
agents' rule for every seat not submitted, in the companies furthest behind),
**Pause**/**Resume** (every company), a **Shock** panel (the same shock into every company,
from this week's first day on), a link to each company's debrief slides, and the live
leaderboard of the market's companies. The page looks every second (:func:`use_market_clock`),
so a passed deadline advances a company's week even if no team's screen is open.

CSS classes a browser test can read: ``spsim-console-create``, ``spsim-console-error``,
``spsim-console-session`` (one market listed, ``data-name``), ``spsim-console-company``
(``data-company``), ``spsim-console-week`` (``data-week``, ``data-company``),
``spsim-console-clock``, ``spsim-console-team`` (``data-team``, ``data-code``,
``data-company``, ``data-status`` = submitted or waiting, ``data-held`` = yes or no),
``spsim-console-history``, ``spsim-console-slides`` (a link), ``spsim-console-shock-panel``,
``spsim-console-shock-error``, ``spsim-console-shock`` (one injected, ``data-kind``),
``spsim-console-board-row`` (``data-session``, ``data-teams``, ``data-rank``).
"""

import contextlib
import html
import math
import threading
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import solara

from sim.live.prose import Prose
from sim.live.team_page import REVISION, Label
from sim.play.game import lever_names, scenario_names
from sim.play.info import PlayError
from sim.play.market import Market, markets
from sim.play.session import Session
from sim.play.session_board import board, ranked
from sim.play.session_info import parse_teams
from sim.play.session_shocks import FORM, WORDS, describe, from_form, kind_of

DEFAULT_TEAMS = "Purchasing: buyer 0\nSales: rep 0"
TICK_S = 1.0
BIG = {"font-size": "16px"}


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
    companies: str = "1"  # companies (tables) playing the same market side by side


def use_market_clock(market: Market | None) -> int:
    """Re-render when a company moves on (or every second while a clock runs); let passed deadlines advance."""
    seen = solara.use_reactive(0)

    def watch(cancel: threading.Event) -> None:
        while market is not None and not cancel.wait(TICK_S):
            with contextlib.suppress(PlayError):  # busy or unsaveable: the next look tries again
                market.expire()
            left = [company.seconds_left() for company in market.companies]
            shortest = min((int(x) for x in left if x is not None), default=0)
            seen.set(market.revision * REVISION + shortest)

    solara.use_thread(watch, dependencies=[market], intrusive_cancel=False)
    return int(seen.value)


@solara.component
def ConsolePage(sessions: Path) -> None:
    chosen = solara.use_reactive(cast(Market | None, None))
    listed = solara.use_reactive(0)  # bumped when a session is created: the list is read again
    clock = use_market_clock(chosen.value)  # handed down: a child re-renders only when what it is given changes
    solara.Title("Console · spsim")
    with solara.Column(classes=["spsim-console"], style={"max-width": "1240px", **BIG}):
        Prose("## Facilitator's console")
        with solara.Columns([1, 1]):
            with solara.Column():
                SessionList(sessions, (listed.value, clock // REVISION), on_open=chosen.set)
                CreateForm(sessions, on_created=lambda m: (chosen.set(m), listed.set(listed.value + 1)))
            with solara.Column():
                if chosen.value is not None:
                    MarketControl(chosen.value, clock)
                    ShockPanel(chosen.value, clock // REVISION)
                market = None if chosen.value is None else chosen.value.companies[0].info.market
                Leaderboard(sessions, market or _own(chosen.value), clock // REVISION)


def _own(market: Market | None) -> str | None:
    """The leaderboard's market of a session of its own (its folder's name), or None (every market)."""
    return None if market is None else market.companies[0].folder.name


@solara.component
def SessionList(sessions: Path, listed: tuple[int, int], on_open: solara.Callable[[Market], None]) -> None:
    error = solara.use_reactive("")
    found = solara.use_memo(lambda: markets(sessions), [listed])  # read again on a new session or save

    def pick(folder: Path) -> None:
        try:
            on_open(Market.of(folder))
        except PlayError as problem:
            error.set(str(problem))

    with solara.Card("Sessions"):
        if not found:
            solara.Text("None yet: create one below.")
        for group in found[:12]:
            first = group[0]
            name = first["name"].rpartition(" · table ")[0] if len(group) > 1 else first["name"]
            state = "finished" if all(info["finished"] for info in group) else _week_words(group)
            tables = f" · {len(group)} companies" if len(group) > 1 else ""
            with solara.Row(style={"align-items": "center"}):
                Label(f"{name}{tables} · {state} · {first['folder'].name}", ["spsim-console-session"], name=name)
                solara.Button("Open", on_click=lambda f=first["folder"]: pick(f), text=True)
        if error.value:
            solara.Error(error.value, classes=["spsim-console-error"])


def _week_words(group: list[dict[str, Any]]) -> str:
    playing = [info for info in group if not info["finished"]]
    return f"week {min(info['weeks_played'] for info in playing) + 1} of {group[0]['weeks_planned']}"


@solara.component
def CreateForm(sessions: Path, on_created: solara.Callable[[Market], object]) -> None:
    form = solara.use_reactive(NewSession())
    error = solara.use_reactive("")
    value = form.value

    def change(**changes: object) -> None:
        form.set(NewSession(**{**value.__dict__, **changes}))

    def create() -> None:
        try:
            market = Market.create(
                sessions,
                companies=_whole(value.companies, "companies"),
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
        on_created(market)

    with solara.Card("New session", classes=["spsim-console-create"]):
        solara.InputText("Session name", value=value.name, on_value=lambda v: change(name=v), continuous_update=True)
        with solara.Row():
            solara.InputText("Weeks", value=value.weeks, on_value=lambda v: change(weeks=v), continuous_update=True)
            solara.InputText(
                "Minutes a week", value=value.minutes, on_value=lambda v: change(minutes=v), continuous_update=True
            )
            solara.InputText("Seed", value=value.seed, on_value=lambda v: change(seed=v), continuous_update=True)
            solara.InputText(
                "Companies (tables)",
                value=value.companies,
                on_value=lambda v: change(companies=v),
                continuous_update=True,
            )
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
        solara.Text(
            "Seats: buyer 0-3, rep 0-4 in the default market; the agents play every other seat. "
            "Each company (table) gets these teams with codes of its own; the leaderboard ranks them."
        )
        if error.value:
            solara.Error(error.value, classes=["spsim-console-error"])
        solara.Button("Create session", on_click=create, color="primary")


@solara.component
def MarketControl(market: Market, clock: int) -> None:
    error = solara.use_reactive("")
    acted = solara.use_reactive(0)  # bumped by a button: the card shows the change at once
    _ = acted.value  # read, so the card subscribes to it (solara re-renders only the readers of a value)

    def act(action: solara.Callable[[], object]) -> None:
        try:
            action()
            error.set("")
        except PlayError as problem:
            error.set(str(problem))
        acted.set(acted.value + 1)

    many = len(market.companies) > 1
    with solara.Card(f"Session: {market.name}" + (f" · {len(market.companies)} companies" if many else "")):
        if not market.finished:
            with solara.Row():
                solara.Button("Advance week", on_click=lambda: act(market.advance), color="primary")
                if market.paused:
                    solara.Button("Resume", on_click=lambda: act(lambda: market.pause(False)))
                else:
                    solara.Button("Pause", on_click=lambda: act(lambda: market.pause(True)))
            if many:
                solara.Text("Advance moves the companies furthest behind; Pause and shocks apply to every company.")
        if error.value:
            solara.Error(error.value, classes=["spsim-console-error"])
        for company in market.companies:  # handed the revision: a child re-renders only when what it is given changes
            CompanyStatus(company, act, many, (clock, acted.value, company.info.revision))
        solara.Text("Teams join at /team with their code.")


@solara.component
def CompanyStatus(
    session: Session,
    act: solara.Callable[[solara.Callable[[], object]], None],
    many: bool,
    seen: tuple[int, int, int],
) -> None:
    """One company's week, clock, teams with codes and who submitted, history and debrief link."""
    info = session.info
    number = str(info.company)
    with solara.Column(classes=["spsim-console-company"], gap="4px", style={"margin-top": "8px"}):
        if many:
            Label(info.name, ["spsim-console-company-name"], company=number)
        if session.finished:
            Label(f"Finished: {info.weeks_planned} weeks played", ["spsim-console-week"], week="over", company=number)
        else:
            Label(
                f"Week {session.week} of {info.weeks_planned} · day {session.week_day}",
                ["spsim-console-week"],
                week=str(session.week),
                company=number,
            )
        left = session.seconds_left()
        shown = "paused" if info.paused else ("no clock: advance by hand" if left is None else f"{_mmss(left)} left")
        Label(f"Clock: {shown}", ["spsim-console-clock"], company=number)
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
                    company=number,
                    status=status,
                    held=held,
                )
                if team.holder:
                    solara.Button(
                        "Free screen", on_click=lambda n=team.name: act(lambda: session.release(n)), text=True
                    )
        rows = [
            f"week {week}: " + ", ".join(f"{team} {how}" for team, how in record.items())
            for week, record in enumerate(info.decided, start=1)
        ]
        if rows:
            Prose("\n".join(f"- {row}" for row in rows).replace("agent", "**agent's rule**"))
            Label("; ".join(rows), ["spsim-console-history"], company=number)
            link = "/slides?" + urllib.parse.urlencode({"session": session.folder.name})
            solara.HTML(
                tag="a",
                unsafe_innerHTML=html.escape(f"Debrief slides: {info.name}"),
                classes=["spsim-console-slides"],
                attributes={"href": link, "target": "_self"},
                style={"font-size": "18px"},
            )


@solara.component
def ShockPanel(market: Market, revision: int) -> None:
    """Inject a shock into every company of the market, from this week's first day on."""
    kind = solara.use_reactive("disruption")
    texts = solara.use_reactive(cast(dict[str, str], {}))
    error = solara.use_reactive("")
    done = solara.use_reactive(0)
    _ = done.value
    fields = FORM[kind.value]
    values = {field.key: texts.value.get(f"{kind.value}.{field.key}", field.default) for field in fields}

    def inject() -> None:
        try:
            playing = market.playing()
            if not playing:
                raise PlayError("the session is over: a shock cannot be injected")
            day = max(company.week_day for company in playing)
            shock = from_form(kind.value, day, values, playing[0].limits())
            figures = {k: v for k, v in asdict(shock).items() if k != "day"}
            market.inject(kind_of(shock), **figures)
        except PlayError as problem:
            error.set(str(problem))
            return
        error.set("")
        done.set(done.value + 1)

    def typed(key: str, text: str) -> None:
        texts.set({**texts.value, f"{kind.value}.{key}": text})

    names = {words: name for name, words in WORDS.items()}
    with solara.Card("Shock", classes=["spsim-console-shock-panel"]):
        if market.finished:
            solara.Text("The session is over: no more shocks.")
        else:
            solara.Text("From this week's first day on, in every company alike: no team's doing.")
            solara.Select("Shock", values=list(names), value=WORDS[kind.value], on_value=lambda v: kind.set(names[v]))
            with solara.Row():
                for field in fields:
                    solara.InputText(
                        field.label,
                        value=values[field.key],
                        on_value=lambda v, k=field.key: typed(k, v),
                        continuous_update=True,
                    )
            solara.Button("Inject", on_click=inject, color="warning")
        if error.value:
            Label(error.value, ["spsim-console-shock-error"])
            solara.Error(error.value, dense=True)
        for shock in market.shocks():
            Label(f"Injected: {WORDS[kind_of(shock)]}: {describe(shock)}", ["spsim-console-shock"], kind=kind_of(shock))


@solara.component
def Leaderboard(sessions: Path, market: str | None, revision: int) -> None:
    rows = solara.use_memo(lambda: board(sessions, market), [market, revision])
    with solara.Card("Leaderboard (company score: operating profit less excess stock)"):
        if not rows:
            solara.Text("No weeks played yet.")
        for rank, row in ranked(rows):
            company = f"{row.company:,.0f}" if math.isfinite(row.company) else "—"
            teams = " · ".join(f"{name} ({department}): {score:,.0f}" for name, department, score in row.teams)
            Label(
                f"{rank}. {row.session} · {row.week} · company {company} · own scores: {teams}",
                ["spsim-console-board-row"],
                session=row.session,
                teams=",".join(name for name, _, _ in row.teams),
                rank=str(rank),
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
