"""The play page rendered headless (solara.render): a person's game through the widgets they use."""

from pathlib import Path
from typing import Any

import ipyvuetify as v
import pytest
import solara

from sim.live.play_page import PlayPage
from sim.play.game import Game, list_games

pytestmark = pytest.mark.xdist_group("play")


def _by_class(rc: Any, kind: type, css: str) -> list[Any]:
    # reacton's find(classes=...) does not look at CSS classes: filter on the widgets' class_.
    return [w for w in rc.find(kind).widgets if css in (getattr(w, "class_", "") or "").split()]


def _week_line(rc: Any) -> str:
    (line,) = _by_class(rc, v.Html, "spsim-play-week")
    return str(line.children[0])


def _start(rc: Any, name: str, weeks: str, role: str = "buyer") -> None:
    rc.find(v.TextField, label="Your name").widget.v_model = name
    rc.find(v.TextField, label="Weeks").widget.v_model = weeks
    rc.find(v.Select, label="Role").widget.v_model = role
    rc.find(v.Btn, children=["Start game"]).widget.click()


@pytest.mark.slow
def test_a_buyer_plays_two_weeks_and_bad_entries_are_refused_in_place(tmp_path: Path) -> None:
    _, rc = solara.render(PlayPage(tmp_path), handle_error=False)
    _start(rc, "Zoe", "2")
    assert "day 56" in _week_line(rc) and "buyer 0" in _week_line(rc)
    fields = _by_class(rc, v.TextField, "spsim-order")
    assert len(fields) == 10
    for field in fields:
        field.v_model = "12"
    fields[1].v_model, fields[2].v_model, fields[3].v_model = "-3", "lots", ""
    rc.find(v.Btn, children=["Submit week 1"]).widget.click()

    fields = _by_class(rc, v.TextField, "spsim-order")
    assert "day 56" in _week_line(rc), "a refused week does not move the game"
    assert [f.v_model for f in fields[:5]] == ["12", "-3", "lots", "", "12"], "nothing typed is lost"
    messages = [" ".join(f.messages or []) for f in fields[:5]]
    assert "negative" in messages[1] and "not a whole number" in messages[2] and "enter a quantity" in messages[3]
    assert [f.error for f in fields[:5]] == [False, True, True, True, False]

    for field in fields[1:4]:
        field.v_model = "12"
    rc.find(v.Btn, children=["Submit week 1"]).widget.click()
    assert "day 63" in _week_line(rc)
    (saved,) = list_games(tmp_path)
    assert saved["weeks_played"] == 1 and saved["player"] == "Zoe"

    for field in _by_class(rc, v.TextField, "spsim-order"):
        field.v_model = "0"
    rc.find(v.Btn, children=["Submit week 2"]).widget.click()
    results = _by_class(rc, v.Html, "spsim-play-result")
    assert len(results) == 1, "game over: the person's result is shown"
    rc.find(v.Btn, children=["Replay with the agent in my seat"]).widget.click()
    assert len(_by_class(rc, v.Html, "spsim-play-result")) == 2
    game = Game.load(Path(saved["folder"]))
    assert game.finished and (game.folder / "rerun" / "agent" / "manifest.json").is_file()


def test_the_sales_lead_plans_a_promotion_through_the_form(tmp_path: Path) -> None:
    _, rc = solara.render(PlayPage(tmp_path), handle_error=False)
    _start(rc, "Sam", "2", role="sales")
    adjustment = rc.find(v.TextField, label="Forecast adjustment (%)").widget
    adjustment.v_model = "ten"
    rc.find(v.Btn, children=["Submit week 1"]).widget.click()
    assert "day 56" in _week_line(rc)
    assert "not a number" in " ".join(rc.find(v.TextField, label="Forecast adjustment (%)").widget.messages)
    adjustment.v_model = "15"
    promoted = rc.find(v.Select, label="Promote SKUs (none = no promotion)").widget
    promoted.v_model = promoted.items[:2]
    rc.find(v.Select, label="Tell purchasing").widget.v_model = "none"
    rc.find(v.Btn, children=["Submit week 1"]).widget.click()
    assert "day 63" in _week_line(rc)
    (saved,) = list_games(tmp_path)
    game = Game.load(Path(saved["folder"]))
    decision = game.seat.decisions[56]
    assert decision.forecast_adjustment == pytest.approx(0.15)  # type: ignore[union-attr]
    assert decision.promotion is not None and decision.promotion.notice == "none"  # type: ignore[union-attr]


def test_a_game_that_cannot_start_says_why_and_keeps_the_form(tmp_path: Path) -> None:
    _, rc = solara.render(PlayPage(tmp_path), handle_error=False)
    _start(rc, "Ann", "100")
    (error,) = _by_class(rc, v.Alert, "spsim-play-error")
    assert "weeks = 100" in str(error.children)
    assert rc.find(v.TextField, label="Your name").widget.v_model == "Ann"
    assert not any(tmp_path.iterdir())


def test_a_saved_game_can_be_resumed_from_the_page(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Kim", role="buyer", weeks=3, lead_in_days=14)
    _, rc = solara.render(PlayPage(tmp_path), handle_error=False)
    rc.find(v.Btn, children=["Resume"]).widget.click()
    assert f"day {game.next_day}" in _week_line(rc) and "Kim" in _week_line(rc)
