"""The concrete company a scenario describes: catalogue, accounts, suppliers, staff.

A scenario config gives distributions; :func:`build_world` draws one company from
them with the ``setup`` stream, so the same seed builds the same company. The
textbook scenario maps onto the same structures, so it runs the same engine.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from sim.config import CompanyScenario, ConfigError, OrgConfig, RunConfig, TextbookScenario
from sim.market import DemandLine, DemandSource, DrawnDemand, RecordedDemand, demand_profile
from sim.market import read_demand_file
from sim.streams import RandomStreams

NEVER = 10**9  # a patience or lead time that never runs out


@dataclass(frozen=True, slots=True)
class SkuSpec:
    """A product: its standard cost, list price, owner in purchasing and sources."""

    index: int
    standard_cost_cents: int
    list_price_cents: int
    buyer: int
    suppliers: tuple[int, ...]
    expected_daily_units: float


@dataclass(frozen=True, slots=True)
class SupplierSpec:
    """A supplier's terms and how reliably it keeps them.

    Lead times, lateness and short shipments are drawn per dispatch day from the
    supplier's own stream, so they are exogenous: the same whatever is ordered.
    """

    index: int
    unit_price_cents: dict[int, int]
    lead_time_mean_days: float
    lead_time_sd_days: float
    on_time_probability: float
    late_days_mean: float
    in_full_probability: float
    short_ship_share: float
    capacity_per_day: float | None


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """A customer account: who serves it, how patient it is, where its orders come from."""

    index: int
    rep: int
    key_account: bool
    patience_days: int
    requested_lead_days: int
    demand: DemandSource


@dataclass(frozen=True, slots=True)
class BuyerSpec:
    """A buyer, its SKUs and its planning parameters."""

    index: int
    skus: tuple[int, ...]
    review_period_days: int
    first_review_day: int
    forecast_window_days: int
    safety_z: float
    known_daily_mean: float | None = None  # textbook with window 0: the true mean
    known_daily_sd: float | None = None  # textbook: σ is given, not estimated


@dataclass(frozen=True, slots=True)
class RepSpec:
    """A sales rep and the accounts in its portfolio."""

    index: int
    accounts: tuple[int, ...]
    forecast_window_days: int
    forecast_period_days: int


@dataclass(frozen=True)
class World:
    """Everything the model instantiates, plus the economics that apply to all of it."""

    skus: list[SkuSpec]
    suppliers: list[SupplierSpec]
    accounts: list[AccountSpec]
    buyers: list[BuyerSpec]
    reps: list[RepSpec]
    opening_stock: list[int]
    holding_rate_per_day: float
    late_penalty_rate: float
    kpi_bucket_days: int
    notes: dict[str, float] = field(default_factory=dict)


def build_world(config: RunConfig, streams: RandomStreams) -> World:
    """Draw the company the config describes."""
    if isinstance(config.scenario, TextbookScenario):
        return _textbook_world(config.scenario, config, streams)
    return _company_world(config.scenario, config.org, config, streams)


def order_up_to_cover(lead_time_days: float, review_period_days: int) -> float:
    """Days of demand an order-up-to level must cover: lead time plus review period."""
    return lead_time_days + review_period_days


def _textbook_world(
    scenario: TextbookScenario, config: RunConfig, streams: RandomStreams
) -> World:
    lead = scenario.lead_time_days
    mean, sd = scenario.demand_mean, scenario.demand_sd
    cover = order_up_to_cover(lead, 1)
    base_stock = cover * mean + scenario.safety_z * sd * math.sqrt(cover)
    demand: DemandSource
    if scenario.demand_file:
        by_account = read_demand_file(scenario.demand_file, 1, sku_optional=True)
        demand = RecordedDemand(_merge_accounts(by_account))
    else:
        demand = DrawnDemand(
            [DemandLine(0, mean)],
            interval=1,
            first_day=0,
            profile=[1.0],
            rng=streams.generator("demand", 0),
            days=config.total_days,
            sd_per_day=sd,
        )
    cost = round(scenario.unit_cost * 100)
    return World(
        skus=[SkuSpec(0, cost, round(scenario.unit_price * 100), 0, (0,), mean)],
        suppliers=[SupplierSpec(0, {0: cost}, float(lead), 0.0, 1.0, 0.0, 1.0, 0.0, None)],
        accounts=[AccountSpec(0, 0, False, NEVER, 0, demand)],
        buyers=[
            BuyerSpec(
                0,
                (0,),
                review_period_days=1,
                first_review_day=0,
                forecast_window_days=scenario.forecast_window,
                safety_z=scenario.safety_z,
                known_daily_mean=mean if scenario.forecast_window == 0 else None,
                known_daily_sd=sd,
            )
        ],
        reps=[RepSpec(0, (0,), max(scenario.forecast_window, 1), 7)],
        opening_stock=[max(0, round(base_stock))],
        holding_rate_per_day=scenario.holding_rate_per_year / 365.0,
        late_penalty_rate=0.0,
        kpi_bucket_days=1,
    )


def _merge_accounts(
    by_account: dict[int, dict[int, list[tuple[int, int]]]],
) -> dict[int, list[tuple[int, int]]]:
    merged: dict[int, list[tuple[int, int]]] = {}
    for schedule in by_account.values():
        for day, lines in schedule.items():
            merged.setdefault(day, []).extend(lines)
    return merged


def _company_world(
    scenario: CompanyScenario, org: OrgConfig, config: RunConfig, streams: RandomStreams
) -> World:
    rng = streams.generator("setup")
    n_skus, n_suppliers = scenario.skus, scenario.suppliers
    popularity = 1.0 / np.arange(1, n_skus + 1) ** 0.8  # a long tail, as catalogues have
    popularity = rng.permutation(popularity / popularity.sum())
    accounts_lines, key_accounts = _account_lines(scenario, popularity, rng)
    expected = np.zeros(n_skus)
    for lines in accounts_lines:
        for line in lines:
            expected[line.sku] += line.daily_rate

    sigma = scenario.unit_cost_dispersion
    costs = scenario.unit_cost_mean * rng.lognormal(-0.5 * sigma**2, sigma, n_skus)
    per_sku = min(scenario.suppliers_per_sku, n_suppliers)
    sources = [tuple(sorted(rng.choice(n_suppliers, per_sku, replace=False).tolist())) for _ in range(n_skus)]
    # Cheaper suppliers are further away: the price/lead-time trade-off buyers face.
    position = rng.uniform(-1.0, 1.0, n_suppliers)
    suppliers = []
    for s in range(n_suppliers):
        supplied = [k for k in range(n_skus) if s in sources[k]]
        noise = rng.uniform(-0.02, 0.02, len(supplied))
        factor = 1.0 + scenario.supplier_price_spread * position[s]
        prices = {k: round(costs[k] * 100 * (factor + e)) for k, e in zip(supplied, noise, strict=True)}
        headroom = scenario.capacity_headroom
        suppliers.append(
            SupplierSpec(
                index=s,
                unit_price_cents=prices,
                lead_time_mean_days=max(
                    1.0, scenario.lead_time_mean_days - scenario.lead_time_spread_days * position[s]
                ),
                lead_time_sd_days=scenario.lead_time_sd_days,
                on_time_probability=scenario.on_time_probability,
                late_days_mean=scenario.late_days_mean,
                in_full_probability=scenario.in_full_probability,
                short_ship_share=scenario.short_ship_share,
                capacity_per_day=None
                if headroom is None
                else headroom * max(1.0, float(expected[supplied].sum())),
            )
        )
    skus = [
        SkuSpec(
            index=k,
            standard_cost_cents=round(costs[k] * 100),
            list_price_cents=round(costs[k] * 100 / (1.0 - scenario.gross_margin)),
            buyer=k % scenario.buyers,
            suppliers=sources[k],
            expected_daily_units=float(expected[k]),
        )
        for k in range(n_skus)
    ]
    accounts = _accounts(scenario, config, accounts_lines, key_accounts, rng, streams)
    buyers = [
        BuyerSpec(
            index=b,
            skus=tuple(k for k in range(n_skus) if k % scenario.buyers == b),
            review_period_days=org.review_period_days,
            first_review_day=b % org.review_period_days,
            forecast_window_days=org.forecast_window_days,
            safety_z=org.safety_z,
        )
        for b in range(scenario.buyers)
    ]
    reps = [
        RepSpec(
            index=r,
            accounts=tuple(a.index for a in accounts if a.rep == r),
            forecast_window_days=org.sales_forecast_window_days,
            forecast_period_days=org.review_period_days,
        )
        for r in range(scenario.sales_reps)
    ]
    cover = order_up_to_cover(scenario.lead_time_mean_days, org.review_period_days)
    return World(
        skus=skus,
        suppliers=suppliers,
        accounts=accounts,
        buyers=buyers,
        reps=reps,
        opening_stock=[round(e * cover) for e in expected],
        holding_rate_per_day=scenario.holding_rate_per_year / 365.0,
        late_penalty_rate=scenario.late_penalty_rate,
        kpi_bucket_days=org.review_period_days,
    )


def _account_lines(
    scenario: CompanyScenario, popularity: np.ndarray, rng: np.random.Generator
) -> tuple[list[list[DemandLine]], np.ndarray]:
    """Which SKUs each account buys, at what base rate, and which accounts are key."""
    n_skus = len(popularity)
    key = rng.random(scenario.accounts) < scenario.key_account_share
    all_lines = []
    sigma = scenario.demand_rate_dispersion
    for a in range(scenario.accounts):
        count = min(n_skus, 1 + rng.poisson(scenario.lines_per_account - 1.0))
        skus = np.sort(rng.choice(n_skus, count, replace=False, p=popularity))
        rates = scenario.demand_rate_mean * rng.lognormal(-0.5 * sigma**2, sigma, count)
        if key[a]:
            rates *= 3.0  # key accounts: a few large customers, as in most B2B books
        all_lines.append([DemandLine(int(k), float(r)) for k, r in zip(skus, rates, strict=True)])
    return all_lines, key


def _accounts(
    scenario: CompanyScenario,
    config: RunConfig,
    accounts_lines: list[list[DemandLine]],
    key: np.ndarray,
    rng: np.random.Generator,
    streams: RandomStreams,
) -> list[AccountSpec]:
    profile = demand_profile(
        config.total_days,
        scenario.trend_per_year,
        scenario.seasonality_amplitude,
        scenario.seasonality_peak_day,
    )
    recorded = (
        read_demand_file(scenario.demand_file, scenario.skus, sku_optional=False)
        if scenario.demand_file
        else None
    )
    if recorded is not None and max(recorded) >= scenario.accounts:
        raise ConfigError(
            f"{scenario.demand_file}: unknown account {max(recorded)} "
            f"(the scenario has accounts 0..{scenario.accounts - 1})"
        )
    patience = np.maximum(0, np.rint(scenario.patience_days * rng.uniform(0.5, 1.5, scenario.accounts)))
    first_days = rng.integers(0, scenario.order_interval_days, scenario.accounts)
    accounts = []
    for a in range(scenario.accounts):
        demand: DemandSource
        if recorded is not None:
            demand = RecordedDemand(recorded.get(a, {}))
        else:
            demand = DrawnDemand(
                accounts_lines[a],
                interval=scenario.order_interval_days,
                first_day=int(first_days[a]),
                profile=profile,
                rng=streams.generator("demand", a),
                days=config.total_days,
                cv=scenario.demand_cv,
            )
        accounts.append(
            AccountSpec(
                index=a,
                rep=a % scenario.sales_reps,
                key_account=bool(key[a]),
                patience_days=int(patience[a]),
                requested_lead_days=scenario.requested_lead_days,
                demand=demand,
            )
        )
    return accounts
