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


@pytest.mark.slow
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


@pytest.mark.slow
def test_an_unknown_lever_is_named(games: Path) -> None:
    ann = next(p for p in games.iterdir() if "_ann_" in p.name)
    result = spsim_play("rerun", str(ann), "--lever", "teamwork")
    assert result.returncode == 2 and "teamwork" in result.stderr
    assert not (ann / "rerun" / "agent+teamwork").exists()


def readme_play_lines() -> list[str]:
    from tests.test_readme import fenced_blocks

    return [
        line.split("#")[0].strip()
        for block in fenced_blocks("bash")
        for line in block.splitlines()
        if line.strip().startswith(("spsim-play ", "spsim-replay results/games"))
    ]


@pytest.mark.slow
def test_the_readme_workshop_commands_run(games: Path, tmp_path: Path) -> None:
    import shlex

    lines = readme_play_lines()
    assert len(lines) >= 5, "the README shows spsim-play's commands"
    ben = next(p for p in games.iterdir() if "_ben_" in p.name)
    for line in lines:
        line = line.replace("results/games/<game>", str(ben)).replace("results/games", str(games))
        arguments = shlex.split(line.replace("debrief/", str(tmp_path / "debrief")))
        script = Path(sys.executable).with_name(arguments[0])
        result = subprocess.run(
            [str(script), *arguments[1:]], capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
        )
        assert result.returncode == 0, f"{line}: {result.stderr}"
    assert (tmp_path / "debrief" / "facilitator.png").is_file()
    assert (ben / "replay" / "debrief" / "index.html").is_file()


def test_spsim_viz_refuses_bad_options_in_one_line(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("spsim-viz")
    a_file = tmp_path / "games.txt"
    a_file.write_text("")
    for arguments, message in ((["--port", "70000"], "--port = 70000"), (["--games", str(a_file)], "not a folder")):
        result = subprocess.run([str(script), *arguments], capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2 and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ({"seat_index": 99, "seat": "buyer 99"}, "seat_index = 99: this market has buyer seats 0 to"),
        ({"seat_index": 99}, "seat = 'buyer 0': allowed"),
        ({"weeks_played": "2"}, "weeks_played = '2': allowed a whole number"),
        (None, "unreadable"),
    ],
)
def test_rerun_of_a_damaged_game_is_one_line_and_writes_nothing(
    games: Path, tmp_path: Path, damage: dict[str, object] | None, message: str
) -> None:
    import json
    import shutil

    ann = shutil.copytree(next(p for p in games.iterdir() if "_ann_" in p.name), tmp_path / "ann")
    record = ann / "game.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), **damage}) if damage else "{not json")
    before = sorted((str(p), p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    result = spsim_play("rerun", str(ann))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr and "game.json" in result.stderr
    assert sorted((str(p), p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before, "nothing is written"


def test_debrief_into_an_existing_file_is_one_line_and_exit_2(games: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "afile"
    a_file.write_text("keep")
    for out in (a_file, a_file / "debrief"):
        result = spsim_play("debrief", str(games), "--out", str(out))
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert f"--out = {out}" in result.stderr and "a file" in result.stderr
    assert a_file.read_text() == "keep" and sorted(tmp_path.iterdir()) == [a_file]
