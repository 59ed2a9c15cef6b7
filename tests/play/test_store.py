"""The folder of games as a store: one writer per game, atomic starts, saves that survive a kill at any step."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd
import pytest

from sim.output.runfolder import is_complete
from sim.play import store
from sim.play.game import STALE, Game, StaleWeekError, list_games, rerun
from sim.play.seat import BuyerDecision

pytestmark = pytest.mark.xdist_group("play")

TABLES = ("timeseries", "sku_timeseries", "events", "signals")


def orders(game: Game, units: int) -> BuyerDecision:
    return BuyerDecision({line.sku: units for line in game.briefing().lines})


def same_game(a: Game, b: Game) -> bool:
    """Whether two games are the same state, bit for bit (record, decisions, every table)."""
    if a.info != b.info or a.seat.decisions != b.seat.decisions:
        return False
    left, right = a.model.tables(), b.model.tables()
    return all(getattr(left, name).equals(getattr(right, name)) for name in TABLES)


def visible(games: Path) -> list[Path]:
    """Everything in the games folder but the store's lock files."""
    return sorted(p for p in games.iterdir() if p.name != store.LOCKS)


# -- one writer per game: two screens ----------------------------------------------------------


def test_a_stale_screen_is_refused_and_the_first_screens_week_stays(tmp_path: Path) -> None:
    started = Game.start(tmp_path, player="Two Screens", role="buyer", weeks=3, lead_in_days=14)
    started.submit(orders(started, 5))  # both screens open the game at week 2
    a, b = Game.load(started.folder), Game.load(started.folder)
    day = a.next_day
    a.submit(orders(a, 33))
    with pytest.raises(StaleWeekError) as refused:
        b.submit(orders(b, 44))
    assert str(refused.value) == STALE == "this week was already submitted by another screen"
    assert b.info.weeks_played == 1 and day not in b.seat.decisions, "the refused screen is unchanged"
    saved = Game.load(started.folder)
    assert saved.info.weeks_played == 2
    assert set(saved.seat.decisions[day].orders.values()) == {33}, "A's decision stays"  # type: ignore[union-attr]
    assert same_game(saved, a)
    again = Game.load(started.folder)  # B reloads: it sees A's week and plays on
    again.submit(orders(again, 44))
    assert Game.load(started.folder).info.weeks_played == 3


def test_two_screens_submitting_at_once_one_wins_one_is_refused(tmp_path: Path) -> None:
    started = Game.start(tmp_path, player="Race", role="buyer", weeks=2, lead_in_days=14)
    screens = [Game.load(started.folder) for _ in range(2)]
    outcomes: list[str] = []
    gate = threading.Barrier(2)

    def play(screen: Game, units: int) -> None:
        gate.wait()
        try:
            screen.submit(orders(screen, units))
            outcomes.append(f"saved {units}")
        except StaleWeekError:
            outcomes.append("refused")

    threads = [threading.Thread(target=play, args=(s, u)) for s, u in zip(screens, (33, 44), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "saved 33" or sorted(outcomes)[-1] == "saved 44"
    assert outcomes.count("refused") == 1
    winner = int(next(o for o in outcomes if o.startswith("saved")).split()[1])
    saved = Game.load(started.folder)
    assert {u for d in saved.seat.decisions.values() for u in d.orders.values()} == {winner}  # type: ignore[union-attr]


# -- start is atomic ---------------------------------------------------------------------------


def test_two_starts_with_one_name_in_one_second_both_get_a_game(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = time.strftime
    monkeypatch.setattr(time, "strftime", lambda pattern, *rest: real(pattern, time.gmtime(0)))
    games: list[Game] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(2)

    def start() -> None:
        gate.wait()
        try:
            games.append(Game.start(tmp_path, player="Same Name", role="buyer", weeks=1, lead_in_days=7))
        except BaseException as error:  # any error at all is the failure this test looks for
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    names = sorted(game.folder.name for game in games)
    assert names == ["1970-01-01_00-00-00_same-name_buyer0", "1970-01-01_00-00-00_same-name_buyer0_2"]
    assert sorted(g["folder"].name for g in list_games(tmp_path)) == names
    assert all(is_complete(game.folder) for game in games)
    assert visible(tmp_path) == sorted(game.folder for game in games), "no staging folder is left"


# -- a save killed at every step ---------------------------------------------------------------

OPERATIONS = ("mkdir", "rename", "replace", "unlink", "rmdir")
"""The filesystem calls a save makes (pathlib and shutil.rmtree go through these)."""


class Killed(BaseException):
    """The process dies here: a BaseException, so no ``except Exception`` in the save can catch it."""


@contextmanager
def killed_after(steps: int) -> Iterator[list[int]]:
    """Let ``steps`` filesystem operations happen, then fail every later one, as a killed process would.

    Yields a one-item list: the number of operations made (for a save that was not killed).
    """
    done = [0]
    originals = {name: getattr(os, name) for name in OPERATIONS}

    def wrapped(real: Callable[..., object]) -> Callable[..., object]:
        def operation(*arguments: object, **keywords: object) -> object:
            if done[0] >= steps:
                raise Killed(f"killed after {steps} operations")
            done[0] += 1
            return real(*arguments, **keywords)

        return operation

    for name, real in originals.items():
        setattr(os, name, wrapped(real))
    try:
        yield done
    finally:
        for name, real in originals.items():
            setattr(os, name, real)


@pytest.fixture(scope="module")
def two_saves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Game, Path, Game]:
    """A game in memory at week 3, the saved folder of its week 2 (with a re-run and a replay), and week 3 loaded."""
    games = tmp_path_factory.mktemp("games")
    game = Game.start(games, player="Killed", role="buyer", weeks=3, lead_in_days=14)
    game.submit(orders(game, 7))
    rerun(game.folder)
    (game.folder / "replay").mkdir()
    (game.folder / "replay" / "storyboard.png").write_bytes(b"png")
    old = tmp_path_factory.mktemp("old") / game.folder.name
    shutil.copytree(game.folder, old)
    game.submit(orders(game, 11))
    return game, old, Game.load(game.folder)


@pytest.mark.slow
def test_a_save_killed_at_every_step_recovers_to_the_old_or_the_new_week(
    two_saves: tuple[Game, Path, Game], tmp_path: Path
) -> None:
    game, old_copy, new = two_saves
    old = Game.load(old_copy)
    with killed_after(10_000) as counted:  # a save that is not killed: how many steps it has
        game.folder = _fresh(tmp_path / "count", old_copy)
        game.save()
    steps = counted[0]
    assert steps > 20, "the save's steps are all counted"
    states: list[str] = []
    folder_missing_at: list[int] = []
    for step in range(steps + 1):
        games = tmp_path / f"kill{step}"
        game.folder = _fresh(games, old_copy)
        with killed_after(step), suppress(Killed):
            game.save()
        if not game.folder.exists():
            folder_missing_at.append(step)
        listed = list_games(games)  # opening the store recovers
        assert [g["folder"] for g in listed] == [game.folder], f"killed after step {step}: the game is listed"
        resumed = Game.load(game.folder)
        state = "new" if same_game(resumed, new) else "old" if same_game(resumed, old) else "neither"
        states.append(state)
        assert state != "neither", f"killed after step {step}: resumes to the old or the new week, bit for bit"
        assert visible(games) == [game.folder], f"killed after step {step}: leftovers {visible(games)}"
        assert not list(game.folder.glob(".*")), f"killed after step {step}: temporaries left in the game"
        assert (game.folder / "replay" / "storyboard.png").read_bytes() == b"png", f"step {step}: replay lost"
        assert is_complete(game.folder / "rerun" / "agent"), f"step {step}: the re-run is lost"
    assert folder_missing_at, "some step leaves the game renamed aside: the case that lost games"
    assert states[-1] == "new" and "old" in states
    first_new = states.index("new")
    assert states[first_new:] == ["new"] * (len(states) - first_new), "once the new week is in place it stays"


def _fresh(games: Path, saved: Path) -> Path:
    games.mkdir(parents=True)
    shutil.copytree(saved, games / saved.name)
    return games / saved.name


KILL_AFTER_RENAME_ASIDE = """
import os, signal, sys
from pathlib import Path
from sim.play.game import Game
from sim.play.seat import BuyerDecision

real = os.rename
def rename(source, target, *rest, **keywords):
    real(source, target, *rest, **keywords)
    if str(target).endswith(".old"):
        os.kill(os.getpid(), signal.SIGKILL)  # right after the old save is renamed aside
os.rename = rename
game = Game.load(Path(sys.argv[1]))
game.submit(BuyerDecision({line.sku: 11 for line in game.briefing().lines}))
"""


def test_a_server_killed_right_after_the_old_save_is_renamed_aside_loses_no_game(
    two_saves: tuple[Game, Path, Game], tmp_path: Path
) -> None:
    _, old_copy, new = two_saves
    folder = _fresh(tmp_path / "games", old_copy)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_RENAME_ASIDE, str(folder)], capture_output=True, timeout=300, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not folder.exists() and store.staging_of(folder).is_dir(), "killed between the two renames"
    assert [g["folder"] for g in list_games(folder.parent)] == [folder]
    resumed = Game.load(folder)
    assert resumed.info.weeks_played == 2 and same_game(resumed, new), "the whole new week is the game"
    assert visible(folder.parent) == [folder]


def test_a_game_left_aside_by_the_earlier_save_protocol_is_found_again(
    two_saves: tuple[Game, Path, Game], tmp_path: Path
) -> None:
    _, old_copy, _ = two_saves
    folder = _fresh(tmp_path / "games", old_copy)
    aside = folder.with_name(f".{folder.name}.4242-abcdef.partial.old")  # what replace_folder left
    folder.rename(aside)
    assert [g["folder"] for g in list_games(folder.parent)] == [folder]
    assert Game.load(folder).info.weeks_played == 1 and visible(folder.parent) == [folder]


def test_a_half_written_first_save_leaves_nothing_that_looks_like_a_game(tmp_path: Path) -> None:
    staging = store.staging_of(tmp_path / "2024-01-01_00-00-00_x_buyer0")
    staging.mkdir()
    (staging / "events.parquet").write_bytes(b"half")
    assert list_games(tmp_path) == [] and visible(tmp_path) == []


def test_saving_while_the_game_is_locked_waits_then_says_so(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Busy", role="buyer", weeks=2, lead_in_days=14)
    with (
        store.locked(game.folder),
        pytest.raises(store.StoreError, match="another screen"),
        store.locked(game.folder, timeout_s=0.2),
    ):
        pass
    game.submit(orders(game, 1))  # released: the game goes on
    assert pd.read_parquet(game.folder / "decisions.parquet")["value"].max() >= 1
