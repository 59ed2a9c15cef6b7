"""A saved game whose ``game.json`` is damaged is refused in one line naming the key, and nothing is written."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.play.game import Game, PlayError, list_games, rerun
from sim.play.seat import BuyerDecision

pytestmark = pytest.mark.xdist_group("play")


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    game = Game.start(tmp_path_factory.mktemp("games"), player="Record", role="buyer", weeks=2, lead_in_days=14)
    game.submit(BuyerDecision({line.sku: 4 for line in game.briefing().lines}))
    return game.folder


def edited(change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        data = json.loads(path.read_text())
        result = change(data)
        path.write_text(json.dumps(data if result is None else result))

    return edit


def text(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content)


CASES = {
    "seat out of the market": (
        edited(lambda d: d.update(seat_index=99, seat="buyer 99")),
        "seat_index = 99: this market",
    ),
    "seat and label disagree": (edited(lambda d: d.update(seat_index=99)), "seat = 'buyer 0': allowed"),
    "a key missing": (edited(lambda d: d.pop("role") and None), "role is missing"),
    "an unknown key": (edited(lambda d: d.update(extra=1)), "unknown key 'extra'"),
    "text for a number": (edited(lambda d: d.update(weeks_played="two")), "weeks_played = 'two': allowed a whole"),
    "true for a number": (edited(lambda d: d.update(seat_index=True)), "seat_index = True"),
    "a number for a list": (edited(lambda d: d.update(policy=3)), "policy = 3: allowed a list"),
    "an unknown role": (edited(lambda d: d.update(role="ceo")), "role = 'ceo': allowed buyer or sales"),
    "more weeks played than planned": (edited(lambda d: d.update(weeks_played=9)), "weeks_played = 9"),
    "weeks that do not fit the horizon": (
        edited(lambda d: d.update(weeks_planned=5)),
        "weeks_planned = 5: allowed 2",
    ),
    "a decision day off the game": (edited(lambda d: d.update(first_decision_day=3)), "first_decision_day = 3"),
    "not an object": (edited(lambda d: [d]), "holds list"),
    "unparseable": (text('{"player": "Record",'), "unreadable"),
    "not text": (lambda path: path.write_bytes(b"\xff\xfe\x00"), "unreadable"),
}


MATCHED_WITH_CONFIG = {"seat out of the market", "weeks that do not fit the horizon", "a decision day off the game"}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_record_is_refused_naming_the_key(saved: Path, tmp_path: Path, case: str) -> None:
    damage, message = CASES[case]
    folder = tmp_path / saved.name
    shutil.copytree(saved, folder)
    damage(folder / "game.json")
    before = snapshot(tmp_path)
    for attempt in (lambda: Game.load(folder), lambda: rerun(folder)):
        with pytest.raises(PlayError) as refused:
            attempt()
        assert message in str(refused.value) and "\n" not in str(refused.value)
    listed = list_games(tmp_path)  # the listing reads game.json alone: a record it cannot read is left out
    assert not listed or case in MATCHED_WITH_CONFIG
    assert snapshot(tmp_path) == before and not (folder / "rerun").exists(), "nothing is written"
