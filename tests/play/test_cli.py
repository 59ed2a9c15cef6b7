"""``spsim-play``: list, re-run and debrief saved games from the terminal, as a user types it."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.play.game import Game
from sim.play.seat import BuyerDecision

pytestmark = pytest.mark.xdist_group("play")


def spsim_play(*arguments: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("spsim-play")
    return subprocess.run([str(script), *arguments], capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def games(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("games")
    for player, units in (("Ann", 0), ("Ben", 60)):
        game = Game.start(folder, player=player, role="buyer", weeks=2, lead_in_days=14)
        while not game.finished:
            game.submit(BuyerDecision({line.sku: units for line in game.briefing().lines}))
    return folder


def test_list_rerun_and_debrief(games: Path) -> None:
    listed = spsim_play("list", str(games))
    assert listed.returncode == 0 and "Ann" in listed.stdout and "finished" in listed.stdout
    ann = next(p for p in games.iterdir() if "_ann_" in p.name)
    again = spsim_play("rerun", str(ann), "--lever", "shared_metrics")
    assert again.returncode == 0, again.stderr
    rerun_folder = Path(again.stdout.strip())
    assert rerun_folder == ann / "rerun" / "agent+shared_metrics"
    debrief = spsim_play("debrief", str(games), "--out", str(games / "pack"))
    assert debrief.returncode == 0, debrief.stderr
    table = pd.read_csv(games / "pack" / "facilitator.csv")
    assert len(table) == 3, "two games and one lever re-run"
    assert (games / "pack" / "facilitator.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("rerun", "/no/such/game"), "not a saved game"),
        (("list", "/no/such/folder"), "no such folder"),
        (("debrief", "/no/such/folder"), "/no/such/folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(arguments: tuple[str, ...], message: str) -> None:
    result = spsim_play(*arguments)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_unknown_lever_is_named(games: Path) -> None:
    ann = next(p for p in games.iterdir() if "_ann_" in p.name)
    result = spsim_play("rerun", str(ann), "--lever", "teamwork")
    assert result.returncode == 2 and "teamwork" in result.stderr
    assert not (ann / "rerun" / "agent+teamwork").exists()
