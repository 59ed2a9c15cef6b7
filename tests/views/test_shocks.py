"""Outside shocks on the charts: shaded, labelled bands, and captions that name the shock as context."""

import pandas as pd
import pytest

from sim.configure import load_config
from sim.live import charts
from sim.output import events, runfolder
from sim.output.recorder import Recorder
from sim.runner import run_to_folder
from sim.views import animation, captions, debrief, shocks, side_by_side, storyboard
from tests.helpers import company

LABEL = "supplier disruption: days 30–50, capacity 20%, lead +7 d"


@pytest.fixture(scope="module")
def disrupted(tmp_path_factory: pytest.TempPathFactory) -> runfolder.Run:
    raw = company(
        horizon_days=80,
        warmup_days=10,
        seed=3,
        disruption_start_day=30,
        disruption_days=20,
        disruption_capacity_factor=0.2,
        disruption_lead_time_extra_days=7,
    )
    raw["output"] = {"charts": False, "print_summary": False}
    folder = tmp_path_factory.mktemp("disrupted") / "run"
    run_to_folder(load_config(raw), folder)
    return runfolder.load_run(folder)


def test_the_storyboard_of_a_disruption_run_draws_a_labelled_band(disrupted: runfolder.Run) -> None:
    import matplotlib.pyplot as plt

    board = storyboard.draw(disrupted)
    try:
        assert [(b.kind, b.start, b.end) for b in board.bands] == [("disruption", 30, 50)]
        assert board.bands[0].label.startswith(LABEL)
        strip = board.figure.axes[0]
        labels = [t for t in strip.texts if t.get_text() == board.bands[0].label]
        assert len(labels) == 1
        spans = [p for axis in board.figure.axes for p in axis.patches if p.get_facecolor()[:3] == _rgb(shocks.COLOUR)]
        assert len(spans) >= 5  # the strip and the four panels
        renderer = board.figure.canvas.get_renderer()  # type: ignore[attr-defined]
        band_box = labels[0].get_window_extent(renderer)
        others = [t for t in strip.texts if t is not labels[0] and t.get_text()]
        assert not any(band_box.overlaps(t.get_window_extent(renderer)) for t in others)
    finally:
        plt.close(board.figure)


def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def _log(*records: object) -> pd.DataFrame:
    recorder = Recorder()
    for record in records:
        recorder.record(record)
    return recorder.event_table()


def test_a_refused_expedite_in_a_disruption_names_the_disruption_not_a_department() -> None:
    table = _log(
        events.DisruptionStarted(30.0, "scenario", 0, 0, 7, 50, 0.0, "supplier 0 at 0% of capacity"),
        events.ExpediteRefused(35.25, "buyer 1", 3, 7, 40, 0, 900.0, 500.0, ""),
        events.ExpediteRefused(95.25, "buyer 1", 3, 7, 40, 0, 900.0, 500.0, ""),
    )
    story = captions.describe(table)
    refused = [c for c in story if c.kind == "expedite_refused"]
    assert refused[0].label.startswith("day 35: during the supplier disruption, buyer 1 refused")
    assert "disruption" not in refused[1].text  # long after it: no context
    assert not any(c.kind in events.SHOCKS for c in story)  # a shock is a band, not a department's caption


def test_a_late_delivery_just_after_a_disruption_is_in_its_wake() -> None:
    table = _log(
        events.DisruptionStarted(30.0, "scenario", 0, 0, 7, 50, 0.0, ""),
        events.StockoutLateNotice(55.5, "rep 0", 2, 1, 3, ""),
    )
    [caption] = captions.describe(table)
    assert caption.text.startswith("after the supplier disruption, stock-out on SKU 2")


def test_bands_of_every_kind_say_what_happened() -> None:
    table = _log(
        events.PriceRise(70.0, "scenario", 0, 0.12, ""),
        events.PriceRise(70.0, "scenario", 1, 0.12, ""),
        events.ProductLaunch(60.0, "scenario", 8, 2, 0.8, ""),
        events.ProductLaunch(60.0, "scenario", 9, 2, 0.8, ""),
        events.LargeOrder(12.0, "facilitator", 2, 3, 5000, 14, ""),
    )
    labels = [band.label for band in shocks.bands(table, 100)]
    assert labels == [
        "large unannounced order: 5,000 units of SKU 2, day 14, injected",
        "product launch: 2 new SKUs on day 60",
        "supplier price rise +12% from day 70 (suppliers 0 and 1)",
    ]


def test_the_side_by_side_the_replay_and_the_debrief_show_the_disruption(disrupted: runfolder.Run) -> None:
    import matplotlib.pyplot as plt

    drawn = side_by_side.draw(disrupted, disrupted)
    plt.close(drawn.figure)
    assert len(drawn.bands) == 1 and drawn.bands[0].label.startswith(LABEL)  # once: both runs had it
    film = animation.Film(disrupted)
    try:
        frame = next(f for f in range(film.frames) if 30 <= film.cursor_of(f) < 50)
        film.show(frame)
        assert any(line.get_text().startswith("▨ supplier disruption") for line in film.caption_lines)
    finally:
        film.close()
    before, after = debrief.periods([disrupted])
    together = debrief.prompts([disrupted], before, after)["together"]
    assert any(q.startswith("Outside shock, no department's decision: supplier disruption") for q in together)


def test_the_live_charts_shade_a_shock(disrupted: runfolder.Run) -> None:
    spec = charts.chart_specs(10)[0]
    frame = pd.DataFrame({"day": range(60), "on hand": 1.0, "owed to customers": 0.0, "on order": 2.0})
    svg = charts.chart_svg(spec, frame, 10, "daily", charts.shock_bands(disrupted.events, disrupted.days))
    assert 'class="spsim-shock"' in svg and f'data-shock="{LABEL}' in svg
    assert ">supplier disruption</text>" in svg
    assert "spsim-shock" not in charts.chart_svg(spec, frame, 10, "daily")
