"""The live dashboard, rendered headless: it steps, resets with new settings, and measures right."""

import functools
import gc
import math
import time
import weakref
from typing import Any

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim import policies
from sim.config import ConfigError
from sim.live import baseline, pace
from sim.live.charts import chart_specs
from sim.live.controls import MAX_HORIZON_DAYS, Control, slider_value
from sim.live.dashboard import Dashboard, LiveModel, lever_controls, run_config, scenario_names
from sim.live.measures import REPORTERS

SHORT = {"horizon_days": 20, "warmup_days": 5, "seed": 3}


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[LiveModel]:
    """Every LiveModel the page builds, in order (the page keeps its model to itself)."""
    models: list[LiveModel] = []
    original = LiveModel.__init__

    @functools.wraps(original)
    def recording(self: LiveModel, **settings: Any) -> None:
        original(self, **settings)
        models.append(self)

    monkeypatch.setattr(LiveModel, "__init__", recording)
    return models


def page(start: dict[str, Any] | None = None) -> Any:
    _box, rc = solara.render(Dashboard(start={**SHORT, **(start or {})}), handle_error=False)
    return rc


def click(rc: Any, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def chart_states(rc: Any) -> dict[str, tuple[str, str]]:
    """Chart -> (day, text) of every chart's state line."""
    return {
        w.attributes["data-chart"]: (w.attributes["data-day"], w.children[0])
        for w in rc.find(v.Html, class_="spsim-chart-state").widgets
    }


def day_attributes(rc: Any) -> dict[str, str]:
    attributes: dict[str, str] = rc.find(v.Html, class_="spsim-day").widget.attributes
    return attributes


def test_the_page_renders_controls_charts_and_an_empty_feed(built: list[LiveModel]) -> None:
    rc = page()
    for label in ("Reset", "▶", "Step"):
        rc.find(v.Btn, children=[label]).assert_single()
    assert set(chart_states(rc)) == {"stock", "orders", "service", "trust", "profit"}
    assert day_attributes(rc)["data-days-simulated"] == "0"
    assert "not started" in rc.find(v.Html, class_="spsim-day").widget.children[0]
    for lever in policies.levers():  # one checkbox per lever, none checked
        assert rc.find(v.Checkbox, label=lever.replace("_", " ")).widget.v_model is False
    assert rc.find(v.Select, label="Scenario").widget.items == list(scenario_names())
    assert len(built) == 1 and built[0].config.total_days == 25


def test_step_advances_one_day_and_every_chart_shows_it(built: list[LiveModel]) -> None:
    rc = page()
    before = chart_states(rc)
    click(rc, "Step")
    first = chart_states(rc)
    assert built[0].env.now == 1
    assert day_attributes(rc) == {"data-day": "0", "data-days-simulated": "1"}
    for chart, (day, text) in first.items():
        assert day == "0" and text.startswith("day 0 · ") and text != before[chart][1]
    click(rc, "Step")
    second = chart_states(rc)
    assert built[0].env.now == 2
    assert all(day == "1" and text.startswith("day 1 · ") for day, text in second.values())
    assert second["stock"][1] != first["stock"][1]


@pytest.mark.slow
def test_the_feed_shows_the_latest_events_in_plain_words_newest_first(built: list[LiveModel]) -> None:
    rc = page({"market": "promotion_heavy"})
    for _ in range(30):
        click(rc, "Step")
    events = rc.find(v.Html, class_="spsim-event").widgets
    assert events, "a promotion-heavy market has business events within 30 days"
    days = [int(w.attributes["data-day"]) for w in events]
    assert days == sorted(days, reverse=True) and days[0] <= 29
    assert all(w.children[0].startswith(f"day {w.attributes['data-day']} · ") for w in events)
    assert len(events) <= len(built[0].day_tally.feed)


def test_a_lever_switched_on_and_set_applies_at_reset(built: list[LiveModel]) -> None:
    rc = page()
    click(rc, "Step")
    rc.find(v.Checkbox, label="rotation").widget.v_model = True
    spell = next(c for c in lever_controls()["rotation"] if c.key == "rotation__spell_days")
    rc.find(v.Slider, label=spell.label).widget.v_model = 30
    assert built[-1].config.policy == {}, "settings apply only at Reset"
    rc.find(v.Alert, children=["Changed settings apply at the next Reset."]).assert_single()
    click(rc, "Reset")
    model = built[-1]
    assert len(built) == 2 and model.env.now == 0
    assert set(model.config.policy) == {"rotation"}
    assert model.config.policy["rotation"].spell_days == 30  # type: ignore[attr-defined]
    assert model.config.seed == 3 and model.config.horizon_days == 20
    assert day_attributes(rc)["data-days-simulated"] == "0"
    click(rc, "Step")
    assert model.env.now == 1 and built[-1] is model


def test_a_new_scenario_applies_at_reset(built: list[LiveModel]) -> None:
    rc = page()
    rc.find(v.Select, label="Scenario").widget.v_model = "textbook"
    click(rc, "Reset")
    assert built[-1].config.scenario.kind == "textbook"
    click(rc, "Step")
    assert chart_states(rc)["stock"][0] == "0"


def test_invalid_settings_show_one_line_and_keep_the_page(built: list[LiveModel]) -> None:
    rc = page()
    rc.find(v.TextField, label="Seed").widget.v_model = "-1"
    click(rc, "Reset")
    error = rc.find(v.Alert, class_="spsim-config-error").widget
    assert "seed = -1" in error.children[0] and "\n" not in error.children[0]
    assert built[-1].config == built[0].config, "the run goes on with the last valid settings"
    click(rc, "Step")
    assert day_attributes(rc)["data-days-simulated"] == "1"


def test_a_horizon_past_the_dashboards_bound_is_one_line_and_builds_nothing(built: list[LiveModel]) -> None:
    rc = page()
    rc.find(v.TextField, label="Horizon (days)").widget.v_model = "3000000"
    message = rc.find(v.Alert, class_="spsim-horizon-error").widget.children[0]
    assert (
        message
        == f"horizon_days = 3,000,000: the dashboard runs at most {MAX_HORIZON_DAYS:,} days (use spsim for longer runs)"
    )
    click(rc, "Reset")
    assert "at most" in rc.find(v.Alert, class_="spsim-config-error").widget.children[0]
    assert [model.config.horizon_days for model in built] == [20, 20], "no model of three million days"
    rc.find(v.TextField, label="Horizon (days)").widget.v_model = str(MAX_HORIZON_DAYS)
    assert not rc.find(v.Alert, class_="spsim-horizon-error").widgets
    with pytest.raises(ConfigError, match="at most"):
        run_config("default", 1, MAX_HORIZON_DAYS + 1, 90, {})


def test_leaving_the_page_lets_its_model_go(built: list[LiveModel]) -> None:
    # What Solara does when a browser session closes: it closes the page's render context.
    rc = page()
    click(rc, "Reset")
    models = [weakref.ref(model) for model in built]
    built.clear()
    rc.close()
    gc.collect()
    assert [model() for model in models] == [None, None], "no model outlives its page"


def test_the_measures_agree_with_the_run_tables() -> None:
    model = LiveModel(market="default", seed=4, horizon_days=15, warmup_days=5, rotation=True, shared_metrics=True)
    for _ in range(model.config.total_days + 2):  # two steps past the end change nothing
        model.step()
    assert not model.running
    measured = model.measured()
    daily = model.tables().timeseries
    assert measured["day"].tolist() == daily["day"].tolist() == list(range(20))
    for column in ("on_hand", "backordered", "on_order", "demand", "served_same_day"):
        np.testing.assert_array_equal(measured[column], daily[column], err_msg=column)
    purchased = measured["purchased_total"].diff().fillna(measured["purchased_total"])
    np.testing.assert_array_equal(purchased, daily["purchased"])
    for column, table_column in (
        ("operating_profit_total", "operating_profit"),
        ("gross_margin_total", "gross_margin"),
    ):
        np.testing.assert_allclose(measured[column], daily[table_column].cumsum(), atol=0.02, err_msg=column)
    for column in ("trust_in_purchasing", "trust_in_sales"):
        np.testing.assert_allclose(measured[column], daily[column], rtol=1e-12, err_msg=column)
    assert set(measured.columns) == set(REPORTERS)


def test_measures_after_some_days_agree_with_the_tables_so_far() -> None:
    model = LiveModel(market="seasonal", seed=2, horizon_days=30, warmup_days=5)
    for _ in range(11):
        model.step()
    last = model.measured().iloc[-1]
    table = model.tables().timeseries
    assert int(last["day"]) == int(table["day"].iloc[-1]) == 10
    assert last["on_hand"] == table["on_hand"].iloc[-1]
    assert math.isclose(last["operating_profit_total"], table["operating_profit"].sum(), abs_tol=0.02)


def test_the_lever_controls_come_from_each_levers_schema() -> None:
    controls = lever_controls()
    assert set(controls) == set(policies.levers())
    for name, lever in policies.levers().items():
        assert [c.key for c in controls[name]] == [f"{name}__{field}" for field in lever.Params.model_fields]
    settings_low: dict[str, Any] = dict.fromkeys(controls, True)
    settings_high: dict[str, Any] = dict.fromkeys(controls, True)
    for control in (c for group in controls.values() for c in group):
        if control.kind in ("int", "float"):
            assert control.minimum <= control.default <= control.maximum, control.key  # type: ignore[operator]
            settings_low[control.key], settings_high[control.key] = control.minimum, control.maximum
            if control.kind == "int":
                settings_low[control.key], settings_high[control.key] = int(control.minimum), int(control.maximum)
    for settings in (settings_low, settings_high):  # every slider end is a valid config
        config = run_config("default", 1, 10, 0, settings)
        assert set(config.policy) == set(controls)


def test_run_config_names_an_unknown_setting() -> None:
    with pytest.raises(ConfigError, match="no_such_lever: unknown setting"):
        run_config("default", 1, 10, 0, {"no_such_lever": True})


def test_the_feed_tells_each_day_as_the_run_tables_do() -> None:
    """The feed captions the live log; the replay captions the saved table: same words, money in currency."""
    from sim.live.measures import DayTally
    from sim.views.captions import describe

    model = LiveModel(market="default", seed=1, horizon_days=60, warmup_days=5)
    tally = DayTally(model, feed_length=10_000)
    while model.running:
        model.step()
        tally.read_day()
    events = model.tables().events
    expected = describe(events[events["event"].isin(set(events["event"]))])
    live = sorted((c.day, c.text) for c in tally.feed)
    saved = sorted((c.day, c.text) for c in expected if c.kind in {c.kind for c in tally.feed})
    assert any("premium" in text for _, text in live), "an expedite was captioned"
    assert live == saved


# -- projector mode: silo baseline, jumps, play speed, shock bands, slider values -----------------------


def inner_html(rc: Any, class_: str) -> list[str]:
    """The raw HTML of every ``solara.HTML`` of a class."""
    return [
        w.unsafe_innerHTML
        for w in rc.find(solara.widgets.HTML).widgets
        if class_ in w.attributes.get("class", "").split()
    ]


def svgs(rc: Any) -> list[str]:
    """Every chart's SVG as drawn (five once the run has started)."""
    drawn = inner_html(rc, "spsim-chart-svg")
    assert len(drawn) == 5
    return drawn


def wait_for(condition: Any, timeout_s: float = 60.0) -> None:
    """Wait for what a page's thread does (the silo is simulated on one)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def jump(rc: Any, day: str) -> None:
    rc.find(v.TextField, label="Jump to day").widget.v_model = day
    click(rc, "Jump")


def test_the_silo_baseline_is_simulated_once_and_matches_a_stepped_silo() -> None:
    config = run_config("default", 6, 20, 5, {"rotation": True})
    first = baseline.silo_frames(config)
    before = baseline.cache_info()
    assert (
        baseline.silo_frames(run_config("default", 6, 20, 5, {"rotation": True, "rotation__spell_days": 30})) is first
    )
    after = baseline.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses), "same market and seed: no new run"
    baseline.silo_frames(run_config("default", 7, 20, 5, {"rotation": True}))
    assert baseline.cache_info().misses == before.misses + 1, "another seed is another silo"

    silo = LiveModel(market="default", seed=6, horizon_days=20, warmup_days=5)
    silo.run_to(25)
    for spec in chart_specs(5):
        stepped = spec.frame(silo.measured())[["day", spec.silo_series]]
        np.testing.assert_allclose(
            first[spec.key].to_numpy(float), stepped.to_numpy(float), atol=0.02, err_msg=spec.key
        )


def test_the_page_draws_the_silo_behind_a_lever_and_not_without_one(built: list[LiveModel]) -> None:
    rc = page({"rotation": True})
    click(rc, "Step")
    wait_for(lambda: all("spsim-baseline" in svg for svg in svgs(rc)))
    legends = inner_html(rc, "spsim-chart-legend")
    assert len(legends) == 5 and all("with no lever (silo)" in legend for legend in legends)

    plain = page()
    click(plain, "Step")
    assert not any("spsim-baseline" in svg for svg in svgs(plain)), "without a lever the live lines are the silo"


def test_skip_the_warmup_then_jump_to_a_day(built: list[LiveModel]) -> None:
    rc = page()
    skip = rc.find(v.Btn, children=["Skip the warm-up (5 days)"])
    skip.widget.click()
    assert day_attributes(rc) == {"data-day": "4", "data-days-simulated": "5"}
    assert skip.widget.disabled, "the warm-up is over"
    jump(rc, "12")
    assert day_attributes(rc) == {"data-day": "12", "data-days-simulated": "13"}
    assert {day for day, _ in chart_states(rc).values()} == {"12"}
    assert not rc.find(v.Alert, class_="spsim-jump-problem").widgets

    model = built[-1]
    table = model.tables().timeseries
    np.testing.assert_array_equal(model.measured()["served_same_day"], table["served_same_day"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("3", "Day 3 has passed: the run is at day 12; jump to a day up to 24, or Reset."),
        ("25", "Day 25 is past the run's end: its last day is 24."),
        ("-2", "Day -2 is before the run's first day, 0: jump to a day from 13 to 24."),
        ("", "Jump to day: type a day from 13 to 24 first."),
    ],
)
def test_a_day_out_of_reach_is_one_line_and_the_run_stays(built: list[LiveModel], day: str, message: str) -> None:
    rc = page()
    jump(rc, "12")
    jump(rc, day)
    assert rc.find(v.Alert, class_="spsim-jump-problem").widget.children == [message]
    assert built[-1].env.now == 13 and day_attributes(rc)["data-day"] == "12"
    jump(rc, "24")
    assert not rc.find(v.Alert, class_="spsim-jump-problem").widgets and not built[-1].running
    jump(rc, "24")
    assert rc.find(v.Alert, class_="spsim-jump-problem").widget.children == [
        "The run is over: day 24 was its last. Reset to start again."
    ]


def test_each_speed_keeps_its_pace_and_the_fastest_is_a_month_a_second() -> None:
    for speed in pace.SPEEDS.values():
        tick_s = (speed.interval_ms + speed.days_per_tick * pace.DAY_COST_MS + pace.REDRAW_COST_MS) / 1000
        assert speed.days_per_tick / tick_s == pytest.approx(speed.days_per_second, rel=0.01), speed.label
        assert speed.days_per_tick / speed.days_per_second >= 0.1, "at most ten redraws a second"
    assert max(s.days_per_second for s in pace.SPEEDS.values()) >= 30


def test_the_sleep_between_ticks_follows_what_a_tick_really_takes() -> None:
    month = pace.SPEEDS["1 month a second"]
    sleep, cost = month.interval_ms, 120.0  # a machine slower than the estimate: a tick costs 120 ms, not 65
    for _ in range(20):
        sleep = pace.next_interval(sleep, month, sleep + cost)
    assert sleep + cost == pytest.approx(month.period_ms, abs=1.0), "the pace is kept: 30 days a second"
    assert pace.next_interval(sleep, month, 10 * month.period_ms) == sleep, "a pause is no tick: nothing changes"
    assert pace.next_interval(0, month, 5 * month.period_ms / 4) == 0, "never a negative sleep"
    assert pace.next_interval(sleep, month, month.period_ms / 1.9) <= round(month.period_ms), "never over a period"


def test_a_month_a_second_steps_several_days_a_tick(built: list[LiveModel]) -> None:
    """Mesa's Step and each tick of play advance the speed's days (play itself: tests/live/test_projector.py)."""
    rc = page({"horizon_days": 200})
    rc.find(v.Select, label="Play speed").widget.v_model = "1 month a second"
    days_per_tick = pace.SPEEDS["1 month a second"].days_per_tick
    (note,) = [w.children[0] for w in rc.find(v.Html).widgets if "spsim-speed-note" in w.class_.split()]
    assert note == f"At this speed Step and ▶ move {days_per_tick} days at a time."
    click(rc, "Step")
    assert built[-1].env.now == days_per_tick
    assert {day for day, _ in chart_states(rc).values()} == {str(days_per_tick - 1)}
    rc.find(v.Select, label="Play speed").widget.v_model = "1 day a second"
    click(rc, "Step")
    assert built[-1].env.now == days_per_tick + 1


def test_a_disruption_is_a_shaded_labelled_band_once_it_starts(built: list[LiveModel]) -> None:
    rc = page({"market": "disruption", "horizon_days": 150, "warmup_days": 60})
    jump(rc, "150")
    assert not any("spsim-shock" in svg for svg in svgs(rc)), "the disruption starts on day 200"
    jump(rc, "205")
    for svg in svgs(rc):
        assert 'class="spsim-shock"' in svg and 'data-shock="supplier disruption: days 200–260' in svg
        assert ">supplier disruption</text>" in svg
    assert [band.kind for band in built[-1].shock_bands()] == ["disruption"]


def test_every_slider_shows_its_value(built: list[LiveModel]) -> None:
    rc = page()
    rc.find(v.Checkbox, label="rotation").widget.v_model = True
    sliders = [c for c in lever_controls()["rotation"] if c.kind in ("int", "float")]
    shown = {w.attributes["data-setting"]: w.children[0] for w in rc.find(v.Html, class_="spsim-slider-value").widgets}
    assert set(shown) == {c.key for c in sliders}
    spell = next(c for c in sliders if c.key == "rotation__spell_days")
    rc.find(v.Slider, label=spell.label).widget.v_model = 30
    assert rc.find(v.Html, class_="spsim-slider-value", attributes={"data-setting": spell.key}).widget.children == [
        "30"
    ]


def test_a_slider_value_is_written_as_the_room_reads_it() -> None:
    int_control = Control("x__n", "n", "int", 1500, 0, 5000, 1)
    share = Control("x__share", "share", "float", 0.25, 0.0, 1.0, 0.01)
    assert slider_value(int_control, 1500) == "1,500"
    assert slider_value(share, 0.25) == "0.25" and slider_value(share, 1.0) == "1.00"
