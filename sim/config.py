"""Typed run configuration and its validation.

The library takes a :class:`RunConfig`; :func:`validate` builds one from plain
mappings (what Hydra composes, or a dict in a notebook) and turns every problem into
a :class:`ConfigError` whose message is one line naming the key, the value and what
is allowed. This module knows no lever: :func:`sim.configure.load_config` hands it
the levers' schemas.
"""

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError

Share = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveInt = Annotated[int, Field(ge=1)]
Days = Annotated[int, Field(ge=0)]


class ConfigError(ValueError):
    """A configuration problem, stated in one line."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TextbookScenario(_Section):
    """One SKU, iid normal demand, one supplier with a fixed lead time, no behaviour.

    The buyer orders up to S = (L+1)·m + z·σ·sqrt(L+1) every day, m being the mean of
    the last ``forecast_window`` days' demand (0: the true mean) and σ ``demand_sd``.
    """

    kind: Literal["textbook"] = "textbook"
    name: str = "textbook"
    demand_mean: Annotated[float, Field(gt=0)] = 100.0
    demand_sd: Annotated[float, Field(ge=0)] = 20.0
    lead_time_days: Days = 2
    forecast_window: Days = 5
    safety_z: Annotated[float, Field(ge=-5, le=5)] = 1.645
    unit_cost: Annotated[float, Field(gt=0)] = 6.0
    unit_price: Annotated[float, Field(gt=0)] = 10.0
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
    order_interval_days: PositiveInt = 7
    requested_lead_days: Days = 1
    requested_lead_spread_days: Days = 2  # each account asks for the mean ± up to this many days
    announced_orders_per_account_per_year: Annotated[float, Field(ge=0, le=52)] = 0.5
    announced_orders_per_key_account_per_year: Annotated[float, Field(ge=0, le=52)] = 8.5
    announced_order_weeks: Annotated[float, Field(gt=0, le=52)] = 11.0  # size: weeks of the line's usual volume
    announcement_days: Annotated[int, Field(ge=0, le=365)] = 28  # told to the rep this long before
    patience_days: Days = 14
    walk_away_share: Share = 0.55
    demand_rate_mean: Annotated[float, Field(gt=0)] = 1.5
    demand_rate_dispersion: Annotated[float, Field(ge=0, le=3)] = 0.8
    demand_cv: Annotated[float, Field(ge=0, le=5)] = 1.15
    trend_per_year: Annotated[float, Field(ge=-0.9, le=5)] = 0.0
    seasonality_amplitude: Annotated[float, Field(ge=0, lt=1)] = 0.15
    seasonality_peak_day: Annotated[int, Field(ge=0, le=365)] = 330
    # prices and costs
    unit_cost_mean: Annotated[float, Field(gt=0)] = 20.0
    unit_cost_dispersion: Annotated[float, Field(ge=0, le=3)] = 0.6
    gross_margin: Annotated[float, Field(gt=0, lt=1)] = 0.26
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
    lead_time_mean_days: Annotated[float, Field(ge=0)] = 48.0
    lead_time_sd_days: Annotated[float, Field(ge=0)] = 11.0
    lead_time_spread_days: Annotated[float, Field(ge=0)] = 15.0
    on_time_probability: Share = 0.9
    late_days_mean: Annotated[float, Field(ge=0)] = 4.0
    in_full_probability: Share = 0.95
    short_ship_share: Share = 0.5
    capacity_headroom: Annotated[float, Field(gt=0)] | None = 2.0
    other_customers_load: Share = 0.4
    other_customers_load_cv: Annotated[float, Field(ge=0, le=3)] = 0.3
    price_break_weeks: Annotated[float, Field(ge=0, le=104)] = 3.5
    minimum_order_weeks: Annotated[float, Field(ge=0, le=104)] = 2.0  # suppliers' minimum order: weeks of demand
    case_pack_units: Annotated[int, Field(ge=1, le=100_000)] = 130  # suppliers ship whole cases of this many units
    price_break_discount: Annotated[float, Field(ge=0, lt=1)] = 0.04
    expedite_premium: Annotated[float, Field(ge=0)] = 0.3
    expedite_lead_days: Days = 2
    initial_relationship: Share = 0.6
    # promotions and deals: how the market responds
    promotion_uplift_per_discount: Annotated[float, Field(ge=0, le=50)] = 4.0
    promotion_response_dispersion: Annotated[float, Field(ge=0, le=3)] = 0.6  # lognormal sigma across SKUs
    promotion_dip_share: Share = 0.3
    promotion_funding_share: Share = 0.5  # share of a campaign's discount its suppliers pay back
    promotion_dip_days: Days = 14
    deal_uplift_per_discount: Annotated[float, Field(ge=0)] = 1.5
    # customers: satisfaction, churn, new business
    satisfaction_learning: Share = 0.1
    key_account_sensitivity: Annotated[float, Field(ge=0, le=10)] = 2.0
    churn_threshold: Share = 0.6
    churn_rate_per_order: Share = 0.05
    new_account_rate_per_rep_per_year: Annotated[float, Field(ge=0, le=365)] = 4.0
    deal_decision_days: Annotated[int, Field(ge=0, le=365)] = 0  # a lead becomes an account this long after it opens
    # launch: new SKUs with uncertain demand
    launch_skus: Annotated[int, Field(ge=0)] = 0
    launch_day: Days = 120
    launch_uncertainty: Annotated[float, Field(ge=0, le=3)] = 0.8
    # supply disruption window
    disruption_start_day: Days | None = None
    disruption_days: Days = 60
    disruption_supplier_share: Share = 1.0
    disruption_capacity_factor: Share = 0.3
    disruption_lead_time_extra_days: Days = 10
    # cost squeeze: suppliers raise prices
    price_rise_day: Days | None = None
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
    review_period_days: PositiveInt = 14
    forecast_window_days: PositiveInt = 168
    safety_z: Annotated[float, Field(ge=-5, le=5)] = 1.8
    replenishment: Literal["order_up_to", "s_S"] = "order_up_to"
    s_S_lot_days: Annotated[float, Field(ge=0)] = 14.0  # noqa: N815 (s and S are the textbook names)
    price_break_chasing: bool = True
    inventory_budget_weeks: Annotated[float, Field(gt=0)] = 15.0
    price_break_reach: Share = 0.5
    sales_forecast_max_weight: Share = 0.6
    buyer_price_weight: Share = 0.7
    buyer_lead_time_weight: Share = 0.1
    buyer_reliability_weight: Share = 0.1
    buyer_relationship_weight: Share = 0.1
    expedite_goodwill: Share = 0.8
    negotiation_interval_days: Annotated[int, Field(ge=0)] = 91
    negotiation_price_cut: Share = 0.01
    negotiation_relationship_cost: Share = 0.05
    relationship_recovery_per_year: Share = 0.5
    # sales
    sales_forecast_window_days: PositiveInt = 28
    forecast_optimism: Annotated[float, Field(ge=-0.5, le=1)] = 0.05
    shortage_gaming: Annotated[float, Field(ge=0, le=20)] = 1.0
    shortage_memory: Share = 0.3
    quota_from_forecast: bool = False
    sandbagging: Share = 0.1
    quota_stretch: Annotated[float, Field(gt=0, le=3)] = 1.05
    promotions: bool = True
    promotion_trigger: Share = 0.05
    promotion_discount: Annotated[float, Field(ge=0, lt=1)] = 0.15
    promotion_days: PositiveInt = 14
    promotion_lead_days: Days = 63
    promotion_skus: PositiveInt = 2
    promotion_notice: Literal["by_trust", "early", "late", "none"] = "by_trust"
    promotion_notice_propensity: Share = 0.5
    late_notice_days: Days = 3
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
    horizon_days: PositiveInt = 365
    warmup_days: Days = 90
    scenario: Scenario = Field(default_factory=CompanyScenario)
    org: OrgConfig = Field(default_factory=OrgConfig)
    policy: dict[str, SerializeAsAny[BaseModel]] = Field(default_factory=dict)  # lever -> parameters
    output: OutputConfig = Field(default_factory=OutputConfig)

    @property
    def total_days(self) -> int:
        """Simulated days: warm-up plus the measured horizon."""
        return self.warmup_days + self.horizon_days


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
        _validate(RunConfig, {path[0]: value}, "")
    else:
        section, key = path
        _validate(_SECTIONS[section], {key: value}, section)


def _validate[T: BaseModel](section: type[T], value: Any, root: str) -> T:
    try:
        return section.model_validate(value)
    except ValidationError as error:
        raise ConfigError(_one_line(error, section, root)) from None


def _one_line(error: ValidationError, section: type[BaseModel], root: str) -> str:
    """The first validation problem as ``key = value: what is allowed``."""
    problem = error.errors()[0]
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
