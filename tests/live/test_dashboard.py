"""The live dashboard, rendered headless: it steps, resets with new settings, and measures right."""

import functools
import gc
import math
import weakref
from typing import Any

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim import policies
from sim.config import ConfigError
from sim.live.controls import MAX_HORIZON_DAYS
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
