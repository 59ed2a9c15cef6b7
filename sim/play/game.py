"""A game: one person in one seat for a number of weeks, the agents in every other seat.

The game runs the normal model. Before its first decision the agents play a lead-in
(the run's warm-up), so the person takes over a going concern; each week the model
stops at the start of the seat's decision day, the person decides, and the model runs
on to the next one. After every week the game is saved whole — a normal run folder
(its KPIs cover the weeks played) plus ``game.json`` and ``decisions.parquet`` — through
:mod:`sim.play.store`: one writer at a time, a fresh folder swapped in, so a closed
browser or a killed server leaves the last complete week, never a half-written folder.
Two screens on one game (two browsers) share it safely: a week submitted from a screen
that is behind the saved game is refused (:class:`StaleWeekError`), never written over.

Because the seat's decisions and the config determine everything, :meth:`Game.load`
resumes a saved game by re-simulating it, and :func:`rerun` plays the same market
with the agent in the seat, or with levers on.
"""

import re
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from sim import policies
from sim.compose import compose_config
from sim.config import ConfigError, RunConfig
from sim.config_files import config_dir
from sim.configure import load_config
from sim.model import RunTables, SalesPurchasingModel
from sim.output.atomic import write_json
from sim.output.rundir import RunFolder, write_table
from sim.output.runfolder import TABLES, is_complete, read_config
from sim.play import store
from sim.play.briefing import Briefing, buyer_briefing, sales_briefing
from sim.play.info import GAME, MAX_WEEKS, GameInfo, PlayError, seat_label
from sim.play.seat import ROLES, Decision, Seat, decisions_from_table

__all__ = ["GAME", "MAX_WEEKS", "Game", "GameInfo", "PlayError", "StaleWeekError", "list_games", "rerun"]

DECISIONS = "decisions.parquet"
RERUN = "rerun"
RERUN_INFO = "rerun.json"
DEFAULT_LEAD_IN_DAYS = 56  # eight weeks of the agents' play before the person takes the seat
STALE = "this week was already submitted by another screen"


class StaleWeekError(PlayError):
    """A week submitted from a screen that is behind the saved game (another screen submitted first)."""


class Game:
    """One person's game in progress (or finished), with the model behind it."""

    def __init__(self, folder: Path, config: RunConfig, info: GameInfo, decisions: dict[int, Decision]) -> None:
        self.folder = folder
        self.config = config
        self.info = info
        self.model = SalesPurchasingModel(config)
        self.seat = Seat(info.seat, dict(decisions), period_days=config.org.review_period_days)
        agents = self.model.buyers if info.role == "buyer" else self.model.reps
        agents[info.seat_index].seat = self.seat
        self.period = config.org.review_period_days
        self._run_to(self.next_day)

    # -- starting and resuming ------------------------------------------------------------

    @classmethod
    def start(
        cls,
        games: Path,
        *,
        player: str,
        role: str,
        seat_index: int = 0,
        weeks: int = 8,
        scenario: str = "default",
        seed: int = 1,
        levers: Sequence[str] = (),
        lead_in_days: int = DEFAULT_LEAD_IN_DAYS,
    ) -> "Game":
        """Set up a new game in a new folder under ``games`` and save it at its first decision."""
        name = " ".join(player.split())
        if not name or len(name) > 40:
            raise PlayError("player: enter a name of 1 to 40 characters")
        if role not in ROLES:
            raise PlayError(f"role = {role!r}: allowed: {', '.join(ROLES)}")
        if not 1 <= weeks <= MAX_WEEKS:
            raise PlayError(f"weeks = {weeks}: allowed 1 to {MAX_WEEKS}")
        if not 0 <= lead_in_days <= 365:
            raise PlayError(f"lead_in_days = {lead_in_days}: allowed 0 to 365")
        config = play_config(scenario, seed, levers, lead_in_days, 1)
        count = config.scenario.buyers if role == "buyer" else config.scenario.sales_reps  # type: ignore[union-attr]
        if not 0 <= seat_index < count:
            raise PlayError(f"seat = {seat_index}: this market has {role} seats 0 to {count - 1}")
        period = config.org.review_period_days
        phase = seat_index % period if role == "buyer" else 0  # buyers' reviews are staggered over the week
        first = lead_in_days + (phase - lead_in_days) % period
        config = play_config(scenario, seed, levers, first, weeks * period)
        label = seat_label(role, seat_index)
        info = GameInfo(
            player=name,
            role=role,
            seat_index=seat_index,
            seat=label,
            weeks_planned=weeks,
            weeks_played=0,
            first_decision_day=first,
            day=0,
            finished=False,
            scenario=scenario,
            seed=seed,
            policy=sorted(levers),
            started=time.strftime("%Y-%m-%dT%H:%M:%S"),
        )
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "player"
        # Claimed atomically: a second start with this name in this second gets ``<name>_2``.
        folder = store.reserve(games, f"{time.strftime('%Y-%m-%d_%H-%M-%S')}_{slug}_{role}{seat_index}")
        game = cls(folder, config, info, {})
        game.save()
        return game

    @classmethod
    def load(cls, folder: Path) -> "Game":
        """Resume a saved game: re-simulate it from its config and the decisions made so far.

        A save that was cut short is recovered first; the files are read under the game's
        lock, so they all come from one save even while another screen is saving.
        """
        if not (folder / GAME).is_file() and not store.leftovers(folder):
            raise PlayError(f"{folder}: not a saved game (no {GAME})")
        with store.reading(folder):
            config, info, decisions = _read(folder)
        return cls(folder, config, info, decisions)

    # -- playing --------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.info.weeks_played >= self.info.weeks_planned

    @property
    def next_day(self) -> int:
        """The day of the next decision, or the last day of the run once all weeks are played."""
        if self.finished:
            return self.config.total_days
        return self.info.first_decision_day + self.info.weeks_played * self.period

    def briefing(self) -> Briefing:
        """What the seat knows this morning."""
        if self.finished:
            raise PlayError("the game is over: every week is played")
        since = max(self.info.first_decision_day, self.next_day - self.period)
        start, week, weeks = self.info.first_decision_day, self.info.weeks_played + 1, self.info.weeks_planned
        if self.info.role == "buyer":
            buyer = self.model.buyers[self.info.seat_index]
            return buyer_briefing(self.model, buyer, start, since, week, weeks)
        return sales_briefing(self.model, self.model.reps[self.info.seat_index], start, since, week, weeks)

    def submit(self, decision: Decision) -> None:
        """Take this week's decision, run the model to the next decision day, save.

        Raises:
            StaleWeekError: the saved game has moved on since this screen loaded it
                (another screen submitted this week); nothing changes, here or on disk.
        """
        if self.finished:
            raise PlayError("the game is over: every week is played")
        with store.locked(self.folder):
            store.recover(self.folder)
            if GameInfo.read(self.folder).weeks_played != self.info.weeks_played:
                raise StaleWeekError(STALE)  # compare-and-swap on the week: the other screen's stays
            self.seat.decisions[self.next_day] = decision
            self.info.weeks_played += 1
            self._run_to(self.next_day)
            self._save()

    def _run_to(self, day: int) -> None:
        model = self.model
        while model.env.now < day:
            model.step()
        self.info.day = int(model.env.now)
        self.info.finished = self.finished

    # -- saving -----------------------------------------------------------------------------

    def save(self) -> None:
        """Write the whole game beside its folder, then swap it in (holding the game's lock)."""
        with store.locked(self.folder):
            self._save()

    def _save(self) -> None:
        try:
            store.write(self.folder, self._write)
        except OSError as error:  # a full or read-only disk: the last complete week stays saved
            reason = " ".join((error.strerror or str(error)).split())
            raise PlayError(f"{self.folder.name}: the week could not be saved ({reason}); resume the game") from None

    def _write(self, staging: Path) -> None:
        """The whole save into the empty folder ``staging``; the manifest, last, says complete."""
        run = RunFolder(staging, self.config)
        write_tables(run, self.model.tables())
        write_table(staging / DECISIONS, self.seat.table())
        write_json(staging / GAME, asdict(self.info))
        run.add_files([DECISIONS, GAME])
        if self.finished:
            from sim.views import dashboard  # matplotlib only once a game is over

            run.add_files([str(dashboard.render(staging).relative_to(staging))])
        run.finish()


def rerun(folder: Path, *, seat: str = "agent", levers: Sequence[str] = ()) -> Path:
    """The same market as a saved game, to the same day: the agent (or the person's decisions) in the seat.

    Writes a normal run folder ``<game>/rerun/<seat>[+lever...]`` and returns it.
    """
    if seat not in ("agent", "player"):
        raise PlayError(f"seat = {seat!r}: allowed: agent, player")
    game = Game.load(folder)
    raw = game.config.model_dump(mode="json")
    raw["policy"] = {**raw["policy"], **{lever: {} for lever in levers if lever not in raw["policy"]}}
    try:
        config = load_config(raw)
    except ConfigError as error:
        raise PlayError(str(error)) from None
    model = SalesPurchasingModel(config)
    if seat == "player":
        agents = model.buyers if game.info.role == "buyer" else model.reps
        agents[game.info.seat_index].seat = Seat(game.info.seat, dict(game.seat.decisions), period_days=game.period)
    while model.env.now < game.info.day:
        model.step()
    target = folder / RERUN / "+".join([seat, *sorted(levers)])
    with store.locked(folder):  # a save moves rerun/ along: not while writing into it
        run = RunFolder(target, config)
        write_tables(run, model.tables())
        write_json(target / RERUN_INFO, {"of": folder.name, "seat": seat, "policy": sorted(config.policy)})
        run.add_files([RERUN_INFO])
        run.finish()
    return target


def write_tables(run: RunFolder, tables: RunTables) -> None:
    """A game's (or a session's) tables into its run folder, as a normal run writes them."""
    run.write_results(tables.summary, {name: getattr(tables, name) for name in TABLES})


def play_config(scenario: str, seed: int, levers: Sequence[str], warmup: int, horizon: int) -> RunConfig:
    """A game's run config: the market and levers, the lead-in as warm-up, the weeks of play as horizon."""
    overrides = [f"scenario={scenario}", f"seed={seed}", f"warmup_days={warmup}", f"horizon_days={horizon}"]
    overrides += ["output.charts=false", "output.print_summary=false"]
    # A turn of play is a week: in a game the buyers review weekly (the default company reviews
    # every two weeks), so a person decides as often as a workshop can follow; the agents' re-run
    # of the same game uses the same config, so the comparison stays fair.
    overrides.append("org.review_period_days=7")
    if levers:
        overrides.append(f"policy=[{','.join(levers)}]")
    try:
        config = load_config(compose_config(overrides))
    except ConfigError as error:
        raise PlayError(str(error)) from None
    if config.scenario.kind != "company":
        raise PlayError(f"scenario = {scenario!r}: a textbook buyer has no sales department; pick a company scenario")
    return config


def scenario_names() -> list[str]:
    """The markets a game can be played in: every company scenario in ``configs/scenario``."""
    folder = config_dir() / "scenario"
    return sorted(p.stem for p in folder.glob("*.yaml") if "kind: textbook" not in p.read_text())


def lever_names() -> list[str]:
    """Every alignment lever a game can switch on."""
    return list(policies.levers())


def list_games(games: Path) -> list[dict[str, Any]]:
    """The saved games under ``games`` (newest first), as their ``game.json`` plus the folder.

    Opening the store recovers any save that was cut short, so no game is left invisible.
    """
    store.recover_all(games)
    found = []
    for path in sorted(games.glob("*/" + GAME), reverse=True):
        if path.parent.name.startswith("."):
            continue  # a save in progress (recovery left it to its writer)
        try:
            found.append({**asdict(GameInfo.read(path.parent)), "folder": path.parent})
        except PlayError:
            continue
    return found


def _read(folder: Path) -> tuple[RunConfig, GameInfo, dict[int, Decision]]:
    """A saved game's config, record and decisions, each checked against the others."""
    info = GameInfo.read(folder)
    if not is_complete(folder):
        raise PlayError(f"{folder}: the saved game is incomplete (its manifest does not say complete)")
    try:
        config = load_config(read_config(folder))
        decisions = decisions_from_table(pd.read_parquet(folder / DECISIONS))
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
        raise PlayError(f"{folder}: cannot read the saved game ({' '.join(str(error).split())})") from None
    problem = _mismatch(info, config)
    if problem:
        raise PlayError(f"{folder / GAME}: {problem}")
    return config, info, decisions


def _mismatch(info: GameInfo, config: RunConfig) -> str | None:
    """Where ``game.json`` disagrees with the game's config (the seat must exist, the weeks must fit)."""
    if config.scenario.kind != "company":
        return f"scenario = {info.scenario!r}: a saved game is played in a company scenario"
    count = config.scenario.buyers if info.role == "buyer" else config.scenario.sales_reps
    if info.seat_index >= count:
        return f"seat_index = {info.seat_index}: this market has {info.role} seats 0 to {count - 1}"
    if info.first_decision_day != config.warmup_days:
        return f"first_decision_day = {info.first_decision_day}: allowed {config.warmup_days} (the game's warm-up)"
    weeks = config.horizon_days // config.org.review_period_days
    if info.weeks_planned != weeks:
        return f"weeks_planned = {info.weeks_planned}: allowed {weeks} (the game's horizon)"
    return None
