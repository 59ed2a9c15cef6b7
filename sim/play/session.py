"""A session: teams of people in several seats of one company, week by week, run by a facilitator.

The multiplayer form of :class:`~sim.play.game.Game`. A facilitator sets up the market
and the teams (a purchasing team holding buyer seats, a sales team holding rep seats);
the agents play every seat no team holds. Each team joins with its code; the first
browser to join holds the team (:meth:`Session.claim`) and no other browser gets in.

A week: the model stops at the week's first decision day; every team reads its seats'
briefings and submits a decision per seat. The week advances when every team has
submitted, or when the facilitator advances or the week's deadline passes: then a seat
with no decision is decided by the agent's own rule (a :class:`~sim.play.seat.Seat`
decides only on days it holds a decision for), and ``decided`` records it, so the team's
screen can say so. A buyer whose review falls later in the week (buyer 1 reviews a day
after buyer 0) has its decision, taken on the week's first day, applied on its review day.

The facilitator can inject a shock (a supplier disruption, a price rise, a large customer
order) from the week's first day on (:meth:`Session.inject`): it is kept in
``session.json`` with the day it was injected, and re-injected on that day when the
session is re-simulated (:mod:`sim.play.session_shocks`).

Saved after every change, whole, through :mod:`sim.play.store` (a run folder plus
``session.json`` and ``decisions.parquet`` holding every seat's decisions, those of the
week in progress included, so nothing submitted is lost). :meth:`Session.load`
re-simulates it bit for bit. Every change is made under the session's lock against
the saved session: if another process saved since (its ``revision`` moved on), this one
reloads first, so a change is never made to a stale copy.
"""

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from sim.agents.shocks import Shock
from sim.config import RunConfig
from sim.configure import load_config
from sim.model import SalesPurchasingModel
from sim.output.atomic import write_json
from sim.output.rundir import RunFolder, write_table
from sim.output.runfolder import is_complete, read_config
from sim.play import store
from sim.play.briefing import Briefing, buyer_briefing, sales_briefing
from sim.play.game import DEFAULT_LEAD_IN_DAYS, play_config, write_tables
from sim.play.info import MAX_WEEKS, PlayError
from sim.play.seat import DECISION_COLUMNS, Decision, Seat, decisions_from_table
from sim.play.session_info import (
    BY_AGENT,
    BY_BOTH,
    BY_TEAM,
    SESSION,
    SessionInfo,
    Team,
    check_teams,
    new_codes,
    parse_seat,
)
from sim.play.session_shocks import Limits, from_record, limits_of, make_shock
from sim.play.session_shocks import record as shock_record

DECISIONS = "decisions.parquet"
MAX_DEADLINE_S = 3600


class SeatHeldError(PlayError):
    """The team's screen is held by another browser."""


class WeekOverError(PlayError):
    """A decision for a week that is no longer the current one (it advanced meanwhile)."""


class Session:
    """One session in progress (or finished), with the model of its company behind it."""

    def __init__(self, folder: Path, config: RunConfig, info: SessionInfo, decisions: dict[str, dict[int, Decision]]):
        self.folder = folder
        self._mutex = threading.RLock()  # the screens of one server share this object
        self._setup(config, info, decisions)

    def _setup(self, config: RunConfig, info: SessionInfo, decisions: dict[str, dict[int, Decision]]) -> None:
        self.config, self.info = config, info
        self.model = SalesPurchasingModel(config)
        self.period = config.org.review_period_days
        self.seats: dict[str, Seat] = {}
        for team in info.teams:
            for label in team.seats:
                self.seats[label] = Seat(label, dict(decisions.get(label, {})))
                self._agent(label).seat = self.seats[label]
        for saved in info.shocks:  # each on the day it was injected: the steps of play, in their order
            at, shock = from_record(saved)
            if at > self.week_day:
                raise PlayError(f"{self.folder / SESSION}: a shock injected on day {at}, after the week played")
            self._run_to(at)
            try:
                self.model.inject_shock(shock)
            except ValueError as error:
                raise PlayError(f"{self.folder / SESSION}: a saved shock does not fit this market ({error})") from None
        self._run_to(self.week_day)

    # -- starting and resuming --------------------------------------------------------------

    @classmethod
    def create(
        cls,
        sessions: Path,
        *,
        name: str,
        teams: Sequence[tuple[str, Sequence[str]]],
        weeks: int = 4,
        scenario: str = "default",
        seed: int = 1,
        levers: Sequence[str] = (),
        lead_in_days: int = DEFAULT_LEAD_IN_DAYS,
        deadline_s: int = 0,
        market: str = "",
        company: int = 0,
        codes: Sequence[str] | None = None,
    ) -> "Session":
        """Set up a session in a new folder under ``sessions``, saved at its first week.

        ``market`` and ``company``: the market id the companies created together share and
        this one's table number (:mod:`sim.play.market`); ``codes``: the teams' join codes
        (default: new ones).
        """
        title = " ".join(name.split())
        if not title or len(title) > 40:
            raise PlayError("session: enter a name of 1 to 40 characters")
        if not 1 <= weeks <= MAX_WEEKS:
            raise PlayError(f"weeks = {weeks}: allowed 1 to {MAX_WEEKS}")
        if not 0 <= lead_in_days <= 365:
            raise PlayError(f"lead_in_days = {lead_in_days}: allowed 0 to 365")
        if not 0 <= deadline_s <= MAX_DEADLINE_S:
            raise PlayError(f"deadline = {deadline_s} s: allowed 0 (no timer) to {MAX_DEADLINE_S}")
        probe = play_config(scenario, seed, levers, lead_in_days, 7)
        counts = {"buyer": probe.scenario.buyers, "rep": probe.scenario.sales_reps}  # type: ignore[union-attr]
        listed = [(name, list(seats)) for name, seats in teams]
        check_teams(listed, counts)
        codes = list(codes) if codes is not None else new_codes(len(listed))
        if len(set(codes)) != len(listed):
            raise PlayError(f"codes: {len(listed)} different codes needed, {len(set(codes))} given")
        period = probe.org.review_period_days
        first = lead_in_days + (-lead_in_days) % period  # weeks start on buyer 0's and the reps' review day
        config = play_config(scenario, seed, levers, first, weeks * period)
        now = time.time()
        info = SessionInfo(
            name=title,
            scenario=scenario,
            seed=seed,
            policy=sorted(levers),
            weeks_planned=weeks,
            weeks_played=0,
            first_decision_day=first,
            day=0,
            finished=False,
            started=time.strftime("%Y-%m-%dT%H:%M:%S"),
            deadline_s=deadline_s,
            deadline=now + deadline_s if deadline_s else 0.0,
            paused=False,
            remaining_s=0.0,
            revision=0,
            teams=[Team(n, code, s) for (n, s), code in zip(listed, codes, strict=True)],
            market=market,
            company=company,
        )
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "session"
        folder = store.reserve(sessions, f"{time.strftime('%Y-%m-%d_%H-%M-%S')}_{slug}")
        session = cls(folder, config, info, {})
        with store.locked(folder):
            session._save()
        return session

    @classmethod
    def load(cls, folder: Path) -> "Session":
        """Resume a saved session: re-simulate it from its config and every seat's decisions."""
        if not (folder / SESSION).is_file() and not store.leftovers(folder):
            raise PlayError(f"{folder}: not a saved session (no {SESSION})")
        with store.reading(folder):
            config, info, decisions = _read(folder)
        return cls(folder, config, info, decisions)

    # -- what the screens show ----------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.info.weeks_played >= self.info.weeks_planned

    @property
    def week(self) -> int:
        """The week being played (1-based); past the last once finished."""
        return self.info.weeks_played + 1

    @property
    def week_day(self) -> int:
        """The first decision day of the week being played, or the run's last day once finished."""
        if self.finished:
            return self.config.total_days
        return self.info.first_decision_day + self.info.weeks_played * self.period

    def decision_day(self, label: str) -> int:
        """The day this week's decision of a seat is applied: its own review day of the week."""
        kind, index = parse_seat(label)
        return self.week_day + (index % self.period if kind == "buyer" else 0)

    def team_by_code(self, code: str) -> Team:
        wanted = "".join(code.split()).upper()
        for team in self.info.teams:
            if team.code == wanted:
                return team
        raise PlayError("no team has this code")

    def submitted(self, team: Team) -> list[str]:
        """The team's seats with a decision for this week."""
        return [label for label in team.seats if self.seats[label].decides(self.decision_day(label))]

    def waiting(self) -> list[str]:
        """The teams that have not submitted every seat's decision this week."""
        return [team.name for team in self.info.teams if len(self.submitted(team)) < len(team.seats)]

    def seconds_left(self, now: float | None = None) -> float | None:
        """Time left on this week's clock (None: no timer running)."""
        if self.info.paused:
            return self.info.remaining_s if self.info.deadline_s else None
        if not self.info.deadline or self.finished:
            return None
        return max(0.0, self.info.deadline - (time.time() if now is None else now))

    def briefing(self, label: str) -> Briefing:
        """What a seat knows this morning (the week's first decision day)."""
        with self._mutex:
            if self.finished:
                raise PlayError("the session is over: every week is played")
            since = max(self.info.first_decision_day, self.week_day - self.period)
            args = (self.info.first_decision_day, since, self.week, self.info.weeks_planned)
            kind, index = parse_seat(label)
            if kind == "buyer":
                return buyer_briefing(self.model, self.model.buyers[index], *args)
            return sales_briefing(self.model, self.model.reps[index], *args)

    # -- what the teams and the facilitator do ------------------------------------------------

    def claim(self, code: str, holder: str) -> Team:
        """Join a team with its code: the first browser holds it; another browser is refused.

        Raises:
            SeatHeldError: another browser holds the team (the facilitator can free it).
        """

        def take() -> bool:
            team = self.team_by_code(code)
            if team.holder and team.holder != holder:
                raise SeatHeldError(f"team {team.name} is already playing on another screen; ask the facilitator")
            changed = team.holder != holder
            team.holder = holder
            return changed

        self._change(take)
        return self.team_by_code(code)

    def release(self, team_name: str) -> None:
        """Free a team's screen (its laptop died): the next browser with the code holds it."""

        def free() -> bool:
            self.info.team(team_name).holder = ""
            return True

        self._change(free)

    def submit(self, team_name: str, holder: str, label: str, decision: Decision, week: int) -> None:
        """A seat's decision for ``week``; the week advances once every team has submitted (unless paused)."""

        def take() -> bool:
            team = self.info.team(team_name)
            if team.holder != holder:
                raise SeatHeldError(f"team {team.name} is playing on another screen")
            if label not in team.seats:
                raise PlayError(f"seat {label!r}: not one of team {team.name}'s seats")
            if self.finished or week != self.week:
                raise WeekOverError(f"week {week} is over (the session is at week {self.week}); see the new week")
            self.seats[label].decisions[self.decision_day(label)] = decision
            if not self.waiting() and not self.info.paused:
                self._advance(time.time())
            return True

        self._change(take)

    def advance(self, now: float | None = None) -> None:
        """The facilitator moves the session on a week: the agents' rule for every seat not submitted."""

        def forward() -> bool:
            if self.finished:
                raise PlayError("the session is over: every week is played")
            self._advance(time.time() if now is None else now)
            return True

        self._change(forward)

    def expire(self, now: float | None = None) -> bool:
        """Advance if this week's deadline has passed (the console's clock calls this); True if it did."""
        moment = time.time() if now is None else now

        def due() -> bool:
            if self.finished or self.info.paused or not self.info.deadline or moment < self.info.deadline:
                return False
            self._advance(moment)
            return True

        return self._change(due)

    def pause(self, paused: bool, now: float | None = None) -> None:
        """Stop the clock (and the advance when all have submitted), or start it again."""
        moment = time.time() if now is None else now

        def switch() -> bool:
            if paused == self.info.paused:
                return False
            self.info.paused = paused
            if paused:
                self.info.remaining_s = max(0.0, self.info.deadline - moment) if self.info.deadline else 0.0
                self.info.deadline = 0.0
            else:
                if self.info.deadline_s:
                    self.info.deadline = moment + self.info.remaining_s
                self.info.remaining_s = 0.0
                if not self.waiting() and not self.finished:
                    self._advance(moment)
            return True

        self._change(switch)

    def limits(self) -> Limits:
        """What a shock injected now may name: days from this week's on, the market's suppliers, accounts, SKUs."""
        with self._mutex:
            return limits_of(self.model)

    def inject(self, kind: str, /, *, day: int | None = None, **figures: Any) -> Shock:
        """Inject a shock from ``day`` on (default: this week's first day, the day the model stands on).

        ``kind`` is one of :data:`~sim.play.session_shocks.KINDS` (disruption, price_rise,
        large_order) and ``figures`` its dataclass's fields (``capacity_factor``,
        ``extra_lead_days``, ``days``, ``share``, ``account``, ``sku``, ``units``, ``suppliers``).

        Raises:
            PlayError: the session is over, or a value is wrong (one line; nothing applied).
        """
        chosen: list[Shock] = []

        def apply() -> bool:
            if self.finished:
                raise PlayError("the session is over: a shock cannot be injected")
            shock = make_shock(kind, self.week_day if day is None else day, figures, limits_of(self.model))
            self.model.inject_shock(shock)  # checked first: it cannot refuse halfway
            self.info.shocks.append(shock_record(int(self.model.env.now), shock))
            chosen.append(shock)
            return True

        self._change(apply)
        return chosen[0]

    def injected(self) -> list[Shock]:
        """The shocks injected so far, in order."""
        return [from_record(saved)[1] for saved in self.info.shocks]

    def _advance(self, now: float) -> None:
        """Record who decided the week, run the model to the next week's first day, restart the clock."""
        record = {}
        for team in self.info.teams:
            done = len(self.submitted(team))
            record[team.name] = BY_TEAM if done == len(team.seats) else (BY_BOTH if done else BY_AGENT)
        self.info.decided.append(record)
        self.info.weeks_played += 1
        self._run_to(self.week_day)
        self.info.deadline = now + self.info.deadline_s if self.info.deadline_s and not self.finished else 0.0
        self.info.remaining_s = float(self.info.deadline_s) if self.info.paused and not self.finished else 0.0

    def _change(self, change: Callable[[], bool]) -> bool:
        """Apply ``change`` to the saved session, under its lock, and save if it changed anything."""
        with self._mutex, store.locked(self.folder):
            store.recover(self.folder)
            if SessionInfo.read(self.folder).revision != self.info.revision:
                self._setup(*_read(self.folder))  # another process saved since: start from its save
            changed = change()  # every change checks before it changes: a refusal leaves nothing half-made
            if changed:
                try:
                    self._save()
                except PlayError:
                    self._setup(*_read(self.folder))  # not saved: back to what is
                    raise
            return changed

    def _run_to(self, day: int) -> None:
        while self.model.env.now < day:
            self.model.step()
        self.info.day = int(self.model.env.now)
        self.info.finished = self.finished

    def _agent(self, label: str) -> Any:
        kind, index = parse_seat(label)
        return self.model.buyers[index] if kind == "buyer" else self.model.reps[index]

    # -- saving ---------------------------------------------------------------------------------

    def _save(self) -> None:
        """Write the whole session beside its folder and swap it in; the caller holds the lock."""
        self.info.revision += 1
        try:
            store.write(self.folder, self._write)
        except OSError as error:
            self.info.revision -= 1
            reason = " ".join((error.strerror or str(error)).split())
            raise PlayError(f"{self.folder.name}: the session could not be saved ({reason})") from None

    def _write(self, staging: Path) -> None:
        run = RunFolder(staging, self.config)
        write_tables(run, self.model.tables())
        write_table(staging / DECISIONS, self.decisions_table())
        write_json(staging / SESSION, asdict(self.info))
        run.add_files([DECISIONS, SESSION])
        run.finish()

    def decisions_table(self) -> pd.DataFrame:
        """Every seat's decisions as rows (day, seat, sku, field, value), seat by seat."""
        tables = [self.seats[label].table() for label in sorted(self.seats)]
        rows = [table for table in tables if len(table)]
        if not rows:
            return self.seats[sorted(self.seats)[0]].table() if self.seats else _empty_decisions()
        return pd.concat(rows, ignore_index=True)


def _empty_decisions() -> pd.DataFrame:
    return pd.DataFrame({name: [] for name in DECISION_COLUMNS})


def _read(folder: Path) -> tuple[RunConfig, SessionInfo, dict[str, dict[int, Decision]]]:
    """A saved session's config, record and every seat's decisions."""
    info = SessionInfo.read(folder)
    if not is_complete(folder):
        raise PlayError(f"{folder}: the saved session is incomplete (its manifest does not say complete)")
    try:
        config = load_config(read_config(folder))
        table = pd.read_parquet(folder / DECISIONS)
        decisions = {str(label): decisions_from_table(rows) for label, rows in table.groupby("seat", sort=True)}
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
        raise PlayError(f"{folder}: cannot read the saved session ({' '.join(str(error).split())})") from None
    seats = {label for team in info.teams for label in team.seats}
    if not set(decisions) <= seats:
        raise PlayError(f"{folder / DECISIONS}: decisions for seats no team holds ({sorted(set(decisions) - seats)})")
    if config.warmup_days != info.first_decision_day:
        raise PlayError(
            f"{folder / SESSION}: first_decision_day = {info.first_decision_day}: allowed {config.warmup_days}"
        )
    return config, info, decisions
