"""The concrete company a scenario describes: catalogue, accounts, suppliers, staff.

A scenario config gives distributions; :func:`build_world` draws one company from
them with the ``setup`` stream, so the same seed builds the same company. The
textbook scenario maps onto the same structures (with every behaviour switched off),
so it runs the same engine.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from sim.accounts import AccountFactory
from sim.books.money import price_cents
from sim.config import MAX_TURNOVER_CENTS, CompanyScenario, ConfigError, OrgConfig, RunConfig, TextbookScenario
from sim.market import DemandLine, DemandSource, DrawnDemand, RecordedDemand, read_demand_file
from sim.specs import AccountSpec, BuyerSpec, Disruption, Market, RepSpec, SkuSpec, SupplierSpec
from sim.streams import RandomStreams

NEVER = 10**9  # a patience that never runs out

TEXTBOOK_ORG = OrgConfig(
    name="textbook",
    review_period_days=1,
    price_break_chasing=False,
    sales_forecast_max_weight=0.0,
    negotiation_interval_days=0,
    forecast_optimism=0.0,
    shortage_gaming=0.0,
    sandbagging=0.0,
    promotions=False,
    deal_discount_max=0.0,
    expedite_requests=False,
    trust_learning=0.0,
    unannounced_promotion_trust_loss=0.0,
)
"""The textbook buyer and rep: no bias, no promotions, no deals, no expedites."""


@dataclass
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
    org: OrgConfig
    market: Market = field(default_factory=Market)
    account_factory: AccountFactory | None = None
    operating_expenses_cents_per_day: float = 0.0  # staff salaries and overhead
    shelf_life_days: int | None = None  # stock older than this is written off (None: it never ages out)
    salvage_share: float = 0.0  # of standard cost, recovered when aged stock is sold off
    walk_away_share: float = 0.0  # of a stock-out, bought elsewhere at once
    reset_standards: bool = False  # standard costs reset to current prices at each year end


def operating_expenses_per_year(scenario: CompanyScenario) -> float:
    """Staff of both departments at their salaries, plus the company's other overhead, in currency."""
    staff = scenario.sales_reps * scenario.rep_salary_per_year + scenario.buyers * scenario.buyer_salary_per_year
    return staff + scenario.overhead_per_year


def build_world(config: RunConfig, streams: RandomStreams) -> World:
    """Draw the company the config describes."""
    if isinstance(config.scenario, TextbookScenario):
        return _textbook_world(config.scenario, config, streams)
    return _company_world(config.scenario, config.org, config, streams)


def order_up_to_cover(lead_time_days: float, review_period_days: int) -> float:
    """Days of demand an order-up-to level must cover: lead time plus review period."""
    return lead_time_days + review_period_days


def _textbook_world(scenario: TextbookScenario, config: RunConfig, streams: RandomStreams) -> World:
    lead = scenario.lead_time_days
    mean, sd = scenario.demand_mean, scenario.demand_sd
    cover = order_up_to_cover(lead, 1)
    base_stock = cover * mean + scenario.safety_z * sd * math.sqrt(cover)
    demand: DemandSource
    if scenario.demand_file:
        by_account = read_demand_file(scenario.demand_file, 1, sku_optional=True, last_day=config.total_days - 1)
        _check_recorded_money(scenario.demand_file, by_account, [scenario.unit_price * 100])
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
    cost = price_cents(scenario.unit_cost * 100, "scenario.unit_cost")
    price = price_cents(scenario.unit_price * 100, "scenario.unit_price")
    return World(
        skus=[SkuSpec(0, cost, price, 0, (0,), mean)],
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
        org=TEXTBOOK_ORG,
    )


def _check_recorded_money(
    path: str, recorded: dict[int, dict[int, list[tuple[int, int]]]], list_price_cents: list[float]
) -> None:
    """A demand file's sales at list price must fit the books' 64-bit cents, as drawn demand's do.

    Raises:
        ConfigError: one line naming the file and the bound.
    """
    total = sum(
        units * list_price_cents[sku]
        for schedule in recorded.values()
        for lines in schedule.values()
        for sku, units in lines
    )
    if total > MAX_TURNOVER_CENTS:
        raise ConfigError(
            f"scenario.demand_file = {path!r}: its orders are worth ~{total / 100:.2g} in currency at list price; "
            f"at most {MAX_TURNOVER_CENTS / 100:.0e} allowed, so that every sum fits the books' 64-bit cents"
        )


def _merge_accounts(
    by_account: dict[int, dict[int, list[tuple[int, int]]]],
) -> dict[int, list[tuple[int, int]]]:
    merged: dict[int, list[tuple[int, int]]] = {}
    for schedule in by_account.values():
        for day, lines in schedule.items():
            merged.setdefault(day, []).extend(lines)
    return merged


def _company_world(scenario: CompanyScenario, org: OrgConfig, config: RunConfig, streams: RandomStreams) -> World:
    rng = streams.generator("setup")
    n_skus, n_suppliers = scenario.skus, scenario.suppliers
    launch_factor = np.ones(n_skus)
    if scenario.launch_skus:
        launched = min(scenario.launch_skus, n_skus)
        sigma = scenario.launch_uncertainty
        launch_factor[n_skus - launched :] = rng.lognormal(-0.5 * sigma**2, sigma, launched)
    factory = AccountFactory(scenario, config, streams, launch_factor)
    key = rng.random(scenario.accounts) < scenario.key_account_share
    account_lines = [factory.lines(rng, bool(key[a])) for a in range(scenario.accounts)]
    recorded = (
        read_demand_file(
            scenario.demand_file,
            n_skus,
            sku_optional=False,
            n_accounts=scenario.accounts,
            last_day=config.total_days - 1,
        )
        if scenario.demand_file
        else None
    )
    planned = np.zeros(n_skus)
    if recorded is not None:  # a client's history: plans, stock and capacity follow it
        span = 1 + max(day for schedule in recorded.values() for day in schedule)
        for schedule in recorded.values():
            for day_lines in schedule.values():
                for sku, units in day_lines:
                    planned[sku] += units / span
    else:
        for demand_lines in account_lines:
            for line in demand_lines:
                planned[line.sku] += line.daily_rate

    costs = scenario.unit_cost_mean * rng.lognormal(
        -0.5 * scenario.unit_cost_dispersion**2, scenario.unit_cost_dispersion, n_skus
    )
    per_sku = min(scenario.suppliers_per_sku, n_suppliers)
    sources = [tuple(sorted(rng.choice(n_suppliers, per_sku, replace=False).tolist())) for _ in range(n_skus)]
    suppliers = _suppliers(scenario, rng, costs, sources, planned)
    margins, responses = _margins_and_responses(scenario, streams)
    skus = [
        SkuSpec(
            index=k,
            standard_cost_cents=price_cents(costs[k] * 100, UNIT_COST_KEY),
            list_price_cents=price_cents(costs[k] * 100 / (1.0 - margins[k]), UNIT_COST_KEY),
            buyer=k % scenario.buyers,
            suppliers=sources[k],
            expected_daily_units=float(planned[k]),
            launch_day=int(factory.launch_day[k]),
            promotion_response=float(responses[k]),
        )
        for k in range(n_skus)
    ]
    if recorded is not None:
        _check_recorded_money(scenario.demand_file or "", recorded, [s.list_price_cents for s in skus])
        accounts = _recorded_accounts(scenario, rng, recorded)
    else:
        patience = np.maximum(0, np.rint(scenario.patience_days * rng.uniform(0.5, 1.5, scenario.accounts)))
        first_days = rng.integers(0, scenario.order_interval_days, scenario.accounts)
        accounts = [
            factory.account(
                a,
                a % scenario.sales_reps,
                bool(key[a]),
                account_lines[a],
                int(first_days[a]),
                int(patience[a]),
                ("account", a),
            )
            for a in range(scenario.accounts)
        ]
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
        opening_stock=[0 if s.launch_day else round(e * cover) for s, e in zip(skus, planned, strict=True)],
        holding_rate_per_day=scenario.holding_rate_per_year / 365.0,
        late_penalty_rate=scenario.late_penalty_rate,
        operating_expenses_cents_per_day=operating_expenses_per_year(scenario) * 100 / 365.0,
        shelf_life_days=scenario.shelf_life_days,
        salvage_share=scenario.salvage_share,
        walk_away_share=scenario.walk_away_share,
        reset_standards=scenario.reset_standards_yearly,
        kpi_bucket_days=org.review_period_days,
        org=org,
        market=Market(
            promotion_uplift_per_discount=scenario.promotion_uplift_per_discount,
            promotion_dip_share=scenario.promotion_dip_share,
            promotion_dip_days=scenario.promotion_dip_days,
            promotion_funding_share=scenario.promotion_funding_share,
            deal_uplift_per_discount=scenario.deal_uplift_per_discount,
            satisfaction_learning=scenario.satisfaction_learning,
            key_account_sensitivity=scenario.key_account_sensitivity,
            churn_threshold=scenario.churn_threshold,
            churn_rate_per_order=0.0 if scenario.demand_file else scenario.churn_rate_per_order,
            deal_decision_days=scenario.deal_decision_days,
            new_account_rate_per_rep_per_year=0.0
            if scenario.demand_file
            else scenario.new_account_rate_per_rep_per_year,
        ),
        account_factory=factory,
    )


def _margins_and_responses(scenario: CompanyScenario, streams: RandomStreams) -> tuple[np.ndarray, np.ndarray]:
    """Each SKU's gross margin and its demand's response to a discount, around the scenario's means.

    Drawn from a stream of their own, so they do not shift the rest of the set-up.
    """
    rng = streams.generator("margins")
    n = scenario.skus
    margins = scenario.gross_margin + scenario.gross_margin_dispersion * rng.standard_normal(n)
    sigma = scenario.promotion_response_dispersion
    responses = scenario.promotion_uplift_per_discount * rng.lognormal(-0.5 * sigma**2, sigma, n)
    return np.clip(margins, MIN_MARGIN, MAX_MARGIN), responses


UNIT_COST_KEY = "scenario.unit_cost_mean"  # the key a drawn cost or price is named by when it leaves the books' range
MIN_MARGIN, MAX_MARGIN = 0.02, 0.9  # an SKU's gross margin, however far the draw strays


def _suppliers(
    scenario: CompanyScenario,
    rng: np.random.Generator,
    costs: np.ndarray,
    sources: list[tuple[int, ...]],
    planned: np.ndarray,
) -> list[SupplierSpec]:
    """Suppliers on a price/lead-time trade-off: the cheaper ones are further away."""
    n_suppliers, n_skus = scenario.suppliers, len(costs)
    position = rng.uniform(-1.0, 1.0, n_suppliers)
    hit = rng.permutation(n_suppliers)[: math.ceil(scenario.disruption_supplier_share * n_suppliers)]
    disruption = None
    if scenario.disruption_start_day is not None:
        disruption = Disruption(
            scenario.disruption_start_day,
            scenario.disruption_start_day + scenario.disruption_days,
            scenario.disruption_capacity_factor,
            scenario.disruption_lead_time_extra_days,
        )
    suppliers = []
    for s in range(n_suppliers):
        supplied = [k for k in range(n_skus) if s in sources[k]]
        noise = rng.uniform(-0.02, 0.02, len(supplied))
        factor = 1.0 + scenario.supplier_price_spread * position[s]
        prices = {
            k: price_cents(costs[k] * 100 * (factor + e), UNIT_COST_KEY) for k, e in zip(supplied, noise, strict=True)
        }
        volume = max(1.0, float(planned[supplied].sum()))
        suppliers.append(
            SupplierSpec(
                index=s,
                unit_price_cents=prices,
                lead_time_mean_days=max(
                    1.0, scenario.lead_time_mean_days - scenario.lead_time_spread_days * position[s]
                ),
                lead_time_sd_days=scenario.lead_time_sd_days,
                # further away, a little less punctual (judgement: ±5 points over the range)
                on_time_probability=min(1.0, max(0.0, scenario.on_time_probability - 0.05 * position[s])),
                late_days_mean=scenario.late_days_mean,
                in_full_probability=scenario.in_full_probability,
                short_ship_share=scenario.short_ship_share,
                capacity_per_day=None if scenario.capacity_headroom is None else scenario.capacity_headroom * volume,
                break_units={k: max(1, round(scenario.price_break_weeks * 7 * planned[k])) for k in supplied},
                minimum_order_units={k: round(scenario.minimum_order_weeks * 7 * planned[k]) for k in supplied},
                case_pack_units=scenario.case_pack_units,
                break_discount=scenario.price_break_discount,
                expedite_premium=scenario.expedite_premium,
                expedite_lead_days=scenario.expedite_lead_days,
                initial_relationship=scenario.initial_relationship,
                other_customers_load=scenario.other_customers_load,
                other_customers_load_cv=scenario.other_customers_load_cv,
                disruption=disruption if s in hit else None,
                price_rise_day=scenario.price_rise_day,
                price_rise_share=scenario.price_rise_share,
            )
        )
    return suppliers


def _recorded_accounts(
    scenario: CompanyScenario, rng: np.random.Generator, recorded: dict[int, dict[int, list[tuple[int, int]]]]
) -> list[AccountSpec]:
    """Accounts replaying a client's order file (their index is the file's ``account``)."""
    span = 1 + max(day for schedule in recorded.values() for day in schedule)
    key = rng.random(scenario.accounts) < scenario.key_account_share
    patience = np.maximum(0, np.rint(scenario.patience_days * rng.uniform(0.5, 1.5, scenario.accounts)))
    return [
        AccountSpec(
            a,
            a % scenario.sales_reps,
            bool(key[a]),
            int(patience[a]),
            scenario.requested_lead_days,
            RecordedDemand(recorded.get(a, {}), span),
        )
        for a in range(scenario.accounts)
    ]


def check_inputs(config: RunConfig) -> None:
    """Read and check the run's input files now, so a bad one is reported before anything runs.

    Raises:
        ConfigError: one line naming the file, the line and the problem.
    """
    scenario = config.scenario
    if scenario.demand_file is None:
        return
    if isinstance(scenario, TextbookScenario):
        read_demand_file(scenario.demand_file, 1, sku_optional=True)
        return
    read_demand_file(scenario.demand_file, scenario.skus, sku_optional=False, n_accounts=scenario.accounts)
