"""Promotions: the campaigns sales plans, as documents every department can read.

A promotion is a company campaign: a rep behind its quota proposes it, every rep behind
its pace takes part, and it reaches all their accounts. Like an order, it is a document:
a check or a committee may approve it, customers see it while it runs, purchasing
learns of it (or not). Each SKU answers the discount in its own measure (``uplift``);
after the campaign, demand dips while customers use what they bought ahead (``dip``).
Its suppliers pay back a share of the discount on the units it sells (``funding_share``:
trade promotion funds, claimed when the campaign ends).
"""

from dataclasses import dataclass, field

from sim.books.ledger import Ledger
from sim.output import events
from sim.output.recorder import Recorder

ALLOWANCE = events.code("promotion_allowance")


@dataclass(slots=True)
class Promotion:
    """A price cut on some SKUs for the accounts of the reps taking part, over a window of days.

    ``told_day`` is when purchasing learned of it (None: never told).
    """

    promotion_id: int
    rep: int  # the rep who proposed it (and decides when purchasing is told)
    skus: tuple[int, ...]
    planned_day: int
    start_day: int
    end_day: int  # first day after the promotion
    discount: float
    uplift: dict[int, float]  # demand multiplier per SKU while it runs
    dip_days: int
    dip: dict[int, float]  # demand multiplier per SKU right after (customers bought ahead)
    base_daily_units: dict[int, float]  # what the reps taking part expect per SKU without it
    reps: tuple[int, ...] = ()  # every rep taking part (the proposer among them)
    funding_share: float = 0.0  # share of the discount the suppliers pay back on the units it sells
    told_day: int | None = None
    units_sold: dict[int, int] = field(default_factory=dict)  # units ordered at its price, per SKU
    allowance_claimed: bool = False
    stockout_blamed: bool = False
    extra_daily_units: dict[int, float] = field(init=False)  # expected extra demand per SKU while it runs

    def __post_init__(self) -> None:
        self.reps = self.reps or (self.rep,)
        self.extra_daily_units = {k: base * (self.uplift[k] - 1.0) for k, base in self.base_daily_units.items()}

    def multiplier(self, sku: int, day: int) -> float:
        """Demand multiplier of ``sku`` on ``day``: uplift during, dip after, 1 otherwise."""
        if self.start_day <= day < self.end_day:
            return self.uplift[sku]
        if self.end_day <= day < self.end_day + self.dip_days:
            return self.dip[sku]
        return 1.0

    def running(self, day: int) -> bool:
        """Whether customers see the discount on ``day``."""
        return self.start_day <= day < self.end_day

    def notice_days(self) -> int | None:
        """Days between purchasing learning of it and its start (None if never told)."""
        return None if self.told_day is None else self.start_day - self.told_day


def claim_allowance(
    promotion: Promotion, list_price_cents: list[int], ledger: Ledger, recorder: Recorder, now: float, agent: str
) -> None:
    """The suppliers pay back their share of the discount on the units the campaign sold (once).

    Trade promotion funds (Ailawadi, Farris & Shames 1999): the manufacturer funds a
    reseller's price cut, claimed on the units sold at it; booked against the cost of goods.
    """
    if promotion.allowance_claimed or promotion.funding_share <= 0:
        return
    promotion.allowance_claimed = True
    given = sum(
        units * (list_price_cents[k] - round(list_price_cents[k] * (1.0 - promotion.discount)))
        for k, units in promotion.units_sold.items()
    )
    cents = round(promotion.funding_share * given)
    if cents <= 0:
        return
    ledger.post("cash", "allowances", cents)
    units = sum(promotion.units_sold.values())
    share = 100 * promotion.funding_share
    detail = recorder.text(f"suppliers fund {share:.0f}% of the discount on {units} units")
    ref = promotion.promotion_id
    recorder.flow(now, ALLOWANCE, recorder.name(agent), -1, -1, ref, units, cents, detail=detail)
