"""The event log: typed records, columns a reader can trust, and views that never read the message."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim import SalesPurchasingModel, load_config
from sim.model import RunTables
from sim.output import events, metrics, timeseries
from sim.output.recorder import CHUNK_ROWS, Recorder
from sim.policies import levers
from sim.views import captions, debrief
from sim.views.replay import Run
from tests.helpers import company

ALL_LEVERS = {name: {} for name in levers()}


RUNS = {  # between them, every kind of business event
    "silo": {"seed": 1, "horizon_days": 200, "warmup_days": 30},
    "all levers": {**company(seed=3, horizon_days=200, warmup_days=20, accounts=40, skus=6), "policy": ALL_LEVERS},
}


@pytest.fixture(scope="module", params=list(RUNS))
def busy_run(request: pytest.FixtureRequest) -> tuple[SalesPurchasingModel, RunTables]:
    model = SalesPurchasingModel(load_config(RUNS[request.param]))
    return model, model.run()


def test_every_kind_has_a_code_and_a_record_whose_fields_name_table_columns() -> None:
    codes = [kind.code for kind in events.KINDS.values()]
    assert codes == list(range(len(codes)))
    for name, kind in events.KINDS.items():
        if kind.record is None:
            assert name in events.FLOWS
            continue
        assert name == kind.record.KIND
        assert set(kind.columns) <= set(events.COLUMNS)
        assert set(kind.columns.values()) <= set(kind.record._fields)
        assert {"time", "agent"} <= set(kind.columns), name
    assert set(events.CONFLICTS) == {
        "expedite_refused",
        "excess_stock",
        "unannounced_promotion",
        "stockout_late_notice",
    }


def test_a_record_lands_in_its_columns_and_reads_back_by_its_field_names() -> None:
    recorder = Recorder()
    refused = events.ExpediteRefused(12.25, "buyer 1", 4, 17, 30, 2, 4567.0, 12000.0, "why, for people")
    recorder.record(refused)
    recorder.flow(12.5, events.code("order"), recorder.name("account 17"), 4, 17, 99, 5, 250)
    table = recorder.event_table()
    assert list(table.columns) == list(events.COLUMNS)
    row = table.iloc[0]
    assert (row["event"], row["agent"], row["sku"], row["account"], row["quantity"]) == (
        "expedite_refused",
        "buyer 1",
        4,
        17,
        30,
    )
    assert (row["counterpart"], row["amount"], row["at_risk"]) == (2, 45.67, 120.0)
    order = table.iloc[1]
    assert (order["event"], order["value"], order["days"], order["verdict"]) == ("order", 2.5, events.NA, events.NA)
    assert np.isnan(order["amount"])
    typed = events.typed(table, events.ExpediteRefused)
    assert list(typed.columns) == [
        "day",
        "time",
        "buyer",
        "sku",
        "account",
        "units",
        "rep",
        "premium",
        "margin_at_risk",
    ]
    assert typed.iloc[0]["premium"] == 45.67


def test_the_columns_survive_the_move_from_rows_to_chunks() -> None:
    recorder = Recorder()
    kind = events.code("shipment")
    rows = 2 * CHUNK_ROWS + 5
    for i in range(rows):
        recorder.flow(i / 4, kind, recorder.name(f"account {i % 3}"), i % 7, i, i, 2**40 + i, i)
    table = recorder.event_table()
    assert len(table) == recorder.event_count == rows
    assert (table["quantity"].to_numpy() == 2**40 + np.arange(rows)).all()
    assert (table["agent"].astype(str).to_numpy() == [f"account {i % 3}" for i in range(rows)]).all()
    later = recorder.event_table(start=CHUNK_ROWS + 3)
    pd.testing.assert_frame_equal(later.reset_index(drop=True), table.iloc[CHUNK_ROWS + 3 :].reset_index(drop=True))
    assert recorder.first_event_at(10.0) == 40


def test_a_table_shares_the_record_and_cannot_change_it() -> None:
    recorder = Recorder()
    kind = events.code("shipment")
    for i in range(2 * CHUNK_ROWS + 5):  # two moves into the columns and pending rows
        recorder.flow(i / 4, kind, recorder.name("warehouse"), 0, i, i, i + 1, i)
    for rows in (CHUNK_ROWS // 2, 0):  # a table after more rows, then one with none new
        for i in range(rows):
            recorder.flow(1e6 + i, kind, recorder.name("warehouse"), 0, i, i, i + 1, i)
        table = recorder.event_table()
        before = table["quantity"].to_numpy().copy()
        with pytest.raises(ValueError, match="read-only"):
            table["quantity"].to_numpy()[0] = -5
        assert (recorder.event_table()["quantity"].to_numpy() == before).all()


def test_a_table_keeps_its_rows_when_the_columns_grow_after_it() -> None:
    recorder = Recorder()
    kind = events.code("shipment")
    for i in range(CHUNK_ROWS):
        recorder.flow(float(i), kind, recorder.name("warehouse"), 0, i, i, i, i)
    early = recorder.event_table()
    for i in range(CHUNK_ROWS, 20 * CHUNK_ROWS):  # far past the columns' first room: they move to larger ones
        recorder.flow(float(i), kind, recorder.name("warehouse"), 0, i, i, i, i)
    late = recorder.event_table()
    assert (early["quantity"].to_numpy() == np.arange(CHUNK_ROWS)).all()
    assert (late["quantity"].to_numpy() == np.arange(20 * CHUNK_ROWS)).all()
    assert (late["time"].to_numpy() == np.arange(20 * CHUNK_ROWS)).all()


def test_business_events_carry_the_figures_their_messages_state() -> None:
    table = SalesPurchasingModel(load_config(RUNS["silo"])).run().events
    assert {"promotion_started", "expedite_refused"} <= set(table["event"].astype(str))
    started = events.typed(table, events.PromotionStarted)
    for row, detail in zip(started.itertuples(), table.loc[started.index, "detail"].astype(str), strict=True):
        said = "purchasing not told" if not row.told else f"purchasing told {row.notice_days} days before"
        assert detail == said
    refused = events.typed(table, events.ExpediteRefused)
    for row, detail in zip(refused.itertuples(), table.loc[refused.index, "detail"].astype(str), strict=True):
        assert f"premium {row.premium:,.0f}" in detail and f"(of {row.margin_at_risk:,.0f})" in detail


def _reworded(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(detail=pd.Categorical(["(reworded)"] * len(table)))


def test_rewording_every_message_moves_no_kpi_and_no_caption(
    busy_run: tuple[SalesPurchasingModel, RunTables], tmp_path_factory: pytest.TempPathFactory
) -> None:
    model, tables = busy_run
    reworded = _reworded(tables.events)
    days = model.config.total_days
    calendar = [(p.skus, p.start_day, p.end_day) for p in model.promotions_run]
    n_skus = len(model.world.skus)
    pd.testing.assert_frame_equal(
        timeseries.sku_daily(reworded, tables.signals, n_skus, days, calendar), tables.sku_timeseries
    )
    summary = metrics.summarize(
        tables.timeseries,
        tables.sku_timeseries,
        reworded,
        tables.signals,
        warmup_days=model.config.warmup_days,
        bucket_days=model.world.kpi_bucket_days,
        initial_trust=model.world.org.initial_trust,
        levers=tuple(levers()),
    )
    assert summary == pytest.approx(tables.summary, nan_ok=True)

    said = [c for c in captions.describe(tables.events) if c.kind != "policy_cost"]
    assert said, "the run has captions to compare"
    assert [dataclasses.astuple(c) for c in captions.describe(reworded)] == [dataclasses.astuple(c) for c in said]

    def run_of(events_table: pd.DataFrame) -> Run:
        config = {"warmup_days": model.config.warmup_days, "policy": dict(model.config.policy)}
        run = Run(tmp_path_factory.mktemp("run"), {}, config, tables.summary, tables.timeseries, events_table)
        run.__dict__["sku_daily"] = tables.sku_timeseries
        run.__dict__["signals"] = tables.signals
        return run

    original, changed = run_of(tables.events), run_of(reworded)
    whole = (model.config.warmup_days, days - 1)
    before = debrief.Period(original, *whole, "run")
    after = debrief.Period(changed, *whole, "run")
    assert before.measures == pytest.approx(after.measures, nan_ok=True)
    assert before.shortfall == after.shortfall
    assert debrief.prompts([original], before, before) == debrief.prompts([changed], after, after)
