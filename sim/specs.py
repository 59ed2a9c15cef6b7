"""What the model is made of, as specs: products, suppliers, accounts, staff and the market's responses.

A spec is a frozen record drawn once from a scenario (sim/world.py, sim/accounts.py)
and read by the agent it describes; nothing changes it during a run.
"""

from dataclasses import dataclass, field

from sim.market import DemandSource


@dataclass(frozen=True, slots=True)
class SkuSpec:
    """A product: its standard cost, list price, owner in purchasing and sources."""

    index: int
    standard_cost_cents: int
    list_price_cents: int
    buyer: int
    suppliers: tuple[int, ...]
    expected_daily_units: float
    launch_day: int = 0  # first day it sells (launches only)
    promotion_response: float = 0.0  # demand uplift per unit of discount (3.0: 10% off, +30%)


@dataclass(frozen=True, slots=True)
class Disruption:
    """A window of days in which a supplier ships less and later."""

    start_day: int
    end_day: int
    capacity_factor: float
    lead_time_extra_days: int


@dataclass(frozen=True, slots=True)
class SupplierSpec:
    """A supplier's terms and how reliably it keeps them.

    Lead times, lateness, short shipments and other customers' load are drawn per day
    from the supplier's own stream: exogenous, the same whatever the company orders.
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
    break_units: dict[int, int] = field(default_factory=dict)  # order size earning the discount
    minimum_order_units: dict[int, int] = field(default_factory=dict)  # the smallest order it takes, per SKU
    case_pack_units: int = 1  # it ships whole cases: orders are rounded up to a multiple
    break_discount: float = 0.0
    expedite_premium: float = 0.0  # share of the unit price, per unit expedited
    expedite_lead_days: int = 2
    initial_relationship: float = 1.0
    other_customers_load: float = 0.0  # their mean share of capacity
    other_customers_load_cv: float = 0.0
    disruption: Disruption | None = None
    price_rise_day: int | None = None
    price_rise_share: float = 0.0


@dataclass(frozen=True, slots=True)
class OrderAnnouncement:
    """A large order an account tells its rep of in advance (a project, a tender won, a stock build)."""

    account: int
    rep: int
    sku: int
    units: int
    announce_day: int
    due_day: int  # an order day of the account's: the line comes with that day's order


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """A customer account: who serves it, how patient it is, where its orders come from."""

    index: int
    rep: int
    key_account: bool
    patience_days: int
    requested_lead_days: int
    demand: DemandSource
    announcements: tuple[OrderAnnouncement, ...] = ()
    stream: tuple[str, int] = ("account", 0)  # its own random streams: family and number


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


@dataclass(frozen=True, slots=True)
class Market:
    """How customers respond: to promotions, deals and service (all off in the textbook)."""

    promotion_uplift_per_discount: float = 0.0
    promotion_dip_share: float = 0.0
    promotion_dip_days: int = 0
    promotion_funding_share: float = 0.0  # share of a campaign's discount its suppliers pay back
    deal_uplift_per_discount: float = 0.0
    satisfaction_learning: float = 0.0
    key_account_sensitivity: float = 1.0  # a key account's satisfaction moves this many times as much
    churn_threshold: float = 0.0
    churn_rate_per_order: float = 0.0
    new_account_rate_per_rep_per_year: float = 0.0
    deal_decision_days: int = 30  # a lead is decided this long after it opens
