"""The facilitator's comparison of saved games: finding them, the table, the labels, bad input, the files.

Saved games are made the way play mode saves them: a run folder (a small company, a
fraction of a second each) with a ``game.json`` next to its tables, and re-runs under
``<game>/rerun/<name>/`` with a ``rerun.json``.
"""

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.configure import load_config
from sim.output.runfolder import RunFolderError as ReplayError
from sim.runner import run_to_folder
from sim.views import facilitator
from sim.views.facilitator import AGENTS, GAME, LEVER, RUN
from tests.helpers import company

PNG = b"\x89PNG\r\n\x1a\n"
SEED = 3
MEETINGS = {"regular_meetings": {"cadence_days": 14, "attendance": 1.0}}


def make_run(folder: Path, org: dict[str, Any] | None = None, policy: dict[str, Any] | None = None) -> Path:
    """A short run of the small company into ``folder`` (same seed: the same market)."""
    raw = company(horizon_days=42, warmup_days=14, seed=SEED, org=org) | {"policy": policy or {}}
    raw["output"] = {"charts": False, "print_summary": False}
    run_to_folder(load_config(raw), folder)
    return folder


def save_game(folder: Path, player: str, role: str, seat: str, *, weeks_played: int = 4, **org: Any) -> Path:
    """A run folder with the ``game.json`` play mode writes."""
    make_run(folder, org=org or None)
    info = {
        "player": player,
        "role": role,
        "seat": seat,
        "weeks_planned": 4,
        "weeks_played": weeks_played,
        "finished": weeks_played == 4,
        "first_decision_day": 14,
        "seed": SEED,
        "scenario": "default",
        "policy": [],
    }
    (folder / "game.json").write_text(json.dumps(info))
    return folder


def save_rerun(game: Path, name: str, seat: str, policy: dict[str, Any] | None = None) -> Path:
    folder = make_run(game / "rerun" / name, policy=policy)
    (folder / "rerun.json").write_text(json.dumps({"of": game.name, "seat": seat, "policy": sorted(policy or {})}))
    return folder


def make_games(root: Path) -> Path:
    """Two finished games (a buyer with a lever re-run and the agents' game, a sales lead), one unsaved."""
    alice = save_game(root / "game-01", "Alice", "buyer", "buyer 1", safety_z=2.5)
    save_rerun(alice, "player+regular_meetings", "player", MEETINGS)
    save_rerun(alice, "agent", "agent")
    save_game(root / "game-02", "Bob", "sales", "sales lead 1", weeks_played=3, forecast_optimism=0.3)
    unsaved = root / "game-03"
    unsaved.mkdir()
    (unsaved / "game.json").write_text(json.dumps({"player": "Dan", "role": "buyer"}))
    (root / "notes").mkdir()  # no game.json: not a game
    return root


@pytest.fixture(scope="module")
def games(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_games(tmp_path_factory.mktemp("games"))


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("plain") / "silo-seed3")


# -- finding games -----------------------------------------------------------------------


def test_find_games_lists_games_then_their_reruns_and_names_the_unsaved(games: Path) -> None:
    found = facilitator.find_games(games)
    assert [p.relative_to(games).as_posix() for p in found.paths] == [
        "game-01",
        "game-01/rerun/agent",
        "game-01/rerun/player+regular_meetings",
        "game-02",
    ]
    assert len(found.skipped) == 1
    assert found.skipped[0].startswith("game-03: ")
    assert "manifest.json" in found.skipped[0]


def test_find_games_names_a_game_still_running_or_not_started_and_tolerates_a_missing_folder(
    games: Path, tmp_path: Path
) -> None:
    assert facilitator.find_games(tmp_path / "nowhere") == facilitator.Found()
    assert facilitator.find_games(tmp_path) == facilitator.Found()
    copy = shutil.copytree(games / "game-02", tmp_path / "game-09")
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps(manifest | {"status": "running"}))
    fresh = shutil.copytree(games / "game-02", tmp_path / "game-10")
    info = json.loads((fresh / "game.json").read_text())
    (fresh / "game.json").write_text(json.dumps(info | {"weeks_played": 0, "finished": False}))
    found = facilitator.find_games(tmp_path)
    assert found.paths == []
    assert found.skipped == [
        "game-09: not saved completely (manifest status 'running')",
        "game-10: no week played yet",
    ]


# -- the table -----------------------------------------------------------------------------


def test_table_values_are_the_summaries(games: Path) -> None:
    found = facilitator.find_games(games)
    table = facilitator.comparison_table(facilitator.load_games(found.paths))
    assert len(table) == len(found.paths)
    assert list(table.columns) == list(facilitator.COLUMNS)
    for path, row in zip(found.paths, table.itertuples(index=False), strict=True):
        summary = json.loads((path / "summary.json").read_text())
        assert row.folder == str(path)
        for key in ("fill_rate", "bullwhip_ratio", "conflict_count", "operating_profit", "days"):
            assert getattr(row, key) == pytest.approx(summary[key], nan_ok=True), (path, key)
        parts = [sign * summary[part] for part, sign in facilitator.COST_PARTS.items()]
        assert row.cost == pytest.approx(sum(parts))
        # the definition in docs/KPIS.md: what operating profit loses below the margin at standard cost,
        # but for the operating expenses (staff and overhead), listed on their own
        below_margin = summary["revenue"] - summary["cogs"] - summary["operating_profit"]
        assert row.cost == pytest.approx(below_margin - summary["operating_expenses"], abs=0.02)
        assert row.operating_expenses == pytest.approx(summary["operating_expenses"])
        # the company score ranks: operating profit less the excess stock charge (sim/views/scores.py)
        assert row.score == pytest.approx(summary["operating_profit"] - row.excess_stock_charge)
        assert row.purchasing_savings == pytest.approx(-summary["purchase_price_variance"])
        assert row.on_time_in_full == pytest.approx(summary["on_time_in_full"], nan_ok=True)
    assert sorted(table["rank"]) == sorted(table["score"].rank(method="min", ascending=False).astype(int))
    lever = table.set_index("label").loc["Alice + regular meetings"]
    assert lever["policy_cost_total"] > 0, "the lever's cost is part of the re-run's cost"


def test_labels_kinds_and_seats(games: Path, plain_run: Path) -> None:
    paths = [*facilitator.find_games(games).paths, plain_run]
    table = facilitator.comparison_table(facilitator.load_games(paths)).set_index("label")
    assert list(table.index) == [
        "Alice",
        "Agents (Alice's seat)",
        "Alice + regular meetings",
        "Bob",
        "silo-seed3",
    ]
    assert list(table["kind"]) == [GAME, AGENTS, LEVER, GAME, RUN]
    assert table.loc["Agents (Alice's seat)", "seat"] == "buyer 1", "a re-run plays the seat of its game"
    assert table.loc["Alice + regular meetings", "levers"] == "regular_meetings"
    assert table.loc["Bob", "role"] == "sales"
    assert table.loc["Bob", "weeks_played"] == 3
    assert not table.loc["Bob", "finished"]
    assert table.loc["Alice", "finished"]
    assert pd.isna(table.loc["silo-seed3", "weeks_played"])


def test_a_repeated_player_name_gets_its_folder(games: Path, tmp_path: Path) -> None:
    second = shutil.copytree(games / "game-02", tmp_path / "game-07")
    info = json.loads((second / "game.json").read_text())
    (second / "game.json").write_text(json.dumps(info | {"player": "Alice"}))
    nameless = shutil.copytree(games / "game-02", tmp_path / "game-08")
    (nameless / "game.json").write_text(json.dumps(info | {"player": ""}))
    labels = [game.label for game in facilitator.load_games([games / "game-01", second, nameless])]
    assert labels == ["Alice [game-01]", "Alice [game-07]", "game-08"]


def test_a_rerun_is_named_by_the_levers_it_adds_to_its_game(games: Path, tmp_path: Path) -> None:
    game = shutil.copytree(games / "game-01", tmp_path / "game-05")
    info = json.loads((game / "game.json").read_text())
    (game / "game.json").write_text(json.dumps(info | {"policy": ["regular_meetings"]}))
    lever = game / "rerun" / "player+regular_meetings"
    (lever / "rerun.json").write_text(json.dumps({"of": "game-05", "seat": "player", "policy": ["regular_meetings"]}))
    both = shutil.copytree(lever, game / "rerun" / "player+regular_meetings+rotation")
    (both / "rerun.json").write_text(
        json.dumps({"of": "game-05", "seat": "player", "policy": ["regular_meetings", "rotation"]})
    )
    agents = game / "rerun" / "agent"
    (agents / "rerun.json").write_text(json.dumps({"of": "game-05", "seat": "agent", "policy": ["regular_meetings"]}))
    labels = [game.label for game in facilitator.load_games(facilitator.find_games(tmp_path).paths)]
    assert labels == ["Alice", "Agents (Alice's seat)", "Alice (re-run)", "Alice + rotation"]


def test_folders_of_a_save_under_way_are_not_games(games: Path, tmp_path: Path) -> None:
    shutil.copytree(games / "game-02", tmp_path / ".game-02.saving")
    shutil.copytree(games / "game-02", tmp_path / ".game-02.old")
    assert facilitator.find_games(tmp_path) == facilitator.Found()


def test_markdown_states_the_cost_and_formats_for_people(games: Path) -> None:
    table = facilitator.comparison_table(facilitator.load_games([games / "game-01"]))
    text = facilitator.markdown(table)
    assert "| 1 | Alice | game | buyer | buyer 1 | 4 of 4 |" in text
    bob = facilitator.markdown(facilitator.comparison_table(facilitator.load_games([games / "game-02"])))
    assert "| 1 | Bob | game | sales | sales lead 1 | 3 of 4, unfinished |" in bob
    assert facilitator.SCORE_NOTE in text and facilitator.DEPARTMENT_NOTE in text
    assert facilitator.COST_NOTE in text, "the supply-chain cost stays, as a breakdown of operating profit"
    assert f"{table.loc[0, 'fill_rate']:.1%}" in text


# -- bad input -----------------------------------------------------------------------------


def _broken(games: Path, tmp_path: Path, how: str) -> Path:
    if how == "missing folder":
        return tmp_path / "no-such-game"
    if how == "not a run folder":
        (tmp_path / "empty").mkdir()
        return tmp_path / "empty"
    folder = shutil.copytree(games / "game-02", tmp_path / how.replace(" ", "-"))
    if how == "incomplete manifest":
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps(manifest | {"status": "running"}))
    elif how == "corrupt table":
        (folder / "timeseries.parquet").write_bytes(b"not parquet at all")
    elif how == "missing summary":
        (folder / "summary.json").unlink()
    elif how == "corrupt game.json":
        (folder / "game.json").write_text("{player: Alice")
    return folder


@pytest.mark.parametrize(
    ("how", "words"),
    [
        ("missing folder", "no such folder"),
        ("not a run folder", "not a run folder"),
        ("incomplete manifest", "not a finished run"),
        ("corrupt table", "cannot read timeseries.parquet"),
        ("missing summary", "summary.json missing"),
        ("corrupt game.json", "game.json is not valid JSON"),
    ],
)
def test_bad_input_is_one_line_naming_the_folder(games: Path, tmp_path: Path, how: str, words: str) -> None:
    folder = _broken(games, tmp_path, how)
    with pytest.raises(ReplayError) as raised:
        facilitator.write([games / "game-01", folder], tmp_path / "out")
    message = str(raised.value)
    assert "\n" not in message
    assert str(folder) in message
    assert words in message
    assert not (tmp_path / "out").exists(), "nothing is written when a game cannot be read"


def test_no_game_or_one_twice_is_refused(games: Path, tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="no games to compare"):
        facilitator.write([], tmp_path)
    with pytest.raises(ReplayError, match="given twice"):
        facilitator.load_games([games / "game-01", games / "game-01" / "." / ""])


# -- the files -----------------------------------------------------------------------------


def test_write_puts_chart_table_and_notes_in_the_folder(games: Path, tmp_path: Path) -> None:
    out = tmp_path / "debrief"
    paths = facilitator.find_games(games).paths
    written = facilitator.write(paths, out)
    assert written == [out / name for name in facilitator.FILES]
    assert (out / "facilitator.png").read_bytes().startswith(PNG)
    table = pd.read_csv(out / "facilitator.csv")
    assert list(table["label"]) == ["Alice", "Agents (Alice's seat)", "Alice + regular meetings", "Bob"]
    for path, cost in zip(paths, table["cost"], strict=True):
        summary = json.loads((path / "summary.json").read_text())
        assert cost == pytest.approx(facilitator.supply_chain_cost(summary))
    text = (out / "facilitator.md").read_text()
    assert all(label in text for label in table["label"])
    assert sorted(p.name for p in out.iterdir()) == sorted(facilitator.FILES), "no temporary file left"
    written_again = facilitator.write(paths[:1], out)  # a second pack replaces the first
    assert len(pd.read_csv(written_again[1])) == 1


def test_chart_has_a_panel_per_measure_and_a_bar_per_game(games: Path) -> None:
    table = facilitator.comparison_table(facilitator.load_games(facilitator.find_games(games).paths))
    figure = facilitator.figure(table)
    axes = figure.axes
    assert len(axes) == len(facilitator.MEASURES)
    for ax, (column, _, _) in zip(axes, facilitator.MEASURES, strict=True):
        widths = [patch.get_width() for patch in ax.patches]
        expected = [0.0 if math.isnan(v) else v for v in table[column]]
        assert widths == pytest.approx(expected), column
    ticks = [label.get_text().split("\n")[0] for label in axes[0].get_yticklabels()]
    assert ticks == list(table["label"])
