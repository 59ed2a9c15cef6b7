"""The facilitator view, rendered headless: games listed, ticked, compared, the pack written."""

from pathlib import Path
from typing import Any

import ipyvuetify as v
import pytest
import solara
from solara.widgets import HTML

from sim.live.debrief_page import FacilitatorView
from sim.views import facilitator
from tests.views.test_facilitator import make_games


@pytest.fixture(scope="module")
def games(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_games(tmp_path_factory.mktemp("games"))


def _with_class(rc: Any, widget: type, css: str) -> list:
    return [w for w in rc.find(widget).widgets if css in (w.class_ or "").split()]


def _rows(rc: Any) -> str:
    tables = [w for w in rc.find(HTML).widgets if w.attributes.get("class") == "spsim-debrief-table"]
    assert len(tables) == 1
    return tables[0].unsafe_innerHTML


def test_lists_the_games_and_shows_the_table(games: Path) -> None:
    _, rc = solara.render(FacilitatorView(games), handle_error=False)
    boxes = rc.find(v.Checkbox).widgets
    assert [box.label.split(" (")[0] for box in boxes] == [
        "Alice",
        "Agents",
        "Alice + regular meetings",
        "Bob",
    ]
    assert all(box.v_model for box in boxes), "every game is ticked at first"
    rows = _rows(rc)
    assert rows.count("class='spsim-debrief-row'") == 4
    for label in ("Alice", "Agents (Alice&#x27;s seat)", "Alice + regular meetings", "Bob"):
        assert f"data-label='{label}'" in rows
    skipped = _with_class(rc, v.Alert, "spsim-debrief-skipped")
    assert len(skipped) == 1
    assert "game-03" in skipped[0].children[0]
    assert not _with_class(rc, v.Alert, "spsim-debrief-empty")


def test_unticking_drops_a_game_and_the_pack_holds_the_ticked_ones(games: Path) -> None:
    _, rc = solara.render(FacilitatorView(games), handle_error=False)
    bob = next(box for box in rc.find(v.Checkbox).widgets if box.label.startswith("Bob"))
    bob.v_model = False
    rows = _rows(rc)
    assert rows.count("class='spsim-debrief-row'") == 3
    assert "data-label='Bob'" not in rows
    (button,) = _with_class(rc, v.Btn, "spsim-debrief-write")
    button.click()
    (written,) = _with_class(rc, v.Alert, "spsim-debrief-written")
    pack = games / facilitator.DEBRIEF_DIR
    assert str(pack / "facilitator.png") in written.children[0]
    assert sorted(p.name for p in pack.iterdir()) == sorted(facilitator.FILES)
    assert "Bob" not in (pack / "facilitator.csv").read_text()
    for box in rc.find(v.Checkbox).widgets:
        box.v_model = False
    assert _with_class(rc, v.Alert, "spsim-debrief-none")
    assert not [w for w in rc.find(HTML).widgets if w.attributes.get("class") == "spsim-debrief-table"]


@pytest.mark.parametrize("folder", ["empty", "missing"])
def test_no_games_gives_a_friendly_note(tmp_path: Path, folder: str) -> None:
    games = tmp_path / folder
    if folder == "empty":
        games.mkdir()
    _, rc = solara.render(FacilitatorView(games), handle_error=False)
    (note,) = _with_class(rc, v.Alert, "spsim-debrief-empty")
    assert "No saved games yet" in note.children[0]
    assert not rc.find(v.Checkbox).widgets
    assert not _with_class(rc, v.Btn, "spsim-debrief-write")
