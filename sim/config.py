"""Typed run configuration and its validation.

The library takes a :class:`RunConfig`; :func:`validate` builds one from plain
mappings (what Hydra composes, or a dict in a notebook) and turns every problem into
a :class:`ConfigError` whose message is one line naming the key, the value and what
is allowed. This module knows no lever: :func:`sim.configure.load_config` hands it
the levers' schemas.
"""

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, ValidationInfo, model_validator

# Every number has the range in which the model is valid and finite: upper bounds too, so
# that no valid config crashes (docs/ODD.md §7.28 gives each bound's reason). Floats are
# finite everywhere (``allow_inf_nan=False`` on every section).
ALONE = "alone"  # validation context of a key checked on its own, the rest of the config at defaults
MAX_DAYS = 1_000_000  # a run's days, and any day a scenario names (the memory budget binds first)
YEAR = 365  # durations of the business (lead times, patience, cadences): at most a year
DECADE = 3650  # moving windows and slow cycles: at most ten years of days
MAX_UNIT_COST = 1e6  # currency per unit: capital goods; with the draws' spread, prices stay within the books' cents
MIN_UNIT_COST = 0.01  # one cent

Share = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveInt = Annotated[int, Field(ge=1)]
Days = Annotated[int, Field(ge=0)]
Duration = Annotated[int, Field(ge=0, le=YEAR)]  # days, up to a year
Cadence = Annotated[int, Field(ge=1, le=YEAR)]  # days between recurring events, up to a year
Window = Annotated[int, Field(ge=1, le=DECADE)]  # days of history averaged
Day = Annotated[int, Field(ge=0, le=MAX_DAYS)]  # a day of the run
UnitCost = Annotated[float, Field(ge=MIN_UNIT_COST, le=MAX_UNIT_COST)]


class ConfigError(ValueError):
    """A configuration problem, stated in one line."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class TextbookScenario(_Section):
    """One SKU, iid normal demand, one supplier with a fixed lead time, no behaviour.

    The buyer orders up to S = (L+1)·m + z·σ·sqrt(L+1) every day, m being the mean of
    the last ``forecast_window`` days' demand (0: the true mean) and σ ``demand_sd``.
    """

    kind: Literal["textbook"] = "textbook"
    name: str = "textbook"
    demand_mean: Annotated[float, Field(ge=0.001, le=1e6)] = 100.0  # units/day: one SKU; results scale
    demand_sd: Annotated[float, Field(ge=0, le=1e6)] = 20.0
    lead_time_days: Duration = 2
    forecast_window: Annotated[int, Field(ge=0, le=DECADE)] = 5
    safety_z: Annotated[float, Field(ge=-5, le=5)] = 1.645
    unit_cost: UnitCost = 6.0
    unit_price: UnitCost = 10.0
    holding_rate_per_year: Annotated[float, Field(ge=0, le=5)] = 0.25
    demand_file: str | None = None


class CompanyScenario(_Section):
    """A distributor's market and supply base; every number is a documented default."""

    kind: Literal["company"] = "company"
    name: str = "default"
    currency: Annotated[str, Field(min_length=1, max_length=12)] = "EUR"  # what money is counted in (reports)
    # catalogue and organisation
    skus: Annotated[int, Field(ge=1, le=2000)] = 40
    accounts: Annotated[int, Field(ge=1, le=100_000)] = 250
    sales_reps: Annotated[int, Field(ge=1, le=500)] = 5
    buyers: Annotated[int, Field(ge=1, le=500)] = 4
    suppliers: Annotated[int, Field(ge=1, le=500)] = 5
    suppliers_per_sku: Annotated[int, Field(ge=1, le=10)] = 2
    # customer accounts and their demand
    key_account_share: Share = 0.1
    lines_per_account: Annotated[float, Field(ge=1, le=100)] = 3.0
    catalogue_skew: Annotated[float, Field(ge=0, le=3)] = 1.3  # SKU k's share of demand falls as 1 / k^skew
    order_interval_days: Cadence = 7
    requested_lead_days: Duration = 1
    requested_lead_spread_days: Duration = 2  # each account asks for the mean ± up to this many days
    announced_orders_per_account_per_year: Annotated[float, Field(ge=0, le=52)] = 0.5
    announced_orders_per_key_account_per_year: Annotated[float, Field(ge=0, le=52)] = 8.5
    announced_order_weeks: Annotated[float, Field(gt=0, le=52)] = 11.0  # size: weeks of the line's usual volume
    announcement_days: Annotated[int, Field(ge=0, le=365)] = 28  # told to the rep this long before
    patience_days: Duration = 14
    walk_away_share: Share = 0.55
    demand_rate_mean: Annotated[float, Field(ge=0.001, le=1000)] = 1.5  # units/day per line; 0.001: a unit in 3 years
    demand_rate_dispersion: Annotated[float, Field(ge=0, le=3)] = 0.8
    demand_cv: Annotated[float, Field(ge=0, le=5)] = 1.15
    trend_per_year: Annotated[float, Field(ge=-0.9, le=5)] = 0.0
    seasonality_amplitude: Annotated[float, Field(ge=0, lt=1)] = 0.15
    seasonality_peak_day: Annotated[int, Field(ge=0, le=365)] = 330
    # prices and costs
    unit_cost_mean: UnitCost = 20.0
    unit_cost_dispersion: Annotated[float, Field(ge=0, le=3)] = 0.6
    gross_margin: Annotated[float, Field(ge=0.01, le=0.9)] = 0.26  # SKUs' margins are clipped to 0.02 … 0.9
    gross_margin_dispersion: Annotated[float, Field(ge=0, le=0.5)] = 0.06  # sd of SKUs' margins around it
    supplier_price_spread: Annotated[float, Field(ge=0, lt=1)] = 0.08
    holding_rate_per_year: Annotated[float, Field(ge=0, le=5)] = 0.2
    late_penalty_rate: Annotated[float, Field(ge=0, le=1)] = 0.02
    # operating expenses: what the departments and the company cost whatever they decide
    rep_salary_per_year: Annotated[float, Field(ge=0, le=1e7)] = 75000.0
    buyer_salary_per_year: Annotated[float, Field(ge=0, le=1e7)] = 65000.0
    overhead_per_year: Annotated[float, Field(ge=0, le=1e10)] = 3900000.0
    # stock that ages out, and standard costs
    shelf_life_days: Annotated[int, Field(ge=1, le=3650)] | None = 365
    salvage_share: Share = 0.3
    reset_standards_yearly: bool = True
    # suppliers
    lead_time_mean_days: Annotated[float, Field(ge=0, le=YEAR)] = 48.0
    lead_time_sd_days: Annotated[float, Field(ge=0, le=YEAR)] = 11.0
    lead_time_spread_days: Annotated[float, Field(ge=0, le=YEAR)] = 15.0
    on_time_probability: Share = 0.9
    late_days_mean: Annotated[float, Field(ge=0, le=YEAR)] = 4.0
    in_full_probability: Share = 0.95
    short_ship_share: Share = 0.5
    capacity_headroom: Annotated[float, Field(ge=0.01, le=1000)] | None = 2.0  # beyond 1000x: say null (unlimited)
    other_customers_load: Share = 0.4
    other_customers_load_cv: Annotated[float, Field(ge=0, le=3)] = 0.3
    price_break_weeks: Annotated[float, Field(ge=0, le=104)] = 3.5
    minimum_order_weeks: Annotated[float, Field(ge=0, le=104)] = 2.0  # suppliers' minimum order: weeks of demand
    case_pack_units: Annotated[int, Field(ge=1, le=100_000)] = 130  # suppliers ship whole cases of this many units
    price_break_discount: Annotated[float, Field(ge=0, lt=1)] = 0.04
    expedite_premium: Annotated[float, Field(ge=0, le=10)] = 0.3  # share of the unit price: air freight at most 10x
    expedite_lead_days: Duration = 2
    initial_relationship: Share = 0.6
    # promotions and deals: how the market responds
    promotion_uplift_per_discount: Annotated[float, Field(ge=0, le=50)] = 4.0
    promotion_response_dispersion: Annotated[float, Field(ge=0, le=3)] = 0.6  # lognormal sigma across SKUs
    promotion_dip_share: Share = 0.3
    promotion_funding_share: Share = 0.5  # share of a campaign's discount its suppliers pay back
    promotion_dip_days: Duration = 14
    deal_uplift_per_discount: Annotated[float, Field(ge=0, le=50)] = 1.5  # as promotion_uplift_per_discount
    # customers: satisfaction, churn, new business
    satisfaction_learning: Share = 0.1
    key_account_sensitivity: Annotated[float, Field(ge=0, le=10)] = 2.0
    churn_threshold: Share = 0.6
    churn_rate_per_order: Share = 0.05
    new_account_rate_per_rep_per_year: Annotated[float, Field(ge=0, le=365)] = 4.0
    deal_decision_days: Annotated[int, Field(ge=0, le=365)] = 0  # a lead becomes an account this long after it opens
    # launch: new SKUs with uncertain demand
    launch_skus: Annotated[int, Field(ge=0, le=2000)] = 0  # at most the largest catalogue
    launch_day: Day = 120
    launch_uncertainty: Annotated[float, Field(ge=0, le=3)] = 0.8
    # supply disruption window
    disruption_start_day: Day | None = None
    disruption_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] = 60
    disruption_supplier_share: Share = 1.0
    disruption_capacity_factor: Share = 0.3
    disruption_lead_time_extra_days: Duration = 10
    # cost squeeze: suppliers raise prices
    price_rise_day: Day | None = None
    price_rise_share: Annotated[float, Field(ge=0, le=5)] = 0.0
    demand_file: str | None = None


class OrgConfig(_Section):
    """How the departments decide and are rewarded (the silo organisation by default).

    Every parameter is documented, with its unit and source, in docs/ODD.md.
    """

    name: str = "silo"
    # the organisation's design (the silo: none of it; org=aligned: all of it, by construction)
    joint_weight: Share = 0.0  # share of everyone's reward that is the company's objective
    service_weight: Share = 0.3  # share of service within that objective
    shared_data: bool = False  # purchasing sees the CRM and announced orders as entered; sales sees live stock
    campaigns_must_pay: bool = False  # a campaign runs only if the company expects it to pay
    # purchasing
    review_period_days: Cadence = 14
    forecast_window_days: Window = 168
    safety_z: Annotated[float, Field(ge=-5, le=5)] = 1.8
    replenishment: Literal["order_up_to", "s_S"] = "order_up_to"
    s_S_lot_days: Annotated[float, Field(ge=0, le=YEAR)] = 14.0  # noqa: N815 (s and S are the textbook names)
    price_break_chasing: bool = True
    inventory_budget_weeks: Annotated[float, Field(ge=0.1, le=520)] = 15.0  # from a few days to ten years of stock
    price_break_reach: Share = 0.5
    sales_forecast_max_weight: Share = 0.6
    buyer_price_weight: Share = 0.7
    buyer_lead_time_weight: Share = 0.1
    buyer_reliability_weight: Share = 0.1
    buyer_relationship_weight: Share = 0.1
    expedite_goodwill: Share = 0.8
    negotiation_interval_days: Annotated[int, Field(ge=0, le=DECADE)] = 91
    negotiation_price_cut: Share = 0.01
    negotiation_relationship_cost: Share = 0.05
    relationship_recovery_per_year: Share = 0.5
    # sales
    sales_forecast_window_days: Window = 28
    forecast_optimism: Annotated[float, Field(ge=-0.5, le=1)] = 0.05
    shortage_gaming: Annotated[float, Field(ge=0, le=20)] = 1.0
    shortage_memory: Share = 0.3
    quota_from_forecast: bool = False
    sandbagging: Share = 0.1
    quota_stretch: Annotated[float, Field(ge=0.1, le=3)] = 1.05
    promotions: bool = True
    promotion_trigger: Share = 0.05
    promotion_discount: Annotated[float, Field(ge=0, lt=1)] = 0.15
    promotion_days: Cadence = 14
    promotion_lead_days: Duration = 63
    promotion_skus: Annotated[int, Field(ge=1, le=2000)] = 2  # at most the largest catalogue
    promotion_notice: Literal["by_trust", "early", "late", "none"] = "by_trust"
    promotion_notice_propensity: Share = 0.5
    late_notice_days: Duration = 3
    order_notice: Literal["by_trust", "early", "late", "none"] = "by_trust"  # announced large orders
    launch_notice_days: Annotated[int, Field(ge=0, le=365)] = 90  # sales tells purchasing of a launch this early
    deal_discount_max: Annotated[float, Field(ge=0, lt=1)] = 0.05
    expedite_requests: bool = True
    # trust between the departments
    initial_trust: Share = 0.7
    trust_learning: Share = 0.1
    trust_gain_ratio: Share = 0.3
    trust_stockout_sensitivity: Annotated[float, Field(ge=0, le=50)] = 8.0
    trust_refusal_weight: Share = 0.5
    unannounced_promotion_trust_loss: Share = 0.05


class OutputConfig(_Section):
    """What a run writes besides its tables."""

    charts: bool = True
    print_summary: bool = True


Scenario = TextbookScenario | CompanyScenario


class RunConfig(_Section):
    """Everything one run needs: the scenario, the organisation, the levers, the seed and the time."""

    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 1
    horizon_days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 365
    warmup_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] = 90
    scenario: Scenario = Field(default_factory=CompanyScenario)
    org: OrgConfig = Field(default_factory=OrgConfig)
    policy: dict[str, SerializeAsAny[BaseModel]] = Field(default_factory=dict)  # lever -> parameters
    output: OutputConfig = Field(default_factory=OutputConfig)

    @property
    def total_days(self) -> int:
        """Simulated days: warm-up plus the measured horizon."""
        return self.warmup_days + self.horizon_days

    @model_validator(mode="after")
    def _fits(self, info: ValidationInfo) -> "RunConfig":
        """Horizon × size within the memory budget, and the run's money within the books' cents.

        Not for a key checked alone (:func:`check_value`): the rest of that config is the
        defaults', not the run's (``horizon_days=20000`` is fine for the textbook shop).
        """
        if info.context and info.context.get(ALONE):
            return self
        need = memory_estimate_bytes(self)
        if need > MEMORY_BUDGET_BYTES:
            raise ValueError(
                f"horizon_days = {self.horizon_days}: {_size(self)} need ~{need / 1e9:,.1f} GB of memory; "
                f"at most {MEMORY_BUDGET_BYTES / 1e9:.0f} GB allowed (shorten horizon_days or shrink the company)"
            )
        money, key = turnover_estimate_cents(self)
        if money > MAX_TURNOVER_CENTS:
            raise ValueError(
                f"{key}: the run's money would reach ~{money / 100:.2g} in currency (a day's sales × "
                f"(warmup_days + horizon_days + {MONEY_SPAN_DAYS} days of stock and orders)); "
                f"at most {MAX_TURNOVER_CENTS / 100:.0e} allowed, so that every sum fits the books' 64-bit cents "
                f"(lower {key}, the demand or horizon_days)"
            )
        return self


# What a run keeps per day, measured as peak RSS (ru_maxrss) of fresh processes running
# default companies of 2 sizes per dimension (455 and 3,740 days; 250 and 2,500 accounts;
# 3 and 30 lines per account; weekly and daily orders; 40 and 2,000 SKUs) and the textbook
# (10^5 and 10^6 days); the slopes rounded up. The event log grows with order lines, the
# daily tables with SKUs, the accounts' signals with accounts.
BYTES_PER_DAY = 500  # the company's own daily events and series
BYTES_PER_ACCOUNT_DAY = 300
BYTES_PER_ORDER_LINE = 500  # an order line's events: order, shipment(s), billing, closing
BYTES_PER_SKU_DAY = 400  # the daily tables per SKU
BASE_BYTES = 250_000_000  # the interpreter, the libraries, the model before it runs
MEMORY_BUDGET_BYTES = 8_000_000_000  # a run must fit a laptop's memory with room to spare
MAX_TURNOVER_CENTS = 10**16  # 100 trillion in currency: ×900 below int64, for noise, promotions, stock
MONEY_SPAN_DAYS = 2 * YEAR  # stock and orders on the way cover at most a lead time and a review period


def _company_lines(scenario: "CompanyScenario", days: int) -> tuple[float, float, float]:
    """Accounts on average over the run (won ones added), order lines a day, units a day."""
    reps = scenario.sales_reps
    accounts = scenario.accounts + scenario.new_account_rate_per_rep_per_year * reps * days / (2 * YEAR)
    lines = min(scenario.lines_per_account, scenario.skus)
    order_lines = accounts * lines / scenario.order_interval_days
    growth = max(1.0, 1.0 + scenario.trend_per_year * days / YEAR)
    units = accounts * lines * scenario.demand_rate_mean * (1.0 + 2.0 * scenario.key_account_share) * growth
    return accounts, order_lines, units


def memory_estimate_bytes(config: "RunConfig") -> float:
    """Peak memory a run needs, from what the recorder keeps per day, account, order line and SKU."""
    days = config.total_days
    scenario = config.scenario
    if isinstance(scenario, TextbookScenario):
        accounts, order_lines, skus = 1.0, 1.0, 1
    else:
        accounts, order_lines, _units = _company_lines(scenario, days)
        skus = scenario.skus
    per_day = (
        BYTES_PER_DAY + BYTES_PER_ACCOUNT_DAY * accounts + BYTES_PER_ORDER_LINE * order_lines + BYTES_PER_SKU_DAY * skus
    )
    return BASE_BYTES + days * per_day


def _size(config: "RunConfig") -> str:
    scenario = config.scenario
    days = f"warmup_days + horizon_days = {config.total_days:,} days"
    if isinstance(scenario, TextbookScenario):
        return f"{days} of the textbook shop"
    accounts, order_lines, _units = _company_lines(scenario, config.total_days)
    return f"{days} × {accounts:,.0f} accounts ({order_lines:,.0f} order lines a day) × {scenario.skus:,} skus"


def turnover_estimate_cents(config: "RunConfig") -> tuple[float, str]:
    """The run's sales at list price, in cents, with stock and orders on the way; and the key of the price."""
    scenario = config.scenario
    days = config.total_days + MONEY_SPAN_DAYS
    if isinstance(scenario, TextbookScenario):
        return scenario.demand_mean * scenario.unit_price * 100 * days, "scenario.unit_price"
    _accounts, _lines, units = _company_lines(scenario, config.total_days)
    price = scenario.unit_cost_mean / (1.0 - min(scenario.gross_margin, 0.9))
    return units * price * 100 * days, "scenario.unit_cost_mean"


_SCENARIO_KINDS: dict[str, type[_Section]] = {
    "textbook": TextbookScenario,
    "company": CompanyScenario,
}


def validate(raw: Mapping[str, Any], lever_params: Mapping[str, type[BaseModel]]) -> RunConfig:
    """Validate a plain mapping into a :class:`RunConfig`, each lever's parameters by its own schema.

    The levers' schemas are handed in (see :func:`sim.configure.load_config`): the config
    knows no lever, so it stays at the bottom of the package.

    Raises:
        ConfigError: one line naming the offending key, its value and what is allowed.
    """
    data = dict(raw)
    scenario = data.get("scenario") or {}
    kind = scenario.get("kind", "company") if isinstance(scenario, Mapping) else None
    if kind not in _SCENARIO_KINDS:
        raise ConfigError(f"scenario.kind = {kind!r}: unknown scenario kind; allowed: {', '.join(_SCENARIO_KINDS)}")
    data["scenario"] = _validate(_SCENARIO_KINDS[kind], scenario, "scenario")
    for key, section in _SECTIONS.items():
        if key in data:
            data[key] = _validate(section, data[key], key)
    data["policy"] = _policies(data.get("policy"), lever_params)
    return _validate(RunConfig, data, "")


def _policies(raw: Any, lever_params: Mapping[str, type[BaseModel]]) -> dict[str, BaseModel]:
    """Each configured lever's parameters, validated by the lever's own schema."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"policy = {raw!r}: must be a mapping of lever name to parameters")
    checked: dict[str, BaseModel] = {}
    for name, params in raw.items():
        if name not in lever_params:
            raise ConfigError(f"policy.{name}: unknown lever; available: {', '.join(lever_params)}")
        checked[str(name)] = _validate(lever_params[name], params or {}, f"policy.{name}")
    return checked


_SECTIONS: dict[str, type[_Section]] = {"org": OrgConfig, "output": OutputConfig}


def check_value(path: Sequence[str], value: Any) -> None:
    """Validate one top-level key (``["seed"]``) or one ``org``/``output`` key alone, the rest at defaults.

    Raises:
        ConfigError: as :func:`validate` would word it for this key and value.
    """
    if len(path) == 1:
        _validate(RunConfig, {path[0]: value}, "", context={ALONE: True})
    else:
        section, key = path
        _validate(_SECTIONS[section], {key: value}, section)


def _validate[T: BaseModel](section: type[T], value: Any, root: str, context: dict[str, Any] | None = None) -> T:
    try:
        return section.model_validate(value, context=context)
    except ValidationError as error:
        raise ConfigError(_one_line(error, section, root)) from None


def _one_line(error: ValidationError, section: type[BaseModel], root: str) -> str:
    """The first validation problem as ``key = value: what is allowed``."""
    problem = error.errors()[0]
    if problem["type"] == "value_error" and not problem["loc"]:  # a check across keys: its own sentence
        return str(problem["ctx"]["error"])
    key = ".".join([root, *map(str, problem["loc"])] if root else map(str, problem["loc"]))
    if problem["type"] == "extra_forbidden":
        return f"{key}: unknown key; allowed keys: {', '.join(sorted(section.model_fields))}"
    if problem["type"] == "missing":
        return f"{key}: required key is missing"
    return f"{key} = {problem.get('input')!r}: {_plain(problem['msg'])}"


def _plain(message: str) -> str:
    """Pydantic's message, phrased for a config file's reader."""
    replacements = {
        "Input should be": "must be",
        "a valid integer": "an integer",
        "a valid number": "a number",
        "a valid boolean": "true or false",
        "a valid string": "a string",
        "a valid dictionary or instance of": "a mapping of",
    }
    for old, new in replacements.items():
        message = message.replace(old, new)
    return message
