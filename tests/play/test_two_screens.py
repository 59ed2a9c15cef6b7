"""Two browsers on one game, through the play page (rendered headless): the late screen sees one line, no traceback."""

from pathlib import Path
from typing import Any

import pytest

from sim.play.game import STALE, Game
from sim.play.seat import BuyerDecision

pytestmark = pytest.mark.xdist_group("play")
v = pytest.importorskip("ipyvuetify")
solara = pytest.importorskip("solara")


def _by_class(rc: Any, kind: type, css: str) -> list[Any]:
    return [w for w in rc.find(kind).widgets if css in (getattr(w, "class_", "") or "").split()]


def _screen(games: Path) -> Any:
    from sim.live.play_page import PlayPage

    _, rc = solara.render(PlayPage(games), handle_error=False)
    rc.find(v.Btn, children=["Resume"]).widget.click()
    return rc


def _type_and_submit(rc: Any, units: str) -> None:
    for field in _by_class(rc, v.TextField, "spsim-order"):
        field.v_model = units
    rc.find(v.Btn, children=["Submit week 1"]).widget.click()


def _week_line(rc: Any) -> str:
    (line,) = _by_class(rc, v.Html, "spsim-play-week")
    return str(line.children[0])


def test_the_second_browser_to_submit_a_week_is_told_so_and_the_first_decision_stays(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Kim", role="buyer", weeks=3, lead_in_days=14)
    day = game.next_day
    a, b = _screen(tmp_path), _screen(tmp_path)
    _type_and_submit(a, "33")
    assert f"day {day + 7}" in _week_line(a)
    _type_and_submit(b, "44")
    errors = [str(alert.children[0]) for alert in _by_class(b, v.Alert, "spsim-play-error")]
    assert errors == [STALE], "one line on the late screen"
    assert f"day {day}" in _week_line(b), "the late screen stays on its week"
    assert {f.v_model for f in _by_class(b, v.TextField, "spsim-order")} == {"44"}, "what was typed stays on screen"
    saved = Game.load(game.folder)
    assert saved.info.weeks_played == 1
    decision = saved.seat.decisions[day]
    assert isinstance(decision, BuyerDecision) and set(decision.orders.values()) == {33}
