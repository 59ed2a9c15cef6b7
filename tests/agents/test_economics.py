"""The economics a finance director recognises, each shown with paired seeds.

Lost sales and churn follow stock-outs; a run that hoards stock at the end pays for it;
a rotated buyer's reviews are covered; one refused expedite is one conflict; and two
organisations on the same seed share their customers' demand (common random numbers).
"""

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from sim import SalesPurchasingModel, load_config
from sim.model import RunTables
from tests.helpers import company

SEEDS = (1, 2, 3, 4)
# A small company whose customers leave and walk away, on a supply base slow enough to run short.
WALKING = {
    "walk_away_share": 0.4,
    "churn_threshold": 0.7,
    "churn_rate_per_order": 0.2,
    "satisfaction_learning": 0.3,
    "lead_time_mean_days": 14.0,
    "accounts": 40,
    "skus": 6,
}


def run(raw: dict[str, Any]) -> RunTables:
    return SalesPurchasingModel(load_config(raw)).run()


def test_fewer_stock_outs_lose_fewer_sales_and_fewer_accounts() -> None:
    short, ample = [], []
    for seed in SEEDS:
        for z, into in ((-0.5, short), (2.5, ample)):
            summary = run(company(seed=seed, horizon_days=240, org={"safety_z": z}, **WALKING)).summary
            into.append(summary)
    for kpi in ("lost_sales_rate", "customer_churn"):
        lean_stock, full_stock = [s[kpi] for s in short], [s[kpi] for s in ample]
        assert sum(lean_stock) > sum(full_stock), kpi
        assert sum(a >= b for a, b in zip(lean_stock, full_stock, strict=True)) >= 3, kpi  # seed by seed, mostly
    assert all(s["lost_sales_rate"] > 0 for s in short)


def test_a_share_of_each_stock_out_is_bought_elsewhere_at_once() -> None:
    def lost_at_once(share: float) -> float:
        events = run(company(seed=5, horizon_days=120, org={"safety_z": -1.0}, **{**WALKING, "walk_away_share": share}))
        elsewhere = events.events[events.events["detail"] == "bought elsewhere at once"]
        return float(elsewhere["quantity"].sum())

    assert lost_at_once(0.0) == 0
    assert 0 < lost_at_once(0.3) < lost_at_once(0.8)


@dataclass
class Hoarder:
    """A person in a buyer's seat who buys a year's stock of everything in the last fortnight."""

    from_day: int

    def decides(self, day: int) -> bool:
        return day >= self.from_day

    def order_units(self, sku: int, day: int, rule_units: int) -> int:
        return 5_000

    def supplier(self, sku: int, day: int, rule_supplier: int) -> int:
        return rule_supplier

    def expedite_answer(self, account: int, sku: int, premium_cents: float, day: int) -> bool | None:
        return None  # expedites left to the buyer's own rule


def test_stock_hoarded_at_the_end_is_provided_for_at_the_close() -> None:
    raw = company(
        seed=3,
        horizon_days=200,
        shelf_life_days=120,
        salvage_share=0.2,
        lead_time_mean_days=2.0,
        capacity_headroom=None,
    )
    plain = SalesPurchasingModel(load_config(raw))
    calm = plain.run()
    hoarding = SalesPurchasingModel(load_config(raw))
    for buyer in hoarding.buyers:
        buyer.seat = Hoarder(from_day=hoarding.config.total_days - 14)
    hoarded = hoarding.run()
    assert hoarded.summary["closing_stock_value"] > 5 * calm.summary["closing_stock_value"]
    assert hoarded.summary["obsolescence_cost"] > calm.summary["obsolescence_cost"]
    assert hoarded.summary["operating_profit"] < calm.summary["operating_profit"]
    # what the close provides for is the hoard's cost less salvage, at most
    provided = hoarded.events[hoarded.events["event"] == "stock_provision"]["value"].sum()
    assert 0 < provided <= 0.8 * hoarded.summary["closing_stock_value"] + 1e-6


def test_stock_older_than_its_shelf_life_is_written_off_and_the_goods_balance() -> None:
    raw = company(seed=2, horizon_days=150, shelf_life_days=20, minimum_order_weeks=8.0, salvage_share=0.5)
    model = SalesPurchasingModel(load_config(raw))
    tables = model.run()
    written = tables.events[tables.events["event"] == "write_off"]
    assert len(written) and tables.sku_timeseries["written_off"].sum() == written["quantity"].sum()
    assert sum(model.stock.written_off) == written["quantity"].sum()
    assert model.balances() == dict.fromkeys(model.balances(), 0)


def test_a_rotated_buyers_reviews_are_covered_never_skipped() -> None:
    def reviews(policy: dict[str, Any]) -> pd.Series:
        tables = run({**company(seed=6, horizon_days=200), "policy": policy})
        planned = tables.signals[tables.signals["signal"] == "planned_forecast"]
        return planned.groupby("agent", observed=True).size()

    away = {"rotation": {"share_rotated": 1.0, "productivity_during": 0.0, "spell_days": 60, "interval_days": 30}}
    assert reviews(away).equals(reviews({}))


def test_one_refused_expedite_is_one_conflict_even_when_escalated() -> None:
    tables = run(company(seed=4, horizon_days=200, key_account_share=1.0, org={"safety_z": -0.5, "initial_trust": 0.0}))
    kinds = tables.events["event"].astype(str)
    assert (kinds == "escalation").sum() > 0
    refusals = (kinds == "expedite_refused").sum()
    others = kinds.isin(["stockout_late_notice", "excess_stock", "unannounced_promotion"]).sum()
    measured = tables.events[tables.events["day"] >= 10]["event"].astype(str)  # the summary counts after warm-up
    incidents = measured.isin(["expedite_refused", "stockout_late_notice", "excess_stock", "unannounced_promotion"])
    assert tables.summary["conflict_count"] == incidents.sum()  # escalations add none
    assert tables.timeseries["conflicts"].sum() == refusals + others


# -- common random numbers -------------------------------------------------------------------------

NO_FEEDBACK_ORG = {"promotions": False, "deal_discount_max": 0.0}


def original_orders(tables: RunTables, accounts: int) -> pd.DataFrame:
    orders = tables.events[(tables.events["event"] == "order") & (tables.events["account"] < accounts)]
    return orders[["day", "sku", "account", "quantity"]].sort_values(["day", "account", "sku"]).reset_index(drop=True)


def test_a_lever_that_does_not_touch_customers_leaves_their_demand_alone() -> None:
    raw = company(seed=7, horizon_days=240, org=NO_FEEDBACK_ORG, churn_rate_per_order=0.0, accounts=30)
    raw["scenario"] |= {"new_account_rate_per_rep_per_year": 12.0, "announced_orders_per_account_per_year": 4.0}
    silo = run(raw)
    integrated = run({**raw, "policy": {"systems_integration": {}}})
    assert original_orders(silo, 30).equals(original_orders(integrated, 30))
    assert not silo.events.equals(integrated.events)  # the lever did change what the company did


def test_an_account_won_is_drawn_by_its_rep_and_lead_whoever_else_was_won() -> None:
    def won(satisfaction_learning: float) -> dict[tuple[str, int], Any]:
        raw = company(seed=8, horizon_days=300, new_account_rate_per_rep_per_year=20.0)
        raw["scenario"]["satisfaction_learning"] = satisfaction_learning
        model = SalesPurchasingModel(load_config(raw))
        model.run()
        return {a.spec.stream: a.spec for a in model.accounts[raw["scenario"]["accounts"] :]}

    calm, touchy = won(0.0), won(0.6)  # satisfaction moves conversions: different leads are won
    assert calm.keys() != touchy.keys()
    shared = calm.keys() & touchy.keys()
    assert shared
    for stream in shared:
        a, b = calm[stream], touchy[stream]
        assert (a.key_account, a.patience_days, a.requested_lead_days) == (
            b.key_account,
            b.patience_days,
            b.requested_lead_days,
        )
        assert a.demand.expected_daily_units() == b.demand.expected_daily_units()


@pytest.mark.parametrize("lever", ["regular_meetings", "steering_committee"])
def test_meetings_and_the_committee_pass_announced_orders_to_purchasing(lever: str) -> None:
    raw = company(seed=9, horizon_days=200, announced_orders_per_account_per_year=6.0, announcement_days=40)
    raw["org"] = {"order_notice": "none"}
    silo = run(raw)
    shared = run({**raw, "policy": {lever: {"cadence_days": 7}}})
    notices = shared.events[shared.events["event"] == "order_notice"]
    assert (silo.events["event"] == "order_notice").sum() == 0
    assert len(notices) and set(notices["agent"].astype(str)) == {lever}


def test_suppliers_pay_back_their_share_of_each_campaigns_discount() -> None:
    # Every campaign's claim is the funding share of the discount on the units ordered at its
    # price; without funding there is no claim and gross margin carries the whole discount.
    raw = {"seed": 2, "horizon_days": 200, "warmup_days": 30, "scenario": {"promotion_funding_share": 0.5}}
    funded = run(raw)
    claims = funded.events[funded.events["event"] == "promotion_allowance"]
    assert len(claims) > 0 and (claims["value"] > 0).all()
    campaigns = funded.events[funded.events["event"] == "promotion_started"]["ref"].unique()
    assert set(claims["ref"]) <= set(campaigns)
    assert funded.timeseries["promotion_allowance"].sum() == pytest.approx(claims["value"].sum())
    unfunded = run({**raw, "scenario": {"promotion_funding_share": 0.0}})
    assert (unfunded.events["event"] == "promotion_allowance").sum() == 0
    assert unfunded.summary["promotion_allowances"] == 0.0


def test_a_deal_expects_what_the_account_of_its_lead_would_buy() -> None:
    model = SalesPurchasingModel(load_config(company(seed=8, horizon_days=300, new_account_rate_per_rep_per_year=20.0)))
    factory = model.world.account_factory
    for rep, lead in [(0, 1), (0, 2), (3, 7), (5, 40)]:
        account = factory.new_account(99, rep, lead, today=120)
        assert factory.lead_demand(rep, lead) == account.demand.expected_daily_units()
