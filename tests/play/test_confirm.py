"""Absurd orders are asked about, not refused: the API's ``confirm=True`` path and the buyer form's second submit."""

from pathlib import Path
from typing import Any

import ipyvuetify as v
import pytest
import solara

from sim.live.play_page import PlayPage
from sim.play import entries
from sim.play.seat import BuyerDecision

pytestmark = pytest.mark.xdist_group("play")


def test_an_order_above_ten_weeks_of_demand_asks_for_confirmation() -> None:
    typed, weekly = {3: "1400", 4: "90"}, {3: 100.0, 4: 10.0}
    asked = entries.buyer_decision(typed, [3, 4], weekly_demand=weekly)
    assert isinstance(asked, entries.Unconfirmed)
    assert asked.questions == {"sku 3": "this is 14 weeks of demand for SKU 3: confirm?"}
    assert asked.decision == BuyerDecision({3: 1400, 4: 90})
    taken = entries.buyer_decision(typed, [3, 4], weekly_demand=weekly, confirm=True)
    assert taken == BuyerDecision({3: 1400, 4: 90})
    assert entries.buyer_decision({3: "1000", 4: "0"}, [3, 4], weekly_demand=weekly) == BuyerDecision({3: 1000, 4: 0})
    quiet = entries.buyer_decision({3: "5", 4: "1"}, [3, 4], weekly_demand={3: 0.0, 4: 1.0})
    assert isinstance(quiet, entries.Unconfirmed) and list(quiet.questions) == ["sku 3"], "an SKU that sells nothing"
    refused = entries.buyer_decision({3: "-1", 4: "9999"}, [3, 4], weekly_demand=weekly, confirm=True)
    assert isinstance(refused, entries.Refused), "confirming never takes an invalid entry"
    assert entries.buyer_decision(typed, [3, 4]) == BuyerDecision({3: 1400, 4: 90}), "no demand given: nothing asked"


def _by_class(rc: Any, kind: type, css: str) -> list[Any]:
    return [w for w in rc.find(kind).widgets if css in (getattr(w, "class_", "") or "").split()]


def _week_line(rc: Any) -> str:
    (line,) = _by_class(rc, v.Html, "spsim-play-week")
    return str(line.children[0])


def test_the_buyer_form_asks_then_takes_the_same_entries(tmp_path: Path) -> None:
    _, rc = solara.render(PlayPage(tmp_path), handle_error=False)
    rc.find(v.TextField, label="Your name").widget.v_model = "Hugo"
    rc.find(v.TextField, label="Weeks").widget.v_model = "2"
    rc.find(v.Btn, children=["Start game"]).widget.click()
    fields = _by_class(rc, v.TextField, "spsim-order")
    for field in fields:
        field.v_model = "5000"
    submit = rc.find(v.Btn, children=["Submit week 1"]).widget
    submit.click()
    assert "day 56" in _week_line(rc), "asked, not taken"
    questions = [str(w.children[0]) for w in _by_class(rc, v.Alert, "spsim-play-confirm")]
    assert questions and all("weeks of demand for SKU" in q and "confirm?" in q for q in questions)
    assert [f.v_model for f in _by_class(rc, v.TextField, "spsim-order")] == ["5000"] * len(fields), "nothing lost"
    _by_class(rc, v.TextField, "spsim-order")[0].v_model = "4000"  # changed: asked again
    rc.find(v.Btn, children=["Submit week 1"]).widget.click()
    assert "day 56" in _week_line(rc) and _by_class(rc, v.Alert, "spsim-play-confirm")
    rc.find(v.Btn, children=["Submit week 1"]).widget.click()  # the same entries again: confirmed
    assert "day 63" in _week_line(rc)
    assert not _by_class(rc, v.Alert, "spsim-play-confirm")
