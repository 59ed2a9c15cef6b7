"""The textbook scenario against classic inventory theory.

The textbook day (configs/scenario/textbook.yaml, sim/world.py, sim/clock.py):
  1. deliveries due today arrive (start of the day) and serve waiting backorders;
  2. the buyer reviews: S = (L+1)·m + z·σ·sqrt(L+1), with m the mean of the last p days'
     demand (p = 0: the true mean, so S is fixed) and σ the configured sd; it orders
     S - inventory position, rounded to whole units, never negative;
  3. demand (iid normal, rounded, floored at zero) arrives and is served from stock or
     backordered; nothing is ever lost.
An order placed on day t arrives at the start of day t+L.

With p = 0, the position after each review is S, so the net inventory at the end of a
day is S minus the demand of L+1 days (that day's review order arrives on day t+L; the
later ones after it): NI ~ S - N((L+1)m, (L+1)σ²). Hence, with G(z) = φ(z) - z(1 - Φ(z)):
  cycle service level = Φ(z),  E[backorders] = σ√(L+1)·G(z),
  E[on hand] = zσ√(L+1) + σ√(L+1)·G(z),
  fill rate = 1 - (σ√(L+1)·G(z) - σ√L·G(z_L)) / m,  z_L = (S - Lm) / (σ√L)
(what is short on a day is the day's end backorders less those already open after the
morning receipt, when the position net of L days' demand is S - D_L).

Whole units. The model orders whole units up to S_u = floor(S + 1/2) and demand is a
rounded normal, which adds 1/12 to its variance per day (Sheppard). The tests use the
exact integer version of the formulas above: the service level is P(D ≤ S_u) for an
integer D, i.e. Φ((S_u + ½ - μ)/s) with the continuity correction, and the expectations
use S_u (the midpoint rule makes E[(D - S_u)+] match its continuous value). As σ grows
these reduce to the textbook formulas; for L = 0, z = 0 the correction moves the service
level from 0.500 to 0.510, which 80,000 simulated days resolve.

With p > 0 (σ known), the order on day t is q_t = D_{t-1} + (L+1)/p·(D_{t-1} - D_{t-1-p}),
so Var(q)/Var(D) = 1 + 2(L+1)/p + 2(L+1)²/p² (Chen et al. 2000 with a protection period
of L+1 days), exact while orders never hit zero. Little's law: the units on order at a
day's end are the last L days' orders, so their mean is L × the mean daily order = L·m.

Tolerances: 5 standard errors, estimated by batch means (batches of 1,000 days over
every seed), plus a small floor for what the integer formulas still approximate. Each
case also checks that the two classic mistakes, a lead time one day longer and a
protection period of L instead of L+1 days, would land far outside the tolerance.
"""

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest

from sim import SalesPurchasingModel, load_config
from tests.helpers import textbook

HORIZON = 20_000
WARMUP = 200
BATCH_DAYS = 1_000
MEAN, SD = 100.0, 20.0


# -- the standard normal, written out (no scipy needed) ----------------------------------


def normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def normal_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def loss(z: float) -> float:
    """Standard normal loss function G(z) = E[(Z - z)+] = φ(z) - z(1 - Φ(z))."""
    return normal_pdf(z) - z * (1.0 - normal_cdf(z))


def test_normal_helpers_match_known_values() -> None:
    assert normal_cdf(0.0) == pytest.approx(0.5)
    assert normal_cdf(1.6448536) == pytest.approx(0.95, abs=1e-7)
    assert normal_cdf(-1.959964) == pytest.approx(0.025, abs=1e-7)
    assert loss(0.0) == pytest.approx(1.0 / math.sqrt(2.0 * math.pi))
    assert loss(1.645) == pytest.approx(0.02089, abs=2e-5)  # Silver, Pyke & Peterson, table B.1
    # G(z) - G(-z) = -z
    assert loss(-0.7) - loss(0.7) == pytest.approx(0.7)


# -- closed forms -------------------------------------------------------------------------


def order_up_to(cover_days: float, z: float, mean: float = MEAN, sd: float = SD) -> float:
    return cover_days * mean + z * sd * math.sqrt(cover_days)


@dataclass(frozen=True)
class BaseStock:
    """Steady state of a base-stock level ``level`` facing ``exposure_days`` of demand."""

    cycle_service_level: float
    avg_backorders: float
    avg_on_hand: float
    fill_rate: float


def base_stock(level: float, exposure_days: int, mean: float = MEAN, sd: float = SD) -> BaseStock:
    """Net inventory at a day's end is ``level`` minus ``exposure_days`` days of demand.

    ``level`` is rounded to whole units (as the model orders them), demand is a rounded
    normal (variance σ² + 1/12 per day).
    """
    units = math.floor(level + 0.5)
    day_variance = sd * sd + 1.0 / 12.0
    mu, s = exposure_days * mean, math.sqrt(exposure_days * day_variance)
    backorders = s * loss((units - mu) / s)
    if exposure_days > 1:
        mu_before, s_before = (exposure_days - 1) * mean, math.sqrt((exposure_days - 1) * day_variance)
        open_before = s_before * loss((units - mu_before) / s_before)
    else:
        open_before = max(0.0, -units)
    return BaseStock(
        cycle_service_level=normal_cdf((units + 0.5 - mu) / s),
        avg_backorders=backorders,
        avg_on_hand=units - mu + backorders,
        fill_rate=1.0 - (backorders - open_before) / mean,
    )


def textbook_base_stock(lead: int, z: float) -> BaseStock:
    """The model as specified: S covers L+1 days, and L+1 days of demand hit it."""
    return base_stock(order_up_to(lead + 1, z), lead + 1)


def test_integer_closed_forms_reduce_to_the_textbook_ones() -> None:
    """Far from the unit scale (σ = 2,000) the whole-unit corrections vanish."""
    mean, sd, lead, z = 10_000.0, 2_000.0, 2, 1.645
    scale = sd * math.sqrt(lead + 1)
    level = order_up_to(lead + 1, z, mean, sd)
    exact = base_stock(level, lead + 1, mean, sd)
    z_lead = (level - lead * mean) / (sd * math.sqrt(lead))
    assert exact.cycle_service_level == pytest.approx(normal_cdf(z), abs=2e-4)
    assert exact.avg_backorders == pytest.approx(scale * loss(z), rel=2e-3)
    assert exact.avg_on_hand == pytest.approx(z * scale + scale * loss(z), rel=1e-4)
    textbook_fill = 1 - (scale * loss(z) - sd * math.sqrt(lead) * loss(z_lead)) / mean
    assert exact.fill_rate == pytest.approx(textbook_fill, abs=1e-5)


def bullwhip(lead: int, window: int) -> float:
    """Chen et al. (2000): Var(orders)/Var(demand) for a moving average of ``window`` days."""
    k = (lead + 1) / window
    return 1.0 + 2.0 * k + 2.0 * k * k


# -- simulation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pooled:
    """KPIs pooled over seeds, with batch-means standard errors."""

    summaries: list[dict[str, float]]
    series: pd.DataFrame  # measured days of every seed, with a ``batch`` column

    def mean(self, kpi: str) -> float:
        return float(np.mean([s[kpi] for s in self.summaries]))

    def standard_error(self, daily_value: pd.Series) -> float:
        batches = daily_value.groupby(self.series["batch"]).mean()
        return float(batches.std(ddof=1) / math.sqrt(len(batches)))

    def fill_rate_error(self) -> float:
        sums = self.series.groupby("batch")[["served_same_day", "demand"]].sum()
        ratios = sums["served_same_day"] / sums["demand"]
        return float(ratios.std(ddof=1) / math.sqrt(len(ratios)))


@cache
def simulate(lead: int, window: int, z: float, sd: float = SD, seeds: tuple[int, ...] = (1, 2, 3, 4)) -> Pooled:
    summaries, frames = [], []
    for seed in seeds:
        raw = textbook(
            horizon_days=HORIZON,
            warmup_days=WARMUP,
            seed=seed,
            demand_mean=MEAN,
            demand_sd=sd,
            lead_time_days=lead,
            forecast_window=window,
            safety_z=z,
        )
        tables = SalesPurchasingModel(load_config(raw)).run()
        summaries.append(tables.summary)
        measured = tables.sku_timeseries[tables.sku_timeseries["day"] >= WARMUP].copy()
        measured["seed"] = seed
        measured["batch"] = f"{seed}:" + ((measured["day"] - WARMUP) // BATCH_DAYS).astype(str)
        frames.append(measured)
    return Pooled(summaries, pd.concat(frames, ignore_index=True))


def assert_within(name: str, simulated: float, expected: float, tolerance: float, failures: list[str]) -> None:
    if not abs(simulated - expected) <= tolerance:
        failures.append(f"{name}: simulated {simulated:.5f}, theory {expected:.5f}, tolerance {tolerance:.5f}")


# -- base stock (p = 0) ------------------------------------------------------------------

BASE_STOCK_CASES = [(0, 0.0), (1, 1.645), (2, 1.645), (2, 0.0), (4, 2.0)]


@pytest.mark.slow
@pytest.mark.parametrize(("lead", "z"), BASE_STOCK_CASES, ids=[f"L{lead}-z{z}" for lead, z in BASE_STOCK_CASES])
def test_base_stock_matches_theory(lead: int, z: float) -> None:
    pooled = simulate(lead, 0, z)
    series = pooled.series
    theory = textbook_base_stock(lead, z)
    tolerance = {
        "cycle_service_level": 5 * pooled.standard_error((series["backordered"] == 0).astype(float)) + 0.002,
        "avg_backorders": 5 * pooled.standard_error(series["backordered"].astype(float)) + 0.02,
        "avg_on_hand": 5 * pooled.standard_error(series["on_hand"].astype(float)) + 0.05,
        "fill_rate": 5 * pooled.fill_rate_error() + 0.0005,
    }
    failures: list[str] = []
    for kpi, allowed in tolerance.items():
        assert_within(kpi, pooled.mean(kpi), getattr(theory, kpi), allowed, failures)
    assert not failures, "\n".join(failures)

    # The test has power: the classic mistakes are far outside these tolerances. E.g. for
    # L = 2, z = 1.645 the service level must be 0.952 ± 0.007 and the stock on hand
    # 57.7 ± 1.1 units; a lead time one day longer would give 0.14 and 2.9, a protection
    # period of L days (S = 2m + zσ√2) 0.06 and 0.9.
    one_day_late = base_stock(order_up_to(lead + 1, z), lead + 2)
    short_cover = base_stock(order_up_to(lead, z), lead + 1)
    for wrong in (one_day_late, short_cover):
        assert (
            abs(wrong.cycle_service_level - theory.cycle_service_level) > 5 * tolerance["cycle_service_level"]
            or abs(wrong.avg_on_hand - theory.avg_on_hand) > 5 * tolerance["avg_on_hand"]
        )


@pytest.mark.parametrize(("lead", "z"), [(1, 1.645), (4, 2.0)], ids=["L1", "L4"])
def test_base_stock_passes_demand_through(lead: int, z: float) -> None:
    """Base stock orders exactly yesterday's demand: a bullwhip ratio of 1."""
    pooled = simulate(lead, 0, z)
    assert pooled.mean("bullwhip_ratio") == pytest.approx(1.0, abs=0.005)


# -- moving-average forecasts (p > 0) ---------------------------------------------------

BULLWHIP_CASES = [(0, 3, SD), (1, 5, SD), (2, 5, SD), (2, 10, SD), (4, 10, SD), (4, 3, 10.0)]


@pytest.mark.parametrize(
    ("lead", "window", "sd"), BULLWHIP_CASES, ids=[f"L{c[0]}-p{c[1]}-sd{c[2]:g}" for c in BULLWHIP_CASES]
)
def test_bullwhip_of_moving_average_order_up_to(lead: int, window: int, sd: float) -> None:
    pooled = simulate(lead, window, 1.645, sd, seeds=(1, 2, 3))
    # The formula assumes orders never hit zero; the cases are chosen so they (almost) never do.
    zero_orders = float((pooled.series["purchased"] == 0).mean())
    assert zero_orders < 0.005, f"{zero_orders:.2%} of days without an order: the closed form does not apply"

    # Per seed, the ratio over 20,000 days scatters by 0.3-0.6%; truncated orders bias
    # it by at most 0.6% in these cases. 2.5% is safe, and using L instead of L+1 (e.g.
    # L = 2, p = 5: 2.12 instead of 2.92) is 15-45% away.
    expected, tolerance = bullwhip(lead, window), 0.025 * bullwhip(lead, window)
    simulated = pooled.mean("bullwhip_ratio")
    assert abs(simulated - expected) <= tolerance, f"bullwhip {simulated:.4f}, theory {expected:.4f}"
    wrong = 1.0 + 2.0 * lead / window + 2.0 * lead**2 / window**2
    assert abs(wrong - expected) > 4 * tolerance


LITTLE_CASES = [(1, 0, 1.645), (4, 0, 2.0), (2, 5, 1.645), (4, 10, 1.645)]


@pytest.mark.slow
@pytest.mark.parametrize(("lead", "window", "z"), LITTLE_CASES, ids=[f"L{c[0]}-p{c[1]}" for c in LITTLE_CASES])
def test_littles_law_for_orders_in_transit(lead: int, window: int, z: float) -> None:
    pooled = simulate(lead, window, z, seeds=(1, 2, 3) if window else (1, 2, 3, 4))
    series = pooled.series
    simulated = pooled.mean("avg_orders_in_transit")
    # In each run, exactly: on order at a day's end = the last L days' orders (boundary terms aside).
    for summary, (_, run) in zip(pooled.summaries, series.groupby("seed", sort=False), strict=True):
        mean_order = float(run["purchased"].mean())
        boundary = 2 * lead * float(run["purchased"].max()) / len(run)
        assert summary["avg_orders_in_transit"] == pytest.approx(lead * mean_order, abs=boundary + 1e-9)
    # And in expectation, L·m.
    tolerance = 5 * pooled.standard_error(series["on_order"].astype(float)) + 0.05
    assert simulated == pytest.approx(lead * MEAN, abs=tolerance)
    assert abs((lead + 1) * MEAN - lead * MEAN) > 10 * tolerance  # one day more in transit: far off


def test_no_lead_time_means_nothing_in_transit() -> None:
    pooled = simulate(0, 0, 0.0)
    assert pooled.mean("avg_orders_in_transit") == 0.0
    assert (pooled.series["on_order"] == 0).all()


def test_demand_is_iid_normal_with_the_configured_moments() -> None:
    pooled = simulate(2, 0, 1.645)
    demand = pooled.series["demand"].astype(float)
    n = len(demand)
    assert demand.mean() == pytest.approx(MEAN, abs=5 * SD / math.sqrt(n))
    # Var of a rounded normal is σ² + 1/12; the sample variance's SE is about σ²·sqrt(2/n).
    assert demand.var(ddof=1) == pytest.approx(SD**2 + 1 / 12, abs=5 * SD**2 * math.sqrt(2 / n))
    lag1 = np.corrcoef(demand.to_numpy()[1:], demand.to_numpy()[:-1])[0, 1]
    assert abs(lag1) < 5 / math.sqrt(n)


# -- the rules, day by day ----------------------------------------------------------------

REPLICA_CASES = [(0, 0, 0.0), (1, 0, 1.645), (3, 0, 2.0), (0, 1, 1.0), (2, 4, 1.645), (5, 7, -0.5), (1, 3, 0.0)]


@pytest.mark.parametrize(
    ("lead", "window", "z"), REPLICA_CASES, ids=[f"L{c[0]}-p{c[1]}-z{c[2]}" for c in REPLICA_CASES]
)
def test_textbook_follows_its_stated_rules_day_by_day(lead: int, window: int, z: float) -> None:
    """Replay the stated policy on the simulated demand: every order, receipt and level agrees."""
    sd = 35.0  # large enough that some orders are zero and some days short
    raw = textbook(
        horizon_days=400,
        warmup_days=0,
        seed=7,
        demand_mean=MEAN,
        demand_sd=sd,
        lead_time_days=lead,
        forecast_window=window,
        safety_z=z,
    )
    model = SalesPurchasingModel(load_config(raw))
    tables = model.run()
    day_table = tables.sku_timeseries.sort_values("day")
    demand = day_table["demand"].to_list()
    cover = lead + 1

    position = opening = model.stock.opening[0]
    assert opening == max(0, round(order_up_to(cover, z, MEAN, sd)))
    orders, seen = [], []
    for today, wanted in enumerate(demand):
        planned = MEAN if window == 0 or not seen else sum(seen[-window:]) / len(seen[-window:])
        level = cover * planned + z * sd * math.sqrt(cover)
        gap = level - position
        order = math.floor(gap + 0.5) if gap > 0 else 0
        orders.append(order)
        position += order - wanted
        seen.append(wanted)
        assert today == len(orders) - 1
    assert day_table["purchased"].to_list() == orders

    received = [orders[t - lead] if t >= lead else 0 for t in range(len(orders))]
    assert day_table["received"].to_list() == received

    net, on_hand, backordered, served = opening, [], [], []
    for t, wanted in enumerate(demand):
        net += received[t]
        served.append(min(wanted, max(net, 0)))
        net -= wanted
        on_hand.append(max(net, 0))
        backordered.append(max(-net, 0))
    assert day_table["served_same_day"].to_list() == served
    assert day_table["on_hand"].to_list() == on_hand
    assert day_table["backordered"].to_list() == backordered
    assert (day_table["lost"] == 0).all()
    assert sum(backordered) > 0, "the case should include short days"
