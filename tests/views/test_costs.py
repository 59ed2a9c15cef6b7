"""Every line of operating profit reaches the views: debrief, its "why", dashboard, side by side, facilitator.

One short run of the default config (half a second) books them all: operating expenses
every day, a revaluation at the warm-up's year end, monthly write-offs of stock past a
shelf life shortened to 40 days and, at the close of the books, provisions for stock that
will age out (obsolescence) and for the open backlog.
A view that lists holding, expediting, penalties and lever costs but leaves a newer
line out no longer adds up to operating profit, and these tests say which.
"""

import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.compose import compose_config
from sim.configure import load_config
from sim.output import kpis, timeseries
from sim.output import runfolder as replay
from sim.runner import run_to_folder
from sim.views import captions, dashboard, debrief, debrief_pack, debrief_why, facilitator, side_by_side
from sim.views.debrief import PROFIT_COLUMNS, Period

NEW_LINES = ("operating_expenses", "obsolescence_cost", "backlog_provision", "revaluation")
"""The daily columns this file guards: the lines added after holding, expediting, penalties and levers."""
WARMUP = 14


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> replay.Run:
    overrides = [
        "horizon_days=56",
        f"warmup_days={WARMUP}",
        "scenario.shelf_life_days=40",  # stock ages out within the run
        "output.charts=false",
        "output.print_summary=false",
    ]
    folder = tmp_path_factory.mktemp("default") / "run"
    run_to_folder(load_config(compose_config(overrides)), folder)
    loaded = replay.load_run(folder)
    daily = loaded.daily
    # The run is worth testing only if it books every new line.
    measured = daily[daily["day"] >= WARMUP]
    for column in ("operating_expenses", "obsolescence_cost", "backlog_provision"):
        assert measured[column].sum() > 0, column
    assert daily["revaluation"].abs().sum() > 0, "the warm-up's year end resets standard costs"
    return loaded


def _periods(run: replay.Run) -> tuple[Period, Period]:
    """The warm-up (with its year-end revaluation) against the measured days (with the closing provisions)."""
    return Period(run, 0, WARMUP - 1, "warm-up"), Period(run, WARMUP, run.days - 1, "measured")


def _words(kpi: str) -> str:
    label = kpis.label(kpi)
    return label[:1].lower() + label[1:]


# -- the profit bridge --------------------------------------------------------------------


def test_the_bridge_has_every_money_column_of_the_daily_table() -> None:
    columns = [column for column, _, _, _ in PROFIT_COLUMNS]
    assert set(columns) == set(timeseries.MONEY), "a line of operating profit is missing from the debrief's bridge"
    assert len(columns) == len(set(columns))
    for column, kpi, _, _ in PROFIT_COLUMNS:
        assert kpis.find(kpi) is not None, f"{column}: {kpi} is not a KPI"


def test_the_bridge_adds_up_to_operating_profit_in_every_period(run: replay.Run) -> None:
    middle = (WARMUP + run.days) // 2
    for first, last in ((0, run.days - 1), (0, WARMUP - 1), (WARMUP, run.days - 1), (middle, run.days - 1)):
        period = Period(run, first, last, "")
        bridge = period.profit_bridge()
        assert sum(bridge.values()) == pytest.approx(period.total("operating_profit"), abs=1e-6), (first, last)
    measured = Period(run, WARMUP, run.days - 1, "").profit_bridge()
    assert sum(measured.values()) == pytest.approx(run.summary["operating_profit"], abs=0.01)
    assert measured["operating_expenses"] == pytest.approx(-run.summary["operating_expenses"])
    assert measured["obsolescence_cost"] == pytest.approx(-run.summary["obsolescence_cost"])
    assert measured["backlog_provision"] == pytest.approx(-run.summary["closing_backlog_cost"])
    assert measured["revaluation"] == pytest.approx(run.summary["revaluation"])


def test_period_kpis_from_the_tables_match_the_summary(run: replay.Run) -> None:
    measured = Period(run, WARMUP, run.days - 1, "").kpis()
    for key in (
        "operating_profit",
        "operating_expenses",
        "obsolescence_cost",
        "closing_backlog_cost",
        "revaluation",
        "closing_stock_value",
        "on_time_in_full",
        "line_fill_on_time",
        "holding_cost",
        "policy_cost_total",
    ):
        assert measured[key] == pytest.approx(run.summary[key], abs=0.01), key


def test_why_profit_names_each_new_line_and_its_parts_add_up(run: replay.Run) -> None:
    before, after = _periods(run)
    why = debrief_why.explain("operating_profit", before, after)
    moved = {column for column in NEW_LINES if after.total(column) != before.total(column)}
    assert moved == set(NEW_LINES), "the warm-up and the measured days differ in every new line"
    kpi_of = {column: kpi for column, kpi, _, _ in PROFIT_COLUMNS}
    for column in NEW_LINES:
        words = _words(kpi_of[column])
        assert any(point.startswith(f"{words}: ") for point in why.points), words
    parts = [float(m.group(1).replace(",", "")) for p in why.points[1:] if (m := re.match(r".*?: ([+-][\d,]+) to", p))]
    change = after.total("operating_profit") - before.total("operating_profit")
    assert len(parts) >= len(NEW_LINES)
    assert sum(parts) == pytest.approx(change, abs=len(parts) + 1)  # each part rounded to a unit
    assert why.figure is not None
    bars = {tick.get_text() for tick in why.figure.axes[0].get_yticklabels()}
    assert {_words(kpi_of[column]) for column in NEW_LINES} <= bars
    widths = sum(patch.get_width() for patch in why.figure.axes[0].patches)  # type: ignore[attr-defined]
    assert widths == pytest.approx(change, abs=0.01), "the chart's bars add up to the change"


def test_debrief_cards_and_prompts_name_the_new_costs(run: replay.Run) -> None:
    labels = [card.label for card in debrief_pack._cards([run], [])]
    for kpi in ("operating_expenses", "obsolescence_cost", "closing_backlog_cost"):
        assert kpis.label(kpi) in labels, kpi
    assert kpis.label("revaluation") not in labels, "no revaluation in the measured days: no card"
    first, second = debrief.periods([run])
    questions = debrief.prompts([run], first, second)
    assert any("obsolescence" in q for q in questions["purchasing"])
    assert any("still owed" in q for q in questions["sales"])


# -- the dashboard ------------------------------------------------------------------------


def _money_axis(figure: Figure) -> tuple[list[str], str]:
    axis = next(a for a in figure.axes if a.get_title() == "Costs below gross margin")
    legend = axis.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()], legend.get_title().get_text()


def test_dashboard_stacks_or_notes_every_cost_line(run: replay.Run) -> None:
    shown = {column for column, _, _ in dashboard.STACKED} | {column for column, _ in dashboard.NOTED}
    gross_margin_parts = {"revenue", "cogs", "ppv", "promotion_allowance"}  # the panel draws gross margin
    assert shown | gross_margin_parts == set(timeseries.MONEY), "a cost line is neither stacked nor noted"
    figure = dashboard.draw(run.daily, run.summary, run.warmup, "test")
    legend, notes = _money_axis(figure)
    assert legend == [kpis.label(kpi) for _, kpi, _ in dashboard.STACKED]
    assert kpis.label("obsolescence_cost") in legend and kpis.label("closing_backlog_cost") in legend
    per_week = 7 * run.daily["operating_expenses"].mean()
    assert f"{kpis.label('operating_expenses')} {per_week:,.0f} / week" in notes
    assert f"{kpis.label('revaluation')} {run.daily['revaluation'].sum():+,.0f}" in notes
    # What the panel shows adds up: gross margin + revaluation - stacked - operating expenses.
    stacked = run.daily[[column for column, _, _ in dashboard.STACKED]].sum(axis=1)
    rebuilt = run.daily["gross_margin"] + run.daily["revaluation"] - stacked - run.daily["operating_expenses"]
    assert rebuilt.to_numpy() == pytest.approx(run.daily["operating_profit"].to_numpy(), abs=1e-6)


def test_dashboard_draws_a_run_saved_before_the_new_lines(run: replay.Run) -> None:
    old = run.daily.drop(columns=list(NEW_LINES))
    legend, notes = _money_axis(dashboard.draw(old, run.summary, run.warmup, "old run"))
    assert len(legend) == len(dashboard.STACKED)
    assert f"{kpis.label('operating_expenses')} 0 / week" in notes


def test_dashboard_png(run: replay.Run) -> None:
    folder = Path(run.path)
    chart = dashboard.render(folder, run.daily, run.summary)
    assert chart.read_bytes().startswith(b"\x89PNG")


# -- side by side, captions, facilitator ---------------------------------------------------


def test_side_by_side_table_lists_the_new_costs(run: replay.Run) -> None:
    drawn = side_by_side.SideBySide(Figure(), side_by_side.first_difference(run, run), [])
    text = side_by_side.markdown(run, run, drawn)
    for key in ("policy_cost_total", "operating_expenses", "obsolescence_cost", "closing_backlog_cost", "revaluation"):
        assert f"| {key} | currency |" in text, key


def test_captions_put_the_new_cost_events_in_words(run: replay.Run) -> None:
    said = {c.kind: c.text for c in captions.describe(run.events, include_routine=True)}
    assert said["operating_expenses"].startswith("operating expenses booked: staff and overhead")
    assert "closing stock that will age out unsold" in said["stock_provision"]
    assert "still owed to customers" in said["backlog_provision"]
    assert re.search(r"stock revalued by [+-][\d,]+$", said["revaluation"])
    events = pd.DataFrame(
        {
            "time": [30.9, 30.9],
            "day": [30, 30],
            "event": ["write_off", "write_off"],
            "agent": ["warehouse", "warehouse"],
            "sku": [2, 5],
            "account": [-1, -1],
            "ref": [-1, -1],
            "quantity": [40, 12],
            "value": [300.0, 90.5],
            "detail": ["received before day 1, sold for salvage"] * 2,
        }
    )
    (write_off,) = captions.describe(events)
    assert write_off.label == "day 30: 52 units of SKUs 2 and 5 written off past their shelf life (390)"
    assert write_off.department == captions.PURCHASING


def test_supply_chain_cost_counts_every_line_but_operating_expenses(run: replay.Run) -> None:
    summary = run.summary
    profit_kpis = {kpi for _, kpi, _, _ in PROFIT_COLUMNS}
    assert set(facilitator.COST_PARTS) | {facilitator.FIXED_COST, "revenue", "cogs"} == profit_kpis
    cost = facilitator.supply_chain_cost(summary)
    below_margin = summary["revenue"] - summary["cogs"] - summary["operating_profit"]
    assert cost == pytest.approx(below_margin - summary["operating_expenses"], abs=0.02)
    assert summary["obsolescence_cost"] > 0 and summary["closing_backlog_cost"] > 0
    with_revaluation = summary | {"revaluation": 100.0}
    assert facilitator.supply_chain_cost(with_revaluation) == pytest.approx(cost - 100.0), "a gain lowers the cost"
    for words in ("obsolescence", "backlog provision", "- revaluation"):
        assert words in facilitator.COST_WORDS and facilitator.COST_WORDS in facilitator.COST_NOTE
    assert "Operating expenses" in facilitator.COST_NOTE and "left out" in facilitator.COST_NOTE
