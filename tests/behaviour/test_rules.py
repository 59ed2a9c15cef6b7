"""The decision rules as pure functions: incentives, trust, promotions, supplier choice.

Each rule is checked at points a reader can work out by hand and, with hypothesis, for
the direction MODEL.md gives it (what raises it, what lowers it, what bounds it).
(Replenishment and the moving window have their own test files.)
"""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sim.behaviour import expediting, incentives, trust
from sim.behaviour.incentives import SupplierWeights
from sim.behaviour.promotions import Promotion, notice_day, promotion_uplift
from sim.behaviour.supplier_choice import Offer, best_offer, landed_cost
from sim.config import OrgConfig

shares = st.floats(0.0, 1.0)
positive = st.floats(0.01, 1e6)

SILO_BIAS = {
    "optimism": 0.03,
    "shortage_gaming": 3.0,
    "shortage_memory": 0.05,
    "trust_in_purchasing": 0.7,
    "sandbagging": 0.1,
    "quota_from_forecast": False,
    "joint_weight": 0.0,
    "understanding": 0.0,
}


# -- forecast bias ----------------------------------------------------------------------------


def test_forecast_bias_by_hand() -> None:
    # optimism + gaming x memory x (1.5 - trust) = 0.03 + 3 x 0.05 x 0.8 = 0.15
    assert incentives.forecast_bias(**SILO_BIAS) == pytest.approx(0.15)
    # quota from forecast: shade down by the sandbagging share
    assert incentives.forecast_bias(**{**SILO_BIAS, "quota_from_forecast": True}) == pytest.approx(0.05)
    # no stock-outs remembered: only optimism
    assert incentives.forecast_bias(**{**SILO_BIAS, "shortage_memory": 0.0}) == pytest.approx(0.03)
    # a fully joint KPI or full understanding removes the bias
    assert incentives.forecast_bias(**{**SILO_BIAS, "joint_weight": 1.0}) == 0.0
    assert incentives.forecast_bias(**{**SILO_BIAS, "understanding": 1.0}) == 0.0


@given(memory=shares, more=st.floats(0.001, 1.0), trust_level=shares)
def test_more_remembered_shortage_pads_more(memory: float, more: float, trust_level: float) -> None:
    low = incentives.forecast_bias(**{**SILO_BIAS, "shortage_memory": memory, "trust_in_purchasing": trust_level})
    high = incentives.forecast_bias(
        **{**SILO_BIAS, "shortage_memory": min(1.0, memory + more), "trust_in_purchasing": trust_level}
    )
    assert high >= low


@given(trust_level=shares, drop=st.floats(0.001, 1.0), memory=st.floats(0.001, 1.0))
def test_less_trust_in_purchasing_pads_more(trust_level: float, drop: float, memory: float) -> None:
    trusting = incentives.forecast_bias(**{**SILO_BIAS, "trust_in_purchasing": trust_level, "shortage_memory": memory})
    wary = incentives.forecast_bias(
        **{**SILO_BIAS, "trust_in_purchasing": max(0.0, trust_level - drop), "shortage_memory": memory}
    )
    assert wary >= trusting


@given(joint=shares, understanding=shares, memory=shares, trust_level=shares)
def test_joint_kpi_and_understanding_shrink_the_bias_toward_zero(
    joint: float, understanding: float, memory: float, trust_level: float
) -> None:
    silo = {**SILO_BIAS, "shortage_memory": memory, "trust_in_purchasing": trust_level}
    aligned = incentives.forecast_bias(**{**silo, "joint_weight": joint, "understanding": understanding})
    assert abs(aligned) <= abs(incentives.forecast_bias(**silo)) + 1e-12


# -- quota, deals, expedites ---------------------------------------------------------------------


def test_quota_shortfall_by_hand() -> None:
    assert incentives.quota_shortfall(40.0, 100.0, 0.5) == pytest.approx(0.2)  # pace 50, booked 40
    assert incentives.quota_shortfall(60.0, 100.0, 0.5) == 0.0  # ahead of pace
    assert incentives.quota_shortfall(0.0, 100.0, 0.0) == 0.0  # quarter just began
    assert incentives.quota_shortfall(0.0, 100.0, 1.0) == 1.0


@given(booked=st.floats(0, 1e6), quota=st.floats(0, 1e6), elapsed=shares)
def test_quota_shortfall_is_a_share(booked: float, quota: float, elapsed: float) -> None:
    assert 0.0 <= incentives.quota_shortfall(booked, quota, elapsed) <= 1.0


def test_deal_discount_grows_with_the_shortfall_up_to_the_maximum() -> None:
    assert incentives.deal_discount(0.0, 0.05, 0.0) == 0.0
    assert incentives.deal_discount(0.1, 0.05, 0.0) == pytest.approx(0.025)
    assert incentives.deal_discount(0.2, 0.05, 0.0) == pytest.approx(0.05)
    assert incentives.deal_discount(0.9, 0.05, 0.0) == pytest.approx(0.05)
    assert incentives.deal_discount(0.9, 0.05, 1.0) == 0.0  # margin is the rep's own KPI too


@given(shortfall=shares, more=shares, maximum=st.floats(0, 0.99), joint=shares)
def test_deal_discount_is_monotone_and_bounded(shortfall: float, more: float, maximum: float, joint: float) -> None:
    low = incentives.deal_discount(shortfall, maximum, joint)
    high = incentives.deal_discount(shortfall + more, maximum, joint)
    assert 0.0 <= low <= high <= maximum + 1e-12


def test_a_silo_buyer_values_sales_claim_only_through_goodwill_and_trust() -> None:
    # silo: valued = claim x goodwill x trust = 1000 x 0.4 x 0.5 = 200, whatever can really be lost
    ask = {"loss": 0.0, "sales_claim": 1000.0, "joint_weight": 0.0, "trust_in_sales": 0.5, "goodwill": 0.4}
    assert incentives.expedite_value(**ask) == pytest.approx(200.0)
    assert incentives.expedite_value(**{**ask, "trust_in_sales": 0.0}) == 0.0
    # with the company's objective the buyer values what the company can lose, not the claim
    assert incentives.expedite_value(**{**ask, "joint_weight": 1.0, "loss": 350.0}) == pytest.approx(350.0)
    assert incentives.expedite_value(**{**ask, "joint_weight": 1.0}) == 0.0  # nothing to lose: nothing to rush


@given(loss=positive, claim=positive, joint=shares, trust_level=shares, goodwill=shares, more=shares)
def test_expedite_value_grows_with_the_loss_the_claim_and_trust(
    loss: float, claim: float, joint: float, trust_level: float, goodwill: float, more: float
) -> None:
    ask = {
        "loss": loss,
        "sales_claim": claim,
        "joint_weight": joint,
        "trust_in_sales": trust_level,
        "goodwill": goodwill,
    }
    value = incentives.expedite_value(**ask)
    assert 0.0 <= value <= max(loss, claim) * (1 + 1e-12)
    assert incentives.expedite_value(**{**ask, "loss": loss * (1 + more)}) >= value
    assert incentives.expedite_value(**{**ask, "sales_claim": claim * (1 + more)}) >= value
    assert incentives.expedite_value(**{**ask, "trust_in_sales": min(1.0, trust_level + more)}) >= value


def test_a_line_supplied_before_the_account_gives_up_loses_nothing() -> None:
    line = {"expires_day": 20, "line_margin_cents": 500.0, "churn_risk": 0.1, "account_margin_cents": 30_000.0}
    assert expediting.loss_if_not_rushed(supplied_day=20, **line) == 0.0
    assert expediting.loss_if_not_rushed(supplied_day=21, **line) == pytest.approx(500.0 + 0.1 * 30_000.0)


def test_churn_risk_only_below_the_threshold_and_growing_with_the_fall() -> None:
    kind = {"learning": 0.2, "threshold": 0.6, "churn_rate_per_order": 0.05, "orders_per_year": 52.0}
    assert expediting.churn_risk_if_lost(satisfaction=0.9, **kind) == 0.0  # 0.72 after: still above
    low = expediting.churn_risk_if_lost(satisfaction=0.7, **kind)  # 0.56 after
    lower = expediting.churn_risk_if_lost(satisfaction=0.5, **kind)
    assert 0.0 < low < lower < 1.0
    assert low == pytest.approx(1 - (1 - 0.05 * (0.6 - 0.56) / 0.6) ** 52)


# -- supplier weights, price breaks, negotiation ----------------------------------------------------


_ORG = OrgConfig()
SILO_WEIGHTS = SupplierWeights(
    _ORG.buyer_price_weight,
    _ORG.buyer_lead_time_weight,
    _ORG.buyer_reliability_weight,
    _ORG.buyer_relationship_weight,
)
"""A silo buyer's weights (the org defaults: price 0.7, the rest 0.1 each)."""


def test_a_cost_rewarded_buyer_presses_suppliers_and_the_company_only_while_the_relationship_holds() -> None:
    assert incentives.presses_suppliers(SILO_WEIGHTS.price, 0.0, relationship=0.2, standing=0.6)
    assert incentives.presses_suppliers(SILO_WEIGHTS.price, 1.0, relationship=0.6, standing=0.6)
    assert not incentives.presses_suppliers(SILO_WEIGHTS.price, 1.0, relationship=0.55, standing=0.6)
    assert not incentives.presses_suppliers(0.1, 0.0, relationship=1.0, standing=0.6)  # price hardly matters to it


def test_price_break_chasing_by_hand() -> None:
    lot = {"break_units": 100, "reach": 0.5, "saving": 50.0, "extra_holding": 80.0}
    assert incentives.chase_price_break(units=60, joint_weight=0.0, **lot)  # silo: any saving
    assert not incentives.chase_price_break(units=60, joint_weight=1.0, **lot)  # 50 - 80 < 0
    assert incentives.chase_price_break(units=60, joint_weight=0.5, **lot)  # 50 - 40 > 0
    assert not incentives.chase_price_break(units=49, joint_weight=0.0, **lot)  # out of reach
    assert incentives.chase_price_break(units=50, joint_weight=0.0, **lot)  # just within reach
    assert not incentives.chase_price_break(units=100, joint_weight=0.0, **lot)  # already there
    assert not incentives.chase_price_break(units=0, joint_weight=0.0, **lot)


@given(
    units=st.integers(1, 500),
    break_units=st.integers(1, 500),
    reach=shares,
    saving=st.floats(0.01, 1e5),
    holding=st.floats(0, 1e5),
    joint=shares,
    more=shares,
)
def test_a_joint_kpi_never_makes_chasing_more_likely(
    units: int, break_units: int, reach: float, saving: float, holding: float, joint: float, more: float
) -> None:
    def chases(weight: float) -> bool:
        return incentives.chase_price_break(
            units=units,
            break_units=break_units,
            reach=reach,
            saving=saving,
            extra_holding=holding,
            joint_weight=weight,
        )

    if chases(min(1.0, joint + more)):
        assert chases(joint)


# -- trust ------------------------------------------------------------------------------------


def test_trust_is_easier_to_lose_than_to_win() -> None:
    # bad news moves trust at the full rate, good news at rate x gain_ratio
    assert trust.learned(0.7, 0.2, 0.1, 0.3) == pytest.approx(0.7 - 0.1 * 0.5)
    assert trust.learned(0.7, 1.0, 0.1, 0.3) == pytest.approx(0.7 + 0.03 * 0.3)
    assert trust.learned(0.7, 0.7, 0.1, 0.3) == pytest.approx(0.7)
    assert trust.learned(0.7, 0.2, 0.0, 0.3) == 0.7  # no learning: trust never moves


@given(level=shares, evidence=shares, rate=shares, gain=shares)
def test_learned_trust_stays_in_range_and_between_trust_and_evidence(
    level: float, evidence: float, rate: float, gain: float
) -> None:
    after = trust.learned(level, evidence, rate, gain)
    assert 0.0 <= after <= 1.0
    assert min(level, evidence) - 1e-12 <= after <= max(level, evidence) + 1e-12


@given(level=shares, gap=st.floats(0.01, 0.5), rate=st.floats(0.01, 1.0), gain=st.floats(0.0, 0.99))
def test_a_loss_moves_trust_further_than_an_equal_gain(level: float, gap: float, rate: float, gain: float) -> None:
    assume(gap <= level <= 1.0 - gap)
    lost = level - trust.learned(level, level - gap, rate, gain)
    won = trust.learned(level, level + gap, rate, gain) - level
    assert lost > won


@given(level=shares, loss=shares, rate=shares)
def test_hurt_and_learned_stay_in_range(level: float, loss: float, rate: float) -> None:
    assert 0.0 <= trust.hurt(level, loss) <= level
    assert level <= trust.learned(level, 1.0, rate) <= 1.0


def test_service_evidence_by_hand() -> None:
    assert trust.service_evidence(0.0, 0.0, 8.0, 0.5) == 1.0  # all served, nothing refused
    assert trust.service_evidence(0.05, 0.0, 8.0, 0.5) == pytest.approx(0.6)  # 5% short looms as 40%
    assert trust.service_evidence(0.0, 1.0, 8.0, 0.5) == pytest.approx(0.5)  # every expedite refused
    assert trust.service_evidence(0.5, 1.0, 8.0, 0.5) == 0.0  # floored


@given(short=shares, refused=shares, more=shares, sensitivity=st.floats(0, 50), weight=shares)
def test_more_stock_outs_or_refusals_never_read_as_better_service(
    short: float, refused: float, more: float, sensitivity: float, weight: float
) -> None:
    base = trust.service_evidence(short, refused, sensitivity, weight)
    assert 0.0 <= base <= 1.0
    assert trust.service_evidence(min(1.0, short + more), refused, sensitivity, weight) <= base
    assert trust.service_evidence(short, min(1.0, refused + more), sensitivity, weight) <= base


def test_relative_accuracy_by_hand() -> None:
    assert trust.relative_accuracy(10.0, 10.0) == 0.0  # as good as the buyer's own: no news
    assert trust.relative_accuracy(10.0, 0.0) == 1.0  # sales' forecast was exact
    assert trust.relative_accuracy(0.0, 10.0) == -1.0
    assert trust.relative_accuracy(0.0, 0.0) == 0.0
    assert trust.relative_accuracy(30.0, 10.0) == pytest.approx(0.5)


# Errors are sums of absolute unit misses: whole numbers, so no float underflow games.
@given(own=st.integers(0, 10**6), theirs=st.integers(0, 10**6), worse=st.integers(1, 10**6))
def test_a_less_accurate_sales_forecast_earns_less_trust(own: int, theirs: int, worse: int) -> None:
    assert -1.0 <= trust.relative_accuracy(own, theirs) <= 1.0
    if own > 0:  # (against a buyer who was exact, any miss of sales' reads as -1 already)
        assert trust.relative_accuracy(own, theirs + worse) < trust.relative_accuracy(own, theirs)


@given(level=shares, rate=shares, gain=shares)
def test_equal_accuracy_keeps_trust_where_it_is(level: float, rate: float, gain: float) -> None:
    assert trust.moved(level, trust.relative_accuracy(7.0, 7.0), rate, gain) == level


@given(level=st.floats(0.05, 0.95), accuracy=st.floats(0.01, 1.0), rate=st.floats(0.01, 1.0), gain=st.floats(0.01, 1.0))
def test_trust_moves_with_experience_both_ways(level: float, accuracy: float, rate: float, gain: float) -> None:
    up, down = trust.moved(level, accuracy, rate, gain), trust.moved(level, -accuracy, rate, gain)
    assert down < level < up or up == 1.0
    assert down >= 0.0 and up <= 1.0
    if down > 0.0 and up < 1.0:  # away from the bounds: a miss costs at least what an equal hit earns
        assert level - down >= up - level - 1e-12


# -- promotions ---------------------------------------------------------------------------------


def promotion(**change: object) -> Promotion:
    fields: dict[str, object] = {
        "promotion_id": 0,
        "rep": 1,
        "skus": (3, 5),
        "planned_day": 10,
        "start_day": 31,
        "end_day": 45,
        "discount": 0.1,
        "uplift": {3: 1.3, 5: 1.6},
        "dip_days": 14,
        "dip": {3: 0.91, 5: 0.82},
        "base_daily_units": {3: 20.0 / 3, 5: 5.0 / 3},
    }
    return Promotion(**{**fields, **change})  # type: ignore[arg-type]


def test_promotion_uplift_is_linear_in_the_discount() -> None:
    assert promotion_uplift(0.1, 3.0) == pytest.approx(1.3)
    assert promotion_uplift(0.0, 3.0) == 1.0
    assert promotion_uplift(0.2, 5.0) == pytest.approx(2.0)


def test_promotion_multiplier_uplift_during_dip_after_one_otherwise() -> None:
    p = promotion()
    assert [p.multiplier(3, day) for day in (30, 31, 44, 45, 58, 59)] == [1.0, 1.3, 1.3, 0.91, 0.91, 1.0]
    assert [p.multiplier(5, day) for day in (30, 31, 45, 59)] == [1.0, 1.6, 0.82, 1.0]
    assert p.extra_daily_units == pytest.approx({3: 2.0, 5: 1.0})  # what the uplift adds to the base


def test_notice_days_count_from_when_purchasing_learned() -> None:
    assert promotion().notice_days() is None
    assert promotion(told_day=10).notice_days() == 21
    assert promotion(told_day=31).notice_days() == 0


def test_notice_day_by_mode() -> None:
    args = {
        "planned_day": 10,
        "start_day": 31,
        "late_notice_days": 3,
        "trust": 0.7,
        "propensity": 0.5,
        "draw": 0.99,
    }
    assert notice_day("early", **args) == 10
    assert notice_day("late", **args) == 28
    assert notice_day("none", **args) is None
    # late notice never comes before the plan exists
    assert notice_day("late", **{**args, "start_day": 11}) == 10


def test_notice_by_trust_splits_early_late_and_never() -> None:
    # early with probability propensity x trust (0.35), then late and never half each
    args = {"planned_day": 10, "start_day": 31, "late_notice_days": 3, "trust": 0.7, "propensity": 0.5}
    assert notice_day("by_trust", **args, draw=0.0) == 10
    assert notice_day("by_trust", **args, draw=0.349) == 10
    assert notice_day("by_trust", **args, draw=0.351) == 28
    assert notice_day("by_trust", **args, draw=0.674) == 28
    assert notice_day("by_trust", **args, draw=0.676) is None
    assert notice_day("by_trust", **{**args, "trust": 0.0}, draw=0.0) == 28  # distrust: never early


@given(trust_level=shares, more=shares, draw=st.floats(0.0, 1.0, exclude_max=True))
def test_more_trust_in_purchasing_never_delays_the_notice(trust_level: float, more: float, draw: float) -> None:
    def told(level: float) -> float:
        day = notice_day("by_trust", 10, 31, 3, level, 0.5, draw)
        return math.inf if day is None else day

    assert told(min(1.0, trust_level + more)) <= told(trust_level)


# -- supplier choice ---------------------------------------------------------------------------


def test_a_cost_rewarded_buyer_picks_the_cheap_far_supplier_and_the_company_the_lower_landed_cost() -> None:
    holding = 0.2 / 365
    cheap_far = Offer(supplier=0, unit_price=95.0, lead_time_days=14.0, reliability=0.9, relationship=0.6)
    dear_near = Offer(supplier=1, unit_price=105.0, lead_time_days=6.0, reliability=0.9, relationship=0.6)
    assert best_offer([cheap_far, dear_near], SILO_WEIGHTS) == 0
    # Eight days of capital at 20% a year are worth far less than 10% of the price.
    assert best_offer([cheap_far, dear_near], SILO_WEIGHTS, 1.0, holding, 4.0) == 0
    # A hair cheaper but two months further away: a buyer who counts only price buys far, the company near.
    far = Offer(supplier=0, unit_price=100.0, lead_time_days=66.0, reliability=0.9, relationship=0.6)
    near = Offer(supplier=1, unit_price=100.2, lead_time_days=6.0, reliability=0.9, relationship=0.6)
    price_only = SupplierWeights(1.0, 0.0, 0.0, 0.0)
    assert best_offer([far, near], price_only) == 0
    assert best_offer([far, near], price_only, 1.0, holding, 4.0) == 1


def test_landed_cost_adds_the_capital_in_the_pipeline_and_the_expected_lateness() -> None:
    offer = Offer(supplier=0, unit_price=100.0, lead_time_days=30.0, reliability=0.8, relationship=0.6)
    assert landed_cost(offer, 0.001, 10.0) == pytest.approx(100.0 * (1 + 0.001 * (30.0 + 0.2 * 10.0)))
    assert landed_cost(offer, 0.0, 10.0) == 100.0


def test_best_offer_breaks_ties_to_the_lowest_index_and_takes_a_single_offer() -> None:
    same = [Offer(2, 100.0, 10.0, 0.9, 0.6), Offer(1, 100.0, 10.0, 0.9, 0.6)]
    assert best_offer(same, SILO_WEIGHTS, 1.0, 0.001, 4.0) == 1
    assert best_offer([Offer(4, 1e9, 99.0, 0.0, 0.0)], SILO_WEIGHTS, 1.0, 0.001, 4.0) == 4


offers = st.builds(
    Offer,
    supplier=st.integers(0, 20),
    unit_price=st.floats(1.0, 1e4),
    lead_time_days=st.floats(0.0, 60.0),
    reliability=shares,
    relationship=shares,
)


@given(others=st.lists(offers, min_size=1, max_size=4), joint=shares)
def test_an_offer_better_on_every_count_wins(others: list[Offer], joint: float) -> None:
    best = Offer(
        supplier=99,
        unit_price=min(o.unit_price for o in others) * 0.9,
        lead_time_days=max(0.0, min(o.lead_time_days for o in others) - 1.0),
        reliability=1.0,
        relationship=1.0,
    )
    assert best_offer([*others, best], SILO_WEIGHTS, joint, 0.2 / 365, 4.0) == 99
