"""The facilitator view, rendered headless: games listed, ticked, compared, the pack written."""

import itertools
from pathlib import Path
from typing import Any

import ipyvuetify as v
import pytest
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
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


@pytest.mark.slow
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


def test_the_headline_table_is_shown_once_and_the_details_folded_away(games: Path) -> None:
    _, rc = solara.render(FacilitatorView(games), handle_error=False)
    rows = _rows(rc)
    assert "<th>Game</th>" in rows and "Bob" in rows
    (details,) = [w for w in rc.find(HTML).widgets if w.attributes.get("class") == "spsim-debrief-details"]
    assert details.unsafe_innerHTML.count("class='spsim-debrief-detail'") == 4
    assert "spsim-debrief-row" not in details.unsafe_innerHTML, "the details are not the table again"
    assert "game-02" in details.unsafe_innerHTML, "each row's folder"
    panels = [w.v_model for w in rc.find(v.ExpansionPanels).widgets]
    assert panels == [None, None], "the tick boxes and the details start folded"


def test_the_chart_is_drawn_for_the_screen_with_nothing_small_overlapping_or_cut(games: Path) -> None:
    table = facilitator.comparison_table(facilitator.load_games(facilitator.find_games(games).paths))
    figure = facilitator.figure(table)
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    width, height = figure.canvas.get_width_height()
    assert width == facilitator.WIDTH_INCHES * figure.dpi
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= facilitator.SMALLEST_PT
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for text, box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, f"cut: {text!r}"
    overlapping = [(a, b) for (a, box), (b, other) in itertools.combinations(boxes, 2) if box.overlaps(other)]
    assert overlapping == []
