"""The saved games of a workshop, read from their folders: who sat where, how far they got, their re-runs.

In a workshop each participant plays one seat (a buyer, or a sales lead) against the
agents, and each game is saved as a run folder with a ``game.json``. Next to a game
there may be re-runs of the same market (``<game>/rerun/<name>/``, with a
``rerun.json``): the agents in the player's seat, or a lever switched on. This module
finds and reads those folders (result files only) and names each game for a chart;
:mod:`sim.views.facilitator` compares them.
"""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.output.runfolder import Run, RunFolderError, load_run, problem, read_manifest

GAME_FILE = "game.json"
RERUN_FILE = "rerun.json"
RERUN_DIR = "rerun"

GAME, AGENTS, LEVER, RUN = "game", "agents", "lever re-run", "run"
"""What a row is: a participant's game, the agents in that seat, a lever re-run, a plain run."""


# -- one game, read from its folder -------------------------------------------------------


@dataclass
class Game:
    """A saved game, a re-run of one, or a plain run: its run folder and who sat where."""

    run: Run
    kind: str = RUN
    player: str = ""
    role: str = ""
    seat: str = ""
    weeks_played: int | None = None
    weeks_planned: int | None = None
    finished: bool | None = None
    levers: list[str] = field(default_factory=list)
    of: str = ""  # for a re-run: the game folder it re-runs
    added_levers: list[str] = field(default_factory=list)  # for a re-run: levers its game did not have
    label: str = ""

    @property
    def path(self) -> Path:
        """The run folder."""
        return self.run.path

    @property
    def summary(self) -> dict[str, float]:
        """The folder's summary.json."""
        return self.run.summary


def _read_json(folder: Path, name: str) -> dict[str, Any]:
    try:
        data = json.loads((folder / name).read_text())
    except OSError as error:
        raise RunFolderError(f"{folder}: cannot read {name} ({type(error).__name__})") from None
    except ValueError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RunFolderError(f"{folder}: {name} is not valid JSON ({first})") from None
    if not isinstance(data, dict):
        raise RunFolderError(f"{folder}: {name} must hold a JSON object, not {type(data).__name__}")
    return data


def _whole(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def load_game(path: str | Path) -> Game:
    """Read and check one game folder, re-run folder or plain run folder.

    Raises:
        RunFolderError: a missing folder, not a run folder, an unfinished run, a missing or
            corrupt table, an unreadable ``game.json`` or ``rerun.json``; one line naming the folder.
    """
    run = load_run(path)
    folder = run.path
    if not run.summary or not isinstance(run.summary, dict):
        raise RunFolderError(f"{folder}: summary.json holds no KPIs")
    game = Game(run, levers=list(run.levers))
    if (folder / GAME_FILE).is_file():
        info = _read_json(folder, GAME_FILE)
        game.kind = GAME
        _take_seat(game, info)
        finished = info.get("finished")
        game.finished = finished if isinstance(finished, bool) else None
    elif (folder / RERUN_FILE).is_file():
        info = _read_json(folder, RERUN_FILE)
        policy = info.get("policy") or []
        game.levers = sorted(str(p) for p in (policy if isinstance(policy, list) else [policy])) or game.levers
        game.kind = AGENTS if info.get("seat") == "agent" else LEVER
        game.of = str(info.get("of") or "")
        game.added_levers = list(game.levers)
        _inherit_seat(game)
    return game


def _take_seat(game: Game, info: dict[str, Any]) -> None:
    """Who played which seat, and how many weeks, as a ``game.json`` says."""
    game.player = str(info.get("player") or "").strip()
    game.role = str(info.get("role") or "")
    game.seat = str(info.get("seat") or "")
    game.weeks_played = _whole(info.get("weeks_played"))
    game.weeks_planned = _whole(info.get("weeks_planned"))


def _inherit_seat(rerun: Game) -> None:
    """A re-run plays the seat and the weeks of the game it re-runs (``<game>/rerun/<name>/``)."""
    parent = rerun.path.parent.parent if rerun.path.parent.name == RERUN_DIR else None
    if parent is None or not (parent / GAME_FILE).is_file():
        parent = rerun.path.parent / rerun.of if rerun.of else None
    if parent is None or not (parent / GAME_FILE).is_file():
        return
    try:
        info = _read_json(parent, GAME_FILE)
    except RunFolderError:
        return
    rerun.of = rerun.of or parent.name
    _take_seat(rerun, info)
    played_with = info.get("policy")
    if not isinstance(played_with, list):
        played_with = _levers_of(parent)
    rerun.added_levers = [lever for lever in rerun.levers if lever not in played_with]


def _levers_of(folder: Path) -> list[str]:
    """The levers in a run folder's config.yaml (empty if it cannot be read)."""
    try:
        config = yaml.safe_load((folder / "config.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return []
    policy = config.get("policy") if isinstance(config, dict) else None
    return sorted(policy) if isinstance(policy, dict) else []


def base_label(game: Game) -> str:
    """What a chart calls a game before labels are made unique: the player, the agents in a seat, a lever re-run."""
    levers = " + ".join(lever.replace("_", " ") for lever in game.added_levers)
    whose = game.player or game.of or game.path.parent.parent.name
    if game.kind == GAME:
        return game.player or game.path.name
    if game.kind == AGENTS:
        return f"Agents{' + ' + levers if levers else ''} ({whose}'s seat)"
    if game.kind == LEVER:
        return f"{whose} + {levers}" if levers else f"{whose} (re-run)"
    return game.path.name


def load_games(paths: Iterable[str | Path]) -> list[Game]:
    """Read several folders (:func:`load_game`) and give each a label unique among them.

    Raises:
        RunFolderError: no folder given, a folder given twice, or a folder :func:`load_game` refuses.
    """
    games = [load_game(path) for path in paths]
    if not games:
        raise RunFolderError("no games to compare: give at least one game or run folder")
    seen: set[Path] = set()
    for game in games:
        resolved = game.path.resolve()
        if resolved in seen:
            raise RunFolderError(f"{game.path} given twice")
        seen.add(resolved)
    return label_games(games)


def label_games(games: list[Game]) -> list[Game]:
    """Give each game its label: the player's name, else the folder's; a repeated one gets its folder."""
    labels = [base_label(game) for game in games]
    repeated = {label for label, count in Counter(labels).items() if count > 1}
    for game, label in zip(games, labels, strict=True):
        game.label = f"{label} [{_short_folder(game.path)}]" if label in repeated else label
    return games


def _short_folder(path: Path) -> str:
    if path.parent.name == RERUN_DIR:
        return f"{path.parent.parent.name}/{path.name}"
    return path.name


# -- finding games in a folder ------------------------------------------------------------


@dataclass
class Found:
    """The games in a folder: the usable ones, and one line for each one left out."""

    paths: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _not_ready(folder: Path) -> str | None:
    """Why ``folder`` cannot be compared yet, or None (the run folder's own check, in a player's words)."""
    manifest = read_manifest(folder)
    if manifest is None:
        return "not a run folder (no readable manifest.json)"
    status = manifest.get("status")
    if status != "complete":
        return f"not saved completely (manifest status {status!r})"
    trouble = problem(folder)
    return f"incomplete ({trouble})" if trouble else None


def _not_started(game: Path) -> str | None:
    """A game saved before its first week was played has nothing to compare yet."""
    try:
        played = _read_json(game, GAME_FILE).get("weeks_played")
    except RunFolderError as error:
        return str(error).removeprefix(f"{game}: ")
    return "no week played yet" if played == 0 else None


def find_games(folder: str | Path) -> Found:
    """The games saved in ``folder`` (sub-folders with ``game.json``) and their ``rerun/*`` folders.

    Games come in the order of their folder names, each followed by its re-runs (the
    agents first, then the levers). A game or re-run that is not a complete run folder
    is left out and named in :attr:`Found.skipped`. Folders whose name starts with a dot
    (a save under way, the previous save being replaced) are not looked at. A missing
    folder holds no games.
    """
    root = Path(folder)
    found = Found()
    if not root.is_dir():
        return found
    folders = (p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))  # ".x": a save under way
    for game in sorted(p for p in folders if (p / GAME_FILE).is_file()):
        problem = _not_ready(game) or _not_started(game)
        if problem:
            found.skipped.append(f"{game.name}: {problem}")
            continue
        found.paths.append(game)
        reruns = game / RERUN_DIR
        if not reruns.is_dir():
            continue
        inside = (p for p in reruns.iterdir() if p.is_dir() and not p.name.startswith("."))
        for rerun in sorted(inside, key=lambda p: (p.name != "agent", p.name)):
            problem = _not_ready(rerun)
            if problem:
                found.skipped.append(f"{game.name}/{RERUN_DIR}/{rerun.name}: {problem}")
            else:
                found.paths.append(rerun)
    return found
